//! Secrets (password, Kg) that redact themselves in `Debug`/`Display` and are wiped on drop.

use std::fmt;

use zeroize::{Zeroize, Zeroizing};

/// Bytes that must never reach a log, an error message or argv.
///
/// `Debug` prints `Secret([redacted])`; the memory is zeroed when dropped.
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

    /// The secret bytes, for the crypto that needs them.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    /// True when no secret was given (IPMI then uses an all-zero key).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[set]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_never_show_the_secret() {
        let s = Secret::from_string("hunter2".to_owned());
        assert_eq!(format!("{s:?}"), "Secret([redacted])");
        assert_eq!(format!("{s}"), "[set]");
        assert_eq!(s.expose(), b"hunter2");
    }
}
