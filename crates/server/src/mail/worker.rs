//! The delivery worker: one tokio task per server. Each round it queues the periodic mail
//! (overdue reports, laptops with old unsent work) when that is due, then sends pending mail
//! whose time has come, oldest first. A failure is retried with exponential back-off and jitter;
//! after `max_attempts` the mail is a dead letter. While the SMTP server cannot be reached the
//! whole queue pauses, for a back-off of its own that grows with each failed probe: one mail
//! probes the server per pause, so an outage does not spend every queued mail's attempts at once,
//! and everything flows again at the first probe after it ends.

use super::transport::build_message;
use super::{MailConfig, SendError, Template, Transport};
use crate::store::mail_outbox::{Attempt, DueMail};
use crate::store::{now_ms, Lease, ServerStore};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Mail read from the outbox per round.
const BATCH: usize = 50;
/// The longest the worker sleeps with nothing due (a clock change or a missed wake-up is
/// noticed within this).
const IDLE: Duration = Duration::from_secs(60);
/// How often an instance that does not send looks whether the sender has gone.
const NOT_LEADING: Duration = Duration::from_secs(10);

/// The running worker. `finish` lets the mail in flight end and stops.
pub struct Worker {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl Worker {
    /// Starts the worker on the current runtime. `default_url` is the server's own address,
    /// used in links when no public address is configured.
    pub fn spawn(store: Arc<ServerStore>, config: MailConfig, transport: Transport, default_url: String) -> Worker {
        let public_url = config.public_url.clone().unwrap_or(default_url).trim_end_matches('/').to_owned();
        tracing::info!(public_url, "mail: {}", transport.describe());
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(run(store, config, transport, public_url, stopped));
        Worker { stop, task }
    }

    /// Stops after the attempt in flight has been recorded, so a restart neither loses nor
    /// repeats it.
    pub async fn finish(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

/// How long to wait after the `attempt`th failed attempt (1 for the first): `base · 2^(attempt-1)`
/// capped at `max`, then a random point in its upper half, so mail that failed together does
/// not come back together.
pub fn backoff(attempt: u32, base: Duration, max: Duration) -> Duration {
    let doubled = base.saturating_mul(1u32.checked_shl(attempt.saturating_sub(1).min(31)).unwrap_or(u32::MAX));
    let full = doubled.min(max);
    let half = full / 2;
    half + Duration::from_millis(fastrand::u64(0..=half.as_millis().min(u64::MAX as u128) as u64))
}

async fn run(store: Arc<ServerStore>, config: MailConfig, transport: Transport, public_url: String, mut stopped: watch::Receiver<bool>) {
    let mut next_check = Instant::now();
    // Failed probes in a row while the mail server is unreachable, and the queue's pause.
    let mut outage = 0u32;
    let mut paused_until: Option<Instant> = None;
    loop {
        // Told to stop, or the server that started this worker is gone (dropped without `finish`).
        if *stopped.borrow() || stopped.has_changed().is_err() {
            return;
        }
        // With several instances on one database only the one holding the lease sends (decision
        // 103); the others look again after a short while, ready to take over.
        let s = store.clone();
        let leading = match tokio::task::spawn_blocking(move || s.holds(Lease::MailSending)).await {
            Ok(Ok(leading)) => leading,
            Ok(Err(e)) => {
                tracing::error!("mail: asking whether this instance sends failed: {e}");
                false
            }
            Err(e) => {
                tracing::error!("mail: asking whether this instance sends stopped: {e}");
                false
            }
        };
        if !leading {
            tokio::select! {
                changed = stopped.changed() => if changed.is_err() { return },
                _ = tokio::time::sleep(NOT_LEADING) => {}
            }
            continue;
        }
        if Instant::now() >= next_check {
            next_check = Instant::now() + config.check_every;
            let (s, every) = (store.clone(), config.overdue_every);
            match tokio::task::spawn_blocking(move || s.queue_periodic_mail(now_ms(), every.as_millis() as u64)).await {
                Ok(Ok(0)) => {}
                Ok(Ok(queued)) => tracing::info!(queued, "mail: reminders queued (overdue reports, unsent work)"),
                Ok(Err(e)) => tracing::error!("mail: looking for overdue reports and unsent work failed: {e}"),
                Err(e) => tracing::error!("mail: the reminder check stopped: {e}"),
            }
        }
        let paused = paused_until.is_some_and(|t| t > Instant::now());
        let s = store.clone();
        let due = match tokio::task::spawn_blocking(move || if paused { Ok(Vec::new()) } else { s.due_mail(now_ms(), BATCH) }).await {
            Ok(Ok(due)) => due,
            Ok(Err(e)) => {
                tracing::error!("mail: reading the outbox failed: {e}");
                Vec::new()
            }
            Err(e) => {
                tracing::error!("mail: reading the outbox stopped: {e}");
                Vec::new()
            }
        };
        let full = due.len() == BATCH;
        let mut unreachable = false;
        for mail in due {
            if *stopped.borrow() {
                return;
            }
            let outcome = deliver(&transport, &config, &public_url, &mail).await;
            let mut not_before = None;
            match &outcome {
                Ok(()) => outage = 0,
                Err(SendError::Unreachable(_)) => {
                    outage += 1;
                    let pause = backoff(outage, config.retry_base, config.retry_max);
                    paused_until = Some(Instant::now() + pause);
                    not_before = Some(now_ms() + pause.as_millis() as u64);
                    unreachable = true;
                }
                Err(_) => {}
            }
            record(&store, &config, &mail, outcome, not_before).await;
            if unreachable {
                break;
            }
        }
        if full && !unreachable {
            continue;
        }
        let until_due = match paused_until.map(|t| t.saturating_duration_since(Instant::now())).filter(|d| !d.is_zero()) {
            Some(pause) => pause,
            None => {
                let s = store.clone();
                let next_due = tokio::task::spawn_blocking(move || s.next_mail_due_ms()).await.ok().and_then(Result::ok).flatten();
                next_due.map_or(IDLE, |at| Duration::from_millis(at.saturating_sub(now_ms())))
            }
        };
        let sleep = until_due.min(next_check.saturating_duration_since(Instant::now())).min(IDLE);
        tokio::select! {
            changed = stopped.changed() => if changed.is_err() { return },
            _ = store.mail_queued() => {}
            _ = tokio::time::sleep(sleep) => {}
        }
    }
}

/// Renders and sends one mail.
async fn deliver(transport: &Transport, config: &MailConfig, public_url: &str, mail: &DueMail) -> Result<(), SendError> {
    let values = values_with_links(mail, public_url);
    let rendered = mail.template.render(&values).map_err(|e| SendError::Permanent(e.to_string()))?;
    let message = build_message(&config.from, &mail.recipient, &mail.message_id, &rendered)?;
    transport.send(&mail.message_id, &message).await
}

/// The stored values plus the links, made here from the configured address so a mail queued
/// before the address changed still points to the right place.
fn values_with_links(mail: &DueMail, public_url: &str) -> Value {
    let mut values = mail.params.clone();
    values["public_url"] = json!(public_url);
    if mail.template == Template::Invitation {
        let code = values.get("code").and_then(Value::as_str).unwrap_or_default().to_owned();
        values["app_link"] = json!(qar_core::invitation_link::invitation_link(public_url, &code));
        // The browser's sign-up page; the code is typed there, never put in a link a proxy logs.
        values["signup_link"] = json!(format!("{public_url}/signup"));
    }
    values
}

/// Records an attempt's outcome; a retry is not before `not_before` (the queue's pause).
async fn record(store: &Arc<ServerStore>, config: &MailConfig, mail: &DueMail, outcome: Result<(), SendError>, not_before: Option<u64>) {
    let attempt = mail.attempts + 1;
    let (result, error) = match &outcome {
        Ok(()) => (Attempt::Sent, None),
        Err(SendError::Permanent(text)) => (Attempt::Dead, Some(text.clone())),
        Err(e) if attempt >= config.max_attempts => (Attempt::Dead, Some(e.text().to_owned())),
        Err(e) => {
            let wait = backoff(attempt, config.retry_base, config.retry_max);
            let at_ms = (now_ms() + wait.as_millis() as u64).max(not_before.unwrap_or(0));
            (Attempt::Retry { at_ms }, Some(e.text().to_owned()))
        }
    };
    match (&result, &error) {
        (Attempt::Sent, _) => tracing::info!(message_id = mail.message_id, template = mail.template.code(), "mail: sent"),
        (Attempt::Retry { at_ms }, Some(e)) => {
            let in_s = at_ms.saturating_sub(now_ms()) / 1000;
            tracing::warn!(message_id = mail.message_id, attempt, retry_in_s = in_s, "mail: not sent, will retry: {e}")
        }
        (_, e) => tracing::error!(
            message_id = mail.message_id,
            attempt,
            "mail: undelivered, kept as a dead letter for an administrator to resend: {}",
            e.as_deref().unwrap_or("")
        ),
    }
    let (s, id) = (store.clone(), mail.message_id.clone());
    let saved = tokio::task::spawn_blocking(move || s.mail_attempted(&id, result, now_ms(), error.as_deref())).await;
    if !matches!(saved, Ok(Ok(()))) {
        // The mail stays pending and is tried again: at worst sent twice with one Message-ID.
        tracing::error!(message_id = mail.message_id, "mail: the attempt could not be recorded");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_off_doubles_to_its_cap_with_jitter_in_the_upper_half() {
        let (base, max) = (Duration::from_secs(30), Duration::from_secs(1800));
        for (attempt, full) in [(1, 30), (2, 60), (3, 120), (4, 240), (5, 480), (6, 960), (7, 1800), (8, 1800), (40, 1800)] {
            for _ in 0..50 {
                let d = backoff(attempt, base, max);
                let full = Duration::from_secs(full);
                assert!(d >= full / 2 && d <= full, "attempt {attempt}: {d:?} not in [{:?}, {full:?}]", full / 2);
            }
        }
    }

    /// A server dropped without `finish` (tests do it all the time) must not leave its worker
    /// running: with its stop channel closed it ends instead of waking at once for ever.
    #[tokio::test]
    async fn a_worker_whose_server_is_gone_ends() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(crate::open_store(dir.path(), None, &crate::KeySource::DataDir).unwrap());
        let transport = Transport::Folder(dir.path().join("mail"));
        let Worker { stop, task } = Worker::spawn(store, MailConfig::default(), transport, "http://127.0.0.1:1".into());
        drop(stop);
        tokio::time::timeout(Duration::from_secs(5), task).await.expect("the worker ended").unwrap();
    }

    /// A ten-minute SMTP outage with the default settings: the queue is probed at growing
    /// intervals, and its mail goes at the first probe after the outage. Simulated 10,000 times
    /// with the real back-off (`-- --nocapture` prints the figures for the closing note).
    #[test]
    fn a_ten_minute_outage_costs_a_few_probes_and_minutes() {
        let config = MailConfig::default();
        let outage = Duration::from_secs(600);
        let (mut worst_late, mut total_late, mut most_probes) = (Duration::ZERO, Duration::ZERO, 0);
        let runs = 10_000;
        for _ in 0..runs {
            let (mut t, mut probes) = (Duration::ZERO, 0u32);
            while t < outage {
                probes += 1;
                t += backoff(probes, config.retry_base, config.retry_max);
            }
            let late = t - outage;
            worst_late = worst_late.max(late);
            total_late += late;
            most_probes = most_probes.max(probes);
        }
        let mean = total_late / runs;
        eprintln!("ten-minute outage: at most {most_probes} failed probes; mail out {mean:?} after the outage on average, {worst_late:?} at worst");
        assert!(most_probes <= 7 && most_probes < config.max_attempts, "no mail comes near its last attempt");
        assert!(worst_late <= Duration::from_secs(600), "out within ten minutes of the outage's end: {worst_late:?}");
    }
}
