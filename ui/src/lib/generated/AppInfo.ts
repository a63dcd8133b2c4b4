// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types

/**
 * What the app says about itself: its version (shown in the session menu) and where its log is.
 */
export type AppInfo = { version: string, 
/**
 * `windows`, `macos` or `linux`, and the processor (`x86_64`, `aarch64`).
 */
os: string, arch: string, 
/**
 * The folder of the rotating log file, for a support e-mail; `None` when logging to a file failed.
 */
logDir: string | null, };
