//! What a remote's failed connection monitor leads to, and how long fencing waits to start.
//!
//! With fencing on, a managed connection and no `on-fail` on its recurring monitor, the
//! failure resets the remote: Pacemaker fences it at once (`action_fail_reset_remote`).
//! Any `on-fail` written on that op replaces the reset (`restart`, `block`, `ignore`, `stop`
//! do not fence the compute; `fence` fences the controller that ran the monitor), and an
//! unmanaged connection is only stopped. The fence itself starts after a random delay of up
//! to `pcmk_delay_base` + `pcmk_delay_max` of the device (the largest among the devices that
//! can fence the remote), or, with no device, completes when `stonith-watchdog-timeout`
//! has passed (watchdog self-fencing). `stonith-timeout` bounds only a fence that fails, and
//! `migration-threshold` and `reconnect_interval` change where and when the connection is
//! retried, not how soon the remote is fenced; `priority-fencing-delay` applies to cluster
//! members only.

use crate::Cib;
use crate::history::OnFail;
use crate::resources::{OpConfig, Resource};
use crate::value::{duration_ms, is_true};

/// What follows a hung remote's failed connection monitor.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Response {
    /// The remote is fenced; the fence starts (or, for the watchdog, completes) within
    /// `delay_ms` of the failure.
    Fenced {
        /// The worst-case `pcmk_delay_base` + `pcmk_delay_max`, or the watchdog timeout.
        delay_ms: u64,
        /// Fenced by watchdog self-fencing (no device can fence it).
        watchdog: bool,
    },
    /// The remote is not fenced for the failure: its VMs are never evacuated.
    NotFenced(NotFenced),
    /// A duration Pacemaker's spelling allows that this crate does not read.
    Unreadable {
        /// The attribute, option or parameter.
        attribute: &'static str,
        /// The value as written.
        value: String,
    },
}

/// Why a hung remote is not fenced.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum NotFenced {
    /// `stonith-enabled=false`.
    FencingDisabled,
    /// The connection is unmanaged (`is-managed=false` or `maintenance-mode`): a failure
    /// only stops it.
    Unmanaged,
    /// The monitor's `on-fail` (as written) replaces the reset.
    OnFail(String),
    /// No fence device can fence it and `stonith-watchdog-timeout` is unset.
    NoDevice,
}

impl Cib {
    /// What follows the failure of `conn`'s recurring monitor `op` (the remote is `conn`'s id).
    pub(super) fn response_of(&self, conn: &Resource, op: Option<&OpConfig>) -> Response {
        let props = &self.options.properties;
        if !self.options.stonith_enabled() {
            return Response::NotFenced(NotFenced::FencingDisabled);
        }
        let managed = conn
            .meta
            .get("is-managed")
            .or_else(|| self.rsc_defaults.get("is-managed"))
            .is_none_or(is_true);
        if !managed || props.is_true("maintenance-mode") {
            return Response::NotFenced(NotFenced::Unmanaged);
        }
        let on_fail = op.and_then(|o| o.on_fail.as_deref());
        if let Some(value) = on_fail.filter(|v| OnFail::parse(v).is_some()) {
            return Response::NotFenced(NotFenced::OnFail(value.to_owned()));
        }
        let devices = self.fence_devices_for(&conn.id);
        if devices.is_empty() {
            return watchdog(props.get("stonith-watchdog-timeout"));
        }
        let mut worst = 0;
        for device in &devices {
            let params = device.params();
            let base = params
                .get("pcmk_delay_base")
                .map(|v| host_delay(v, &conn.id));
            let max = params.get("pcmk_delay_max");
            let mut delay = 0u64;
            for (attribute, value) in [("pcmk_delay_base", base.flatten()), ("pcmk_delay_max", max)]
            {
                let Some(value) = value else { continue };
                match duration_ms(value) {
                    Some(ms) => delay = delay.saturating_add(ms),
                    None => return unreadable(attribute, value),
                }
            }
            worst = worst.max(delay);
        }
        Response::Fenced {
            delay_ms: worst,
            watchdog: false,
        }
    }
}

/// Watchdog self-fencing when `stonith-watchdog-timeout` is a positive duration (a negative
/// one is derived from SBD's own timeout, which the CIB does not hold).
fn watchdog(timeout: Option<&str>) -> Response {
    let Some(value) = timeout
        .map(str::trim)
        .filter(|v| !v.is_empty() && *v != "0")
    else {
        return Response::NotFenced(NotFenced::NoDevice);
    };
    match duration_ms(value) {
        Some(0) => Response::NotFenced(NotFenced::NoDevice),
        Some(ms) => Response::Fenced {
            delay_ms: ms,
            watchdog: true,
        },
        None => unreadable("stonith-watchdog-timeout", value),
    }
}

/// `pcmk_delay_base` for `host`: one duration for every target, or a `node:delay` list
/// (`;`, `,` or space separated) where a host not named waits none.
fn host_delay<'v>(value: &'v str, host: &str) -> Option<&'v str> {
    if !value.contains(':') {
        return Some(value);
    }
    value
        .split([';', ',', ' '])
        .filter_map(|entry| entry.split_once(':'))
        .find(|(node, _)| node.trim().eq_ignore_ascii_case(host))
        .map(|(_, delay)| delay.trim())
}

fn unreadable(attribute: &'static str, value: &str) -> Response {
    Response::Unreadable {
        attribute,
        value: value.to_owned(),
    }
}
