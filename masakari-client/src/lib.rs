//! The Masakari API client that every monitor of masakari-pcmk uses: the host monitor now, the
//! instance monitor next. There is no second implementation anywhere.
//!
//! ```text
//!              pure (always built)                       │  feature `http` (reqwest, tokio)
//!                                                         │
//!  monitor's decision ─> Outbox::sync ─> take_ready ──────┼─> Client::send ─> TokenSource ─> Keystone v3
//!        ▲               (durable: the monitor persists    │        │          (cache, renew on 401,
//!        │                the outbox; nothing in flight)   │        │           catalog lookup)
//!        │                                                 │        └─> POST {endpoint}/notifications
//!        └── Outbox::failed (Retry: backoff, overdue) <────┼── DeliveryOutcome (202/409/4xx/other)
//! ```
//!
//! - **Pure part** ([`notification`], [`outbox`], [`retry`], [`outcome`], [`settings`],
//!   [`time`]): the payloads (`COMPUTE_HOST`, `VM`, `PROCESS`) and the exact request body, the
//!   per-sender queue with its retry bookkeeping, the backoff policy, and the `[masakari]`
//!   settings types. No I/O and no clock (time is passed in), so a monitor's decision engine
//!   keeps its outbox in its own durable record and tests it with a virtual clock, and the OCF
//!   agent links it without tokio or reqwest (`default-features = false`).
//! - **The durable file** ([`durable`]): the one atomic, fsynced replace of a file both
//!   monitors keep their record with (the instance monitor's outbox file, the host monitor's
//!   local copy). The only I/O outside the HTTP part: blocking `std::fs`, no dependency, so it
//!   sits beside the outbox it stores without costing the OCF agent a runtime.
//! - **HTTP part** (feature `http`, on by default): [`http`] (timeouts, TLS trust: the built-in
//!   roots, only `ca_file`'s, or none with `insecure`), [`token`] (noauth2, a token file, or a
//!   Keystone v3 login with a password or an application credential, cached until shortly before
//!   it expires or until the API refuses it) and [`Client`] (the POST and the mapping of its
//!   answer). The monitor wraps [`Client::send`] with its own health and metrics.
//!   [`check`] is what a monitor's `check` says about the API, in words both monitors share.
//! - **Test support** (feature `fake`): an in-process fake of Keystone and the API, for the tests
//!   of this crate and of the monitors; never in a shipped build.
//!
//! # Retries never expire
//!
//! A notification stays in its outbox until the API answers for it or the fact it reports is over
//! ([`Outbox::drop_ended`], e.g. the host is back online). Transient failures are retried with
//! capped exponential backoff ([`Retry`]); past [`Retry::alert_after`] retries the notification
//! is overdue and the monitor alerts loudly, but keeps trying: giving up on a `STOPPED` means a
//! host's instances are never evacuated.
//!
//! # Errors
//!
//! Typed at every edge: [`settings::InvalidSetting`] names the key, [`http::HttpError`] the CA
//! file, [`token::TokenError`] says who Keystone refused (never a secret), [`SendError`] the URL
//! and status. A failed send is a [`DeliveryOutcome::Transient`] carrying its text, which the
//! outbox keeps as the entry's `last_error`.

pub mod durable;
pub mod notification;
pub mod outbox;
pub mod outcome;
pub mod retry;
pub mod settings;
pub mod time;

#[cfg(feature = "http")]
pub mod check;
#[cfg(feature = "http")]
mod client;
#[cfg(feature = "fake")]
pub mod fake;
#[cfg(feature = "http")]
pub mod http;
#[cfg(feature = "http")]
pub mod token;

#[cfg(feature = "http")]
pub use client::{Client, SendError};
pub use notification::{
    ClusterStatus, HostEvent, HostPayload, HostStatus, Notification, NotificationBody,
    NotificationId, NotificationRequest, NotificationType, Payload, ProcessPayload, VmPayload,
};
pub use outbox::{Entry, FixedPayload, HostKind, Kind, Outbox, ProcessKind, Scheduled, VmKind};
pub use outcome::DeliveryOutcome;
pub use retry::Retry;
pub use time::{CalendarError, Iso8601, Timestamp, YEARS};
