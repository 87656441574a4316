//! One resource instance as the environment describes it: the checked attributes, the daemon's
//! command line, and the files that belong to it.

use std::ffi::OsString;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use hostmonitor::settings::{Override, Settings, SettingsError};

use super::params::{PARAMS, Target};
use crate::ocf::{Environment, Failure, OcfStatus, Value};

/// The agent's name (`ocf:masakari:hostmonitor`).
pub const AGENT: &str = "hostmonitor";

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

/// A resource instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance {
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
    /// Reads and checks every attribute (not the configuration file: see [`Instance::settings`]).
    /// For `start`, `validate-all` and `reload-agent`.
    pub fn from_env(env: &Environment) -> Result<Self, Failure> {
        let mut instance = Self::located(env);
        instance.api_check = api_check(env)?;
        instance.sets = overrides(env)?;
        Ok(instance)
    }

    /// What finds a running daemon, whatever the other attributes say: `stop` and `monitor` must
    /// work after an attribute was changed to a bad value, or Pacemaker could not stop the old
    /// daemon (and would fence the node). Bad values take their defaults; no overrides.
    pub fn located(env: &Environment) -> Self {
        let name = env.instance(AGENT).to_owned();
        let text = |n: &str| {
            value_of(env, n)
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
            binary: PathBuf::from(text("binary")),
            config: PathBuf::from(text("config")),
            log_file: PathBuf::from(text("log_file")),
            sets: Vec::new(),
            api_check: api_check(env).unwrap_or(ApiCheck::Degraded),
            pid_file: env
                .rsctmp()
                .join(format!("masakari-hostmonitor-{file_name}.pid")),
            name,
        }
    }

    /// The daemon's configuration with the attributes laid over it, as the daemon will read it.
    pub fn settings(&self) -> Result<Settings, Failure> {
        Settings::load(&self.config, &self.overrides()?).map_err(|e| self.settings_failure(e))
    }

    /// [`Instance::settings`] of TOML configuration `text` instead of the file: the same checks
    /// and the same failures naming the attribute, without I/O.
    pub fn settings_of(&self, text: &str) -> Result<Settings, Failure> {
        Settings::parse(text, &self.overrides()?).map_err(|e| self.settings_failure(e))
    }

    fn overrides(&self) -> Result<Vec<Override>, Failure> {
        self.sets
            .iter()
            .map(|s| s.parse::<Override>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| Failure::configured(e.to_string()))
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

    fn settings_failure(&self, e: SettingsError) -> Failure {
        let path = self.config.display();
        let inner = match &e {
            SettingsError::Read { source, .. } => {
                let status = match source.kind() {
                    ErrorKind::NotFound => OcfStatus::ErrInstalled,
                    ErrorKind::PermissionDenied => OcfStatus::ErrPerm,
                    _ => OcfStatus::ErrGeneric,
                };
                return Failure::new(status, format!("parameter config: {e}"));
            }
            SettingsError::InFile { inner, .. } => inner.as_ref(),
            other => other,
        };
        if let SettingsError::Invalid { key, problem } = inner
            && let Some(attr) = self.attribute_for(key)
        {
            return Failure::configured(format!("parameter {attr} ({key}) {problem}"));
        }
        Failure::configured(format!(
            "configuration {path} with the attributes laid over it: {inner}"
        ))
    }

    /// The attribute that set the daemon key `key`, if one did.
    fn attribute_for(&self, key: &str) -> Option<&'static str> {
        let set = |k: &str| self.sets.iter().any(|s| s.starts_with(&format!("{k}=")));
        PARAMS.iter().find_map(|e| match e.target {
            Target::Setting(k) if k == key && set(k) => Some(e.param.name),
            Target::StateDir if key == "paths.state_file" && set(key) => Some(e.param.name),
            Target::RunDir if key.ends_with("_socket") && set(key) => Some(e.param.name),
            _ => None,
        })
    }
}

/// The value of the attribute called `name` (its default when unset), checked.
fn value_of(env: &Environment, name: &str) -> Result<Option<Value>, Failure> {
    match PARAMS.iter().find(|e| e.param.name == name) {
        Some(e) => e.param.value(env),
        None => Ok(None),
    }
}

/// The deep-monitor policy (`api_check`).
fn api_check(env: &Environment) -> Result<ApiCheck, Failure> {
    let word = value_of(env, "api_check")?.map(|v| v.to_word());
    Ok(match word.as_deref() {
        Some("fail") => ApiCheck::Fail,
        Some("ignore") => ApiCheck::Ignore,
        _ => ApiCheck::Degraded,
    })
}

/// `--set` words for every attribute that is set and maps to the daemon's configuration.
fn overrides(env: &Environment) -> Result<Vec<String>, Failure> {
    let mut sets = Vec::new();
    for e in PARAMS {
        let Some(value) = e.param.value(env)? else {
            continue;
        };
        let word = value.to_word();
        match e.target {
            Target::Agent => {}
            Target::Setting(key) => sets.push(format!("{key}={word}")),
            Target::StateDir => {
                let dir = absolute_dir(e.param.name, &word)?;
                sets.push(format!(
                    "paths.state_file={}",
                    dir.join("hostmonitor.json").display()
                ));
            }
            Target::RunDir => {
                let dir = absolute_dir(e.param.name, &word)?;
                for (key, file) in [
                    ("alert_socket", "alerts.sock"),
                    ("control_socket", "control.sock"),
                ] {
                    sets.push(format!("paths.{key}={}", dir.join(file).display()));
                }
            }
        }
    }
    Ok(sets)
}

fn absolute_dir<'a>(name: &str, word: &'a str) -> Result<&'a Path, Failure> {
    let dir = Path::new(word);
    if dir.is_absolute() {
        Ok(dir)
    } else {
        Err(Failure::configured(format!(
            "parameter {name}={word:?} must be an absolute path"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)]) -> Environment {
        Environment::from_vars(vars.iter().map(|(k, v)| (*k, *v)))
    }

    #[test]
    fn defaults() {
        let i = Instance::from_env(&env(&[])).unwrap();
        assert_eq!(i.name, "hostmonitor");
        assert_eq!(
            i.config,
            PathBuf::from("/etc/masakari-pcmk/hostmonitor.toml")
        );
        assert_eq!(i.binary, PathBuf::from("/usr/bin/masakari-hostmonitor"));
        assert!(i.sets.is_empty());
        assert_eq!(i.api_check, ApiCheck::Degraded);
        assert_eq!(
            i.pid_file,
            PathBuf::from("/run/resource-agents/masakari-hostmonitor-hostmonitor.pid")
        );
    }

    #[test]
    fn attributes_become_overrides() {
        let i = Instance::from_env(&env(&[
            ("OCF_RESOURCE_INSTANCE", "hm"),
            ("HA_RSCTMP", "/tmp/rsc"),
            ("OCF_RESKEY_masakari_endpoint", "http://m:15868/v1"),
            ("OCF_RESKEY_watch_members", "yes"),
            ("OCF_RESKEY_fence_timeout", "90"),
            ("OCF_RESKEY_run_dir", "/run/hm"),
            ("OCF_RESKEY_state_dir", "/var/lib/hm"),
        ]))
        .unwrap();
        assert_eq!(
            i.sets,
            [
                "masakari.endpoint=http://m:15868/v1",
                "monitor.watch_members=true",
                "monitor.fence_timeout=90",
                "paths.state_file=/var/lib/hm/hostmonitor.json",
                "paths.alert_socket=/run/hm/alerts.sock",
                "paths.control_socket=/run/hm/control.sock",
            ]
        );
        assert_eq!(
            i.pid_file,
            PathBuf::from("/tmp/rsc/masakari-hostmonitor-hm.pid")
        );
        let args = i.daemon_args("run");
        assert_eq!(args[0], "run");
        assert_eq!(args[3], "--set");
    }

    #[test]
    fn bad_attributes_are_configuration_errors_naming_them() {
        for (name, value) in [
            ("fence_timeout", "soon"),
            ("watch_members", "perhaps"),
            ("on_fence_failure", "panic"),
            ("run_dir", "relative/dir"),
            ("api_check", "loud"),
        ] {
            let e = env(&[(&format!("OCF_RESKEY_{name}") as &str, value)]);
            let f = Instance::from_env(&e).unwrap_err();
            assert_eq!(f.status, OcfStatus::ErrConfigured, "{name}");
            assert!(f.reason.contains(name), "{f}");
        }
    }

    #[test]
    fn settings_errors_name_the_attribute_or_the_file() {
        let dir = std::env::temp_dir().join(format!("ocf-inst-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let config = dir.join("hm.toml");
        std::fs::write(&config, "[monitor]\nreconcile_interval = 5\n").unwrap();
        let c = config.to_str().unwrap();
        let ok = Instance::from_env(&env(&[("OCF_RESKEY_config", c)])).unwrap();
        ok.settings().unwrap();

        let zero = Instance::from_env(&env(&[
            ("OCF_RESKEY_config", c),
            ("OCF_RESKEY_fence_timeout", "0"),
        ]))
        .unwrap();
        let f = zero.settings().unwrap_err();
        assert_eq!(f.status, OcfStatus::ErrConfigured);
        assert!(
            f.reason
                .starts_with("parameter fence_timeout (monitor.fence_timeout)"),
            "{f}"
        );

        std::fs::write(&config, "[monitor]\nreconcile_intervall = 5\n").unwrap();
        let f = ok.settings().unwrap_err();
        assert_eq!(f.status, OcfStatus::ErrConfigured);
        assert!(f.reason.contains("reconcile_intervall"), "{f}");

        let f = zero.settings_of("").unwrap_err();
        assert!(f.reason.starts_with("parameter fence_timeout"), "{f}");
        assert!(
            ok.settings_of("[monitor]\nreconcile_interval = 5\n")
                .is_ok()
        );

        std::fs::remove_dir_all(&dir).unwrap();
        let f = ok.settings().unwrap_err();
        assert_eq!(f.status, OcfStatus::ErrInstalled);
        assert!(f.reason.starts_with("parameter config:"), "{f}");
    }
}
