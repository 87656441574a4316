//! A Redfish device: checked settings, and one status query per question (a session, when the
//! service offers one, is deleted before the answer is returned).

use super::{DeviceError, Power, PowerError};
use crate::bmc::{Bmc, BmcError};
use crate::options::raw::Raw;
use crate::password_script;
use crate::personality::Personality;
use crate::redfish::settings::{RedfishSettings, build};
use crate::redfish::{RedfishBmc, http::Https};

/// A fence_redfish-style device: what a `status` run of the agent would use.
#[derive(Debug)]
pub struct RedfishDevice {
    settings: Box<RedfishSettings>,
    password_script: Option<String>,
}

impl RedfishDevice {
    /// Checks `raw` (the device's parameters) as the agent checks its input, for `status`
    /// outside Pacemaker's fencer (connections and exchanges bounded).
    pub fn from_raw(raw: Raw, personality: &Personality) -> Result<Self, DeviceError> {
        let (settings, password_script) = super::status_query(raw, personality, build)?;
        Ok(Self {
            settings,
            password_script,
        })
    }

    /// The checked settings (the password as configured, not yet from password_script).
    pub fn settings(&self) -> &RedfishSettings {
        &self.settings
    }

    /// One status query over HTTPS.
    pub fn power(&self) -> Result<Power, PowerError> {
        let mut settings = RedfishSettings::clone(&self.settings);
        if let Some(script) = &self.password_script {
            settings.password = password_script::run(script)?;
        }
        let https = Https::new(&settings).map_err(|source| BmcError::Redfish {
            url: settings.base_url(),
            source,
        })?;
        let mut bmc = RedfishBmc::new(&settings, https);
        let on = bmc.power_is_on();
        bmc.close();
        Ok(if on? { Power::On } else { Power::Off })
    }
}
