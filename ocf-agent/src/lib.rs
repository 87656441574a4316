//! The OCF resource agent `ocf:masakari:hostmonitor` and the small OCF library under it.
//!
//! ```text
//!  pacemaker-execd ──env OCF_RESKEY_*, argv action──▶ hostmonitor (this agent)
//!                                                       │ ocf::Environment ─▶ agent::Instance
//!                                                       │   (attributes checked against params::PARAMS)
//!      start: spawn `masakari-hostmonitor run --config F --set k=v...`, PID file in HA_RSCTMP,
//!             wait until its control socket accepts
//!      monitor 0: PID alive and ours + socket accepts; 10/20: `masakari-hostmonitor status --json`
//!      stop: SIGTERM, SIGKILL late; no PID file means stopped
//!                                                       ▼
//!                                       exit code (ocf::OcfStatus), `ocf-exit-reason:` on stderr
//! ```
//!
//! [`ocf`] knows nothing of the host monitor: environment, exit codes, the parameter table that
//! drives metadata and validation, logging. [`agent`] declares the host monitor's parameters and
//! actions and carries them out.

pub mod agent;
pub mod ocf;
