//! The framing of the monitors' control protocols (`masakari-hostmonitor status`/`release`,
//! `masakari-instancemonitor status`, the OCF agents' monitors): one request word on one line
//! out, one JSON line back, over the daemon's unix socket. Each monitor defines its requests and
//! answers; this crate writes and reads the lines, with the error answer both share. Pure std
//! and serde: the OCF agent links it without a runtime.
//!
//! ```text
//!  client: exchange(stream, "status", timeout) ──"status\n"──> daemon: to_line(&answer)
//!          parse_answer::<T>(line)            <──{"…":…}\n───         or to_line(&ErrorAnswer)
//! ```
//!
//! A client accepts fields it does not know (a newer daemon's additions); an answer of another
//! shape is [`AnswerError::Malformed`], never a default.

#[cfg(feature = "server")]
pub mod server;

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::os::unix::net::UnixStream;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Why the daemon did not carry out a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorAnswer {
    /// What went wrong, for the operator.
    pub error: String,
}

/// Why an answer line is not the answer asked for.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AnswerError {
    /// The daemon answered with an error.
    #[error("it refused: {0}")]
    Refused(String),
    /// The line is not that answer (not JSON, or a field of the wrong type or missing).
    #[error("its answer is not one this version reads: {0}")]
    Malformed(#[from] serde_json::Error),
}

/// An answer as one JSON line, newline included; an answer that cannot be written becomes an
/// [`ErrorAnswer`] saying so.
pub fn to_line(answer: &impl Serialize) -> String {
    let mut line = serde_json::to_string(answer).unwrap_or_else(|e| {
        let error = ErrorAnswer {
            error: format!("cannot write the answer: {e}"),
        };
        serde_json::to_string(&error).unwrap_or_default()
    });
    line.push('\n');
    line
}

/// Reads an answer line as the answer `T` asked for: an `{"error": ...}` line is
/// [`AnswerError::Refused`], anything else that is not a `T` is [`AnswerError::Malformed`].
/// The answer is read once; only a line that is not a `T` is read again, as an error answer.
pub fn parse_answer<T: serde::de::DeserializeOwned>(line: &[u8]) -> Result<T, AnswerError> {
    let malformed = match serde_json::from_slice(line) {
        Ok(answer) => return Ok(answer),
        Err(malformed) => malformed,
    };
    match serde_json::from_slice(line) {
        Ok(ErrorAnswer { error }) => Err(AnswerError::Refused(error)),
        Err(_) => Err(AnswerError::Malformed(malformed)),
    }
}

/// Sends `word` as one line and reads one line back (at most `max` bytes), each within `timeout`.
pub fn exchange(
    mut stream: UnixStream,
    word: &str,
    timeout: Duration,
    max: u64,
) -> std::io::Result<Vec<u8>> {
    let timeout = Some(timeout.max(Duration::from_millis(1)));
    stream.set_read_timeout(timeout)?;
    stream.set_write_timeout(timeout)?;
    stream.write_all(format!("{word}\n").as_bytes())?;
    let mut line = Vec::new();
    BufReader::new(stream.take(max)).read_until(b'\n', &mut line)?;
    Ok(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Up {
        up: bool,
    }

    #[test]
    fn lines_round_trip_and_refusals_are_told_from_junk() {
        let line = to_line(&Up { up: true });
        assert_eq!(line, "{\"up\":true}\n");
        assert_eq!(
            parse_answer::<Up>(line.as_bytes()).unwrap(),
            Up { up: true }
        );
        let refused = to_line(&ErrorAnswer {
            error: "stopping".into(),
        });
        let e = parse_answer::<Up>(refused.as_bytes()).unwrap_err();
        assert!(
            matches!(&e, AnswerError::Refused(r) if r == "stopping"),
            "{e}"
        );
        let e = parse_answer::<Up>(b"{\"up\":tr").unwrap_err();
        assert!(matches!(e, AnswerError::Malformed(_)), "{e}");
    }

    #[test]
    fn one_line_each_way_bounded() {
        let (client, server) = UnixStream::pair().unwrap();
        let daemon = std::thread::spawn(move || {
            let mut asked = String::new();
            BufReader::new(&server).read_line(&mut asked).unwrap();
            (&server).write_all(b"{\"up\":true}\nmore").unwrap();
            asked
        });
        let line = exchange(client, "status", Duration::from_secs(5), 1024).unwrap();
        assert_eq!(line, b"{\"up\":true}\n");
        assert_eq!(daemon.join().unwrap(), "status\n");
    }
}
