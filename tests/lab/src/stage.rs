//! Our binaries as the nodes see them: `make install-files` into a staging tree, which the lab lays over
//! each node's /usr (see [`crate::node`]), so the host's own /usr is never touched.

use std::path::{Path, PathBuf};

use crate::cmd::{command, run};
use crate::error::{LabError, Result, file_error};

/// A staging tree that removes itself when dropped.
#[derive(Debug)]
pub struct Stage {
    root: PathBuf,
}

impl Stage {
    /// Installs the binaries built beside the running executable (`target/debug` for tests) into a new
    /// tree under /var/tmp named after `name`.
    pub fn install(name: &str) -> Result<Self> {
        let root = PathBuf::from(format!("/var/tmp/masakari-lab-stage-{name}"));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).map_err(file_error(&root))?;
        let stage = Self { root };
        let build_dir = build_dir()?;
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
