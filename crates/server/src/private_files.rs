//! Files only the server's own user may read (issue 15): the data folder is 0700, the database
//! with its WAL and SHM files and the key file are 0600, also when they already existed with
//! looser modes (tightened at start). Elsewhere than Unix these are no-ops.

use std::io::Write;
use std::path::Path;

#[cfg(unix)]
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};

/// Creates the folder (and missing parents) as 0700, and tightens it if it exists with a looser mode.
pub fn private_dir(path: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    builder.mode(0o700);
    builder.create(path)?;
    tighten(path, 0o700)
}

/// Creates an empty file as 0600 when it is missing (so SQLite, which gives its WAL and SHM
/// files the database's mode, never makes a readable one), and tightens it if it exists.
pub fn private_file(path: &Path) -> std::io::Result<()> {
    if !path.exists() {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(false);
        #[cfg(unix)]
        options.mode(0o600);
        options.open(path)?;
    }
    tighten(path, 0o600)
}

/// Tightens a file that exists; a missing one is fine (WAL and SHM come and go).
pub fn tighten_if_present(path: &Path) -> std::io::Result<()> {
    if path.exists() {
        tighten(path, 0o600)?;
    }
    Ok(())
}

/// Writes a new file as 0600; refuses to replace an existing one.
pub fn create_new_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    options.mode(0o600);
    let mut f = options.open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// `Some(mode)` when the group or others may read or write the file.
pub fn others_can_read(path: &Path) -> std::io::Result<Option<u32>> {
    #[cfg(unix)]
    {
        let mode = std::fs::metadata(path)?.permissions().mode() & 0o777;
        Ok((mode & 0o077 != 0).then_some(mode))
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        Ok(None)
    }
}

#[cfg(unix)]
fn tighten(path: &Path, mode: u32) -> std::io::Result<()> {
    let current = std::fs::metadata(path)?.permissions().mode() & 0o777;
    if current & !mode != 0 {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(current & mode))?;
        tracing::warn!(path = %path.display(), from = format!("{current:03o}"), to = format!("{:03o}", current & mode), "tightened permissions");
    }
    Ok(())
}

#[cfg(not(unix))]
fn tighten(_path: &Path, _mode: u32) -> std::io::Result<()> {
    Ok(())
}
