// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types
import type { ErrorCode } from "./ErrorCode";
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
revoked: boolean, revokedReason: string | null, };
