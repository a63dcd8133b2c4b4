// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types

/**
 * One photo in the report.
 */
export type ReportFigure = { 
/**
 * The template section it is printed under, after the section's text.
 */
section_code: string, 
/**
 * The attachment it came from (the preview shows its thumbnail).
 */
attachment_id: string, caption: string, 
/**
 * `image/jpeg` or `image/png`.
 */
mime: string, 
/**
 * SHA-256 of the bytes (the blob's address on the server).
 */
sha256: string, };
