// Issue 9, the invited person's side, in the real app with a real qar-server on loopback: the
// administrator invites Ravi (through the HTTP API, for speed); on the sign-in screen Ravi uses
// "I have an invitation code", chooses a password, reads the key off the screen into an
// "authenticator" (scripts/totp.mjs), confirms with its code, and signs in to My reviews.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { join } from 'node:path';
import { DEMO, DEMO_PASSWORD, totpCode } from '../../scripts/totp.mjs';
import { appDataDir, ARTIFACTS, axeCheck, openApp, removeDir, setText, startDriver, startServer } from './harness.mjs';

const RAVI = { email: 'ravi.castellano@example.org', name: 'Ravi Castellano' };
const PASSWORD = 'kestrel lantern meadow 42';

let server, driver, dataDir;

before(async () => {
  server = await startServer();
  dataDir = appDataDir();
  // No OS keychain under Xvfb: the store key comes from a passphrase, as automation does.
  driver = await startDriver({ QAR_DATA_DIR: dataDir, QAR_SERVER_URL: server.url, QAR_STORE_PASSPHRASE: 'e2e-store-passphrase-1' });
});

after(async () => {
  await driver?.stop();
  await server?.stop();
  if (dataDir) removeDir(dataDir);
});

async function post(path, body, token) {
  const headers = { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) };
  const r = await fetch(`${server.url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
  const json = await r.json();
  assert.ok(r.ok, `${path}: HTTP ${r.status} ${JSON.stringify(json)}`);
  return json;
}

/** The administrator signs in and invites Ravi; the one-time code is in this answer only. */
async function invite() {
  const login = await post('/v1/auth/login', {
    email: DEMO.admin.email,
    password: DEMO_PASSWORD,
    totp_code: totpCode(DEMO.admin.secret),
    device_id: randomUUID(),
    device_name: 'e2e administrator',
  });
  const issued = await post('/v1/invitations', { email: RAVI.email, name: RAVI.name, role: { role: 'reviewer' } }, login.token);
  return issued.code;
}

async function click(b, sel) {
  const el = await b.$(sel);
  await el.waitForClickable({ timeout: 15_000 });
  await el.click();
}

/** axe on the screen shown; with `shot`, a screenshot of it too. */
async function look(b, name, shot = true) {
  const serious = await axeCheck(b, `invitation-${name}`);
  if (shot) await b.saveScreenshot(join(ARTIFACTS, `invitation-${name}.png`));
  assert.deepEqual(serious, [], `axe found serious or critical problems on ${name}: ${JSON.stringify(serious, null, 2)}`);
}

/** The inline refusal, once the app shows one. */
async function refusal(b) {
  const error = await b.$('[data-testid="invite-error"]');
  await error.waitForDisplayed({ timeout: 20_000 });
  return { code: await error.getAttribute('data-code'), text: await error.getText() };
}

test('an invited person sets a password, sets up the authenticator, confirms and signs in', { timeout: 240_000 }, async () => {
  const code = await invite();
  const b = await openApp(driver);
  try {
    await (await b.$('#email')).waitForDisplayed({ timeout: 30_000 });
    await click(b, '[data-testid="have-invitation"]');
    await (await b.$('h1=Accept your invitation')).waitForDisplayed({ timeout: 10_000 });
    await setText(b, '#invite-server-url', server.url);
    await setText(b, '#new-password', PASSWORD);
    await setText(b, '#new-password-again', PASSWORD);

    // A mistyped code: the server's refusal is shown next to the form, and nothing is used up.
    await setText(b, '#invite-code', 'aaaaa-bbbbb-ccccc-ddddd');
    await click(b, '[data-testid="invite-redeem"]');
    const wrong = await refusal(b);
    assert.equal(wrong.code, 'unknown_code');
    assert.match(wrong.text, /not recognised/);
    await look(b, 'redeem-refused');

    await setText(b, '#invite-code', code);
    await click(b, '[data-testid="invite-redeem"]');
    const secretEl = await b.$('[data-testid="invite-secret"]');
    await secretEl.waitForDisplayed({ timeout: 20_000 });
    assert.equal(await (await b.$('[data-testid="invite-email"]')).getText(), RAVI.email);
    assert.ok(await (await b.$('[data-testid="invite-qr"] svg')).isExisting(), 'the QR code is drawn');
    await look(b, 'authenticator');
    // The person types the key shown into their authenticator app; here scripts/totp.mjs is it.
    const secret = (await secretEl.getText()).replace(/\s+/g, '');
    assert.match(secret, /^[A-Z2-7]{16,}$/);

    await setText(b, '#invite-totp', '000000' === totpCode(secret) ? '111111' : '000000');
    await click(b, '[data-testid="invite-confirm"]');
    assert.equal((await refusal(b)).code, 'invalid_totp');
    await setText(b, '#invite-totp', totpCode(secret));
    await click(b, '[data-testid="invite-confirm"]');
    const done = await b.$('[data-testid="invite-done"]');
    await done.waitForDisplayed({ timeout: 20_000 });
    assert.match(await done.getText(), /Welcome, Ravi Castellano/);
    // No screenshot here: WebKitWebDriver's screenshot of this short screen hung under Xvfb in
    // two of three runs (never answered); axe still checks it.
    await look(b, 'ready', false);

    // Back to sign-in, with the email filled in. The code that confirmed cannot be replayed:
    // the authenticator's next one signs in (the server accepts one step either side).
    await click(b, '[data-testid="invite-to-sign-in"]');
    await (await b.$('#password')).waitForDisplayed({ timeout: 10_000 });
    assert.equal(await (await b.$('#email')).getValue(), RAVI.email);
    await setText(b, '#password', PASSWORD);
    await setText(b, '#totp-code', totpCode(secret, Date.now() + 30_000));
    await click(b, '[data-testid="sign-in"]');
    await (await b.$('[data-testid="session-menu"]')).waitForDisplayed({ timeout: 20_000 });
    assert.match(await (await b.$('[data-testid="session-menu"]')).getText(), /Ravi Castellano/);
    await (await b.$('a=My reviews')).waitForDisplayed({ timeout: 10_000 });
    await (await b.$('h1=Reviews')).waitForDisplayed({ timeout: 10_000 });
    await b.saveScreenshot(join(ARTIFACTS, 'invitation-signed-in.png'));
  } catch (e) {
    await b.saveScreenshot(join(ARTIFACTS, 'invitation-failed.png')).catch(() => {});
    throw e;
  } finally {
    await b.deleteSession().catch(() => {});
  }
});
