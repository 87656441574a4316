//! An IPMI device: checked settings, and one status query per question.

use super::{DeviceError, Power, PowerError};
use crate::bmc::{Bmc, LanBmc};
use crate::options::check::settings as ipmi_settings;
use crate::options::raw::Raw;
use crate::options::settings::Settings;
use crate::password_script;
use crate::personality::Personality;

/// A fence_ipmilan-style device: what a `status` run of the agent would use.
#[derive(Debug)]
pub struct IpmiDevice {
    settings: Box<Settings>,
    password_script: Option<String>,
}

impl IpmiDevice {
    /// Checks `raw` (the device's parameters) as the agent checks its input, for `status`
    /// outside Pacemaker's fencer (login and command exchanges bounded).
    pub fn from_raw(raw: Raw, personality: &Personality) -> Result<Self, DeviceError> {
        let (settings, password_script) = super::status_query(raw, personality, ipmi_settings)?;
        Ok(Self {
            settings,
            password_script,
        })
    }

    /// The checked settings (the password as configured, not yet from password_script).
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// One login, one Get Chassis Status, one close.
    pub fn power(&self) -> Result<Power, PowerError> {
        let scripted;
        let settings = match &self.password_script {
            Some(script) => {
                scripted = Settings {
                    password: password_script::run(script)?,
                    ..Settings::clone(&self.settings)
                };
                &scripted
            }
            None => &*self.settings,
        };
        settings.check_credentials()?;
        let mut bmc = LanBmc::new(settings);
        let on = bmc.power_is_on();
        bmc.close();
        Ok(if on? { Power::On } else { Power::Off })
    }
}
