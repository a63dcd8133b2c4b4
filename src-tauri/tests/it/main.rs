//! The crate's integration tests as one binary (one link instead of one per file): each former
//! `tests/<name>.rs` is a module here; fixtures they share are in `common` (or `spec`/`support`).

mod attachment_ipc;
mod capabilities;
mod common;
mod downgrade_guard;
mod invite_ipc;
mod ipc;
mod ipc_protect;
mod log_file;
mod startup_probe;
mod updates;
