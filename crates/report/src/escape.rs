//! User text into Typst source. Every string a reviewer typed becomes a Typst *string literal*
//! rather than markup: inside `"…"` only `\` and `"` mean anything, so `#set page(..)`, `$x$`,
//! `*bold*`, `= heading`, `<label>`, `@ref` and `// comment` stay characters. Escaping markup
//! instead would mean tracking a dozen context-dependent sigils; a literal has two.

use std::fmt::Write as _;

/// `s` as a Typst string literal, quotes included.
pub fn typst_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            // Windows line ends: the \n that follows is enough.
            '\r' => {}
            '\t' => out.push_str("\\t"),
            // Other control characters would be invisible or break the line; name them.
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use typst::syntax::{ast, parse_code};

    /// What Typst's own parser reads back from the literal: one string expression, no errors.
    fn parsed(lit: &str) -> String {
        let root = parse_code(lit);
        assert!(root.errors_and_warnings().0.is_empty(), "{lit} does not parse");
        let exprs: Vec<_> = root.children().filter(|n| !n.kind().is_trivia()).collect();
        assert_eq!(exprs.len(), 1, "{lit} is one expression");
        exprs[0].cast::<ast::Str>().unwrap_or_else(|| panic!("{lit} is a string")).get().to_string()
    }

    #[test]
    fn escapes_only_what_a_literal_needs() {
        assert_eq!(typst_str(r#"a\b"c"#), r#""a\\b\"c""#);
        assert_eq!(typst_str("x\r\ny"), r#""x\ny""#);
        assert_eq!(typst_str("#set page(..) $x$ *b* = h <l> @r ŵ"), "\"#set page(..) $x$ *b* = h <l> @r ŵ\"");
    }

    #[test]
    fn typst_reads_back_exactly_what_was_typed() {
        let samples = [
            "",
            "plain",
            "#set page(width: 5cm)",
            "#pagebreak() #import \"x.typ\": *",
            "$x^2$ and $",
            "*bold* _emph_ `raw` ```rust fn```",
            "= heading\n== two\n- list\n+ enum\n/ term: x",
            "<label> @ref #label(\"x\")",
            r"C:\Users\siân\ \\two \u{41} \n",
            "\"quoted\" ‘curly’ “double” — en – dash",
            "// comment /* block */",
            "tab\there\u{7}bell\u{1b}esc",
            "Ysgol Gymraeg Llanfair — Cymraeg ŵ ŷ Prȳs 🙂",
            "\\",
            "\"",
            "]) } ) ] \" #}",
        ];
        for s in samples {
            assert_eq!(parsed(&typst_str(s)), s.replace('\r', ""), "{s:?}");
        }
    }

    #[test]
    fn random_strings_survive() {
        // Characters that mean something to Typst somewhere, plus letters and Welsh vowels.
        const ALPHABET: &[char] = &[
            '#', '$', '*', '_', '`', '=', '<', '>', '@', '\\', '"', '\'', '/', '[', ']', '(', ')', '{', '}', '-', '+', '~', ':', ';', '\n',
            '\t', ' ', 'a', 'u', '{', '}', 'ŵ', 'ŷ', '—', '’', '\u{0}', '\u{85}',
        ];
        let mut seed = 0x9E37_79B9_7F4A_7C15_u64;
        for _ in 0..2000 {
            let mut s = String::new();
            for _ in 0..(seed % 24) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                s.push(ALPHABET[(seed % ALPHABET.len() as u64) as usize]);
            }
            assert_eq!(parsed(&typst_str(&s)), s, "{s:?}");
        }
    }
}
