//! Hubs and people, online and by an administrator (issue 9): create hubs, put schools in
//! them, set a person's global roles, switch a person off (every laptop of theirs revoked).
//! Every change is one transaction with its audit entry.

use super::accounts::roles_of;
use super::audit_log::{self, Event};
use super::{ServerStore, StoreError};
use crate::auth::{AuthDevice, Role};
use crate::store::db::{params, Connection, OptionalExtension};
pub use qar_core::protocol::admin::{AccountStatus, AssignOutcome, HubInfo, SchoolInfo, UserInfo};
use qar_core::ErrorCode;
use serde_json::{json, Value};
use uuid::Uuid;

pub const DEFAULT_REPORT_DEADLINE_DAYS: u32 = 28;
const MAX_NAME: usize = 200;
/// Most schools assigned in one request (a hub has tens; the limit only bounds a request).
pub const MAX_ASSIGN: usize = 2000;

pub(super) fn refused(code: ErrorCode, message: impl Into<String>) -> StoreError {
    StoreError::Refused { code, message: message.into(), details: Value::Null }
}

/// The request body names a school or person that does not exist (answered 422, unlike a
/// missing thing the path addresses).
pub(super) fn unknown_reference(code: ErrorCode, message: impl Into<String>, details: Value) -> StoreError {
    StoreError::UnknownReference { code, message: message.into(), details }
}

pub(super) fn require_admin(caller: &AuthDevice, what: &str) -> Result<(), StoreError> {
    if caller.is_admin() {
        return Ok(());
    }
    Err(refused(ErrorCode::AdminOnly, format!("Only an administrator can {what}.")))
}

/// Records an administrative action in the audit chain, inside its transaction.
pub(super) fn audit(
    tx: &Connection,
    caller: &AuthDevice,
    kind: &str,
    subject: &str,
    detail: Value,
    now_ms: u64,
) -> crate::store::db::Result<()> {
    let device = caller.device_id.to_string();
    let event = Event { kind, actor: &caller.user_id, device_id: &device, subject, detail: detail.to_string() };
    audit_log::append(tx, &event, now_ms)
}

fn check_name(what: &str, name: &str) -> Result<String, StoreError> {
    // The length as sent (the published maxLength), the emptiness once trimmed.
    let too_long = name.chars().count() > MAX_NAME;
    let name = name.trim();
    if name.is_empty() || too_long {
        return Err(refused(ErrorCode::Invalid, format!("{what} must be 1 to {MAX_NAME} characters.")));
    }
    if let Some(c) = name.chars().find(|c| qar_core::entities::hidden_name_char(*c)) {
        return Err(refused(
            ErrorCode::InvalidName,
            format!(
                "{what} contains a hidden control or text-direction character (U+{:04X}): type it again instead of pasting it.",
                c as u32
            ),
        ));
    }
    Ok(name.to_owned())
}

fn check_deadline(days: u32) -> Result<u32, StoreError> {
    if !(1..=365).contains(&days) {
        return Err(refused(ErrorCode::Invalid, "The report deadline must be 1 to 365 days after the visit."));
    }
    Ok(days)
}

pub(super) fn hub_info(conn: &Connection, hub_id: &str) -> crate::store::db::Result<Option<HubInfo>> {
    conn.prepare_cached(
        "SELECT h.id, h.name, h.region, h.report_deadline_days, (SELECT count(*) FROM schools s WHERE s.hub_id = h.id),
                h.accuracy_window_days
         FROM hubs h WHERE h.id = ?1",
    )?
    .query_row([hub_id], hub_row)
    .optional()
}

fn hub_row(r: &crate::store::db::Row) -> crate::store::db::Result<HubInfo> {
    Ok(HubInfo {
        id: r.get(0)?,
        name: r.get(1)?,
        region: r.get(2)?,
        report_deadline_days: r.get(3)?,
        schools: r.get(4)?,
        accuracy_window_days: r.get(5)?,
    })
}

pub(super) fn unknown_hub(hub_id: &str) -> StoreError {
    StoreError::Refused {
        code: ErrorCode::UnknownHub,
        message: format!("There is no hub '{}'.", hub_id.chars().take(60).collect::<String>()),
        details: json!({ "hub_id": hub_id }),
    }
}

pub(super) fn user_info(conn: &Connection, user_id: &str, now_ms: u64) -> crate::store::db::Result<Option<UserInfo>> {
    let row = conn
        .prepare_cached(
            "SELECT u.id, u.name, u.email, u.home_school_urn, a.active,
                    EXISTS (SELECT 1 FROM invitations i WHERE i.user_id = u.id AND i.confirmed_ms IS NULL
                            AND i.cancelled_ms IS NULL AND i.expires_ms > ?2),
                    s.establishment_name
             FROM users u LEFT JOIN accounts a ON a.user_id = u.id LEFT JOIN schools s ON s.urn = u.home_school_urn
             WHERE u.id = ?1",
        )?
        .query_row(params![user_id, now_ms as i64], |r| {
            Ok((
                (r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?),
                (r.get::<_, Option<String>>(3)?, r.get::<_, Option<String>>(6)?),
                r.get::<_, Option<i64>>(4)?,
                r.get::<_, bool>(5)?,
            ))
        })
        .optional()?;
    let Some(((id, name, email), (home_school_urn, home_school_name), active, invited)) = row else { return Ok(None) };
    let status = match (active, invited) {
        (Some(1), _) => AccountStatus::Active,
        (Some(_), _) => AccountStatus::Deactivated,
        (None, true) => AccountStatus::Invited,
        (None, false) => AccountStatus::NoAccount,
    };
    let roles = roles_of(conn, &id)?;
    Ok(Some(UserInfo { id, name, email, roles, home_school_urn, home_school_name, status }))
}

fn write_roles(tx: &Connection, user_id: &str, roles: &[Role]) -> Result<(), StoreError> {
    for role in roles {
        if let Role::HubCoordinator { hub_id } = role {
            if hub_info(tx, hub_id)?.is_none() {
                return Err(unknown_hub(hub_id));
            }
        }
    }
    tx.execute("DELETE FROM user_roles WHERE user_id = ?1", [user_id])?;
    for role in roles {
        match role {
            Role::Admin => tx.execute("INSERT OR IGNORE INTO user_roles(user_id, role) VALUES (?1, 'admin')", [user_id])?,
            Role::HubCoordinator { hub_id } => tx.execute(
                "INSERT OR IGNORE INTO user_roles(user_id, role, hub_id) VALUES (?1, 'hub_coordinator', ?2)",
                params![user_id, hub_id],
            )?,
        };
    }
    // The directory's one-word role follows the strongest global role.
    let word = if roles.contains(&Role::Admin) {
        "admin"
    } else if roles.iter().any(|r| matches!(r, Role::HubCoordinator { .. })) {
        "hub_coordinator"
    } else {
        "reviewer"
    };
    tx.execute("UPDATE users SET role = ?2 WHERE id = ?1", params![user_id, word])?;
    Ok(())
}

pub(super) fn set_roles_in(tx: &Connection, user_id: &str, roles: &[Role]) -> Result<(), StoreError> {
    write_roles(tx, user_id, roles)
}

fn active_admins(tx: &Connection) -> crate::store::db::Result<Vec<String>> {
    let mut stmt = tx.prepare_cached(
        "SELECT r.user_id FROM user_roles r JOIN accounts a ON a.user_id = r.user_id WHERE r.role = 'admin' AND a.active = 1",
    )?;
    stmt.query_map([], |r| r.get(0))?.collect()
}

impl ServerStore {
    /// Creates a hub with a new id (UUIDv7).
    pub fn create_hub(
        &self,
        caller: &AuthDevice,
        name: &str,
        region: &str,
        report_deadline_days: Option<u32>,
        now_ms: u64,
    ) -> Result<HubInfo, StoreError> {
        require_admin(caller, "create hubs")?;
        let name = check_name("A hub's name", name)?;
        let region = region.trim().chars().take(MAX_NAME).collect::<String>();
        let days = check_deadline(report_deadline_days.unwrap_or(DEFAULT_REPORT_DEADLINE_DAYS))?;
        let mut conn = self.writer();
        let tx = conn.transaction()?;
        if tx.prepare_cached("SELECT 1 FROM hubs WHERE lower(name) = lower(?1)")?.exists([&name])? {
            return Err(refused(ErrorCode::HubExists, format!("A hub called '{name}' already exists.")));
        }
        let id = Uuid::now_v7().to_string();
        tx.execute("INSERT INTO hubs(id, name, region, report_deadline_days) VALUES (?1, ?2, ?3, ?4)", params![id, name, region, days])?;
        audit(&tx, caller, "create_hub", &id, json!({ "name": name, "report_deadline_days": days }), now_ms)?;
        let hub = hub_info(&tx, &id)?.ok_or_else(|| unknown_hub(&id))?;
        tx.commit()?;
        Ok(hub)
    }

    /// Changes a hub's report deadline (days after the visit's last day).
    pub fn set_report_deadline(&self, caller: &AuthDevice, hub_id: &str, days: u32, now_ms: u64) -> Result<HubInfo, StoreError> {
        require_admin(caller, "change a hub's report deadline")?;
        let days = check_deadline(days)?;
        let mut conn = self.writer();
        let tx = conn.transaction()?;
        if tx.execute("UPDATE hubs SET report_deadline_days = ?2 WHERE id = ?1", params![hub_id, days])? == 0 {
            return Err(unknown_hub(hub_id));
        }
        audit(&tx, caller, "set_report_deadline", hub_id, json!({ "report_deadline_days": days }), now_ms)?;
        let hub = hub_info(&tx, hub_id)?.ok_or_else(|| unknown_hub(hub_id))?;
        tx.commit()?;
        Ok(hub)
    }

    /// Every hub for an administrator; the hubs they coordinate for anyone else.
    pub fn list_hubs(&self, caller: &AuthDevice) -> Result<Vec<HubInfo>, StoreError> {
        let conn = self.reader();
        let mut stmt = conn.prepare_cached(
            "SELECT h.id, h.name, h.region, h.report_deadline_days, (SELECT count(*) FROM schools s WHERE s.hub_id = h.id),
                    h.accuracy_window_days
             FROM hubs h ORDER BY h.name, h.id",
        )?;
        let hubs = stmt.query_map([], hub_row)?.collect::<crate::store::db::Result<Vec<_>>>()?;
        Ok(hubs.into_iter().filter(|h| caller.is_admin() || caller.coordinates(&h.id)).collect())
    }

    /// Puts schools (by URN) in a hub; a school in another hub moves. URNs the register does
    /// not hold are answered, not fatal: the rest are assigned.
    pub fn assign_schools(&self, caller: &AuthDevice, hub_id: &str, urns: &[String], now_ms: u64) -> Result<AssignOutcome, StoreError> {
        require_admin(caller, "assign schools to hubs")?;
        if urns.is_empty() || urns.len() > MAX_ASSIGN {
            return Err(refused(ErrorCode::Invalid, format!("Give 1 to {MAX_ASSIGN} URNs.")));
        }
        let mut conn = self.writer();
        let tx = conn.transaction()?;
        if hub_info(&tx, hub_id)?.is_none() {
            return Err(unknown_hub(hub_id));
        }
        let (mut assigned, mut unknown) = (Vec::new(), Vec::new());
        {
            let mut stmt = tx.prepare_cached("UPDATE schools SET hub_id = ?2 WHERE urn = ?1")?;
            for urn in urns {
                let urn = urn.trim();
                if stmt.execute(params![urn, hub_id])? == 1 {
                    assigned.push(urn.to_owned());
                } else {
                    unknown.push(urn.to_owned());
                }
            }
        }
        audit(&tx, caller, "assign_schools", hub_id, json!({ "assigned": assigned, "unknown": unknown.len() }), now_ms)?;
        tx.commit()?;
        Ok(AssignOutcome { assigned, unknown })
    }

    /// Schools whose name, URN, town or postcode contains `query`, at most `limit`, in `hub`
    /// when given. An administrator searches the whole register; a coordinator only their hub.
    pub fn search_schools(&self, caller: &AuthDevice, hub: Option<&str>, query: &str, limit: u32) -> Result<Vec<SchoolInfo>, StoreError> {
        match hub {
            Some(h) if !(caller.is_admin() || caller.coordinates(h)) => {
                return Err(refused(ErrorCode::NotYourHub, "You can search only the schools of a hub you coordinate."))
            }
            None if !caller.is_admin() => {
                return Err(refused(ErrorCode::AdminOnly, "Only an administrator can search the whole register."))
            }
            _ => {}
        }
        let like = format!("%{}%", query.trim().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
        let conn = self.reader();
        let mut stmt = conn.prepare_cached(
            "SELECT urn, establishment_name, phase, la_name, town, postcode, hub_id FROM schools
             WHERE (CAST(?1 AS TEXT) IS NULL OR hub_id = ?1)
               AND (urn LIKE ?2 ESCAPE '\\' OR establishment_name LIKE ?2 ESCAPE '\\' OR town LIKE ?2 ESCAPE '\\' OR postcode LIKE ?2 ESCAPE '\\')
             ORDER BY establishment_name, urn LIMIT ?3",
        )?;
        let rows = stmt.query_map(params![hub, like, limit.clamp(1, 200)], |r| {
            Ok(SchoolInfo {
                urn: r.get(0)?,
                name: r.get(1)?,
                phase: r.get(2)?,
                la_name: r.get(3)?,
                town: r.get(4)?,
                postcode: r.get(5)?,
                hub_id: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<crate::store::db::Result<_>>()?)
    }

    /// The people directory: for an administrator and for coordinators (who pick teams).
    pub fn list_users(&self, caller: &AuthDevice, now_ms: u64) -> Result<Vec<UserInfo>, StoreError> {
        if !caller.is_admin() && !caller.roles.iter().any(|r| matches!(r, Role::HubCoordinator { .. })) {
            return Err(refused(ErrorCode::AdminOnly, "Only an administrator or a hub coordinator can list people."));
        }
        let conn = self.reader();
        let ids: Vec<String> = conn
            .prepare_cached("SELECT id FROM users ORDER BY name, id")?
            .query_map([], |r| r.get(0))?
            .collect::<crate::store::db::Result<_>>()?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.extend(user_info(&conn, &id, now_ms)?);
        }
        Ok(out)
    }

    /// Records an import of the school register made from the admin screen.
    pub fn audit_school_import(&self, caller: &AuthDevice, summary: &str, now_ms: u64) -> Result<(), StoreError> {
        let mut conn = self.writer();
        let tx = conn.transaction()?;
        audit(&tx, caller, "import_schools", "schools", json!({ "summary": summary }), now_ms)?;
        tx.commit()?;
        Ok(())
    }

    /// Replaces a person's global roles. The last active administrator keeps theirs.
    pub fn set_user_roles(&self, caller: &AuthDevice, user_id: &str, roles: &[Role], now_ms: u64) -> Result<UserInfo, StoreError> {
        require_admin(caller, "change roles")?;
        let mut conn = self.writer();
        let tx = conn.transaction()?;
        user_info(&tx, user_id, now_ms)?.ok_or_else(|| unknown_user(user_id))?;
        if !roles.contains(&Role::Admin) && active_admins(&tx)? == [user_id.to_owned()] {
            return Err(refused(ErrorCode::LastAdmin, "This is the only active administrator: make someone else an administrator first."));
        }
        write_roles(&tx, user_id, roles)?;
        audit(&tx, caller, "set_roles", user_id, json!({ "roles": roles }), now_ms)?;
        let info = user_info(&tx, user_id, now_ms)?.ok_or_else(|| unknown_user(user_id))?;
        tx.commit()?;
        Ok(info)
    }

    /// Switches a person off: no sign-in, every laptop of theirs revoked with `reason` (their
    /// next request is answered 401 `device_revoked` with it), pending invitations cancelled.
    pub fn deactivate_user(&self, caller: &AuthDevice, user_id: &str, reason: &str, now_ms: u64) -> Result<UserInfo, StoreError> {
        require_admin(caller, "deactivate people")?;
        // The length as sent: the published maxLength.
        let too_long = reason.chars().count() > crate::auth::MAX_REVOKE_REASON;
        let reason = reason.trim();
        let reason = if reason.is_empty() { "account deactivated by an administrator" } else { reason };
        if too_long {
            return Err(refused(ErrorCode::InvalidReason, "The reason is too long."));
        }
        if user_id == caller.user_id {
            return Err(refused(ErrorCode::CannotDeactivateSelf, "You cannot deactivate your own account."));
        }
        let mut conn = self.writer();
        let tx = conn.transaction()?;
        user_info(&tx, user_id, now_ms)?.ok_or_else(|| unknown_user(user_id))?;
        if active_admins(&tx)? == [user_id.to_owned()] {
            return Err(refused(ErrorCode::LastAdmin, "This is the only active administrator."));
        }
        tx.execute("UPDATE accounts SET active = 0, updated_ms = ?2 WHERE user_id = ?1", params![user_id, now_ms as i64])?;
        let revoked = tx.execute(
            "UPDATE device_registry SET revoked_ms = ?2, revoked_reason = ?3, revoked_by = ?4 WHERE user_id = ?1 AND revoked_ms IS NULL",
            params![user_id, now_ms as i64, reason, caller.user_id],
        )?;
        tx.execute(
            "UPDATE invitations SET cancelled_ms = ?2 WHERE user_id = ?1 AND confirmed_ms IS NULL AND cancelled_ms IS NULL",
            params![user_id, now_ms as i64],
        )?;
        audit(&tx, caller, "deactivate_user", user_id, json!({ "reason": reason, "devices_revoked": revoked }), now_ms)?;
        let info = user_info(&tx, user_id, now_ms)?.ok_or_else(|| unknown_user(user_id))?;
        tx.commit()?;
        tracing::warn!(user_id, by = caller.user_id, revoked, "user deactivated");
        Ok(info)
    }
}

pub(super) fn unknown_user(user_id: &str) -> StoreError {
    StoreError::Refused {
        code: ErrorCode::UnknownUser,
        message: "There is no such person in the directory.".into(),
        details: json!({ "user_id": user_id }),
    }
}
