//! The crate's integration tests as one binary (one link instead of one per file): each former
//! `tests/<name>.rs` is a module here; fixtures they share are in `common` (or `spec`/`support`).

mod admin_cli;
mod at_rest;
mod audit_chain;
mod audit_push;
mod auth_api;
mod backup_restore;
mod blobs;
mod clock_bound;
mod common;
mod data_map;
mod erasure;
mod gias_import;
mod host_headteacher;
mod hub_admin;
mod insights;
mod kill_during_push;
mod mail_delivery;
mod operations;
mod previous_review;
mod push_authz;
mod refused_ops_change_nothing;
mod register;
mod report_expiry;
mod report_photos;
mod report_versions;
mod retention;
mod role_matrix;
mod schema_versions;
mod small_doors;
mod subject_access;
mod sync_rules;
mod visit_days;
mod wire;
mod wire_throttle;
