//! What every agent of ours shares: one of our daemons run as an OCF resource. An agent declares
//! itself (an [`AgentSpec`]: names, descriptions, the parameter [`table`], the actions) and says
//! the two things only it knows ([`Agent`]: how to validate its configuration, how to ask its
//! running daemon for its health); this module does the rest.
//!
//! ```text
//!  env, argv ─▶ dispatch::run ─▶ actions::{start, stop, monitor, validate}
//!                                  │ instance::Instance (attributes through table::Entry rows)
//!                                  │ process: spawn detached, SIGTERM/SIGKILL, wait for the socket
//!                                  │ pid_file + proc: the PID file, and is that PID still our `run`?
//!                                  └ Agent::validate / Agent::probe (the agent's own part)
//! ```

pub mod actions;
pub mod common;
pub mod dispatch;
pub mod entry;
pub mod instance;
pub mod pid_file;
pub mod proc;
pub mod process;
pub mod table;
pub mod verdict;

use std::path::PathBuf;
use std::time::Duration;

use crate::ocf::{Action, ActionSpec, AgentInfo, Failure};
pub use instance::{ApiCheck, Instance};
pub use pid_file::PidFile;
pub use table::{Entry, Target};
pub use verdict::Verdict;

/// The actions our daemons' agents advertise, with suggested timeouts: no promotion, no
/// migration (each agent's [`AgentSpec::not_implemented`] says why).
pub const ACTIONS: &[ActionSpec] = &[
    ActionSpec::new(Action::Start, 30),
    ActionSpec::new(Action::Stop, 30),
    ActionSpec::monitor(20, 10, 0),
    ActionSpec::new(Action::ValidateAll, 20),
    ActionSpec::new(Action::ReloadAgent, 20),
    ActionSpec::new(Action::MetaData, 5),
];

/// An agent's fixed description: what the metadata says and what names its files.
#[derive(Debug, PartialEq, Eq)]
pub struct AgentSpec {
    /// What the metadata says: its name (`ocf:masakari:<name>`, also the instance name when
    /// run by hand), descriptions, parameter table and actions.
    pub info: AgentInfo<'static, Entry>,
    /// The daemon program's name, in messages and in the PID file's name.
    pub program: &'static str,
    /// Why promote, demote, notify and migration are not implemented (for their exit reason).
    pub not_implemented: &'static str,
}

/// What a validated instance's daemon will use, as far as the agent must know it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Runtime {
    /// The control socket the daemon will serve.
    pub control_socket: PathBuf,
    /// Files the daemon creates: their directories are made before it starts.
    pub files: Vec<PathBuf>,
}

/// The part of an agent only it knows.
pub trait Agent {
    /// The agent's description.
    fn spec() -> &'static AgentSpec;

    /// `validate-all` past the attributes' own checks: the configuration file they amend, as the
    /// daemon will read it. The binary is checked before this.
    fn validate(instance: &Instance) -> Result<Runtime, Failure>;

    /// Asks the running `daemon` for its status over its control socket (within `timeout`) and
    /// judges the answer at `level`.
    fn probe(
        instance: &Instance,
        daemon: &PidFile,
        level: u32,
        timeout: Duration,
    ) -> Result<Verdict, Failure>;
}
