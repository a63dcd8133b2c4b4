// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types
import type { AttachmentKind } from "./AttachmentKind";

/**
 * A photo or document on a note (issue 19): the synced record, and what this laptop holds of
 * its bytes.
 */
export type Attachment = { id: string, reviewId: string, evidenceId: string, kind: AttachmentKind, caption: string, sha256: string, size: number, 
/**
 * `image/jpeg`, `image/png` or `application/pdf`.
 */
mime: string, 
/**
 * The face check found a face (the areas may have been blurred before saving).
 */
mayShowFace: boolean, 
/**
 * The bytes are on this laptop (attached here, or downloaded since).
 */
heldHere: boolean, 
/**
 * Attached here and not yet on the server.
 */
uploadPending: boolean, 
/**
 * Why the last upload attempt failed, in words, while it waits to be tried again.
 */
uploadError: string | null, createdAt: string, };
