//! The agent's exit codes, mapped to process exit statuses in one place.

/// How a run of the agent ended, as Pacemaker's fencer reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Exit {
    /// Success (also: status of a powered-on node).
    Ok,
    /// Any failure: the action did not provably happen.
    Failed,
    /// `status` of a powered-off node (fence-agents convention).
    StatusOff,
}

impl Exit {
    /// The numeric process exit status fence-agents uses.
    pub fn code(self) -> u8 {
        match self {
            Exit::Ok => 0,
            Exit::Failed => 1,
            Exit::StatusOff => 2,
        }
    }
}
