#!/usr/bin/env bash
# The installed app (issue 21): packs the built app into a .deb the way a release does (the Tauri
# CLI's bundler), installs it with apt-get as a person's IT department would, runs the walking-
# skeleton journey against the *installed* binary (/usr/bin/qar-field), then removes the package
# and checks nothing of it is left on the path.
#
# Uses the debug build ./x test has just made (`tauri bundle --debug` packs it without rebuilding),
# so CI pays for packing and installing, not for a second, release compile. `./x dist` makes the
# release .deb and .rpm.
#
# Needs: root or sudo, the app and server built ($CARGO_TARGET_DIR/debug), ui/dist, tests/e2e's
# npm packages, tauri-driver, and a display or xvfb-run. Works without a terminal (CI, no stdin).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TARGET="${CARGO_TARGET_DIR:-$HOME/.cache/qar-field/target}"
PACKAGE=qar-field
INSTALLED_BIN=/usr/bin/qar-field
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo -n"

fail() { echo "error: $*" >&2; exit 1; }

# 1. Pack the debug build into a .deb (no compile: `tauri bundle` takes the binary as it is).
rm -rf "$TARGET/debug/bundle/deb"
(cd "$ROOT/ui" && TAURI_APP_PATH=../src-tauri node_modules/.bin/tauri bundle --debug --bundles deb --ci)
deb="$(find "$TARGET/debug/bundle/deb" -maxdepth 1 -name '*.deb' | head -1)"
[ -n "$deb" ] || fail "the Tauri bundler made no .deb under $TARGET/debug/bundle/deb"
echo "Packed $(basename "$deb") ($(du -h "$deb" | cut -f1), debug build)"

# 2. What a person's desktop needs from the package: the binary, a menu entry that also claims
#    qarfield:// links (invitation e-mails), icons, and the version the workspace declares.
contents="$(dpkg-deb --contents "$deb")"
# (The bundler writes paths without a leading ./, dpkg-deb's own tools with one: accept both.)
for path in 'usr/bin/qar-field' 'usr/share/applications/[^/]+\.desktop' 'usr/share/icons/hicolor/128x128/apps/qar-field\.png' \
  'usr/share/doc/qar-field/copyright'; do
  grep -Eq " (\./)?$path\$" <<<"$contents" || fail "the .deb lacks /$path"
done
desktop="$(dpkg-deb --fsys-tarfile "$deb" | tar -xO --wildcards '*usr/share/applications/*.desktop')"
grep -qx 'Name=QAR Field' <<<"$desktop" || fail "the desktop entry does not name the app 'QAR Field'"
grep -q '^MimeType=.*x-scheme-handler/qarfield' <<<"$desktop" || fail "the desktop entry does not claim qarfield:// links"
grep -qx 'Exec=qar-field %u' <<<"$desktop" || fail "the desktop entry does not pass a clicked link to the app (Exec=qar-field %u)"
version="$(sed -n 's/^version = "\(.*\)"/\1/p' "$ROOT/Cargo.toml" | head -1)"
[ "$(dpkg-deb --field "$deb" Version)" = "$version" ] || fail "the .deb's version is not the workspace's $version"

# 3. Install it (a leftover from an interrupted run is removed first), and always remove it again.
if dpkg-query -W -f='${Status}' "$PACKAGE" 2>/dev/null | grep -q 'install ok installed'; then
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq "$PACKAGE" >/dev/null
fi
remove() { $sudo env DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq "$PACKAGE" >/dev/null 2>&1 || true; }
trap remove EXIT
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$deb" >/dev/null
[ -x "$INSTALLED_BIN" ] || fail "apt-get installed $PACKAGE but $INSTALLED_BIN is not there"
echo "Installed $PACKAGE $(dpkg-query -W -f='${Version}' "$PACKAGE") at $INSTALLED_BIN"

# 4. The walking-skeleton journey, driving the installed binary.
journey=(env QAR_APP_BIN="$INSTALLED_BIN" npm --prefix "$ROOT/tests/e2e" test --silent -- walking-skeleton.test.mjs)
if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
  "${journey[@]}"
else
  WEBKIT_DISABLE_DMABUF_RENDERER=1 xvfb-run -a -s '-screen 0 1400x1000x24' "${journey[@]}"
fi

# 5. Removal leaves no binary behind.
trap - EXIT
$sudo env DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq "$PACKAGE" >/dev/null
[ ! -e "$INSTALLED_BIN" ] || fail "$INSTALLED_BIN is still there after apt-get remove"
echo "Removed $PACKAGE: the installed app ran the walking-skeleton journey"
