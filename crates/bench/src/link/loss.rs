//! Loss without a kernel that can drop packets (decision 107).
//!
//! `netem` does not exist on these machines, so the proxy models what a lost segment costs a
//! TCP byte stream rather than losing it: each direction's stream is cut into MSS-sized
//! segments by position (segment k is bytes [k·MSS, (k+1)·MSS)), and a seeded generator decides,
//! segment by segment in order, which are "lost". Because the decision depends on position only,
//! the same seed picks the same segments however the bytes happen to arrive in reads.
//!
//! A lost segment stalls its direction (bytes after it wait, as a receiver's in-order delivery
//! does): by one round trip when at least three later segments were already on their way when it
//! was due (three duplicate ACKs: fast retransmit), otherwise by a retransmission timeout (a tail
//! loss: the round trip plus Linux's 200 ms minimum RTO).

use std::time::Duration;

/// Payload of a full segment on a 1500-byte MTU with TCP timestamps.
pub const MSS: u64 = 1448;
/// Segments that must follow a lost one for the sender to see three duplicate ACKs.
pub const DUPACKS: u64 = 3;

/// Decides which segments of one direction's stream are lost.
pub struct LossPicker {
    rng: fastrand::Rng,
    p: f64,
    /// The next segment not yet decided.
    next_segment: u64,
}

impl LossPicker {
    pub fn new(p: f64, seed: u64) -> LossPicker {
        LossPicker { rng: fastrand::Rng::with_seed(seed), p, next_segment: 0 }
    }

    /// Stream offsets where lost segments start, among segments starting in [from, to): called
    /// with consecutive ranges as bytes are read.
    pub fn lost_in(&mut self, to: u64) -> Vec<u64> {
        let mut lost = Vec::new();
        if self.p <= 0.0 {
            return lost;
        }
        while self.next_segment * MSS < to {
            if self.rng.f64() < self.p {
                lost.push(self.next_segment * MSS);
            }
            self.next_segment += 1;
        }
        lost
    }
}

/// What a lost segment costs its direction.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stalls {
    /// Fast retransmit: about one round trip.
    pub fast_retransmit: Duration,
    /// Tail loss: the retransmission timeout.
    pub timeout: Duration,
}

impl Stalls {
    /// The stall for a segment lost at `offset` when `received` bytes of the stream had reached
    /// the proxy by the time the segment was due.
    pub fn for_loss(&self, offset: u64, received: u64) -> Duration {
        if received >= offset + (1 + DUPACKS) * MSS {
            self.fast_retransmit
        } else {
            self.timeout
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn picks(seed: u64, reads: &[u64]) -> Vec<u64> {
        let mut picker = LossPicker::new(0.01, seed);
        let mut at = 0;
        let mut lost = Vec::new();
        for r in reads {
            at += r;
            lost.extend(picker.lost_in(at));
        }
        lost
    }

    #[test]
    fn same_seed_picks_the_same_segments_however_bytes_are_read() {
        let total = 2_000 * MSS;
        let one_read = picks(7, &[total]);
        let small_reads = picks(7, &vec![1000; (total / 1000) as usize]);
        let odd_reads = picks(7, &[1, 65_536, 3, 17_000, total - 65_536 - 3 - 17_000 - 1]);
        assert_eq!(one_read, small_reads);
        assert_eq!(one_read, odd_reads);
        assert!((5..=40).contains(&one_read.len()), "about 1% of 2,000 segments: {}", one_read.len());
        assert!(one_read.iter().all(|o| o % MSS == 0 && *o < total));
        assert_ne!(one_read, picks(8, &[total]), "another seed, other segments");
    }

    #[test]
    fn no_loss_picks_nothing() {
        assert!(LossPicker::new(0.0, 1).lost_in(10_000_000).is_empty());
    }

    #[test]
    fn a_loss_with_three_segments_behind_it_is_retransmitted_fast() {
        let s = Stalls { fast_retransmit: Duration::from_millis(150), timeout: Duration::from_millis(350) };
        assert_eq!(s.for_loss(10 * MSS, 14 * MSS), s.fast_retransmit);
        assert_eq!(s.for_loss(10 * MSS, 14 * MSS - 1), s.timeout, "the last segments of a response");
        assert_eq!(s.for_loss(0, 100), s.timeout);
    }
}
