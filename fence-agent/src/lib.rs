//! Two STONITH agents on one framework: a fence_ipmilan-compatible one with a native
//! IPMI-over-LAN client, and `fence_redfish_rs`, fence_redfish-compatible (see [`redfish`]).
//! A [`family::Family`] is an agent's data (option table, metadata texts); the option framework,
//! [`run`] and [`agent`]'s fencing decisions are shared, and each family adds a [`run::Driver`].
//!
//! Installed as `fence_ipmilan_rs` (and `fence_ilo3_rs`, `fence_idrac_rs`, ... chosen by
//! `argv[0]`), it takes fence_ipmilan's parameters the way fence-agents' `fencing.py` does
//! and prints the same lines with the same exit codes, but speaks IPMI itself instead of
//! forking ipmitool for every step.
//!
//! ```text
//!  argv / stdin ──► options (table → raw → check → Settings)
//!                        │
//!                        ▼
//!               run ──► agent::Run (fence_action decisions) ──► stdout lines, exit code
//!                        │ Bmc trait
//!                        ▼
//!               bmc::LanBmc ──► session::Session (sans-I/O state machine)
//!                        │               ▲ bytes, time       │ bytes, events
//!                        ▼               │                   ▼
//!               transport::UdpTransport (the only socket)   ipmi:: codec, commands, crypto
//!
//!  a stonith device's parameters (another program, e.g. the host monitor)
//!        ──► device::Device::from_params (same options road) ──► Device::power ──► On | Off
//! ```
//!
//! Modules: [`options`] is the option framework (one table drives argv and stdin parsing,
//! `--help` and `-o metadata`); [`personality`] the alias names; [`ipmi`] the wire format
//! (pure functions on bytes); [`session`] the RMCP/RMCP+ session state machine; [`transport`]
//! the UDP driver; [`bmc`] the session-per-run client; [`agent`] fencing.py's `fence_action`;
//! [`run`] ties them together for `main`; [`password_script`] runs the password command for
//! both. [`device`] is the typed entry point for programs that hold a device's configuration
//! instead of a command line: the parameters as Pacemaker hands them to an agent in, a
//! [`device::Power`] out (IPMI and Redfish devices). `fake_bmc` (feature `fake-bmc`) is test
//! support, not shipped.
//!
//! # Security defaults
//!
//! * `lanplus=1` without `cipher`: RMCP+ suite 17 (HMAC-SHA256, HMAC-SHA256-128,
//!   AES-CBC-128), falling back to suite 3 (HMAC-SHA1, HMAC-SHA1-96, AES-CBC-128) only when
//!   the BMC rejects 17's algorithms. An explicit `cipher` is used alone.
//! * Suite 0 (no authentication, integrity or confidentiality) is only used when asked for
//!   by number; the code calls it `CipherSuite::ZERO_UNAUTHENTICATED_DANGEROUS` and the
//!   agent logs a warning. Suites 1 and 2 (no encryption) likewise only by number.
//! * `lanplus=0` (IPMI 1.5): MD5, else MD2. The BMC's list of auth types is unauthenticated
//!   and could be forged, so straight password (the password in clear) is only used with
//!   `auth=password`, and `none` only with `auth=none` (with a warning). Replies without a
//!   valid auth code are dropped, so BMCs with per-message authentication disabled only
//!   work over lanplus.
//! * Every value from the BMC (session ids, random numbers, GUIDs, sequence numbers, auth
//!   codes) stays wrapped in [`ipmi::codec::Unverified`] until an HMAC or auth code that
//!   covers it has been checked; datagrams that fail checks are dropped and counted.
//! * Secrets (password, Kg) live in the workspace's [`secret::Secret`]: redacted in `Debug`/`Display`,
//!   zeroed on drop, never logged. `password_script` runs via `sh -c` and its stdout is the
//!   password.
//!
//! # Differences from fence_ipmilan, on purpose
//!
//! * A BMC that refuses Chassis Control (completion code, e.g. insufficient privilege) fails
//!   at once with that reason, instead of polling until power_timeout.
//! * Failure lines carry the reason in parentheses after fencing.py's message.
//! * No session is held across power_wait or the status-poll sleeps: Pacemaker ends an agent
//!   that outlives its timeout with SIGKILL, and a held session would then occupy one of the
//!   BMC's few slots until the BMC's own session timeout. Each step logs in afresh (a few ms).
//! * With `disable_timeout` (the default under Pacemaker), login and command exchanges are
//!   still bounded (10 s each); only the wait for the power state is unbounded, as in
//!   fencing.py, and Pacemaker's operation timeout governs it.
//! * `target` (IPMB bridging) is rejected with a clear error; `ipmitool_path`, `use_sudo`
//!   and `sudo_path` are accepted and ignored; `ipmitool_timeout` caps the retransmission
//!   interval (at most 1 s).
//! * `-V` prints this agent's version, not fence-agents'.
//! * User names over 16 bytes and passwords over 20 (RMCP+) or 16 (IPMI 1.5) bytes are
//!   refused up front instead of being cut.
//! * Unknown stdin keys are warned about by name only (fencing.py prints the whole line,
//!   which may hold a mistyped password).
//! * Numeric options are bounded (`options/table.rs`): `retry_on` 0-100, `ipport` 1-65535,
//!   seconds 0 to a year, `verbose_level` at most 100; anything else is refused before any
//!   BMC traffic with `Failed: The value you have entered for --X is out of range (...)` and
//!   exit 1. fence_ipmilan 4.12.1 checks only `int()`: against ipmi_sim `on` with
//!   `--retry-on=-5` fails ("Timed out waiting to power ON", exit 1: zero attempts), with
//!   `--retry-on=4294967295` or a 23-digit value it succeeds (a four-billion-attempt loop);
//!   `--power-wait=99999999999999999999` on `on` dies in `time.sleep` (OverflowError, exit 1)
//!   after powering on; `--verbose-level=99999999999999999999` dies building the ipmitool
//!   command (exit 1); `--delay=-5`, `--delay` or `--login-timeout` of 20 digits pass `status`
//!   unnoticed; `--ipport=99999` or `-1` fail only when connecting.

pub mod agent;
pub mod bmc;
pub mod device;
pub mod exit;
#[cfg(any(test, feature = "fake-bmc"))]
pub mod fake_bmc;
pub mod family;
pub mod ipmi;
pub mod log;
pub mod options;
pub mod password_script;
pub mod personality;
pub mod redfish;
pub mod run;
pub mod session;
pub mod transport;
