//! Short version of the crash stress (the full one: `cargo run --release -p qar-client --bin
//! qar-crash -- stress --trials 1000`): 20 SIGKILLs at random moments, each followed by an
//! integrity check and a check of every edit the child reported as committed.

#[test]
fn twenty_kills_lose_no_committed_edit() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_qar-crash"))
        .args(["stress", "--trials", "20", "--seed", "20261122", "--dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "stress failed:\n{stdout}\n{stderr}");
    let summary: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(summary["trials"], 20);
    assert_eq!(summary["failed"], 0);
    assert!(summary["committed_edits_verified"].as_u64().unwrap() > 20, "the children committed real work: {summary}");
}
