//! The laptops of the realistic workloads. Team members' laptops (the LR's old laptop, a
//! reviewer's) are the product's store and sync (`qar_client::Store` + `sync_once`) signed in
//! with a device token from the server's test support; the LR's new laptop is the app's own
//! facade (`qar_client::Client`) signed in over HTTP with password and authenticator code.

use crate::laptop::Laptop;
use crate::sync::Server;
use qar_client::sync::SyncClient;
use qar_client::{Client, Store};
use std::sync::Mutex;

pub fn now_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

/// The demo's Lead Reviewer and the reviewer on her teams (`crates/server/src/store/demo.rs`).
pub const LEAD: (&str, &str, &str) = ("user-anika-marsh", "Dr Anika Marsh", "anika.marsh@example.org");
pub const REVIEWER: (&str, &str, &str) = ("user-owen-pritchard", "Owen Pritchard", "owen.pritchard@example.org");
/// The demo hub's coordinator, who returns a report with comments.
pub const COORDINATOR: (&str, &str, &str) = ("user-hollie-brennan", "Hollie Brennan", "hollie.brennan@example.org");

/// A team member's laptop: an encrypted store and its sync client.
pub struct TeamLaptop {
    pub store: Mutex<Store>,
    pub client: SyncClient,
}

impl TeamLaptop {
    pub fn open(server: &Server, path: &std::path::Path, who: (&str, &str, &str)) -> anyhow::Result<TeamLaptop> {
        let mut store = Laptop::open(path)?.store;
        let token = server.store.test_token(who.0, store.device_id(), now_ms())?;
        let session = qar_client::Session {
            user_id: who.0.into(),
            name: who.1.into(),
            email: who.2.into(),
            server_url: server.url.clone(),
            roles: vec![],
            device_name: "Team laptop".into(),
            signed_in_at: String::new(),
        };
        store.save_session(&session, &token)?;
        Ok(TeamLaptop { store: Mutex::new(store), client: SyncClient::with_token(&server.url, &token) })
    }

    pub fn with<T>(&self, f: impl FnOnce(&mut Store) -> qar_client::error::Result<T>) -> anyhow::Result<T> {
        let mut s = self.store.lock().map_err(|_| anyhow::anyhow!("store lock poisoned"))?;
        Ok(f(&mut s)?)
    }

    /// One sync as the app runs it.
    pub async fn sync(&self) -> anyhow::Result<qar_client::sync::SyncReport> {
        Ok(qar_client::sync::sync_once(&self.store, &self.client, now_ms).await?)
    }
}

/// The LR's new laptop, signed in for real: `POST /v1/auth/login` with the demo password and the
/// authenticator's current code (each code signs in once: one sign-in per server and 30 s).
pub async fn sign_in_new_laptop(server: &Server, dir: &std::path::Path) -> anyhow::Result<Client> {
    let t = std::time::Instant::now();
    let key = qar_client::vault::StoreKey::random()?;
    let client = Client::open_encrypted(dir, &server.url, &key)?;
    let opened = t.elapsed();
    let secret = qar_server::store::demo::DEMO_TOTP_SECRETS
        .iter()
        .find(|(email, _)| *email == LEAD.2)
        .map(|(_, s)| *s)
        .ok_or_else(|| anyhow::anyhow!("the demo has no authenticator secret for {}", LEAD.2))?;
    let input = qar_client::SignIn {
        server_url: server.url.clone(),
        email: LEAD.2.into(),
        password: qar_server::store::demo::DEMO_PASSWORD.into(),
        totp_code: qar_server::auth::crypto::totp_code(secret, now_ms())?,
        device_name: Some("New laptop".into()),
    };
    let t = std::time::Instant::now();
    client.sign_in(&input).await?;
    println!(
        "new laptop: {:.3} s opening its encrypted store, {:.3} s signing in over HTTP",
        opened.as_secs_f64(),
        t.elapsed().as_secs_f64()
    );
    Ok(client)
}
