// Issue 21, invitation links for the AppImage: nothing installs an AppImage, so nothing tells the
// desktop that qarfield:// links belong to QAR Field; the app does it when it starts from one.
// The AppImage runtime mounts the image under <temp>/.mount_<name><hash> and starts the binary
// inside with APPIMAGE (the image file) and APPDIR (the mount point) set; this test lays the real
// binary out the same way, in a throwaway home, and checks what a clicked link would find: a
// handler entry that starts the AppImage file, and the desktop (GLib) naming it the qarfield:// handler.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, linkSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { APP_BIN, removeDir, start, stop } from './harness.mjs';

const HANDLER = 'qar-field-handler.desktop';
let home, mount, app;

/** The binary at usr/bin/qar-field under a folder named as the AppImage runtime names its mount. */
function layOutAppImage() {
  const dir = mkdtempSync(join(tmpdir(), '.mount_QAR_Fi'));
  mkdirSync(join(dir, 'usr', 'bin'), { recursive: true });
  const bin = join(dir, 'usr', 'bin', 'qar-field');
  try {
    linkSync(APP_BIN, bin); // the debug binary is large: a hard link where the file system allows
  } catch {
    copyFileSync(APP_BIN, bin);
    chmodSync(bin, 0o755);
  }
  return { dir, bin };
}

function logText(dir) {
  if (!existsSync(dir)) return '';
  return readdirSync(dir)
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('');
}

before(() => {
  home = mkdtempSync(join(tmpdir(), 'qar-e2e-appimage-home-'));
  mount = layOutAppImage();
});

after(async () => {
  await stop(app);
  if (mount) removeDir(mount.dir);
  if (home) removeDir(home);
});

test('started from an AppImage, the app makes itself the handler of qarfield:// links', { timeout: 120_000 }, async () => {
  const appImageFile = join(home, 'Downloads', 'QAR_Field_amd64.AppImage');
  mkdirSync(join(home, 'Downloads'));
  writeFileSync(appImageFile, '');
  chmodSync(appImageFile, 0o755);
  const logs = join(home, 'logs');
  const env = {
    HOME: home,
    XDG_DATA_HOME: join(home, '.local', 'share'),
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_CACHE_HOME: join(home, '.cache'),
    APPIMAGE: appImageFile,
    APPDIR: mount.dir,
    // Its own data and log folders, and no single-instance bus: only the registration is tested here.
    QAR_DATA_DIR: join(home, 'data'),
    QAR_LOG_DIR: logs,
    QAR_STORE_PASSPHRASE: 'e2e appimage passphrase',
    NO_AT_BRIDGE: '1',
    WEBKIT_DISABLE_DMABUF_RENDERER: '1',
  };
  app = start(mount.bin, [], env, 'qar-field from an AppImage');

  // Registering runs beside start-up; the log says how it went either way.
  const until = Date.now() + 60_000;
  let log = '';
  while (Date.now() < until && !/links registered for this AppImage|could not register qarfield/.test(log)) {
    if (app.exitCode !== null) assert.fail(`the app exited early:\n${app.log()}`);
    await new Promise((r) => setTimeout(r, 200));
    log = logText(logs);
  }
  assert.match(log, /qarfield:\/\/ links registered for this AppImage/, `no registration in the log:\n${log}\n${app.log()}`);

  const entry = readFileSync(join(env.XDG_DATA_HOME, 'applications', HANDLER), 'utf8');
  assert.match(entry, /^MimeType=.*x-scheme-handler\/qarfield/m, entry);
  // The AppImage file, not the binary in the mount, which is gone once the app quits.
  assert.ok(entry.split('\n').includes(`Exec="${appImageFile}" %u`), entry);
  assert.match(entry, /^NoDisplay=true$/m, 'the handler entry must not add a second menu item');

  // What GLib (GTK desktops, Thunderbird, xdg-open under GNOME) answers for a clicked link. It
  // also checks the entry's Exec file exists. (xdg-mime 1.1.3's own query cannot read the
  // mimeapps.list its `default` writes when no desktop is running, so it is not asked.)
  const query = spawnSync('gio', ['mime', 'x-scheme-handler/qarfield'], {
    env: { ...process.env, ...env, LC_ALL: 'C.UTF-8', LANGUAGE: '' },
    encoding: 'utf8',
  });
  assert.equal(query.status, 0, `gio mime failed: ${query.stderr}`);
  const handler = query.stdout.split('\n')[0].split(': ').at(-1).trim();
  assert.equal(handler, HANDLER, `the desktop does not name QAR Field the handler of qarfield:// links: ${query.stdout}`);
});
