// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types

/**
 * What the safe pipeline found in a picked file before anything is stored (issue 19): shown
 * to the person so they can decide about faces and size before saving.
 */
export type AttachmentCheck = { 
/**
 * `image/jpeg`, `image/png` or `application/pdf`.
 */
mime: string, 
/**
 * Pixel size of the cleaned photo; `None` for a document.
 */
width: number | null, height: number | null, 
/**
 * Bytes of the cleaned copy that would be kept.
 */
size: number, 
/**
 * Bytes of the file as picked.
 */
originalSize: number, 
/**
 * The photo's location, camera details and other hidden data were removed (always true
 * for a photo: it is re-encoded from its pixels).
 */
metadataRemoved: boolean, 
/**
 * The face check found at least one face: the person must choose to blur or keep.
 */
mayShowFace: boolean, };
