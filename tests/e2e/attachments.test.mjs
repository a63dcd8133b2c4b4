// Photos on notes through the real webview and a real server (issue 19): the Lead Reviewer
// attaches a photo (a synthetic picture of a classroom display drawn here, no real person) to
// a note, sees what the cleaning did, sees the thumbnail, the photo uploads apart from the
// note, the sync panel says so and the laptop is then safe to wipe; a team member's laptop
// then shows the photo (fetched when shown) and opens it in the viewer with the keyboard.
// Before that, the Lead Reviewer agrees the estimates, puts the photo in the report under the
// Area of Excellence with the caption the school will read, sees it in the print preview, and
// exports the report: the PDF holds the picture (`pdfimages -list`, poppler-utils).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { after, test } from 'node:test';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { DEMO, DEMO_PASSWORD } from '../../scripts/totp.mjs';
import { appDataDir, ARTIFACTS, ROOT, axeCheck, openApp, removeDir, setText, signIn, startDriver, startServer } from './harness.mjs';

// The review in its visit, so the Lead Reviewer can go on to the report in the same journey.
const SCHOOL = 'Kestrel Brook Primary School';
const TEMPLATE = JSON.parse(readFileSync(join(ROOT, 'crates/core/templates/report-2019.json'), 'utf8'));
const AREAS = [...new Set(TEMPLATE.sections.map((x) => x.area_code).filter(Boolean))];
const REPORT_CAPTION = 'Pupils choose the books on the reading wall';
const CAPTION = 'Y3 reading display: “Books we love” wall';

const cleanup = [];
after(async () => {
  for (const f of cleanup.reverse()) await f().catch(() => {});
});

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** An 800x600 PNG of coloured "book covers" on a wall: a display, drawn from code. */
function displayPhoto() {
  const width = 800;
  const height = 600;
  const raw = Buffer.alloc(height * (width * 3 + 1));
  const covers = [
    [60, 80, 200, 260, [200, 40, 40]],
    [300, 90, 440, 270, [40, 120, 200]],
    [540, 70, 720, 250, [240, 190, 30]],
    [120, 340, 280, 540, [60, 160, 80]],
    [380, 330, 560, 530, [150, 60, 170]],
  ];
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    raw[row] = 0;
    for (let x = 0; x < width; x++) {
      let colour = [235 - (y >> 3), 225 - (x >> 4), 205];
      for (const [x0, y0, x1, y1, c] of covers) if (x >= x0 && x < x1 && y >= y0 && y < y1) colour = c;
      raw.set(colour, row + 1 + x * 3);
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

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
  // The review already holds the team's notes: this is a new one.
  await click(b, '[data-testid="new-note"]');
  await (await b.$('#evidence-notes')).waitForDisplayed({ timeout: 10_000 });
}

/** The app on its own data folder, signed in as `account`. */
async function laptop(server, account) {
  const dataDir = appDataDir();
  cleanup.push(async () => removeDir(dataDir));
  // Exports go into the data folder's own export folder, removed with it.
  const exportDir = join(dataDir, 'exports');
  const driver = await startDriver({
    QAR_DATA_DIR: dataDir,
    QAR_SERVER_URL: server.url,
    QAR_EXPORT_DIR: exportDir,
    QAR_STORE_PASSPHRASE: 'e2e attachments passphrase',
  });
  cleanup.push(() => driver.stop());
  const b = await openApp(driver);
  cleanup.push(() => b.deleteSession());
  await b.setWindowSize(1280, 800);
  await signIn(b, server.url, account, DEMO_PASSWORD);
  return {
    b,
    exportDir,
    async close() {
      await b.deleteSession().catch(() => {});
      await driver.stop();
    },
  };
}

/** Hands a file to the note's picker as choosing it in the file dialog would. */
async function pickFile(b, name, bytes) {
  const input = await b.$('[data-testid="attach-input"]');
  await input.waitForExist({ timeout: 10_000 });
  await b.execute(
    (node, fileName, base64) => {
      const data = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const transfer = new DataTransfer();
      transfer.items.add(new File([data], fileName, { type: 'image/png' }));
      node.files = transfer.files;
      node.dispatchEvent(new Event('change', { bubbles: true }));
    },
    input,
    name,
    bytes.toString('base64'),
  );
}

test('a photo on a note: cleaned, shown, uploaded apart from the note, seen by the team', { timeout: 600_000 }, async () => {
  const server = await startServer();
  cleanup.push(() => server.stop());

  // ---- The Lead Reviewer writes a note and attaches a photo of a display.
  const lead = await laptop(server, DEMO.lead);
  let b = lead.b;
  await openEvidence(b);
  await (await b.$('#evidence-notes')).setValue('Learning walk, Y3 corridor: reading display celebrates pupils’ own choices.');
  await b.waitUntil(async () => !(await (await b.$('[data-testid="add-attachment"]')).getAttribute('disabled')), {
    timeout: 10_000,
    timeoutMsg: 'the note was never stored, so nothing can be attached to it',
  });
  await pickFile(b, 'IMG_2041.PNG', displayPhoto());

  const dialog = await b.$('[data-testid="attach-dialog"]');
  await dialog.waitForDisplayed({ timeout: 20_000 });
  const found = await b.$('[data-testid="attach-check"]');
  await found.waitForDisplayed({ timeout: 30_000 });
  assert.match(await found.getText(), /Location, camera details and any other hidden information have been removed/);
  assert.match(await found.getText(), /800 × 600 pixels/);
  assert.equal(await (await b.$('[data-testid="face-warning"]')).isExisting(), false, 'a display with no one in it raises no face warning');
  await (await b.$('[data-testid="attach-kind"]')).selectByAttribute('value', 'display');
  await (await b.$('[data-testid="attach-caption"]')).setValue(CAPTION);
  const dialogAxe = await axeCheck(b, 'attach-dialog');
  assert.deepEqual(dialogAxe, [], `axe on the attach dialog: ${JSON.stringify(dialogAxe)}`);
  await b.saveScreenshot(join(ARTIFACTS, 'attachments-01-attach-dialog.png'));
  await click(b, '[data-testid="attach-save"]');
  await dialog.waitForDisplayed({ reverse: true, timeout: 30_000 });

  // The thumbnail is in the note (and in the list), drawn from the sealed file.
  const thumb = await b.$('[data-testid="note-attachments"] [data-testid="attachment-thumb"] img');
  await thumb.waitForDisplayed({ timeout: 15_000 });
  assert.match(await thumb.getAttribute('src'), /^blob:/);
  await b.waitUntil(async () => (await b.$$('[data-testid="evidence-item"] [data-testid="attachment-thumb"]')).length === 1, {
    timeout: 10_000,
    timeoutMsg: 'the evidence list shows no thumbnail for the note',
  });

  // It uploads by itself after the note; the note then says so.
  await b.waitUntil(async () => (await (await b.$('[data-testid="attachment-state"]')).getAttribute('data-state')) === 'sent', {
    timeout: 60_000,
    timeoutMsg: 'the photo never reached the server',
  });
  const formAxe = await axeCheck(b, 'note-with-photo');
  assert.deepEqual(formAxe, [], `axe on the note with a photo: ${JSON.stringify(formAxe)}`);
  await b.saveScreenshot(join(ARTIFACTS, 'attachments-02-note-with-photo.png'));

  // The viewer: the photo large, its caption, Escape closes.
  await click(b, '[data-testid="note-attachments"] [data-testid="attachment-thumb"]');
  const viewer = await b.$('[data-testid="attachment-viewer"]');
  await viewer.waitForDisplayed({ timeout: 10_000 });
  await (await b.$('[data-testid="viewer-image"]')).waitForDisplayed({ timeout: 10_000 });
  assert.match(await (await b.$('[data-testid="viewer-upload"]')).getText(), /On the server/);
  const viewerAxe = await axeCheck(b, 'attachment-viewer');
  assert.deepEqual(viewerAxe, [], `axe on the viewer: ${JSON.stringify(viewerAxe)}`);
  await b.saveScreenshot(join(ARTIFACTS, 'attachments-03-viewer.png'));
  await b.keys('Escape');
  await viewer.waitForDisplayed({ reverse: true, timeout: 5_000 });

  // The sync panel: the file is on the server and the laptop is safe to wipe.
  await click(b, '[data-testid="sync-panel-link"]');
  const summary = await b.$('[data-testid="upload-summary"]');
  await summary.waitForDisplayed({ timeout: 10_000 });
  await b.waitUntil(async () => /All photos and files are on the server/.test(await summary.getText()), {
    timeout: 30_000,
    timeoutMsg: 'the sync panel never said the photo was sent',
  });
  await (await b.$('[data-testid="wipe-safe"]')).waitForDisplayed({ timeout: 20_000 });
  const panelAxe = await axeCheck(b, 'sync-panel-uploads');
  assert.deepEqual(panelAxe, [], `axe on the sync panel: ${JSON.stringify(panelAxe)}`);
  await b.saveScreenshot(join(ARTIFACTS, 'attachments-04-sync-panel.png'));

  // ---- The report: estimates agreed, drafting; the photo under the Area of Excellence.
  await click(b, 'a=My reviews');
  const again = await b.$(`[data-testid="review-row"]*=${SCHOOL}`);
  await again.waitForDisplayed({ timeout: 20_000 });
  await (await again.$('a')).click();
  await click(b, '[data-testid="tab-estimates"]');
  for (const area of AREAS) {
    await click(b, `#estimate-${area}-effective`);
    await setText(b, `#rationale-${area}`, `Consistent strengths seen across the visit in ${area.replaceAll('_', ' ')}.`);
  }
  await b.waitUntil(
    async () => {
      for (const s of await b.$$('[data-testid="save-state"]')) if (/Saving|Not saved/i.test(await s.getText())) return false;
      return true;
    },
    { timeout: 10_000, timeoutMsg: 'an estimate never said Saved' },
  );
  for (const state of ['estimates_agreed', 'drafting']) {
    await click(b, '[data-testid="tab-overview"]');
    await click(b, `[data-testid="transition-${state}"]`);
  }
  await click(b, '[data-testid="tab-report"]');
  await setText(b, '#section-area_of_excellence', 'Reading for pleasure runs through the school: pupils choose the books on every wall.');
  // The section's own "Add a photo from the notes…": the nearest one around its text.
  const add = await b.$(
    '//*[@id="section-area_of_excellence"]/ancestor::*[.//*[@data-testid="report-photo-add"]][1]//*[@data-testid="report-photo-add"]',
  );
  await add.waitForClickable({ timeout: 15_000 });
  await add.click();
  const pick = await b.$('[data-testid="report-photo-dialog"] [data-testid="report-photo-pick"]');
  await pick.waitForDisplayed({ timeout: 10_000 });
  assert.match(await pick.getText(), /Books we love/);
  await pick.click();
  const reportCaption = await b.$('[data-testid="report-photo"] input');
  await reportCaption.waitForDisplayed({ timeout: 10_000 });
  await reportCaption.clearValue();
  await reportCaption.setValue(REPORT_CAPTION);
  await b.keys('Enter');
  await (await b.$('[data-testid="report-photo"]')).scrollIntoView({ block: 'center' });
  await b.saveScreenshot(join(ARTIFACTS, 'attachments-06-photo-in-report.png'));

  // The print preview shows the photo under the section, with the report's caption.
  await click(b, '[data-testid="print-preview"]');
  const previewed = await b.$('[data-testid="preview-photo-image"]');
  await previewed.waitForDisplayed({ timeout: 15_000 });
  assert.equal(await previewed.getAttribute('alt'), REPORT_CAPTION);
  assert.ok(await b.execute((el) => el.complete && el.naturalWidth > 0, previewed), 'the preview drew the picture');
  await previewed.scrollIntoView({ block: 'center' });
  const previewAxe = await axeCheck(b, 'print-preview-photo');
  assert.deepEqual(previewAxe, [], `axe on the print preview with a photo: ${JSON.stringify(previewAxe)}`);
  await b.saveScreenshot(join(ARTIFACTS, 'attachments-07-photo-in-preview.png'));
  await b.keys('Escape');

  // Exported: the PDF holds the picture.
  await click(b, '[data-testid="export-pdf"]');
  await b.waitUntil(async () => /\.pdf/.test(await (await b.$('[data-testid="export-status"]')).getText()), {
    timeout: 60_000,
    timeoutMsg: 'the PDF was never exported',
  });
  const pdf = readdirSync(lead.exportDir).find((n) => n.endsWith('.pdf'));
  assert.ok(pdf, `a PDF in ${lead.exportDir}`);
  const images = execFileSync('pdfimages', ['-list', join(lead.exportDir, pdf)], { encoding: 'utf8' }).split('\n').slice(2).filter((l) => l.trim());
  assert.equal(images.length, 1, `the exported report holds the photo:\n${images.join('\n')}`);
  assert.ok(execFileSync('pdftotext', [join(lead.exportDir, pdf), '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ').includes(REPORT_CAPTION), 'and its caption');
  await lead.close();

  // ---- A team member's laptop: the note arrives with its photo, fetched when shown.
  const reviewer = await laptop(server, DEMO.reviewer);
  b = reviewer.b;
  const row = await b.$(`[data-testid="review-row"]*=${SCHOOL}`);
  await row.waitForDisplayed({ timeout: 20_000 });
  await (await row.$('a')).click();
  await click(b, '[data-testid="tab-evidence"]');
  const theirs = await b.$('[data-testid="evidence-item"] [data-testid="attachment-thumb"] img');
  await theirs.waitForDisplayed({ timeout: 30_000 });
  await click(b, '[data-testid="evidence-item"] [data-testid="attachment-thumb"]');
  await (await b.$('[data-testid="viewer-image"]')).waitForDisplayed({ timeout: 15_000 });
  assert.match(await (await b.$('[data-testid="attachment-viewer"]')).getText(), /Books we love/);
  await b.saveScreenshot(join(ARTIFACTS, 'attachments-05-team-member-viewer.png'));
  await b.keys('Escape');
  await reviewer.close();
});
