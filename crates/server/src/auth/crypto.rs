//! The secrets of sign-in: argon2id password hashes, bearer tokens (stored as SHA-256), TOTP
//! codes (RFC 6238: SHA-1, 6 digits, 30 s, one step of clock skew either way), and generated
//! initial passwords. Randomness comes from the operating system.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::Engine;
use sha2::{Digest, Sha256};
use std::sync::OnceLock;
use totp_rs::{Algorithm, Secret, TOTP};

/// Shown in authenticator apps next to the account.
pub const TOTP_ISSUER: &str = "QAR Field";
const TOTP_STEP_S: u64 = 30;
const TOTP_DIGITS: usize = 6;
/// Bearer tokens start with this, so a leaked one is recognisable (and greppable in logs).
pub const TOKEN_PREFIX: &str = "qar1_";

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct CryptoError(pub String);

impl From<CryptoError> for super::AuthError {
    fn from(e: CryptoError) -> Self {
        super::AuthError::Crypto(e.0)
    }
}

pub fn random_bytes<const N: usize>() -> Result<[u8; N], CryptoError> {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf).map_err(|e| CryptoError(format!("the system random source failed: {e}")))?;
    Ok(buf)
}

/// argon2id (v19, the crate's defaults: 19 MiB, 2 passes, 1 lane, the OWASP minimum) as a PHC
/// string. Verification reads the parameters from the string, so they can be raised later.
pub fn hash_password(password: &str) -> Result<String, CryptoError> {
    let salt = SaltString::encode_b64(&random_bytes::<16>()?).map_err(|e| CryptoError(e.to_string()))?;
    let hash = Argon2::default().hash_password(password.as_bytes(), &salt).map_err(|e| CryptoError(e.to_string()))?;
    Ok(hash.to_string())
}

/// True when `password` matches the PHC string. A malformed stored hash never matches.
pub fn verify_password(phc: &str, password: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(e) => {
            tracing::error!("a stored password hash does not parse: {e}");
            false
        }
    }
}

/// Spends the time of one verification, for sign-ins with an unknown email: answering those
/// faster would tell an attacker which addresses have accounts.
pub fn verify_against_dummy(password: &str) {
    static DUMMY: OnceLock<Option<String>> = OnceLock::new();
    if let Some(phc) = DUMMY.get_or_init(|| hash_password("no account has this password").ok()) {
        let _ = verify_password(phc, password);
    }
}

/// A new bearer token and the hash to store. 32 random bytes, base64url.
pub fn new_token() -> Result<(String, String), CryptoError> {
    let token = format!("{TOKEN_PREFIX}{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes::<32>()?));
    let hash = token_hash(&token);
    Ok((token, hash))
}

/// SHA-256 of the token text, lower-case hex. A token has 256 random bits, so a fast hash is
/// enough: nobody can guess one to match a leaked hash.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A new TOTP secret: 160 random bits (RFC 4226's recommendation), base32 without padding.
pub fn new_totp_secret() -> Result<String, CryptoError> {
    match Secret::Raw(random_bytes::<20>()?.to_vec()).to_encoded() {
        Secret::Encoded(s) => Ok(s),
        Secret::Raw(_) => Err(CryptoError("base32 encoding failed".into())),
    }
}

fn totp(secret_base32: &str, account: &str) -> Result<TOTP, CryptoError> {
    let bytes =
        Secret::Encoded(secret_base32.trim().to_owned()).to_bytes().map_err(|_| CryptoError("the TOTP secret is not base32".into()))?;
    if bytes.len() < 16 {
        return Err(CryptoError("the TOTP secret is shorter than 128 bits".into()));
    }
    Ok(TOTP::new_unchecked(Algorithm::SHA1, TOTP_DIGITS, 1, TOTP_STEP_S, bytes, Some(TOTP_ISSUER.to_owned()), account.to_owned()))
}

/// Checks a secret before it is stored (base32, at least 128 bits).
pub fn check_totp_secret(secret_base32: &str) -> Result<(), CryptoError> {
    totp(secret_base32, "").map(|_| ())
}

/// The code an authenticator app shows at `at_ms` (tests and tooling use it).
pub fn totp_code(secret_base32: &str, at_ms: u64) -> Result<String, CryptoError> {
    Ok(totp(secret_base32, "")?.generate(at_ms / 1000))
}

/// The 30-second step whose code `code` is, if it is the code of the step of `now_ms` or of
/// one step either side. Spaces in the code are ignored ("123 456").
pub fn totp_step(secret_base32: &str, code: &str, now_ms: u64) -> Option<u64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != TOTP_DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let totp = match totp(secret_base32, "") {
        Ok(t) => t,
        Err(e) => {
            tracing::error!("a stored TOTP secret is unusable: {e}");
            return None;
        }
    };
    let now_step = now_ms / 1000 / TOTP_STEP_S;
    let mut found = None;
    // Every candidate is compared, in constant time, so timing does not tell which step matched.
    for step in now_step.saturating_sub(1)..=now_step + 1 {
        if constant_time_eq(totp.generate(step * TOTP_STEP_S).as_bytes(), code.as_bytes()) {
            found = Some(step);
        }
    }
    found
}

/// `otpauth://totp/QAR%20Field:<email>?secret=…&issuer=QAR%20Field`: what an authenticator app
/// scans (as a QR code) or accepts pasted.
pub fn totp_uri(secret_base32: &str, email: &str) -> Result<String, CryptoError> {
    Ok(totp(secret_base32, &email.replace(':', "_"))?.get_url())
}

/// A generated initial password: 20 characters in four groups, from 32 symbols that are hard
/// to confuse when read aloud or copied by hand (no l, o, 0, 1): 100 bits.
pub fn generate_password() -> Result<String, CryptoError> {
    const SYMBOLS: &[u8; 32] = b"abcdefghijkmnpqrstuvwxyz23456789";
    let bytes = random_bytes::<20>()?;
    let mut out = String::with_capacity(23);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 && i % 5 == 0 {
            out.push('-');
        }
        out.push(SYMBOLS[(*b & 31) as usize] as char);
    }
    Ok(out)
}

/// Equal, in time that does not depend on where the first difference is.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_to_argon2id_phc_strings_with_fresh_salts() {
        let a = hash_password("correct horse battery").unwrap();
        let b = hash_password("correct horse battery").unwrap();
        assert!(a.starts_with("$argon2id$v=19$"), "{a}");
        assert_ne!(a, b, "each hash has its own salt");
        assert!(verify_password(&a, "correct horse battery"));
        assert!(!verify_password(&a, "correct horse batteries"));
        assert!(!verify_password("not a hash", "correct horse battery"));
    }

    #[test]
    fn tokens_are_random_and_hashed_as_hex_sha256() {
        let (t1, h1) = new_token().unwrap();
        let (t2, _) = new_token().unwrap();
        assert_ne!(t1, t2);
        assert!(t1.starts_with(TOKEN_PREFIX) && t1.len() == TOKEN_PREFIX.len() + 43, "{t1}");
        assert_eq!(h1.len(), 64);
        assert_eq!(h1, token_hash(&t1));
        assert!(!h1.contains(&t1[TOKEN_PREFIX.len()..]));
    }

    #[test]
    fn totp_matches_rfc6238_and_allows_one_step_of_skew() {
        // RFC 6238 appendix B, SHA-1 secret "12345678901234567890", T = 59 s -> 94287082 (8 digits);
        // the 6-digit code is its last six digits.
        let secret = match Secret::Raw(b"12345678901234567890".to_vec()).to_encoded() {
            Secret::Encoded(s) => s,
            Secret::Raw(_) => unreachable!(),
        };
        assert_eq!(totp_code(&secret, 59_000).unwrap(), "287082");
        let t = 1_795_000_000_000;
        let code = totp_code(&secret, t).unwrap();
        let step = t / 30_000;
        assert_eq!(totp_step(&secret, &code, t), Some(step));
        assert_eq!(totp_step(&secret, &code, t + 30_000), Some(step), "a code from the last step still works");
        assert_eq!(totp_step(&secret, &code, t - 30_000), Some(step), "a laptop clock a little ahead is fine");
        assert_eq!(totp_step(&secret, &code, t + 90_000), None, "old codes expire");
        assert_eq!(totp_step(&secret, &format!("{} {}", &code[..3], &code[3..]), t), Some(step));
        assert_eq!(totp_step(&secret, "12345", t), None);
        assert_eq!(totp_step(&secret, "abcdef", t), None);
        assert_eq!(totp_step("not base32!", &code, t), None);
    }

    #[test]
    fn secrets_and_uris_are_what_authenticator_apps_expect() {
        let s = new_totp_secret().unwrap();
        assert_eq!(s.len(), 32, "160 bits in base32");
        check_totp_secret(&s).unwrap();
        assert!(check_totp_secret("ABCDEFGH").is_err(), "too short");
        let uri = totp_uri(&s, "anika.marsh@example.org").unwrap();
        assert!(uri.starts_with("otpauth://totp/QAR%20Field:anika.marsh%40example.org?secret="), "{uri}");
        assert!(uri.contains(&s) && uri.contains("issuer=QAR%20Field"), "{uri}");
    }

    #[test]
    fn generated_passwords_are_long_and_unambiguous() {
        let p = generate_password().unwrap();
        assert_eq!(p.len(), 23);
        assert_eq!(p.split('-').count(), 4);
        assert!(!p.contains(['l', 'o', '0', '1']));
        assert_ne!(p, generate_password().unwrap());
    }
}
