//! Why the daemon could not start or had to stop.

use std::path::PathBuf;

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
    #[error("state file {path} cannot be used ({reason}); move it away to start afresh")]
    State {
        /// The state file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
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

pub(crate) fn io_error(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> DaemonError {
    let path = path.into();
    move |source| DaemonError::Io { path, source }
}
