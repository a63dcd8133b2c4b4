//! The visit plan's rules (issue 18): a planned activity has a start; an end, when given, is
//! later the same day (a lesson does not run overnight, and an end typed a day out is a slip).

use crate::fields::is_local_datetime;
use crate::ValidationError;

/// Checks a planned activity's times, both `YYYY-MM-DDTHH:MM`.
pub fn check_times(starts_at: &str, ends_at: Option<&str>) -> Result<(), ValidationError> {
    if starts_at.trim().is_empty() {
        return Err(ValidationError::Empty { field: "Start time" });
    }
    if !is_local_datetime(starts_at) {
        return Err(ValidationError::BadDate { field: "Start time", value: starts_at.chars().take(40).collect() });
    }
    let Some(ends_at) = ends_at.filter(|e| !e.trim().is_empty()) else { return Ok(()) };
    if !is_local_datetime(ends_at) {
        return Err(ValidationError::BadDate { field: "End time", value: ends_at.chars().take(40).collect() });
    }
    // Same day, and the text order of `YYYY-MM-DDTHH:MM` is time order.
    if ends_at[..10] != starts_at[..10] || ends_at <= starts_at {
        return Err(ValidationError::DateOrder { later: "End time (on the same day)", earlier: "the start time" });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_activity_starts_and_may_end_later_that_day() {
        assert!(check_times("2026-11-24T09:00", None).is_ok());
        assert!(check_times("2026-11-24T09:00", Some("2026-11-24T09:45")).is_ok());
        assert!(check_times("2026-11-24T09:00", Some("")).is_ok());
        assert!(matches!(check_times("", None), Err(ValidationError::Empty { .. })));
        assert!(matches!(check_times("24/11/2026 09:00", None), Err(ValidationError::BadDate { .. })));
        assert!(matches!(check_times("2026-11-24T09:00", Some("2026-11-24T08:30")), Err(ValidationError::DateOrder { .. })));
        assert!(matches!(check_times("2026-11-24T09:00", Some("2026-11-25T09:30")), Err(ValidationError::DateOrder { .. })));
        assert!(matches!(check_times("2026-11-24T09:00", Some("2026-11-24T09:00")), Err(ValidationError::DateOrder { .. })));
    }
}
