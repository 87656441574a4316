//! `masakari-instancemonitor run` as a child process, and masakari-client's fake API for it to
//! deliver to (the real API is the lab's).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::Receiver;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use instancemonitor::control::StatusAnswer;
use instancemonitor::control::client;
use masakari_client::fake::{Fake, Reply, Seen};

/// The fake Masakari API (noauth2) on a thread of its own; it answers 202 to every POST.
pub struct Api {
    seen: Option<Arc<Mutex<Vec<Seen>>>>,
    /// `127.0.0.1:port`.
    pub address: String,
}

impl Api {
    /// An address where no API answers yet (connections are refused).
    pub fn down() -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap().to_string();
        drop(listener);
        Self {
            seen: None,
            address,
        }
    }

    /// An API answering at once.
    pub fn up() -> Self {
        let mut api = Self::down();
        api.come_back();
        api
    }

    /// Starts answering at the address: 202 to each notification, and one segment holding
    /// `compute-1` to `check`'s questions.
    pub fn come_back(&mut self) {
        let (tx, rx) = std::sync::mpsc::channel();
        let address = self.address.clone();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                let handler = |r: &Seen| match r.path.as_str() {
                    "/v1/segments" => {
                        Reply::new(200, r#"{"segments": [{"uuid": "s1", "name": "seg"}]}"#)
                    }
                    "/v1/segments/s1/hosts" => {
                        Reply::new(200, r#"{"hosts": [{"name": "compute-1"}]}"#)
                    }
                    _ => Reply::new(202, r#"{"notification": {}}"#),
                };
                let fake = Fake::start_at(&address, handler).await;
                tx.send(fake.seen).unwrap();
                std::future::pending::<()>().await;
            });
        });
        self.seen = Some(rx.recv().unwrap());
    }

    /// The endpoint, with `/v1`.
    pub fn endpoint(&self) -> String {
        format!("http://{}/v1", self.address)
    }

    /// The notifications POSTed so far, as JSON bodies.
    pub fn notifications(&self) -> Vec<serde_json::Value> {
        let seen = self
            .seen
            .as_ref()
            .map(|s| s.lock().unwrap().clone())
            .unwrap_or_default();
        seen.iter()
            .filter(|r| r.method == "POST" && r.path == "/v1/notifications")
            .map(|r| serde_json::from_str(&r.body).unwrap())
            .collect()
    }

    /// Waits until `n` notifications were posted.
    pub fn wait_for(&self, n: usize, within: Duration) -> Vec<serde_json::Value> {
        let deadline = Instant::now() + within;
        loop {
            let got = self.notifications();
            if got.len() >= n || Instant::now() >= deadline {
                return got;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// A running `masakari-instancemonitor run`, killed (SIGKILL, by PID) on drop.
pub struct Daemon {
    child: Child,
    /// Its stderr (the log), line by line.
    pub log: Receiver<String>,
    /// Its control socket.
    pub socket: PathBuf,
    /// Its configuration file.
    pub config: PathBuf,
}

/// Writes the monitor's configuration into `dir`: libvirt at `uri`, the API at `endpoint`,
/// retries after 1 s, metrics at `metrics` ("" for none).
pub fn config(dir: &Path, uri: &str, endpoint: &str, metrics: &str) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let text = format!(
        "[libvirt]\nuri = \"{uri}\"\n[monitor]\nhostname = \"compute-1\"\nretry_interval = 1\n\
         retry_max_interval = 1\n[paths]\nstate_file = \"{}\"\ncontrol_socket = \"{}\"\n\
         [metrics]\nlisten = \"{metrics}\"\n[masakari]\nendpoint = \"{endpoint}\"\n",
        dir.join("state/instancemonitor.json").display(),
        dir.join("control.sock").display(),
    );
    let path = dir.join("instancemonitor.toml");
    std::fs::write(&path, text).unwrap();
    path
}

impl Daemon {
    /// Starts `run --config config`, and waits until it is connected to libvirt.
    pub fn start(config: &Path) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_masakari-instancemonitor"))
            .arg("run")
            .arg("--config")
            .arg(config)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let log = super::lines(child.stderr.take().unwrap());
        let socket = config.with_file_name("control.sock");
        let daemon = Self {
            child,
            log,
            socket,
            config: config.to_owned(),
        };
        daemon.wait_until("connected to libvirt", |s| s.libvirt.connected);
        daemon
    }

    /// The status, once the daemon answers.
    pub fn status(&self) -> Option<StatusAnswer> {
        client::status(&self.socket, Duration::from_secs(5)).ok()
    }

    /// Waits until the status says `what` (`done`), or panics with the log.
    pub fn wait_until(&self, what: &str, done: impl Fn(&StatusAnswer) -> bool) -> StatusAnswer {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.status().filter(|s| done(s)) {
                return status;
            }
            let log: Vec<String> = self.log.try_iter().collect();
            assert!(
                Instant::now() < deadline,
                "the monitor never got {what}: {}",
                log.join("\n")
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// SIGKILL, as an OOM kill or a power cut would end it; waits until it is gone.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// `masakari-instancemonitor ARGS --config <its file>`.
    pub fn cli(&self, args: &[&str]) -> std::process::Output {
        Command::new(env!("CARGO_BIN_EXE_masakari-instancemonitor"))
            .args(args)
            .arg("--config")
            .arg(&self.config)
            .output()
            .unwrap()
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
