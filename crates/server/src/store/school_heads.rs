//! The host school's headteacher (issue 22): invited by the school's hub, signed in with
//! password and TOTP like everyone else, and scoped to one school (`school_heads`, migration 13).
//!
//! A head is not staff of the partnership, so their account carries no global role; their school
//! is their scope. They read their school's reviews and, once issued, its reports (the permission
//! table's `ReadIssuedReport`, with `ReviewFacts::host_headteacher` set from here). They do not
//! sync: a laptop's records are the review team's working notes, not the school's.

use super::hub_admin::{refused, unknown_hub};
use super::invitations::{InvitationIssued, InviteRole, NewInvitation};
use super::records::{self, text};
use super::report_versions::ReportVersion;
use super::{ServerStore, StoreError};
use crate::auth::AuthDevice;
use crate::store::db::{params, Connection, OptionalExtension};
use qar_core::{ErrorCode, ReviewState};
use serde::{Deserialize, Serialize};

/// `POST /v1/hubs/{hub_id}/schools/{urn}/headteacher`: who to invite as the school's head.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewHeadteacher {
    pub name: String,
    pub email: String,
}

/// One review of the school as its headteacher sees it: no review text, only where it stands
/// and which versions of its report were issued to the school.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SchoolReview {
    pub review_id: String,
    pub school_name: String,
    pub school_urn: String,
    /// The review's state code (`scheduled`, `preparing`, …, `issued`, `archived`).
    pub state: String,
    /// Issued versions, oldest first (empty until the report is issued).
    pub versions: Vec<ReportVersion>,
}

/// The school (URN) whose head `user_id` is, if they are one.
pub(super) fn school_of_head(conn: &Connection, user_id: &str) -> crate::store::db::Result<Option<String>> {
    conn.prepare_cached("SELECT urn FROM school_heads WHERE user_id = ?1")?.query_row([user_id], |r| r.get(0)).optional()
}

/// True when `user_id` is the head of the school with this URN.
pub(super) fn heads(conn: &Connection, user_id: &str, urn: &str) -> crate::store::db::Result<bool> {
    if urn.is_empty() {
        return Ok(false);
    }
    conn.prepare_cached("SELECT 1 FROM school_heads WHERE user_id = ?1 AND urn = ?2")?.exists([user_id, urn])
}

/// A person invited as something else is no school's head any more.
pub(super) fn forget_head(tx: &Connection, user_id: &str) -> crate::store::db::Result<()> {
    tx.execute("DELETE FROM school_heads WHERE user_id = ?1", [user_id])?;
    Ok(())
}

/// The same refusal for another school that exists and one that does not, so a head learns
/// nothing about schools that are not theirs.
fn not_your_school() -> StoreError {
    StoreError::Denied {
        code: ErrorCode::NotYourRole,
        message: "Only the school's headteacher, the coordinator of its hub or an administrator can see this school's reviews.".into(),
    }
}

/// The refusal a head's account gets from the sync routes.
pub(super) fn heads_do_not_sync() -> StoreError {
    StoreError::Denied {
        code: ErrorCode::NotYourRole,
        message: "A headteacher's account reads the school's pages in a browser; it does not sync review records.".into(),
    }
}

impl ServerStore {
    /// Refuses the sync routes to a headteacher's account (checked before anything is read or written).
    pub fn refuse_school_head(&self, caller: &AuthDevice) -> Result<(), StoreError> {
        match school_of_head(&self.reader(), &caller.user_id)? {
            Some(_) => Err(heads_do_not_sync()),
            None => Ok(()),
        }
    }

    /// Invites the headteacher of a school of this hub (its coordinator or an administrator).
    /// The invitation mail goes through the outbox like every other; the account and its school
    /// are written in the invitation's transaction.
    pub fn invite_headteacher(
        &self,
        caller: &AuthDevice,
        hub_id: &str,
        urn: &str,
        new: &NewHeadteacher,
        now_ms: u64,
    ) -> Result<InvitationIssued, StoreError> {
        // Who may invite is decided before the hub or school is looked up, so the answer tells
        // an outsider nothing about either.
        if !(caller.is_admin() || caller.coordinates(hub_id)) {
            return Err(refused(
                ErrorCode::NotYourHub,
                "Only the hub's coordinator or an administrator can invite a school's headteacher.",
            ));
        }
        {
            let conn = self.reader();
            if !conn.prepare_cached("SELECT 1 FROM hubs WHERE id = ?1")?.exists([hub_id])? {
                return Err(unknown_hub(hub_id));
            }
            let in_hub = conn.prepare_cached("SELECT 1 FROM schools WHERE urn = ?1 AND hub_id = ?2")?.exists([urn, hub_id])?;
            if !in_hub {
                return Err(StoreError::Refused {
                    code: ErrorCode::UnknownSchool,
                    message: format!("No school with URN {urn} is in this hub."),
                    details: serde_json::json!({ "urn": urn }),
                });
            }
        }
        let invitation =
            NewInvitation { email: new.email.clone(), name: new.name.clone(), role: InviteRole::Reviewer, home_school_urn: None };
        let (invited_by, urn) = (caller.user_id.clone(), urn.to_owned());
        self.invite_person(
            caller,
            &invitation,
            &[],
            move |tx, user_id| {
                tx.execute(
                    "INSERT INTO school_heads(user_id, urn, invited_by, created_ms) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT(user_id) DO UPDATE SET urn = excluded.urn, invited_by = excluded.invited_by, created_ms = excluded.created_ms",
                    params![user_id, urn, invited_by, now_ms as i64],
                )?;
                Ok(())
            },
            now_ms,
        )
    }

    /// The school's reviews with their issued versions, for its head, its hub's coordinator or
    /// an administrator. Cancelled reviews are left out: nothing of them reaches the school.
    pub fn school_reviews(&self, caller: &AuthDevice, urn: &str) -> Result<Vec<SchoolReview>, StoreError> {
        let conn = self.reader();
        let allowed = caller.is_admin() || heads(&conn, &caller.user_id, urn)? || {
            let hub: Option<String> = conn
                .prepare_cached("SELECT hub_id FROM schools WHERE urn = ?1")?
                .query_row([urn], |r| r.get::<_, Option<String>>(0))
                .optional()?
                .flatten();
            hub.is_some_and(|h| caller.coordinates(&h))
        };
        if !allowed {
            return Err(not_your_school());
        }
        let mut out = Vec::new();
        for (review_id, doc) in records::reviews_of_school(&conn, urn)? {
            let state = super::access::state_of(&doc);
            if state == ReviewState::Cancelled {
                continue;
            }
            let versions = super::report_versions::versions_of(&conn, &review_id)?;
            out.push(SchoolReview {
                school_name: text(&doc, "school_name").to_owned(),
                school_urn: text(&doc, "school_urn").to_owned(),
                state: state.code().to_owned(),
                review_id,
                versions,
            });
        }
        Ok(out)
    }
}
