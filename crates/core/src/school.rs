use crate::ValidationError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A school's Unique Reference Number from the DfE register: six digits, kept as text
/// because leading zeros matter and it is never arithmetic.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Urn(String);

impl Urn {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let t = raw.trim();
        if t.len() == 6 && t.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Urn(t.to_owned()))
        } else {
            Err(ValidationError::BadUrn(raw.to_owned()))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Urn {
    type Error = ValidationError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Urn::parse(&s)
    }
}
impl From<Urn> for String {
    fn from(u: Urn) -> String {
        u.0
    }
}
impl fmt::Display for Urn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn six_digits_accepted_with_leading_zero() {
        assert_eq!(Urn::parse("012345").unwrap().as_str(), "012345");
        assert_eq!(Urn::parse(" 100001 ").unwrap().as_str(), "100001");
    }

    #[test]
    fn anything_else_refused() {
        for bad in ["", "12345", "1234567", "12a456", "１２３４５６", "-12345"] {
            assert_eq!(Urn::parse(bad), Err(ValidationError::BadUrn(bad.into())), "{bad}");
        }
    }
}
