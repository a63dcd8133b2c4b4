//! Passphrase mode: the store key wrapped with XChaCha20-Poly1305 under a key-encryption key
//! from argon2id(passphrase, random salt). The file holds salt, parameters, nonce and
//! ciphertext; a wrong passphrase fails the AEAD tag, so it is told apart from a damaged file
//! only by the file parsing. Also used for handover files.

use super::StoreKey;
use crate::error::{ClientError, Result};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};
use std::path::Path;
use zeroize::Zeroizing;

pub const MIN_PASSPHRASE_CHARS: usize = 8;

/// OWASP's argon2id baseline (19 MiB, 2 passes) raised to 64 MiB / 3 passes: a laptop derives
/// once per unlock, an attacker with the file pays the same per guess.
const M_COST_KIB: u32 = 64 * 1024;
const T_COST: u32 = 3;
const P_COST: u32 = 1;

/// A sealed blob: everything needed to open it with the passphrase, nothing else.
#[derive(Serialize, Deserialize)]
pub(crate) struct Sealed {
    pub format: String,
    pub kdf: String,
    pub m_cost_kib: u32,
    pub t_cost: u32,
    pub p_cost: u32,
    pub salt: String,
    pub nonce: String,
    pub ciphertext: String,
}

fn kek(pass: &str, salt: &[u8], m: u32, t: u32, p: u32) -> Result<Zeroizing<[u8; 32]>> {
    let params = argon2::Params::new(m, t, p, Some(32)).map_err(|e| ClientError::Vault(format!("argon2 parameters: {e}")))?;
    let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut out = Zeroizing::new([0u8; 32]);
    argon.hash_password_into(pass.as_bytes(), salt, &mut out[..]).map_err(|e| ClientError::Vault(format!("argon2: {e}")))?;
    Ok(out)
}

fn random<const N: usize>() -> Result<[u8; N]> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).map_err(|e| ClientError::Vault(format!("no random numbers from the system: {e}")))?;
    Ok(b)
}

/// Encrypts `plain` under `pass`; `format` names what is inside and is authenticated too.
pub(crate) fn seal(format: &str, plain: &[u8], pass: &str) -> Result<Sealed> {
    if pass.chars().count() < MIN_PASSPHRASE_CHARS {
        return Err(ClientError::Vault(format!("choose a passphrase of at least {MIN_PASSPHRASE_CHARS} characters")));
    }
    let salt: [u8; 16] = random()?;
    let nonce: [u8; 24] = random()?;
    let k = kek(pass, &salt, M_COST_KIB, T_COST, P_COST)?;
    let cipher = XChaCha20Poly1305::new((&*k).into());
    let ciphertext = cipher
        .encrypt(XNonce::from_slice(&nonce), Payload { msg: plain, aad: format.as_bytes() })
        .map_err(|_| ClientError::Vault("encryption failed".into()))?;
    Ok(Sealed {
        format: format.into(),
        kdf: "argon2id".into(),
        m_cost_kib: M_COST_KIB,
        t_cost: T_COST,
        p_cost: P_COST,
        salt: hex::encode(salt),
        nonce: hex::encode(nonce),
        ciphertext: hex::encode(ciphertext),
    })
}

pub(crate) fn open(sealed: &Sealed, format: &str, pass: &str) -> Result<Zeroizing<Vec<u8>>> {
    let bad = || ClientError::Vault(format!("this is not a {format} file, or it is damaged"));
    if sealed.format != format || sealed.kdf != "argon2id" {
        return Err(bad());
    }
    let salt = hex::decode(&sealed.salt).map_err(|_| bad())?;
    let nonce = hex::decode(&sealed.nonce).map_err(|_| bad())?;
    let ciphertext = hex::decode(&sealed.ciphertext).map_err(|_| bad())?;
    if nonce.len() != 24 {
        return Err(bad());
    }
    let k = kek(pass, &salt, sealed.m_cost_kib, sealed.t_cost, sealed.p_cost)?;
    let cipher = XChaCha20Poly1305::new((&*k).into());
    cipher
        .decrypt(XNonce::from_slice(&nonce), Payload { msg: &ciphertext, aad: format.as_bytes() })
        .map(Zeroizing::new)
        .map_err(|_| ClientError::WrongPassphrase)
}

const KEY_FORMAT: &str = "qar-field-store-key-v1";

pub(super) fn wrap_to_file(path: &Path, key: &StoreKey, pass: &str) -> Result<()> {
    let sealed = seal(KEY_FORMAT, key.bytes(), pass)?;
    let json = serde_json::to_vec_pretty(&sealed).map_err(|e| ClientError::Vault(e.to_string()))?;
    // Written to a temporary name and renamed: a crash leaves no half key file.
    let tmp = super::sibling(path, ".tmp");
    std::fs::write(&tmp, json)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| ClientError::Vault(format!("could not write {}: {e}", path.display())))
}

pub(super) fn unwrap_file(path: &Path, pass: &str) -> Result<StoreKey> {
    let raw = std::fs::read(path).map_err(|e| ClientError::Vault(format!("could not read {}: {e}", path.display())))?;
    let sealed: Sealed = serde_json::from_slice(&raw).map_err(|_| ClientError::Vault("the key file is damaged".into()))?;
    let plain = open(&sealed, KEY_FORMAT, pass)?;
    StoreKey::from_bytes(&plain).ok_or_else(|| ClientError::Vault("the key file is damaged".into()))
}
