//! The OCF resource agents `ocf:masakari:hostmonitor` and `ocf:masakari:instancemonitor`, and the
//! small OCF library under them.
//!
//! ```text
//!  pacemaker-execd ──env OCF_RESKEY_*, argv action──▶ hostmonitor | instancemonitor (one binary each)
//!                                                       │ ocf::Environment ─▶ service::Instance
//!                                                       │   (attributes checked against the agent's PARAMS)
//!      start: spawn `masakari-<daemon> run --config F --set k=v...`, PID file in HA_RSCTMP,
//!             wait until its control socket accepts
//!      monitor: PID alive and ours + `status` over the control socket (in-process, no fork);
//!               levels 10/20 judge the answer (the CIB read / the libvirt link; the Masakari API)
//!      stop: SIGTERM, SIGKILL late; no PID file means stopped
//!                                                       ▼
//!                                       exit code (ocf::OcfStatus), `ocf-exit-reason:` on stderr
//! ```
//!
//! Three layers, one framework:
//! - [`ocf`] knows nothing of our daemons: environment, exit codes, the parameter type that drives
//!   metadata and validation, logging.
//! - [`service`] is "one of our daemons as an OCF resource", shared by both agents: the parameter
//!   table (where each attribute's value goes), the instance and its PID file, spawning and
//!   stopping the daemon, recognising it by PID, the actions and their dispatch, the Masakari API
//!   judgement of deep monitors, and the process entry.
//! - [`agents`] declares each agent (its table, descriptions, actions) and the two things only it
//!   knows: how its configuration is validated (the host monitor's settings in-process; the
//!   instance monitor's `check-config`) and how its `status` answer is judged.
//!
//! Two binaries rather than one dispatching on argv\[0\]: they go to different nodes in different
//! packages (controllers, computes), and each links only its own daemon's pure library.
//!
//! # Deploying the host monitor
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
//! # Deploying the instance monitor
//!
//! ```text
//! pcs resource create instancemonitor ocf:masakari:instancemonitor \
//!     op monitor interval=10s monitor interval=31s OCF_CHECK_LEVEL=20 clone
//! pcs constraint location instancemonitor-clone rule score=-INFINITY '#kind' ne remote
//! ```
//!
//! An anonymous clone, one instance per compute; the rule keeps it off the controllers (which
//! run no guests), i.e. on the nodes whose `#kind` is `remote`. Each instance keeps its outbox in
//! `state_dir` on its own compute. The daemon keeps running while libvirt is down (level 10 then
//! fails, with libvirt's error as the reason) and never exits because the API is down (level 20
//! follows `api_check`). `promote`, `demote` and `notify` answer `OCF_ERR_UNIMPLEMENTED`.
//!
//! # Tests
//!
//! Unit tests sit beside the code. `tests/agent.rs` runs the built host monitor agent against
//! the real `masakari-hostmonitor` (build it first: `cargo build --workspace --bins`) in a
//! temporary directory, `tests/instance_agent.rs` the instance monitor agent against the real
//! `masakari-instancemonitor` (no libvirtd needed): `ocf-tester`, idempotent start/stop, a killed
//! daemon, deep monitors, exit codes and reasons for bad attributes, secrets kept out of argv.
//! `tests/metadata.rs` validates both agents' metadata against ra-api-1.dtd and pcs's OCF 1.1
//! schema and compares it with golden copies (`UPDATE_GOLDEN=1` rewrites them). `tests/lab/tests/ocf_hostmonitor.rs` runs
//! the host monitor agent in a 3-controller lab, `tests/lab/tests/ocf_instancemonitor.rs` the
//! instance monitor agent as a clone on the computes; `bench/monitor.sh` compares the host
//! monitor agent's monitor with `ocf:heartbeat:anything`.
//!
//! Every parser of outside input is a pure function with a fuzz target in `../fuzz`: the command
//! line and environment into a [`service::Instance`] and the host monitor's settings
//! (`ocf_environment`), the PID file (`ocf_pid_file`), `/proc/PID/cmdline` (`ocf_proc`) and the daemons' `status`
//! answers as the monitors judge them at every level (`ocf_status`).
//! Seeds, from the tests and a running daemon, are in `tests/data/seeds/<target>/`:
//!
//! ```text
//! cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run ocf_status corpus/ocf_status \
//!     ../ocf-agent/tests/data/seeds/ocf_status -- -max_total_time=180
//! ```
//!
//! # Start-up cost
//!
//! Pacemaker runs `monitor` every few seconds on every node, and a monitor is mostly process
//! start-up. So each agent links only the pure part of its daemon's library (no tokio, reqwest
//! or corosync; their control-socket clients are `hostmonitor::control::client` and
//! `instancemonitor::control::client`), `make build` links them statically
//! (`-C target-feature=+crt-static`: no dynamic loader, no relocation of shared libraries), and
//! `main` skips std's runtime start-up (see [`service::entry`]). A static `monitor` costs what
//! `/bin/true` costs (BENCHMARKS.md). `cargo build --workspace` links them dynamically, as it
//! must (the daemon's corosync libraries are shared-only); they behave the same, slower.

pub mod agents;
pub mod ocf;
pub mod service;
