//! A subject written the one way reviewers read it (schema 3): "Maths", "English", "PE",
//! "D&T". Before schema 3 the field was free text, so one review's evidence held "maths",
//! "Mathematics" and "Maths" side by side, and a filter or a report's list of subjects seen
//! split them. Only recognised names of subjects taught in English schools are rewritten;
//! anything else ("Forest school", "Maths and science") is kept as typed, trimmed.

/// Each canonical name with the spellings that mean it (compared without case, with runs of
/// spaces and the dots of abbreviations ignored). The canonical names are the short forms
/// schools and reviewers use on timetables, not the national curriculum's titles.
const SUBJECTS: &[(&str, &[&str])] = &[
    ("Maths", &["maths", "math", "mathematics", "numeracy lesson"]),
    ("English", &["english", "english language", "literacy"]),
    ("Reading", &["reading", "guided reading", "whole class reading"]),
    ("Writing", &["writing", "extended writing"]),
    ("Phonics", &["phonics", "rwi", "read write inc", "read write inc."]),
    ("Science", &["science", "sci"]),
    ("Computing", &["computing", "ict", "computer science"]),
    ("History", &["history"]),
    ("Geography", &["geography", "geog"]),
    ("Art", &["art", "art and design", "art & design"]),
    ("D&T", &["d&t", "dt", "design and technology", "design & technology", "design technology"]),
    ("Music", &["music"]),
    ("PE", &["pe", "physical education", "games"]),
    ("RE", &["re", "religious education"]),
    ("PSHE", &["pshe", "pshee", "personal, social and health education", "personal, social, health and economic education"]),
    ("RSE", &["rse", "relationships and sex education", "relationships education"]),
    ("MFL", &["mfl", "modern foreign languages", "modern languages", "languages"]),
    ("French", &["french"]),
    ("Spanish", &["spanish"]),
    ("German", &["german"]),
    ("Drama", &["drama"]),
];

/// The canonical name of `typed`, or `typed` trimmed when it is not a recognised subject.
/// Idempotent: `normalise_subject(&normalise_subject(x)) == normalise_subject(x)`.
pub fn normalise_subject(typed: &str) -> String {
    let trimmed = typed.trim();
    let key = comparable(trimmed);
    SUBJECTS
        .iter()
        .find(|(canonical, spellings)| comparable(canonical) == key || spellings.iter().any(|s| comparable(s) == key))
        .map_or_else(|| trimmed.to_owned(), |(canonical, _)| (*canonical).to_owned())
}

/// Lower case, dots dropped ("P.E." is "pe"), runs of white space as one space.
fn comparable(text: &str) -> String {
    text.to_lowercase().replace('.', "").split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_of_one_subject_come_together() {
        for typed in ["maths", "Maths", "MATHS", "Mathematics", " math "] {
            assert_eq!(normalise_subject(typed), "Maths", "{typed}");
        }
        for typed in ["P.E.", "pe", "Physical Education"] {
            assert_eq!(normalise_subject(typed), "PE", "{typed}");
        }
        assert_eq!(normalise_subject("Design  and technology"), "D&T");
        assert_eq!(normalise_subject("ICT"), "Computing");
        assert_eq!(normalise_subject("r.e."), "RE");
    }

    #[test]
    fn other_text_is_kept_as_typed() {
        for typed in ["Forest school", "Maths and science", "Nurture", "Y4 maths", "Re-reading"] {
            assert_eq!(normalise_subject(typed), typed, "{typed}");
        }
        assert_eq!(normalise_subject("  Forest school "), "Forest school");
        assert_eq!(normalise_subject(""), "");
    }

    #[test]
    fn normalising_twice_changes_nothing() {
        for (canonical, spellings) in SUBJECTS {
            assert_eq!(normalise_subject(canonical), *canonical);
            for s in *spellings {
                let once = normalise_subject(s);
                assert_eq!(normalise_subject(&once), once, "{s}");
            }
        }
    }
}
