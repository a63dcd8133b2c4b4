//! The crate's integration tests as one binary (one link instead of one per file): each former
//! `tests/<name>.rs` is a module here; fixtures they share are in `common` (or `spec`/`support`).

mod common;
mod invite_ipc;
mod ipc;
mod ipc_protect;
