//! fencing.py's `fence_action`, for both families (fence_ipmilan's and fence_redfish's are the
//! same function): the decisions of on/off/reboot/status and what is printed. Talks to a [`Bmc`]
//! and a [`Clock`], so it is tested without either; reads only a [`Fencing`] of the settings.
//!
//! Stricter than fence_ipmilan where it matters: a BMC that refuses Chassis Control (e.g.
//! insufficient privilege) fails at once with its reason instead of after power_timeout, and
//! every failure line says why.

use std::io::Write;
use std::time::{Duration, Instant};

use crate::bmc::{Bmc, BmcError};
use crate::exit::Exit;
use crate::ipmi::commands::chassis_control::Control;
use crate::log::Logger;
use crate::options::settings::{Action, Method, Settings, Timeouts};

/// Time as the agent needs it.
pub trait Clock {
    /// Now.
    fn now(&self) -> Instant;
    /// Sleeps for `d`.
    fn sleep(&mut self, d: Duration);
}

/// The real clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }
    fn sleep(&mut self, d: Duration) {
        std::thread::sleep(d);
    }
}

/// fencing.py's `EC_STATUS` message.
pub const STATUS_FAILED: &str =
    "Failed: Unable to obtain correct plug status or plug is not available";

/// fencing.py's `EC_TIMED_OUT` message (fence_ipmilan's answer when no BMC answers).
pub const TIMED_OUT: &str = "Connection timed out";

/// What `fence_action` reads of a family's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fencing {
    /// The action.
    pub action: Action,
    /// How reboot is carried out.
    pub method: Method,
    /// Time limits.
    pub timeouts: Timeouts,
    /// Extra power-on attempts.
    pub retry_on: u8,
}

impl Fencing {
    /// fence_ipmilan's.
    pub fn of(settings: &Settings) -> Self {
        Self {
            action: settings.action,
            method: settings.method,
            timeouts: settings.timeouts,
            retry_on: settings.retry_on,
        }
    }
}

/// Everything one fencing run touches.
pub struct Run<'a> {
    /// What to do, and its time limits.
    pub settings: Fencing,
    /// The BMC.
    pub bmc: &'a mut dyn Bmc,
    /// The clock.
    pub clock: &'a mut dyn Clock,
    /// Standard output (result lines).
    pub out: &'a mut dyn Write,
    /// Log (failure reasons).
    pub log: &'a mut Logger,
}

/// Why a power change did not complete.
enum PowerFailure {
    /// The BMC refused the command (reason given).
    Refused(BmcError),
    /// The state never changed within power_timeout.
    TimedOut,
}

impl Run<'_> {
    /// Carries out the action; the session is closed before returning.
    pub fn fence(&mut self) -> Exit {
        let exit = self.act();
        self.bmc.close();
        exit
    }

    fn act(&mut self) -> Exit {
        let action = self.settings.action;
        if matches!(action, Action::List | Action::ListStatus) {
            return self.print(
                "NOTICE: List option is not working on this device yet",
                Exit::Ok,
            );
        }
        let on = match self.bmc.power_is_on() {
            Ok(on) => {
                if let Some(session) = self.bmc.describe() {
                    self.log.debug(&session);
                }
                self.log.debug(&format!(
                    "chassis power is {}",
                    if on { "on" } else { "off" }
                ));
                on
            }
            Err(e) if e.is_unreachable() => return self.failed(&format!("{TIMED_OUT} ({e})")),
            Err(e) => return self.failed(&format!("{STATUS_FAILED} ({e})")),
        };
        match (action, on) {
            (Action::Monitor, _) => Exit::Ok,
            (Action::Status, true) => self.print("Status: ON", Exit::Ok),
            (Action::Status, false) => self.print("Status: OFF", Exit::StatusOff),
            (Action::On, true) => self.print("Success: Already ON", Exit::Ok),
            (Action::Off, false) => self.print("Success: Already OFF", Exit::Ok),
            (Action::On, false) => self.power_on(),
            (Action::Off, true) => self.power_off(),
            (Action::Reboot, _) if self.settings.method == Method::Cycle => {
                self.cycle(Control::PowerCycle)
            }
            (Action::Diag, _) => self.cycle(Control::DiagnosticInterrupt),
            (Action::Reboot, on) => self.reboot(on),
            (Action::List | Action::ListStatus, _) => Exit::Ok,
        }
    }

    fn power_on(&mut self) -> Exit {
        match self.set_power(true, self.attempts()) {
            Ok(()) => self.print("Success: Powered ON", Exit::Ok),
            Err(f) => self.power_failed(f, "Failed: Timed out waiting to power ON"),
        }
    }

    /// fencing.py's `1 + retry_on` power-on attempts (`retry_on` is a `u8`: no overflow).
    fn attempts(&self) -> u32 {
        u32::from(self.settings.retry_on) + 1
    }

    fn power_off(&mut self) -> Exit {
        match self.set_power(false, 1) {
            Ok(()) => self.print("Success: Powered OFF", Exit::Ok),
            Err(f) => self.power_failed(f, "Failed: Timed out waiting to power OFF"),
        }
    }

    fn reboot(&mut self, on: bool) -> Exit {
        if on && let Err(f) = self.set_power(false, 1) {
            return self.power_failed(f, "Failed: Timed out waiting to power OFF");
        }
        // The node is fenced once off; a failed power-on is logged, not a fencing failure.
        if let Err(f) = self.set_power(true, u32::from(self.settings.retry_on)) {
            let reason = match f {
                PowerFailure::Refused(e) => format!(" ({e})"),
                PowerFailure::TimedOut => String::new(),
            };
            self.log
                .error(&format!("Timed out waiting to power ON{reason}\n"));
        }
        self.print("Success: Rebooted", Exit::Ok)
    }

    fn cycle(&mut self, control: Control) -> Exit {
        let mut last = None;
        for _ in 0..self.attempts() {
            match self.bmc.control(control) {
                Ok(()) => {
                    self.pause(self.settings.timeouts.power_wait);
                    return self.print("Success: Rebooted", Exit::Ok);
                }
                // fencing.py reports every failed cycle as a timeout; the reason follows.
                Err(e) if e.is_refusal() => return self.failed(&format!("{TIMED_OUT} ({e})")),
                Err(e) => last = Some(e),
            }
        }
        let reason = last.map(|e| format!(" ({e})")).unwrap_or_default();
        self.failed(&format!("{TIMED_OUT}{reason}"))
    }

    /// fencing.py's `async_set_multi_power_fn`: command, power_wait, poll until confirmed.
    fn set_power(&mut self, on: bool, attempts: u32) -> Result<(), PowerFailure> {
        let control = if on {
            Control::PowerUp
        } else {
            Control::PowerDown
        };
        for _ in 0..attempts {
            self.log.debug(&format!("Chassis Control: {control:?}"));
            match self.bmc.control(control) {
                Err(e) if e.is_refusal() => return Err(PowerFailure::Refused(e)),
                Err(e) => self.log.warning(&format!(
                    "Chassis Control failed, checking the power state anyway: {e}"
                )),
                Ok(()) => {}
            }
            self.pause(self.settings.timeouts.power_wait);
            if self.poll_until(on) {
                return Ok(());
            }
        }
        Err(PowerFailure::TimedOut)
    }

    /// Polls the power state until it is `on`, or power_timeout passes.
    fn poll_until(&mut self, on: bool) -> bool {
        let start = self.clock.now();
        loop {
            match self.bmc.power_is_on() {
                Ok(state) if state == on => return true,
                Ok(_) => {}
                Err(e) => self.log.debug(&format!("status poll failed: {e}")),
            }
            if self
                .settings
                .timeouts
                .power
                .is_some_and(|limit| self.clock.now() - start >= limit)
            {
                return false;
            }
            self.pause(self.settings.timeouts.status_sleep);
        }
    }

    /// Sleeps, telling the BMC first ([`Bmc::pause`]: an IPMI session is closed, so that a
    /// SIGKILL from Pacemaker during the sleep leaves no session on the BMC; each poll logs in
    /// afresh, a few milliseconds).
    fn pause(&mut self, d: Duration) {
        self.bmc.pause();
        self.clock.sleep(d);
    }

    fn power_failed(&mut self, failure: PowerFailure, timed_out: &str) -> Exit {
        match failure {
            PowerFailure::Refused(e) => self.failed(&format!("Failed: {e}")),
            PowerFailure::TimedOut => self.failed(timed_out),
        }
    }

    fn print(&mut self, line: &str, exit: Exit) -> Exit {
        let _ = writeln!(self.out, "{line}");
        exit
    }

    fn failed(&mut self, line: &str) -> Exit {
        self.log.error(&format!("{line}\n\n"));
        Exit::Failed
    }
}

#[cfg(test)]
mod tests;
