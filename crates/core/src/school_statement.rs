//! What the host school writes before its visit (issue 22, point 3): its context statement and
//! the Area of Excellence it proposes. The school's headteacher writes them (the permission
//! table's `WriteSchoolStatement`: their own school's review, until the visit ends); the server
//! keeps them as one record per review (`EntityKind::SchoolStatement`, every field
//! server-written) that the review team's laptops pull and show read-only while they prepare.
//! The limits both ends check live here, so the form, the JSON route and the laptop agree.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Longest context statement, in characters: about two pages, as schools are usually asked for.
pub const MAX_CONTEXT_CHARS: usize = 8_000;
/// Longest title of the proposed Area of Excellence (the register's own title length).
pub const MAX_AOE_TITLE_CHARS: usize = 200;
/// Longest account of why the school proposes it.
pub const MAX_AOE_SUMMARY_CHARS: usize = 4_000;

/// The id of a review's school-statement record: one per review, the same on every laptop, so a
/// second save rewrites the record instead of adding another.
pub fn record_id(review_id: Uuid) -> Uuid {
    Uuid::new_v5(&review_id, b"school_statement")
}

/// `PUT /v1/reviews/{review_id}/school-statement` (and the school's web form): the parts the
/// head is saving. A part left out (`null`) stays as it was; empty text clears it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SchoolStatementChange {
    #[serde(default)]
    pub context_statement: Option<String>,
    #[serde(default)]
    pub aoe_title: Option<String>,
    #[serde(default)]
    pub aoe_summary: Option<String>,
}

/// What the school has written for one review, as the head (and the review team) read it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SchoolStatement {
    pub review_id: String,
    pub school_name: String,
    pub school_urn: String,
    pub context_statement: String,
    pub aoe_title: String,
    pub aoe_summary: String,
    /// The name of the head who last saved it (empty before anything is written).
    pub written_by: String,
    /// When it was last saved (ms since the Unix epoch; 0 before anything is written).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub written_ms: u64,
    /// Whether the head may still change it (until the visit ends).
    pub open: bool,
}

impl SchoolStatementChange {
    /// The record's fields this change writes, trimmed at the ends (inner line breaks kept).
    pub fn fields(&self) -> Vec<(&'static str, String)> {
        [("context_statement", &self.context_statement), ("aoe_title", &self.aoe_title), ("aoe_summary", &self.aoe_summary)]
            .into_iter()
            .filter_map(|(name, v)| v.as_ref().map(|t| (name, t.trim().to_owned())))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_parts_sent_are_written_and_they_are_trimmed() {
        let change = SchoolStatementChange {
            context_statement: Some("  Our school…\n\nMore.  ".into()),
            aoe_title: None,
            aoe_summary: Some(String::new()),
        };
        assert_eq!(change.fields(), vec![("context_statement", "Our school…\n\nMore.".to_owned()), ("aoe_summary", String::new())]);
    }

    #[test]
    fn each_review_has_its_own_record_id() {
        assert_ne!(record_id(Uuid::from_u128(1)), record_id(Uuid::from_u128(2)));
        assert_ne!(record_id(Uuid::from_u128(1)), crate::previous_review::record_id(Uuid::from_u128(1)));
    }
}
