//! A year group written the one way reviewers read it (schema 2): "Y4", "R", "N", and mixed
//! classes as "Y3/Y4". Before schema 2 the field was free text, so one school's evidence held
//! "Year 4", "yr4" and "Y4" side by side and a report or a filter by year group split them.
//! Text that is not a year group (a nurture group, "Whole school") is kept as typed: the
//! field stays free text, only the spellings of real year groups are brought together.

/// The canonical spelling of `typed`, or `typed` trimmed when it is not a list of year groups.
/// Idempotent: `normalise_year_group(&normalise_year_group(x)) == normalise_year_group(x)`.
pub fn normalise_year_group(typed: &str) -> String {
    let trimmed = typed.trim();
    let parts: Vec<&str> =
        trimmed.split(['/', ',', '&', '+']).flat_map(|p| p.split(" and ")).map(str::trim).filter(|p| !p.is_empty()).collect();
    if parts.is_empty() {
        return trimmed.to_owned();
    }
    // "Y3-4" and "Years 3-4": a range of years written with a hyphen.
    let mut groups: Vec<String> = Vec::new();
    for part in parts {
        // After a year group, a bare number is the next year of a mixed class ("Y3/4").
        let after_year = groups.last().is_some_and(|g| g.starts_with('Y'));
        match one_or_range(part).or_else(|| after_year.then(|| bare_year(part).map(|g| vec![g])).flatten()) {
            Some(mut g) => groups.append(&mut g),
            None => return trimmed.to_owned(),
        }
    }
    groups.dedup();
    groups.join("/")
}

/// One part of the list: a single group, or a hyphenated range of school years.
fn one_or_range(part: &str) -> Option<Vec<String>> {
    if let Some((from, to)) = part.split_once('-') {
        let (from, to) = (single(from.trim())?, single(to.trim()).or_else(|| bare_year(to.trim()))?);
        let (a, b) = (year_number(&from)?, year_number(&to)?);
        return (a < b && b - a <= 3).then(|| (a..=b).map(|y| format!("Y{y}")).collect());
    }
    single(part).map(|g| vec![g])
}

/// "Year 4", "Yr4", "y 4", "Years 4", "Reception", "Rec", "Nursery" and the canonical forms.
fn single(part: &str) -> Option<String> {
    let lower = part.to_lowercase();
    match lower.as_str() {
        "r" | "rec" | "reception" => return Some("R".into()),
        "n" | "nur" | "nursery" => return Some("N".into()),
        _ => {}
    }
    let digits = ["years", "year", "yrs", "yr", "y"].iter().find_map(|p| lower.strip_prefix(p))?.trim();
    bare_year(digits)
}

fn bare_year(digits: &str) -> Option<String> {
    let n: u8 = digits.parse().ok().filter(|_| digits.bytes().all(|b| b.is_ascii_digit()))?;
    (1..=13).contains(&n).then(|| format!("Y{n}"))
}

fn year_number(group: &str) -> Option<u8> {
    group.strip_prefix('Y')?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_of_one_year_come_together() {
        for typed in ["Year 4", "year4", "Yr 4", "yr4", "Y4", " y 4 ", "Years 4"] {
            assert_eq!(normalise_year_group(typed), "Y4", "{typed}");
        }
        assert_eq!(normalise_year_group("Reception"), "R");
        assert_eq!(normalise_year_group("nursery"), "N");
        assert_eq!(normalise_year_group("Year 13"), "Y13");
    }

    #[test]
    fn mixed_classes_become_a_list() {
        assert_eq!(normalise_year_group("Y3/4"), "Y3/Y4");
        assert_eq!(normalise_year_group("Year 3 and Year 4"), "Y3/Y4");
        assert_eq!(normalise_year_group("Years 5-6"), "Y5/Y6");
        assert_eq!(normalise_year_group("Rec & Y1"), "R/Y1");
    }

    #[test]
    fn other_text_is_kept_as_typed() {
        for typed in ["Whole school", "Nurture group", "Year 14", "KS2", "Y1-9", "4"] {
            assert_eq!(normalise_year_group(typed), typed.trim(), "{typed}");
        }
        assert_eq!(normalise_year_group("  Whole school "), "Whole school");
        assert_eq!(normalise_year_group(""), "");
    }

    #[test]
    fn normalising_twice_changes_nothing() {
        for typed in ["Year 4", "Y3/4", "Years 5-6", "Whole school", "Rec & Y1", "", "Y3/Y4"] {
            let once = normalise_year_group(typed);
            assert_eq!(normalise_year_group(&once), once, "{typed}");
        }
    }
}
