//! What a client asks: one word on one line.

use std::fmt;
use std::str::FromStr;

/// A control request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request {
    /// The engine's and the daemon's status ([`StatusAnswer`](super::StatusAnswer)).
    Status,
    /// Lets out the notifications held by the mass-failure guard (root only).
    Release,
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
            Self::Release => "release",
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
            "release" => Ok(Self::Release),
            other => Err(UnknownRequest(other.to_owned())),
        }
    }
}
