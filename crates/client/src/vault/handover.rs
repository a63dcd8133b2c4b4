//! Handover files: a laptop's unsent work, sealed under a passphrase (argon2id +
//! XChaCha20-Poly1305, as the key file), for moving to another laptop without a network.
//! The plaintext inside is JSON: who wrote the ops, on which device, the ops themselves, and
//! the attachments not sent yet (their cleaned bytes and metadata).

use super::passphrase::{open, seal, Sealed};
use crate::error::{ClientError, Result};
use qar_core::protocol::Op;
use serde::{Deserialize, Serialize};
use std::path::Path;
use uuid::Uuid;

const FORMAT: &str = "qar-field-handover-v1";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Handover {
    /// The person whose work this is (a store holds one person's reviews).
    pub user_id: Option<String>,
    /// The device the ops were written on: with each op's seq, what makes re-import a no-op.
    pub origin_device: Uuid,
    pub created_at_ms: u64,
    pub ops: Vec<Op>,
    /// The attachments not sent yet, bytes and metadata (issue 19); absent from files written
    /// before attachments travelled.
    #[serde(default)]
    pub files: Vec<crate::store::HandedFile>,
}

pub fn write(path: &Path, handover: &Handover, pass: &str) -> Result<()> {
    let plain = zeroize::Zeroizing::new(serde_json::to_vec(handover).map_err(|e| ClientError::Vault(e.to_string()))?);
    let sealed = seal(FORMAT, &plain, pass)?;
    let json = serde_json::to_vec_pretty(&sealed).map_err(|e| ClientError::Vault(e.to_string()))?;
    let tmp = super::sibling(path, ".tmp");
    std::fs::write(&tmp, json)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| ClientError::Vault(format!("could not write the handover file {}: {e}", path.display())))
}

pub fn read(path: &Path, pass: &str) -> Result<Handover> {
    let raw = std::fs::read(path).map_err(|e| ClientError::Vault(format!("could not read {}: {e}", path.display())))?;
    let not_handover = || ClientError::Vault("this is not a QAR Field handover file, or it is damaged".into());
    let sealed: Sealed = serde_json::from_slice(&raw).map_err(|_| not_handover())?;
    let plain = open(&sealed, FORMAT, pass)?;
    serde_json::from_slice(&plain).map_err(|_| not_handover())
}
