// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types
import type { FailedUpload } from "./FailedUpload";
import type { SendingFile } from "./SendingFile";

/**
 * The attachment upload queue as the sync panel shows it (issue 19).
 */
export type UploadStatus = { 
/**
 * Files whose bytes the server does not hold whole yet.
 */
waitingFiles: number, 
/**
 * Bytes of those files not on the server yet.
 */
bytesLeft: number, 
/**
 * The file being sent right now, if any.
 */
sending: SendingFile | null, 
/**
 * Estimated seconds until every waiting file is sent, from the speed of the current round.
 */
secondsLeft: number | null, 
/**
 * Files sent whole since the app started.
 */
sentFiles: number, 
/**
 * Files whose last attempt failed, with why, while they wait to be tried again.
 */
failed: Array<FailedUpload>, };
