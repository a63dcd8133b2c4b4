//! The crate's integration tests as one binary (one link instead of one per file): each former
//! `tests/<name>.rs` is a module here; fixtures they share are in `common` (or `spec`/`support`).

mod accuracy_check_flow;
mod attachment_files;
mod attachment_sync;
mod clock_ahead;
mod common;
mod compressed_sync;
mod crash_safety;
mod desk_flow;
mod drop_local_copy;
mod encrypted_store;
mod handover_files;
mod insecure_address;
mod invitation_flow;
mod previous_review_flow;
mod proposal_flow;
mod register_copy;
mod register_round_trips;
mod report_export;
mod report_photos;
mod restored_server;
mod retention_purge;
mod retention_year;
mod revoke_handover;
mod scheduling_flow;
mod schema_mix;
mod school_statement_flow;
mod simulation;
mod ts_types;
mod two_laptops;
mod visit_change_flow;
