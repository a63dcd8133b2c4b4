//! Hybrid logical clock (architecture.md §2). Orders every change across devices whose wall
//! clocks disagree: a stamp is (wall ms, counter, node). Wall time only moves the clock forward,
//! so a laptop whose clock is behind still produces stamps later than anything it has seen.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// One stamp. Field order gives the total order: wall, then counter, then node as tie-break.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(into = "String")]
pub struct Hlc {
    pub wall_ms: u64,
    pub counter: u32,
    pub node: u64,
}

/// Upper bound for wall time (year ~2286) so the fixed-width text form stays sortable: a
/// fourteenth digit would make a stamp unreadable (`from_str` refuses it) and sort wrongly as text.
pub const MAX_WALL_MS: u64 = 9_999_999_999_999;

impl Hlc {
    pub const ZERO: Hlc = Hlc { wall_ms: 0, counter: 0, node: 0 };

    /// True when the stamp's text form reads back as the same stamp (its wall fits 13 digits).
    pub fn is_valid(&self) -> bool {
        self.wall_ms <= MAX_WALL_MS
    }

    /// The clock node of a device: the random tail of its UUIDv7, so two laptops never tie and
    /// the server can tell which device wrote a version.
    pub fn node_of(device_id: &uuid::Uuid) -> u64 {
        let b = device_id.as_bytes();
        u64::from_be_bytes([b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]])
    }
}

/// Text form `wwwwwwwwwwwww-ccccc...-nnnnnnnnnnnnnnnn`: fixed width, so comparing the strings
/// (as SQLite does on TEXT columns) gives the same order as comparing the stamps.
impl fmt::Display for Hlc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:013}-{:010}-{:016x}", self.wall_ms, self.counter, self.node)
    }
}

/// The text form as a regular expression, exactly what `from_str` reads: 13 digits, a counter of
/// 10 digits no larger than `u32::MAX` (4294967295, spelled out digit by digit), 16 hex digits.
#[cfg(feature = "openapi")]
const HLC_PATTERN: &str = concat!(
    "^[0-9]{13}-",
    "(?:[0-3][0-9]{9}|4(?:[01][0-9]{8}|2(?:[0-8][0-9]{7}|9(?:[0-3][0-9]{6}|4(?:[0-8][0-9]{5}|9(?:[0-5][0-9]{4}",
    "|6(?:[0-6][0-9]{3}|7(?:[01][0-9]{2}|2(?:[0-8][0-9]|9[0-5])))))))))",
    "-[0-9a-f]{16}$"
);

/// On the wire a stamp is its fixed-width text form.
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Hlc {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some(HLC_PATTERN))
            .description(Some("Hybrid logical clock stamp: wall ms, counter, device node (sorts as text)"))
            .examples([serde_json::json!("1795000000000-0000000000-8d14977970fdfb18")])
            .into()
    }
}
#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Hlc {}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a clock stamp (expected wall-counter-node)")]
pub struct BadHlc(pub String);

/// Only the canonical text form is read: exactly 13 decimal digits, 10 decimal digits and 16
/// lower-case hex digits. `u64::from_str` alone would also take a leading `+` and upper-case
/// hex, so two different texts would read as one stamp and text order would not be stamp order.
impl FromStr for Hlc {
    type Err = BadHlc;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadHlc(s.chars().take(64).collect());
        let mut parts = s.split('-');
        let (w, c, n) = (parts.next(), parts.next(), parts.next());
        if parts.next().is_some() {
            return Err(bad());
        }
        let (w, c, n) = (w.ok_or_else(bad)?, c.ok_or_else(bad)?, n.ok_or_else(bad)?);
        if w.len() != 13 || c.len() != 10 || n.len() != 16 {
            return Err(bad());
        }
        let decimal = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
        let hex = |t: &str| t.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        if !decimal(w) || !decimal(c) || !hex(n) {
            return Err(bad());
        }
        let stamp = Hlc {
            wall_ms: w.parse().map_err(|_| bad())?,
            counter: c.parse().map_err(|_| bad())?,
            node: u64::from_str_radix(n, 16).map_err(|_| bad())?,
        };
        if !stamp.is_valid() {
            return Err(bad());
        }
        Ok(stamp)
    }
}
impl TryFrom<String> for Hlc {
    type Error = BadHlc;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}
/// Read from the text form in place: a pulled page carries a stamp per field (120,000 in a first
/// pull of 10,000 notes), and going through an owned `String` allocated and freed each one.
impl<'de> Deserialize<'de> for Hlc {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Hlc, D::Error> {
        struct Stamp;
        impl serde::de::Visitor<'_> for Stamp {
            type Value = Hlc;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Hlc, E> {
                s.parse().map_err(E::custom)
            }
        }
        d.deserialize_str(Stamp)
    }
}
impl From<Hlc> for String {
    fn from(h: Hlc) -> String {
        h.to_string()
    }
}

/// The clock of one device. The caller passes the current wall time in, so tests control it.
#[derive(Debug, Clone)]
pub struct HlcClock {
    last: Hlc,
}

impl HlcClock {
    pub fn new(node: u64) -> Self {
        HlcClock { last: Hlc { wall_ms: 0, counter: 0, node } }
    }

    /// Restores a clock from its last issued stamp (persisted by the store). A wall beyond
    /// [`MAX_WALL_MS`] is capped, so the clock never issues a stamp that does not read back.
    pub fn resume(last: Hlc) -> Self {
        HlcClock { last: Hlc { wall_ms: last.wall_ms.min(MAX_WALL_MS), ..last } }
    }

    pub fn last(&self) -> Hlc {
        self.last
    }

    /// A stamp for a local event, later than every stamp issued or observed so far.
    pub fn tick(&mut self, now_ms: u64) -> Hlc {
        let now = now_ms.min(MAX_WALL_MS);
        self.last =
            if now > self.last.wall_ms { Hlc { wall_ms: now, counter: 0, node: self.last.node } } else { self.bump(self.last.wall_ms) };
        self.last
    }

    /// Merges a stamp received from elsewhere so later local stamps sort after it.
    pub fn observe(&mut self, remote: Hlc, now_ms: u64) {
        let now = now_ms.min(MAX_WALL_MS);
        let wall = now.max(self.last.wall_ms).max(remote.wall_ms.min(MAX_WALL_MS));
        if wall == now && wall > self.last.wall_ms && wall > remote.wall_ms {
            self.last = Hlc { wall_ms: wall, counter: 0, node: self.last.node };
            return;
        }
        let counter = match (wall == self.last.wall_ms, wall == remote.wall_ms) {
            (true, true) => self.last.counter.max(remote.counter),
            (true, false) => self.last.counter,
            (false, true) => remote.counter,
            (false, false) => 0,
        };
        self.last = Hlc { wall_ms: wall, counter, node: self.last.node };
        self.last = self.bump(wall);
    }

    /// The next stamp at `wall`. Counter overflow (4 billion events in one millisecond) moves
    /// to the next millisecond; at [`MAX_WALL_MS`] (year 2286) there is no next millisecond
    /// that still reads back, so the stamp saturates at the largest one instead of overflowing.
    fn bump(&self, wall: u64) -> Hlc {
        let wall = wall.min(MAX_WALL_MS);
        let node = self.last.node;
        match self.last.counter.checked_add(1) {
            Some(c) => Hlc { wall_ms: wall, counter: c, node },
            None if wall < MAX_WALL_MS => Hlc { wall_ms: wall + 1, counter: 0, node },
            None => Hlc { wall_ms: MAX_WALL_MS, counter: u32::MAX, node },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn monotonic_when_wall_clock_goes_backwards() {
        let mut c = HlcClock::new(7);
        let a = c.tick(1_000);
        let b = c.tick(900); // clock stepped back (NTP correction)
        let d = c.tick(900);
        assert!(a < b && b < d, "{a} {b} {d}");
        assert_eq!(b.wall_ms, 1_000);
    }

    #[test]
    fn observing_a_skewed_remote_keeps_local_stamps_later() {
        let mut laptop = HlcClock::new(1);
        laptop.tick(1_000);
        // A peer whose clock is ten minutes ahead.
        let remote = Hlc { wall_ms: 601_000, counter: 3, node: 2 };
        laptop.observe(remote, 1_001);
        let next = laptop.tick(1_002);
        assert!(next > remote, "{next} must sort after {remote}");
    }

    #[test]
    fn node_breaks_ties() {
        let a = Hlc { wall_ms: 5, counter: 1, node: 1 };
        let b = Hlc { wall_ms: 5, counter: 1, node: 2 };
        assert!(a < b);
        assert!(a.to_string() < b.to_string());
    }

    #[test]
    fn bad_text_is_refused() {
        for s in [
            "",
            "1-2-3",
            "0000000000001-0000000001",
            "x000000000001-0000000001-0000000000000001",
            // Non-canonical spellings of valid stamps: a sign, upper-case hex.
            "+000000000001-0000000001-0000000000000001",
            "0000000000001-+000000001-0000000000000001",
            "0000000000001-0000000001-+000000000000001",
            "0000000000001-0000000001-000000000000000A",
            // Counter beyond u32, wall with a fourteenth digit (what an overflow used to write).
            "0000000000001-9999999999-0000000000000001",
            "10000000000000-0000000000-0000000000000001",
        ] {
            assert!(s.parse::<Hlc>().is_err(), "{s}");
        }
    }

    /// The stamp from issue 15: the largest wall and counter. Observing it and ticking used to
    /// overflow the counter into a fourteenth wall digit that nothing could read back.
    #[test]
    fn the_largest_stamp_saturates_instead_of_overflowing() {
        let top: Hlc = "9999999999999-4294967295-ffffffffffffffff".parse().unwrap();
        let mut c = HlcClock::new(1);
        c.observe(top, 1_000);
        let next = c.tick(1_001);
        assert_eq!((next.wall_ms, next.counter), (MAX_WALL_MS, u32::MAX));
        assert_eq!(next.to_string().parse::<Hlc>().unwrap(), next);
        let beyond = HlcClock::resume(Hlc { wall_ms: u64::MAX, counter: u32::MAX, node: 1 }).tick(u64::MAX);
        assert!(beyond.is_valid(), "{beyond:?}");
    }

    /// A counter overflow below the limit moves to the next millisecond, as before.
    #[test]
    fn counter_overflow_moves_to_the_next_millisecond() {
        let mut c = HlcClock::resume(Hlc { wall_ms: 5_000, counter: u32::MAX, node: 1 });
        assert_eq!(c.tick(4_000), Hlc { wall_ms: 5_001, counter: 0, node: 1 });
    }

    proptest! {
        #[test]
        fn text_order_equals_stamp_order(a in (0u64..MAX_WALL_MS, any::<u32>(), any::<u64>()),
                                         b in (0u64..MAX_WALL_MS, any::<u32>(), any::<u64>())) {
            let a = Hlc { wall_ms: a.0, counter: a.1, node: a.2 };
            let b = Hlc { wall_ms: b.0, counter: b.1, node: b.2 };
            prop_assert_eq!(a.cmp(&b), a.to_string().cmp(&b.to_string()));
            prop_assert_eq!(a.to_string().parse::<Hlc>().unwrap(), a);
        }

        /// Fuzz of the text form: whatever text comes in, reading never panics, and a text
        /// that reads is exactly the text the stamp writes (so text order is stamp order).
        #[test]
        fn any_text_that_reads_is_the_stamps_own_text(s in prop_oneof![
            any::<String>(),
            "[0-9+ a-fA-F-]{0,48}",
            "[0-9+]{12,14}-[0-9+]{9,11}-[0-9a-fA-F+]{15,17}",
            "[0-9]{13}-[0-9]{10}-[0-9a-f]{16}",
            "9{13}-4{1}[0-9]{9}-f{16}",
        ]) {
            if let Ok(stamp) = s.parse::<Hlc>() {
                prop_assert!(stamp.is_valid());
                prop_assert_eq!(stamp.to_string(), s.clone());
                prop_assert_eq!(serde_json::from_value::<Hlc>(serde_json::json!(s)).unwrap(), stamp);
            }
        }

        /// Fuzz of the arithmetic at the limits: walls near MAX_WALL_MS (and beyond, as a
        /// wrong clock reports them), counters near u32::MAX. Every stamp the clock issues reads
        /// back from its text, never sorts before an earlier one, and is strictly later except
        /// at the one saturated stamp.
        #[test]
        fn arithmetic_at_the_limits_keeps_stamps_readable_and_ordered(
            start in (prop_oneof![0u64..=MAX_WALL_MS, (MAX_WALL_MS - 5)..=MAX_WALL_MS], prop_oneof![any::<u32>(), (u32::MAX - 3)..=u32::MAX]),
            events in proptest::collection::vec((
                any::<bool>(),
                prop_oneof![any::<u64>(), (MAX_WALL_MS - 5)..=(MAX_WALL_MS + 5), 0u64..10_000],
                prop_oneof![(MAX_WALL_MS - 5)..=MAX_WALL_MS, 0u64..10_000, any::<u64>()],
                prop_oneof![(u32::MAX - 3)..=u32::MAX, any::<u32>(), 0u32..5],
                any::<u64>(),
            ), 1..100),
        ) {
            let mut c = HlcClock::resume(Hlc { wall_ms: start.0, counter: start.1, node: 9 });
            let mut seen = c.last();
            let saturated = |h: Hlc| h.wall_ms == MAX_WALL_MS && h.counter == u32::MAX;
            for (local, now, remote_wall, remote_counter, remote_node) in events {
                let before = c.last();
                let remote = Hlc { wall_ms: remote_wall, counter: remote_counter, node: remote_node };
                let s = if local { c.tick(now) } else { c.observe(remote, now); c.last() };
                prop_assert!(s.is_valid(), "{:?}", s);
                prop_assert_eq!(s.to_string().parse::<Hlc>().unwrap(), s);
                prop_assert_eq!(s.to_string().len(), 41);
                prop_assert!(s >= seen && s.cmp(&before) == s.to_string().cmp(&before.to_string()));
                if !saturated(s) {
                    prop_assert!(s > seen, "{} after {}", s, seen);
                    if !local && remote.is_valid() {
                        prop_assert!(s > remote, "{} after observing {}", s, remote);
                    }
                }
                seen = s;
            }
        }

        #[test]
        fn every_stamp_is_later_than_all_before(events in proptest::collection::vec((any::<bool>(), 0u64..10_000, 0u64..10_000, 0u32..5), 1..200)) {
            let mut c = HlcClock::new(9);
            let mut seen = Hlc::ZERO;
            for (local, now, remote_wall, remote_counter) in events {
                if local {
                    let s = c.tick(now);
                    prop_assert!(s > seen);
                    seen = s;
                } else {
                    let r = Hlc { wall_ms: remote_wall, counter: remote_counter, node: 3 };
                    c.observe(r, now);
                    prop_assert!(c.last() > r && c.last() > seen);
                    seen = c.last();
                }
            }
        }
    }
}
