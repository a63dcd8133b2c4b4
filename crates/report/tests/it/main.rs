//! The crate's integration tests as one binary (one link instead of one per file): each former
//! `tests/<name>.rs` is a module here; fixtures they share are in `common` (or `spec`/`support`).

mod agree;
mod docx;
mod pdf;
mod photos;
mod progress;
mod support;
