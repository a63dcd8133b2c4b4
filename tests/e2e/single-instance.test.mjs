// Issue 21, one app per person: a second start of QAR Field (a clicked invitation link, a second
// click on the menu entry) hands what it was started with to the app already running and exits;
// the running app shows the invitation. tauri-plugin-single-instance does this on Linux through
// a name on the D-Bus session bus, so the app runs here as a person runs it: without QAR_DATA_DIR
// (with it the plugin is off, for automation that runs several apps side by side), in a throwaway
// home folder, and on a private session bus of this test's own (a developer's real QAR Field on
// their real bus must neither be disturbed nor answer in the test's place).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { APP_BIN, ARTIFACTS, openApp, removeDir, start, startDriver, stop } from './harness.mjs';

// The plugin's name on the bus: the app's identifier (tauri.conf.json) and ".SingleInstance".
const BUS_NAME = 'org.qarfield.desktop.SingleInstance';
// An invitation as the server's e-mail writes it (qar_core::invitation_link::invitation_link).
const SERVER = 'https://qar.example.org';
const CODE = 'abcde-fghij-kmnpq-rstuv';
const LINK = `qarfield://invite?server=${encodeURIComponent(SERVER)}&code=${CODE}`;

let bus, driver, home, env;

/** A session bus of our own: `dbus-daemon` prints its address once it listens. */
async function startSessionBus() {
  const child = start('dbus-daemon', ['--session', '--nofork', '--print-address=1'], {}, 'dbus-daemon');
  const until = Date.now() + 10_000;
  while (Date.now() < until) {
    const address = child.log().split('\n').find((l) => l.startsWith('unix:'));
    if (address) return { address: address.trim(), stop: () => stop(child) };
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  await stop(child);
  throw new Error(`dbus-daemon gave no session bus address (is the dbus-daemon package installed?): ${child.log()}`);
}

/** Whether someone owns `name` on the test's bus (the first app, while it runs). */
function nameHasOwner(name) {
  const r = spawnSync(
    'dbus-send',
    ['--session', '--print-reply', '--dest=org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus.NameHasOwner', `string:${name}`],
    { env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: bus.address }, encoding: 'utf8' },
  );
  assert.equal(r.status, 0, `dbus-send failed: ${r.stderr}`);
  return /boolean true/.test(r.stdout);
}

/** Starts the app binary directly, as a click on a link or the menu entry does; resolves when it exits. */
async function secondStart(args, name) {
  const child = start(APP_BIN, args, env, name);
  const exit = await new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), 20_000);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
  if (exit === null) await stop(child);
  return { exit, log: child.log() };
}

/** Today's log file of the first app, in the OS log folder under the throwaway home. */
function firstAppLog() {
  const dir = join(env.XDG_DATA_HOME, 'org.qarfield.desktop', 'logs');
  if (!existsSync(dir)) return '';
  return readdirSync(dir)
    .filter((f) => f.startsWith('qar-field'))
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('');
}

before(async () => {
  bus = await startSessionBus();
  home = mkdtempSync(join(tmpdir(), 'qar-e2e-home-'));
  env = {
    HOME: home,
    XDG_DATA_HOME: join(home, '.local', 'share'),
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_CACHE_HOME: join(home, '.cache'),
    DBUS_SESSION_BUS_ADDRESS: bus.address,
    // Not a person's start otherwise: these would turn the plugin off or move the log.
    QAR_DATA_DIR: undefined,
    QAR_LOG_DIR: undefined,
    // No keychain on the private bus: the store key comes from a passphrase, as automation does.
    QAR_STORE_PASSPHRASE: 'e2e single instance passphrase',
    // GTK would look for the accessibility bus on our bus and wait for it.
    NO_AT_BRIDGE: '1',
    WEBKIT_DISABLE_DMABUF_RENDERER: '1',
  };
  driver = await startDriver(env);
});

after(async () => {
  await driver?.stop();
  await bus?.stop();
  if (home) removeDir(home);
});

test('a second start hands its invitation link to the running app and exits', { timeout: 180_000 }, async () => {
  const b = await openApp(driver);
  try {
    await (await b.$('#email')).waitForDisplayed({ timeout: 30_000 });
    assert.ok(nameHasOwner(BUS_NAME), `the running app holds no ${BUS_NAME} name on the session bus: single-instance is not on`);

    // A click on the invitation e-mail's link starts the app again with the link.
    const started = Date.now();
    const second = await secondStart([LINK], 'second qar-field (link)');
    assert.notEqual(second.exit, null, `the second start did not exit within 20 s:\n${second.log}`);
    assert.deepEqual(second.exit, { code: 0, signal: null }, `the second start did not hand over cleanly:\n${second.log}`);
    const handOverMs = Date.now() - started;

    // The first app still runs, still holds the name, and shows the invitation filled in.
    assert.ok(nameHasOwner(BUS_NAME), 'the first app lost its single-instance name when the second started');
    await (await b.$('h1=Accept your invitation')).waitForDisplayed({ timeout: 15_000 });
    assert.equal(await (await b.$('#invite-server-url')).getValue(), SERVER);
    assert.equal(await (await b.$('#invite-code')).getValue(), CODE);
    await b.saveScreenshot(join(ARTIFACTS, 'single-instance-invitation.png'));

    // Its log (in the OS log folder) says a link arrived, names the server, and keeps the code out.
    const log = firstAppLog();
    assert.match(log, /invitation link received/, `the first app's log does not mention the link:\n${log}`);
    assert.match(log, /qar\.example\.org/);
    assert.ok(!log.includes(CODE), 'the invitation code was written to the log');

    // A plain second start (the menu entry clicked again) also goes to the first app.
    const plain = await secondStart([], 'second qar-field (plain)');
    assert.deepEqual(plain.exit, { code: 0, signal: null }, `a plain second start did not hand over:\n${plain.log}`);
    assert.ok(nameHasOwner(BUS_NAME), 'the first app stopped when a plain second start came');
    assert.equal(await b.getTitle(), 'QAR Field');
    console.log(`second start handed its link over and exited in ${handOverMs} ms`);
  } finally {
    await b.deleteSession().catch(() => undefined);
  }
});
