// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types

/**
 * A newer QAR Field than this one, offered as "Update available" (issue 21). Checked against
 * the release's signed manifest; nothing is downloaded until the person asks for it.
 */
export type UpdateOffer = { version: string, currentVersion: string, 
/**
 * The release notes, as written for the release.
 */
notes: string | null, 
/**
 * RFC 3339 date of the release, when the manifest gives one.
 */
date: string | null, };
