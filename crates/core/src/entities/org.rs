//! Who and where: hubs, schools (from GIAS) and users.

use super::{check_name, check_opt_text, check_text, MAX_NAME, MAX_SHORT};
use crate::{Urn, ValidationError};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hub {
    pub id: Uuid,
    pub name: String,
    pub region: String,
}

impl Hub {
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_name("Hub name", &self.name, MAX_NAME, true)?;
        check_text("Region", &self.region, MAX_SHORT, false)
    }
}

/// A school as imported from GIAS (domain.md §7). GIAS text is kept as published
/// (e.g. status "Open"/"Closed", phase "Primary"): it is reference data, not our vocabulary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct School {
    pub urn: Urn,
    pub establishment_name: String,
    pub phase: String,
    /// GIAS "TypeOfEstablishment (name)"; `type` is a Rust keyword, so the field says what type.
    pub establishment_type: String,
    pub la_name: String,
    pub postcode: Option<String>,
    pub trust_name: Option<String>,
    pub status: String,
    /// `None` for schools in GIAS that belong to no Challenge Partners hub.
    pub hub_id: Option<Uuid>,
}

impl School {
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_name("School name", &self.establishment_name, MAX_NAME, true)?;
        check_text("Phase", &self.phase, MAX_SHORT, false)?;
        check_text("Type of establishment", &self.establishment_type, MAX_SHORT, false)?;
        check_text("Local authority", &self.la_name, MAX_SHORT, false)?;
        check_opt_text("Postcode", &self.postcode, 10)?;
        if let Some(trust) = &self.trust_name {
            check_name("Trust", trust, MAX_NAME, false)?;
        }
        check_text("Status", &self.status, MAX_SHORT, false)
    }
}

/// A role that holds across reviews. Per-review roles are `TeamRole`s.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "role", rename_all = "snake_case")]
pub enum GlobalRole {
    /// CP central: framework versions, users, hubs; reads everything.
    Admin,
    /// Approves and returns the reports of one hub's reviews.
    HubCoordinator { hub_id: Uuid },
}

/// The UUID that stands for a hub's text id in decisions: the id itself when it is a UUID,
/// otherwise a fixed v5 UUID of the text (directory hub ids such as `hub-riverside-fells` are
/// not all UUIDs). Client and server both map through here, so their decisions agree.
pub fn hub_uuid(hub_id: &str) -> Uuid {
    const HUB_NAMESPACE: Uuid = Uuid::from_u128(0x5a1d_9c2e_7b3f_4e61_9d0a_8c4b_2e6f_1a73);
    Uuid::parse_str(hub_id).unwrap_or_else(|_| Uuid::new_v5(&HUB_NAMESPACE, hub_id.as_bytes()))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub home_school_urn: Option<Urn>,
    pub roles: Vec<GlobalRole>,
}

impl User {
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_name("Name", &self.name, MAX_NAME, true)?;
        check_text("Email", &self.email, MAX_NAME, true)?;
        // Deliberately loose: one '@' with text either side and no spaces; the sign-in mail proves the rest.
        let ok = matches!(self.email.split_once('@'), Some((a, b)) if !a.is_empty() && b.contains('.') && !b.contains('@'))
            && !self.email.contains(char::is_whitespace);
        if ok {
            Ok(())
        } else {
            Err(ValidationError::BadEmail(self.email.clone()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn roles_serialise_as_tagged_codes() {
        let hub = Uuid::from_u128(7);
        assert_eq!(serde_json::to_value(GlobalRole::Admin).unwrap(), json!({"role": "admin"}));
        assert_eq!(
            serde_json::to_value(GlobalRole::HubCoordinator { hub_id: hub }).unwrap(),
            json!({"role": "hub_coordinator", "hub_id": hub})
        );
    }

    #[test]
    fn user_email_is_checked() {
        let mut u = User { id: Uuid::nil(), name: "Ann".into(), email: "ann@school.org.uk".into(), home_school_urn: None, roles: vec![] };
        u.validate().unwrap();
        for bad in ["ann", "@school.org", "ann@school", "a b@school.org", "a@b@c.org"] {
            u.email = bad.into();
            assert_eq!(u.validate(), Err(ValidationError::BadEmail(bad.into())), "{bad}");
        }
    }

    #[test]
    fn school_needs_a_name_and_a_valid_urn() {
        let s: Result<School, _> = serde_json::from_value(json!({
            "urn": "12345", "establishment_name": "X", "phase": "", "establishment_type": "", "la_name": "",
            "postcode": null, "trust_name": null, "status": "Open", "hub_id": null
        }));
        assert!(s.unwrap_err().to_string().contains("URN '12345' is not valid"));
        let blank = School {
            urn: Urn::parse("100001").unwrap(),
            establishment_name: " ".into(),
            phase: "Primary".into(),
            establishment_type: "Academy converter".into(),
            la_name: "Greenwich".into(),
            postcode: Some("SE10 9AA".into()),
            trust_name: None,
            status: "Open".into(),
            hub_id: None,
        };
        assert_eq!(blank.validate(), Err(ValidationError::Empty { field: "School name" }));
    }
}
