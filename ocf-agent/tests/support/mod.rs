//! Runs the built agent against the real `masakari-hostmonitor` in a private temporary directory.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    dead_code
)] // test harness: failing loudly is the point

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};

/// The agent binary cargo built for these tests.
pub const AGENT: &str = env!("CARGO_BIN_EXE_ocf-hostmonitor");

/// The real daemon, built beside the agent (`cargo build --workspace --bins`).
pub fn daemon_binary() -> PathBuf {
    let path = Path::new(AGENT).with_file_name("masakari-hostmonitor");
    assert!(
        path.exists(),
        "{} is missing: build it with `cargo build -p hostmonitor --bins`",
        path.display()
    );
    path
}

/// A scratch directory with a daemon configuration whose sockets, state and logs stay inside it,
/// and a Masakari endpoint where nothing listens. Dropping it stops the daemon and removes it all.
pub struct Sandbox {
    pub dir: PathBuf,
    pub vars: Vec<(String, String)>,
}

impl Sandbox {
    pub fn new() -> Self {
        static COUNT: AtomicU32 = AtomicU32::new(0);
        let n = COUNT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("ocf-agent-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let config = dir.join("hostmonitor.toml");
        std::fs::write(
            &config,
            "[masakari]\nendpoint = \"http://127.0.0.1:9/v1\"\nrequest_timeout = 1\n[metrics]\nlisten = \"\"\n",
        )
        .unwrap();
        let d = dir.display();
        let vars = vec![
            ("OCF_ROOT".into(), "/usr/lib/ocf".into()),
            ("OCF_RESOURCE_INSTANCE".into(), "hm".into()),
            ("HA_RSCTMP".into(), format!("{d}/rsctmp")),
            ("HA_LOGFILE".into(), format!("{d}/agent.log")),
            ("OCF_RESKEY_config".into(), config.display().to_string()),
            (
                "OCF_RESKEY_binary".into(),
                daemon_binary().display().to_string(),
            ),
            ("OCF_RESKEY_state_dir".into(), format!("{d}/state")),
            ("OCF_RESKEY_run_dir".into(), format!("{d}/run")),
            ("OCF_RESKEY_log_file".into(), format!("{d}/daemon.log")),
        ];
        Self { dir, vars }
    }

    /// Sets (or replaces) a variable of every later call.
    pub fn set(&mut self, key: &str, value: &str) {
        self.vars.retain(|(k, _)| k != key);
        self.vars.push((key.into(), value.into()));
    }

    /// `agent ACTION` with the sandbox's variables plus `extra`.
    pub fn run(&self, action: &str, extra: &[(&str, &str)]) -> Output {
        let mut cmd = Command::new(AGENT);
        cmd.arg(action);
        for (k, v) in &self.vars {
            cmd.env(k, v);
        }
        for (k, v) in extra {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    }

    /// The exit code of `agent ACTION`.
    pub fn code(&self, action: &str, extra: &[(&str, &str)]) -> i32 {
        self.run(action, extra).status.code().unwrap_or(-1)
    }

    /// `-o name=value` words for ocf-tester (every OCF_RESKEY_ variable).
    pub fn tester_options(&self) -> Vec<String> {
        let mut args = Vec::new();
        for (k, v) in &self.vars {
            if let Some(name) = k.strip_prefix("OCF_RESKEY_") {
                args.push("-o".into());
                args.push(format!("{name}={v}"));
            }
        }
        args
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.run("stop", &[]);
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// stderr as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}
