//! Writing the people directory and accounts from the command line: `create-admin` and
//! `import-users` (see `crate::admin`). One transaction per person, so a bad row never undoes
//! a good one.

use super::accounts::{email_key, roles_of};
use super::ServerStore;
use crate::auth::Role;
use crate::store::db::{params, OptionalExtension, Transaction};
use uuid::Uuid;

/// A person's usual role, as the directory (`users.role`) and the import file name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DirectoryRole {
    LeadReviewer,
    Reviewer,
    HubCoordinator,
    Admin,
}

impl DirectoryRole {
    pub const ALL: [DirectoryRole; 4] =
        [DirectoryRole::LeadReviewer, DirectoryRole::Reviewer, DirectoryRole::HubCoordinator, DirectoryRole::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            DirectoryRole::LeadReviewer => "lead_reviewer",
            DirectoryRole::Reviewer => "reviewer",
            DirectoryRole::HubCoordinator => "hub_coordinator",
            DirectoryRole::Admin => "admin",
        }
    }

    pub fn parse(text: &str) -> Option<DirectoryRole> {
        let text = text.trim();
        DirectoryRole::ALL.into_iter().find(|r| r.as_str().eq_ignore_ascii_case(text))
    }
}

/// One person to add or update (an import row, already checked for shape).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectoryUser {
    pub name: String,
    pub email: String,
    pub role: DirectoryRole,
    /// A hub id or name; created when no hub has it. Required for a hub coordinator.
    pub hub: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpsertKind {
    Added,
    /// Which of name, role, hub, global roles changed.
    Updated(Vec<&'static str>),
    Unchanged,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpsertOutcome {
    pub user_id: String,
    pub kind: UpsertKind,
    /// `(id, name)` of a hub this row created.
    pub hub_created: Option<(String, String)>,
    /// The person has no account yet: issue initial credentials with `set_initial_credentials`.
    pub needs_credentials: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum DirectoryError {
    /// The row or request is refused; the text says why, for the person running the command.
    #[error("{0}")]
    Refused(String),
    #[error("database error: {0}")]
    Db(#[from] crate::store::db::Error),
    #[error(transparent)]
    Key(#[from] crate::server_key::KeyError),
}

/// (id, name, directory role, hub id) of a person in the directory.
type Person = (String, String, String, Option<String>);

fn find_user(tx: &Transaction, email: &str) -> crate::store::db::Result<Option<Person>> {
    tx.query_row("SELECT id, name, role, hub_id FROM users WHERE lower(email) = ?1", [email], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
    })
    .optional()
}

/// The hub with this id, else the one with this name (any case), else a new one.
fn resolve_hub(tx: &Transaction, hub: &str) -> Result<(String, Option<(String, String)>), DirectoryError> {
    if let Some(id) = tx.query_row("SELECT id FROM hubs WHERE id = ?1", [hub], |r| r.get(0)).optional()? {
        return Ok((id, None));
    }
    let mut stmt = tx.prepare("SELECT id FROM hubs WHERE lower(name) = lower(?1)")?;
    let ids: Vec<String> = stmt.query_map([hub], |r| r.get(0))?.collect::<Result<_, _>>()?;
    match ids.as_slice() {
        [id] => Ok((id.clone(), None)),
        [] => {
            let id = Uuid::now_v7().to_string();
            tx.execute("INSERT INTO hubs(id, name, region) VALUES (?1, ?2, '')", params![id, hub])?;
            Ok((id.clone(), Some((id, hub.to_owned()))))
        }
        _ => Err(DirectoryError::Refused(format!("{} hubs are called '{hub}': give the hub's id instead", ids.len()))),
    }
}

fn active_admin_ids(tx: &Transaction) -> crate::store::db::Result<Vec<String>> {
    let mut stmt = tx.prepare(
        "SELECT r.user_id FROM user_roles r JOIN accounts a ON a.user_id = r.user_id
         WHERE r.role = 'admin' AND a.active = 1 ORDER BY r.user_id",
    )?;
    stmt.query_map([], |r| r.get(0))?.collect()
}

fn set_roles(tx: &Transaction, user_id: &str, roles: &[Role]) -> crate::store::db::Result<()> {
    tx.execute("DELETE FROM user_roles WHERE user_id = ?1", [user_id])?;
    for role in roles {
        match role {
            Role::Admin => tx.execute("INSERT INTO user_roles(user_id, role) VALUES (?1, 'admin')", [user_id])?,
            Role::HubCoordinator { hub_id } => {
                tx.execute("INSERT INTO user_roles(user_id, role, hub_id) VALUES (?1, 'hub_coordinator', ?2)", params![user_id, hub_id])?
            }
        };
    }
    Ok(())
}

fn has_account(tx: &Transaction, user_id: &str) -> crate::store::db::Result<bool> {
    tx.prepare_cached("SELECT 1 FROM accounts WHERE user_id = ?1")?.exists([user_id])
}

impl ServerStore {
    /// Adds a person, or brings an existing one (same email, any case) in line with `user`:
    /// name, directory role, hub and global roles (admin for an admin, coordinator of the hub for
    /// a hub coordinator, none otherwise). Running it twice changes nothing the second time.
    pub fn upsert_directory_user(&self, user: &DirectoryUser) -> Result<UpsertOutcome, DirectoryError> {
        let email = email_key(&user.email);
        let mut conn = self.writer();
        let tx = conn.transaction()?;
        let (hub_id, hub_created) = match user.hub.as_deref().map(str::trim).filter(|h| !h.is_empty()) {
            Some(hub) => {
                let (id, created) = resolve_hub(&tx, hub)?;
                (Some(id), created)
            }
            None if user.role == DirectoryRole::HubCoordinator => {
                return Err(DirectoryError::Refused("a hub coordinator needs a hub".to_owned()))
            }
            None => (None, None),
        };
        let wanted_roles = match (user.role, &hub_id) {
            (DirectoryRole::Admin, _) => vec![Role::Admin],
            (DirectoryRole::HubCoordinator, Some(hub_id)) => vec![Role::HubCoordinator { hub_id: hub_id.clone() }],
            _ => vec![],
        };
        let (user_id, kind) = match find_user(&tx, &email)? {
            None => {
                let id = Uuid::now_v7().to_string();
                tx.execute(
                    "INSERT INTO users(id, name, email, role, hub_id) VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![id, user.name, email, user.role.as_str(), hub_id],
                )?;
                set_roles(&tx, &id, &wanted_roles)?;
                (id, UpsertKind::Added)
            }
            Some((id, name, role, old_hub)) => {
                let mut changed = Vec::new();
                if name != user.name {
                    changed.push("name");
                }
                if role != user.role.as_str() {
                    changed.push("role");
                }
                // No hub in the file keeps the hub the person has (a reviewer's hub is optional).
                let hub_id = hub_id.or(old_hub.clone());
                if hub_id != old_hub {
                    changed.push("hub");
                }
                if !changed.is_empty() {
                    tx.execute(
                        "UPDATE users SET name = ?2, role = ?3, hub_id = ?4 WHERE id = ?1",
                        params![id, user.name, user.role.as_str(), hub_id],
                    )?;
                }
                let mut current = roles_of(&tx, &id)?;
                let mut wanted = wanted_roles.clone();
                current.sort_by_key(|r| format!("{r:?}"));
                wanted.sort_by_key(|r| format!("{r:?}"));
                if current != wanted {
                    let admins = active_admin_ids(&tx)?;
                    if current.contains(&Role::Admin) && !wanted.contains(&Role::Admin) && admins == [id.clone()] {
                        return Err(DirectoryError::Refused(
                            "this is the only active administrator; make someone else an admin first".to_owned(),
                        ));
                    }
                    set_roles(&tx, &id, &wanted)?;
                    changed.push("global roles");
                }
                let kind = if changed.is_empty() { UpsertKind::Unchanged } else { UpsertKind::Updated(changed) };
                (id, kind)
            }
        };
        let needs_credentials = !has_account(&tx, &user_id)?;
        tx.commit()?;
        Ok(UpsertOutcome { user_id, kind, hub_created, needs_credentials })
    }

    /// Gives a person without an account their first password hash and TOTP secret. Returns
    /// false (and changes nothing) when they already have one.
    pub fn set_initial_credentials(
        &self,
        user_id: &str,
        password_hash: &str,
        totp_secret: &str,
        now_ms: u64,
    ) -> Result<bool, DirectoryError> {
        let sealed = self.seal_account_secret(user_id, totp_secret)?;
        let conn = self.writer();
        let added = conn.execute(
            "INSERT INTO accounts(user_id, password_hash, totp_secret, created_ms, updated_ms) VALUES (?1, ?2, ?3, ?4, ?4)
             ON CONFLICT(user_id) DO NOTHING",
            params![user_id, password_hash, sealed, now_ms as i64],
        )?;
        Ok(added == 1)
    }

    /// Emails of the administrators who can sign in.
    pub fn active_admin_emails(&self) -> Result<Vec<String>, DirectoryError> {
        let mut conn = self.writer();
        let tx = conn.transaction()?;
        let mut emails = Vec::new();
        for id in active_admin_ids(&tx)? {
            emails.push(tx.query_row("SELECT email FROM users WHERE id = ?1", [&id], |r| r.get(0))?);
        }
        Ok(emails)
    }

    /// Makes `email` an administrator with these credentials (new password, new TOTP secret,
    /// account switched on), adding the person when unknown. Refused when an active admin
    /// already exists, unless `force`. Returns the user id.
    pub fn create_admin(
        &self,
        email: &str,
        name: &str,
        password_hash: &str,
        totp_secret: &str,
        force: bool,
        now_ms: u64,
    ) -> Result<String, DirectoryError> {
        let email = email_key(email);
        let mut conn = self.writer();
        let tx = conn.transaction()?;
        let admins = active_admin_ids(&tx)?;
        if !admins.is_empty() && !force {
            let mut emails = Vec::new();
            for id in &admins {
                emails.push(tx.query_row("SELECT email FROM users WHERE id = ?1", [id], |r| r.get::<_, String>(0))?);
            }
            return Err(DirectoryError::Refused(format!(
                "an administrator already exists ({}); use --force to add or reset one anyway",
                emails.join(", ")
            )));
        }
        let user_id = match find_user(&tx, &email)? {
            Some((id, ..)) => id,
            None => {
                let id = Uuid::now_v7().to_string();
                tx.execute("INSERT INTO users(id, name, email, role) VALUES (?1, ?2, ?3, 'admin')", params![id, name.trim(), email])?;
                id
            }
        };
        tx.execute("INSERT OR IGNORE INTO user_roles(user_id, role) VALUES (?1, 'admin')", [&user_id])?;
        let sealed = self.seal_account_secret(&user_id, totp_secret)?;
        tx.execute(
            "INSERT INTO accounts(user_id, password_hash, totp_secret, created_ms, updated_ms) VALUES (?1, ?2, ?3, ?4, ?4)
             ON CONFLICT(user_id) DO UPDATE SET password_hash = excluded.password_hash, totp_secret = excluded.totp_secret,
                totp_last_step = 0, active = 1, updated_ms = excluded.updated_ms",
            params![user_id, password_hash, sealed, now_ms as i64],
        )?;
        tx.commit()?;
        Ok(user_id)
    }

    /// Switches an account off (no sign-in, every token refused) or back on. Returns false when
    /// the person has no account.
    pub fn set_account_active(&self, user_id: &str, active: bool, now_ms: u64) -> Result<bool, DirectoryError> {
        let conn = self.writer();
        let n =
            conn.execute("UPDATE accounts SET active = ?2, updated_ms = ?3 WHERE user_id = ?1", params![user_id, active, now_ms as i64])?;
        Ok(n == 1)
    }
}
