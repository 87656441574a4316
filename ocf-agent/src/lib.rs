//! The OCF resource agent `ocf:masakari:hostmonitor` and the small OCF library under it.
//!
//! ```text
//!  pacemaker-execd ──env OCF_RESKEY_*, argv action──▶ hostmonitor (this agent)
//!                                                       │ ocf::Environment ─▶ agent::Instance
//!                                                       │   (attributes checked against params::PARAMS)
//!      start: spawn `masakari-hostmonitor run --config F --set k=v...`, PID file in HA_RSCTMP,
//!             wait until its control socket accepts
//!      monitor: PID alive and ours + `status` over the control socket (in-process, no fork);
//!               levels 10/20 judge the answer's CIB and Masakari API health
//!      stop: SIGTERM, SIGKILL late; no PID file means stopped
//!                                                       ▼
//!                                       exit code (ocf::OcfStatus), `ocf-exit-reason:` on stderr
//! ```
//!
//! [`ocf`] knows nothing of the host monitor: environment, exit codes, the parameter table that
//! drives metadata and validation, logging. [`agent`] declares the host monitor's parameters and
//! actions and carries them out.
//!
//! # Deploying it
//!
//! ```text
//! pcs alert create id=masakari path=/usr/libexec/masakari-pcmk/masakari-hostmonitor-alert
//! pcs alert recipient add masakari id=masakari-socket value=/run/masakari-pcmk/alerts.sock
//! pcs resource create hostmonitor ocf:masakari:hostmonitor \
//!     op monitor interval=10s monitor interval=31s OCF_CHECK_LEVEL=20
//! pcs constraint location hostmonitor rule score=-INFINITY '#kind' ne cluster
//! ```
//!
//! The location rule matters: Pacemaker may otherwise place the monitor on a pacemaker-remote
//! compute (it did so in the lab), the very kind of node it watches. The alert recipient must be
//! the daemon's `paths.alert_socket` (change both when you set `run_dir`). Credentials stay in
//! the configuration file; no instance attribute carries a secret.
//!
//! # Primitive, not a promotable clone: measured
//!
//! A promotable clone would keep a warm daemon on every controller and promote one. Measured in
//! the lab (3 controllers, 2 computes, fence_ipmilan on ipmi_sim, `pcmk_reboot_action=off`,
//! 2-core machine under load), killing the controller that runs the primitive:
//!
//! | phase | by hand | lab test, two runs |
//! |---|---|---|
//! | controller lost, new DC, fenced (resource seen stopped) | 4.9 s | |
//! | monitor started on another controller | 6.4 s | 7.9 s, 7.1 s |
//! | daemon there answers `status` with a good CIB read | | 8.3 s, 7.4 s |
//! | of which the `start` operation itself (CIB `exec-time`) | 0.115 s | 0.179 s, 0.112 s |
//!
//! A clone cannot do better than skip that `start`: Pacemaker promotes another instance only once
//! the promoted one's node is fenced (its demote is implied by the fencing), the same gate the
//! primitive waits for. So a clone would save at most ~0.1-0.2 s of 6-8 s (2-3%), while running
//! a daemon on every controller (each reading the CIB every `reconcile_interval`), needing a
//! standby mode in the daemon, and adding promote/demote/notify paths that can fail. The
//! primitive ships; `promote`, `demote` and `notify` answer `OCF_ERR_UNIMPLEMENTED`.
//! `tests/lab/tests/ocf_hostmonitor.rs` repeats the measurement and prints it.

//!
//! # Tests
//!
//! Unit tests sit beside the code. `tests/agent.rs` runs the built agent against the real
//! `masakari-hostmonitor` (build it first: `cargo build --workspace --bins`) in a temporary
//! directory: `ocf-tester`, idempotent start/stop, a killed daemon, deep monitors, exit codes and
//! reasons for bad attributes, secrets kept out of argv. `tests/metadata.rs` validates the
//! metadata against ra-api-1.dtd and pcs's OCF 1.1 schema and compares it with a golden copy
//! (`UPDATE_GOLDEN=1` rewrites it). `tests/lab/tests/ocf_hostmonitor.rs` runs it in a
//! 3-controller lab; `bench/monitor.sh` compares its monitor with `ocf:heartbeat:anything`.
//!
//! Every parser of outside input is a pure function with a fuzz target in `../fuzz`: the command
//! line and environment into an [`agent::Instance`] and the daemon's settings (`ocf_environment`),
//! the PID file (`ocf_pid_file`), `/proc/PID/cmdline` (`ocf_proc`) and the daemon's `status`
//! answer as the monitor judges it at every level (`ocf_status`). Seeds, from the tests and a
//! running daemon, are in `tests/data/seeds/<target>/`:
//!
//! ```text
//! cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run ocf_status corpus/ocf_status \
//!     ../ocf-agent/tests/data/seeds/ocf_status -- -max_total_time=180
//! ```
//!
//! # Start-up cost
//!
//! Pacemaker runs `monitor` every few seconds on every node, and a monitor is mostly process
//! start-up. So the agent links only the pure part of the `hostmonitor` library (no tokio,
//! reqwest or corosync; its control-socket client is `hostmonitor::control::client`), `make build` links it
//! statically (`-C target-feature=+crt-static`: no dynamic loader, no relocation of shared
//! libraries), and `main` skips std's runtime start-up (see `main.rs`). A static `monitor` costs
//! what `/bin/true` costs (BENCHMARKS.md). `cargo build --workspace` links it dynamically, as it
//! must (the daemon's corosync libraries are shared-only); that agent behaves the same, slower.

pub mod agent;
pub mod ocf;
