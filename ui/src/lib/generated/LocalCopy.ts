// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types

/**
 * What this laptop holds of one review, and whether its copy may be dropped now (issue 24,
 * decision 88): shown before the person confirms "Remove from this laptop".
 */
export type LocalCopy = { reviewId: string, schoolName: string, 
/**
 * Evidence notes held here.
 */
notes: number, comments: number, 
/**
 * Photos and documents whose sealed files are on this laptop.
 */
files: number, 
/**
 * Changes of this review not yet acknowledged by the server.
 */
unsentChanges: number, 
/**
 * Files of this review the server does not hold whole yet.
 */
unsentFiles: number, 
/**
 * Why the copy may not be dropped now (`None`: it may).
 */
whyNot: string | null, 
/**
 * What the server keeps, in words for the person.
 */
keptOnTheServer: string, };
