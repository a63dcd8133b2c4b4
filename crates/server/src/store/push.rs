//! Applying pushed ops: idempotent by (device, seq), checked against the permission table with
//! the server's own facts, merged per field by version and HLC.

use super::access::{self, ReviewAccess};
use super::ahead::ClockBound;
use super::audit_log::{self, Event};
use super::records::{self, text, Ctx};
use super::{clock, conflicts, ServerStore, StoreError};
use crate::auth::AuthDevice;
use crate::store::db::{params, Connection, OptionalExtension};
use qar_core::entities::TeamRole;
use qar_core::op_permission::{decide_op, OpFacts};
use qar_core::protocol::{Op, OpOutcome, OpResult, PushRequest, PushResponse};
use qar_core::sync::merge_op;
use qar_core::upcast::{admit_op, Admission, UnmappedOp};
use qar_core::ErrorCode;
use qar_core::{validate_field, EntityKind, ReviewState, SCHEMA_VERSION};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Condvar, Mutex};

/// The oldest op schema still accepted (and upcast); an older op is refused alone
/// (`update_required`) and its values kept as conflicts (issue 17).
pub const OLDEST_ACCEPTED_SCHEMA: u32 = qar_core::upcast::OLDEST_SUPPORTED_SCHEMA;

/// A push as it comes off the wire: the ops stay JSON until each is brought up to this
/// server's schema ([`Admitted`]), so one op of an unknown kind or version is refused alone
/// instead of failing the whole body.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct WirePush {
    pub device_id: uuid::Uuid,
    #[serde(deserialize_with = "qar_core::whole_number::u32")]
    pub schema_version: u32,
    pub ops: Vec<Value>,
    #[serde(default, deserialize_with = "qar_core::whole_number::option_u64")]
    pub pull_cursor: Option<u64>,
}

/// A push after upcasting (upcasting is validation: it runs before anything is read or
/// written): the ops brought up to this schema, the ops that could not be, and which fields
/// the upcasters rewrote (re-stamped by the server so the laptop that wrote them learns the
/// new form).
#[derive(Debug, Clone)]
pub struct Admitted {
    pub req: PushRequest,
    pub unmapped: Vec<UnmappedOp>,
    pub rewritten: BTreeMap<u64, Vec<String>>,
    /// Every op's seq in the order sent, admitted or not: contiguity is checked on these.
    seqs: Vec<u64>,
}

impl Admitted {
    /// `Err` names a malformed op (not an op of any schema): the push is refused whole.
    pub fn from_wire(w: WirePush) -> Result<Admitted, String> {
        let mut a = Admitted::empty(w.device_id, w.schema_version, w.pull_cursor, w.ops.len());
        for raw in w.ops {
            a.admit(raw)?;
        }
        Ok(a)
    }

    /// A typed push (tests, tools): ops of this schema pass as they are, older ones go
    /// through the upcasters like any pushed JSON.
    pub fn from_typed(req: PushRequest) -> Admitted {
        let mut a = Admitted::empty(req.device_id, req.schema_version, req.pull_cursor, req.ops.len());
        for op in req.ops {
            if op.schema_version == SCHEMA_VERSION {
                a.seqs.push(op.seq);
                a.req.ops.push(op);
            } else if let Ok(raw) = serde_json::to_value(op) {
                // A typed op always reads back as one: admitting it cannot fail.
                let _ = a.admit(raw);
            }
        }
        a
    }

    fn empty(device_id: uuid::Uuid, schema_version: u32, pull_cursor: Option<u64>, n: usize) -> Admitted {
        Admitted {
            req: PushRequest { device_id, schema_version, ops: Vec::with_capacity(n), pull_cursor },
            unmapped: Vec::new(),
            rewritten: BTreeMap::new(),
            seqs: Vec::with_capacity(n),
        }
    }

    fn admit(&mut self, raw: Value) -> Result<(), String> {
        let current = raw.get("schema_version").and_then(Value::as_u64) == Some(SCHEMA_VERSION.into());
        // What the upcasters are given, to tell which values they rewrote (not needed for an
        // op of this schema: nothing rewrites it).
        let before: BTreeMap<String, Value> = match raw.get("fields").and_then(Value::as_object) {
            Some(f) if !current => f.iter().map(|(k, w)| (k.clone(), w.get("value").cloned().unwrap_or(Value::Null))).collect(),
            _ => BTreeMap::new(),
        };
        match admit_op(raw)? {
            Admission::Admitted(op) => {
                if !current {
                    let changed: Vec<String> =
                        op.fields.iter().filter(|(k, w)| before.get(*k) != Some(&w.value)).map(|(k, _)| k.clone()).collect();
                    if !changed.is_empty() {
                        self.rewritten.insert(op.seq, changed);
                    }
                }
                self.seqs.push(op.seq);
                self.req.ops.push(op);
            }
            Admission::Refused(u) => {
                self.seqs.push(u.seq);
                self.unmapped.push(*u);
            }
        }
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.seqs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.seqs.is_empty()
    }
}

/// The writer's page cache, in KiB (SQLite's negative `cache_size`): a 5,000-op push of
/// 2 KB notes fits without spilling.
const WRITER_CACHE_KIB: i64 = -64 * 1024;

/// One push waiting for the group commit that will carry it.
pub(super) struct Queued {
    req: Admitted,
    caller: AuthDevice,
    now_ms: u64,
    slot: Arc<Slot>,
}

/// Where the committing thread leaves a push's answer.
#[derive(Default)]
pub(super) struct Slot {
    answer: Mutex<Option<Result<PushResponse, StoreError>>>,
    ready: Condvar,
}

impl ServerStore {
    /// Applies a device's batch and its new high-water mark, answering only after commit. Ops at
    /// or below the mark are answered `duplicate` and change nothing, so a retry is harmless.
    /// `caller` is the signed-in device; its `device_id` must be the request's (the HTTP layer
    /// refuses a mismatch).
    ///
    /// Group commit: pushes that arrive while another is committing queue up, and whoever takes
    /// the writer next commits all of them in one transaction (one fsync), each inside its own
    /// savepoint so a refused push changes nothing and does not affect the others.
    pub fn push(&self, req: &PushRequest, caller: &AuthDevice, now_ms: u64) -> Result<PushResponse, StoreError> {
        self.push_owned(req.clone(), caller, now_ms)
    }

    /// [`ServerStore::push`] taking the request (the HTTP handler's way): the ops' values move
    /// into the records instead of being copied.
    pub fn push_owned(&self, req: PushRequest, caller: &AuthDevice, now_ms: u64) -> Result<PushResponse, StoreError> {
        self.push_admitted(Admitted::from_typed(req), caller, now_ms)
    }

    /// [`ServerStore::push`] of ops already brought up to this schema ([`Admitted`]): the
    /// HTTP handler's way.
    pub fn push_admitted(&self, req: Admitted, caller: &AuthDevice, now_ms: u64) -> Result<PushResponse, StoreError> {
        self.refuse_school_head(caller)?;
        check_shape(&req)?;
        let slot = Arc::new(Slot::default());
        let queued = Queued { req, caller: caller.clone(), now_ms, slot: slot.clone() };
        self.queue.lock().unwrap_or_else(|p| p.into_inner()).push(queued);
        {
            let mut conn = self.writer();
            let batch = std::mem::take(&mut *self.queue.lock().unwrap_or_else(|p| p.into_inner()));
            if !batch.is_empty() {
                self.commit_group(&mut conn, batch);
            }
        }
        let mut answer = slot.answer.lock().unwrap_or_else(|p| p.into_inner());
        while answer.is_none() {
            answer = slot.ready.wait(answer).unwrap_or_else(|p| p.into_inner());
        }
        let mut reply = answer.take().expect("answered")?;
        reply.feed_epoch = Some(self.feed_epoch().to_owned());
        Ok(reply)
    }

    /// Copies committed WAL frames back into the database file (PASSIVE: never waits for a
    /// reader). SQLite's automatic checkpoint runs inside the commit that crosses its threshold,
    /// so with bulk pushes (a laptop's first sync) nearly every commit paid for copying and
    /// fsyncing megabytes before its push was answered: ~40% of a first push. The HTTP layer
    /// calls this after answering a bulk push instead, while the laptop prepares its next
    /// batch; the automatic checkpoint stays as the safety net for everything else.
    pub fn checkpoint(&self) -> Result<(), StoreError> {
        let conn = self.writer();
        conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))?;
        Ok(())
    }

    fn commit_group(&self, conn: &mut Connection, mut batch: Vec<Queued>) {
        self.stats.group_commits.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.stats.group_commit_pushes.fetch_add(batch.len() as u64, std::sync::atomic::Ordering::Relaxed);
        let mut answers: Vec<Result<PushResponse, StoreError>> = Vec::with_capacity(batch.len());
        let mut latest = 0;
        let mut clock = self.clock();
        let max_ahead_ms = self.max_clock_ahead_ms();
        let outcome = (|| -> crate::store::db::Result<()> {
            // A first push brings megabytes: with SQLite's default 2 MB page cache the
            // transaction spills dirty pages to the WAL mid-way and reads them back. Keep a
            // group's pages in memory until its one commit (a no-op after the first time).
            if let Some(lite) = conn.sqlite() {
                lite.pragma_update(None, "cache_size", WRITER_CACHE_KIB)?;
            }
            let mut tx = conn.transaction()?;
            clock::catch_up(&tx, &mut clock)?;
            for q in &mut batch {
                let sp = tx.savepoint()?;
                // A push that fails is rolled back whole: so is what its ops did to the clock.
                let clock_before = clock.clone();
                let mut ctx = Ctx { clock: &mut clock, seq: max_server_seq(&sp)?, now_ms: q.now_ms };
                match apply_push(&sp, &mut ctx, &mut q.req, &q.caller, max_ahead_ms) {
                    Ok(reply) => {
                        latest = latest.max(ctx.seq);
                        sp.commit()?;
                        answers.push(Ok(reply));
                    }
                    Err(e) => {
                        sp.rollback()?;
                        *clock = clock_before;
                        answers.push(Err(e));
                    }
                }
            }
            clock::save(&tx, &clock)?;
            tx.commit()
        })();
        drop(clock);
        if let Err(e) = outcome {
            // Nothing of this group is durable: every push in it fails and will be retried.
            answers = batch.iter().map(|_| Err(StoreError::Commit(e.to_string()))).collect();
        } else {
            self.announce(latest);
            // A push that submitted a report queued mail in the same commit.
            self.wake_mail();
        }
        for (q, answer) in batch.into_iter().zip(answers) {
            *q.slot.answer.lock().unwrap_or_else(|p| p.into_inner()) = Some(answer);
            q.slot.ready.notify_all();
        }
    }
}

/// Checks that need no database: contiguous sequence numbers. Schema versions are no longer
/// checked per push: each op is upcast or refused alone ([`Admitted`]).
fn check_shape(req: &Admitted) -> Result<(), StoreError> {
    for w in req.seqs.windows(2) {
        if w[1] != w[0] + 1 {
            return Err(StoreError::NotContiguous { after: w[0], got: w[1] });
        }
    }
    Ok(())
}

/// One device's push inside the group's transaction. The ops' values are spent (moved into
/// the records).
fn apply_push(
    conn: &Connection,
    ctx: &mut Ctx,
    admitted: &mut Admitted,
    caller: &AuthDevice,
    max_ahead_ms: u64,
) -> Result<PushResponse, StoreError> {
    let Admitted { req, unmapped, rewritten, seqs } = admitted;
    let device = req.device_id.to_string();
    let high_water: u64 = conn
        .prepare_cached("SELECT high_water FROM devices WHERE device_id = ?1")?
        .query_row([&device], |r| r.get::<_, i64>(0))
        .optional()?
        .unwrap_or(0) as u64;
    if let Some(&first) = seqs.first() {
        if first > high_water + 1 {
            return Err(StoreError::SeqGap { expected: high_water + 1, got: first });
        }
    }
    let fresh: Vec<&Op> = req.ops.iter().filter(|o| o.seq > high_water).collect();
    // Digested before applying: merging moves the values out of the ops.
    let values_sha256 = values_digest(&fresh);
    let mut reviews = ReviewCache::default();
    let mut bound = ClockBound::new(conn, max_ahead_ms)?;
    let fresh_unmapped: Vec<&UnmappedOp> = unmapped.iter().filter(|u| u.seq > high_water).collect();
    let removed = check_related(conn, caller, &fresh, &fresh_unmapped, &mut reviews)?;
    let any_fresh = !fresh.is_empty() || !fresh_unmapped.is_empty();
    if any_fresh {
        conflicts::note_writer(conn, req.device_id, &caller.user_id)?;
    }
    let mut results = Vec::with_capacity(req.ops.len());
    for op in req.ops.iter_mut() {
        let outcome = if op.seq <= high_water {
            reannounce_retry(conn, ctx, caller, op, &mut reviews)?;
            OpOutcome::Duplicate
        } else if removed.contains(&op.review_id) {
            // Unsent work of someone taken off the team: refused clearly, never blocking later ops.
            rejected(ErrorCode::RemovedFromTeam, "You were taken off this review's team before this change reached the server, so it was not saved. Ask the hub coordinator if it is needed.")
        } else {
            let restamp = rewritten.get(&op.seq).map_or(&[][..], Vec::as_slice);
            apply_op(conn, ctx, caller, op, &mut reviews, &mut bound, restamp)?
        };
        results.push(OpResult { seq: op.seq, outcome });
    }
    for u in unmapped.iter() {
        let outcome = match u.review_id {
            _ if u.seq <= high_water => OpOutcome::Duplicate,
            r if removed.contains(&r) => rejected(ErrorCode::RemovedFromTeam, "You were taken off this review's team before this change reached the server, so it was not saved. Ask the hub coordinator if it is needed."),
            _ => {
                // Refused, but its text is not lost: kept as conflicts of the review, where
                // the team sees it (only on a review that exists and the pusher belongs to,
                // which check_related made sure of).
                let review = u.review_id.to_string();
                if reviews.get(conn, &review, &caller.user_id)?.is_some() {
                    conflicts::keep_unmapped(conn, ctx, u, &review, &caller.user_id)?;
                }
                u.why.outcome()
            }
        };
        results.push(OpResult { seq: u.seq, outcome });
    }
    results.sort_by_key(|r| r.seq);
    let acked_through = seqs.iter().copied().max().map_or(high_water, |s| s.max(high_water));
    conn.prepare_cached(
        "INSERT INTO devices(device_id, high_water, last_seen_ms) VALUES (?1, ?2, ?3)
         ON CONFLICT(device_id) DO UPDATE SET high_water = excluded.high_water, last_seen_ms = excluded.last_seen_ms",
    )?
    .execute(params![device, acked_through as i64, ctx.now_ms as i64])?;
    let fresh: Vec<&Op> = req.ops.iter().filter(|o| o.seq > high_water).collect();
    if !fresh.is_empty() {
        audit_push(conn, caller, &device, &fresh, &results, &values_sha256, ctx.now_ms)?;
    }
    Ok(PushResponse {
        acked_through,
        results,
        server_time_ms: ctx.now_ms,
        pull: None,
        clock_ahead: bound.answer(ctx.now_ms),
        compat: Some(qar_core::protocol::Compat::of_this_build()),
        feed_epoch: None,
    })
}

/// A retried op changes nothing; but when it is not current everywhere it wrote, its record is
/// announced again (moved to the end of the pull feed, content unchanged), so the laptop that
/// skipped the server's values while the op waited unanswered receives them
/// (`qar_core::sync::retry`, decision 44). Only a record of the op's own review, on whose team
/// the pusher is (or an administrator): a "retry" is just a low seq, so the record it names is
/// the pusher's choice and must not let them stir other people's records.
fn reannounce_retry(conn: &Connection, ctx: &mut Ctx, caller: &AuthDevice, op: &Op, reviews: &mut ReviewCache) -> Result<(), StoreError> {
    let id = op.id.to_string();
    let Some(stored) = records::load(conn, op.entity, &id)? else { return Ok(()) };
    if stored.review_id != op.review_id.to_string() {
        return Ok(());
    }
    // `get` answers for any review that exists; being on its team is what counts here.
    let on_team = reviews.get(conn, &stored.review_id, &caller.user_id)?.is_some_and(|a| a.team_role.is_some());
    if !on_team && !caller.is_admin() {
        return Ok(());
    }
    if qar_core::sync::retry_needs_reannounce(Some(&stored.doc), op) {
        records::save(conn, ctx, op.entity, &id, &stored.review_id, &stored.doc, true)?;
    }
    Ok(())
}

/// SHA-256 over every new op's fields as pushed: `seq|name=<value JSON>@<base>;…`, so the audit
/// entry commits to what was written, not only to which records (issue 15).
fn values_digest(fresh: &[&Op]) -> String {
    use sha2::{Digest, Sha256};
    /// serde_json writes straight into the hash: no copy of a long note.
    struct Hashing<'a>(&'a mut Sha256);
    impl std::io::Write for Hashing<'_> {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.update(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut digest = Sha256::new();
    let mut base: Vec<u8> = Vec::with_capacity(48);
    for op in fresh {
        digest.update(op.seq.to_string().as_bytes());
        for (name, write) in &op.fields {
            digest.update(b"|");
            digest.update(name.as_bytes());
            digest.update(b"=");
            // Serialising a JSON value into memory cannot fail.
            let _ = serde_json::to_writer(Hashing(&mut digest), &write.value);
            digest.update(b"@");
            base.clear();
            match write.base {
                Some(hlc) => records::write_hlc(&mut base, hlc),
                None => base.push(b'-'),
            }
            digest.update(&base);
        }
        digest.update(b";");
    }
    hex::encode(digest.finalize())
}

/// One audit entry per push, in its savepoint: the seq range, what became of the ops, a
/// SHA-256 over every new op's identity and outcome and one over the values it wrote, so each
/// accepted op is in the chain without an entry (and a hash) per op on the hot path.
fn audit_push(
    conn: &Connection,
    caller: &AuthDevice,
    device: &str,
    fresh: &[&Op],
    results: &[OpResult],
    values_sha256: &str,
    now_ms: u64,
) -> crate::store::db::Result<()> {
    use sha2::{Digest, Sha256};
    use std::fmt::Write;
    let mut digest = Sha256::new();
    let mut line = String::with_capacity(128);
    let mut uuid_buf = uuid::Uuid::encode_buffer();
    let mut hlc: Vec<u8> = Vec::with_capacity(48);
    let (mut applied, mut conflicted, mut rejected) = (0u32, 0u32, 0u32);
    for r in results.iter().filter(|r| r.seq >= fresh[0].seq) {
        let status = match &r.outcome {
            OpOutcome::Applied => {
                applied += 1;
                "applied"
            }
            OpOutcome::Conflict { .. } => {
                conflicted += 1;
                "conflict"
            }
            OpOutcome::Rejected { .. } => {
                rejected += 1;
                "rejected"
            }
            OpOutcome::Duplicate => "duplicate",
        };
        line.clear();
        let _ = write!(line, "{}|{status};", r.seq);
        digest.update(line.as_bytes());
    }
    for op in fresh {
        // The same bytes as format!("{}|{}|{}|{}|{};", seq, entity, id, review_id, hlc), in one
        // reused buffer.
        line.clear();
        let _ = write!(line, "{}|{}|", op.seq, op.entity.code());
        line.push_str(op.id.hyphenated().encode_lower(&mut uuid_buf));
        line.push('|');
        line.push_str(op.review_id.hyphenated().encode_lower(&mut uuid_buf));
        line.push('|');
        hlc.clear();
        records::write_hlc(&mut hlc, op.hlc);
        line.push_str(std::str::from_utf8(&hlc).unwrap_or_default());
        line.push(';');
        digest.update(line.as_bytes());
    }
    let ops_sha256: String = digest.finalize().iter().map(|b| format!("{b:02x}")).collect();
    let detail = json!({
        "from_seq": fresh[0].seq, "to_seq": fresh[fresh.len() - 1].seq,
        "applied": applied, "conflicts": conflicted, "rejected": rejected, "ops_sha256": ops_sha256,
        "values_sha256": values_sha256,
    });
    let event = Event { kind: "push", actor: &caller.user_id, device_id: device, subject: device, detail: detail.to_string() };
    audit_log::append(conn, &event, now_ms)
}

/// A push that touches a review the caller has nothing to do with (not on its team, not its
/// hub's coordinator, not an administrator) is refused whole: it is not a mistake to show
/// per op but a device syncing someone else's work.
/// Reviews the caller was taken off (issue 9) are returned instead: their ops are refused one
/// by one, so a laptop can still send the rest of its outbox.
fn check_related(
    conn: &Connection,
    caller: &AuthDevice,
    ops: &[&Op],
    unmapped: &[&UnmappedOp],
    reviews: &mut ReviewCache,
) -> Result<BTreeSet<uuid::Uuid>, StoreError> {
    let mut seen = BTreeSet::new();
    let mut removed = BTreeSet::new();
    let named = ops.iter().map(|o| (o.review_id, o.seq)).chain(unmapped.iter().map(|u| (u.review_id, u.seq)));
    for (review_id, seq) in named {
        if !seen.insert(review_id) {
            continue;
        }
        if let Some(access) = reviews.get(conn, &review_id.to_string(), &caller.user_id)? {
            if !access.related(caller) {
                if super::scheduling::was_removed(conn, &review_id.to_string(), &caller.user_id)? {
                    removed.insert(review_id);
                    continue;
                }
                return Err(StoreError::NotOnReview { review_id, seq });
            }
        }
    }
    Ok(removed)
}

/// The caller's access facts per review, read once per push: a push of 1,000 notes to one
/// review asks the review record, hub and team once, not 2,000 times. An op that writes the
/// review record itself (state, team, hub, cancel) or sends it back for re-approval drops the
/// entry, so the next op decides on the facts as they are then.
#[derive(Default)]
pub(super) struct ReviewCache {
    known: HashMap<String, Option<ReviewAccess>>,
}

impl ReviewCache {
    pub(super) fn get(&mut self, conn: &Connection, review_id: &str, user_id: &str) -> crate::store::db::Result<Option<ReviewAccess>> {
        if let Some(hit) = self.known.get(review_id) {
            return Ok(hit.clone());
        }
        let access = access::review_access(conn, review_id, user_id)?;
        self.known.insert(review_id.to_owned(), access.clone());
        Ok(access)
    }

    pub(super) fn forget(&mut self, review_id: &str) {
        self.known.remove(review_id);
    }
}

pub(super) fn max_server_seq(tx: &Connection) -> crate::store::db::Result<u64> {
    tx.query_row("SELECT coalesce(max(server_seq), 0) FROM records", [], |r| r.get::<_, i64>(0)).map(|v| v as u64)
}

fn rejected(code: ErrorCode, message: impl Into<String>) -> OpOutcome {
    OpOutcome::Rejected { code: code.as_str().to_owned(), message: message.into() }
}

/// Applies one op that is new for its device. A refusal is an outcome, not an error: the op is
/// acknowledged with its reason so it never blocks the device's later ops. An op is one edit,
/// so it is refused whole if any of its fields is invalid or not permitted. Only an accepted
/// op's stamp reaches the server clock (`bound`, after the permission check): a refused op
/// changes nothing.
pub(super) fn apply_op(
    tx: &Connection,
    ctx: &mut Ctx,
    caller: &AuthDevice,
    op: &mut Op,
    reviews: &mut ReviewCache,
    bound: &mut ClockBound,
    restamp: &[String],
) -> crate::store::db::Result<OpOutcome> {
    // Ops reach here brought up to this schema (`Admitted`); one that claims another version
    // did not come through the upcasters and is refused rather than merged unread.
    if op.schema_version != SCHEMA_VERSION {
        return Ok(rejected(ErrorCode::UnknownSchema, format!("data schema {} is not the one this server applies", op.schema_version)));
    }
    if op.fields.is_empty() {
        return Ok(rejected(ErrorCode::Invalid, "an edit must change at least one field"));
    }
    for (name, write) in &op.fields {
        if let Err(e) = validate_field(op.entity, name, &write.value) {
            return Ok(rejected(ErrorCode::Invalid, e.to_string()));
        }
    }
    if op.entity == EntityKind::Review && op.review_id != op.id {
        return Ok(rejected(ErrorCode::Invalid, "a review belongs to itself: review_id must equal id"));
    }
    let (id, review_id) = (op.id.to_string(), op.review_id.to_string());
    let stored = records::load(tx, op.entity, &id)?;
    if stored.as_ref().is_some_and(|s| s.review_id != review_id) {
        return Ok(rejected(ErrorCode::WrongReview, format!("this {} belongs to another review and cannot move", op.entity.code())));
    }
    if op.entity == EntityKind::Review {
        // This op may change the review's state, team or hub: decide on fresh facts, and
        // let the next op read them again.
        reviews.forget(&review_id);
    }
    let review: Option<ReviewAccess> = reviews.get(tx, &review_id, &caller.user_id)?;
    if op.entity == EntityKind::Review {
        reviews.forget(&review_id);
    }
    let target = match (op.entity, &stored) {
        (EntityKind::Conflict, Some(s)) => match EntityKind::parse(text(&s.doc, "entity")) {
            Ok(kind) => records::load(tx, kind, text(&s.doc, "record_id"))?.map(|t| (kind, t.doc)),
            Err(_) => None,
        },
        // An attachment is decided on its note: the one it names, which must be in this review.
        (EntityKind::Attachment, _) => {
            let named = op.fields.get("evidence_id").and_then(|w| w.value.as_str()).map(str::to_owned);
            let note_id = named.or_else(|| stored.as_ref().map(|s| text(&s.doc, "evidence_id").to_owned()));
            match note_id {
                Some(note_id) => records::load(tx, EntityKind::Evidence, &note_id)?
                    .filter(|note| note.review_id == review_id)
                    .map(|note| (EntityKind::Evidence, note.doc)),
                None => None,
            }
        }
        _ => None,
    };
    let actor = caller.actor();
    let on_review = review.as_ref().map(ReviewAccess::op_review);
    let facts = OpFacts {
        actor: &actor,
        user_id: &caller.user_id,
        review: on_review.as_ref(),
        current: stored.as_ref().map(|s| &s.doc),
        target: target.as_ref().map(|(kind, doc)| (*kind, doc)),
    };
    let permit = match decide_op(op, &facts) {
        Ok(p) => p,
        Err(r) => return Ok(rejected(r.code, r.message)),
    };
    bound.stamp_accepted(tx, ctx, op)?;

    let exists = stored.is_some();
    let mut doc = stored.map(|s| s.doc).unwrap_or_default();
    let merged = merge_op(&mut doc, op);
    for lost in &merged.lost {
        conflicts::keep(tx, ctx, op.entity, &id, &review_id, lost, &caller.user_id)?;
    }
    if !merged.changed {
        return Ok(merged.outcome());
    }
    if permit.set_author {
        records::set_server_fields(ctx, &mut doc, &[("author_id", json!(caller.user_id))]);
    }
    // A value an upcaster rewrote (a year group written the old way) is re-stamped by the
    // server where it became current: the laptop that wrote the old form is not sent its own
    // writes back, but it is sent the server's, so it converges on the new form.
    let rewritten: Vec<(&str, Value)> =
        restamp.iter().filter_map(|name| doc.get(name).filter(|f| f.version == op.hlc).map(|f| (name.as_str(), f.value.clone()))).collect();
    for (name, value) in rewritten {
        let stamp = ctx.stamp();
        doc.insert(name.to_owned(), qar_core::protocol::FieldValue { value, version: stamp });
    }
    let cancelled = op.entity == EntityKind::Review && records::tombstone(&doc).is_some_and(|v| v == op.hlc);
    if cancelled {
        records::set_server_fields(ctx, &mut doc, &[("state", json!(ReviewState::Cancelled.code()))]);
    }
    if op.entity == EntityKind::Review {
        // The team and hub as the server knows them travel in the same record write.
        // A pushed review is a proposal: its creator leads it, and no op places it in a hub
        // (by URN or otherwise); only scheduling and adoption do (docs/decisions.md 33).
        if permit.creates_review {
            access::add_member(tx, &review_id, &caller.user_id, TeamRole::LeadReviewer)?;
        }
        records::set_server_fields(ctx, &mut doc, &access::access_fields(tx, &review_id)?);
    }
    records::save(tx, ctx, op.entity, &id, &review_id, &doc, exists)?;
    if permit.reapproval {
        reviews.forget(&review_id);
        // Edited after approval: back to the coordinator. The approval hash stays, so every
        // laptop can tell the report changed since it was approved.
        let state = [("state", json!(ReviewState::Submitted.code()))];
        records::server_write(tx, ctx, EntityKind::Review, &review_id, &review_id, &state)?;
    }
    if op.entity == EntityKind::Review || permit.reapproval {
        // A report sent to the coordinator: mail queued in this push's transaction (issue 22).
        super::mail_events::after_push_op(tx, &review_id, review.as_ref().map(|r| r.state), ctx.seq, ctx.now_ms)?;
    }
    Ok(merged.outcome())
}
