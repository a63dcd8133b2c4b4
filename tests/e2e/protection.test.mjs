// Issue 8 through the real webview, on the passphrase path (this machine has no keychain):
// first start sets a passphrase, the store on disk is encrypted, the idle lock hides the screens
// and opens with the passphrase, a restart asks for it, and an administrator's revoke leads to
// exporting the unsent work into an encrypted handover file and wiping the laptop.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DEMO, DEMO_PASSWORD, totpCode } from '../../scripts/totp.mjs';
import { appDataDir, ARTIFACTS, axeCheck, openApp, removeDir, setPickerValue, setText, signIn, startDriver, startServer } from './harness.mjs';

const PASSPHRASE = 'curlew marsh field notes';
const SCHOOL = 'Curlew Marsh Primary School';

let server, dataDir, fileDir;
const drivers = [];

before(async () => {
  server = await startServer();
  dataDir = appDataDir();
  fileDir = mkdtempSync(join(tmpdir(), 'qar-e2e-handover-'));
});

after(async () => {
  for (const [i, d] of drivers.entries()) writeFileSync(join(ARTIFACTS, `e2e-protect-driver-${i}.log`), d.log());
  for (const d of drivers) await d.stop();
  await server?.stop();
  if (dataDir) removeDir(dataDir);
  if (fileDir) removeDir(fileDir);
});

/** One start of the app over the same data folder. */
async function launch(env = {}) {
  const driver = await startDriver({ QAR_DATA_DIR: dataDir, QAR_SERVER_URL: server.url, QAR_SYNC_RETRY_MAX_MS: '1500', ...env });
  drivers.push(driver);
  return { driver, browser: await openApp(driver) };
}

async function click(b, sel) {
  const el = await b.$(sel);
  await el.waitForClickable({ timeout: 20_000 });
  await el.click();
}

async function shown(b, sel, timeout = 20_000) {
  const el = await b.$(sel);
  await el.waitForDisplayed({ timeout });
  return el;
}

async function api(path, { token, body, method } = {}) {
  const r = await fetch(`${server.url}${path}`, {
    method: method ?? (body ? 'POST' : 'GET'),
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await r.json().catch(() => null);
  assert.ok(r.ok, `${path}: HTTP ${r.status} ${JSON.stringify(json)}`);
  return json;
}

test('the store is encrypted, locks when idle, and a revoked laptop exports then wipes', { timeout: 240_000 }, async () => {
  // First start, idle lock shortened so the test can watch it.
  let { driver, browser } = await launch({ QAR_IDLE_LOCK_SECS: '5' });
  try {
    await shown(browser, '[data-testid="unlock-form"][data-state="needs_new_passphrase"]');
    assert.equal(await (await browser.$('h1')).getText(), 'Protect review data on this laptop');
    assert.deepEqual(await axeCheck(browser, 'protect-first-start'), [], 'no serious accessibility problems');
    await setText(browser, '#store-passphrase', 'short');
    await setText(browser, '#store-passphrase-confirm', 'short');
    await click(browser, '[data-testid="unlock"]');
    assert.match(await (await shown(browser, '[data-testid="unlock-error"]')).getText(), /at least 8 characters/);
    await setText(browser, '#store-passphrase', PASSPHRASE);
    await setText(browser, '#store-passphrase-confirm', PASSPHRASE);
    await click(browser, '[data-testid="unlock"]');

    await signIn(browser, server.url, DEMO.reviewer, DEMO_PASSWORD);
    const demoRow = await shown(browser, '[data-testid="review-row"]');
    const store = readFileSync(join(dataDir, 'qar-field.db'));
    assert.notEqual(store.subarray(0, 15).toString('latin1'), 'SQLite format 3', 'the store file is encrypted');
    assert.ok(!store.includes(Buffer.from('Kestrel Brook')), 'no school name readable in the store file');
    assert.ok(existsSync(join(dataDir, 'qar-field.db.key')), 'the passphrase-wrapped key file sits beside the store');

    // Hands off the keyboard: after 5 s the screens are hidden and the lock asks.
    await shown(browser, '[data-testid="idle-lock"]', 20_000);
    assert.equal(await demoRow.isDisplayed(), false, 'review content is hidden while locked');
    await browser.saveScreenshot(join(ARTIFACTS, 'e2e-protect-01-idle-lock.png'));
    await setText(browser, '#idle-secret', 'not the passphrase');
    await click(browser, '[data-testid="idle-unlock"]');
    assert.match(await (await shown(browser, '[data-testid="idle-lock-error"]')).getText(), /not the right one/);
    await setText(browser, '#idle-secret', PASSPHRASE);
    await click(browser, '[data-testid="idle-unlock"]');
    await (await browser.$('[data-testid="idle-lock"]')).waitForDisplayed({ reverse: true, timeout: 10_000 });
    assert.ok(await demoRow.isDisplayed(), 'the screens are back');
  } finally {
    await browser.deleteSession();
    await driver.stop();
  }

  // Second start: the passphrase is asked for; nothing was lost and the person is still signed in.
  ({ driver, browser } = await launch());
  try {
    await shown(browser, '[data-testid="unlock-form"][data-state="needs_passphrase"]');
    await setText(browser, '#store-passphrase', 'curlew marsh field NOTES');
    await click(browser, '[data-testid="unlock"]');
    assert.match(await (await shown(browser, '[data-testid="unlock-error"]')).getText(), /not the right one/);
    await setText(browser, '#store-passphrase', PASSPHRASE);
    await click(browser, '[data-testid="unlock"]');
    await shown(browser, '[data-testid="session-menu"]');
    await browser.waitUntil(async () => (await browser.$$('[data-testid="review-row"]')).length >= 3, { timeout: 20_000, timeoutMsg: 'reviews missing after restart' });

    // An administrator revokes this laptop through the API (as from the admin screen).
    const grant = await api('/v1/auth/login', {
      body: { email: DEMO.admin.email, password: DEMO_PASSWORD, totp_code: totpCode(DEMO.admin.secret), device_id: crypto.randomUUID(), device_name: 'Admin desk' },
    });
    const devices = await api('/v1/devices', { token: grant.token });
    const laptop = devices.find((d) => d.user_email === DEMO.reviewer.email && d.status === 'active');
    assert.ok(laptop, `the reviewer's laptop is listed: ${JSON.stringify(devices)}`);
    await api(`/v1/devices/${laptop.device_id}/revoke`, { token: grant.token, body: { reason: 'reported lost on the train' } });

    // Work done now cannot reach the server: the app finds out at its next sync.
    await click(browser, '[data-testid="new-review"]');
    await setText(browser, '#school-name', SCHOOL);
    await setText(browser, '#school-urn', '990777');
    await setPickerValue(browser, '#start-date', '2027-01-12');
    await click(browser, '[data-testid="create-review"]');

    const revoked = await shown(browser, '[data-testid="revoked"]', 30_000);
    assert.match(await revoked.getText(), /reported lost on the train/);
    await browser.waitUntil(async () => (await revoked.getText()).includes(SCHOOL), { timeout: 10_000, timeoutMsg: 'the unsent review is not listed' });
    assert.equal(await (await browser.$('[data-testid="wipe-laptop"]')).isEnabled(), false, 'no wipe before the unsent work is saved');
    assert.deepEqual(await axeCheck(browser, 'protect-revoked'), [], 'no serious accessibility problems');
    await browser.saveScreenshot(join(ARTIFACTS, 'e2e-protect-02-revoked.png'));

    const handover = join(fileDir, 'curlew-marsh.qarhandover');
    await setText(browser, '[data-testid="handover-export"] input[name="path"]', handover);
    await setText(browser, '[data-testid="handover-export"] input[name="passphrase"]', 'handover passphrase 42');
    await setText(browser, '[data-testid="handover-export"] input[name="confirm"]', 'handover passphrase 42');
    await click(browser, '[data-testid="handover-export-button"]');
    assert.match(await (await shown(browser, '[data-testid="handover-exported"]')).getText(), /Saved \d+ changes? to/);
    assert.ok(statSync(handover).size > 0, 'the handover file was written');
    assert.ok(!readFileSync(handover).includes(Buffer.from(SCHOOL)), 'the handover file is encrypted');

    await click(browser, '[data-testid="wipe-laptop"]');
    await click(browser, '[data-testid="confirm-wipe"]');
    const wiped = await shown(browser, '[data-testid="wiped"]');
    // No screenshot here: WebKitWebDriver's screenshot stalls under Xvfb right after the dialog closes.
    assert.match(await wiped.getText(), /review data and its key are gone/);
    const left = readdirSync(dataDir).filter((f) => f.startsWith('qar-field.db'));
    assert.deepEqual(left, [], 'store, WAL and key file are gone');
  } finally {
    await browser.deleteSession();
    await driver.stop();
  }

  // Third start: a wiped laptop starts afresh.
  ({ driver, browser } = await launch());
  try {
    await shown(browser, '[data-testid="unlock-form"][data-state="needs_new_passphrase"]');
  } finally {
    await browser.deleteSession();
    await driver.stop();
  }
});

test('a forgotten passphrase: start afresh, and the reviews come back after a sign-in', { timeout: 180_000 }, async () => {
  const ownDir = appDataDir();
  // The server takes each TOTP code once: the second sign-in waits for the next 30 s step.
  const totpStep = () => Math.floor(Date.now() / 30_000);
  let usedStep = 0;
  const start = async () => {
    const driver = await startDriver({ QAR_DATA_DIR: ownDir, QAR_SERVER_URL: server.url, QAR_SYNC_RETRY_MAX_MS: '1500' });
    drivers.push(driver);
    return { driver, browser: await openApp(driver) };
  };
  try {
    let { driver, browser } = await start();
    try {
      await shown(browser, '[data-testid="unlock-form"][data-state="needs_new_passphrase"]');
      await setText(browser, '#store-passphrase', PASSPHRASE);
      await setText(browser, '#store-passphrase-confirm', PASSPHRASE);
      await click(browser, '[data-testid="unlock"]');
      // The first test signed this account in moments ago.
      const before = totpStep();
      await browser.waitUntil(async () => totpStep() > before, { timeout: 35_000, interval: 500 });
      await signIn(browser, server.url, DEMO.reviewer, DEMO_PASSWORD);
      usedStep = totpStep();
      await browser.waitUntil(async () => (await browser.$$('[data-testid="review-row"]')).length >= 3, { timeout: 20_000, timeoutMsg: 'reviews did not sync down' });
    } finally {
      await browser.deleteSession();
      await driver.stop();
    }

    // Months later the passphrase is gone from memory.
    ({ driver, browser } = await start());
    try {
      await shown(browser, '[data-testid="unlock-form"][data-state="needs_passphrase"]');
      await click(browser, '[data-testid="passphrase-forgotten"] summary');
      await click(browser, '[data-testid="start-afresh"]');
      assert.deepEqual(await axeCheck(browser, 'protect-start-afresh'), [], 'no serious accessibility problems');
      await browser.saveScreenshot(join(ARTIFACTS, 'e2e-protect-03-start-afresh.png'));
      await click(browser, '[data-testid="start-afresh-confirm"]');

      const notice = await shown(browser, '[data-testid="set-aside-notice"]');
      assert.match(await notice.getText(), /set-aside/);
      await shown(browser, '[data-testid="unlock-form"][data-state="needs_new_passphrase"]');
      const setAside = readdirSync(join(ownDir, 'set-aside'));
      assert.equal(setAside.length, 1, `one set-aside folder: ${setAside}`);
      const kept = readdirSync(join(ownDir, 'set-aside', setAside[0]));
      assert.ok(kept.includes('qar-field.db') && kept.includes('qar-field.db.key'), `the locked store and its key were kept: ${kept}`);

      await setText(browser, '#store-passphrase', 'a new passphrase for spring');
      await setText(browser, '#store-passphrase-confirm', 'a new passphrase for spring');
      await click(browser, '[data-testid="unlock"]');
      await browser.waitUntil(async () => totpStep() > usedStep, { timeout: 35_000, interval: 500 });
      await signIn(browser, server.url, DEMO.reviewer, DEMO_PASSWORD);
      await browser.waitUntil(async () => (await browser.$$('[data-testid="review-row"]')).length >= 3, { timeout: 30_000, timeoutMsg: 'reviews did not come back from the server' });
    } finally {
      await browser.deleteSession();
      await driver.stop();
    }
  } finally {
    removeDir(ownDir);
  }
});
