//! The daemon's control socket, client side: one request line out, one JSON line back (the
//! protocol `masakari-hostmonitor status` speaks), over std's blocking socket: no runtime, no fork.

use std::fmt;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long a control exchange may take, each way (the daemon allows itself as long).
pub const TIMEOUT: Duration = Duration::from_secs(5);
/// The longest answer read; a status answer is a few hundred bytes.
const MAX_ANSWER: u64 = 64 * 1024;

/// Why a control request got no usable answer (worded as `masakari-hostmonitor status` words it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unanswered {
    /// Nothing accepts on the socket: the daemon does not serve it.
    Nobody(PathBuf),
    /// Something answered, but not one JSON line in time: the socket and what went wrong.
    Badly(PathBuf, String),
}

impl fmt::Display for Unanswered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Nobody(socket) => write!(f, "no host monitor answers on {}", socket.display()),
            Self::Badly(socket, why) => {
                write!(
                    f,
                    "the host monitor on {} answered badly: {why}",
                    socket.display()
                )
            }
        }
    }
}

impl std::error::Error for Unanswered {}

/// Sends `request` to the daemon listening on `path` and returns its answer.
pub fn request(path: &Path, request: &str) -> Result<serde_json::Value, Unanswered> {
    let bad = |why: String| Unanswered::Badly(path.to_owned(), why);
    let stream = UnixStream::connect(path).map_err(|_| Unanswered::Nobody(path.to_owned()))?;
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
        let dir = std::env::temp_dir().join(format!("ocf-control-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("control.sock");
        let nobody = request(&path, "status").unwrap_err();
        assert_eq!(nobody, Unanswered::Nobody(path.clone()));
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
