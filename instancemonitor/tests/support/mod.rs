//! A private libvirtd and a diskless TCG guest for the integration tests.
//!
//! The daemon runs in its own mount and network namespaces (`libvirtd.sh`), its state under a
//! directory of ours; it is killed by PID and its directory removed on drop, also when
//! the test fails. Nothing outside that namespace is touched.

#![allow(dead_code)]

pub mod run;

use std::io::{BufRead, BufReader};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

pub const GUEST: &str = "imon-guest";
pub const GUEST_UUID: &str = "6f1c2a40-0b1d-4e5f-9a3c-112233445566";

/// Whether this machine can run the tests (root, libvirtd, qemu).
pub fn available() -> bool {
    let root = std::fs::read_to_string("/proc/self/status").is_ok_and(|s| {
        s.lines()
            .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"))
    });
    let tools = [
        "/usr/sbin/libvirtd",
        "/usr/bin/virsh",
        "/usr/bin/qemu-system-x86_64",
        "/usr/bin/unshare",
    ];
    root && tools.iter().all(|t| Path::new(t).exists())
}

/// A private libvirtd named `name` with the guest defined and running, or `None` (said on
/// stderr) where the machine cannot run one.
pub fn guest_running(name: &str) -> Option<Libvirt> {
    let libvirt = private_libvirtd(name)?;
    libvirt.define_guest();
    libvirt.virsh(&["start", GUEST]);
    Some(libvirt)
}

/// A private libvirtd named `name`, or `None` (said on stderr) where the machine cannot run one.
pub fn private_libvirtd(name: &str) -> Option<Libvirt> {
    if !available() {
        eprintln!("skipped: needs root, libvirtd, virsh and qemu-system-x86_64");
        return None;
    }
    Some(Libvirt::start(name))
}

pub struct Libvirt {
    pub dir: PathBuf,
    daemon: Option<Child>,
}

impl Libvirt {
    pub fn start(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("imon-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let mut libvirt = Self { dir, daemon: None };
        libvirt.start_daemon();
        libvirt
    }

    pub fn ro_socket(&self) -> PathBuf {
        self.dir.join("sock/libvirt-sock-ro")
    }

    pub fn uri(&self) -> String {
        format!("qemu:///system?socket={}", self.ro_socket().display())
    }

    pub fn start_daemon(&mut self) {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/libvirtd.sh");
        let log = std::fs::File::create(self.dir.join("daemon.out")).unwrap();
        let child = Command::new("sh")
            .arg(script)
            .arg(&self.dir)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        self.daemon = Some(child);
        let deadline = Instant::now() + Duration::from_secs(30);
        while UnixStream::connect(self.dir.join("sock/libvirt-sock")).is_err() {
            assert!(
                Instant::now() < deadline,
                "libvirtd did not come up: {}",
                self.daemon_log()
            );
            if let Some(Some(status)) = self.daemon.as_mut().map(|c| c.try_wait().unwrap()) {
                panic!("libvirtd exited {status}: {}", self.daemon_log());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// SIGTERM, as systemd stops it; guests keep running.
    pub fn stop_daemon(&mut self) {
        if let Some(mut child) = self.daemon.take() {
            kill("-TERM", child.id());
            child.wait().unwrap();
        }
    }

    pub fn daemon_log(&self) -> String {
        let out = std::fs::read_to_string(self.dir.join("daemon.out")).unwrap_or_default();
        let log = std::fs::read_to_string(self.dir.join("varlog/libvirtd.log")).unwrap_or_default();
        format!("{out}\n{log}")
    }

    pub fn virsh(&self, args: &[&str]) -> String {
        let uri = format!(
            "qemu:///system?socket={}",
            self.dir.join("sock/libvirt-sock").display()
        );
        let output = Command::new("virsh")
            .arg("-c")
            .arg(uri)
            .args(args)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "virsh {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// Defines the diskless TCG guest.
    pub fn define_guest(&self) {
        let xml = format!(
            "<domain type='qemu'><name>{GUEST}</name><uuid>{GUEST_UUID}</uuid>\
             <memory unit='MiB'>32</memory><vcpu>1</vcpu>\
             <os><type arch='x86_64' machine='pc'>hvm</type></os><on_crash>destroy</on_crash>\
             <devices><emulator>/usr/bin/qemu-system-x86_64</emulator><memballoon model='none'/></devices>\
             </domain>"
        );
        let path = self.dir.join("guest.xml");
        std::fs::write(&path, xml).unwrap();
        self.virsh(&["define", path.to_str().unwrap()]);
    }

    pub fn qemu_pid(&self) -> Option<u32> {
        let file = self.dir.join(format!("run/libvirt/qemu/{GUEST}.pid"));
        std::fs::read_to_string(file).ok()?.trim().parse().ok()
    }

    /// `kill -9` of the guest's qemu, waiting until it is gone.
    pub fn kill_guest(&self) {
        let pid = self.qemu_pid().expect("the guest runs");
        kill("-KILL", pid);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Path::new(&format!("/proc/{pid}/status")).exists()
            && !std::fs::read_to_string(format!("/proc/{pid}/status"))
                .unwrap_or_default()
                .contains("zombie")
        {
            assert!(Instant::now() < deadline, "qemu {pid} survived kill -9");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Libvirt {
    fn drop(&mut self) {
        let cmdline = |pid| std::fs::read_to_string(format!("/proc/{pid}/cmdline"));
        if let Some(pid) = self.qemu_pid()
            && cmdline(pid).unwrap_or_default().contains("qemu")
        {
            kill("-KILL", pid);
        }
        if let Some(mut child) = self.daemon.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn kill(signal: &str, pid: u32) {
    let _ = Command::new("kill")
        .arg(signal)
        .arg(pid.to_string())
        .status();
}

/// `masakari-instancemonitor events --json` with its output lines as channels.
pub struct Monitor {
    child: Child,
    pub stdout: Receiver<String>,
    pub stderr: Receiver<String>,
}

impl Monitor {
    pub fn events(uri: &str) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_masakari-instancemonitor"))
            .args(["events", "--json", "--uri", uri])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = lines(child.stdout.take().unwrap());
        let stderr = lines(child.stderr.take().unwrap());
        Self {
            child,
            stdout,
            stderr,
        }
    }

    /// Waits for a stderr line containing `text`.
    pub fn wait_note(&self, text: &str, within: Duration) {
        let deadline = Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.stderr.recv_timeout(left) {
                Ok(line) if line.contains(text) => return,
                Ok(_) => {}
                Err(_) => panic!("no {text:?} from the monitor within {within:?}"),
            }
        }
    }

    /// The next notification, as JSON.
    pub fn next_notification(&self, within: Duration) -> Option<serde_json::Value> {
        let line = self.stdout.recv_timeout(within).ok()?;
        Some(serde_json::from_str(&line).unwrap())
    }
}

impl Drop for Monitor {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn lines(pipe: impl std::io::Read + Send + 'static) -> Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}
