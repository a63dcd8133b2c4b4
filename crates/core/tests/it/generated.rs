//! One compare-or-rewrite for every file qar-core generates for the UI: the committed file must
//! equal what the Rust builds now; a stale one fails the test, unless `QAR_UPDATE_GENERATED=1`,
//! which rewrites it (then commit it).

use std::path::PathBuf;

/// `name` is relative to `ui/src/lib/generated/`; `command` is how to regenerate it.
pub fn check(name: &str, content: &str, command: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/lib/generated").join(name);
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed == content {
        return;
    }
    if std::env::var("QAR_UPDATE_GENERATED").as_deref() == Ok("1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, content).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        return;
    }
    panic!("ui/src/lib/generated/{name} is stale: it no longer matches qar-core. Regenerate it with `{command}` and commit it");
}
