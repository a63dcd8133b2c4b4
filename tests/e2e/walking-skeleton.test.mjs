// The walking skeleton through the real webview: create a review, add evidence, quit, start
// again, and the evidence is still there; sync reaches a real server; offline is said clearly.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { join } from 'node:path';
import { DEMO, DEMO_PASSWORD } from '../../scripts/totp.mjs';
import { appDataDir, ARTIFACTS, openApp, removeDir, setPickerValue, signIn, startDriver, startServer } from './harness.mjs';

const SCHOOL = 'Wrenfield Community Primary School';
const NOTE = 'Y2 phonics: pupils blended CVCC words accurately; the teacher’s modelling was crisp — “sound buttons” used well.';

let server, driver, dataDir;

before(async () => {
  server = await startServer();
  dataDir = appDataDir();
  driver = await startDriver({ QAR_DATA_DIR: dataDir, QAR_SERVER_URL: server.url, QAR_STORE_PASSPHRASE: 'e2e walking skeleton passphrase' });
});

after(async () => {
  await driver?.stop();
  await server?.stop();
  if (dataDir) removeDir(dataDir);
});

async function text(browser, selector) {
  return (await browser.$(selector)).getText();
}

test('review and evidence survive a restart of the app, and sync with the server', { timeout: 180_000 }, async () => {
  let browser = await openApp(driver);
  try {
    // First start: sign in (a reviewer; a review they set up on their laptop they lead).
    await signIn(browser, server.url, DEMO.reviewer, DEMO_PASSWORD);
    await (await browser.$('h1=Reviews')).waitForDisplayed({ timeout: 20_000 });
    // The app syncs at start: the three demo reviews arrive from the server.
    await browser.waitUntil(async () => (await browser.$$('[data-testid="review-row"]')).length >= 3, {
      timeout: 20_000,
      timeoutMsg: 'demo reviews did not arrive from the server',
    });
    await browser.saveScreenshot(join(ARTIFACTS, 'e2e-01-reviews.png'));

    await (await browser.$('[data-testid="new-review"]')).click();
    await (await browser.$('#school-name')).setValue(SCHOOL);
    await (await browser.$('#school-urn')).setValue('12345');
    await setPickerValue(browser, '#start-date', '2026-12-01');
    await (await browser.$('[data-testid="create-review"]')).click();
    const formError = await browser.$('[data-testid="form-error"]');
    await formError.waitForDisplayed();
    assert.match(await formError.getText(), /six digits/);
    assert.equal(await (await browser.$('#school-name')).getValue(), SCHOOL, 'typed text is kept after an error');

    await (await browser.$('#school-urn')).setValue('990999');
    await (await browser.$('[data-testid="create-review"]')).click();
    const row = await browser.$(`[data-testid="review-row"]*=${SCHOOL}`);
    await row.waitForDisplayed();
    await row.click();

    await (await browser.$('select#activity-type')).selectByAttribute('value', 'joint_lesson_observation');
    await setPickerValue(browser, '#started-at', '2026-12-01T09:20');
    await (await browser.$('#evidence-notes')).setValue(NOTE);
    await (await browser.$('#year-group')).setValue('Y2');
    await (await browser.$('input[name="area-tags"][value="provision_outcomes"]')).click();
    await (await browser.$('[data-testid="save-evidence"]')).click();
    await browser.waitUntil(async () => (await text(browser, '[data-testid="save-state"]')) === 'Saved', {
      timeout: 10_000,
      timeoutMsg: 'the note never showed "Saved"',
    });
    const items = await browser.$$('[data-testid="evidence-item"]');
    assert.equal(items.length, 1);
    assert.match(await items[0].getText(), /sound buttons/);

    // The edit reaches the server by itself (sync soon after an edit).
    await browser.waitUntil(async () => /All changes synced/i.test(await text(browser, '[data-testid="sync-status"]')), {
      timeout: 20_000,
      timeoutMsg: 'changes did not sync to the server',
    });
  } finally {
    await browser.deleteSession();
  }

  // The server goes away; the app restarts from its own SQLite file, still signed in.
  await server.stop();
  browser = await openApp(driver);
  try {
    await (await browser.$('[data-testid="session-menu"]')).waitForDisplayed({ timeout: 20_000 });
    const row = await browser.$(`[data-testid="review-row"]*=${SCHOOL}`);
    await row.waitForDisplayed({ timeout: 20_000 });
    await row.click();
    const item = await browser.$('[data-testid="evidence-item"]');
    await item.waitForDisplayed();
    assert.match(await item.getText(), /sound buttons/);
    assert.match(await item.getText(), /Y2/, 'the year group was saved with the note');

    // Search and filters run in the app's own SQLite (FTS5), offline.
    const search = await browser.$('#evidence-search');
    await search.setValue('buttons');
    const count = async () => (await browser.$$('[data-testid="evidence-item"]')).length;
    await browser.waitUntil(async () => (await count()) === 1, { timeout: 5000, timeoutMsg: 'search for "buttons" did not find the note' });
    await search.setValue('photosynthesis');
    await browser.waitUntil(async () => (await browser.$$('[data-testid="evidence-item"]')).length === 0, {
      timeout: 5000,
      timeoutMsg: 'a search with no match still lists notes',
    });
    await setPickerValue(browser, '#evidence-search', ''); // clearValue() fires no input event in WebKit
    await (await browser.$('#filter-area')).selectByAttribute('value', 'leadership');
    await browser.waitUntil(async () => (await count()) === 0, { timeout: 5000, timeoutMsg: 'the leadership filter still lists the note' });
    await (await browser.$('#filter-area')).selectByAttribute('value', 'provision_outcomes');
    await browser.waitUntil(async () => (await count()) === 1, { timeout: 5000, timeoutMsg: 'the provision filter lost the note' });

    // Offline is said once, in the banner above the work (the status bar does not repeat it).
    const offline = await browser.$('[data-testid="offline-banner"]');
    await offline.waitForDisplayed({ timeout: 20_000 });
    assert.match(await offline.getText(), /Working offline/i);
    assert.equal(await (await browser.$('[data-testid="sync-error"]')).isExisting(), false);
    await browser.saveScreenshot(join(ARTIFACTS, 'e2e-02-evidence-after-restart.png'));
  } finally {
    await browser.deleteSession();
  }
});
