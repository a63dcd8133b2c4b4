// Starts the real pieces for an end-to-end run: a qar-server on a free loopback port, and
// tauri-driver (which drives WebKitWebDriver, which starts the real app binary).
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { remote } from 'webdriverio';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const ARTIFACTS = join(ROOT, 'test-artifacts');
const TARGET = process.env.CARGO_TARGET_DIR ?? join(ROOT, 'target');
export const APP_BIN = process.env.QAR_APP_BIN ?? join(TARGET, 'debug', 'qar-field');
export const SERVER_BIN = process.env.QAR_SERVER_BIN ?? join(TARGET, 'debug', 'qar-server');

mkdirSync(ARTIFACTS, { recursive: true });

export async function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

async function waitFor(url, what, timeoutMs = 20_000) {
  const until = Date.now() + timeoutMs;
  let last;
  while (Date.now() < until) {
    try {
      const r = await fetch(url);
      if (r.ok) return;
      last = `HTTP ${r.status}`;
    } catch (e) {
      last = e.cause?.code ?? e.message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not come up at ${url} within ${timeoutMs} ms (${last})`);
}

export function start(cmd, args, env, name) {
  // Its own process group, so stopping it also reaches what it started (tauri-driver starts
  // WebKitWebDriver, which starts the app): a leftover app would keep this test file's pipes
  // open and the run would wait for ever.
  const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  // Only the last few megabytes are kept: a child that floods its output (once, a run's test
  // process ran out of memory holding a driver's log) must not take the test run down with it.
  const KEEP = 4 * 1024 * 1024;
  let log = [];
  let size = 0;
  let dropped = 0;
  const keep = (text) => {
    log.push(text);
    size += text.length;
    while (size > KEEP && log.length > 1) {
      const gone = log.shift();
      size -= gone.length;
      dropped += gone.length;
    }
  };
  child.stdout.on('data', (d) => keep(d.toString()));
  child.stderr.on('data', (d) => keep(d.toString()));
  child.on('error', (e) => keep(`${name} failed to start: ${e.message}`));
  child.log = () => (dropped > 0 ? `[${dropped} earlier characters of ${name}'s output left out]\n` : '') + log.join('');
  return child;
}

export async function stop(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  // Whatever it started and left running (an app whose window never closed) goes too.
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // The group is already empty.
  }
}

/** A qar-server with demo data in its own temp folder; `history` adds three years of invented
 *  issued reviews (`--demo-history`: the register, the insights and last year's reviews). */
export async function startServer({ port, dataDir, history = false } = {}) {
  port ??= await freePort();
  dataDir ??= mkdtempSync(join(tmpdir(), 'qar-e2e-server-'));
  const args = ['--data-dir', dataDir, '--listen', `127.0.0.1:${port}`, '--demo', ...(history ? ['--demo-history'] : [])];
  const child = start(SERVER_BIN, args, {}, 'qar-server');
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${url}/v1/health`, 'qar-server');
  return { url, port, dataDir, stop: () => stop(child), log: child.log };
}

/** tauri-driver on free ports; the app it launches inherits `appEnv`. */
export async function startDriver(appEnv) {
  const port = await freePort();
  const nativePort = await freePort();
  // Without this WebKitGTK under Xvfb keeps showing its first frame in screenshots. The app's
  // log goes beside the screenshots (kept when CI fails), not into the home folder.
  const env = { WEBKIT_DISABLE_DMABUF_RENDERER: '1', QAR_LOG_DIR: join(ARTIFACTS, 'app-logs'), ...appEnv };
  const child = start('tauri-driver', ['--port', String(port), '--native-port', String(nativePort)], env, 'tauri-driver');
  await waitFor(`http://127.0.0.1:${port}/status`, 'tauri-driver');
  return { port, stop: () => stop(child), log: child.log };
}

/** A WebDriver session: starts the app in a real webview window. */
export async function openApp(driver) {
  return remote({
    hostname: '127.0.0.1',
    port: driver.port,
    logLevel: 'warn',
    connectionRetryCount: 0,
    capabilities: {
      'tauri:options': { application: APP_BIN },
      'wdio:enforceWebDriverClassic': true,
    },
  });
}

/** A fresh temp folder for the app's local store. */
export function appDataDir() {
  return mkdtempSync(join(tmpdir(), 'qar-e2e-app-'));
}

export function removeDir(dir) {
  rmSync(dir, { recursive: true, force: true });
}

/** Sets a date or datetime input the way a user's picker would (typing into them varies by engine). */
export async function setPickerValue(browser, selector, value) {
  const el = await browser.$(selector);
  await el.waitForExist();
  await browser.execute(
    (node, v) => {
      node.value = v;
      node.dispatchEvent(new Event('input', { bubbles: true }));
      node.dispatchEvent(new Event('change', { bubbles: true }));
    },
    el,
    value,
  );
}

/** Signs in on the app's sign-in screen as a person would, with their authenticator's code now. */
export async function signIn(browser, serverUrl, account, password) {
  const { totpCode } = await import('../../scripts/totp.mjs');
  await (await browser.$('#email')).waitForDisplayed({ timeout: 20_000 });
  await setText(browser, '#server-url', serverUrl);
  await setText(browser, '#email', account.email);
  await setText(browser, '#password', password);
  await setText(browser, '#totp-code', totpCode(account.secret));
  await (await browser.$('[data-testid="sign-in"]')).click();
  // Either the app moves on, or it says why not: report the app's own words.
  await browser.waitUntil(
    async () =>
      (await (await browser.$('[data-testid="session-menu"]')).isDisplayed().catch(() => false)) ||
      (await (await browser.$('[data-testid="sign-in-error"]')).isDisplayed().catch(() => false)),
    { timeout: 20_000, timeoutMsg: 'sign-in neither finished nor showed an error' },
  );
  const error = await browser.$('[data-testid="sign-in-error"]');
  if (await error.isDisplayed().catch(() => false)) {
    await browser.saveScreenshot(join(ARTIFACTS, 'sign-in-failed.png'));
    throw new Error(`sign-in refused: ${await error.getText()}`);
  }
}

/**
 * Replaces an input's or textarea's text and fires the input event, as typing would (WebKit's
 * clear() fires none). Checks the field holds exactly the text afterwards: a value the app
 * fills in late (a prefilled address) must not end up concatenated with ours.
 */
export async function setText(browser, selector, value) {
  const el = await browser.$(selector);
  await el.waitForDisplayed();
  await browser.waitUntil(
    async () => {
      await browser.execute(
        (node, v) => {
          node.focus();
          node.value = v;
          node.dispatchEvent(new Event('input', { bubbles: true }));
        },
        el,
        value,
      );
      await new Promise((r) => setTimeout(r, 50));
      return (await el.getValue()) === value;
    },
    { timeout: 5_000, timeoutMsg: `${selector} would not hold the text` },
  );
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * Runs axe-core on the current screen. Returns the serious and critical violations (the ones
 * the issue forbids) and writes every finding to test-artifacts/axe-<name>.json for review.
 */
export async function axeCheck(browser, name) {
  await browser.execute(AXE_SOURCE);
  const violations = await browser.executeAsync((done) => {
    // eslint-disable-next-line no-undef
    axe.run(document, { resultTypes: ['violations'] }).then(
      (r) => done(r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) }))),
      (e) => done([{ id: 'axe-error', impact: 'critical', help: String(e), nodes: [] }]),
    );
  });
  writeFileSync(join(ARTIFACTS, `axe-${name}.json`), JSON.stringify(violations, null, 2));
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
