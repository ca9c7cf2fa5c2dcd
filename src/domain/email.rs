//! `Email`: an address we can send mail to, checked once where it enters.

use std::fmt;

use super::Invalid;

/// A plausible email address: one `@`, something on each side, a dot in the domain, no spaces.
/// Whether it exists is only learned by sending to it (hence double opt-in).
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    pub fn parse(text: &str) -> Result<Email, Invalid> {
        let text = text.trim();
        let invalid = || {
            Invalid(format!(
                "'{text}' is not an email address like name@example.org"
            ))
        };
        if text.len() > 254 || text.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(invalid());
        }
        let (local, domain) = text.rsplit_once('@').ok_or_else(invalid)?;
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '.' || c == '-');
        if local.is_empty() || local.contains('@') || local.len() > 64 || !domain_ok {
            return Err(invalid());
        }
        // Domains are case-insensitive; the local part is left as typed.
        Ok(Email(format!("{local}@{}", domain.to_lowercase())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_addresses_are_accepted_and_domains_lowercased() {
        assert_eq!(
            Email::parse(" Jo.Smith@Example.ORG ").unwrap().as_str(),
            "Jo.Smith@example.org"
        );
        assert!(Email::parse("ădmĩn@ℓocalhost.com").is_ok());
    }

    #[test]
    fn malformed_addresses_are_refused() {
        for bad in [
            "",
            "plain",
            "@example.org",
            "a@b",
            "a@.org",
            "a b@example.org",
            "a@b..org",
            "a@@b.org",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }
}
