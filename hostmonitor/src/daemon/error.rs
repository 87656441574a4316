//! Why the daemon could not start or had to stop.

use std::path::PathBuf;

use crate::engine::RecordError;

/// A failure that stops the daemon (everything else is logged and survived).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DaemonError {
    /// A socket or directory could not be set up.
    #[error("{path}: {source}")]
    Io {
        /// The path involved.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The durable record exists but cannot be used; refusing to start rather than forget or
    /// repeat notifications. Move the file away to start afresh.
    #[error("state file {} cannot be used ({source}); move it away to start afresh", path.display())]
    State {
        /// The state file.
        path: PathBuf,
        /// What is wrong with it.
        source: StateError,
    },
    /// The cluster's record turned out newer than the local file the monitor resumed from while
    /// the cluster could not be read; a restart resumes from the cluster's.
    #[error(
        "the cluster record (generation {cluster}) is newer than the local file this monitor \
         resumed from (generation {local}): stopping, so that a restart resumes from it"
    )]
    Superseded {
        /// The cluster record's generation.
        cluster: u64,
        /// The generation resumed from.
        local: u64,
    },
    /// Another monitor is active in the cluster.
    #[error(transparent)]
    Owner(#[from] super::owner::OwnerError),
    /// The async runtime could not be built.
    #[error("cannot start the runtime: {0}")]
    Runtime(std::io::Error),
    /// The HTTP client could not be built (TLS set-up).
    #[error("cannot build the HTTP client: {0}")]
    Http(#[from] masakari_client::http::HttpError),
}

/// What is wrong with a durable record.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StateError {
    /// It is not a host monitor record (not JSON, or not of the record's shape).
    #[error("not a host monitor record: {0}")]
    Unreadable(serde_json::Error),
    /// The record could not be written as JSON.
    #[error("cannot write the record: {0}")]
    Unwritable(serde_json::Error),
    /// It is a record, but one this version cannot resume from.
    #[error(transparent)]
    Unsupported(#[from] RecordError),
}

pub(crate) fn io_error(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> DaemonError {
    let path = path.into();
    move |source| DaemonError::Io { path, source }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_state_error_names_the_file_and_what_is_wrong() {
        let source = RecordError::UnsupportedVersion {
            part: "hosts".into(),
            found: 9,
            supported: 1,
        };
        let error = DaemonError::State {
            path: "/var/lib/masakari-hostmonitor/state.json".into(),
            source: source.into(),
        };
        let text = error.to_string();
        assert!(
            text.starts_with(
                "state file /var/lib/masakari-hostmonitor/state.json cannot be used ("
            ),
            "{text}"
        );
        assert!(
            text.contains("format version 9; this version reads only 1"),
            "{text}"
        );
        assert!(text.ends_with("move it away to start afresh"), "{text}");
    }
}
