//! An agent's instance attributes as one table: each entry a parameter (metadata and value checks,
//! [`crate::ocf::Param`]) and where its value goes. Secrets have no attribute: passwords and
//! tokens stay in the configuration file, never in the CIB or the daemon's argv.

use std::path::Path;

use crate::ocf::{Environment, Failure, Param, Value};

/// Where a parameter's value goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Used by the agent itself.
    Agent,
    /// Laid over the configuration file as `--set <key>=<value>`.
    Setting(&'static str),
    /// An absolute directory: each `(key, file name)` becomes `--set <key>=<dir>/<file name>`.
    Dir(&'static [(&'static str, &'static str)]),
}

/// One row of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// The parameter as metadata and validation see it.
    pub param: Param,
    /// Where its value goes.
    pub target: Target,
}

impl AsRef<Param> for Entry {
    fn as_ref(&self) -> &Param {
        &self.param
    }
}

/// A parameter the agent uses itself.
pub const fn agent(param: Param) -> Entry {
    Entry {
        param,
        target: Target::Agent,
    }
}

/// A parameter that sets the daemon's configuration key `key`.
pub const fn setting(key: &'static str, param: Param) -> Entry {
    Entry {
        param,
        target: Target::Setting(key),
    }
}

/// A directory parameter whose files are the daemon's keys `files` (`(key, file name)`).
pub const fn dir(files: &'static [(&'static str, &'static str)], param: Param) -> Entry {
    Entry {
        param,
        target: Target::Dir(files),
    }
}

/// The value of the attribute called `name` in `params` (its default when unset), checked.
pub fn value_of(params: &[Entry], env: &Environment, name: &str) -> Result<Option<Value>, Failure> {
    match params.iter().find(|e| e.param.name == name) {
        Some(e) => e.param.value(env),
        None => Ok(None),
    }
}

/// `key=value` words (for `--set`) of every attribute in `params` that is set (or has a default)
/// and maps to the daemon's configuration.
pub fn overrides(params: &[Entry], env: &Environment) -> Result<Vec<String>, Failure> {
    let mut sets = Vec::new();
    for e in params {
        let Some(value) = e.param.value(env)? else {
            continue;
        };
        let word = value.to_word();
        match e.target {
            Target::Agent => {}
            Target::Setting(key) => sets.push(format!("{key}={word}")),
            Target::Dir(files) => {
                let dir = absolute_dir(e.param.name, &word)?;
                for (key, file) in files {
                    sets.push(format!("{key}={}", dir.join(file).display()));
                }
            }
        }
    }
    Ok(sets)
}

/// The attribute in `params` that set the daemon key `key` through `sets`, if one did.
pub fn attribute_for(params: &[Entry], sets: &[String], key: &str) -> Option<&'static str> {
    let set = sets.iter().any(|s| s.starts_with(&format!("{key}=")));
    if !set {
        return None;
    }
    params.iter().find_map(|e| match e.target {
        Target::Setting(k) if k == key => Some(e.param.name),
        Target::Dir(files) if files.iter().any(|(k, _)| *k == key) => Some(e.param.name),
        _ => None,
    })
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

/// Test support: what every agent's table must hold (unique names an attribute can carry,
/// defaults that pass their own checks).
#[cfg(test)]
pub fn assert_sound(params: &[Entry]) {
    let mut seen = std::collections::HashSet::new();
    for e in params {
        let name = e.param.name;
        assert!(seen.insert(name), "{name} twice");
        assert!(
            name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
            "{name}"
        );
        if let Some(d) = e.param.default {
            assert!(e.param.parse(d).is_ok(), "{name}'s default {d:?}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ocf::Kind;

    const PARAMS: &[Entry] = &[
        agent(Param::text("config", "c", "C.").default("/etc/x.toml")),
        setting(
            "monitor.interval",
            Param::text("interval", "i", "I.").kind(Kind::Integer),
        ),
        dir(
            &[("paths.a_socket", "a.sock"), ("paths.b_socket", "b.sock")],
            Param::text("run_dir", "r", "R."),
        ),
    ];

    fn env(vars: &[(&str, &str)]) -> Environment {
        Environment::from_vars(vars.iter().map(|(k, v)| (format!("OCF_RESKEY_{k}"), *v)))
    }

    #[test]
    fn set_attributes_become_words() {
        let sets = overrides(PARAMS, &env(&[("interval", "5"), ("run_dir", "/run/x")])).unwrap();
        assert_eq!(
            sets,
            [
                "monitor.interval=5",
                "paths.a_socket=/run/x/a.sock",
                "paths.b_socket=/run/x/b.sock"
            ]
        );
        assert!(overrides(PARAMS, &env(&[])).unwrap().is_empty());
        let f = overrides(PARAMS, &env(&[("run_dir", "x")])).unwrap_err();
        assert!(f.reason.starts_with("parameter run_dir=\"x\""), "{f}");
    }

    #[test]
    fn keys_lead_back_to_their_attribute() {
        let sets = overrides(PARAMS, &env(&[("interval", "5"), ("run_dir", "/r")])).unwrap();
        assert_eq!(
            attribute_for(PARAMS, &sets, "monitor.interval"),
            Some("interval")
        );
        assert_eq!(
            attribute_for(PARAMS, &sets, "paths.b_socket"),
            Some("run_dir")
        );
        assert_eq!(attribute_for(PARAMS, &[], "monitor.interval"), None);
        assert_eq!(attribute_for(PARAMS, &sets, "paths.other"), None);
        assert_eq!(
            value_of(PARAMS, &env(&[]), "config"),
            Ok(Some(Value::Text("/etc/x.toml".into())))
        );
    }
}
