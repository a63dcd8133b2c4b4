//! Integers read the way the published JSON Schema defines them: `2.0` is the same integer as
//! `2` (JSON Schema counts a number with a zero fraction as an integer), while serde reads a
//! `u64` only from `2`. Request fields typed `integer` in `/v1/openapi.json` use these, so a
//! client that writes every number as a float (as some JSON libraries do) is not refused for
//! data its own schema admits. Fractions, negatives and values out of range are still refused.
//!
//! Use: `#[serde(deserialize_with = "crate::whole_number::u64")]`, and for an `Option` with
//! `#[serde(default)]`: `deserialize_with = "crate::whole_number::option_u64"`.

use serde::de::{self, Deserializer, Unexpected, Visitor};
use std::fmt;

/// Largest integer every float spells exactly (2^53); above it `9007199254740993.0` is not one number.
const EXACT_FLOAT_MAX: f64 = 9_007_199_254_740_992.0;

pub fn u64<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    d.deserialize_any(Whole)
}

pub fn u32<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    let n = u64(d)?;
    u32::try_from(n).map_err(|_| de::Error::invalid_value(Unexpected::Unsigned(n), &"an integer from 0 to 4294967295"))
}

pub fn option_u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    d.deserialize_option(OptionWhole)
}

pub fn option_u32<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    match option_u64(d)? {
        None => Ok(None),
        Some(n) => {
            u32::try_from(n).map(Some).map_err(|_| de::Error::invalid_value(Unexpected::Unsigned(n), &"an integer from 0 to 4294967295"))
        }
    }
}

struct Whole;

impl<'de> Visitor<'de> for Whole {
    type Value = u64;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a non-negative integer")
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
        Ok(v)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<u64, E> {
        u64::try_from(v).map_err(|_| E::invalid_value(Unexpected::Signed(v), &self))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<u64, E> {
        if v.fract() == 0.0 && (0.0..=EXACT_FLOAT_MAX).contains(&v) {
            Ok(v as u64)
        } else {
            Err(E::invalid_value(Unexpected::Float(v), &self))
        }
    }
}

struct OptionWhole;

impl<'de> Visitor<'de> for OptionWhole {
    type Value = Option<u64>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a non-negative integer or null")
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        u64(d).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Sample {
        #[serde(deserialize_with = "super::u32")]
        small: u32,
        #[serde(default, deserialize_with = "super::option_u64")]
        cursor: Option<u64>,
    }

    fn read(json: &str) -> Result<Sample, String> {
        serde_json::from_str(json).map_err(|e| e.to_string())
    }

    #[test]
    fn whole_floats_read_as_the_integers_they_are() {
        assert_eq!(read(r#"{"small": 28.0, "cursor": 7.0}"#), Ok(Sample { small: 28, cursor: Some(7) }));
        assert_eq!(read(r#"{"small": 28}"#), Ok(Sample { small: 28, cursor: None }));
        assert_eq!(read(r#"{"small": 1, "cursor": null}"#), Ok(Sample { small: 1, cursor: None }));
    }

    #[test]
    fn fractions_negatives_and_overflows_are_still_refused() {
        for bad in [
            r#"{"small": 2.5}"#,
            r#"{"small": -1}"#,
            r#"{"small": -1.0}"#,
            r#"{"small": 4294967296}"#,
            r#"{"small": 1e300}"#,
            r#"{"small": "1"}"#,
        ] {
            assert!(read(bad).is_err(), "{bad} was read");
        }
        assert!(read(r#"{"small": 1, "cursor": 1.5}"#).is_err());
    }
}
