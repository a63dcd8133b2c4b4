//! File names the app writes (exported reports, diagnostics) that every desktop system accepts.
//!
//! A report exported on a Linux laptop is e-mailed to a school on Windows and opened on a Mac, so
//! one rule serves all three: the union of what each refuses. `FileSystem::check` states each
//! system's own rule, so the tests can show the portable name passes every one of them.

/// The desktop systems QAR Field ships for, each with its own file-name rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileSystem {
    /// NTFS through the Win32 API (Explorer, Word): the strictest of the three.
    Windows,
    /// APFS/HFS+ through Finder: `/` is the separator and `:` is Finder's own separator.
    MacOs,
    /// ext4 and friends: only `/` and NUL, at most 255 bytes.
    Linux,
}

/// Why a system refuses a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameProblem {
    Empty,
    ForbiddenCharacter(char),
    /// Windows drops a trailing dot or space, so the file would not be found again by its name.
    TrailingDotOrSpace,
    /// CON, PRN, AUX, NUL, COM1–9, LPT1–9, with or without an extension (Windows).
    ReservedDeviceName,
    /// Longer than the system's limit for one path component.
    TooLong,
    /// `.` and `..` name folders, not files.
    DotName,
}

/// Longest stem kept: well under every system's 255 (Windows counts UTF-16 units, macOS and Linux
/// bytes), leaving room for the extension and for the folder path under Windows' MAX_PATH habits.
const MAX_STEM_CHARS: usize = 120;

const WINDOWS_FORBIDDEN: &str = "<>:\"/\\|?*";

impl FileSystem {
    pub const ALL: [FileSystem; 3] = [FileSystem::Windows, FileSystem::MacOs, FileSystem::Linux];

    /// Whether this system accepts `name` as one path component, and if not, why.
    pub fn check(self, name: &str) -> Result<(), NameProblem> {
        if name.is_empty() {
            return Err(NameProblem::Empty);
        }
        if name == "." || name == ".." {
            return Err(NameProblem::DotName);
        }
        let forbidden = |c: char| match self {
            FileSystem::Windows => WINDOWS_FORBIDDEN.contains(c) || (c as u32) < 0x20,
            FileSystem::MacOs => c == '/' || c == ':' || c == '\0',
            FileSystem::Linux => c == '/' || c == '\0',
        };
        if let Some(c) = name.chars().find(|&c| forbidden(c)) {
            return Err(NameProblem::ForbiddenCharacter(c));
        }
        let too_long = match self {
            FileSystem::Windows => name.encode_utf16().count() > 255,
            FileSystem::MacOs | FileSystem::Linux => name.len() > 255,
        };
        if too_long {
            return Err(NameProblem::TooLong);
        }
        if self == FileSystem::Windows {
            if name.ends_with('.') || name.ends_with(' ') {
                return Err(NameProblem::TrailingDotOrSpace);
            }
            if is_windows_device_name(name) {
                return Err(NameProblem::ReservedDeviceName);
            }
        }
        Ok(())
    }
}

fn is_windows_device_name(name: &str) -> bool {
    // Windows ignores the extension and trailing spaces: "con.pdf" and "COM1 .txt" are devices too.
    let base = name.split('.').next().unwrap_or(name).trim_end().to_ascii_uppercase();
    match base.as_str() {
        "CON" | "PRN" | "AUX" | "NUL" => true,
        b => {
            let bytes = b.as_bytes();
            bytes.len() == 4 && (b.starts_with("COM") || b.starts_with("LPT")) && (b'1'..=b'9').contains(&bytes[3])
        }
    }
}

/// A file name `<stem>.<extension>` that Windows, macOS and Linux all accept. Characters any of
/// them refuse become hyphens (`St Mary's: Review 2026?` → `St Mary's- Review 2026-`), runs of
/// spaces close up, leading and trailing dots and spaces go, a Windows device name gets an
/// underscore, and an over-long stem is shortened on a character boundary. `extension` is the
/// app's own (`pdf`, `docx`) and is trusted.
pub fn portable_file_name(stem: &str, extension: &str) -> String {
    let mut clean = String::with_capacity(stem.len());
    for c in stem.chars() {
        let c = if WINDOWS_FORBIDDEN.contains(c) || c.is_control() { '-' } else { c };
        let c = if c.is_whitespace() { ' ' } else { c };
        if c == ' ' && clean.ends_with(' ') {
            continue;
        }
        clean.push(c);
    }
    let mut clean: String = clean.trim_matches(|c| c == ' ' || c == '.').chars().take(MAX_STEM_CHARS).collect();
    // Shortening can leave a space or dot at the end again.
    while clean.ends_with(' ') || clean.ends_with('.') {
        clean.pop();
    }
    if clean.is_empty() {
        clean.push_str("QAR Field export");
    }
    if is_windows_device_name(&clean) {
        clean.push('_');
    }
    format!("{clean}.{extension}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const ST_MARYS: &str = "St Mary's: Review 2026?";

    fn accepted_everywhere(name: &str) {
        for fs in FileSystem::ALL {
            assert_eq!(fs.check(name), Ok(()), "{fs:?} refuses {name:?}");
        }
    }

    #[test]
    fn windows_refuses_its_reserved_characters_trailing_dots_and_device_names() {
        let w = FileSystem::Windows;
        assert_eq!(w.check(&format!("{ST_MARYS}.pdf")), Err(NameProblem::ForbiddenCharacter(':')));
        for c in WINDOWS_FORBIDDEN.chars().chain(['\u{1}', '\t']) {
            assert_eq!(w.check(&format!("a{c}b.pdf")), Err(NameProblem::ForbiddenCharacter(c)), "{c:?}");
        }
        assert_eq!(w.check("report."), Err(NameProblem::TrailingDotOrSpace));
        assert_eq!(w.check("report "), Err(NameProblem::TrailingDotOrSpace));
        for device in ["CON", "con.pdf", "Nul.docx", "COM1.txt", "lpt9", "AUX .pdf"] {
            assert_eq!(w.check(device), Err(NameProblem::ReservedDeviceName), "{device}");
        }
        for fine in ["COM0.pdf", "COM10.pdf", "CONSOLE.pdf", "Connor report.pdf", "St Mary's report.pdf"] {
            assert_eq!(w.check(fine), Ok(()), "{fine}");
        }
        // 255 UTF-16 units: 200 two-byte letters fit on Windows though they are 400 bytes.
        assert_eq!(w.check(&"é".repeat(200)), Ok(()));
        assert_eq!(w.check(&"a".repeat(256)), Err(NameProblem::TooLong));
    }

    #[test]
    fn macos_refuses_slash_and_finders_colon_but_not_windows_characters() {
        let m = FileSystem::MacOs;
        assert_eq!(m.check(&format!("{ST_MARYS}.pdf")), Err(NameProblem::ForbiddenCharacter(':')));
        assert_eq!(m.check("a/b.pdf"), Err(NameProblem::ForbiddenCharacter('/')));
        assert_eq!(m.check("Review 2026?.pdf"), Ok(()));
        assert_eq!(m.check("con.pdf"), Ok(()));
        assert_eq!(m.check(&"é".repeat(128)), Err(NameProblem::TooLong), "255 bytes, not characters");
    }

    #[test]
    fn linux_refuses_only_slash_nul_dot_names_and_over_255_bytes() {
        let l = FileSystem::Linux;
        assert_eq!(l.check(&format!("{ST_MARYS}.pdf")), Ok(()));
        assert_eq!(l.check("a/b"), Err(NameProblem::ForbiddenCharacter('/')));
        assert_eq!(l.check("a\0b"), Err(NameProblem::ForbiddenCharacter('\0')));
        assert_eq!(l.check(".."), Err(NameProblem::DotName));
        assert_eq!(l.check(""), Err(NameProblem::Empty));
        assert_eq!(l.check(&"a".repeat(255)), Ok(()));
        assert_eq!(l.check(&"a".repeat(256)), Err(NameProblem::TooLong));
    }

    #[test]
    fn the_issue_example_becomes_a_name_every_system_accepts() {
        let name = portable_file_name(ST_MARYS, "pdf");
        assert_eq!(name, "St Mary's- Review 2026-.pdf");
        accepted_everywhere(&name);
    }

    #[test]
    fn portable_names_pass_every_systems_rule_whatever_the_school_is_called() {
        let awkward = [
            "",
            "   ",
            "...",
            "CON",
            "nul",
            "Com3",
            "A/B\\C*D\"E<F>G|H",
            "Trailing dot.",
            "Tab\there\nnewline",
            "Ysgol Gymraeg Bro Morgannwg — Adolygiad",
            "Ünïcödé Acadèmy",
            &"Long Name Primary School ".repeat(20),
            &"é".repeat(300),
        ];
        for stem in awkward {
            for ext in ["pdf", "docx"] {
                let name = portable_file_name(stem, ext);
                accepted_everywhere(&name);
                assert!(name.ends_with(&format!(".{ext}")), "{name}");
            }
        }
        assert_eq!(portable_file_name("CON", "pdf"), "CON_.pdf");
        assert_eq!(portable_file_name("  ", "pdf"), "QAR Field export.pdf");
        assert_eq!(portable_file_name("Tab\there", "pdf"), "Tab-here.pdf", "control characters become hyphens");
    }
}
