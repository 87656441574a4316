//! `validate-all` for the instance monitor: the daemon's own `check-config` with the instance's
//! `--set` words, so the configuration is judged by exactly the code that will read it (our TOML
//! or a masakarimonitors.conf). Its exit code and message become the OCF code and exit reason;
//! [`verdict_of`] is the pure part.

use std::io::ErrorKind;
use std::process::{Command, Stdio};

use crate::ocf::{Failure, OcfStatus};
use crate::service::Instance;

/// `check-config`'s exit code for an invalid configuration.
const INVALID: i32 = 2;
/// The longest exit reason taken from the daemon's message.
const MAX_REASON: usize = 400;

/// Runs `binary check-config --config ... --set ...` and judges what it says.
pub fn check_config(instance: &Instance) -> Result<(), Failure> {
    config_readable(instance)?;
    let mut cmd = Command::new(&instance.binary);
    cmd.args(instance.daemon_args("check-config"))
        .stdin(Stdio::null());
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("OCF_") {
            cmd.env_remove(&key);
        }
    }
    let out = cmd.output().map_err(|e| {
        Failure::installed(format!("cannot run {}: {e}", instance.binary.display()))
    })?;
    let said = last_line(&out.stderr).or_else(|| last_line(&out.stdout));
    verdict_of(instance, out.status.code(), said.as_deref().unwrap_or(""))
}

/// A missing or unreadable file is the node's problem (`OCF_ERR_INSTALLED`, `OCF_ERR_PERM`), not
/// the configuration's, as for the host monitor.
fn config_readable(instance: &Instance) -> Result<(), Failure> {
    std::fs::File::open(&instance.config)
        .map(drop)
        .map_err(|e| {
            let status = match e.kind() {
                ErrorKind::NotFound => OcfStatus::ErrInstalled,
                ErrorKind::PermissionDenied => OcfStatus::ErrPerm,
                _ => OcfStatus::ErrGeneric,
            };
            Failure::new(
                status,
                format!("parameter config: {}: {e}", instance.config.display()),
            )
        })
}

/// What `check-config`'s exit `code` and last line `said` mean for `validate-all`: an invalid
/// configuration names the attribute whose daemon key the message names, else the file.
pub fn verdict_of(instance: &Instance, code: Option<i32>, said: &str) -> Result<(), Failure> {
    match code {
        Some(0) => Ok(()),
        Some(INVALID) => {
            let attribute = instance.sets.iter().find_map(|set| {
                let key = set.split_once('=')?.0;
                said.contains(key)
                    .then(|| instance.attribute_for(key))
                    .flatten()
                    .map(|attr| (attr, key))
            });
            Err(Failure::configured(match attribute {
                Some((attr, key)) => format!("parameter {attr} ({key}): {said}"),
                None => format!(
                    "configuration {} with the attributes laid over it: {said}",
                    instance.config.display()
                ),
            }))
        }
        other => Err(Failure::generic(format!(
            "{} check-config failed (exit {}): {said}",
            instance.binary.display(),
            other.map_or_else(|| "by a signal".to_owned(), |c| c.to_string())
        ))),
    }
}

/// The last non-empty line of `bytes`, shortened.
fn last_line(bytes: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(bytes);
    let line = text.lines().rev().find(|l| !l.trim().is_empty())?;
    Some(line.trim().chars().take(MAX_REASON).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agents::instancemonitor::SPEC;
    use crate::ocf::Environment;

    fn instance(vars: &[(&str, &str)]) -> Instance {
        let env = Environment::from_vars(vars.iter().map(|(k, v)| (format!("OCF_RESKEY_{k}"), *v)));
        Instance::from_env(&SPEC, &env).unwrap()
    }

    #[test]
    fn exit_codes_become_ocf_codes() {
        let i = instance(&[]);
        assert_eq!(verdict_of(&i, Some(0), ""), Ok(()));
        let f = verdict_of(&i, Some(2), "unknown key monitor.hostnam").unwrap_err();
        assert_eq!(f.status, OcfStatus::ErrConfigured);
        assert_eq!(
            f.reason,
            "configuration /etc/masakari-pcmk/instancemonitor.toml with the attributes laid over \
             it: unknown key monitor.hostnam"
        );
        let f = verdict_of(&i, Some(1), "boom").unwrap_err();
        assert_eq!(f.status, OcfStatus::ErrGeneric);
        assert!(
            f.reason.ends_with("check-config failed (exit 1): boom"),
            "{f}"
        );
        let f = verdict_of(&i, None, "").unwrap_err();
        assert!(f.reason.contains("(exit by a signal)"), "{f}");
    }

    #[test]
    fn a_bad_value_names_its_attribute() {
        let i = instance(&[("libvirt_uri", "http://x"), ("run_dir", "/run/im")]);
        let said = "libvirt.uri: \"http://x\" is not a local qemu URI";
        let f = verdict_of(&i, Some(2), said).unwrap_err();
        assert_eq!(
            f.reason,
            format!("parameter libvirt_uri (libvirt.uri): {said}")
        );
        let said = "paths.control_socket: /run/im/instancemonitor.sock: no such directory";
        let f = verdict_of(&i, Some(2), said).unwrap_err();
        assert!(
            f.reason
                .starts_with("parameter run_dir (paths.control_socket)"),
            "{f}"
        );
    }

    #[test]
    fn the_last_line_is_the_reason() {
        assert_eq!(last_line(b"a\nb\n\n  \n"), Some("b".into()));
        assert_eq!(last_line(b""), None);
        assert_eq!(last_line(&[b'x'; 1000]).map(|l| l.len()), Some(MAX_REASON));
    }
}
