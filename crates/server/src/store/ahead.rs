//! How far ahead of the server's wall time an accepted op's stamp may be (issue 15, decision
//! 35). Within the bound the server clock observes the stamp as before. Beyond it the stamp
//! never reaches the server clock: the op is applied with a server stamp, so one laptop with a
//! clock years ahead can neither date every later server write in its year nor win every
//! concurrent write, and its device is told (`clock_ahead` in the push answer).

use super::records::Ctx;
use super::CorruptValue;
use crate::store::db::{params, Connection, OptionalExtension};
use qar_core::protocol::{ClockAhead, Op};
use qar_core::Hlc;

/// Five minutes: well beyond the drift of a clock that sets itself (seconds), well inside what
/// a person would notice on a report. A server setting (`--max-clock-ahead-mins`).
pub const DEFAULT_MAX_CLOCK_AHEAD_MS: u64 = 5 * 60 * 1000;

/// The bound for one push, and what it re-stamped.
pub(super) struct ClockBound {
    max_ahead_ms: u64,
    /// Whether any re-stamp is stored, so bases are looked up only when one could match.
    any_stored: bool,
    furthest_ms: u64,
    seqs: Vec<u64>,
}

impl ClockBound {
    pub fn new(conn: &Connection, max_ahead_ms: u64) -> crate::store::db::Result<ClockBound> {
        let any_stored = conn.prepare_cached("SELECT 1 FROM restamps LIMIT 1")?.exists([])?;
        Ok(ClockBound { max_ahead_ms, any_stored, furthest_ms: 0, seqs: Vec::new() })
    }

    /// Gives an accepted op (validated and authorised: call nothing here for a refused one)
    /// its final stamp before it is merged. Bases naming a re-stamped write are first mapped to
    /// the stamp the server stored for it.
    pub fn stamp_accepted(&mut self, tx: &Connection, ctx: &mut Ctx, op: &mut Op) -> crate::store::db::Result<()> {
        if self.any_stored {
            for write in op.fields.values_mut() {
                if let Some(base) = write.base {
                    if let Some(stamp) = restamp_of(tx, base)? {
                        write.base = Some(stamp);
                    }
                }
            }
        }
        let limit = ctx.now_ms.saturating_add(self.max_ahead_ms);
        if op.hlc.wall_ms <= limit {
            ctx.clock.observe(op.hlc, ctx.now_ms);
            return Ok(());
        }
        let original = op.hlc;
        op.hlc = ctx.stamp();
        tx.prepare_cached("INSERT INTO restamps(original, stamp, at_ms) VALUES (?1, ?2, ?3) ON CONFLICT(original) DO UPDATE SET stamp = excluded.stamp, at_ms = excluded.at_ms")?.execute(params![
            original.to_string(),
            op.hlc.to_string(),
            ctx.now_ms as i64
        ])?;
        self.any_stored = true;
        self.furthest_ms = self.furthest_ms.max(original.wall_ms - ctx.now_ms);
        self.seqs.push(op.seq);
        Ok(())
    }

    /// What the device is told, when anything was re-stamped.
    pub fn answer(self, now_ms: u64) -> Option<ClockAhead> {
        (!self.seqs.is_empty()).then_some(ClockAhead {
            server_time_ms: now_ms,
            ahead_ms: self.furthest_ms,
            max_ahead_ms: self.max_ahead_ms,
            op_seqs: self.seqs,
        })
    }
}

fn restamp_of(tx: &Connection, original: Hlc) -> crate::store::db::Result<Option<Hlc>> {
    let stamp: Option<String> =
        tx.prepare_cached("SELECT stamp FROM restamps WHERE original = ?1")?.query_row([original.to_string()], |r| r.get(0)).optional()?;
    stamp.map(|s| s.parse::<Hlc>().map_err(|e| CorruptValue::error(format!("re-stamp of {original}"), e))).transpose()
}
