//! The environment Pacemaker (or ocf-tester) hands an agent: `OCF_RESKEY_*` parameters, the
//! instance name, `OCF_CHECK_LEVEL`, `HA_RSCTMP` and the operation's meta attributes.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

use super::status::Failure;

/// Where agents keep per-resource runtime files when `HA_RSCTMP` is not set (cleared at boot).
pub const DEFAULT_RSCTMP: &str = "/run/resource-agents";

/// A snapshot of the variables an OCF agent reads. Built from any list so tests need no process env.
#[derive(Debug, Clone, Default)]
pub struct Environment {
    vars: BTreeMap<String, String>,
}

impl Environment {
    /// The current process's OCF and HA variables (`OCF_*`, `HA_*`; the rest of the environment
    /// is not an agent's business, and not copying it is cheaper). Variables that are not UTF-8
    /// are skipped.
    pub fn from_process() -> Self {
        Self::from_vars(std::env::vars_os().filter(|(k, _)| {
            let name = k.as_encoded_bytes();
            name.starts_with(b"OCF_") || name.starts_with(b"HA_")
        }))
    }

    /// An environment made of `vars`.
    pub fn from_vars<K, V>(vars: impl IntoIterator<Item = (K, V)>) -> Self
    where
        K: Into<OsString>,
        V: Into<OsString>,
    {
        let vars = vars
            .into_iter()
            .filter_map(|(k, v)| Some((k.into().into_string().ok()?, v.into().into_string().ok()?)))
            .collect();
        Self { vars }
    }

    /// Any variable, by its full name.
    pub fn var(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str)
    }

    /// The instance attribute `name` (`OCF_RESKEY_<name>`); an empty value counts as unset,
    /// as `pcs resource update ... name=` leaves it.
    pub fn reskey(&self, name: &str) -> Option<&str> {
        self.var(&format!("OCF_RESKEY_{name}"))
            .filter(|v| !v.is_empty())
    }

    /// The resource's name in the cluster (`OCF_RESOURCE_INSTANCE`), or `fallback` when run by hand.
    pub fn instance<'a>(&'a self, fallback: &'a str) -> &'a str {
        self.var("OCF_RESOURCE_INSTANCE")
            .filter(|v| !v.is_empty())
            .unwrap_or(fallback)
    }

    /// The monitor depth asked for (`OCF_CHECK_LEVEL`, 0 when unset).
    pub fn check_level(&self) -> Result<u32, Failure> {
        match self.var("OCF_CHECK_LEVEL").filter(|v| !v.is_empty()) {
            None => Ok(0),
            Some(text) => text.trim().parse().map_err(|_| {
                Failure::new(
                    super::OcfStatus::ErrArgs,
                    format!("OCF_CHECK_LEVEL {text:?} is not a number"),
                )
            }),
        }
    }

    /// The directory for per-resource runtime files (`HA_RSCTMP`).
    pub fn rsctmp(&self) -> PathBuf {
        PathBuf::from(
            self.var("HA_RSCTMP")
                .filter(|v| !v.is_empty())
                .unwrap_or(DEFAULT_RSCTMP),
        )
    }

    /// The operation's timeout (`OCF_RESKEY_CRM_meta_timeout`, milliseconds), if Pacemaker gave one.
    pub fn op_timeout(&self) -> Option<Duration> {
        let ms: u64 = self.reskey("CRM_meta_timeout")?.trim().parse().ok()?;
        (ms > 0).then(|| Duration::from_millis(ms))
    }

    /// Whether this monitor is a probe (no recurring interval): "is it running here?" before anything.
    pub fn is_probe(&self) -> bool {
        self.reskey("CRM_meta_interval")
            .is_none_or(|v| v.trim() == "0")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)]) -> Environment {
        Environment::from_vars(vars.iter().map(|(k, v)| (*k, *v)))
    }

    #[test]
    fn reskeys_and_empty_values() {
        let e = env(&[("OCF_RESKEY_config", "/x"), ("OCF_RESKEY_empty", "")]);
        assert_eq!(e.reskey("config"), Some("/x"));
        assert_eq!(e.reskey("empty"), None);
        assert_eq!(e.reskey("missing"), None);
    }

    #[test]
    fn instance_falls_back() {
        assert_eq!(env(&[]).instance("hostmonitor"), "hostmonitor");
        let e = env(&[("OCF_RESOURCE_INSTANCE", "hm:1")]);
        assert_eq!(e.instance("hostmonitor"), "hm:1");
    }

    #[test]
    fn check_level() {
        assert_eq!(env(&[]).check_level(), Ok(0));
        assert_eq!(env(&[("OCF_CHECK_LEVEL", "20")]).check_level(), Ok(20));
        let bad = env(&[("OCF_CHECK_LEVEL", "deep")])
            .check_level()
            .unwrap_err();
        assert_eq!(bad.status, crate::ocf::OcfStatus::ErrArgs);
    }

    #[test]
    fn timeouts_probes_and_rsctmp() {
        let e = env(&[
            ("OCF_RESKEY_CRM_meta_timeout", "20000"),
            ("OCF_RESKEY_CRM_meta_interval", "10000"),
        ]);
        assert_eq!(e.op_timeout(), Some(Duration::from_secs(20)));
        assert!(!e.is_probe());
        assert!(env(&[("OCF_RESKEY_CRM_meta_interval", "0")]).is_probe());
        assert!(env(&[]).is_probe());
        assert_eq!(env(&[]).rsctmp(), PathBuf::from(DEFAULT_RSCTMP));
        assert_eq!(
            env(&[("HA_RSCTMP", "/tmp/r")]).rsctmp(),
            PathBuf::from("/tmp/r")
        );
    }
}
