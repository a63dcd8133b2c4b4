// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types
import type { AttachmentKind } from "./AttachmentKind";

/**
 * A picked file to attach to a note, with the person's choices (the bytes travel beside it).
 */
export type NewAttachment = { evidenceId: string, 
/**
 * The name the file had, used only in messages.
 */
fileName: string, kind: AttachmentKind, caption: string, 
/**
 * Keep a photo's own size instead of 2,048 px on its longest side.
 */
fullSize: boolean, 
/**
 * Blur the areas the face check found before saving.
 */
blurFaces: boolean, };
