//! What can go wrong while building, driving or tearing down a lab.

use std::path::PathBuf;

/// A lab operation failed; each variant says what the lab was doing.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LabError {
    /// An external command could not be started.
    #[error("cannot run {program}: {source}")]
    Spawn {
        /// The program that was to run.
        program: String,
        /// Why it could not start.
        source: std::io::Error,
    },
    /// An external command ran and failed.
    #[error("{command} failed ({status}): {stderr}")]
    Command {
        /// The command line, without secrets (the lab never passes secrets in argv).
        command: String,
        /// Its exit status.
        status: String,
        /// The end of what it printed on stderr.
        stderr: String,
    },
    /// A file of the lab could not be read or written.
    #[error("{path}: {source}")]
    File {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A condition the lab waits for did not come true in time.
    #[error("timed out after {seconds:.0} s waiting for {what}")]
    Timeout {
        /// What was awaited.
        what: String,
        /// How long the lab waited.
        seconds: f64,
    },
    /// The request does not fit this lab (unknown node, bad count, ...).
    #[error("{0}")]
    Usage(String),
    /// A peer (crm_mon, the Masakari API) answered with something the lab cannot read.
    #[error("unexpected answer from {peer}: {detail}")]
    Answer {
        /// Who answered.
        peer: String,
        /// What was wrong with it.
        detail: String,
    },
}

/// Result of a lab operation.
pub type Result<T, E = LabError> = std::result::Result<T, E>;

/// Attaches the path to an I/O error.
pub(crate) fn file_error(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> LabError {
    let path = path.into();
    move |source| LabError::File { path, source }
}
