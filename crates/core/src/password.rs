//! The rule every password a person sets must pass (issue 15), in core so the server, the app
//! and the laptop give the same answer: long enough, not blank, not a character or a short
//! pattern repeated, not a keyboard or counting run, not one of the most common passwords.
//! Messages never repeat the password back (they may end up in logs).

use thiserror::Error;

/// Shortest password a person may choose (generated ones are longer).
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Longest password accepted, in bytes (argon2 would hash more, but nobody types more).
pub const MAX_PASSWORD_BYTES: usize = 1024;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PasswordProblem {
    #[error("The password is blank: choose one with letters, numbers or words.")]
    Blank,
    #[error("Choose a password of at least {min} characters (this one has {len}).")]
    TooShort { len: usize, min: usize },
    #[error("The password is too long: at most {max} bytes.")]
    TooLong { max: usize },
    #[error("The password repeats the same few characters: anyone could guess it. Choose a few unrelated words instead.")]
    Repetitive,
    #[error("The password is a run of keys or numbers in order: anyone could guess it. Choose a few unrelated words instead.")]
    Sequence,
    #[error("The password is one of the most common passwords: choose another, e.g. a few unrelated words.")]
    Common,
}

impl PasswordProblem {
    /// A stable code for API answers.
    pub fn code(&self) -> &'static str {
        match self {
            PasswordProblem::Blank => "password_blank",
            PasswordProblem::TooShort { .. } => "password_too_short",
            PasswordProblem::TooLong { .. } => "password_too_long",
            PasswordProblem::Repetitive => "password_repetitive",
            PasswordProblem::Sequence => "password_sequence",
            PasswordProblem::Common => "password_common",
        }
    }
}

/// Words that, with digits or punctuation added, top every leaked-password list.
const COMMON_STEMS: &[&str] = &[
    "password",
    "passw0rd",
    "p@ssword",
    "p@ssw0rd",
    "qwerty",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
    "letmein",
    "welcome",
    "iloveyou",
    "admin",
    "administrator",
    "changeme",
    "football",
    "baseball",
    "monkey",
    "dragon",
    "sunshine",
    "princess",
    "trustno1",
    "superman",
    "starwars",
    "master",
    "shadow",
    "secret",
    "abc",
    "1qaz2wsx",
    "1q2w3e4r",
    "zaq12wsx",
    "challengepartners",
    "qarfield",
    "qar",
    "school",
    "teacher",
    "headteacher",
];

/// Keyboard rows, for runs such as "qwertyuiopas" or "asdfghjkl;'#".
const KEY_ROWS: &[&str] = &["1234567890-=", "qwertyuiop[]", "asdfghjkl;'#", "zxcvbnm,./"];

/// Checks a password a person chose.
pub fn check_password(password: &str) -> Result<(), PasswordProblem> {
    if password.trim().is_empty() {
        return Err(PasswordProblem::Blank);
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(PasswordProblem::TooLong { max: MAX_PASSWORD_BYTES });
    }
    let len = password.chars().count();
    if len < MIN_PASSWORD_CHARS {
        return Err(PasswordProblem::TooShort { len, min: MIN_PASSWORD_CHARS });
    }
    let lower: Vec<char> = password.to_lowercase().chars().filter(|c| !c.is_whitespace()).collect();
    if is_repetitive(&lower) {
        return Err(PasswordProblem::Repetitive);
    }
    if is_sequence(&lower) {
        return Err(PasswordProblem::Sequence);
    }
    if is_common(&lower) {
        return Err(PasswordProblem::Common);
    }
    Ok(())
}

/// Fewer than four different characters, or a unit of up to six characters repeated (with at
/// most two characters breaking the pattern, e.g. "abcabcabcabc!").
fn is_repetitive(chars: &[char]) -> bool {
    let mut distinct: Vec<char> = chars.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < 4 {
        return true;
    }
    (1..=6.min(chars.len() / 2)).any(|unit| {
        let repeats = (unit..chars.len()).filter(|&i| chars[i] == chars[i - unit]).count();
        repeats + 2 >= chars.len() - unit
    })
}

/// Each character one step from the one before (up or down, digits wrapping 9 to 0), or a run
/// along one keyboard row.
fn is_sequence(chars: &[char]) -> bool {
    let step = |a: char, b: char, dir: i32| {
        let (a, b) = (a as i32, b as i32);
        b - a == dir || (a == '9' as i32 && b == '0' as i32 && dir == 1) || (a == '0' as i32 && b == '9' as i32 && dir == -1)
    };
    if [1, -1].iter().any(|&dir| chars.windows(2).all(|w| step(w[0], w[1], dir))) {
        return true;
    }
    let text: String = chars.iter().collect();
    KEY_ROWS.iter().any(|row| {
        let doubled = row.repeat(3);
        let backwards: String = doubled.chars().rev().collect();
        doubled.contains(&text) || backwards.contains(&text)
    })
}

/// A common stem with only digits and punctuation around it, or a stem repeated.
fn is_common(chars: &[char]) -> bool {
    let text: String = chars.iter().collect();
    let core = text.trim_matches(|c: char| c.is_ascii_digit() || c.is_ascii_punctuation());
    if core.is_empty() {
        return false;
    }
    COMMON_STEMS.iter().any(|stem| core == *stem || (core.len() % stem.len() == 0 && core == stem.repeat(core.len() / stem.len())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_passwords_are_refused_with_a_reason() {
        for (password, problem) in [
            ("", PasswordProblem::Blank),
            ("            ", PasswordProblem::Blank),
            ("\t \u{a0}  \n", PasswordProblem::Blank),
            ("short", PasswordProblem::TooShort { len: 5, min: 12 }),
            ("aaaaaaaaaaaa", PasswordProblem::Repetitive),
            ("abababababab", PasswordProblem::Repetitive),
            ("123123123123", PasswordProblem::Repetitive),
            ("abcabcabcabcx", PasswordProblem::Repetitive),
            ("aaaaaaaaaaab", PasswordProblem::Repetitive),
            ("Xy7!Xy7!Xy7!", PasswordProblem::Repetitive),
            ("123456789012", PasswordProblem::Sequence),
            ("abcdefghijklm", PasswordProblem::Sequence),
            ("qwertyuiop[]", PasswordProblem::Sequence),
            ("Password1234", PasswordProblem::Common),
            ("password2026!", PasswordProblem::Common),
            ("P@ssw0rd!!2026", PasswordProblem::Common),
            ("letmeinletmein", PasswordProblem::Common),
            ("ChallengePartners1", PasswordProblem::Common),
        ] {
            assert_eq!(check_password(password), Err(problem.clone()), "{password:?}");
            assert!(!problem.to_string().is_empty());
        }
        assert_eq!(check_password(&"x".repeat(1025)), Err(PasswordProblem::TooLong { max: 1024 }));
    }

    #[test]
    fn ordinary_passwords_pass() {
        for ok in ["demo-password-2026", "correct horse battery staple", "Lighthouse-Kettle-47", "wdq8-LKm2-zzP0", "ΘάλασσαΒουνό12"]
        {
            assert_eq!(check_password(ok), Ok(()), "{ok}");
        }
    }
}
