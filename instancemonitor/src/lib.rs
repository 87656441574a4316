//! The instance monitor: VM failures on a compute, from libvirt's own events to Masakari.
//!
//! ```text
//!  libvirtd ─ unix socket ─> driver ─ bytes ─> Connection ─ ConnectionEvent ─> Engine ─> VmNotification
//!  (read-only)               (edge)            (rpc, sans-I/O)                 (filter,
//!                                                                               reconcile)
//! ```
//!
//! # The daemon: two threads, and why
//!
//! `masakari-instancemonitor run` ([`daemon`]) runs the blocking [`driver`] on a thread of its
//! own (one socket, read with a timeout set to the nearest keepalive or reconnect deadline) and
//! everything else on a current-thread tokio runtime on the main thread: the delivery loop, the
//! Masakari client's POSTs (reqwest is async), the control socket and the metrics endpoint. The
//! libvirt thread hands owned values over a channel and never waits, so a slow API cannot delay
//! libvirt's keepalive and a libvirt outage cannot delay delivery; one runtime thread is enough
//! for a handful of requests, and no timer runs but the state machines' deadlines (the outbox's
//! next retry, keepalive, reconnect backoff): an idle monitor sleeps in two blocking calls. The
//! decisions stay pure: the [`engine`] (events in, notifications out) and the [`delivery`] step
//! (notifications and API answers in; persist, send, report out), both with time injected.
//!
//! ```text
//!  thread "libvirt": driver ─> Engine ─ VmNotification ─ channel ─┐
//!  main thread (tokio, current-thread):                           v
//!     Delivery ─ Persist ─> state file (temp + fsync + rename + fsync dir), then
//!              ─ Send ────> masakari_client::Client ─ 202/409 delivered, 4xx dropped, else retried for ever
//!     control socket (status), metrics endpoint
//! ```
//!
//! # A domain gone after a reconnect is not reported
//!
//! See [`engine`]: a Nova guest that crashes stays defined (shut off, reason *crashed*) and is
//! reported as `STOPPED_FAILED`; one that is gone was deleted or migrated away, and
//! masakari-engine's instance-failure flow would stop and restart it wherever it now runs.
//!
//! # Why libvirt's RPC protocol rather than libvirt.so
//!
//! The monitor speaks libvirt's RPC protocol itself (XDR over the daemon's unix socket)
//! instead of linking libvirt through FFI. The protocol is the stable ABI between libvirt
//! client libraries and daemons of different versions (a RHEL 7 client talks to a libvirt
//! 9 daemon over it), so implementing its few calls is as sound as linking the library,
//! and it buys what a monitor on every compute needs:
//! - no C library and its threads in the process: the libvirt side is one thread and a few
//!   hundred KiB of state (targets: RSS under 10 MB, idle CPU under 0.1 %);
//! - no callbacks running under libvirt's locks: events are values returned to the caller;
//! - time injected: keepalive and reconnect backoff are tested without sleeping;
//! - every parser is ours, length-limited, fuzzable and unable to panic on what the
//!   daemon sends (`fuzz/fuzz_targets/instancemonitor_message.rs`).
//!
//! # Parts
//! - [`settings`]: the configuration (TOML, or an existing masakarimonitors.conf).
//! - [`rpc`]: the codec, framing, calls, events, remote errors and keepalive, one file each.
//! - [`connection`]: the connection state machine (`handle_bytes`, `poll_transmit`,
//!   `poll_timeout`, `handle_timeout`, `poll_event`), states named for what they await.
//! - [`filter`]: masakari-monitors' event filter table, row for row.
//! - [`engine`]: the decision state machine (remembered domain states, reconcile at every
//!   reconnect, no notification twice, capped backoff).
//! - [`uri`]: which socket a libvirt URI means. [`driver`]: the socket at the edge.
//! - [`delivery`]: the outbox step (persist before send, retries that never expire), pure.
//! - [`control`]: the control protocol (`status`) and its blocking client, built without the
//!   `daemon` feature too, for the OCF agent.
//! - [`daemon`]: `run`: the two threads, the durable outbox, the control socket, metrics.
//! - [`cli`]: `run`, `check`, `check-config`, `status`, `events` (the operator's dry run),
//!   `manpage`.

#[cfg(feature = "daemon")]
pub mod cli;
pub mod connection;
pub mod control;
#[cfg(feature = "daemon")]
pub mod daemon;
pub mod delivery;
pub mod driver;
pub mod engine;
pub mod filter;
pub mod rpc;
pub mod settings;
pub mod uri;
