//! The daemon's control socket, client side: one request line out, one JSON line back, over std's
//! blocking socket (no runtime, no fork). `masakari-hostmonitor status`/`release`/`dismiss` and the
//! OCF agent's monitor speak it; the daemon serves it (`daemon::inputs::control`).

use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::answer::{AnswerError, Dismissed, Released, StatusAnswer, parse_answer};
use super::request::{Dismiss, Request};

/// How long a control exchange may take, on either side.
pub const TIMEOUT: Duration = Duration::from_secs(5);
/// The longest answer read; a status answer is a few kilobytes at most.
const MAX_ANSWER: u64 = 1024 * 1024;

/// Why a control request got no usable answer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ControlError {
    /// Nothing listens on the socket: the daemon is not running.
    #[error("no host monitor answers on {}", path.display())]
    NotRunning {
        /// The socket.
        path: PathBuf,
    },
    /// The exchange itself failed (timeout, connection reset).
    #[error("the host monitor on {} did not answer: {source}", path.display())]
    Exchange {
        /// The socket.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// It answered, but not with the answer asked for.
    #[error("the host monitor on {} answered badly: {source}", path.display())]
    BadAnswer {
        /// The socket.
        path: PathBuf,
        /// What was wrong with the answer.
        source: AnswerError,
    },
}

/// Asks the daemon listening on `path` for its status.
pub fn status(path: &Path) -> Result<StatusAnswer, ControlError> {
    ask(path, Request::Status)
}

/// Asks the daemon listening on `path` to release the notifications the mass-failure guard holds.
pub fn release(path: &Path) -> Result<Released, ControlError> {
    ask(path, Request::Release)
}

/// Asks the daemon listening on `path` to dismiss a host's pending notifications.
pub fn dismiss(path: &Path, dismiss: Dismiss) -> Result<Dismissed, ControlError> {
    ask(path, Request::Dismiss(dismiss))
}

fn ask<T: serde::de::DeserializeOwned>(path: &Path, request: Request) -> Result<T, ControlError> {
    let stream = UnixStream::connect(path).map_err(|_| ControlError::NotRunning {
        path: path.to_owned(),
    })?;
    let line = monitor_control::exchange(stream, &request.to_string(), TIMEOUT, MAX_ANSWER);
    let line = line.map_err(|source| ControlError::Exchange {
        path: path.to_owned(),
        source,
    })?;
    parse_answer(&line).map_err(|source| ControlError::BadAnswer {
        path: path.to_owned(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use std::io::{BufRead as _, BufReader, Write as _};
    use std::os::unix::net::UnixListener;

    use super::*;

    /// Serves one exchange on a fresh socket with `answer`; returns what the client asked.
    fn serve_once(name: &str, answer: &'static [u8]) -> (PathBuf, std::thread::JoinHandle<String>) {
        let dir = std::env::temp_dir().join(format!("hm-control-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("control.sock");
        let _ = std::fs::remove_file(&path);
        let listener = UnixListener::bind(&path).unwrap();
        let server = std::thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            let mut asked = String::new();
            BufReader::new(&stream).read_line(&mut asked).unwrap();
            (&stream).write_all(answer).unwrap();
            asked
        });
        (path, server)
    }

    #[test]
    fn nobody_listening() {
        let path = std::env::temp_dir().join(format!("hm-control-none-{}", std::process::id()));
        let nobody = status(&path).unwrap_err();
        assert!(matches!(&nobody, ControlError::NotRunning { path: p } if *p == path));
        assert!(
            nobody
                .to_string()
                .starts_with("no host monitor answers on /")
        );
    }

    #[test]
    fn one_line_each_way() {
        let (path, server) = serve_once("release", b"{\"released\":true}\n");
        assert_eq!(release(&path).unwrap(), Released { released: true });
        assert_eq!(server.join().unwrap(), "release\n");
    }

    #[test]
    fn a_dismissal_sends_its_host_and_episode() {
        let answer = b"{\"host\":\"c1\",\"episode\":3,\"dropped\":[\"c1/3/stopped-normal\"],\"in_flight\":null,\"durable\":true}\n";
        let (path, server) = serve_once("dismiss", answer);
        let dismissed = dismiss(&path, Dismiss::new("c1", Some(3)).unwrap()).unwrap();
        assert_eq!(server.join().unwrap(), "dismiss c1 3\n");
        assert_eq!((dismissed.host.as_str(), dismissed.episode), ("c1", 3));
        assert_eq!(dismissed.dropped[0].as_str(), "c1/3/stopped-normal");
        assert!(dismissed.durable);
    }

    #[test]
    fn a_refusal_and_a_bad_answer_are_errors() {
        let (path, server) = serve_once("refused", b"{\"error\":\"the engine has stopped\"}\n");
        let refused = status(&path).unwrap_err();
        assert_eq!(server.join().unwrap(), "status\n");
        assert!(
            refused
                .to_string()
                .ends_with("refused: the engine has stopped"),
            "{refused}"
        );
        let (path, server) = serve_once("bad", b"{\"cib_ok\":tr");
        let bad = status(&path).unwrap_err();
        server.join().unwrap();
        assert!(
            matches!(
                &bad,
                ControlError::BadAnswer {
                    source: AnswerError::Malformed(_),
                    ..
                }
            ),
            "{bad}"
        );
    }
}
