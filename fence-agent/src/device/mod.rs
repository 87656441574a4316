//! A stonith device asked about in-process: the host monitor's power check, and any program
//! that holds a device's configuration rather than an agent's command line.
//!
//! ```text
//!  agent type ──► Agent::from_type ─┐
//!  parameters, plug ────────────────┴► Device::from_params ──► Device ──► Device::power ──► Power
//!        (as Pacemaker hands them:       (Pacemaker's filter,            (password_script,
//!         CIB names and aliases)          the agent's names, the          one status query,
//!                                         option table, check)            session closed)
//! ```
//!
//! The parameters take the agent's own road: the pairs Pacemaker would write to the agent's
//! stdin go through [`stdin::from_pairs`], the option table and
//! [`check`](crate::options::check::check) into the same typed
//! [`Settings`] a run of the agent uses, so aliases,
//! defaults, personalities and validation are the agent's, not a copy. No argv is built and no
//! stdin text written; the password goes from the parameters into a [`secret::Secret`].
//!
//! Every agent this library speaks is an [`Agent`] (the IPMI ones and fence_redfish), each with
//! a kind of device here; callers call [`Device::from_params`] and [`Device::power`] alike.

mod agent;
mod ipmi;
mod pacemaker;
mod redfish;

use thiserror::Error;

pub use agent::Agent;

use crate::bmc::BmcError;
use crate::options::check::{Builder, Outcome, check_with};
use crate::options::raw::Raw;
use crate::options::settings::{CredentialError, Settings};
use crate::options::stdin;
use crate::password_script::PasswordScriptError;
use crate::personality::Personality;
use crate::redfish::settings::RedfishSettings;
use ipmi::IpmiDevice;
use redfish::RedfishDevice;

/// What a device says about its host's power.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Power {
    /// Power is on.
    On,
    /// Power is off.
    Off,
}

/// Why a device's parameters do not make a query.
#[derive(Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeviceError {
    /// The agent would refuse them (its own failure messages; they never hold a value).
    #[error("invalid device parameters: {}", .0.join("; "))]
    Invalid(Vec<String>),
    /// They ask for help, the version or metadata instead of a power query.
    #[error("the device parameters ask for help, version or metadata, not a power query")]
    NotAQuery,
}

/// Why a device gave no answer about power.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum PowerError {
    /// The device's `password_script` gave no password.
    #[error("password_script: {0}")]
    PasswordScript(#[from] PasswordScriptError),
    /// The credentials do not fit the protocol.
    #[error(transparent)]
    Credentials(#[from] CredentialError),
    /// The BMC did not answer, refused or failed.
    #[error(transparent)]
    Bmc(#[from] BmcError),
}

/// A stonith device ready to be asked about its host's power.
#[derive(Debug)]
pub struct Device {
    kind: Kind,
}

/// The protocols devices speak.
#[derive(Debug)]
enum Kind {
    /// IPMI over LAN (fence_ipmilan and its aliases, cluster-glue's external/ipmi).
    Ipmi(IpmiDevice),
    /// Redfish over HTTPS (fence_redfish).
    Redfish(RedfishDevice),
}

impl Device {
    /// The device of agent `agent` with the parameters configured for it (a stonith
    /// primitive's instance attributes, names as in the CIB), fencing `plug` when the
    /// fencer would pass a port for the host. Parameters Pacemaker keeps to itself
    /// (`pcmk_*`, `action`, meta attributes) are left out, as Pacemaker leaves them out.
    pub fn from_params<'a>(
        agent: Agent,
        params: impl IntoIterator<Item = (&'a str, &'a str)>,
        plug: Option<&'a str>,
    ) -> Result<Self, DeviceError> {
        let pairs = params
            .into_iter()
            .filter(|&(name, value)| pacemaker::passes(name, value))
            .filter_map(|(name, value)| agent.ipmilan_pair(name, value));
        let host_argument = plug
            .map(|plug| (pacemaker::HOST_ARGUMENT, plug))
            .filter(|&(name, plug)| agent.takes_plug() && pacemaker::passes(name, plug));
        let raw = stdin::from_pairs(
            pairs.chain(host_argument),
            agent.personality().family.options,
        );
        let kind = match agent {
            Agent::Redfish(personality) => {
                Kind::Redfish(RedfishDevice::from_raw(raw, personality)?)
            }
            _ => Kind::Ipmi(IpmiDevice::from_raw(raw, agent.personality())?),
        };
        Ok(Self { kind })
    }

    /// Asks the device whether its host's power is on or off: one status query, blocking
    /// for at most the login and command timeouts (runs `password_script` first if set).
    pub fn power(&self) -> Result<Power, PowerError> {
        match &self.kind {
            Kind::Ipmi(device) => device.power(),
            Kind::Redfish(device) => device.power(),
        }
    }

    /// The IPMI settings the device queries with (for inspection and tests).
    pub fn ipmi_settings(&self) -> Option<&Settings> {
        match &self.kind {
            Kind::Ipmi(device) => Some(device.settings()),
            Kind::Redfish(_) => None,
        }
    }

    /// The Redfish settings the device queries with (for inspection and tests).
    pub fn redfish_settings(&self) -> Option<&RedfishSettings> {
        match &self.kind {
            Kind::Redfish(device) => Some(device.settings()),
            Kind::Ipmi(_) => None,
        }
    }
}

/// `raw` checked for `status` as the agent checks its input (outside Pacemaker's fencer, so
/// exchanges stay bounded): the settings `build` makes, and the `password_script` to run.
fn status_query<S>(
    mut raw: Raw,
    personality: &Personality,
    build: Builder<S>,
) -> Result<(Box<S>, Option<String>), DeviceError> {
    raw.set_key("action", "status");
    let checked = check_with(raw, personality, None, build);
    match checked.outcome {
        Outcome::Run(settings) => Ok((settings, checked.password_script)),
        Outcome::Usage(errors) => Err(DeviceError::Invalid(errors)),
        _ => Err(DeviceError::NotAQuery),
    }
}

#[cfg(test)]
mod tests;
