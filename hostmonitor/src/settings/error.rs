//! What is wrong with a configuration, said so that an operator can fix it.

use std::path::PathBuf;

/// A configuration that cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SettingsError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The text is not valid TOML, or a key is unknown or of the wrong type.
    #[error("line {line}: {message}")]
    Syntax {
        /// What the TOML reader said.
        message: String,
        /// The line of the offending text (1-based; 0 when unknown).
        line: usize,
    },
    /// A value is out of range or contradicts another.
    #[error("{key} {problem}")]
    Invalid {
        /// The key, as `section.key`.
        key: String,
        /// What is wrong with it.
        problem: String,
    },
    /// Any of the above, in a named file.
    #[error("{path}: {inner}")]
    InFile {
        /// The file.
        path: PathBuf,
        /// The problem.
        inner: Box<SettingsError>,
    },
}

impl From<masakari_client::settings::InvalidSetting> for SettingsError {
    fn from(e: masakari_client::settings::InvalidSetting) -> Self {
        Self::Invalid {
            key: e.key,
            problem: e.problem,
        }
    }
}

impl From<masakari_client::settings::ConfError> for SettingsError {
    fn from(e: masakari_client::settings::ConfError) -> Self {
        match e {
            masakari_client::settings::ConfError::Syntax { message, line } => {
                Self::Syntax { message, line }
            }
            masakari_client::settings::ConfError::Invalid(invalid) => invalid.into(),
            other => Self::invalid("the file", &other.to_string()),
        }
    }
}

impl SettingsError {
    pub(crate) fn invalid(key: &str, problem: &str) -> Self {
        Self::Invalid {
            key: key.to_owned(),
            problem: problem.to_owned(),
        }
    }

    pub(crate) fn in_file(self, path: &std::path::Path) -> Self {
        match self {
            e @ (Self::Read { .. } | Self::InFile { .. }) => e,
            e => Self::InFile {
                path: path.to_owned(),
                inner: Box::new(e),
            },
        }
    }
}
