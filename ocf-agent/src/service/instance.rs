//! One resource instance as the environment describes it: the checked attributes, the daemon's
//! command line, and the files that belong to it. Every agent's instance has the `config`,
//! `binary`, `log_file` and `api_check` attributes; the rest of its table becomes `--set` words.

use std::ffi::OsString;
use std::path::PathBuf;

use super::AgentSpec;
use super::table::{self, attribute_for, value_of};
use crate::ocf::{Environment, Failure};

/// What a deep monitor does when the daemon could not reach the Masakari API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiCheck {
    /// Report OCF_DEGRADED.
    Degraded,
    /// Report OCF_ERR_GENERIC.
    Fail,
    /// Report success.
    Ignore,
}

/// The `api_check` attribute's values.
pub const API_CHECK_CHOICES: &[&str] = &["degraded", "fail", "ignore"];

/// A resource instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance {
    /// The agent it is an instance of.
    pub spec: &'static AgentSpec,
    /// `OCF_RESOURCE_INSTANCE`.
    pub name: String,
    /// The daemon program.
    pub binary: PathBuf,
    /// Its configuration file.
    pub config: PathBuf,
    /// `section.key=value` overrides from the attributes.
    pub sets: Vec<String>,
    /// Where the daemon's output goes.
    pub log_file: PathBuf,
    /// Deep-monitor policy.
    pub api_check: ApiCheck,
    /// The daemon's PID, kept by the agent.
    pub pid_file: PathBuf,
}

impl Instance {
    /// Reads and checks every attribute (not the configuration file: the agent's
    /// [`super::Agent::validate`] does). For `start`, `validate-all` and `reload-agent`.
    pub fn from_env(spec: &'static AgentSpec, env: &Environment) -> Result<Self, Failure> {
        let mut instance = Self::located(spec, env);
        instance.api_check = api_check(spec, env)?;
        instance.sets = table::overrides(spec.info.params, env)?;
        Ok(instance)
    }

    /// What finds a running daemon, whatever the other attributes say: `stop` and `monitor` must
    /// work after an attribute was changed to a bad value, or Pacemaker could not stop the old
    /// daemon (and would fence the node). Bad values take their defaults; no overrides.
    pub fn located(spec: &'static AgentSpec, env: &Environment) -> Self {
        let name = env.instance(spec.info.name).to_owned();
        let text = |n: &str| {
            value_of(spec.info.params, env, n)
                .ok()
                .flatten()
                .map(|v| v.to_word())
                .unwrap_or_default()
        };
        let file_name: String = name
            .chars()
            .map(|c| if c == '/' { '_' } else { c })
            .collect();
        Self {
            spec,
            binary: PathBuf::from(text("binary")),
            config: PathBuf::from(text("config")),
            log_file: PathBuf::from(text("log_file")),
            sets: Vec::new(),
            api_check: api_check(spec, env).unwrap_or(ApiCheck::Degraded),
            pid_file: env
                .rsctmp()
                .join(format!("{}-{file_name}.pid", spec.program)),
            name,
        }
    }

    /// The daemon's arguments for `subcommand` (`run`, `status`, `check-config`).
    pub fn daemon_args(&self, subcommand: &str) -> Vec<OsString> {
        let mut args = vec![
            subcommand.into(),
            "--config".into(),
            self.config.clone().into(),
        ];
        for set in &self.sets {
            args.push("--set".into());
            args.push(set.into());
        }
        args
    }

    /// The value this instance's attributes give the daemon key `key`, if they set it.
    pub fn set_value(&self, key: &str) -> Option<&str> {
        self.sets
            .iter()
            .find_map(|s| s.strip_prefix(key)?.strip_prefix('='))
    }

    /// The attribute that set the daemon key `key`, if one did.
    pub fn attribute_for(&self, key: &str) -> Option<&'static str> {
        attribute_for(self.spec.info.params, &self.sets, key)
    }

    /// Whether the daemon program is there and executable (`OCF_ERR_INSTALLED` otherwise).
    pub fn check_binary(&self) -> Result<(), Failure> {
        use std::os::unix::fs::PermissionsExt;
        match std::fs::metadata(&self.binary) {
            Ok(m) if m.is_file() && m.permissions().mode() & 0o111 != 0 => Ok(()),
            Ok(_) => Err(Failure::installed(format!(
                "parameter binary: {} is not an executable file",
                self.binary.display()
            ))),
            Err(e) => Err(Failure::installed(format!(
                "parameter binary: {}: {e}",
                self.binary.display()
            ))),
        }
    }
}

/// The deep-monitor policy (`api_check`).
fn api_check(spec: &AgentSpec, env: &Environment) -> Result<ApiCheck, Failure> {
    let word = value_of(spec.info.params, env, "api_check")?.map(|v| v.to_word());
    Ok(match word.as_deref() {
        Some("fail") => ApiCheck::Fail,
        Some("ignore") => ApiCheck::Ignore,
        _ => ApiCheck::Degraded,
    })
}
