// Generated from Rust by crates/client/tests/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test ts_types
import type { PendingRecords } from "./PendingRecords";
import type { SyncProgress } from "./SyncProgress";

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
 */
lastErrorCode: string | null, openConflicts: number, progress: SyncProgress | null, 
/**
 * The server no longer accepts this laptop's sign-in.
 */
needsSignIn: boolean, 
/**
 * An administrator revoked this laptop: sync has stopped for good; offer export, then wipe.
 */
revoked: boolean, revokedReason: string | null, 
/**
 * What waits to sync, as a person counts it: records by kind (one note edited ten times is
 * one note), kinds in the order of `EntityKind` codes.
 */
pendingRecords: Array<PendingRecords>, };
