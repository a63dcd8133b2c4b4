#!/usr/bin/env bash
# The API contract test (issue 16): schemathesis, driven only by the published /v1/openapi.json,
# against a real qar-server on loopback with the demo data, signed in as the demo administrator.
# Every check, at least 100 examples per operation, a fixed seed; any failure fails ./x test.
#
# Left out, and only these: the routes that would sign the fuzzer itself out mid-run
# (POST /v1/auth/logout, and POST /v1/devices/{id}/revoke, which a stateful step could aim at the
# fuzzer's own laptop from GET /v1/devices). Everything else, including sign-in and invitations,
# is fuzzed.
#
# Needs: python3 with venv, node (for the TOTP code), a built qar-server ($QAR_SERVER_BIN).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SERVER_BIN="${QAR_SERVER_BIN:-${CARGO_TARGET_DIR:-$HOME/.cache/qar-field/target}/debug/qar-server}"
# Pinned: a newer schemathesis adds checks and generators, which is welcome, but as a change
# someone makes on purpose, not as a red build on an unchanged commit.
SCHEMATHESIS_VERSION=4.32.5
VENV="${QAR_CONTRACT_VENV:-$HOME/.cache/qar-field/venv}"
SEED=16
EXAMPLES=100

# The venv is made once and reinstalled only when schemathesis is missing or another version.
if ! "$VENV/bin/st" --version 2>/dev/null | grep -qx "schemathesis, version $SCHEMATHESIS_VERSION"; then
  echo "Installing schemathesis $SCHEMATHESIS_VERSION in $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

work="$(mktemp -d)"
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
"$SERVER_BIN" --data-dir "$work/data" --listen "127.0.0.1:$port" --demo >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do curl -fsS "$base/v1/health" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fsS "$base/v1/health" >/dev/null || { cat "$work/server.log" >&2; echo "error: qar-server did not start" >&2; exit 1; }

# Sign in the way a person does: password and the authenticator's current code (demo secrets are public).
code="$(node --input-type=module -e "import { totpCode, DEMO } from '$ROOT/scripts/totp.mjs'; console.log(totpCode(DEMO.admin.secret))")"
login='{"email":"admin@example.org","password":"demo-password-2026","totp_code":"'"$code"'","device_id":"0190a000-0000-7000-8000-00000000f022","device_name":"API contract fuzzer"}'
token="$(curl -fsS -X POST "$base/v1/auth/login" -H 'content-type: application/json' -d "$login" \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')"

status=0
# From the scratch folder: schemathesis keeps a cache of failing examples in its working directory.
(cd "$work" && "$VENV/bin/st" --config-file "$ROOT/tests/contract/schemathesis.toml" --no-color run "$base/v1/openapi.json" \
  --header "Authorization: Bearer $token" \
  --checks all --max-examples "$EXAMPLES" --seed "$SEED" \
  --exclude-path /v1/auth/logout --exclude-path-regex '^/v1/devices/\{device_id\}/(revoke|release)$' \
  --report junit --report-dir "$ROOT/test-artifacts/contract") || status=$?
if [ "$status" -ne 0 ]; then
  echo "Server log (last 40 lines):" >&2
  tail -40 "$work/server.log" >&2
fi
exit "$status"
