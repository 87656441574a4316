//! Test support: our binary run with arguments and stdin; an OpenIPMI `ipmi_sim` BMC on
//! 127.0.0.1 with a power state file, killed by PID (and its directory removed) when dropped,
//! even if the test fails. Each test file uses part of it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    dead_code
)] // test harness: failing loudly is the point

use std::io::Write;
use std::net::UdpSocket;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The agent binary cargo built for these tests.
pub const OURS: &str = env!("CARGO_BIN_EXE_fence_ipmilan_rs");
pub const IPMI_SIM: &str = "/usr/bin/ipmi_sim";
pub const FENCE_IPMILAN: &str = "/usr/sbin/fence_ipmilan";

/// A fresh, empty directory for test `tag` of this process.
pub fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("fence-agent-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A running ipmi_sim.
pub struct Sim {
    child: Child,
    pub dir: PathBuf,
    pub port: u16,
}

/// Whether the real peers are installed. Missing, they fail the test (`make deps` installs them, so
/// `make test` must not hide a broken install by skipping) unless `MASAKARI_PCMK_MAY_SKIP` is set.
pub fn peers_installed() -> bool {
    let ok = Path::new(IPMI_SIM).exists() && Path::new(FENCE_IPMILAN).exists();
    if !ok {
        assert!(
            std::env::var_os("MASAKARI_PCMK_MAY_SKIP").is_some(),
            "{IPMI_SIM} or {FENCE_IPMILAN} not installed (make deps; MASAKARI_PCMK_MAY_SKIP=1 skips)"
        );
        eprintln!("SKIPPED: {IPMI_SIM} or {FENCE_IPMILAN} not installed");
    }
    ok
}

/// Runs an agent with `args` and `stdin` (`PCMK_service` unset: not as Pacemaker's fencer).
#[allow(dead_code)] // compat.rs runs the agents its own way, session_sim.rs not at all
pub fn run_agent(program: &str, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(program)
        .args(args)
        .env_remove("PCMK_service")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// A UDP port that was free a moment ago.
pub fn free_udp_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

const CHASSIS: &str = r#"#!/bin/sh
dir=$1; shift
case "$1 $2" in
 "get power") printf 'power:%s\n' "$(cat "$dir/power" 2>/dev/null || echo 1)";;
 "set power") echo "$3" > "$dir/power";;
esac
"#;

const EMU: &str = "mc_setbmc 0x20
mc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02 persist_sdr
sel_enable 0x20 1000 0x0a
mc_enable 0x20
";

impl Sim {
    /// Starts ipmi_sim with users admin/password (admin) and oper/operpass (operator).
    pub fn start(tag: &str) -> Sim {
        let dir = temp_dir(tag);
        std::fs::create_dir_all(dir.join("state")).unwrap();
        let port = free_udp_port();
        let script = dir.join("chassis.sh");
        std::fs::write(&script, CHASSIS).unwrap();
        Command::new("chmod")
            .arg("+x")
            .arg(&script)
            .status()
            .unwrap();
        let auths = "none md2 md5 straight";
        let lan = format!(
            "name \"test\"\nset_working_mc 0x20\n  startlan 1\n    addr 127.0.0.1 {port}\n    priv_limit admin\n\
             allowed_auths_callback {auths}\nallowed_auths_user {auths}\nallowed_auths_operator {auths}\n\
             allowed_auths_admin {auths}\n    guid a123456789abcdefa123456789abcdef\n  endlan\n\
             chassis_control \"{} {}\"\n\
             user 2 true \"admin\" \"password\" admin 10 {auths}\n\
             user 3 true \"oper\" \"operpass\" operator 10 {auths}\n",
            script.display(),
            dir.display()
        );
        std::fs::write(dir.join("lan.conf"), lan).unwrap();
        std::fs::write(dir.join("emu.cmd"), EMU).unwrap();
        let log = std::fs::File::create(dir.join("sim.log")).unwrap();
        let child = Command::new(IPMI_SIM)
            .arg("-c")
            .arg(dir.join("lan.conf"))
            .arg("-f")
            .arg(dir.join("emu.cmd"))
            .arg("-s")
            .arg(dir.join("state"))
            .arg("-n")
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        let sim = Sim { child, dir, port };
        sim.set_power(true);
        sim.wait_ready();
        sim
    }

    /// Sets the chassis power state the BMC will report.
    pub fn set_power(&self, on: bool) {
        std::fs::write(self.dir.join("power"), if on { "1\n" } else { "0\n" }).unwrap();
    }

    /// The power state last set by the BMC (or us).
    pub fn power(&self) -> bool {
        std::fs::read_to_string(self.dir.join("power"))
            .unwrap()
            .trim()
            == "1"
    }

    fn wait_ready(&self) {
        let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
        sock.set_read_timeout(Some(Duration::from_millis(100)))
            .unwrap();
        // Get Channel Authentication Capabilities, IPMI 1.5 framing, no session.
        let ping = [
            6, 0, 0xff, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9, 0x20, 0x18, 0xc8, 0x81, 0x04, 0x38, 0x0e,
            0x04, 0x31,
        ];
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut buf = [0u8; 256];
        while Instant::now() < deadline {
            let _ = sock.send_to(&ping, ("127.0.0.1", self.port));
            if sock.recv(&mut buf).is_ok() {
                return;
            }
        }
        panic!(
            "ipmi_sim did not answer on port {} (see {})",
            self.port,
            self.dir.join("sim.log").display()
        );
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
