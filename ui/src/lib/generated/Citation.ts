// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types

/**
 * A note cited in a report section (`qar_core::citation`): shown to the team as a link to the
 * note, left out of every export.
 */
export type Citation = { 
/**
 * The exact text of the citation in the section's body.
 */
token: string, noteId: string, 
/**
 * "Learning walk, 24 Nov 10:15" when the note is on this laptop; "a team note" when not
 * (a coordinator does not hold the team's notes) or when it was deleted.
 */
label: string, 
/**
 * Whether the note is on this laptop to be opened.
 */
available: boolean, };
