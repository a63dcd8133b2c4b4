#!/usr/bin/env bash
# The server's tests once more, on PostgreSQL (issue 20): its unit tests and its integration
# tests, every one of them. Every server, store and subcommand a test starts on a data folder gets
# a database of its own on the throwaway cluster in QAR_TEST_DATABASE_URL (QAR_TEST_STORE tells
# the test-support build to do so). Runs the test binaries `cargo test --workspace` built, so
# nothing is compiled again.
set -euo pipefail
: "${QAR_TEST_DATABASE_URL:?start a cluster first: eval \"\$(scripts/pg-cluster.sh start)\"}"

# The server crate's test binaries: `unit` (src/lib.rs) and `it` (tests/it).
binaries="$(cargo test --workspace --no-run --message-format=json 2>/dev/null | python3 -c '
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") != "compiler-artifact" or not m.get("executable") or not m["manifest_path"].endswith("crates/server/Cargo.toml"):
        continue
    if m["target"]["name"] == "it":
        print("it", m["executable"])
    elif "lib" in m["target"]["kind"]:
        print("unit", m["executable"])
')"
for kind in unit it; do
  bin="$(awk -v k="$kind" '$1 == k { print $2 }' <<<"$binaries")"
  [ -x "$bin" ] || { echo "error: the server's $kind test binary was not found" >&2; exit 1; }
done
cd "$(dirname "$0")/../../crates/server"
for kind in unit it; do
  bin="$(awk -v k="$kind" '$1 == k { print $2 }' <<<"$binaries")"
  echo "== the server's $kind tests on PostgreSQL"
  QAR_TEST_STORE=postgres "$bin" --test-threads 2
done
