//! Long-polls that wake on commits of every server instance (issue 20, decision 98). Each
//! writing transaction on PostgreSQL sends `NOTIFY qar_feed` before it commits, and PostgreSQL
//! delivers it at commit, to every connection listening on the database. Each instance keeps one
//! such connection: on a notification it reads the newest `server_seq` and hands it to `on_seq`,
//! which feeds the store's in-process wake-up (the one its own commits already use).
//!
//! A dropped connection is made again (with a growing pause); once it listens again, the newest
//! seq is read and handed over at once, because notifications sent while it was away are lost.

use super::postgres::runtime;
use std::sync::Arc;
use std::time::Duration;

/// The channel every writing transaction notifies.
pub const FEED_CHANNEL: &str = "qar_feed";

/// What the listener's connection calls itself (`pg_stat_activity.application_name`), so an
/// operator (and the tests) can tell it from the store's own connections.
pub const LISTENER_NAME: &str = "qar-server feed listener";

/// The longest pause between attempts to connect again.
const MAX_PAUSE: Duration = Duration::from_secs(5);

/// Listens while it lives; dropping it ends the listening connection.
pub struct FeedListener {
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for FeedListener {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

impl FeedListener {
    /// Starts listening on the database at `url`; `on_seq` gets the newest committed seq after
    /// every notification (several arriving together are read once) and after each reconnect.
    pub fn start(url: &str, on_seq: impl Fn(u64) + Send + Sync + 'static) -> Result<FeedListener, super::Error> {
        let mut config: tokio_postgres::Config = url.parse().map_err(super::postgres::error)?;
        config.application_name(LISTENER_NAME);
        let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
        let on_seq: Arc<dyn Fn(u64) + Send + Sync> = Arc::new(on_seq);
        runtime().spawn(async move {
            let mut pause = Duration::from_millis(50);
            loop {
                tokio::select! {
                    _ = &mut stopped => return,
                    ended = listen_once(&config, on_seq.clone()) => {
                        match ended {
                            Ok(()) => {
                                tracing::warn!("the PostgreSQL feed listener's connection closed: listening again");
                                pause = Duration::from_millis(50);
                            }
                            Err(e) => tracing::warn!("the PostgreSQL feed listener failed ({e}): trying again in {pause:?}"),
                        }
                    }
                }
                tokio::select! {
                    _ = &mut stopped => return,
                    _ = tokio::time::sleep(pause) => {}
                }
                pause = (pause * 2).min(MAX_PAUSE);
            }
        });
        Ok(FeedListener { stop: Some(stop) })
    }
}

/// One listening connection, until it ends: connects, listens, hands over the newest seq (what
/// was missed while not listening), then hands it over again after each burst of notifications.
async fn listen_once(config: &tokio_postgres::Config, on_seq: Arc<dyn Fn(u64) + Send + Sync>) -> Result<(), tokio_postgres::Error> {
    let (client, mut connection) = config.connect(tokio_postgres::NoTls).await?;
    let woken = Arc::new(tokio::sync::Notify::new());
    // The connection is driven here (not by a spawned `connection.await`), so its notifications
    // are seen; it ends when the server closes it or the socket breaks.
    let driver = {
        let woken = woken.clone();
        async move {
            loop {
                match std::future::poll_fn(|cx| connection.poll_message(cx)).await {
                    Some(Ok(tokio_postgres::AsyncMessage::Notification(_))) => woken.notify_one(),
                    Some(Ok(_)) => {}
                    Some(Err(e)) => return Err(e),
                    None => return Ok(()),
                }
            }
        }
    };
    tokio::select! {
        ended = driver => ended,
        failed = follow(&client, &woken, &*on_seq) => failed,
    }
}

/// Listens, then reads and hands over the newest seq at once and after every wake-up; returns
/// only when a statement fails (the connection broke).
async fn follow(
    client: &tokio_postgres::Client,
    woken: &tokio::sync::Notify,
    on_seq: &(dyn Fn(u64) + Send + Sync),
) -> Result<(), tokio_postgres::Error> {
    client.batch_execute(&format!("LISTEN {FEED_CHANNEL}")).await?;
    loop {
        let row = client.query_one("SELECT coalesce(max(server_seq), 0) FROM records", &[]).await?;
        on_seq(row.get::<_, i64>(0).max(0) as u64);
        woken.notified().await;
    }
}
