// Issue 9 in the real app with a real qar-server on loopback: the hub coordinator opens the
// Hub desk, finds a school of her hub, sets the visit days and the team, and schedules a
// review, then moves its visit days; the reviewer's laptop then receives it with the moved
// days. Screens are checked with axe-core.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { join } from 'node:path';
import { DEMO, DEMO_PASSWORD } from '../../scripts/totp.mjs';
import { appDataDir, ARTIFACTS, axeCheck, openApp, removeDir, setPickerValue, setText, signIn, startDriver, startServer } from './harness.mjs';

const SCHOOL = 'Heron Vale Academy';
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A Tuesday at least `days` days from now (visit days cannot be scheduled or moved into the
 *  past), as the date input takes it and as the review list shows it. */
function tuesdayAhead(days) {
  const d = new Date();
  d.setUTCHours(0, 0, 0, 0);
  d.setUTCDate(d.getUTCDate() + days + ((9 - d.getUTCDay()) % 7));
  // Not a demo review's start date, so the rows that show it are this review's alone.
  while (['2026-11-24', '2027-01-19', '2027-03-09'].includes(d.toISOString().slice(0, 10))) d.setUTCDate(d.getUTCDate() + 7);
  return { iso: d.toISOString().slice(0, 10), shown: `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}` };
}

const cleanup = [];
after(async () => {
  for (const f of cleanup.reverse()) await f().catch(() => {});
});

async function click(b, sel) {
  const el = await b.$(sel);
  await el.waitForClickable({ timeout: 15_000 });
  await el.click();
}

async function look(b, name) {
  await b.saveScreenshot(join(ARTIFACTS, `scheduling-${name}.png`));
  const serious = await axeCheck(b, `scheduling-${name}`);
  assert.deepEqual(serious, [], `axe found serious or critical problems on ${name}: ${JSON.stringify(serious, null, 2)}`);
}

function laptop(server) {
  const dataDir = appDataDir();
  cleanup.push(async () => removeDir(dataDir));
  let driver;
  let browser;
  return {
    async open() {
      // No OS keychain under Xvfb: the store key comes from a passphrase, as automation does.
      driver = await startDriver({ QAR_DATA_DIR: dataDir, QAR_SERVER_URL: server.url, QAR_SYNC_RETRY_MAX_MS: '1500', QAR_STORE_PASSPHRASE: 'e2e-store-passphrase-1' });
      browser = await openApp(driver);
      return browser;
    },
    async close() {
      await browser?.deleteSession().catch(() => {});
      await driver?.stop();
      browser = undefined;
    },
  };
}

async function heronRows(b) {
  return (await b.$$(`[data-testid="review-row"]*=${SCHOOL}`)).length;
}

test('the coordinator schedules a review in the app and it reaches the reviewer', { timeout: 400_000 }, async () => {
  const server = await startServer();
  cleanup.push(() => server.stop());
  const reviewer = laptop(server);
  const hub = laptop(server);
  cleanup.push(() => reviewer.close(), () => hub.close());

  // The reviewer's laptop first: the demo has one Heron Vale review on it.
  let b = await reviewer.open();
  await signIn(b, server.url, DEMO.reviewer, DEMO_PASSWORD);
  await (await b.$(`[data-testid="review-row"]*=${SCHOOL}`)).waitForDisplayed({ timeout: 20_000 });
  const before = await heronRows(b);
  await reviewer.close();

  // The coordinator schedules.
  b = await hub.open();
  await signIn(b, server.url, DEMO.coordinator, DEMO_PASSWORD);
  await click(b, '[data-testid="hub-link"]');
  await (await b.$('h1=Hub desk')).waitForDisplayed({ timeout: 15_000 });
  await (await b.$('[data-testid="hub-review-row"]')).waitForDisplayed({ timeout: 20_000 });
  await setText(b, '[data-testid="school-search"]', 'Heron');
  await click(b, '[data-testid="school-search-go"]');
  await click(b, '[data-testid="school-option"]');
  const scheduled = tuesdayAhead(14);
  await setPickerValue(b, '[data-testid="first-day"]', scheduled.iso);
  await (await b.$('[data-testid="visit-days"]')).waitForDisplayed({ timeout: 5_000 });
  await (await b.$('[data-testid="lead-select"]')).selectByAttribute('value', 'user-anika-marsh');
  await click(b, '[data-testid="reviewer-user-owen-pritchard"]');
  await look(b, 'form');
  await click(b, '[data-testid="schedule-submit"]');
  const ok = await b.$('[data-testid="scheduled-ok"]');
  await ok.waitForDisplayed({ timeout: 20_000 });
  assert.match(await ok.getText(), /Scheduled: Heron Vale Academy/);
  // The overview lists it, scheduled, with its report due date.
  await b.waitUntil(async () => (await b.$$('[data-testid="hub-review-row"]*=Heron Vale')).length >= 1, { timeout: 15_000 });
  await look(b, 'overview');

  // She moves the new review's visit: a new first day suggests the next two school days.
  const moved = tuesdayAhead(28);
  const row = await b.$(`[data-testid="hub-review-row"]*=${scheduled.shown}`);
  await (await row.$('[data-testid="change-visit"]')).click();
  await (await b.$('[data-testid="visit-dialog"]')).waitForDisplayed({ timeout: 10_000 });
  await setPickerValue(b, '[data-testid="visit-day-1"]', moved.iso);
  await look(b, 'visit-dialog');
  await click(b, '[data-testid="visit-save"]');
  const said = await b.$('[data-testid="team-message"]');
  await said.waitForDisplayed({ timeout: 20_000 });
  assert.match(await said.getText(), /Visit days of Heron Vale Academy moved to/);
  await b.waitUntil(async () => (await b.$$(`[data-testid="hub-review-row"]*=${moved.shown}`)).length === 1, { timeout: 15_000, timeoutMsg: 'the overview never showed the moved days' });
  await hub.close();

  // The reviewer's laptop receives it, with the moved days, on its next sync.
  b = await reviewer.open();
  await (await b.$(`[data-testid="review-row"]*=${SCHOOL}`)).waitForDisplayed({ timeout: 20_000 });
  await click(b, '[data-testid="sync-now"]');
  await b.waitUntil(async () => (await heronRows(b)) === before + 1, { timeout: 30_000, timeoutMsg: 'the scheduled review never reached the reviewer' });
  await b.waitUntil(async () => (await b.$$(`[data-testid="review-row"]*=${moved.shown}`)).length === 1, { timeout: 30_000, timeoutMsg: 'the moved visit days never reached the reviewer' });
});
