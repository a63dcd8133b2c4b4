//! A person's home school, set or cleared by an administrator after the invitation. It is what
//! scheduling compares with the reviewed school to warn of a conflict of interest, so the reply
//! also names the open reviews of that school the person is already on.

use super::hub_admin::{audit, require_admin, unknown_user, user_info};
use super::{ServerStore, StoreError};
use crate::auth::AuthDevice;
use crate::store::db::{params, Connection};
pub use qar_core::protocol::admin::{HomeSchool, HomeSchoolSet, HomeSchoolWarning};
use qar_core::ErrorCode;
use serde_json::json;

/// Open reviews (not cancelled, archived or deleted) of school `urn` with `user_id` on the team.
fn open_reviews_of_school(tx: &Connection, user_id: &str, urn: &str) -> crate::store::db::Result<Vec<(String, String)>> {
    let mut stmt = tx.prepare_cached(
        "SELECT r.id, coalesce(json_extract(r.fields, '$.school_name.value'), '') FROM review_team t
         JOIN records r ON r.entity = 'review' AND r.id = t.review_id
         WHERE t.user_id = ?1 AND json_extract(r.fields, '$.school_urn.value') = ?2
           AND coalesce(json_extract(r.fields, '$.state.value'), '') NOT IN ('cancelled', 'archived')
           AND coalesce(CAST(json_extract(r.fields, '$.deleted.value') AS INTEGER), 0) = 0
         ORDER BY r.id",
    )?;
    let rows = stmt.query_map(params![user_id, urn], |r| Ok((r.get(0)?, r.get(1)?)))?;
    rows.collect()
}

impl ServerStore {
    /// Sets (`Some`) or clears (`None`, blank) a person's home school; audited.
    pub fn set_home_school(&self, caller: &AuthDevice, user_id: &str, urn: Option<&str>, now_ms: u64) -> Result<HomeSchoolSet, StoreError> {
        require_admin(caller, "change a person's home school")?;
        let urn = urn.map(str::trim).filter(|u| !u.is_empty());
        let mut conn = self.writer();
        let tx = conn.transaction()?;
        let before = user_info(&tx, user_id, now_ms)?.ok_or_else(|| unknown_user(user_id))?;
        if let Some(urn) = urn {
            if !tx.prepare_cached("SELECT 1 FROM schools WHERE urn = ?1")?.exists([urn])? {
                return Err(StoreError::UnknownReference {
                    code: ErrorCode::UnknownSchool,
                    message: format!("No school with URN {} is in the register.", urn.chars().take(20).collect::<String>()),
                    details: json!({ "urn": urn }),
                });
            }
        }
        if before.home_school_urn.as_deref() != urn {
            tx.execute("UPDATE users SET home_school_urn = ?2 WHERE id = ?1", params![user_id, urn])?;
            audit(&tx, caller, "set_home_school", user_id, json!({ "from": before.home_school_urn, "to": urn }), now_ms)?;
        }
        let user = user_info(&tx, user_id, now_ms)?.ok_or_else(|| unknown_user(user_id))?;
        let warnings = match urn {
            Some(urn) => open_reviews_of_school(&tx, user_id, urn)?
                .into_iter()
                .map(|(review_id, school)| HomeSchoolWarning {
                    code: "conflict_of_interest".into(),
                    message: format!("{} is on the team reviewing {school}, now their home school: a conflict of interest.", user.name),
                    review_id,
                })
                .collect(),
            None => vec![],
        };
        tx.commit()?;
        Ok(HomeSchoolSet { user, warnings })
    }
}
