// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types

export type ReviewSummary = { id: string, schoolName: string, schoolUrn: string, startDate: string, state: string, evidenceCount: number, 
/**
 * Local changes to this review not yet acknowledged by the server.
 */
pendingOps: number, 
/**
 * The signed-in person's team role (`lead_reviewer`, `reviewer`, `shadow`), if on the team.
 */
myRole: string | null, 
/**
 * `local` (never acknowledged), `queued`, `sent` (in flight) or `acknowledged`.
 */
syncBadge: string, 
/**
 * Approved, and the report has changed since: it needs approving again.
 */
changedSinceApproval: boolean, openComments: number, openConflicts: number, 
/**
 * The Lead Reviewer's name, from the team list (None until it has synced).
 */
leadReviewer: string | null, 
/**
 * RFC 3339 time the review reached its current state (the state field's last write), when
 * known: for a submitted report, when it was submitted.
 */
stateSince: string | null, };
