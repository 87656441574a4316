//! What a client asks: one word on one line, and for `dismiss` (`dismiss-process`) its arguments
//! after it.

use std::fmt;
use std::str::FromStr;

/// A control request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// The engine's and the daemon's status ([`StatusAnswer`](super::StatusAnswer)).
    Status,
    /// Lets out the notifications held by the mass-failure guard (root only).
    Release,
    /// Dismisses the pending notifications of a host's failure episode, or of one of its
    /// services' process episodes (root only; [`Dismissed`](super::Dismissed)).
    Dismiss(Dismiss),
}

/// The arguments of a `dismiss` request: `dismiss HOST [EPISODE]` on the wire, or
/// `dismiss-process HOST PROCESS [EPISODE]` for a process episode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dismiss {
    host: String,
    process: Option<String>,
    episode: Option<u64>,
}

/// A request line that names no request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown request {0:?}")]
pub struct UnknownRequest(pub String);

/// A host name that cannot be sent in a request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{0:?} is not a node or process name: it must be 1 to {MAX_HOST} characters without white space or \
     control characters"
)]
pub struct BadHostName(pub String);

/// The longest host name a request carries (the daemon reads at most 256 bytes of a request).
const MAX_HOST: usize = 200;

impl Dismiss {
    /// Dismissal of `host`'s current episode, or only of `episode` if it is still the current one.
    pub fn new(host: &str, episode: Option<u64>) -> Result<Self, BadHostName> {
        Ok(Self {
            host: word(host)?,
            process: None,
            episode,
        })
    }

    /// The same for service `process`'s process episode on the host instead.
    pub fn of_process(self, process: &str) -> Result<Self, BadHostName> {
        Ok(Self {
            process: Some(word(process)?),
            ..self
        })
    }

    /// The process name, when a process episode is meant.
    pub fn process(&self) -> Option<&str> {
        self.process.as_deref()
    }

    /// The host's node name.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The episode named, if one was.
    pub fn episode(&self) -> Option<u64> {
        self.episode
    }

    /// The arguments after the word (after `dismiss-process`, a process name after the host).
    fn parse<'a>(mut words: impl Iterator<Item = &'a str>, of_process: bool) -> Option<Self> {
        let host = words.next()?;
        let process = if of_process {
            Some(words.next()?)
        } else {
            None
        };
        let episode = match words.next() {
            Some(word) => Some(word.parse().ok()?),
            None => None,
        };
        if words.next().is_some() {
            return None;
        }
        let dismiss = Self::new(host, episode).ok()?;
        match process {
            Some(process) => dismiss.of_process(process).ok(),
            None => Some(dismiss),
        }
    }
}

/// A host or process name as a request carries it.
fn word(name: &str) -> Result<String, BadHostName> {
    let valid = (1..=MAX_HOST).contains(&name.len())
        && !name.chars().any(|c| c.is_whitespace() || c.is_control());
    if !valid {
        return Err(BadHostName(name.to_owned()));
    }
    Ok(name.to_owned())
}

impl Request {
    /// The request's word on the wire.
    pub fn word(&self) -> &'static str {
        match self {
            Self::Status => "status",
            Self::Release => "release",
            Self::Dismiss(Dismiss { process: None, .. }) => "dismiss",
            Self::Dismiss(Dismiss {
                process: Some(_), ..
            }) => "dismiss-process",
        }
    }
}

impl fmt::Display for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.word())?;
        let Self::Dismiss(dismiss) = self else {
            return Ok(());
        };
        write!(f, " {}", dismiss.host)?;
        if let Some(process) = &dismiss.process {
            write!(f, " {process}")?;
        }
        match dismiss.episode {
            Some(episode) => write!(f, " {episode}"),
            None => Ok(()),
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
            (Some("dismiss"), _) => Dismiss::parse(words, false)
                .map(Self::Dismiss)
                .ok_or_else(unknown),
            (Some("dismiss-process"), _) => Dismiss::parse(words, true)
                .map(Self::Dismiss)
                .ok_or_else(unknown),
            _ => Err(unknown()),
        }
    }
}
