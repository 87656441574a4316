//! The lab: a real Pacemaker cluster on one machine, for tests, benchmarks and operators trying the product.
//!
//! ```text
//!            ┌──────────── lab network (bridge in mlab-NAME-net) ─────────────┐
//!  ctl1..3   corosync+pacemaker  ──ocf:pacemaker:remote──▶  compute1..N   pacemaker-remoted
//!     │ fence_ipmilan (stonith, per node)                       ▲ power
//!     └────────── IPMI lanplus ──────────▶  bmc-computeN: ipmi_sim ─┘ (chassis_control = masakari-lab chassis)
//!  (with `--bmc redfish`: fence_redfish(_rs) over HTTPS to sushy-emulator, whose external notifier
//!   drives the node's power through `masakari-lab power-link`, see [`bmc`] and [`power_link`])
//!  (with `--libvirt`: every compute also runs its own libvirtd and TCG guests, see [`libvirt`])
//!  (with `--services`: Pacemaker runs a nova-compute clone on the computes, see [`services`])
//!  api: masakari-api (noauth2, sqlite) ◀── notifications from the host monitor
//!       (with `--keystone`: + Keystone under gunicorn, both HTTPS with the lab's CA, keystone auth)
//! ```
//!
//! Every host lives in its own network namespace; cluster nodes also get a private mount namespace
//! (see [`node`]), because corosync, pacemaker and pacemaker-remoted use abstract sockets, /dev/shm and
//! fixed state paths that would collide otherwise. Labs never share a namespace, so several run at once.
//! Processes are found and killed by PID through their network namespace ([`procs`]).
//! Another lab's controllers can feed this lab's API, each cluster its own segment ([`shared_api`]).

pub mod bench;
pub mod bmc;
pub mod cib_config;
pub mod cli;
pub mod cmd;
pub mod corosync_conf;
pub mod demo;
pub mod error;
pub mod files;
pub mod instancemonitor;
pub mod keystone;
pub mod lab;
pub mod layout;
pub mod libvirt;
pub mod masakari;
pub mod monitor;
pub mod netns;
pub mod node;
pub mod observe;
pub mod power_link;
pub mod procs;
pub mod services;
pub mod shared_api;
pub mod spec;
pub mod stage;
pub mod sushy;
pub mod tls;
pub mod tools;
pub mod wait;

pub use error::{LabError, Result};
pub use lab::{Lab, teardown, teardown_at_exit};
pub use layout::{Host, Machine};
pub use spec::{Bmc, LabSpec, RebootAction, RemoteMonitor};
