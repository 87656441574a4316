//! What a client asks: one word on one line, and for `dismiss` its arguments after it.

use std::fmt;
use std::str::FromStr;

/// A control request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// The engine's and the daemon's status ([`StatusAnswer`](super::StatusAnswer)).
    Status,
    /// Lets out the notifications held by the mass-failure guard (root only).
    Release,
    /// Dismisses the pending notifications of a host's failure episode (root only;
    /// [`Dismissed`](super::Dismissed)).
    Dismiss(Dismiss),
}

/// The arguments of a `dismiss` request: `dismiss HOST [EPISODE]` on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dismiss {
    host: String,
    episode: Option<u64>,
}

/// A request line that names no request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown request {0:?}")]
pub struct UnknownRequest(pub String);

/// A host name that cannot be sent in a request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{0:?} is not a node name: it must be 1 to {MAX_HOST} characters without white space or \
     control characters"
)]
pub struct BadHostName(pub String);

/// The longest host name a request carries (the daemon reads at most 256 bytes of a request).
const MAX_HOST: usize = 200;

impl Dismiss {
    /// Dismissal of `host`'s current episode, or only of `episode` if it is still the current one.
    pub fn new(host: &str, episode: Option<u64>) -> Result<Self, BadHostName> {
        let valid = (1..=MAX_HOST).contains(&host.len())
            && !host.chars().any(|c| c.is_whitespace() || c.is_control());
        if !valid {
            return Err(BadHostName(host.to_owned()));
        }
        Ok(Self {
            host: host.to_owned(),
            episode,
        })
    }

    /// The host's node name.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The episode named, if one was.
    pub fn episode(&self) -> Option<u64> {
        self.episode
    }

    /// The arguments after the word.
    fn parse<'a>(mut words: impl Iterator<Item = &'a str>) -> Option<Self> {
        let host = words.next()?;
        let episode = match words.next() {
            Some(word) => Some(word.parse().ok()?),
            None => None,
        };
        if words.next().is_some() {
            return None;
        }
        Self::new(host, episode).ok()
    }
}

impl Request {
    /// The request's word on the wire.
    pub fn word(&self) -> &'static str {
        match self {
            Self::Status => "status",
            Self::Release => "release",
            Self::Dismiss(_) => "dismiss",
        }
    }
}

impl fmt::Display for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.word())?;
        match self {
            Self::Dismiss(Dismiss {
                host,
                episode: Some(episode),
            }) => write!(f, " {host} {episode}"),
            Self::Dismiss(Dismiss {
                host,
                episode: None,
            }) => write!(f, " {host}"),
            Self::Status | Self::Release => Ok(()),
        }
    }
}

impl FromStr for Request {
    type Err = UnknownRequest;

    /// The request on a line (surrounding white space ignored).
    fn from_str(line: &str) -> Result<Self, UnknownRequest> {
        let unknown = || UnknownRequest(line.trim().to_owned());
        let mut words = line.split_whitespace();
        match (words.next(), line.trim()) {
            (_, "status") => Ok(Self::Status),
            (_, "release") => Ok(Self::Release),
            (Some("dismiss"), _) => Dismiss::parse(words).map(Self::Dismiss).ok_or_else(unknown),
            _ => Err(unknown()),
        }
    }
}
