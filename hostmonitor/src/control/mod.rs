//! The control protocol between the daemon and its clients (`masakari-hostmonitor status`,
//! `release` and `dismiss`, the OCF agent's monitor): one request line out, one JSON line back, over
//! the daemon's control socket. Pure and not daemon-gated, so the OCF agent links it without tokio
//! or corosync.
//!
//! ```text
//!  client                                   daemon (daemon::inputs::control)
//!  Request::Status  "status\n"           ──> Answer::Status(StatusAnswer)  {"engine":…,"cib_ok":…,…}
//!  Request::Release "release\n"          ──> Answer::Released(Released)    {"released":true}
//!  Request::Dismiss "dismiss HOST [N]\n" ──> Answer::Dismissed(Dismissed)  {"host":…,"dropped":[…],…}
//!    or "dismiss-process HOST PROCESS [N]\n"                                {"host":…,"process":…,…}
//!                                            Answer::Error(ErrorAnswer)    {"error":"…"}
//! ```
//!
//! Both sides use the same types: the daemon serializes them, clients deserialize them. A client
//! accepts fields it does not know (a newer daemon's additions), and a field added later is
//! optional, so an older daemon's answer still reads; an answer of another shape is a
//! [`AnswerError::Malformed`], never a default.

mod answer;
pub mod client;
mod health;
mod record;
mod request;

pub use answer::{
    Answer, AnswerError, Dismissed, ErrorAnswer, Released, StatusAnswer, parse_answer,
};
pub use health::{CorosyncLink, HealthView, when};
pub use record::{Source, StoreView};
pub use request::{BadHostName, Dismiss, Request, UnknownRequest};

#[cfg(test)]
pub(crate) mod tests;
