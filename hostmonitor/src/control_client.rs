//! The daemon's control socket, client side: one request line out, one JSON line back, over std's
//! blocking socket (no runtime, no fork). `masakari-hostmonitor status`/`release` and the OCF
//! agent's monitor speak it; the daemon serves it (`daemon::control`).

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::Duration;

/// How long a control exchange may take, on either side.
pub const TIMEOUT: Duration = Duration::from_secs(5);
/// The longest answer read; a status answer is a few kilobytes at most.
const MAX_ANSWER: u64 = 1024 * 1024;

/// Why a control request got no answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ControlError {
    /// Nothing listens on the socket: the daemon is not running.
    #[error("no host monitor answers on {0}")]
    NotRunning(String),
    /// It answered, but not with one JSON line in time.
    #[error("the host monitor on {path} answered badly: {reason}")]
    BadAnswer {
        /// The socket.
        path: String,
        /// What went wrong.
        reason: String,
    },
}

/// Sends one request to the daemon listening on `path` and returns its answer.
pub fn request(path: &Path, request: &str) -> Result<serde_json::Value, ControlError> {
    let shown = path.display().to_string();
    let stream = UnixStream::connect(path).map_err(|_| ControlError::NotRunning(shown.clone()))?;
    let bad = |reason: String| ControlError::BadAnswer {
        path: shown.clone(),
        reason,
    };
    let line = exchange(stream, request).map_err(|e| bad(e.to_string()))?;
    parse_answer(&line).map_err(bad)
}

fn exchange(mut stream: UnixStream, request: &str) -> std::io::Result<Vec<u8>> {
    stream.set_read_timeout(Some(TIMEOUT))?;
    stream.set_write_timeout(Some(TIMEOUT))?;
    stream.write_all(format!("{request}\n").as_bytes())?;
    let mut line = Vec::new();
    BufReader::new(stream.take(MAX_ANSWER)).read_until(b'\n', &mut line)?;
    Ok(line)
}

/// The daemon's answer line as JSON (what went wrong when it is not).
pub fn parse_answer(line: &[u8]) -> Result<serde_json::Value, String> {
    serde_json::from_slice(line).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use std::os::unix::net::UnixListener;

    use super::*;

    #[test]
    fn answers_and_failures() {
        assert_eq!(
            parse_answer(b"{\"cib_ok\":true}\n"),
            Ok(serde_json::json!({"cib_ok": true}))
        );
        assert!(parse_answer(b"").is_err());
        assert!(parse_answer(b"{\"cib_ok\":tr").is_err());
    }

    #[test]
    fn one_line_each_way() {
        let dir = std::env::temp_dir().join(format!("hm-control-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("control.sock");
        let nobody = request(&path, "status").unwrap_err();
        assert_eq!(nobody, ControlError::NotRunning(path.display().to_string()));
        assert!(
            nobody
                .to_string()
                .starts_with("no host monitor answers on /")
        );
        let listener = UnixListener::bind(&path).unwrap();
        let server = std::thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            let mut asked = String::new();
            BufReader::new(&stream).read_line(&mut asked).unwrap();
            (&stream).write_all(b"{\"asked\":\"status\"}\n").unwrap();
            asked
        });
        let answer = request(&path, "status").unwrap();
        assert_eq!(answer, serde_json::json!({"asked": "status"}));
        assert_eq!(server.join().unwrap(), "status\n");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
