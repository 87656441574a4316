//! Our binaries as the nodes see them: `make install-files` into a staging tree, which the lab lays over
//! each node's /usr (see [`crate::node`]), so the host's own /usr is never touched.
//!
//! Tests stage the build they were compiled in ([`Profile::Running`], debug under `cargo test`); the
//! demo and some lab tests stage the release build ([`Profile::Release`]), which is what operators
//! install (`make build`).

use std::path::{Path, PathBuf};

use crate::cmd::{command, run};
use crate::error::{LabError, Result, file_error};

/// Which build of the workspace a stage holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// The binaries beside the running executable (`target/debug` for tests).
    Running,
    /// `target/release`, as `make build` leaves it.
    Release,
}

/// A staging tree that removes itself when dropped.
#[derive(Debug)]
pub struct Stage {
    root: PathBuf,
}

impl Stage {
    /// Installs the binaries of the running build into a new tree under /var/tmp named after `name`.
    pub fn install(name: &str) -> Result<Self> {
        Self::install_profile(name, Profile::Running)
    }

    /// Installs the binaries of `profile` into a new tree under /var/tmp named after `name`.
    pub fn install_profile(name: &str, profile: Profile) -> Result<Self> {
        let build_dir = profile_dir(profile)?;
        let root = root(name);
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).map_err(file_error(&root))?;
        let stage = Self { root };
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut make = command("make", ["-s", "-C"]);
        make.arg(&workspace)
            .arg("install-files")
            .arg(format!("BUILD_DIR={}", build_dir.display()))
            .arg(format!("DESTDIR={}", stage.root.display()));
        run(&mut make)?;
        Ok(stage)
    }

    /// The tree's root (what `--stage` takes).
    pub fn root(&self) -> &Path {
        &self.root
    }
}

impl Drop for Stage {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// The directory holding the workspace's binaries of the running build.
pub fn build_dir() -> Result<PathBuf> {
    let exe = std::env::current_exe().map_err(file_error("/proc/self/exe"))?;
    let dir = exe
        .parent()
        .ok_or_else(|| LabError::Usage(format!("{} has no directory", exe.display())))?;
    // Test executables live one level down, in deps/.
    let dir = if dir.ends_with("deps") {
        dir.parent().unwrap_or(dir)
    } else {
        dir
    };
    Ok(dir.to_owned())
}

/// The directory holding the binaries of `profile`; for the release build, checked to hold the daemon,
/// since a stale or missing release build would otherwise stage silently or fail inside `make`.
pub fn profile_dir(profile: Profile) -> Result<PathBuf> {
    let running = build_dir()?;
    if profile == Profile::Running {
        return Ok(running);
    }
    let release = running
        .parent()
        .map(|target| target.join("release"))
        .ok_or_else(|| LabError::Usage(format!("{} has no target directory", running.display())))?;
    if release.join("masakari-hostmonitor").exists() {
        Ok(release)
    } else {
        Err(LabError::Usage(format!(
            "no release build in {}: run make build (or cargo build --release --workspace --bins)",
            release.display()
        )))
    }
}

/// Where the stage of the lab `name` is installed.
pub(crate) fn root(name: &str) -> PathBuf {
    PathBuf::from(format!("/var/tmp/masakari-lab-stage-{name}"))
}
