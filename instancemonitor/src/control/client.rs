//! The daemon's control socket, client side: one request line out, one JSON line back, over std's
//! blocking socket (no runtime). `masakari-instancemonitor status` and the OCF agent's monitor
//! speak it; the daemon serves it.

use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::answer::{AnswerError, StatusAnswer, parse_answer};
use super::request::Request;

/// Where the daemon listens unless `[paths] control_socket` says otherwise.
pub const DEFAULT_SOCKET: &str = "/run/masakari-pcmk/instancemonitor.sock";
/// How long a control exchange may take unless the caller says otherwise (the daemon gives up
/// on a client after this too).
pub const TIMEOUT: Duration = Duration::from_secs(5);
/// The longest answer read; a status answer is a few kilobytes unless thousands wait.
const MAX_ANSWER: u64 = 4 * 1024 * 1024;

/// Why a control request got no usable answer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ControlError {
    /// Nothing listens on the socket: the daemon is not running.
    #[error("no instance monitor answers on {}", path.display())]
    NotRunning {
        /// The socket.
        path: PathBuf,
    },
    /// The exchange itself failed (timeout, connection reset).
    #[error("the instance monitor on {} did not answer: {source}", path.display())]
    Exchange {
        /// The socket.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// It answered, but not with the answer asked for.
    #[error("the instance monitor on {} answered badly: {source}", path.display())]
    BadAnswer {
        /// The socket.
        path: PathBuf,
        /// What was wrong with the answer.
        source: AnswerError,
    },
}

/// Asks the daemon listening on `socket` for its status, within `timeout` per read and write.
pub fn status(socket: &Path, timeout: Duration) -> Result<StatusAnswer, ControlError> {
    let stream = UnixStream::connect(socket).map_err(|_| ControlError::NotRunning {
        path: socket.to_owned(),
    })?;
    let word = Request::Status.word();
    let line = monitor_control::exchange(stream, word, timeout, MAX_ANSWER).map_err(|source| {
        ControlError::Exchange {
            path: socket.to_owned(),
            source,
        }
    })?;
    parse_answer(&line).map_err(|source| ControlError::BadAnswer {
        path: socket.to_owned(),
        source,
    })
}
