//! Sign-in and invitation throttling (issue 15), in memory: nothing is written to the database
//! for a failed attempt, and no lock is taken before credentials are checked.
//!
//! The limits are built so that nobody can use them against someone else:
//! - **Per client address**: a bucket of failed attempts (`burst`, one back every
//!   `refill_every`). Each attempt takes one before any work; a success gives it back, so people
//!   who sign in correctly never run it down, only guessing does.
//! - **Per e-mail and address**: after [`FREE_FAILURES`] failures, a back-off that doubles per
//!   failure up to [`MAX_BACKOFF_MS`]. Only that address waits: the owner elsewhere is not locked out.
//! - **Per account, right password but wrong code**: the same back-off for the whole account,
//!   since only someone who knows the password can start it (it stops guessing the 6 digits).
//! - **Per invitation**: at most [`MAX_INVITATION_CODE_TRIES`] wrong authenticator codes.
//! - **Globally**: password hashing (argon2, tens of ms and 19 MiB each) runs at most one per
//!   core at a time; a request that waits longer than [`HASHING_WAIT`] is told the server is busy.

use super::AuthError;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Failures per e-mail and address, and per account, before a back-off starts.
pub const FREE_FAILURES: u32 = 5;
/// The longest back-off: 15 minutes.
pub const MAX_BACKOFF_MS: u64 = 15 * 60 * 1000;
/// Failure counts are forgotten a day after the last failure.
const FORGET_AFTER_MS: u64 = 24 * 60 * 60 * 1000;
/// Wrong authenticator codes one invitation accepts; then a new invitation is needed.
pub const MAX_INVITATION_CODE_TRIES: u32 = 10;
/// The longest a sign-in waits for a turn to hash a password before `server_busy`.
pub const HASHING_WAIT: Duration = Duration::from_secs(10);
/// Above this many remembered keys, entries that no longer limit anyone are dropped.
const PRUNE_AT: usize = 10_000;

/// The per-address limit, from `ServerConfig`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttemptLimit {
    /// Failed attempts an address may make at once.
    pub burst: u32,
    /// One more is allowed after this long.
    pub refill_every: Duration,
}

impl Default for AttemptLimit {
    /// 20 at once, then 2 a minute (120 an hour) per address.
    fn default() -> Self {
        AttemptLimit { burst: 20, refill_every: Duration::from_secs(30) }
    }
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    /// Attempts left, in thousandths, so the refill needs no floating point.
    milli: u64,
    at_ms: u64,
}

#[derive(Debug, Clone, Copy, Default)]
struct Backoff {
    failures: u32,
    until_ms: u64,
    last_ms: u64,
}

impl Backoff {
    fn fail(&mut self, now_ms: u64) {
        if now_ms >= self.last_ms + FORGET_AFTER_MS {
            *self = Backoff::default();
        }
        self.failures = self.failures.saturating_add(1);
        self.last_ms = now_ms;
        if self.failures >= FREE_FAILURES {
            let doublings = (self.failures - FREE_FAILURES).min(20);
            self.until_ms = now_ms + (1000u64 << doublings).min(MAX_BACKOFF_MS);
        }
    }

    fn wait_s(&self, now_ms: u64) -> Option<u64> {
        (self.until_ms > now_ms).then(|| (self.until_ms - now_ms).div_ceil(1000))
    }
}

#[derive(Default)]
struct State {
    addresses: HashMap<IpAddr, Bucket>,
    pairs: HashMap<(String, IpAddr), Backoff>,
    accounts: HashMap<String, Backoff>,
    invitations: HashMap<String, u32>,
}

pub struct Throttle {
    limit: Mutex<AttemptLimit>,
    state: Mutex<State>,
    hashing: Arc<Semaphore>,
}

/// One attempt taken from an address's bucket: [`Throttle::succeeded`] gives it back.
#[must_use]
pub struct Ticket(IpAddr);

/// IPv6 clients are counted per /64, the block one household or site gets.
fn bucket_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6((u128::from(v6) & !((1u128 << 64) - 1)).into()),
        },
        v4 => v4,
    }
}

impl Default for Throttle {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Throttle { limit: Mutex::new(AttemptLimit::default()), state: Mutex::default(), hashing: Arc::new(Semaphore::new(cores)) }
    }
}

impl Throttle {
    pub fn set_limit(&self, limit: AttemptLimit) {
        *self.limit.lock().unwrap_or_else(|p| p.into_inner()) = limit;
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Takes one attempt from the address's bucket, or says how long until one is back.
    pub fn take(&self, ip: IpAddr, now_ms: u64) -> Result<Ticket, AuthError> {
        let limit = *self.limit.lock().unwrap_or_else(|p| p.into_inner());
        let full = u64::from(limit.burst.max(1)) * 1000;
        let every_ms = (limit.refill_every.as_millis() as u64).max(1);
        let key = bucket_key(ip);
        let mut s = self.state();
        if s.addresses.len() >= PRUNE_AT {
            s.addresses.retain(|_, b| b.milli + now_ms.saturating_sub(b.at_ms) * 1000 / every_ms < full);
        }
        let b = s.addresses.entry(key).or_insert(Bucket { milli: full, at_ms: now_ms });
        // Credit whole thousandths and move the clock on by exactly their worth: a flood of
        // refused attempts a millisecond apart must not round the refill away.
        let gained = now_ms.saturating_sub(b.at_ms) * 1000 / every_ms;
        b.milli += gained;
        b.at_ms += gained * every_ms / 1000;
        if b.milli >= full {
            b.milli = full;
            b.at_ms = now_ms;
        }
        if b.milli < 1000 {
            let wait_ms = (1000 - b.milli) * every_ms / 1000;
            // Debug only: a flood would otherwise write a log line per request.
            tracing::debug!(client = %ip, "sign-in refused: too many failed attempts from this address");
            return Err(AuthError::TooManyAttempts { retry_after_s: wait_ms.div_ceil(1000).max(1) });
        }
        b.milli -= 1000;
        if b.milli < 1000 {
            tracing::warn!(client = %ip, "a client address has used up its sign-in attempts; it gets one more every {} s", every_ms / 1000);
        }
        Ok(Ticket(key))
    }

    /// The attempt succeeded (or was not a guess): its address gets it back.
    pub fn succeeded(&self, ticket: Ticket) {
        let full = u64::from(self.limit.lock().unwrap_or_else(|p| p.into_inner()).burst.max(1)) * 1000;
        if let Some(b) = self.state().addresses.get_mut(&ticket.0) {
            b.milli = (b.milli + 1000).min(full);
        }
    }

    /// Refuses while this address is backing off from failures for this e-mail.
    pub fn check_email(&self, email: &str, ip: IpAddr, now_ms: u64) -> Result<(), AuthError> {
        let s = self.state();
        match s.pairs.get(&(email.to_owned(), bucket_key(ip))).and_then(|b| b.wait_s(now_ms)) {
            Some(retry_after_s) => Err(AuthError::TooManyAttempts { retry_after_s }),
            None => Ok(()),
        }
    }

    /// Checks and counts an attempt as failed in one step, before the credentials are checked,
    /// so parallel guesses all count; a success then clears the count ([`Throttle::email_succeeded`]).
    pub fn begin_email(&self, email: &str, ip: IpAddr, now_ms: u64) -> Result<(), AuthError> {
        let mut s = self.state();
        if s.pairs.len() >= PRUNE_AT {
            s.pairs.retain(|_, b| now_ms < b.last_ms + FORGET_AFTER_MS && b.until_ms > now_ms);
        }
        let b = s.pairs.entry((email.to_owned(), bucket_key(ip))).or_default();
        if let Some(retry_after_s) = b.wait_s(now_ms) {
            return Err(AuthError::TooManyAttempts { retry_after_s });
        }
        b.fail(now_ms);
        Ok(())
    }

    pub fn email_failed(&self, email: &str, ip: IpAddr, now_ms: u64) {
        let mut s = self.state();
        if s.pairs.len() >= PRUNE_AT {
            s.pairs.retain(|_, b| now_ms < b.last_ms + FORGET_AFTER_MS && b.until_ms > now_ms);
        }
        s.pairs.entry((email.to_owned(), bucket_key(ip))).or_default().fail(now_ms);
    }

    pub fn email_succeeded(&self, email: &str, ip: IpAddr) {
        self.state().pairs.remove(&(email.to_owned(), bucket_key(ip)));
    }

    /// Refuses while the account backs off from right passwords with wrong codes.
    pub fn check_account(&self, user_id: &str, now_ms: u64) -> Result<(), AuthError> {
        match self.state().accounts.get(user_id).and_then(|b| b.wait_s(now_ms)) {
            Some(retry_after_s) => Err(AuthError::TooManyAttempts { retry_after_s }),
            None => Ok(()),
        }
    }

    pub fn code_failed(&self, user_id: &str, now_ms: u64) {
        let mut s = self.state();
        let b = s.accounts.entry(user_id.to_owned()).or_default();
        b.fail(now_ms);
        if b.failures >= FREE_FAILURES {
            tracing::warn!(
                user_id,
                failures = b.failures,
                "the right password with wrong authenticator codes: the password may be known to someone else"
            );
        }
    }

    pub fn account_succeeded(&self, user_id: &str) {
        self.state().accounts.remove(user_id);
    }

    /// Wrong codes tried for this invitation so far.
    pub fn invitation_tries(&self, invitation_id: &str) -> u32 {
        self.state().invitations.get(invitation_id).copied().unwrap_or(0)
    }

    /// Counts a wrong code; returns the tries left.
    pub fn invitation_failed(&self, invitation_id: &str) -> u32 {
        let mut s = self.state();
        let n = s.invitations.entry(invitation_id.to_owned()).or_default();
        *n = n.saturating_add(1);
        MAX_INVITATION_CODE_TRIES.saturating_sub(*n)
    }

    pub fn invitation_done(&self, invitation_id: &str) {
        self.state().invitations.remove(invitation_id);
    }

    /// A turn to hash or verify a password; `server_busy` after waiting [`HASHING_WAIT`].
    pub async fn hashing_turn(&self) -> Result<OwnedSemaphorePermit, AuthError> {
        match tokio::time::timeout(HASHING_WAIT, self.hashing.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(AuthError::Busy),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: u64 = 1_795_000_000_000;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn an_address_runs_out_only_by_failing_and_refills_over_time() {
        let t = Throttle::default();
        t.set_limit(AttemptLimit { burst: 3, refill_every: Duration::from_secs(30) });
        let a = ip("203.0.113.7");
        for _ in 0..10 {
            let ticket = t.take(a, T).unwrap();
            t.succeeded(ticket);
        }
        for _ in 0..3 {
            let _spent = t.take(a, T).unwrap();
        }
        match t.take(a, T) {
            Err(AuthError::TooManyAttempts { retry_after_s }) => assert_eq!(retry_after_s, 30),
            other => panic!("{:?}", other.map(|_| ())),
        }
        assert!(t.take(ip("198.51.100.2"), T).is_ok(), "another address is not affected");
        // Refused attempts every millisecond do not stop the refill.
        for ms in 1..30_000 {
            assert!(t.take(a, T + ms).is_err());
        }
        assert!(t.take(a, T + 30_000).is_ok(), "one attempt back after 30 s");
        assert!(t.take(a, T + 30_000).is_err());
    }

    #[test]
    fn ipv6_addresses_share_a_bucket_per_64() {
        let t = Throttle::default();
        t.set_limit(AttemptLimit { burst: 1, refill_every: Duration::from_secs(60) });
        let _spent = t.take(ip("2001:db8:1:2::1"), T).unwrap();
        assert!(t.take(ip("2001:db8:1:2::ffff"), T).is_err(), "same /64");
        assert!(t.take(ip("2001:db8:1:3::1"), T).is_ok());
    }

    #[test]
    fn back_off_doubles_after_five_failures_up_to_fifteen_minutes() {
        let t = Throttle::default();
        let (e, a) = ("anika.marsh@example.org", ip("203.0.113.7"));
        for _ in 0..4 {
            t.email_failed(e, a, T);
            t.check_email(e, a, T).unwrap();
        }
        let mut waits = Vec::new();
        for _ in 0..12 {
            t.email_failed(e, a, T);
            match t.check_email(e, a, T) {
                Err(AuthError::TooManyAttempts { retry_after_s }) => waits.push(retry_after_s),
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(waits, [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900]);
        // Counting before the check: the next attempt is refused while another is still running.
        let b = ip("192.0.2.44");
        for _ in 0..5 {
            t.begin_email(e, b, T).unwrap();
        }
        assert!(matches!(t.begin_email(e, b, T), Err(AuthError::TooManyAttempts { retry_after_s: 1 })));
        t.check_email(e, ip("198.51.100.2"), T).unwrap();
        t.email_succeeded(e, a);
        t.check_email(e, a, T).unwrap();
    }

    #[test]
    fn invitations_count_wrong_codes() {
        let t = Throttle::default();
        assert_eq!(t.invitation_failed("inv-1"), MAX_INVITATION_CODE_TRIES - 1);
        assert_eq!(t.invitation_tries("inv-1"), 1);
        assert_eq!(t.invitation_tries("inv-2"), 0);
        t.invitation_done("inv-1");
        assert_eq!(t.invitation_tries("inv-1"), 0);
    }
}
