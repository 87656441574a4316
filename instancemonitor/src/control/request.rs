//! What a client asks: one word on one line.

use std::fmt;
use std::str::FromStr;

/// A control request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Request {
    /// The daemon's status ([`StatusAnswer`](super::StatusAnswer)).
    Status,
}

/// A request line that names no request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown request {0:?}")]
pub struct UnknownRequest(pub String);

impl Request {
    /// The request's word on the wire.
    pub fn word(self) -> &'static str {
        match self {
            Self::Status => "status",
        }
    }
}

impl fmt::Display for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.word())
    }
}

impl FromStr for Request {
    type Err = UnknownRequest;

    /// The request on a line (surrounding white space ignored).
    fn from_str(line: &str) -> Result<Self, UnknownRequest> {
        match line.trim() {
            "status" => Ok(Self::Status),
            other => Err(UnknownRequest(other.chars().take(64).collect())),
        }
    }
}
