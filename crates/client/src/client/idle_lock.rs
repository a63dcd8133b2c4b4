//! The idle lock's password check when the store key sits in the OS keychain. In passphrase
//! mode the lock checks the store passphrase (see `vault`); with a keychain there is no
//! passphrase, so the lock asks for the person's sign-in password instead, checked offline
//! against an argon2id hash kept inside the encrypted store at each successful sign-in.

use super::Client;
use crate::error::{ClientError, Result};
use crate::sync::lock;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

impl Client {
    /// Called after a sign-in the server accepted: the password is known good now.
    pub(super) fn remember_password_for_lock(&self, password: &str) -> Result<()> {
        let salt = SaltString::encode_b64(&random_salt()?).map_err(|e| ClientError::Vault(format!("salt: {e}")))?;
        let phc = Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map_err(|e| ClientError::Vault(format!("argon2: {e}")))?
            .to_string();
        lock(&self.store).set_lock_verifier(&phc)
    }

    /// Whether `password` is the signed-in person's password, without the network.
    pub fn verify_lock_password(&self, password: &str) -> Result<()> {
        let phc = lock(&self.store).lock_verifier()?.ok_or(ClientError::LockNeedsSignIn)?;
        let hash = PasswordHash::new(&phc).map_err(|_| ClientError::LockNeedsSignIn)?;
        Argon2::default().verify_password(password.as_bytes(), &hash).map_err(|_| ClientError::WrongPassword)
    }
}

fn random_salt() -> Result<[u8; 16]> {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).map_err(|e| ClientError::Vault(format!("no random numbers from the system: {e}")))?;
    Ok(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_a_sign_in_there_is_nothing_to_check_against() {
        let dir = tempfile::tempdir().unwrap();
        let c = Client::open(dir.path(), "http://127.0.0.1:9").unwrap();
        assert_eq!(c.verify_lock_password("anything at all").unwrap_err().code(), "lock_needs_sign_in");
        c.remember_password_for_lock("field-visit-password").unwrap();
        c.verify_lock_password("field-visit-password").unwrap();
        assert_eq!(c.verify_lock_password("field-visit-passwore").unwrap_err().code(), "wrong_password");
    }
}
