//! Every token the site hands out, in one place: random ones for links and sessions, stored
//! only as their SHA-256, and ones derived from a secret kept in the database with
//! HMAC-SHA256, checked in constant time. Each kind of link has its own purpose string, so a
//! token made for one use never fits another.

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
fn derived_token(secret: &str, purpose: &str, subject: &str) -> String {
    use hmac::Mac;
    let bytes = mac(secret, purpose, subject).finalize().into_bytes();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// True when `token` is [`derived_token`] for these inputs, or its first half or more (a
/// shortened link). Compared in constant time, so timing tells a guesser nothing.
fn derived_token_matches(secret: &str, purpose: &str, subject: &str, token: &str) -> bool {
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

/// The token in an invitation's link: derived from the `invitations` secret and the
/// invitation's id, so reminders can write the same link again while the database keeps only
/// its hash.
pub fn invitation(secret: &str, invitation_id: i64) -> String {
    derived_token(secret, "invitation", &invitation_id.to_string())
}

/// The token of the link an invitation was sent with, made again from the secret: the one its
/// database row knows. Invitations sent before tokens were HMACs got a plain SHA-256 of the
/// secret and the id. `None` when the row's hash fits neither: its token was random, and no
/// one can make that link again.
pub fn invitation_link(secret: &str, invitation_id: i64, stored_hash: &str) -> Option<String> {
    let legacy = token_hash(&format!("{secret}:invitation:{invitation_id}"));
    let current = invitation(secret, invitation_id);
    [legacy, current]
        .into_iter()
        .find(|token| constant_time_eq(token_hash(token).as_bytes(), stored_hash.as_bytes()))
}

/// The token in a subscriber's unsubscribe link, from the `unsubscribe` secret and their id.
pub fn unsubscribe(secret: &str, subscriber_id: i64) -> String {
    derived_token(secret, "unsubscribe", &subscriber_id.to_string())[..32].to_string()
}

/// True when `token` is the unsubscribe token of `subscriber_id`, as newsletters sent now or
/// before tokens were HMACs (a plain SHA-256 of secret and id) carry it.
pub fn unsubscribe_matches(secret: &str, subscriber_id: i64, token: &str) -> bool {
    derived_token_matches(secret, "unsubscribe", &subscriber_id.to_string(), token)
        || constant_time_eq(
            token.as_bytes(),
            &token_hash(&format!("{secret}:unsubscribe:{subscriber_id}")).as_bytes()[..32],
        )
}

/// The token in a panelist's link to their own page ("Your answers"), from the `panelist_page`
/// secret and their id.
pub fn panelist_page(secret: &str, panelist_id: i64) -> String {
    derived_token(secret, "panelist-page", &panelist_id.to_string())[..32].to_string()
}

pub fn panelist_page_matches(secret: &str, panelist_id: i64, token: &str) -> bool {
    derived_token_matches(secret, "panelist-page", &panelist_id.to_string(), token)
}

/// The signature on the address that shows a held comment to its author.
pub fn held_comment(secret: &str, comment_id: i64) -> String {
    derived_token(secret, "held-comment", &comment_id.to_string())[..32].to_string()
}

/// True when `mac` signs the held comment `comment_id` (as text, straight from the address).
pub fn held_comment_matches(secret: &str, comment_id: &str, mac: &str) -> bool {
    derived_token_matches(secret, "held-comment", comment_id, mac)
}

/// The signature in a known browser's cookie `EDITOR.NONCE.MAC`.
pub fn device(secret: &str, editor_id: i64, nonce: &str) -> String {
    derived_token(secret, "device", &format!("{editor_id}.{nonce}"))[..32].to_string()
}

/// True when `mac` signs a device cookie's `EDITOR.NONCE` (as text, straight from the cookie).
pub fn device_matches(secret: &str, editor_id: &str, nonce: &str, mac: &str) -> bool {
    derived_token_matches(secret, "device", &format!("{editor_id}.{nonce}"), mac)
}

/// A client's address as rate limits count it: keyed, so the database holds no addresses.
pub fn client_key(secret: &str, address: &str) -> String {
    derived_token(secret, "client", address)[..32].to_string()
}

/// The key that makes one comment, sent twice, stored once: from everything the form said.
pub fn comment_key(secret: &str, said: &str) -> String {
    derived_token(secret, "comment", said)
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn an_invitation_link_is_made_again_only_from_the_hash_it_was_sent_with() {
        let secret = "s3cret";
        let legacy = token_hash(&format!("{secret}:invitation:7"));
        assert_eq!(
            invitation_link(secret, 7, &token_hash(&legacy)),
            Some(legacy)
        );
        let current = invitation(secret, 7);
        assert_eq!(
            invitation_link(secret, 7, &token_hash(&current)),
            Some(current.clone())
        );
        assert_eq!(invitation_link(secret, 8, &token_hash(&current)), None);
        assert_eq!(
            invitation_link(secret, 7, &token_hash(&random_token())),
            None
        );
    }

    #[test]
    fn an_unsubscribe_link_of_either_age_fits() {
        let legacy = &token_hash("s3cret:unsubscribe:42")[..32];
        assert!(unsubscribe_matches("s3cret", 42, legacy));
        assert!(unsubscribe_matches(
            "s3cret",
            42,
            &unsubscribe("s3cret", 42)
        ));
        assert!(!unsubscribe_matches(
            "s3cret",
            43,
            &unsubscribe("s3cret", 42)
        ));
    }
}
