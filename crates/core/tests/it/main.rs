//! The crate's integration tests as one binary (one link instead of one per file): each former
//! `tests/<name>.rs` is a module here; fixtures they share are in `common` (or `spec`/`support`).

mod generated;
mod generated_error_code;
mod lifecycle;
mod permissions;
mod spec;
mod sync_convergence;
mod tables_export;
mod upcast_golden;
mod visit_day_cases;
