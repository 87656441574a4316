//! The programs the lab runs that are not on PATH: unpacked pacemaker-remoted and the Masakari venv.

use std::path::PathBuf;

use crate::error::{LabError, Result};

/// Where `tests/lab/setup/install-deps.sh` puts them unless `MASAKARI_LAB_CACHE` says otherwise.
pub const DEFAULT_CACHE: &str = "/var/cache/masakari-pcmk-lab";

/// Paths of the lab's external tools.
#[derive(Debug, Clone)]
pub struct Tools {
    cache: PathBuf,
}

impl Tools {
    /// The tools installed by install-deps.sh, checked to be there.
    pub fn installed() -> Result<Self> {
        let cache = std::env::var_os("MASAKARI_LAB_CACHE")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(DEFAULT_CACHE));
        let tools = Self { cache };
        let needed = [tools.pacemaker_remoted(), tools.venv_bin("masakari-api")];
        if let Some(missing) = needed.iter().find(|p| !p.exists()) {
            return Err(LabError::Usage(format!(
                "{} is missing: run tests/lab/setup/install-deps.sh (make deps)",
                missing.display()
            )));
        }
        Ok(tools)
    }

    /// pacemaker-remoted, unpacked from Debian's pacemaker-remote package.
    pub fn pacemaker_remoted(&self) -> PathBuf {
        self.cache
            .join("pacemaker-remote/usr/sbin/pacemaker-remoted")
    }

    /// A program of the Python venv holding masakari and masakari-monitors.
    pub fn venv_bin(&self, name: &str) -> PathBuf {
        self.cache.join("venv/bin").join(name)
    }

    /// A file of the venv's masakari package data (e.g. `etc/masakari/api-paste.ini`).
    pub fn venv_file(&self, relative: &str) -> PathBuf {
        self.cache.join("venv").join(relative)
    }
}
