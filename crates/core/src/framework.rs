//! The judgement framework as versioned data (domain.md §4): version → areas → estimate scale.
//! A review stores the version it was judged against, so an old review keeps its own wording.
//! A new version is one more entry in `FRAMEWORKS`; nothing else needs to change.

use crate::error::join_or;
use crate::ValidationError;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Framework {
    pub version: &'static str,
    pub areas: &'static [Area],
    /// Best first.
    pub scale: &'static [ScaleValue],
}

/// One area a review judges. `code` is stored; `label` is shown (and may be re-worded).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(rename = "FrameworkArea"))]
pub struct Area {
    pub code: &'static str,
    pub label: &'static str,
    /// What the area covers, in the framework's own words; empty where none was published.
    pub description: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ScaleValue {
    pub code: &'static str,
    pub label: &'static str,
    /// 1 is the best estimate; larger is weaker.
    pub rank: u8,
}

/// The version new reviews use unless told otherwise.
pub const CURRENT_FRAMEWORK: &str = "2019";

/// Every framework version this build knows, oldest first.
pub static FRAMEWORKS: &[Framework] = &[FRAMEWORK_2019];

/// From autumn 2019 (CP news, 14 Oct 2019; "additional needs" as in CP's 2020 annual report).
const FRAMEWORK_2019: Framework = Framework {
    version: "2019",
    areas: &[
        Area { code: "leadership", label: "Leadership at all levels", description: "" },
        Area {
            code: "provision_outcomes",
            label: "The quality of provision and outcomes",
            description: "curriculum, teaching, learning and assessment, outcomes, attitudes to learning",
        },
        Area {
            code: "disadvantaged_additional_needs",
            label: "The quality of provision and outcomes for disadvantaged pupils and pupils with additional needs",
            description: "",
        },
    ],
    scale: &[
        ScaleValue { code: "leading", label: "Leading", rank: 1 },
        ScaleValue { code: "effective", label: "Effective", rank: 2 },
        ScaleValue { code: "working_towards_effective", label: "Working Towards Effective", rank: 3 },
        ScaleValue { code: "ineffective", label: "Ineffective", rank: 4 },
    ],
};

/// The framework of a given version, e.g. `framework("2019")`.
pub fn framework(version: &str) -> Result<&'static Framework, ValidationError> {
    FRAMEWORKS.iter().find(|f| f.version == version).ok_or_else(|| ValidationError::UnknownFramework(version.to_owned()))
}

impl Framework {
    pub fn area(&self, code: &str) -> Result<&'static Area, ValidationError> {
        self.areas
            .iter()
            .find(|a| a.code == code)
            .ok_or_else(|| ValidationError::UnknownArea { area: code.to_owned(), version: self.version })
    }

    pub fn scale_value(&self, code: &str) -> Option<&'static ScaleValue> {
        self.scale.iter().find(|v| v.code == code)
    }

    /// Checks that `value_code` is an estimate this framework allows for `area_code`.
    pub fn validate_estimate(&self, area_code: &str, value_code: &str) -> Result<(), ValidationError> {
        let area = self.area(area_code)?;
        if self.scale_value(value_code).is_some() {
            return Ok(());
        }
        let labels: Vec<&str> = self.scale.iter().map(|v| v.label).collect();
        Err(ValidationError::EstimateNotInScale {
            value: value_code.to_owned(),
            version: self.version,
            area: area.label,
            choices: join_or(&labels),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_2019_has_the_public_wording() {
        let f = framework("2019").unwrap();
        let areas: Vec<_> = f.areas.iter().map(|a| (a.code, a.label)).collect();
        assert_eq!(
            areas,
            [
                ("leadership", "Leadership at all levels"),
                ("provision_outcomes", "The quality of provision and outcomes"),
                (
                    "disadvantaged_additional_needs",
                    "The quality of provision and outcomes for disadvantaged pupils and pupils with additional needs"
                ),
            ]
        );
        assert_eq!(
            f.area("provision_outcomes").unwrap().description,
            "curriculum, teaching, learning and assessment, outcomes, attitudes to learning"
        );
        let scale: Vec<_> = f.scale.iter().map(|v| (v.code, v.label, v.rank)).collect();
        assert_eq!(
            scale,
            [
                ("leading", "Leading", 1),
                ("effective", "Effective", 2),
                ("working_towards_effective", "Working Towards Effective", 3),
                ("ineffective", "Ineffective", 4),
            ]
        );
        assert_eq!(framework(CURRENT_FRAMEWORK).unwrap().version, CURRENT_FRAMEWORK);
    }

    #[test]
    fn every_version_is_well_formed() {
        for f in FRAMEWORKS {
            assert_eq!(FRAMEWORKS.iter().filter(|g| g.version == f.version).count(), 1, "{}", f.version);
            assert!(!f.areas.is_empty() && !f.scale.is_empty());
            let ranks: Vec<u8> = f.scale.iter().map(|v| v.rank).collect();
            assert_eq!(ranks, (1..=f.scale.len() as u8).collect::<Vec<_>>(), "scale must be best first");
            for a in f.areas {
                assert_eq!(f.areas.iter().filter(|b| b.code == a.code).count(), 1, "{}", a.code);
            }
        }
    }

    #[test]
    fn estimates_are_checked_against_area_and_scale() {
        let f = framework("2019").unwrap();
        f.validate_estimate("leadership", "working_towards_effective").unwrap();
        let e = f.validate_estimate("leadership", "Outstanding").unwrap_err().to_string();
        assert_eq!(
            e,
            "Estimate 'Outstanding' is not in framework 2019 area 'Leadership at all levels' \
             (choose Leading, Effective, Working Towards Effective or Ineffective)"
        );
        let e = f.validate_estimate("safeguarding", "leading").unwrap_err().to_string();
        assert_eq!(e, "Area 'safeguarding' is not part of framework 2019");
        assert_eq!(framework("2015").unwrap_err().to_string(), "Framework version '2015' is not known");
    }

    #[test]
    fn serialises_for_the_ui() {
        let v = serde_json::to_value(framework("2019").unwrap()).unwrap();
        assert_eq!(v["scale"][0], serde_json::json!({"code": "leading", "label": "Leading", "rank": 1}));
    }
}
