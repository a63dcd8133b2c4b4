//! Freshness of `ui/src/lib/generated/ErrorCode.ts`: the UI's union of error codes, made from
//! `qar_core::ErrorCode` with ts-rs, so a `switch` over a code that no longer exists (or a typo)
//! fails the UI's type check. Stale file: this test fails; `QAR_UPDATE_GENERATED=1` rewrites it.

use qar_core::ErrorCode;
use ts_rs::{Config, TS};

const HEADER: &str = "// Generated from Rust by crates/core/tests/it/generated_error_code.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-core --test it generated_error_code";

fn generated() -> String {
    let decl = ErrorCode::decl(&Config::new());
    // Every code also as a value, so the UI can tell a known code from one a newer server sent.
    let all: Vec<String> = ErrorCode::ALL.iter().map(|c| format!("  '{}',", c.as_str())).collect();
    format!(
        "{HEADER}\n\n/** A stable error code from the server, the laptop or the app's shell (qar_core::ErrorCode). */\nexport {decl}\n\n/** Every code this build knows, in the Rust declaration order. */\nexport const ERROR_CODES: readonly ErrorCode[] = [\n{}\n];\n",
        all.join("\n")
    )
}

#[test]
fn the_ui_error_code_union_is_generated_from_rust() {
    crate::generated::check("ErrorCode.ts", &generated(), "QAR_UPDATE_GENERATED=1 cargo test -p qar-core --test it generated_error_code");
}

#[test]
fn the_union_lists_every_code_once() {
    let text = generated();
    for code in ErrorCode::ALL {
        assert_eq!(text.matches(&format!("\"{}\"", code.as_str())).count(), 1, "{code} in the union");
        assert_eq!(text.matches(&format!("'{}'", code.as_str())).count(), 1, "{code} in ERROR_CODES");
    }
}
