#!/usr/bin/env bash
# The server's integration tests once more, on PostgreSQL (issue 20): every server a test starts
# gets a database of its own on the throwaway cluster in QAR_TEST_DATABASE_URL (QAR_TEST_STORE
# tells the test-support build to do so). Runs the test binary `cargo test --workspace` built, so
# nothing is compiled again.
#
# NOT_YET lists the tests that still reach into the SQLite file by hand (to tamper with it) or
# start the server binary without the cluster: they run on SQLite in the main test step. Each
# leaves this list when it goes through `common::store_sql` (either database) instead.
set -euo pipefail
: "${QAR_TEST_DATABASE_URL:?start a cluster first: eval \"\$(scripts/pg-cluster.sh start)\"}"

NOT_YET=(
  audit_chain::the_head_is_exported_on_a_schedule_and_at_shutdown
  backup_restore::a_backup_taken_while_pushes_go_on_restores_with_every_acknowledged_op
  erasure::an_erased_person_is_gone_and_the_chain_and_reports_still_verify
  erasure::tampering_after_an_erasure_is_still_found
  erasure::versions_issued_before_migration_12_get_their_form_when_the_store_opens
  hub_admin::invitation_lifecycle_duplicate_reuse_expiry
  kill_during_push::no_acknowledged_op_is_lost_or_doubled_across_kills
  mail_delivery::a_crash_mid_burst_loses_no_mail
  operations::flags_beat_environment_beat_file_and_metrics_count_a_push_on_their_own_address
)

bin="$(cargo test --workspace --no-run --message-format=json 2>/dev/null | python3 -c '
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["name"] == "it" \
            and m["manifest_path"].endswith("crates/server/Cargo.toml"):
        print(m["executable"])
')"
[ -x "$bin" ] || { echo "error: the server's integration test binary was not found" >&2; exit 1; }
skips=()
for t in "${NOT_YET[@]}"; do skips+=(--skip "$t"); done
cd "$(dirname "$0")/../../crates/server"
QAR_TEST_STORE=postgres "$bin" --test-threads 2 "${skips[@]}"
