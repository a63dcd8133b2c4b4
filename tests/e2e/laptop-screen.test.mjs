// The Lead Reviewer on a 13-inch laptop (issue 18), through the real webview at 1280x720:
// every primary action of the evidence screen within one screen, words typed 50 ms before the
// window closes still there after a restart, a 25,000-character paste held at the box with
// nothing lost, spell-checking (British English) marking a misspelt word, British dates on a
// US-configured machine (LANG=en_US.UTF-8), the evidence behind each estimate, and the visit
// plan with a note started from it.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { join } from 'node:path';
import { DEMO, DEMO_PASSWORD } from '../../scripts/totp.mjs';
import { appDataDir, ARTIFACTS, axeCheck, openApp, removeDir, setText, signIn, startDriver, startServer } from './harness.mjs';
import { decodePng, redPixels } from './png.mjs';

const SCHOOL = 'Kestrel Brook Primary School';
const NOTES_LIMIT = 20_000;

const cleanup = [];
after(async () => {
  for (const f of cleanup.reverse()) await f().catch(() => {});
});

async function click(b, sel) {
  const el = await b.$(sel);
  await el.waitForClickable({ timeout: 15_000 });
  await el.click();
}

async function openEvidence(b) {
  const row = await b.$(`[data-testid="review-row"]*=${SCHOOL}`);
  await row.waitForDisplayed({ timeout: 20_000 });
  await (await row.$('a')).click();
  await click(b, '[data-testid="tab-evidence"]');
  await (await b.$('#evidence-notes')).waitForDisplayed({ timeout: 10_000 });
}

/** Where an element is on screen, from the webview itself (no scrolling first). */
async function box(b, sel) {
  return b.execute((s) => {
    const el = document.querySelector(s);
    if (!el) return null;
    const r = el.getBoundingClientRect();
    return { top: r.top, bottom: r.bottom, left: r.left, right: r.right, viewport: { width: innerWidth, height: innerHeight } };
  }, sel);
}

async function assertOnFirstScreen(b, sel, what) {
  const r = await box(b, sel);
  assert.ok(r, `${what} (${sel}) is on the screen`);
  assert.ok(r.top >= 0 && r.bottom <= r.viewport.height, `${what} is within one screen: ${JSON.stringify(r)}`);
  assert.ok(r.left >= 0 && r.right <= r.viewport.width, `${what} fits the width: ${JSON.stringify(r)}`);
}

async function savedState(b) {
  await b.waitUntil(async () => /^Saved/.test(await (await b.$('[data-testid="save-state"]')).getText()), {
    timeout: 10_000,
    timeoutMsg: 'the note never said Saved',
  });
}

/** The app on one data folder; `open()` (re)starts it. */
function laptop(server) {
  const dataDir = appDataDir();
  cleanup.push(async () => removeDir(dataDir));
  let driver;
  let browser;
  return {
    async open() {
      // A US-configured laptop: dates must still read day first.
      driver = await startDriver({ QAR_DATA_DIR: dataDir, QAR_SERVER_URL: server.url, QAR_STORE_PASSPHRASE: 'e2e laptop screen passphrase', LANG: 'en_US.UTF-8' });
      browser = await openApp(driver);
      await browser.setWindowSize(1280, 720);
      return browser;
    },
    async close() {
      await browser?.deleteSession().catch(() => {});
      await driver?.stop();
      browser = undefined;
    },
  };
}

test('a 13-inch laptop: one screen, no lost words, spell-checked', { timeout: 600_000 }, async () => {
  const server = await startServer();
  cleanup.push(() => server.stop());
  const lead = laptop(server);
  cleanup.push(() => lead.close());

  // ---- Sign in is reachable on a 720 px screen.
  let b = await lead.open();
  await (await b.$('#email')).waitForDisplayed({ timeout: 20_000 });
  await assertOnFirstScreen(b, '[data-testid="sign-in"]', 'Sign in');
  await signIn(b, server.url, DEMO.lead, DEMO_PASSWORD);
  await openEvidence(b);

  // ---- Every primary action of the evidence screen within the first screen.
  await b.execute(() => document.querySelector('.scroller')?.scrollTo(0, 0));
  await assertOnFirstScreen(b, '[data-testid="new-note"]', 'New note');
  await assertOnFirstScreen(b, '#evidence-notes', 'the Notes box');
  await assertOnFirstScreen(b, '[data-testid="save-evidence"]', 'Save note');
  await assertOnFirstScreen(b, '#evidence-title', 'the evidence list');
  await assertOnFirstScreen(b, '[data-testid="evidence-item"]', 'the first listed note');
  // A new note puts the cursor in Notes, where the writing goes.
  await click(b, '[data-testid="new-note"]');
  await b.waitUntil(async () => b.execute(() => document.activeElement?.id === 'evidence-notes'), {
    timeout: 5_000,
    timeoutMsg: 'a new note did not put the cursor in Notes',
  });
  await b.saveScreenshot(join(ARTIFACTS, 'laptop-1280x720-evidence.png'));
  assert.deepEqual(await axeCheck(b, 'laptop-evidence'), []);

  // ---- Opening a listed note keeps the reader's place in the list.
  const last = '[data-testid="evidence-item"]:last-child';
  await b.execute((s) => document.querySelector(s).scrollIntoView({ block: 'center' }), last);
  const listTop = (await box(b, last)).top;
  await click(b, `${last} .open`);
  await (await b.$('h2=Editing note')).waitForDisplayed({ timeout: 5_000 });
  const listTopAfter = (await box(b, last)).top;
  assert.ok(Math.abs(listTopAfter - listTop) < 4, `the list stayed where it was (${listTop} → ${listTopAfter})`);
  await click(b, '[data-testid="new-note"]');

  // ---- Spell-checking, British English: a misspelling gets the red marker, the right words none.
  const notes = await b.$('#evidence-notes');
  const marker = async (words) => {
    await setText(b, '#evidence-notes', '');
    // Inserted as typing inserts (an editing command), which is what the spell-checker looks at.
    await b.execute((text) => {
      document.querySelector('#evidence-notes').focus();
      document.execCommand('insertText', false, text);
    }, words);
    await b.pause(800);
    return redPixels(decodePng(Buffer.from(await b.takeElementScreenshot(notes.elementId), 'base64')));
  };
  const wrong = await marker('The teecher explaned the task; pupils recieved ');
  await b.saveScreenshot(join(ARTIFACTS, 'laptop-spelling.png'));
  const right = await marker('The teacher explained the colour of the centre ');
  assert.ok(wrong > 10, `a misspelt word is marked (${wrong} red pixels)`);
  assert.equal(right, 0, 'British spellings (colour, centre) are not marked');
  await setText(b, '#evidence-notes', '');

  // ---- British dates under a US locale: the time a note gets by itself, and one typed day first.
  await click(b, '[data-testid="new-note"]');
  await setText(b, '#evidence-notes', 'Y2 reading with the phonics lead.');
  await b.waitUntil(async () => /^\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}$/.test(await (await b.$('#started-at')).getValue()), {
    timeout: 5_000,
    timeoutMsg: 'a new note did not get the current time, written day first',
  });
  await setText(b, '#started-at', '5/1/2027 09:30');
  assert.equal(await (await b.$('#started-at-read-as')).getText(), 'Tue 5 Jan, 09:30', '5/1/2027 is the fifth of January');
  await savedState(b);
  await click(b, '[data-testid="save-evidence"]');
  await (await b.$('[data-testid="evidence-item"]*=Tue 5 Jan, 09:30')).waitForDisplayed({ timeout: 5_000 });

  // ---- A 25,000-character paste: held at the box, with the count in view, nothing lost.
  await click(b, '[data-testid="new-note"]');
  const pasted = 'Lesson observation notes, long. '.repeat(782).slice(0, 25_000);
  await notes.click();
  await b.execute((text) => document.execCommand('insertText', false, text), pasted);
  const count = await b.$('[data-testid="notes-count"]');
  await count.waitForDisplayed({ timeout: 5_000 });
  assert.match(await count.getText(), /25,000 characters: 5,000 over the 20,000 limit/);
  await assertOnFirstScreen(b, '[data-testid="notes-count"]', 'the character count');
  const gap = (await box(b, '[data-testid="notes-count"]')).top - (await box(b, '#evidence-notes')).bottom;
  assert.ok(gap >= 0 && gap < 24, `the count sits right under the box (${gap} px)`);
  assert.equal((await notes.getValue()).length, 25_000, 'the box holds everything pasted');
  await b.saveScreenshot(join(ARTIFACTS, 'laptop-too-long.png'));
  assert.deepEqual(await axeCheck(b, 'laptop-too-long'), []);
  // Another tab would take the text off screen: the app asks, and staying keeps it.
  await click(b, '[data-testid="tab-estimates"]');
  await b.waitUntil(async () => (await b.getAlertText().catch(() => null)) !== null, { timeout: 5_000, timeoutMsg: 'no question before leaving' });
  assert.match(await b.getAlertText(), /lose that text/);
  await b.dismissAlert();
  assert.equal((await notes.getValue()).length, 25_000, 'staying keeps every character');
  // Shortened to the limit, it saves.
  await setText(b, '#evidence-notes', pasted.slice(0, NOTES_LIMIT));
  await savedState(b);
  await click(b, '[data-testid="save-evidence"]');

  // ---- Estimates: what each rests on, and the untagged notes tagged with one key.
  await click(b, '[data-testid="tab-estimates"]');
  const counts = await b.$('[data-testid="evidence-counts"]');
  await counts.waitForDisplayed({ timeout: 10_000 });
  assert.match(await counts.getText(), /By activity[\s\S]*By reviewer[\s\S]*with strengths/);
  const untaggedRows = async () => (await b.$$('[data-testid="untagged-note"]')).length;
  const before = await untaggedRows();
  assert.ok(before >= 3, `the notes written here, with no area, are flagged (${before})`);
  await b.execute(() => document.querySelector('[data-testid="untagged-note"]').focus());
  await b.keys(['1']);
  await b.waitUntil(async () => (await untaggedRows()) === before - 1, { timeout: 5_000, timeoutMsg: 'the "1" key did not tag the note' });
  await b.execute(() => document.querySelector('.scroller')?.scrollTo(0, 0));
  await b.saveScreenshot(join(ARTIFACTS, 'laptop-1280x720-estimates.png'));
  assert.deepEqual(await axeCheck(b, 'laptop-estimates'), []);

  // ---- The visit plan: an activity planned on a visit day, and a note started from it.
  await click(b, '[data-testid="tab-plan"]');
  await click(b, '[data-testid="plan-add"]');
  await setText(b, '[data-testid="plan-starts"]', '10.45');
  await setText(b, '[data-testid="plan-ends"]', '11:30');
  await (await b.$('[data-testid="plan-activity"]')).selectByAttribute('value', 'work_scrutiny');
  await setText(b, '[data-testid="plan-year"]', 'Year 6');
  await setText(b, '[data-testid="plan-subject"]', 'english');
  await setText(b, '[data-testid="plan-focus"]', 'Feedback in books for disadvantaged pupils');
  await click(b, '[data-testid="plan-save"]');
  const planned = await b.$('[data-testid="plan-item"]*=10:45–11:30');
  await planned.waitForDisplayed({ timeout: 10_000 });
  assert.match(await planned.getText(), /Y6 English/, 'year group and subject are written the one way');
  await b.execute(() => document.querySelector('.scroller')?.scrollTo(0, 0));
  await b.saveScreenshot(join(ARTIFACTS, 'laptop-1280x720-plan.png'));
  assert.deepEqual(await axeCheck(b, 'laptop-plan'), []);
  await click(b, '[data-testid="plan-item"] [data-testid="plan-start-note"]');
  await (await b.$('#evidence-notes')).waitForDisplayed({ timeout: 10_000 });
  await b.waitUntil(async () => (await (await b.$('#activity-type')).getValue()) === 'work_scrutiny', {
    timeout: 5_000,
    timeoutMsg: 'the note did not start with the planned activity',
  });
  assert.equal(await (await b.$('#year-group')).getValue(), 'Y6');
  assert.equal(await (await b.$('#subject')).getValue(), 'English');
  await setText(b, '#evidence-notes', 'Books show pupils acting on feedback.');
  await savedState(b);
  await click(b, '[data-testid="save-evidence"]');
  await (await b.$('[data-testid="evidence-item"]*=Books show pupils acting on feedback.')).waitForDisplayed({ timeout: 5_000 });

  // ---- Close the window 50 ms after typing; after a restart the words are there.
  const closingWords = 'Words typed just before closing: pupils explained equivalent fractions';
  await click(b, '[data-testid="new-note"]');
  await b.execute((text) => {
    const field = document.querySelector('#evidence-notes');
    field.value = text;
    field.dispatchEvent(new Event('input', { bubbles: true }));
    // As the window's close button: Tauri's close asks the app first (CloseRequested).
    setTimeout(() => void window.__TAURI_INTERNALS__.invoke('plugin:window|close', { label: 'main' }), 50);
  }, closingWords);
  // The app flushes, then the window goes and the app ends: the session stops answering.
  await b.waitUntil(async () => (await b.getTitle().then(() => false, () => true)), {
    timeout: 15_000,
    interval: 100,
    timeoutMsg: 'the window did not close',
  });
  await lead.close();

  b = await lead.open();
  await openEvidence(b);
  const item = await b.$(`[data-testid="evidence-item"]*=${closingWords}`);
  await item.waitForDisplayed({ timeout: 10_000 });
  const kept = await b.execute(() => [...document.querySelectorAll('[data-testid="evidence-item"]')].map((li) => li.textContent));
  assert.ok(kept.some((t) => t.includes('Lesson observation notes, long.')), 'the shortened long note is kept too');
  await b.setWindowSize(760, 540);
  await b.pause(300);
  // At the smallest window the box is there to type in: its first lines show above the status bar.
  const small = await box(b, '#evidence-notes');
  const bar = await box(b, '[data-testid="sync-status"]');
  assert.ok(small.top >= 0 && small.top + 60 <= bar.top, `the Notes box shows at 760x540: ${JSON.stringify(small)}, status bar at ${bar.top}`);
  await b.saveScreenshot(join(ARTIFACTS, 'laptop-760x540-evidence.png'));
  assert.deepEqual(await axeCheck(b, 'laptop-evidence-small'), []);
  await lead.close();
});
