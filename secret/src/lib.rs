//! The one secret type of the workspace: a fence device's password and Kg key, Keystone
//! passwords, application-credential secrets and tokens.
//!
//! A [`Secret`] owns its bytes in a [`zeroize::Zeroizing`] buffer, so they are overwritten
//! when it is dropped, and prints only [`REDACTED`] through `Debug` and `Display`: a secret
//! inside a settings struct, an error or a log line shows that it is there, never what it is.
//! The value is read only where it is used, with [`Secret::expose`] (bytes, for crypto) or
//! [`Secret::expose_str`] (text, for a protocol field).
//!
//! Everything that holds a secret uses this type (the CIB model keeps a device's raw
//! parameters and prints secret-looking ones with [`Redacted`]), so there is one text for a
//! hidden value in every log and error of the project.

use std::fmt;

use zeroize::{Zeroize, Zeroizing};

/// What a hidden value prints as, everywhere.
pub const REDACTED: &str = "<redacted>";

/// Bytes that must never reach a log, an error message or argv.
///
/// `Debug` and `Display` print [`REDACTED`]; the memory is zeroed when dropped.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(Zeroizing<Vec<u8>>);

impl Secret {
    /// Wraps `bytes`, taking ownership so no unwiped copy is left behind by us.
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(Zeroizing::new(bytes))
    }

    /// Wraps the bytes of `text`, wiping the `String` it came from.
    pub fn from_string(mut text: String) -> Self {
        let secret = Self::new(text.as_bytes().to_vec());
        text.zeroize();
        secret
    }

    /// The secret bytes, where they are used. Never log or format the result.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    /// The secret as text, when it is valid UTF-8. Never log or format the result.
    pub fn expose_str(&self) -> Option<&str> {
        std::str::from_utf8(&self.0).ok()
    }

    /// True when the secret is empty (IPMI then uses an all-zero key).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&Redacted, f)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&Redacted, f)
    }
}

/// Stands in for a value that is not shown (prints [`REDACTED`] through `Debug` and
/// `Display`), for code that holds secrets as plain text it does not own, such as the CIB's
/// raw parameters.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl fmt::Display for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_prints_itself() {
        let s = Secret::from_string("hunter2".to_owned());
        assert_eq!(format!("{s}"), "<redacted>");
        assert_eq!(format!("{s:?}"), "<redacted>");
        assert_eq!(format!("{:?}", Some(&s)), "Some(<redacted>)");
        assert_eq!(format!("{:?}", [Redacted]), "[<redacted>]");
        assert_eq!(s.expose(), b"hunter2");
        assert_eq!(s.expose_str(), Some("hunter2"));
    }

    #[test]
    fn empty_and_non_text_secrets() {
        assert!(Secret::default().is_empty());
        let s = Secret::new(vec![0xff, 0x00]);
        assert!(!s.is_empty());
        assert_eq!(s.expose_str(), None);
        assert_eq!(s.expose(), [0xff, 0x00]);
    }
}
