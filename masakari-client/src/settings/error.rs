//! What is wrong with a configuration file the shared readers read.

use super::InvalidSetting;

/// A configuration file's text that cannot be used: a line that does not parse, or a value that
/// is out of range, unsupported or contradicts another. Never holds a value (it may be a secret).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfError {
    /// A line that does not parse, or a value of the wrong form, by line.
    #[error("line {line}: {message}")]
    Syntax {
        /// What is wrong (a key name at most, never its value).
        message: String,
        /// The line (1-based; 0 when unknown).
        line: usize,
    },
    /// A value that cannot be used, by key.
    #[error(transparent)]
    Invalid(#[from] InvalidSetting),
}

impl ConfError {
    /// The problem with `key`.
    pub fn invalid(key: &str, problem: &str) -> Self {
        Self::Invalid(InvalidSetting::new(key, problem))
    }

    /// A TOML reader's complaint about `text`, with the line it points at.
    pub fn toml(e: &toml::de::Error, text: &str) -> Self {
        let line = e.span().map_or(0, |span| {
            let before = text.get(..span.start).unwrap_or(text);
            before.matches('\n').count() + 1
        });
        Self::Syntax {
            message: e.message().trim().to_owned(),
            line,
        }
    }
}
