//! A resource's role on one node, replayed from its operation history the way Pacemaker's
//! scheduler does (`unpack_lrm_resource` and `unpack_rsc_op` in `lib/pengine/unpack.c`).
//!
//! Only what node state depends on is replayed: the role, whether the resource failed, and
//! the strongest failure response still in force. Expiry (`failure-timeout`) and
//! migration details are not modelled.

use crate::status::LrmOp;

/// A resource's role, ordered as Pacemaker orders them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// Nothing known.
    Unknown,
    /// Stopped.
    Stopped,
    /// Started.
    Started,
    /// Started, unpromoted.
    Unpromoted,
    /// Promoted.
    Promoted,
}

/// Pacemaker's responses to a failed action, ordered from mildest to strongest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum OnFail {
    /// Pretend it succeeded.
    Ignore,
    /// Demote the instance.
    Demote,
    /// Restart the resource.
    Recover,
    /// Fence a remote node whose connection failed.
    ResetRemote,
    /// Restart the container.
    RestartContainer,
    /// Move the resource away.
    Migrate,
    /// Stop managing it.
    Block,
    /// Stop it.
    Stop,
    /// Put the node in standby.
    Standby,
    /// Fence the node.
    Fence,
}

impl OnFail {
    /// Reads an `on-fail` value; `None` when unrecognized (the default then applies).
    pub(crate) fn parse(value: &str) -> Option<Self> {
        Some(match value.to_ascii_lowercase().as_str() {
            "ignore" | "nothing" => Self::Ignore,
            "demote" => Self::Demote,
            "restart" => Self::Recover,
            "restart-container" => Self::RestartContainer,
            "migrate" => Self::Migrate,
            "block" => Self::Block,
            "stop" => Self::Stop,
            "standby" => Self::Standby,
            "fence" => Self::Fence,
            _ => return None,
        })
    }
}

/// What the replay of one resource's history on one node concluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Replay {
    /// The role on this node.
    pub role: Role,
    /// The failure response still in force.
    pub on_fail: OnFail,
    /// A result counted as "not running" made the resource's next role unknown again.
    pub next_role_cleared: bool,
}

const OCF_OK: i32 = 0;
const OCF_INVALID_PARAM: i32 = 2;
const OCF_UNIMPLEMENTED: i32 = 3;
const OCF_INSUFFICIENT_PRIV: i32 = 4;
const OCF_NOT_INSTALLED: i32 = 5;
const OCF_NOT_CONFIGURED: i32 = 6;
const OCF_NOT_RUNNING: i32 = 7;
const OCF_RUNNING_PROMOTED: i32 = 8;
const OCF_FAILED_PROMOTED: i32 = 9;
const OCF_DEGRADED: i32 = 190;
const OCF_DEGRADED_PROMOTED: i32 = 191;

const EXEC_PENDING: i32 = -1;
const EXEC_DONE: i32 = 0;
const EXEC_CANCELLED: i32 = 1;
const EXEC_ERROR: i32 = 4;
const EXEC_NOT_INSTALLED: i32 = 7;
const EXEC_MAX: i32 = 11;

/// What a replay needs besides the history.
pub struct Context<'p> {
    /// Whether the cluster manages the resource.
    pub managed: bool,
    /// Whether a remote connection has `reconnect_interval` set (its reset failure then
    /// stays until cleared).
    pub reconnect: bool,
    /// Failure expiry, when the resource has a failure timeout and the time is known.
    pub expiry: Option<Expiry>,
    /// The failure response configured or defaulted for an operation.
    pub policy: &'p dyn Fn(&LrmOp) -> OnFail,
}

/// Inputs of `check_operation_expiry`: failures older than the failure timeout no longer count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expiry {
    /// The evaluation time (seconds since the epoch).
    pub now: u64,
    /// `failure-timeout` (or a remote connection's `reconnect_interval`), in seconds.
    pub failure_timeout: u64,
    /// A remote connection's recurring-monitor failures wait for fencing
    /// (`should_ignore_failure_timeout`).
    pub keep_monitor_failures: bool,
    /// The node's fail count for the resource (`fail-count-*` attributes).
    pub fail_count: i64,
    /// The node's latest `last-failure-*` time for the resource.
    pub last_failure: u64,
    /// Whether the node is online and clean (expired recurring failures are then rescheduled).
    pub node_clean_online: bool,
}

impl Expiry {
    /// `check_operation_expiry`.
    fn expired(&self, op: &LrmOp) -> bool {
        let Some(last_run) = op.last_rc_change else {
            return false;
        };
        let timeout = self.failure_timeout;
        let recurring_monitor = op.operation == "monitor" && op.interval_ms != 0;
        let mut expired = timeout > 0
            && self.now >= last_run.saturating_add(timeout)
            && !(self.keep_monitor_failures && recurring_monitor);
        let unexpired_fail_count = self.fail_count > 0
            && !(self.last_failure > 0 && self.now > self.last_failure.saturating_add(timeout));
        if expired && self.fail_count > 0 && unexpired_fail_count {
            expired = false;
        }
        let probe_result = matches!(
            op.rc,
            OCF_OK | OCF_NOT_RUNNING | OCF_RUNNING_PROMOTED | OCF_DEGRADED | OCF_DEGRADED_PROMOTED
        );
        expired && !(op.is_probe() && probe_result)
    }
}

/// Replays `ops` (in any order).
pub fn replay(ops: &[LrmOp], context: &Context<'_>) -> Replay {
    let mut state = State {
        role: Role::Unknown,
        on_fail: OnFail::Ignore,
        last_failure: None,
        managed: context.managed,
        reconnect: context.reconnect,
        next_role_cleared: false,
    };
    // Completed calls in call-id order; pending ones (call-id -1) last. Histories are
    // usually recorded in that order already, and then need no sorted copy.
    let order = |op: &LrmOp| (op.call_id < 0, op.call_id);
    if ops.is_sorted_by_key(order) {
        ops.iter().for_each(|op| state.unpack(op, context));
    } else {
        let mut sorted: Vec<&LrmOp> = ops.iter().collect();
        sorted.sort_by_key(|op| order(op));
        sorted.into_iter().for_each(|op| state.unpack(op, context));
    }
    state.finish()
}

struct State<'a> {
    role: Role,
    on_fail: OnFail,
    last_failure: Option<&'a LrmOp>,
    managed: bool,
    reconnect: bool,
    next_role_cleared: bool,
}

impl<'a> State<'a> {
    fn unpack(&mut self, op: &'a LrmOp, context: &Context<'_>) {
        let task = op.operation.as_ref();
        if task == "notify"
            || task == "meta-data"
            || !(EXEC_PENDING..=EXEC_MAX).contains(&op.op_status)
        {
            return;
        }
        let masked_probe = op.is_probe()
            && (op.rc == OCF_NOT_INSTALLED
                || op.rc == OCF_INVALID_PARAM
                || op.op_status == EXEC_NOT_INSTALLED);
        let expired =
            op.op_status != EXEC_NOT_INSTALLED && context.expiry.is_some_and(|e| e.expired(op));
        let (rc, status) = self.remap(op, masked_probe);
        if expired && masked_probe && Some(op.rc) != op.target_rc {
            if self.role <= Role::Stopped {
                self.role = Role::Unknown;
            }
            return;
        }
        if expired
            && Some(rc) != op.target_rc
            && (op.interval_ms == 0 || context.expiry.is_some_and(|e| e.node_clean_online))
        {
            return;
        }
        if masked_probe {
            self.update(op, op.target_rc.unwrap_or(OCF_NOT_RUNNING));
            return;
        }
        match status {
            EXEC_CANCELLED => {}
            EXEC_PENDING => match task {
                "start" => self.set_active(),
                "promote" => self.role = Role::Promoted,
                _ => {}
            },
            EXEC_DONE => self.update(op, rc),
            _ => {
                let response = (context.policy)(op);
                if response == OnFail::Ignore {
                    self.update(op, op.target_rc.unwrap_or(OCF_OK));
                } else {
                    self.failure(op, rc, response);
                }
            }
        }
    }

    /// `remap_operation`: turns the recorded result into done/error against the expected one.
    fn remap(&mut self, op: &LrmOp, masked_probe: bool) -> (i32, i32) {
        let mut rc = op.rc;
        if op.operation == "monitor" {
            rc = match rc {
                OCF_DEGRADED => OCF_OK,
                OCF_DEGRADED_PROMOTED => OCF_RUNNING_PROMOTED,
                other => other,
            };
        }
        let mut status = op.op_status;
        if masked_probe {
            rc = OCF_NOT_RUNNING;
            status = EXEC_DONE;
        }
        if status != EXEC_DONE && status != EXEC_ERROR {
            return (rc, status);
        }
        status = match op.target_rc {
            Some(target) if target == rc => EXEC_DONE,
            _ => EXEC_ERROR,
        };
        let probe = op.is_probe();
        match rc {
            OCF_OK if probe && op.target_rc == Some(OCF_NOT_RUNNING) => status = EXEC_DONE,
            OCF_OK => {}
            OCF_NOT_RUNNING => {
                if probe || op.target_rc == Some(rc) || !self.managed {
                    status = EXEC_DONE;
                    self.role = Role::Stopped;
                    self.on_fail = OnFail::Ignore;
                    self.next_role_cleared = true;
                }
            }
            OCF_RUNNING_PROMOTED => {
                if probe {
                    status = EXEC_DONE;
                }
                self.role = Role::Promoted;
            }
            OCF_FAILED_PROMOTED | OCF_DEGRADED_PROMOTED => {
                self.role = Role::Promoted;
                status = EXEC_ERROR;
            }
            OCF_NOT_CONFIGURED
            | OCF_UNIMPLEMENTED
            | OCF_NOT_INSTALLED
            | OCF_INVALID_PARAM
            | OCF_INSUFFICIENT_PRIV => status = EXEC_ERROR,
            _ => {
                if status == EXEC_DONE {
                    status = EXEC_ERROR;
                }
            }
        }
        (rc, status)
    }

    /// `update_resource_state`: a result that counts as success.
    fn update(&mut self, op: &'a LrmOp, rc: i32) {
        let mut clear = false;
        if rc == OCF_NOT_INSTALLED {
            self.role = Role::Stopped;
        } else if rc == OCF_NOT_RUNNING {
            clear = true;
        } else {
            match op.operation.as_ref() {
                "monitor" => {
                    clear = self.last_failure.is_some_and(|f| {
                        f.operation == op.operation && f.interval_ms == op.interval_ms
                    });
                    self.set_active();
                }
                "start" | "migrate_from" => {
                    self.role = Role::Started;
                    clear = true;
                }
                "stop" => {
                    self.role = Role::Stopped;
                    clear = true;
                }
                "promote" => {
                    self.role = Role::Promoted;
                    clear = true;
                }
                "demote" => {
                    clear = self.on_fail == OnFail::Demote;
                    self.role = Role::Unpromoted;
                }
                _ => self.set_active(),
            }
        }
        if clear {
            self.clear_failure();
        }
    }

    fn clear_failure(&mut self) {
        match self.on_fail {
            OnFail::Stop | OnFail::Fence | OnFail::Migrate | OnFail::Standby => {}
            OnFail::ResetRemote if self.reconnect => {}
            _ => {
                self.on_fail = OnFail::Ignore;
            }
        }
    }

    /// `unpack_rsc_op_failure`: an unexpected result.
    fn failure(&mut self, op: &'a LrmOp, rc: i32, response: OnFail) {
        self.last_failure = Some(op);
        if response > self.on_fail {
            self.on_fail = response;
        }
        match op.operation.as_ref() {
            "promote" => self.role = Role::Promoted,
            "demote" if rc == OCF_NOT_RUNNING => self.role = Role::Stopped,
            "demote" => self.role = Role::Unpromoted,
            _ => {}
        }
        if op.is_probe() && rc == OCF_NOT_INSTALLED {
            self.role = Role::Stopped;
        } else {
            self.set_active();
        }
    }

    fn set_active(&mut self) {
        if self.role < Role::Started {
            self.role = Role::Started;
        }
    }

    fn finish(self) -> Replay {
        Replay {
            role: self.role,
            on_fail: self.on_fail,
            next_role_cleared: self.next_role_cleared,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(task: &str, call: i64, rc: i32, status: i32, interval: u64, target: i32) -> LrmOp {
        LrmOp {
            operation: task.to_owned().into(),
            call_id: call,
            rc,
            op_status: status,
            interval_ms: interval,
            target_rc: Some(target),
            last_rc_change: Some(1000),
        }
    }

    fn recover(_: &LrmOp) -> OnFail {
        OnFail::Recover
    }

    fn run(ops: &[LrmOp], policy: &dyn Fn(&LrmOp) -> OnFail, expiry: Option<Expiry>) -> Replay {
        let context = Context {
            managed: true,
            reconnect: false,
            expiry,
            policy,
        };
        replay(ops, &context)
    }

    #[test]
    fn start_then_monitor_is_started() {
        let ops = [
            op("start", 2, 0, 0, 0, 0),
            op("monitor", 3, 0, 0, 10_000, 0),
            op("monitor", 1, 7, 0, 0, 7),
        ];
        let r = run(&ops, &recover, None);
        assert_eq!(r.role, Role::Started);
        assert_eq!(r.on_fail, OnFail::Ignore);
    }

    #[test]
    fn stop_after_start_is_stopped() {
        let ops = [op("start", 2, 0, 0, 0, 0), op("stop", 4, 0, 0, 0, 0)];
        assert_eq!(run(&ops, &recover, None).role, Role::Stopped);
    }

    #[test]
    fn failed_monitor_marks_failed() {
        let ops = [
            op("start", 2, 0, 0, 0, 0),
            op("monitor", 3, 1, 4, 10_000, 0),
        ];
        let r = run(&ops, &|_| OnFail::ResetRemote, None);
        assert_eq!(r.role, Role::Started);
        assert_eq!(r.on_fail, OnFail::ResetRemote);
    }

    #[test]
    fn monitor_not_running_unexpectedly_is_a_failure_then_stop_clears() {
        let ops = [
            op("start", 2, 0, 0, 0, 0),
            op("monitor", 3, 7, 0, 10_000, 0),
            op("stop", 5, 0, 0, 0, 0),
        ];
        let r = run(&ops, &recover, None);
        assert_eq!(r.role, Role::Stopped);
        assert_eq!(r.on_fail, OnFail::Ignore);
    }

    #[test]
    fn expired_failures_stop_counting() {
        let ops = [
            op("start", 2, 0, 0, 0, 0),
            op("monitor", 3, 1, 4, 10_000, 0),
        ];
        let mut expiry = Expiry {
            now: 2000,
            failure_timeout: 60,
            keep_monitor_failures: false,
            fail_count: 0,
            last_failure: 0,
            node_clean_online: true,
        };
        assert_eq!(run(&ops, &recover, Some(expiry)).on_fail, OnFail::Ignore);
        expiry.keep_monitor_failures = true;
        assert_eq!(run(&ops, &recover, Some(expiry)).on_fail, OnFail::Recover);
        expiry.keep_monitor_failures = false;
        expiry.now = 1030;
        assert_eq!(run(&ops, &recover, Some(expiry)).on_fail, OnFail::Recover);
    }

    #[test]
    fn pending_start_is_active() {
        let ops = [op("monitor", 1, 7, 0, 0, 7), op("start", -1, 193, -1, 0, 0)];
        assert_eq!(run(&ops, &recover, None).role, Role::Started);
    }

    #[test]
    fn masked_probe_failure_is_stopped() {
        let ops = [op("monitor", 1, 5, 0, 0, 7)];
        assert_eq!(run(&ops, &recover, None).role, Role::Stopped);
    }
}
