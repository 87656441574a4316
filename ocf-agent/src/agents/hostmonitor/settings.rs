//! The host monitor's configuration as the daemon will read it, checked in-process (the agent
//! links the pure part of the `hostmonitor` library): the file with the attributes laid over it,
//! and failures that name the attribute or the file.

use std::io::ErrorKind;

use hostmonitor::settings::{Override, Settings, SettingsError};

use crate::ocf::{Failure, OcfStatus};
use crate::service::Instance;

/// The daemon's configuration with the attributes laid over it, as the daemon will read it.
pub fn settings(instance: &Instance) -> Result<Settings, Failure> {
    Settings::load(&instance.config, &overrides(instance)?)
        .map_err(|e| settings_failure(instance, e))
}

/// [`settings`] of TOML configuration `text` instead of the file: the same checks and the same
/// failures naming the attribute, without I/O.
pub fn settings_of(instance: &Instance, text: &str) -> Result<Settings, Failure> {
    Settings::parse(text, &overrides(instance)?).map_err(|e| settings_failure(instance, e))
}

fn overrides(instance: &Instance) -> Result<Vec<Override>, Failure> {
    instance
        .sets
        .iter()
        .map(|s| s.parse::<Override>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Failure::configured(e.to_string()))
}

fn settings_failure(instance: &Instance, e: SettingsError) -> Failure {
    let path = instance.config.display();
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
        && let Some(attr) = instance.attribute_for(key)
    {
        return Failure::configured(format!("parameter {attr} ({key}) {problem}"));
    }
    Failure::configured(format!(
        "configuration {path} with the attributes laid over it: {inner}"
    ))
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::agents::hostmonitor::SPEC;
    use crate::ocf::Environment;
    use crate::service::ApiCheck;

    fn env(vars: &[(&str, &str)]) -> Environment {
        Environment::from_vars(vars.iter().map(|(k, v)| (*k, *v)))
    }

    #[test]
    fn defaults() {
        let i = Instance::from_env(&SPEC, &env(&[])).unwrap();
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
        let i = Instance::from_env(
            &SPEC,
            &env(&[
                ("OCF_RESOURCE_INSTANCE", "hm"),
                ("HA_RSCTMP", "/tmp/rsc"),
                ("OCF_RESKEY_masakari_endpoint", "http://m:15868/v1"),
                ("OCF_RESKEY_watch_members", "yes"),
                ("OCF_RESKEY_fence_timeout", "90"),
                ("OCF_RESKEY_run_dir", "/run/hm"),
                ("OCF_RESKEY_state_dir", "/var/lib/hm"),
            ]),
        )
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
            let f = Instance::from_env(&SPEC, &e).unwrap_err();
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
        let ok = Instance::from_env(&SPEC, &env(&[("OCF_RESKEY_config", c)])).unwrap();
        settings(&ok).unwrap();

        let zero = Instance::from_env(
            &SPEC,
            &env(&[("OCF_RESKEY_config", c), ("OCF_RESKEY_fence_timeout", "0")]),
        )
        .unwrap();
        let f = settings(&zero).unwrap_err();
        assert_eq!(f.status, OcfStatus::ErrConfigured);
        assert!(
            f.reason
                .starts_with("parameter fence_timeout (monitor.fence_timeout)"),
            "{f}"
        );

        std::fs::write(&config, "[monitor]\nreconcile_intervall = 5\n").unwrap();
        let f = settings(&ok).unwrap_err();
        assert_eq!(f.status, OcfStatus::ErrConfigured);
        assert!(f.reason.contains("reconcile_intervall"), "{f}");

        let f = settings_of(&zero, "").unwrap_err();
        assert!(f.reason.starts_with("parameter fence_timeout"), "{f}");
        assert!(settings_of(&ok, "[monitor]\nreconcile_interval = 5\n").is_ok());

        std::fs::remove_dir_all(&dir).unwrap();
        let f = settings(&ok).unwrap_err();
        assert_eq!(f.status, OcfStatus::ErrInstalled);
        assert!(f.reason.starts_with("parameter config:"), "{f}");
    }
}
