#!/usr/bin/env bash
# Checks every updater signature (*.sig) under a bundle folder against the public key the
# installed apps hold (plugins.updater.pubkey in the given Tauri config), with minisign.
#
#   scripts/verify-update-signatures.sh src-tauri/tauri.conf.json target/release/bundle
#
# The release workflow runs it before publishing: the apps out there trust only that key, so an
# update signed with another one (a secret replaced by mistake, a key pair regenerated) would be
# offered to everyone and refused by every app. tests/workflows/update-signatures.sh tests it here
# with a throwaway key made by the Tauri CLI, as the release makes its signatures.
# Needs: node (reads the config), base64, minisign.
set -euo pipefail

config="${1:?usage: $0 <tauri config> <bundle folder>}"
bundle="${2:?usage: $0 <tauri config> <bundle folder>}"
fail() { echo "error: $*" >&2; exit 1; }

command -v minisign >/dev/null || fail "minisign is not installed (apt-get install minisign)"
[ -d "$bundle" ] || fail "no bundle folder at $bundle"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Tauri keeps the key and each signature as base64 of minisign's own text files.
pubkey_b64="$(node -e 'const c = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); process.stdout.write(c?.plugins?.updater?.pubkey ?? "")' "$config")"
[ -n "$pubkey_b64" ] || fail "$config has no plugins.updater.pubkey"
base64 -d <<<"$pubkey_b64" >"$work/key.pub" 2>/dev/null || fail "plugins.updater.pubkey in $config is not base64"
grep -q '^untrusted comment: minisign public key' "$work/key.pub" || fail "plugins.updater.pubkey in $config is not a minisign public key"

mapfile -t signatures < <(find "$bundle" -type f -name '*.sig' | sort)
[ ${#signatures[@]} -gt 0 ] || fail "no updater signatures (*.sig) under $bundle: was createUpdaterArtifacts on and TAURI_SIGNING_PRIVATE_KEY set?"

for sig in "${signatures[@]}"; do
  artifact="${sig%.sig}"
  [ -f "$artifact" ] || fail "$sig signs $artifact, which is not there"
  base64 -d <"$sig" >"$work/signature" 2>/dev/null || fail "$sig is not base64"
  if ! minisign -V -q -p "$work/key.pub" -m "$artifact" -x "$work/signature"; then
    fail "$(basename "$artifact") is not signed by the key in $config: installed apps would refuse this update"
  fi
  echo "signature good: $(basename "$artifact")"
done
echo "${#signatures[@]} update signature(s) match plugins.updater.pubkey"
