//! Runs a built agent against its real daemon (`masakari-hostmonitor`, `masakari-instancemonitor`)
//! in a private temporary directory.

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

/// The host monitor agent cargo built for these tests.
pub const AGENT: &str = env!("CARGO_BIN_EXE_ocf-hostmonitor");
/// The instance monitor agent cargo built for these tests.
pub const INSTANCE_AGENT: &str = env!("CARGO_BIN_EXE_ocf-instancemonitor");

/// A configuration every daemon reads: a Masakari endpoint where nothing listens, no metrics.
const MASAKARI: &str = "[masakari]\nendpoint = \"http://127.0.0.1:9/v1\"\nrequest_timeout = 1\n[metrics]\nlisten = \"\"\n";

/// An agent under test and its daemon.
pub struct Subject {
    /// The agent binary.
    pub agent: &'static str,
    /// The daemon's program name, built beside the agent.
    pub daemon: &'static str,
    /// The resource instance name.
    pub instance: &'static str,
    /// The daemon's configuration in the sandbox directory `dir`, and the file's name.
    pub config: fn(dir: &Path) -> (String, &'static str),
}

/// `ocf:masakari:hostmonitor` and `masakari-hostmonitor`.
pub const HOSTMONITOR: Subject = Subject {
    agent: AGENT,
    daemon: "masakari-hostmonitor",
    instance: "hm",
    config: |_| (MASAKARI.into(), "hostmonitor.toml"),
};

/// `ocf:masakari:instancemonitor` and `masakari-instancemonitor`, watching a libvirt socket in
/// the sandbox where nothing listens (the daemon runs without libvirt; no host libvirtd is used).
pub const INSTANCEMONITOR: Subject = Subject {
    agent: INSTANCE_AGENT,
    daemon: "masakari-instancemonitor",
    instance: "im",
    config: |dir| {
        let uri = format!(
            "[libvirt]\nuri = \"qemu+unix:///system?socket={}\"\n",
            dir.join("no-libvirt.sock").display()
        );
        (format!("{MASAKARI}{uri}"), "instancemonitor.toml")
    },
};

impl Subject {
    /// The real daemon, built beside the agent (`cargo build --workspace --bins`).
    pub fn daemon_binary(&self) -> PathBuf {
        let path = Path::new(self.agent).with_file_name(self.daemon);
        assert!(
            path.exists(),
            "{} is missing: build it with `cargo build --workspace --bins`",
            path.display()
        );
        path
    }
}

/// A scratch directory with a daemon configuration whose sockets, state and logs stay inside it,
/// and a Masakari endpoint where nothing listens. Dropping it stops the daemon and removes it all.
pub struct Sandbox {
    pub subject: &'static Subject,
    pub dir: PathBuf,
    pub config: PathBuf,
    pub vars: Vec<(String, String)>,
}

impl Sandbox {
    /// A sandbox of the host monitor agent.
    pub fn new() -> Self {
        Self::of(&HOSTMONITOR)
    }

    /// A sandbox of `subject`.
    pub fn of(subject: &'static Subject) -> Self {
        static COUNT: AtomicU32 = AtomicU32::new(0);
        let n = COUNT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("ocf-agent-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let (text, name) = (subject.config)(&dir);
        let config = dir.join(name);
        std::fs::write(&config, text).unwrap();
        let d = dir.display();
        let vars = vec![
            ("OCF_ROOT".into(), "/usr/lib/ocf".into()),
            ("OCF_RESOURCE_INSTANCE".into(), subject.instance.into()),
            ("HA_RSCTMP".into(), format!("{d}/rsctmp")),
            ("HA_LOGFILE".into(), format!("{d}/agent.log")),
            ("OCF_RESKEY_config".into(), config.display().to_string()),
            (
                "OCF_RESKEY_binary".into(),
                subject.daemon_binary().display().to_string(),
            ),
            ("OCF_RESKEY_state_dir".into(), format!("{d}/state")),
            ("OCF_RESKEY_run_dir".into(), format!("{d}/run")),
            ("OCF_RESKEY_log_file".into(), format!("{d}/daemon.log")),
        ];
        Self {
            subject,
            dir,
            config,
            vars,
        }
    }

    /// Sets (or replaces) a variable of every later call.
    pub fn set(&mut self, key: &str, value: &str) {
        self.vars.retain(|(k, _)| k != key);
        self.vars.push((key.into(), value.into()));
    }

    /// `agent ACTION` with the sandbox's variables plus `extra`.
    pub fn run(&self, action: &str, extra: &[(&str, &str)]) -> Output {
        let mut cmd = Command::new(self.subject.agent);
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

    /// The daemon's PID file (the agent's, in `HA_RSCTMP`).
    pub fn pid_file(&self) -> PathBuf {
        self.dir.join(format!(
            "rsctmp/{}-{}.pid",
            self.subject.daemon, self.subject.instance
        ))
    }

    /// The running daemon's PID, from the agent's PID file.
    pub fn pid(&self) -> String {
        let text = std::fs::read_to_string(self.pid_file()).unwrap();
        text.lines().next().unwrap().to_owned()
    }

    /// `ocf-tester` on the agent with the sandbox's attributes; its output when it passed.
    pub fn ocf_tester(&self) -> String {
        let out = Command::new("ocf-tester")
            .args(["-n", self.subject.instance])
            .args(self.tester_options())
            .arg(self.subject.agent)
            .env("HA_RSCTMP", self.dir.join("rsctmp"))
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(out.status.success(), "{text}{}", stderr(&out));
        text
    }

    /// Asserts that each `(variable, value, exit code, exit reason start)` makes `validate-all`
    /// and `start` fail with that code and reason, and that nothing was started.
    pub fn assert_refused(&self, cases: &[(&str, &str, i32, &str)]) {
        for (key, value, code, reason) in cases {
            for action in ["validate-all", "start"] {
                let out = self.run(action, &[(key, value)]);
                assert_eq!(
                    out.status.code(),
                    Some(*code),
                    "{action} {key}={value}: {}",
                    stderr(&out)
                );
                assert!(
                    stderr(&out).contains(&format!("ocf-exit-reason:{reason}")),
                    "{}",
                    stderr(&out)
                );
            }
        }
        assert_eq!(self.code("monitor", &[]), 7, "nothing was started");
    }

    /// SIGKILLs the running daemon and waits until monitor reports it not running.
    pub fn kill_daemon(&self) {
        Command::new("kill")
            .args(["-KILL", &self.pid()])
            .status()
            .unwrap();
        assert!(
            self.monitor_until(7, &[]).is_some(),
            "monitor never saw the daemon gone"
        );
    }

    /// Waits (up to 10 s) until a monitor of the sandbox's daemon exits with `code`.
    pub fn monitor_until(&self, code: i32, extra: &[(&str, &str)]) -> Option<Output> {
        (0..100).find_map(|_| {
            std::thread::sleep(std::time::Duration::from_millis(100));
            let out = self.run("monitor", extra);
            (out.status.code() == Some(code)).then_some(out)
        })
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
