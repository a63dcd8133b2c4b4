// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types
import type { ErrorCode } from "./ErrorCode";
import type { PendingRecords } from "./PendingRecords";
import type { SyncProgress } from "./SyncProgress";
import type { UploadStatus } from "./UploadStatus";

export type SyncStatus = { pendingOps: number, 
/**
 * RFC 3339 time of the last sync that completed.
 */
lastSyncAt: string | null, 
/**
 * Why the last attempt failed, in plain words; `None` after a success.
 */
lastError: string | null, serverUrl: string, syncing: boolean, 
/**
 * Set when this laptop's clock disagrees with the server's by more than two minutes.
 */
clockWarning: string | null, 
/**
 * Stable code of the last failure (`offline`, `signed_out`, …); `None` after a success.
 * The last error's code when this build knows it (the UI branches on it); a code only a
 * newer server sends is `None` here, and `last_error` still says what happened.
 */
lastErrorCode: ErrorCode | null, openConflicts: number, progress: SyncProgress | null, 
/**
 * The server no longer accepts this laptop's sign-in.
 */
needsSignIn: boolean, 
/**
 * An administrator revoked this laptop: sync has stopped for good; offer export, then wipe.
 */
revoked: boolean, revokedReason: string | null, 
/**
 * Set when a newer app is available or needed (the server knows a newer data schema, sent
 * records this app cannot show yet, or no longer accepts this app's changes): what to do,
 * in plain words (issue 17).
 */
updateNotice: string | null, 
/**
 * The server no longer accepts this app's changes: they stay on this laptop until it is
 * updated.
 */
updateRequired: boolean, 
/**
 * Changes of this laptop the server refused for good.
 */
refusedChanges: number, 
/**
 * Why the most recent of them was refused, as the server said it.
 */
lastRefusal: string | null, 
/**
 * What waits to sync, as a person counts it: records by kind (one note edited ten times is
 * one note), kinds in the order of `EntityKind` codes.
 */
pendingRecords: Array<PendingRecords>, 
/**
 * Records the partnership's retention policy removed from this laptop at its last purge,
 * in words, for two weeks after it (issue 24); `None` otherwise.
 */
purgeNotice: string | null, 
/**
 * Photos and documents on their way to the server (issue 19).
 */
uploads: UploadStatus, };
