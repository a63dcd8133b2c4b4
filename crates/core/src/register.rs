//! The partnership-wide register of Areas of Excellence (issue 23): the theme list (data, in
//! `templates/aoe-themes.json`), the limits of an entry and of a search, the academic year a
//! visit falls in, and how an issued report's Area of Excellence section becomes an entry's
//! title and summary. Pure: the stores call these.

use crate::ValidationError;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// Longest entry title, in characters.
pub const MAX_TITLE_CHARS: usize = 200;
/// Longest entry summary, in characters (the AoE section's own limit is 600 words).
pub const MAX_SUMMARY_CHARS: usize = 6_000;
/// Most theme tags on one entry: a tag that applies to everything finds nothing.
pub const MAX_THEMES: usize = 6;
/// Longest search text, in characters.
pub const MAX_QUERY_CHARS: usize = 200;
/// Most entries in one search answer or one page of the laptop's copy.
pub const MAX_PAGE: u32 = 500;
/// Longest "Ask to visit" message, in characters.
pub const MAX_VISIT_MESSAGE_CHARS: usize = 2_000;
/// Longest head teacher's name on a consent.
pub const MAX_HEAD_NAME_CHARS: usize = 200;
/// The first and last academic years a search may name (the first year the partnership reviewed
/// to the year the app could still be in use); outside them a year is a typo.
pub const FIRST_YEAR: u16 = 2010;
pub const LAST_YEAR: u16 = 2100;

/// One theme tag an entry may carry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AoeTheme {
    pub code: String,
    pub label: String,
}

#[derive(Deserialize)]
struct ThemeFile {
    themes: Vec<AoeTheme>,
}

const THEMES_JSON: &str = include_str!("../templates/aoe-themes.json");

/// The theme tags, in the order the file lists them.
pub fn themes() -> &'static [AoeTheme] {
    static T: OnceLock<Vec<AoeTheme>> = OnceLock::new();
    T.get_or_init(|| serde_json::from_str::<ThemeFile>(THEMES_JSON).expect("the bundled theme list is valid").themes)
}

/// Every code is a theme of the list, none twice, at most [`MAX_THEMES`].
pub fn check_themes(codes: &[String]) -> Result<(), ValidationError> {
    if codes.len() > MAX_THEMES {
        return Err(ValidationError::OutOfRange { field: "Number of themes", value: codes.len() as i64, min: 0, max: MAX_THEMES as i64 });
    }
    for (i, code) in codes.iter().enumerate() {
        if !themes().iter().any(|t| &t.code == code) {
            return Err(ValidationError::WrongType { field: format!("Theme '{code}'"), expected: "a theme of the register's list" });
        }
        if codes[..i].contains(code) {
            return Err(ValidationError::WrongType { field: format!("Theme '{code}'"), expected: "each theme once" });
        }
    }
    Ok(())
}

/// Every code is an area of the framework, none twice.
pub fn check_areas(framework_version: &str, codes: &[String]) -> Result<(), ValidationError> {
    let fw = crate::framework(framework_version)?;
    for (i, code) in codes.iter().enumerate() {
        fw.area(code)?;
        if codes[..i].contains(code) {
            return Err(ValidationError::WrongType { field: format!("Area '{code}'"), expected: "each area once" });
        }
    }
    Ok(())
}

/// The academic year (named by the calendar year it starts in: 2024 is 2024/25) of a visit
/// starting on `date` (`YYYY-MM-DD`). English schools' years start on 1 September.
pub fn academic_year(date: &str) -> Option<u16> {
    let year: u16 = date.get(0..4)?.parse().ok()?;
    let month: u8 = date.get(5..7)?.parse().ok()?;
    if !(1..=12).contains(&month) {
        return None;
    }
    Some(if month >= 9 { year } else { year - 1 })
}

/// "2024/25" for 2024.
pub fn academic_year_label(year: u16) -> String {
    format!("{year}/{:02}", (year + 1) % 100)
}

/// An entry's title and summary from the report's Area of Excellence section: its first line is
/// the title (the template's guidance asks for the practice's name first), the rest the summary.
/// A one-line section gives its first sentence as the title and the whole text as the summary.
/// Both are cut to their limits at a character boundary.
pub fn title_and_summary(section: &str) -> (String, String) {
    let section = section.trim();
    let (title, rest) = match section.split_once('\n') {
        Some((first, rest)) if !rest.trim().is_empty() => (first.trim(), rest.trim()),
        _ => {
            let end = section.find(". ").map_or(section.len(), |i| i + 1);
            (section[..end].trim(), section)
        }
    };
    let title = title.trim_end_matches('.').trim();
    (cut(title, MAX_TITLE_CHARS), cut(rest, MAX_SUMMARY_CHARS))
}

fn cut(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", text[..i].trim_end()),
        None => text.to_owned(),
    }
}

/// A text of at most `max` characters (after trimming), for the register's free-text values.
pub fn check_text(field: &'static str, text: &str, max: usize, required: bool) -> Result<(), ValidationError> {
    crate::entities::check_text(field, text, max, required)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn themes_are_codes_and_unique() {
        assert!(themes().len() >= 10);
        for (i, t) in themes().iter().enumerate() {
            crate::entities::check_code("Theme", &t.code).unwrap();
            assert!(themes()[..i].iter().all(|u| u.code != t.code), "{}", t.code);
        }
        check_themes(&["early_reading".into(), "oracy".into()]).unwrap();
        assert!(check_themes(&["early reading".into()]).unwrap_err().to_string().contains("Theme 'early reading'"));
        assert!(check_themes(&["oracy".into(), "oracy".into()]).is_err());
    }

    #[test]
    fn academic_years_start_in_september() {
        assert_eq!(academic_year("2024-09-01"), Some(2024));
        assert_eq!(academic_year("2025-08-31"), Some(2024));
        assert_eq!(academic_year("2025-13-01"), None);
        assert_eq!(academic_year_label(2024), "2024/25");
        assert_eq!(academic_year_label(2099), "2099/00");
    }

    #[test]
    fn the_first_line_is_the_title() {
        let (t, s) = title_and_summary("Early reading for all.\nEvery class reads daily.\nPhonics is consistent.");
        assert_eq!((t.as_str(), s.as_str()), ("Early reading for all", "Every class reads daily.\nPhonics is consistent."));
        let (t, s) = title_and_summary("Oracy across the curriculum. Pupils debate weekly.");
        assert_eq!((t.as_str(), s.as_str()), ("Oracy across the curriculum", "Oracy across the curriculum. Pupils debate weekly."));
        let long = "x".repeat(300);
        assert_eq!(title_and_summary(&long).0.chars().count(), MAX_TITLE_CHARS + 1);
    }
}
