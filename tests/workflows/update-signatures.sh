#!/usr/bin/env bash
# The release workflow's last check before publishing (scripts/verify-update-signatures.sh), run
# here: signatures made by the Tauri CLI (as the release makes them) with a throwaway key pass
# against a config holding that key, and an artifact changed after signing, or signed by another
# key, is refused.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VERIFY="$ROOT/scripts/verify-update-signatures.sh"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

tauri() { (cd "$ROOT/ui" && node_modules/.bin/tauri "$@"); }
fail() { echo "error: $*" >&2; exit 1; }

# Two throwaway key pairs, no password (as CI's signer would read them from secrets).
for k in release other; do
  tauri signer generate --ci -p "" -w "$work/$k.key" >/dev/null
done
config="$work/tauri.conf.json"
printf '{"plugins": {"updater": {"pubkey": "%s"}}}\n' "$(cat "$work/release.key.pub")" >"$config"

bundle="$work/bundle"
mkdir -p "$bundle/appimage" "$bundle/deb"
head -c 200000 /dev/urandom >"$bundle/appimage/QAR Field_0.3.0_amd64.AppImage"
head -c 100000 /dev/urandom >"$bundle/deb/QAR Field_0.3.0_amd64.deb"
sign() { tauri signer sign -f "$work/$1.key" -p "" "$2" >/dev/null; }
sign release "$bundle/appimage/QAR Field_0.3.0_amd64.AppImage"
sign release "$bundle/deb/QAR Field_0.3.0_amd64.deb"

"$VERIFY" "$config" "$bundle" >/dev/null || fail "good signatures were refused"

# Changed after signing.
cp -r "$bundle" "$work/tampered"
printf 'x' >>"$work/tampered/deb/QAR Field_0.3.0_amd64.deb"
if out="$("$VERIFY" "$config" "$work/tampered" 2>&1)"; then fail "a changed artifact passed"; fi
grep -q "QAR Field_0.3.0_amd64.deb is not signed by the key" <<<"$out" || fail "unclear refusal: $out"

# Signed by a key the apps do not hold.
cp -r "$bundle" "$work/other"
sign other "$work/other/appimage/QAR Field_0.3.0_amd64.AppImage"
if "$VERIFY" "$config" "$work/other" >/dev/null 2>&1; then fail "an artifact signed by another key passed"; fi

# No signatures at all (updater artifacts switched off) is a failure, not a pass.
mkdir -p "$work/none"
if "$VERIFY" "$config" "$work/none" >/dev/null 2>&1; then fail "a bundle without signatures passed"; fi

# The project's own config holds a minisign public key the check can read (it then finds no
# signatures in an empty folder, which is the error expected here).
out="$("$VERIFY" "$ROOT/src-tauri/tauri.conf.json" "$work/none" 2>&1 || true)"
grep -q "no updater signatures" <<<"$out" || fail "src-tauri/tauri.conf.json's updater key is unusable: $out"

echo "update signature check: good passes; changed, wrong-key and missing signatures are refused"
