//! The control protocol between the daemon and its clients (`masakari-instancemonitor status`,
//! the OCF agent's monitor): one request line out, one JSON line back, over the daemon's control
//! socket (`[paths] control_socket`). Pure and not daemon-gated, so the OCF agent links it with
//! `default-features = false`, without tokio or reqwest.
//!
//! ```text
//!  client                            daemon (daemon::control)
//!  Request::Status  "status\n"  ──>  Answer::Status(StatusAnswer)  {"libvirt":…,"domains":…,"pending":[…],"api":…}
//!                                    Answer::Error(ErrorAnswer)    {"error":"…"}
//! ```
//!
//! Both sides use these types: the daemon serializes them, clients deserialize them. A client
//! accepts fields it does not know (a newer daemon's additions), and a field added later is
//! optional, so an older daemon's answer still reads; an answer of another shape is
//! [`AnswerError::Malformed`], never a default.

mod answer;
pub mod client;
mod request;

pub use answer::{
    Answer, AnswerError, ApiView, DomainsView, ErrorAnswer, LibvirtView, PendingView, StatusAnswer,
    parse_answer,
};
pub use request::{Request, UnknownRequest};

#[cfg(test)]
pub(crate) mod tests;
