//! Editor passwords (hashed with Argon2id, checked in constant time by the argon2 crate), and
//! every token: random ones for links and sessions, stored only as their SHA-256, and ones
//! derived from a secret with HMAC-SHA256 and checked in constant time.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

/// Shorter passwords are refused when an account is created.
pub const MIN_PASSWORD_LEN: usize = 10;

/// Why a password cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("no password given: type one at the prompt, or pipe it in on standard input")]
    Missing,
    #[error("the password is too short: use at least {MIN_PASSWORD_LEN} characters")]
    TooShort,
    #[error("the two passwords typed differ: type the same one twice")]
    Mismatch,
    #[error("cannot hash the password: {0}")]
    Hash(String),
}

/// Hashes a new password into a PHC string (algorithm, parameters and salt included).
pub fn hash_password(password: &str) -> Result<String, PasswordError> {
    if password.is_empty() {
        return Err(PasswordError::Missing);
    }
    if password.chars().count() < MIN_PASSWORD_LEN {
        return Err(PasswordError::TooShort);
    }
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| PasswordError::Hash(e.to_string()))
}

/// True when `password` matches the stored hash. A malformed hash never matches.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A random token of 256 bits, hex-encoded: for links in emails and secrets.
pub fn random_token() -> String {
    let bytes: [u8; 32] = rand::random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The SHA-256 of a token, hex-encoded: what the database keeps instead of the token.
pub fn token_hash(token: &str) -> String {
    use sha2::{Digest, Sha256};
    format!("{:x}", Sha256::digest(token.as_bytes()))
}

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

fn mac(secret: &str, purpose: &str, subject: &str) -> HmacSha256 {
    use hmac::Mac;
    let mut mac =
        HmacSha256::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    // The purpose and a separator first: a token made for one use never fits another.
    mac.update(purpose.as_bytes());
    mac.update(b"\0");
    mac.update(subject.as_bytes());
    mac
}

/// A token for `subject` (an invitation's id, a subscriber's id, an address) made with
/// `secret` for `purpose`, hex-encoded: whoever has the secret can make it again, nobody else.
pub fn derived_token(secret: &str, purpose: &str, subject: &str) -> String {
    use hmac::Mac;
    let bytes = mac(secret, purpose, subject).finalize().into_bytes();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// True when `token` is [`derived_token`] for these inputs, or its first half or more (a
/// shortened link). Compared in constant time, so timing tells a guesser nothing.
pub fn derived_token_matches(secret: &str, purpose: &str, subject: &str, token: &str) -> bool {
    use hmac::Mac;
    let Some(bytes) = hex_bytes(token) else {
        return false;
    };
    bytes.len() >= 16
        && mac(secret, purpose, subject)
            .verify_truncated_left(&bytes)
            .is_ok()
}

/// True when `a` and `b` are equal, taking the same time wherever they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn hex_bytes(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}

/// A random password for the demo editor, printed once.
pub fn random_password() -> String {
    use rand::distributions::Alphanumeric;
    use rand::Rng;
    rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(16)
        .map(char::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hashed_password_verifies_and_others_do_not() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("wrong horse battery", &hash));
        assert!(!verify_password("anything", "not a hash"));
    }

    #[test]
    fn a_derived_token_fits_only_its_own_secret_purpose_and_subject() {
        let token = derived_token("s3cret", "unsubscribe", "42");
        assert_eq!(token.len(), 64);
        assert!(derived_token_matches("s3cret", "unsubscribe", "42", &token));
        assert!(derived_token_matches(
            "s3cret",
            "unsubscribe",
            "42",
            &token[..32]
        ));
        assert!(!derived_token_matches(
            "s3cret",
            "unsubscribe",
            "42",
            &token[..30]
        ));
        assert!(!derived_token_matches(
            "s3cret",
            "unsubscribe",
            "43",
            &token
        ));
        assert!(!derived_token_matches("s3cret", "invitation", "42", &token));
        assert!(!derived_token_matches("other", "unsubscribe", "42", &token));
        assert!(!derived_token_matches("s3cret", "unsubscribe", "42", "zz"));
        assert!(!derived_token_matches("s3cret", "unsubscribe", "42", ""));
    }

    #[test]
    fn short_and_empty_passwords_are_refused() {
        assert!(matches!(hash_password(""), Err(PasswordError::Missing)));
        assert!(matches!(
            hash_password("short"),
            Err(PasswordError::TooShort)
        ));
    }
}
