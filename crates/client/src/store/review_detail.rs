//! One review with what its overview shows: team, visit days, what the person may do now, and
//! the report hashes behind "changed since approval".

use super::Store;
use crate::error::Result;
use crate::model::{ReviewDetail, TeamMember};
use chrono::{Days, NaiveDate};
use qar_core::entities::DEFAULT_VISIT_DAYS;
use qar_core::permissions::{allowed_actions, ReviewFacts};

impl Store {
    pub fn review_detail(&self, review_id: &str) -> Result<ReviewDetail> {
        let summary = self.review(review_id)?;
        let info = self.review_info(review_id)?;
        let (team, approved_hash, approved_by, listed, school): (String, String, String, Option<String>, Option<String>) = self
            .conn
            .prepare_cached("SELECT team, approved_hash, approved_by, visit_dates, school_context FROM reviews WHERE id = ?1")?
            .query_row([review_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?;
        let team: Vec<TeamMember> = serde_json::from_str::<Vec<serde_json::Value>>(&team)
            .unwrap_or_default()
            .iter()
            .map(|m| {
                let part = |k: &str| m.get(k).and_then(|v| v.as_str()).unwrap_or_default().to_owned();
                TeamMember { user_id: part("user_id"), name: part("name"), role: part("role") }
            })
            .collect();
        // Listed as if connected: approve and return are shown to a coordinator offline too,
        // and the call itself explains that it needs the server.
        let facts = ReviewFacts { online: true, ..info.facts };
        let allowed = allowed_actions(&self.actor()?, &facts).into_iter().map(|a| a.code().to_owned()).collect();
        Ok(ReviewDetail {
            visit_days: days_of(&summary.start_date, listed.as_deref()),
            report_hash: self.report_hash(review_id)?,
            summary,
            team,
            hub_id: info.hub_id,
            allowed_actions: allowed,
            approved_hash,
            approved_by,
            // Unreadable context (a register shape this build does not know) is shown as none
            // rather than failing the whole overview.
            school: school.and_then(|s| serde_json::from_str(&s).ok()),
        })
    }
}

/// The days scheduling wrote (a visit may span a weekend) while they still begin on the start
/// date; otherwise (set up on the laptop, or the start date edited here since) from the start date.
fn days_of(start: &str, listed: Option<&str>) -> Vec<String> {
    let listed: Vec<String> = listed.and_then(|l| serde_json::from_str(l).ok()).unwrap_or_default();
    if listed.first().is_some_and(|d| d == start) {
        return listed;
    }
    visit_days(start)
}

/// The visit's days from its start date (three by default), skipping nothing: a visit that
/// spans a weekend is rare and the LR sees the real dates either way.
fn visit_days(start: &str) -> Vec<String> {
    let Ok(first) = NaiveDate::parse_from_str(start, "%Y-%m-%d") else { return Vec::new() };
    (0..DEFAULT_VISIT_DAYS as u64).filter_map(|i| first.checked_add_days(Days::new(i))).map(|d| d.format("%Y-%m-%d").to_string()).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn visit_days_cross_month_ends() {
        assert_eq!(super::visit_days("2027-02-27"), ["2027-02-27", "2027-02-28", "2027-03-01"]);
        assert!(super::visit_days("").is_empty());
    }

    #[test]
    fn scheduled_days_win_while_they_start_on_the_start_date() {
        let listed = r#"["2027-05-13","2027-05-14","2027-05-17"]"#;
        assert_eq!(super::days_of("2027-05-13", Some(listed)), ["2027-05-13", "2027-05-14", "2027-05-17"]);
        assert_eq!(super::days_of("2027-05-20", Some(listed)), ["2027-05-20", "2027-05-21", "2027-05-22"]);
        assert_eq!(super::days_of("2027-05-20", None), ["2027-05-20", "2027-05-21", "2027-05-22"]);
        assert_eq!(super::days_of("2027-05-20", Some("not json")), ["2027-05-20", "2027-05-21", "2027-05-22"]);
    }
}
