// The host school's pages in a real browser (issue 22, point 4): Debian's Chromium, headless,
// driven over WebDriver by chromedriver. A head invited by the hub signs in with password and
// the authenticator code (computed here from the secret the invitation gave), sees their
// school, reads an issued version, downloads it as PDF and Word (the bytes are the API's), and
// signs out; another school's head gets "You cannot see this page" on every page of the first
// school; a Lead Reviewer is sent to the app. axe-core finds no serious or critical problem on
// any page. Screenshots go to test-artifacts/web/. The head also gives and withdraws consent to
// publish an Area of Excellence (issue 23), and checks an approved report for factual accuracy.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ARTIFACTS, axeCheck, freePort, start, startServer, stop } from '../e2e/harness.mjs';
import { remote } from '../e2e/node_modules/webdriverio/build/node.js';
import { DEMO, DEMO_PASSWORD, totpCode } from '../../scripts/totp.mjs';

const SHOTS = join(ARTIFACTS, 'web');
const CHROMIUM = process.env.QAR_CHROMIUM ?? '/usr/bin/chromium';
const CHROMEDRIVER = process.env.QAR_CHROMEDRIVER ?? '/usr/bin/chromedriver';
const HUB = 'hub-riverside-fells';
const HERON = { urn: '990102', name: 'Helen Heron', email: 'head@heronvale.example.org', password: 'the school’s own passphrase' };
const KESTREL = { urn: '990101', name: 'Kit Kestrel', email: 'head@kestrelbrook.example.org', password: 'another school passphrase' };

// Kestrel Brook's review in the demo (in visit at the start): written, submitted and approved in
// `before`, as the Lead Reviewer's laptop and the hub would, so its head can check the facts.
const KESTREL_REVIEW = '01900000-0000-7000-8000-000000000101';
const KESTREL_CONTEXT = 'Kestrel Brook Primary School has 212 pupils on roll in seven classes.';

let server;
let driver;
let browser;
let base;
const timings = {}; // request → last byte of each page, ms
let hollie; // the coordinator's API token: she may read every version of her hub's schools
let leadReviewer; // the demo Lead Reviewer's laptop on the wire (signed in by approvedWithACheck)
const downloads = mkdtempSync(join(tmpdir(), 'qar-web-downloads-'));

async function api(method, path, body, token) {
  const r = await fetch(`${server.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await r.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    // a file
  }
  return { status: r.status, json, text };
}

/** The hub invites the head; they accept with a password and an authenticator (its secret kept). */
async function inviteHead(head) {
  const invited = await api('POST', `/v1/hubs/${HUB}/schools/${head.urn}/headteacher`, { name: head.name, email: head.email }, hollie);
  assert.equal(invited.status, 201, invited.text);
  const redeemed = await api('POST', '/v1/invitations/redeem', { code: invited.json.code, password: head.password });
  assert.equal(redeemed.status, 200, redeemed.text);
  head.secret = redeemed.json.totp_secret;
  // Confirmed with the previous step's code, so the current one is left for signing in.
  const confirmed = await api('POST', '/v1/invitations/confirm', { code: invited.json.code, totp_code: totpCode(head.secret, Date.now() - 30_000) });
  assert.equal(confirmed.status, 200, confirmed.text);
}

/** The id of a report section, as qar_core::report_template::section_id: UUIDv5 of the review. */
function sectionId(reviewId, code) {
  const ns = Buffer.from(reviewId.replace(/-/g, ''), 'hex');
  const b = createHash('sha1').update(Buffer.concat([ns, Buffer.from(`report_section:${code}`, 'utf8')])).digest().subarray(0, 16);
  b[6] = (b[6] & 0x0f) | 0x50;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The demo Lead Reviewer's laptop, as far as the wire goes: signed in, a clock stamping ops
 *  (wall-counter-node, the node being the device id's random tail), and contiguous op numbers. */
async function leadLaptop() {
  const device = crypto.randomUUID();
  const signedIn = await api('POST', '/v1/auth/login', {
    // The previous step's code: a code is taken once, and the test signs the Lead Reviewer in
    // again at the end with the current one.
    email: DEMO.lead.email, password: DEMO_PASSWORD, totp_code: totpCode(DEMO.lead.secret, Date.now() - 30_000),
    device_id: device, device_name: 'web test laptop',
  });
  assert.equal(signedIn.status, 200, signedIn.text);
  const node = device.replace(/-/g, '').slice(16);
  const laptop = { device, token: signedIn.json.token, seq: 0, wall: 0, counter: 0 };
  laptop.tick = () => {
    const now = Date.now();
    if (now > laptop.wall) [laptop.wall, laptop.counter] = [now, 0];
    else laptop.counter += 1;
    return `${String(laptop.wall).padStart(13, '0')}-${String(laptop.counter).padStart(10, '0')}-${node}`;
  };
  laptop.push = async (entity, id, fields) => {
    const hlc = laptop.tick();
    laptop.seq += 1;
    const op = { seq: laptop.seq, entity, id, review_id: KESTREL_REVIEW, fields, hlc, schema_version: 3 };
    const r = await api('POST', '/v1/sync/push', { device_id: device, schema_version: 3, ops: [op] }, laptop.token);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.results[0].status, 'applied', r.text);
    return hlc;
  };
  return laptop;
}

/** Kestrel Brook's report written and submitted by its Lead Reviewer, approved by the hub, in a
 *  hub that gives its schools five days to check the facts. */
async function approvedWithACheck() {
  const window = await api('PUT', `/v1/hubs/${HUB}/accuracy-window`, { days: 5 }, hollie);
  assert.equal(window.status, 200, window.text);
  const lr = await leadLaptop();
  leadReviewer = lr;
  let cursor = 0;
  let base = null;
  for (;;) {
    const page = await api('GET', `/v1/sync/pull?cursor=${cursor}&limit=500&device_id=${lr.device}&schema=3`, null, lr.token);
    assert.equal(page.status, 200, page.text);
    const review = page.json.changes.find((c) => c.id === KESTREL_REVIEW);
    if (review) base = review.fields.state.version;
    cursor = page.json.cursor;
    if (!page.json.has_more) break;
  }
  assert.ok(base, 'the Lead Reviewer pulls Kestrel Brook\'s review');
  for (const to of ['estimates_agreed', 'drafting']) base = await lr.push('review', KESTREL_REVIEW, { state: { value: to, base } });
  const fields = { section_code: { value: 'context', base: null }, body: { value: KESTREL_CONTEXT, base: null } };
  await lr.push('report_section', sectionId(KESTREL_REVIEW, 'context'), fields);
  await lr.push('review', KESTREL_REVIEW, { state: { value: 'submitted', base } });
  // The hub approves the report as it stands: the server names its hash when asked with another.
  const asked = await api('POST', `/v1/reviews/${KESTREL_REVIEW}/approve`, { report_hash: '0'.repeat(64) }, hollie);
  assert.equal(asked.json?.code, 'report_changed', asked.text);
  const approved = await api('POST', `/v1/reviews/${KESTREL_REVIEW}/approve`, { report_hash: asked.json.details.current_hash }, hollie);
  assert.equal(approved.status, 200, approved.text);
}

async function shot(name) {
  await browser.saveScreenshot(join(SHOTS, `${name}.png`));
}

/** axe on the page: no serious or critical problem. */
async function accessible(name) {
  const bad = await axeCheck(browser, `web-${name}`);
  assert.deepEqual(bad, [], `${name}: ${JSON.stringify(bad, null, 2)}`);
}

/** Clicks what loads a new page (a form's button, a link) and waits until that page has loaded:
 *  WebDriver's click may return before the browser has left the old page. */
async function clickToLoad(element) {
  await toLoad(() => element.click());
}

/** Types keys that load a new page (Enter on a form) and waits until that page has loaded. */
async function keysToLoad(keys) {
  await toLoad(() => browser.keys(keys));
}

async function toLoad(action) {
  await browser.execute(() => { window.qarOldPage = true; });
  await action();
  await browser.waitUntil(async () => browser.execute(() => !window.qarOldPage && document.readyState === 'complete'), {
    timeout: 15_000,
    timeoutMsg: 'the next page did not load',
  });
}

async function signIn(email, password, code) {
  await browser.url(`${base}/sign-in`);
  await (await browser.$('#email')).setValue(email);
  await (await browser.$('#password')).setValue(password);
  await (await browser.$('#totp_code')).setValue(code);
  await clickToLoad(await browser.$('button[type=submit]'));
}

/** How long the page took from request to its last byte, as the browser measured it (ms). */
async function serverTime() {
  return browser.execute(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    return Math.round(nav.responseEnd - nav.requestStart);
  });
}

async function heading() {
  return (await browser.$('h1')).getText();
}

async function waitForDownload(ext) {
  const until = Date.now() + 30_000;
  while (Date.now() < until) {
    const done = readdirSync(downloads).filter((f) => f.endsWith(`.${ext}`));
    if (done.length > 0) return join(downloads, done[0]);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no .${ext} arrived in ${downloads}: ${readdirSync(downloads).join(', ')}`);
}

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  assert.ok(existsSync(CHROMIUM) && existsSync(CHROMEDRIVER), 'Chromium and chromedriver from Debian: apt-get install chromium chromium-driver (./x does)');
  server = await startServer({ history: true });
  // localhost, not 127.0.0.1: browsers keep `Secure` (and `__Host-`) cookies from http://localhost only.
  base = `http://localhost:${server.port}`;
  const coordinator = await api('POST', '/v1/auth/login', {
    email: DEMO.coordinator.email, password: DEMO_PASSWORD, totp_code: totpCode(DEMO.coordinator.secret),
    device_id: crypto.randomUUID(), device_name: 'web test',
  });
  assert.equal(coordinator.status, 200, coordinator.text);
  hollie = coordinator.json.token;
  // Heron Vale's head accepts the invitation in the browser (the test below); Kestrel Brook's
  // through the API, as the app does.
  const invited = await api('POST', `/v1/hubs/${HUB}/schools/${HERON.urn}/headteacher`, { name: HERON.name, email: HERON.email }, hollie);
  assert.equal(invited.status, 201, invited.text);
  HERON.code = invited.json.code;
  await inviteHead(KESTREL);
  await approvedWithACheck();
  const port = await freePort();
  driver = start(CHROMEDRIVER, [`--port=${port}`], {}, 'chromedriver');
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/status`)).ok) break;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  browser = await remote({
    hostname: '127.0.0.1',
    port,
    logLevel: 'warn',
    connectionRetryCount: 0,
    capabilities: {
      browserName: 'chrome',
      'wdio:enforceWebDriverClassic': true,
      'goog:chromeOptions': {
        binary: CHROMIUM,
        args: ['--headless=new', '--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--window-size=1280,900', '--lang=en-GB'],
        prefs: { 'download.default_directory': downloads, 'download.prompt_for_download': false },
      },
    },
  });
});

after(async () => {
  await browser?.deleteSession().catch(() => {});
  await stop(driver);
  await server?.stop();
  rmSync(downloads, { recursive: true, force: true });
});

test('a head accepts the invitation, signs in, reads an issued version, downloads it and signs out', async () => {
  // The invitation mail's link: the code and a password, then the authenticator's key.
  await browser.url(`${base}/signup`);
  assert.equal(await heading(), 'Accept your invitation');
  await shot('00a-accept-invitation');
  await accessible('accept-invitation');
  await (await browser.$('#code')).setValue(HERON.code);
  await (await browser.$('#password')).setValue(HERON.password);
  await (await browser.$('#password_again')).setValue(HERON.password);
  await clickToLoad(await browser.$('button[type=submit]'));
  assert.equal(await heading(), 'Set up your authenticator app');
  // What a person types into their phone: the key as the page shows it, in groups of four.
  HERON.secret = (await (await browser.$('.secret')).getText()).replace(/\s+/g, '');
  assert.match(HERON.secret, /^[A-Z2-7]{32}$/);
  await shot('00b-authenticator');
  await accessible('authenticator');
  await (await browser.$('#totp_code')).setValue(totpCode(HERON.secret, Date.now() - 30_000));
  await clickToLoad(await browser.$('button[type=submit]'));
  assert.match(await browser.getUrl(), /\/sign-in\?ready=1$/);
  assert.match(await (await browser.$('[role=status]')).getText(), /Your account is ready/);

  await browser.url(`${base}/`);
  assert.match(await browser.getUrl(), /\/sign-in$/, 'signed out: the sign-in page');
  assert.equal(await heading(), "Sign in to your school's pages");
  // The first Tab reaches the skip link, which takes the keyboard past the header.
  await browser.keys('Tab');
  const first = await browser.execute(() => document.activeElement.textContent);
  assert.equal(first, 'Skip to main content');
  await shot('01-sign-in');
  await accessible('sign-in');

  // A wrong password: the form again, with the reason and the e-mail kept.
  await signIn(HERON.email, 'not the passphrase', totpCode(HERON.secret));
  assert.match(await (await browser.$('[role=alert]')).getText(), /password or authenticator code is not right/);
  assert.equal(await (await browser.$('#email')).getValue(), HERON.email);
  await shot('02-sign-in-refused');
  await accessible('sign-in-refused');

  await signIn(HERON.email, HERON.password, totpCode(HERON.secret));
  assert.match(await browser.getUrl(), new RegExp(`/schools/${HERON.urn}$`));
  assert.equal(await heading(), 'Heron Vale Academy');
  const page = await (await browser.$('main')).getText();
  assert.match(page, /Reviews and issued reports/);
  assert.match(page, /Your Areas of Excellence in the register/);
  assert.match(page, /Requests to visit your school/);
  await shot('03-school');
  await accessible('school');

  // Before the visit (issue 22): the school tells the team about itself, from the keyboard.
  await clickToLoad(await browser.$('a*=Tell the review team about your school'));
  assert.equal(await heading(), 'Before the visit: what your school tells the review team');
  await (await browser.$('#context_statement')).click();
  await keysToLoad([...'Heron Vale is a two-form entry primary by the estuary.', 'Tab', 'Enter']);
  assert.match(await (await browser.$('[role=status]')).getText(), /Context statement saved/);
  assert.equal(await (await browser.$('#context_statement')).getValue(), 'Heron Vale is a two-form entry primary by the estuary.');
  // The proposed Area of Excellence: title, then why, then the form's button, all by keyboard.
  await (await browser.$('#aoe_title')).click();
  await browser.keys([...'Reading for pleasure in every class']);
  await browser.keys('Tab');
  await browser.keys([...'Every pupil reads daily with an adult; the library is open before school.']);
  await keysToLoad(['Tab', 'Enter']);
  assert.match(await (await browser.$('[role=status]')).getText(), /Proposal saved/);
  await shot('03b-school-statement');
  await accessible('school-statement');
  const statementPath = new URL(await browser.getUrl()).pathname;
  // What the head wrote reaches the team: the Lead Reviewer's laptop pulls it as the app does.
  const statementReview = statementPath.split('/')[4];
  let statement;
  for (let cursor = 0; ;) {
    const page = await api('GET', `/v1/sync/pull?cursor=${cursor}&limit=500&device_id=${leadReviewer.device}&schema=3`, null, leadReviewer.token);
    assert.equal(page.status, 200, page.text);
    statement = page.json.changes.find((c) => c.entity === 'school_statement' && c.review_id === statementReview) ?? statement;
    cursor = page.json.cursor;
    if (!page.json.has_more) break;
  }
  assert.ok(statement, `the Lead Reviewer's laptop pulls the school's statement of review ${statementReview}`);
  assert.equal(statement.fields.context_statement.value, 'Heron Vale is a two-form entry primary by the estuary.');
  assert.equal(statement.fields.aoe_title.value, 'Reading for pleasure in every class');
  await browser.url(`${base}/schools/${HERON.urn}`);

  // Issue 23: the head decides, from the keyboard, whether an Area of Excellence is published:
  // the list (drafts included), a confirmation page, then the list saying what happened. The
  // first entry is switched one way and back, so both are seen whatever the demo head decided.
  await clickToLoad(await browser.$('a*=Give or withdraw consent'));
  assert.equal(await heading(), 'Your Areas of Excellence: consent to publish');
  await shot('03c-register-consent');
  await accessible('register-consent');
  const registerPath = new URL(await browser.getUrl()).pathname;
  let confirmPath;
  for (let turn = 0; turn < 2; turn++) {
    const action = await browser.$('main article a');
    const publishing = (await action.getText()).startsWith('Publish this Area of Excellence');
    await browser.execute((el) => el.focus(), action);
    await keysToLoad(['Enter']);
    confirmPath = new URL(await browser.getUrl()).pathname;
    assert.equal(await heading(), publishing ? 'Publish this Area of Excellence?' : 'Withdraw your consent?');
    const title = await (await browser.$('main article h2')).getText();
    await shot(publishing ? '03d-publish-confirm' : '03e-withdraw-confirm');
    await accessible(publishing ? 'publish-confirm' : 'withdraw-confirm');
    await browser.execute((el) => el.focus(), await browser.$('main form button[type=submit]'));
    await keysToLoad(['Enter']);
    assert.match(await (await browser.$('[role=status]')).getText(), publishing ? /Published/ : /Consent withdrawn/);
    const published = await api('GET', `/v1/schools/${HERON.urn}/register`, null, hollie);
    assert.equal(published.json.some((e) => e.title === title), publishing, `${title} in the register: ${published.text}`);
  }
  await browser.url(`${base}/schools/${HERON.urn}`);

  // Every page of this school, for the other head's turn below.
  const links = await browser.execute(() => [...document.querySelectorAll('a[href*="/versions/"]')].map((a) => a.getAttribute('href')));
  const heronRoutes = [`/schools/${HERON.urn}`, statementPath, registerPath, `${confirmPath}?give=yes`, ...links];
  assert.ok(links.length >= 3, `read, PDF and Word links: ${links}`);

  timings.school = await serverTime();
  await clickToLoad(await browser.$('a*=Read version'));
  assert.match(await heading(), /version \d+$/);
  timings.issued_version = await serverTime();
  const report = await (await browser.$('main')).getText();
  assert.match(report, /Issued as version \d+ on/);
  assert.match(report, /Estimates/);
  await shot('04-issued-version');
  await accessible('issued-version');

  // Downloads: the bytes the API gives the coordinator (and the laptop's export) exactly.
  const readPath = new URL(await browser.getUrl()).pathname;
  const [, , , , review, , version] = readPath.split('/');
  for (const [label, ext] of [['PDF', 'pdf'], ['Word', 'docx']]) {
    const link = await browser.$(`p.downloads a[href$="/${ext}"]`);
    assert.equal(await link.getText(), label);
    const clicked = Date.now();
    await link.click();
    const file = await waitForDownload(ext);
    timings[`download_${ext}_click_to_file`] = Date.now() - clicked;
    const fromApi = await fetch(`${server.url}/v1/reviews/${review}/versions/${version}/${ext}`, { headers: { authorization: `Bearer ${hollie}` } });
    assert.equal(fromApi.status, 200);
    const apiBytes = Buffer.from(await fromApi.arrayBuffer());
    assert.ok(readFileSync(file).equals(apiBytes), `${ext}: the browser's download is the API's bytes`);
    const disposition = fromApi.headers.get('content-disposition');
    const named = decodeURIComponent(disposition.split("filename*=UTF-8''")[1]);
    assert.equal(file.split('/').pop(), named, `${ext}: the browser saved it under the API's name`);
  }

  // Another school's page: refused with a page that says so.
  await browser.url(`${base}/schools/${KESTREL.urn}`);
  assert.equal(await heading(), 'You cannot see this page');
  await shot('05-another-school-refused');
  await accessible('refused');

  await browser.url(`${base}/schools/${HERON.urn}`);
  await clickToLoad(await browser.$('button=Sign out'));
  assert.match(await browser.getUrl(), /\/sign-in\?signed_out=1$/);
  assert.match(await (await browser.$('[role=status]')).getText(), /You have signed out/);
  await shot('06-signed-out');
  await accessible('signed-out');
  await browser.url(`${base}/schools/${HERON.urn}`);
  assert.match(await browser.getUrl(), /\/sign-in$/, 'signed out: the pages are closed');

  // The other school's head signs in with the keyboard alone: the skip link, then the three
  // fields in order, then Enter. Then they are refused on every page of Heron Vale.
  await browser.url(`${base}/sign-in`);
  await browser.keys('Tab');
  await browser.keys('Enter'); // the skip link: the main content has the focus
  await browser.keys('Tab');
  assert.equal(await browser.execute(() => document.activeElement.id), 'email');
  await browser.keys([...KESTREL.email, 'Tab', ...KESTREL.password, 'Tab']);
  assert.equal(await browser.execute(() => document.activeElement.id), 'totp_code');
  await browser.keys([...totpCode(KESTREL.secret), 'Enter']);
  await browser.waitUntil(async () => (await browser.getUrl()).endsWith(`/schools/${KESTREL.urn}`), { timeout: 10_000 });
  assert.equal(await heading(), 'Kestrel Brook Primary School');
  for (const route of heronRoutes) {
    await browser.url(`${base}${route}`);
    assert.equal(await heading(), 'You cannot see this page', route);
    assert.doesNotMatch(await (await browser.$('main')).getText(), /Heron Vale/, route);
  }

  // Issue 22: Kestrel Brook's report is approved and the hub gives five days: the head reads it,
  // comments on a fact under a section from the keyboard, and says they have finished.
  await browser.url(`${base}/schools/${KESTREL.urn}`);
  await clickToLoad(await browser.$('a*=Check the report for factual accuracy'));
  assert.equal(await heading(), 'Check the report for factual accuracy');
  assert.match(await (await browser.$('main')).getText(), new RegExp(KESTREL_CONTEXT));
  await (await browser.$('#section-context-text')).click();
  const fact = 'We have 214 pupils on roll, not 212.';
  await keysToLoad([...fact, 'Tab', 'Enter']);
  assert.match(await (await browser.$('[role=status]')).getText(), /Comment added/);
  assert.match(await (await browser.$('#section-context')).getText(), new RegExp(fact));
  await shot('08-accuracy-check');
  await accessible('accuracy-check');
  await browser.execute((el) => el.focus(), await browser.$('button=I have finished checking'));
  await keysToLoad(['Enter']);
  assert.match(await (await browser.$('[role=status]')).getText(), /Thank you/);
  await shot('08b-accuracy-check-finished');
  await accessible('accuracy-check-finished');
  // The comment reaches the review's people, as the Lead Reviewer's laptop pulls it.
  const check = await api('GET', `/v1/reviews/${KESTREL_REVIEW}/accuracy-check`, null, hollie);
  assert.equal(check.status, 200, check.text);
  assert.ok(JSON.stringify(check.json).includes(fact), check.text);
  await clickToLoad(await browser.$('button=Sign out'));

  // A Lead Reviewer's right credentials: pointed to the app, no session.
  await signIn(DEMO.lead.email, DEMO_PASSWORD, totpCode(DEMO.lead.secret));
  assert.equal(await heading(), 'Use the QAR Field app');
  await shot('07-use-the-app');
  await accessible('use-the-app');
  writeFileSync(join(SHOTS, 'routes-refused-to-another-head.json'), JSON.stringify(heronRoutes, null, 2));
  writeFileSync(join(SHOTS, 'timings.json'), JSON.stringify(timings, null, 2));
  console.log(`request → last byte: ${JSON.stringify(timings)} ms`);
});
