//! What the daemon answers: the status, a release's confirmation, or why it could not answer.

use serde::{Deserialize, Serialize};

use super::health::HealthView;
use super::record::StoreView;
use crate::engine::Status;

/// The daemon's answer to one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// To `status`.
    Status(Box<StatusAnswer>),
    /// To `release`.
    Released(Released),
    /// To a request it would not or could not carry out.
    Error(ErrorAnswer),
}

/// The answer to `status`: the engine's view and the daemon's health.
///
/// On the wire the health fields sit at the top level beside `engine`, and quorum appears twice,
/// as `engine.quorate` (the engine's own status) and as a top-level `quorate` (documented in
/// OPERATING.md for `status --json` and read by operators' scripts). Both are written from the
/// one [`Status::quorate`]; the top-level copy is ignored when read.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct StatusAnswer {
    /// The engine's view of the cluster and its pending notifications.
    pub engine: Status,
    /// The daemon's health.
    #[serde(flatten)]
    pub health: HealthView,
    /// Where the durable record stands (`None` from a daemon that predates it).
    #[serde(default)]
    pub record: Option<StoreView>,
}

/// The status answer as it is written: the top-level `quorate` copied from the engine's.
#[derive(Serialize)]
struct StatusWire<'a> {
    engine: &'a Status,
    #[serde(flatten)]
    health: &'a HealthView,
    quorate: Option<bool>,
    record: &'a Option<StoreView>,
}

impl Serialize for StatusAnswer {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        StatusWire {
            engine: &self.engine,
            health: &self.health,
            quorate: self.engine.quorate,
            record: &self.record,
        }
        .serialize(serializer)
    }
}

/// The answer to `release`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Released {
    /// Whether the hold was let go (always `true`: a refusal is an [`ErrorAnswer`]).
    pub released: bool,
}

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

impl Answer {
    /// The answer as one JSON line, newline included.
    pub fn to_line(&self) -> String {
        let text = match self {
            Self::Status(status) => serde_json::to_string(status),
            Self::Released(released) => serde_json::to_string(released),
            Self::Error(error) => serde_json::to_string(error),
        };
        let mut line = text.unwrap_or_else(|e| {
            let error = ErrorAnswer {
                error: format!("cannot write the answer: {e}"),
            };
            serde_json::to_string(&error).unwrap_or_default()
        });
        line.push('\n');
        line
    }

    /// An error answer.
    pub fn error(text: impl Into<String>) -> Self {
        Self::Error(ErrorAnswer { error: text.into() })
    }
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
