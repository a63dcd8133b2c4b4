'use strict';
// The realistic workloads of issue 25 on the PouchDB stack, against an express-pouchdb server
// started by the bench (serve.js) at --url, with its byte counters at --stats. The content is
// the bench's own, exported as JSON (--workload), so both sides move the same text and the same
// photo bytes. Run by crates/bench/src/realistic/anchor_side.rs; writes JSON to --json-out.
//
// One PouchDB database per review (`review-1` … `review-5`): CouchDB has no per-document read
// access, so a partnership that must keep each review's notes to its team gives each review a
// database of its own and each laptop replicates the reviews it is on (the usual CouchDB
// pattern). Documents are typed: `review`, `note:*`, `estimate:*`, `section:*`; photos and their
// thumbnails are attachments of their note, as PouchDB keeps files.
//
// Also the 10,000-note first sync (push from a seeded client, then a fresh client's pull) and
// the live edit A → server → B (as the anchor's bench.js phase 4b), so rows over a link have the
// anchor beside them.

const fs = require('fs');
const os = require('os');
const path = require('path');
const { performance } = require('perf_hooks');
const PouchDB = require('pouchdb-node');
const { generateDocs } = require('./docs');

function opt(name, def) {
  const i = process.argv.indexOf('--' + name);
  return i >= 0 ? process.argv[i + 1] : def;
}
const URL_BASE = opt('url', null).replace(/\/$/, '');
const STATS = opt('stats', null);
const WORKLOAD = opt('workload', null);
const N = parseInt(opt('n', '10000'), 10);
const REPS = parseInt(opt('reps', '20'), 10);
// How long one live edit may take to reach B before the phase gives up (see phase 6).
const LIVE_WAIT_MS = 30000;
const JSON_OUT = opt('json-out', null);
if (!URL_BASE || !STATS || !WORKLOAD || !JSON_OUT) {
  console.error('usage: node workloads.js --url URL --stats URL --workload FILE --json-out FILE [--n 10000] [--reps 20]');
  process.exit(2);
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pouch-workloads-'));
const Local = PouchDB.defaults({ prefix: path.join(work, 'local-') });
const now = () => performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function stats() {
  const res = await fetch(STATS);
  return res.json();
}
function since(a, b) {
  return { up: b.up - a.up, down: b.down - a.down, requests: b.requests - a.requests };
}
async function measured(fn) {
  const s0 = await stats();
  const t = now();
  const extra = await fn();
  const s = (now() - t) / 1000;
  const s1 = await stats();
  return Object.assign({ s }, since(s0, s1), extra || {});
}

// A one-off replication that fails (a connection the link ended under it) is started again, as
// an app's sync button would: PouchDB resumes from its checkpoint, so only the unfinished batch
// is repeated, and the JSON says how often it happened (`restarts`).
let restarts = 0;
async function again(what, fn) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (attempt >= 5) throw e;
      restarts++;
      console.error(`${what} failed (${e.message || e}); starting it again`);
      await sleep(1000);
    }
  }
}
const replicate = (from, to, opts) => again('a replication', () => PouchDB.replicate(from, to, opts));
const sync = (a, b) => again('a sync', () => PouchDB.sync(a, b));

const noteDoc = (id, n) => Object.assign({ _id: id, type: 'evidence' }, n, { review_id: undefined });
const remote = (name) => new PouchDB(`${URL_BASE}/${name}`);

async function main() {
  const w = JSON.parse(fs.readFileSync(WORKLOAD, 'utf8'));
  // Documents are named `prefix:0007`; one step of the day (a new note or an edit of one) on `db`.
  const docId = (prefix, note) => `${prefix}:${String(note).padStart(4, '0')}`;
  async function makeStep(db, prefix, step) {
    if (step.add) return db.put(noteDoc(docId(prefix, step.add.note), w.day_notes[step.add.note]));
    const d = await db.get(docId(prefix, step.edit.note));
    d[step.edit.field] = step.edit.value;
    return db.put(d);
  }
  const out = {};

  // The team's work on the server: the LR's old laptop and a reviewer's laptop push.
  const dbs = w.reviews.map((_, i) => `review-${i + 1}`);
  for (let i = 0; i < w.reviews.length; i++) {
    const r = w.reviews[i];
    const lead = new Local(`lead-old-${i}`);
    const reviewer = new Local(`reviewer-${i}`);
    await lead.put({ _id: 'review', type: 'review', school_name: r.school_name, school_urn: r.school_urn, start_date: r.start_date, state: r.state });
    const leadDocs = [];
    const reviewerDocs = [];
    r.notes.forEach((n, k) => (k % 2 === 0 ? leadDocs : reviewerDocs).push(noteDoc(docId('note', k), n)));
    for (const e of r.estimates) leadDocs.push(Object.assign({ _id: `estimate:${e.area_code}`, type: 'estimate' }, e));
    for (const s of r.sections) leadDocs.push(Object.assign({ _id: `section:${s.code}`, type: 'section' }, s));
    await lead.bulkDocs(leadDocs);
    await reviewer.bulkDocs(reviewerDocs);
    await replicate(lead, remote(dbs[i]));
    await replicate(reviewer, remote(dbs[i]));
    await lead.close();
    await reviewer.close();
    if (r.comments.length) {
      // The hub coordinator's comments on a returned report.
      const hub = new Local(`coordinator-${i}`);
      await hub.bulkDocs(r.comments.map((c, k) => Object.assign({ _id: `comment:${k}`, type: 'comment' }, c)));
      await replicate(hub, remote(dbs[i]));
      await hub.close();
    }
  }

  // 1. The LR's first sign-in on a new laptop: every review's database replicated down (all at
  //    once, PouchDB's best case), then the list and the first review read.
  const fresh = dbs.map((_, i) => new Local(`lead-new-${i}`));
  out.first_sign_in = await measured(async () => {
    await Promise.all(dbs.map((name, i) => replicate(remote(name), fresh[i])));
    const reviews = await Promise.all(fresh.map((db) => db.get('review')));
    const first = await fresh[0].allDocs({ include_docs: true, startkey: 'note:', endkey: 'note:\uffff' });
    if (reviews.length !== dbs.length || first.rows.length !== w.reviews[0].notes.length) throw new Error('the new laptop is not usable after its first sync');
  });

  // 2. A day of a visit on that laptop, each change synced (push and pull, as ours) as made.
  const lr = fresh[0];
  const lrRemote = remote(dbs[0]);
  const each = [];
  out.day = await measured(async () => {
    for (const step of w.day) {
      await makeStep(lr, 'day', step);
      const t = now();
      await sync(lr, lrRemote);
      each.push(now() - t);
    }
  });
  out.day.ms = each;

  // 3. The same day's work made offline on the reviewer's laptop, then one sync.
  const reviewer = new Local('reviewer-0');
  await sync(reviewer, lrRemote); // caught up before going offline
  for (const step of w.day) await makeStep(reviewer, 'eod', step);
  out.end_of_day = await measured(async () => { await sync(reviewer, lrRemote); });

  // 4. 20 photos (the bytes our pipeline made safe, with their thumbnails) as attachments of
  //    the reviewer's notes, pushed; then pulled by the LR's laptop.
  for (const p of w.photos) {
    const id = docId('eod', p.note);
    const d = await reviewer.get(id);
    d._attachments = Object.assign(d._attachments || {}, {
      [`photo-${p.index}.jpg`]: { content_type: 'image/jpeg', data: fs.readFileSync(p.photo).toString('base64') },
      [`photo-${p.index}-thumb.jpg`]: { content_type: 'image/jpeg', data: fs.readFileSync(p.thumb).toString('base64') },
    });
    await reviewer.put(d);
  }
  out.photos_up = await measured(async () => { await replicate(reviewer, lrRemote); });
  out.photos_down = await measured(async () => {
    await replicate(lrRemote, lr);
    for (const p of w.photos) await lr.getAttachment(docId('eod', p.note), `photo-${p.index}.jpg`);
  });

  // 5. The 10,000-note first sync: a seeded client pushes, then a fresh client pulls.
  const docs = generateDocs(N, 42);
  const seeded = new Local('seeded-10k');
  for (let i = 0; i < N; i += 1000) await seeded.bulkDocs(docs.slice(i, i + 1000));
  // Documents counted where they arrived, after the timing: a replication started again reports
  // only what its last attempt wrote.
  out.first_sync_push = await measured(async () => { await replicate(seeded, remote('evidence10k'), { batch_size: 100 }); });
  out.first_sync_push.docs = (await remote('evidence10k').info()).doc_count;
  const pulled = new Local('fresh-10k');
  out.first_sync_pull = await measured(async () => { await replicate(remote('evidence10k'), pulled, { batch_size: 1000 }); });
  out.first_sync_pull.docs = (await pulled.info()).doc_count;

  // 6. The live edit A → server → B (bench.js phase 4b): A pushes live, B pulls live.
  const push = PouchDB.replicate(seeded, remote('evidence10k'), { live: true, retry: true });
  const pull = PouchDB.replicate(remote('evidence10k'), pulled, { live: true, retry: true });
  await sleep(500);
  const live = [];
  const s0 = await stats();
  for (let r = 0; r < REPS; r++) {
    const id = docs[(r * 104729 + 13) % N]._id;
    const d = await seeded.get(id);
    d.body = d.body + ' Live edit ' + r + '.';
    const want = String(parseInt(d._rev, 10) + 1) + '-';
    let on;
    const arrived = new Promise((resolve) => {
      on = (info) => {
        if (info.docs && info.docs.some((x) => x._id === id && x._rev.startsWith(want))) resolve(true);
      };
      pull.on('change', on);
    });
    const t = now();
    await seeded.put(d);
    // PouchDB's live replications can stall over a lossy link (seen on the tether: no request for
    // minutes); an edit that has not arrived within LIVE_WAIT_MS ends the phase with what was
    // measured, and the JSON says how many edits never arrived.
    const ok = await Promise.race([arrived, sleep(LIVE_WAIT_MS).then(() => false)]);
    pull.removeListener('change', on);
    if (!ok) { out.live_not_arrived = REPS - r; console.error(`live edit ${r} had not reached B after ${LIVE_WAIT_MS} ms: the phase ends here`); break; }
    live.push(now() - t);
    await sleep(150);
  }
  const s1 = await stats();
  push.cancel();
  pull.cancel();
  out.live = Object.assign({ ms: live }, since(s0, s1));
  const done = Math.max(live.length, 1);
  out.live.up /= done; out.live.down /= done; out.live.requests /= done;

  out.restarts = restarts;
  fs.writeFileSync(JSON_OUT, JSON.stringify(out, null, 2));
  for (const db of [...fresh, reviewer, seeded, pulled]) await db.close();
}

main()
  .catch((e) => { console.error('the PouchDB workloads failed:', e); process.exitCode = 1; })
  .finally(() => { fs.rmSync(work, { recursive: true, force: true }); });
