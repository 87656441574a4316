//! The fencing decisions against a scripted BMC and a virtual clock.

use std::time::{Duration, Instant};

use secret::Secret;

use super::*;
use crate::ipmi::CompletionCode;
use crate::options::settings::{Protocol, Timeouts};
use crate::session::SessionError;

/// A BMC whose power follows commands, unless told to ignore them or refuse.
struct ScriptedBmc {
    on: bool,
    ignore_off: bool,
    ignore_on: bool,
    refuse: bool,
    unreachable: bool,
    unreachable_at_login: bool,
    controls: Vec<Control>,
    closed: u32,
}

impl ScriptedBmc {
    fn new(on: bool) -> Self {
        Self {
            on,
            ignore_off: false,
            ignore_on: false,
            refuse: false,
            unreachable: false,
            unreachable_at_login: false,
            controls: vec![],
            closed: 0,
        }
    }
}

fn refusal() -> BmcError {
    BmcError::Session {
        addr: "bmc:623".into(),
        source: SessionError::Completion {
            stage: "Chassis Control",
            code: CompletionCode::INSUFFICIENT_PRIVILEGE,
        },
    }
}

impl Bmc for ScriptedBmc {
    fn power_is_on(&mut self) -> Result<bool, BmcError> {
        if self.unreachable {
            let stage = if self.unreachable_at_login {
                crate::session::FIRST_STAGE
            } else {
                "Get Chassis Status"
            };
            return Err(BmcError::Session {
                addr: "bmc:623".into(),
                source: SessionError::Timeout {
                    stage,
                    sent: 5,
                    dropped: 0,
                },
            });
        }
        Ok(self.on)
    }
    fn control(&mut self, control: Control) -> Result<(), BmcError> {
        self.controls.push(control);
        if self.refuse {
            return Err(refusal());
        }
        match control {
            Control::PowerDown if !self.ignore_off => self.on = false,
            Control::PowerUp if !self.ignore_on => self.on = true,
            _ => {}
        }
        Ok(())
    }
    fn close(&mut self) {
        self.closed += 1;
    }
}

struct VirtualClock {
    now: Instant,
    slept: Duration,
}

impl Clock for VirtualClock {
    fn now(&self) -> Instant {
        self.now
    }
    fn sleep(&mut self, d: Duration) {
        self.now += d;
        self.slept += d;
    }
}

fn settings(action: Action) -> Settings {
    Settings {
        action,
        host: "bmc".into(),
        port: 623,
        username: "admin".into(),
        password: Secret::from_string("pw".into()),
        privilege: crate::ipmi::Privilege::ADMINISTRATOR,
        protocol: Protocol::V20 {
            cipher: None,
            kg: None,
        },
        method: Method::OnOff,
        timeouts: Timeouts {
            login: Duration::from_secs(5),
            command: Duration::from_secs(3),
            power: Some(Duration::from_secs(20)),
            power_wait: Duration::from_secs(2),
            status_sleep: Duration::from_secs(1),
            retransmit: Duration::from_secs(1),
        },
        retry_on: 1,
        delay: Duration::ZERO,
    }
}

struct Outcome {
    exit: Exit,
    stdout: String,
    stderr: String,
    slept: Duration,
}

fn fence(settings: &Settings, bmc: &mut ScriptedBmc) -> Outcome {
    let mut out = Vec::new();
    let err = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let mut log = Logger::new(Box::new(SharedBuf(err.clone())));
    log.configure(false, false);
    let mut clock = VirtualClock {
        now: Instant::now(),
        slept: Duration::ZERO,
    };
    let exit = Run {
        settings: crate::agent::Fencing::of(settings),
        bmc,
        clock: &mut clock,
        out: &mut out,
        log: &mut log,
    }
    .fence();
    let stderr = String::from_utf8(err.borrow().clone()).unwrap();
    Outcome {
        exit,
        stdout: String::from_utf8(out).unwrap(),
        stderr,
        slept: clock.slept,
    }
}

struct SharedBuf(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);

impl Write for SharedBuf {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn status_exit_codes() {
    let o = fence(&settings(Action::Status), &mut ScriptedBmc::new(true));
    assert_eq!((o.exit, o.stdout.as_str()), (Exit::Ok, "Status: ON\n"));
    let o = fence(&settings(Action::Status), &mut ScriptedBmc::new(false));
    assert_eq!(
        (o.exit, o.stdout.as_str()),
        (Exit::StatusOff, "Status: OFF\n")
    );
}

#[test]
fn off_succeeds_only_once_the_bmc_reports_off() {
    let mut bmc = ScriptedBmc::new(true);
    let o = fence(&settings(Action::Off), &mut bmc);
    assert_eq!(
        (o.exit, o.stdout.as_str()),
        (Exit::Ok, "Success: Powered OFF\n")
    );
    assert_eq!(o.slept, Duration::from_secs(2));
    assert_eq!(bmc.closed, 2, "closed before power_wait and at the end");
}

#[test]
fn a_bmc_that_never_reports_off_is_a_failure_after_power_timeout() {
    let mut bmc = ScriptedBmc::new(true);
    bmc.ignore_off = true;
    let o = fence(&settings(Action::Off), &mut bmc);
    assert_eq!((o.exit, o.stdout.as_str()), (Exit::Failed, ""));
    assert!(
        o.stderr
            .contains("ERROR: Failed: Timed out waiting to power OFF"),
        "{}",
        o.stderr
    );
    assert_eq!(o.slept, Duration::from_secs(2 + 20));
}

#[test]
fn refusal_fails_at_once_with_the_reason() {
    let mut bmc = ScriptedBmc::new(true);
    bmc.refuse = true;
    let o = fence(&settings(Action::Off), &mut bmc);
    assert_eq!(o.exit, Exit::Failed);
    assert!(
        o.stderr.contains("insufficient privilege level (0xd4)"),
        "{}",
        o.stderr
    );
    assert_eq!(o.slept, Duration::ZERO);
}

#[test]
fn already_in_state() {
    let o = fence(&settings(Action::On), &mut ScriptedBmc::new(true));
    assert_eq!(o.stdout, "Success: Already ON\n");
    let o = fence(&settings(Action::Off), &mut ScriptedBmc::new(false));
    assert_eq!(o.stdout, "Success: Already OFF\n");
}

#[test]
fn reboot_is_off_then_on() {
    let mut bmc = ScriptedBmc::new(true);
    let o = fence(&settings(Action::Reboot), &mut bmc);
    assert_eq!(
        (o.exit, o.stdout.as_str()),
        (Exit::Ok, "Success: Rebooted\n")
    );
    assert_eq!(bmc.controls, vec![Control::PowerDown, Control::PowerUp]);
    assert!(bmc.on);
}

#[test]
fn reboot_of_an_off_node_only_powers_on() {
    let mut bmc = ScriptedBmc::new(false);
    fence(&settings(Action::Reboot), &mut bmc);
    assert_eq!(bmc.controls, vec![Control::PowerUp]);
}

#[test]
fn reboot_succeeds_once_off_even_if_power_on_fails() {
    let mut bmc = ScriptedBmc::new(true);
    bmc.ignore_on = true;
    let o = fence(&settings(Action::Reboot), &mut bmc);
    assert_eq!(
        (o.exit, o.stdout.as_str()),
        (Exit::Ok, "Success: Rebooted\n")
    );
    assert!(o.stderr.contains("Timed out waiting to power ON"));
}

#[test]
fn on_retries_retry_on_times() {
    let mut bmc = ScriptedBmc::new(false);
    bmc.ignore_on = true;
    let o = fence(&settings(Action::On), &mut bmc);
    assert_eq!(o.exit, Exit::Failed);
    assert_eq!(bmc.controls, vec![Control::PowerUp, Control::PowerUp]);
    assert!(o.stderr.contains("Failed: Timed out waiting to power ON"));
}

#[test]
fn unreachable_bmc_fails_status_with_reason() {
    let mut bmc = ScriptedBmc::new(true);
    bmc.unreachable = true;
    let o = fence(&settings(Action::Monitor), &mut bmc);
    assert_eq!(o.exit, Exit::Failed);
    assert!(
        o.stderr
            .contains(&format!("ERROR: {STATUS_FAILED} (BMC bmc:623: no answer")),
        "{}",
        o.stderr
    );
}

#[test]
fn no_bmc_at_all_is_a_connection_timeout() {
    let mut bmc = ScriptedBmc::new(true);
    bmc.unreachable = true;
    bmc.unreachable_at_login = true;
    let o = fence(&settings(Action::Status), &mut bmc);
    assert!(
        o.stderr
            .contains("ERROR: Connection timed out (BMC bmc:623: no answer"),
        "{}",
        o.stderr
    );
}

#[test]
fn cycle_and_diag_issue_one_command() {
    let mut s = settings(Action::Reboot);
    s.method = Method::Cycle;
    let mut bmc = ScriptedBmc::new(true);
    assert_eq!(fence(&s, &mut bmc).stdout, "Success: Rebooted\n");
    assert_eq!(bmc.controls, vec![Control::PowerCycle]);
    let mut bmc = ScriptedBmc::new(true);
    fence(&settings(Action::Diag), &mut bmc);
    assert_eq!(bmc.controls, vec![Control::DiagnosticInterrupt]);
}

#[test]
fn list_needs_no_bmc() {
    let mut bmc = ScriptedBmc::new(true);
    bmc.unreachable = true;
    let o = fence(&settings(Action::List), &mut bmc);
    assert_eq!(
        (o.exit, o.stdout.as_str()),
        (
            Exit::Ok,
            "NOTICE: List option is not working on this device yet\n"
        )
    );
}

#[test]
fn without_power_timeout_polling_goes_on_until_confirmed() {
    let mut s = settings(Action::Off);
    s.timeouts.power = None;
    let mut bmc = ScriptedBmc::new(true);
    let o = fence(&s, &mut bmc);
    assert_eq!(o.exit, Exit::Ok);
}
