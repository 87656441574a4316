//! One Redfish BMC: a `sushy-emulator --fake` process (PyPI `sushy-tools`, in the lab venv) with its
//! own directory, serving HTTPS with a certificate of the lab's CA ([`crate::tls::Ca`]) and basic
//! auth from an htpasswd file with a bcrypt entry.
//!
//! ```text
//!   SushySpec ──start──▶ DIR/sushy.conf (Python: fake systems, listen address, TLS, auth file)
//!                        DIR/htpasswd   (user:$2b$..., made by the venv's bcrypt, password from a file)
//!                        DIR/state/     (the fake driver's SQLite state: power survives a restart)
//!                        DIR/curl.auth  (the lab's own requests: curl -K, so no password in argv)
//!             ip netns exec NS sushy-emulator --fake --config DIR/sushy.conf  (PID kept; killed on drop)
//! ```
//!
//! The fake driver applies a power change 1-11 s (random) after the reset request, and only when a
//! request reads the system: with [`FakeSystem::external_notifier`] set, that read is when the
//! emulator PUTs the system's new state (JSON, `power_state`) to [`SushySpec::notification_url`],
//! before it answers. The emulator has no SessionService: clients use basic auth.
//!
//! Nothing of a lab is needed: the compatibility tests run one on loopback with a CA of their own;
//! the lab runs one per compute in that compute's BMC namespace.

use std::net::{IpAddr, Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use nix::sys::signal::{Signal, kill};
use nix::sys::wait::waitpid;
use nix::unistd::Pid;

use crate::cmd::{command, output, spawn_detached};
use crate::error::{LabError, Result};
use crate::files::{self, Owner};
use crate::tls::Issued;
use crate::tools::Tools;
use crate::wait::poll_until;

/// How long the emulator may take to answer after it was started.
const START_TIMEOUT: Duration = Duration::from_secs(30);
/// bcrypt's cost for the htpasswd entry: the emulator checks it on every request, and the lowest
/// cost keeps that check out of the agents' timings.
const BCRYPT_ROUNDS: u32 = 4;

/// A system of the fake driver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeSystem {
    /// Its UUID: the last segment of its URI under `/redfish/v1/Systems/`.
    pub uuid: String,
    /// Its name.
    pub name: String,
    /// Its power at the emulator's first start (later starts keep the stored state).
    pub power_on: bool,
    /// Whether its state changes are PUT to [`SushySpec::notification_url`].
    pub external_notifier: bool,
}

impl FakeSystem {
    /// A system named `name`, with a UUID derived from the name (the same on every run).
    pub fn new(name: &str, power_on: bool) -> Self {
        Self {
            uuid: uuid_of(name),
            name: name.to_owned(),
            power_on,
            external_notifier: false,
        }
    }

    /// Its path on the emulator, as `systems_uri` names it.
    pub fn uri(&self) -> String {
        format!("/redfish/v1/Systems/{}", self.uuid)
    }
}

/// What one emulator serves, and where.
#[derive(Debug, Clone)]
pub struct SushySpec {
    /// Its own directory (configuration, htpasswd, state, log); created when missing.
    pub dir: PathBuf,
    /// The network namespace it runs in (`None`: the caller's).
    pub netns: Option<String>,
    /// The address it listens on.
    pub address: IpAddr,
    /// The port it listens on.
    pub port: u16,
    /// Its certificate and key (for [`SushySpec::address`]).
    pub tls: Issued,
    /// The CA clients verify it with (the lab's own requests use it).
    pub ca: PathBuf,
    /// The one user of its htpasswd file.
    pub username: String,
    /// That user's password (kept in root-only files, never in argv).
    pub password: String,
    /// Its systems (at least one).
    pub systems: Vec<FakeSystem>,
    /// Where state changes of systems with [`FakeSystem::external_notifier`] are PUT.
    pub notification_url: Option<String>,
}

/// A running emulator; killed (by PID) when dropped, unless detached or only a client.
#[derive(Debug)]
pub struct Sushy {
    spec: SushySpec,
    pid: u32,
    owned: bool,
}

impl Sushy {
    /// Writes its files, starts it and waits until it answers HTTPS.
    pub fn start(tools: &Tools, spec: SushySpec) -> Result<Self> {
        if spec.systems.is_empty() {
            return Err(LabError::Usage("a sushy-emulator needs a system".into()));
        }
        files::dir(&spec.dir, Owner::Root, 0o700)?;
        files::dir(&spec.dir.join("state"), Owner::Root, 0o700)?;
        write_auth(tools, &spec)?;
        files::write(
            &config_file(&spec.dir),
            config(&spec).as_bytes(),
            Owner::Root,
            0o600,
        )?;
        let mut cmd = in_netns(&spec, &tools.venv_bin("sushy-emulator").to_string_lossy());
        cmd.args(["--fake", "--config"]).arg(config_file(&spec.dir));
        let pid = spawn_detached(&mut cmd, &log_file(&spec.dir))?;
        let sushy = Self {
            spec,
            pid,
            owned: true,
        };
        sushy.wait_answering()?;
        Ok(sushy)
    }

    /// A handle on an emulator started earlier, maybe by another process (a lab's BMC outlives the
    /// command that started it), for its requests; dropping it leaves the emulator running.
    pub fn client(spec: SushySpec) -> Self {
        Self {
            spec,
            pid: 0,
            owned: false,
        }
    }

    /// Leaves the emulator running when this value is dropped (a lab kills it by PID, with the
    /// lab's namespaces).
    pub fn detach(mut self) {
        self.owned = false;
    }

    /// Its PID (0 for a [`Sushy::client`]).
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// What it was started with.
    pub fn spec(&self) -> &SushySpec {
        &self.spec
    }

    /// Its base URL (`https://ADDRESS:PORT`).
    pub fn url(&self) -> String {
        url(&self.spec)
    }

    /// Its log (stdout and stderr: one line per request).
    pub fn log(&self) -> PathBuf {
        log_file(&self.spec.dir)
    }

    /// The system's `PowerState` as the emulator reports it now (`On`, `Off`, ...).
    pub fn power_state(&self, system: &FakeSystem) -> Result<String> {
        let text = self.get(&system.uri())?;
        let value: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| self.answer(format!("{e}: {text}")))?;
        value
            .get("PowerState")
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| self.answer(format!("no PowerState in {text}")))
    }

    /// Waits until the system's `PowerState` is `want` (the fake driver takes up to 11 s).
    pub fn wait_power_state(&self, system: &FakeSystem, want: &str) -> Result<()> {
        let what = format!("{} to report PowerState {want}", system.name);
        poll_until(&what, Duration::from_secs(20), || {
            Ok((self.power_state(system)? == want).then_some(()))
        })
    }

    /// Asks for a `ComputerSystem.Reset` of `reset_type` (e.g. `On`, `ForceOff`); the change lands
    /// later (see [`Sushy::wait_power_state`]).
    pub fn reset(&self, system: &FakeSystem, reset_type: &str) -> Result<()> {
        let body = serde_json::json!({ "ResetType": reset_type }).to_string();
        let path = format!("{}/Actions/ComputerSystem.Reset", system.uri());
        let mut curl = self.curl(&path);
        curl.args([
            "-X",
            "POST",
            "-H",
            "Content-Type: application/json",
            "--data",
        ]);
        curl.arg(body);
        output(&mut curl).map(drop)
    }

    /// Sets the system's power to `on` and waits until the emulator reports it.
    pub fn set_power(&self, system: &FakeSystem, on: bool) -> Result<()> {
        let (reset, want) = if on {
            ("On", "On")
        } else {
            ("ForceOff", "Off")
        };
        if self.power_state(system)? != want {
            self.reset(system, reset)?;
        }
        self.wait_power_state(system, want)
    }

    /// GETs `path` with the emulator's user; the body.
    pub fn get(&self, path: &str) -> Result<String> {
        output(&mut self.curl(path))
    }

    fn curl(&self, path: &str) -> Command {
        let mut curl = in_netns(&self.spec, "curl");
        curl.args(["-sS", "--fail", "--max-time", "10", "--cacert"]);
        curl.arg(&self.spec.ca)
            .arg("-K")
            .arg(curl_auth_file(&self.spec.dir));
        curl.arg(format!("{}{path}", self.url()));
        curl
    }

    fn wait_answering(&self) -> Result<()> {
        poll_until("sushy-emulator to answer", START_TIMEOUT, || {
            if !alive(self.pid) {
                return Err(self.answer(format!("exited at start; see {}", self.log().display())));
            }
            Ok(answers(&self.spec).then_some(()))
        })
    }

    fn answer(&self, detail: String) -> LabError {
        LabError::Answer {
            peer: format!("sushy-emulator at {}", self.url()),
            detail,
        }
    }
}

impl Drop for Sushy {
    fn drop(&mut self) {
        if !self.owned {
            return;
        }
        let Ok(raw) = i32::try_from(self.pid) else {
            return;
        };
        let pid = Pid::from_raw(raw);
        if kill(pid, Signal::SIGKILL).is_ok() {
            let _ = waitpid(pid, None);
        }
    }
}

/// A port on 127.0.0.1 that nothing listens on now (for an emulator on loopback).
pub fn free_loopback_port() -> Result<u16> {
    let no_port = |e: std::io::Error| LabError::Usage(format!("no free port on 127.0.0.1: {e}"));
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).map_err(no_port)?;
    Ok(listener.local_addr().map_err(no_port)?.port())
}

fn in_netns(spec: &SushySpec, program: &str) -> Command {
    match &spec.netns {
        Some(ns) => command("ip", ["netns", "exec", ns.as_str(), program]),
        None => command(program, std::iter::empty::<&str>()),
    }
}

fn url(spec: &SushySpec) -> String {
    match spec.address {
        IpAddr::V4(a) => format!("https://{a}:{}", spec.port),
        IpAddr::V6(a) => format!("https://[{a}]:{}", spec.port),
    }
}

/// Whether anything HTTPS answers at the service root (401 counts: the auth file is in force).
fn answers(spec: &SushySpec) -> bool {
    let mut curl = in_netns(spec, "curl");
    curl.args([
        "-s",
        "-o",
        "/dev/null",
        "-w",
        "%{http_code}",
        "--max-time",
        "2",
    ]);
    curl.arg("--cacert").arg(&spec.ca);
    curl.arg(format!("{}/redfish/v1/", url(spec)));
    output(&mut curl).is_ok_and(|code| code.trim() != "000")
}

fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        !stat
            .rsplit(')')
            .next()
            .unwrap_or_default()
            .starts_with(" Z")
    })
}

fn config_file(dir: &Path) -> PathBuf {
    dir.join("sushy.conf")
}

fn log_file(dir: &Path) -> PathBuf {
    dir.join("sushy.log")
}

fn curl_auth_file(dir: &Path) -> PathBuf {
    dir.join("curl.auth")
}

/// The htpasswd file (bcrypt, made by the venv's `bcrypt` from a root-only password file) and the
/// curl config file the lab's own requests authenticate with.
fn write_auth(tools: &Tools, spec: &SushySpec) -> Result<()> {
    let password_file = spec.dir.join("password");
    files::write(&password_file, spec.password.as_bytes(), Owner::Root, 0o600)?;
    let script = format!(
        "import bcrypt, sys\n\
         pw = open(sys.argv[1], 'rb').read()\n\
         print(bcrypt.hashpw(pw, bcrypt.gensalt(rounds={BCRYPT_ROUNDS})).decode())"
    );
    let mut python = command(
        &tools.venv_bin("python3").to_string_lossy(),
        ["-c", &script],
    );
    python.arg(&password_file);
    let hash = output(&mut python)?;
    let entry = format!("{}:{}\n", spec.username, hash.trim());
    files::write(
        &spec.dir.join("htpasswd"),
        entry.as_bytes(),
        Owner::Root,
        0o600,
    )?;
    let user = serde_json::Value::from(format!("{}:{}", spec.username, spec.password));
    files::write(
        &curl_auth_file(&spec.dir),
        format!("user = {user}\n").as_bytes(),
        Owner::Root,
        0o600,
    )
}

/// The emulator's `--config` file (Python; strings are JSON literals, which Python reads alike).
fn config(spec: &SushySpec) -> String {
    let s = |v: &str| serde_json::Value::from(v).to_string();
    let p = |v: &Path| s(&v.to_string_lossy());
    let mut text = format!(
        "SUSHY_EMULATOR_FAKE_DRIVER = True\n\
         SUSHY_EMULATOR_LISTEN_IP = {ip}\n\
         SUSHY_EMULATOR_LISTEN_PORT = {port}\n\
         SUSHY_EMULATOR_SSL_CERT = {cert}\n\
         SUSHY_EMULATOR_SSL_KEY = {key}\n\
         SUSHY_EMULATOR_AUTH_FILE = {auth}\n\
         SUSHY_EMULATOR_STATE_DIR = {state}\n",
        ip = s(&spec.address.to_string()),
        port = spec.port,
        cert = p(&spec.tls.cert),
        key = p(&spec.tls.key),
        auth = p(&spec.dir.join("htpasswd")),
        state = p(&spec.dir.join("state")),
    );
    if let Some(notify) = &spec.notification_url {
        text.push_str(&format!("EXTERNAL_NOTIFICATION_URL = {}\n", s(notify)));
    }
    text.push_str("SUSHY_EMULATOR_FAKE_SYSTEMS = [\n");
    for system in &spec.systems {
        text.push_str(&format!(
            "    {{'uuid': {uuid}, 'name': {name}, 'power_state': {power}, \
             'external_notifier': {notify}, 'nics': []}},\n",
            uuid = s(&system.uuid),
            name = s(&system.name),
            power = s(if system.power_on { "On" } else { "Off" }),
            notify = if system.external_notifier {
                "True"
            } else {
                "False"
            },
        ));
    }
    text.push_str("]\n");
    text
}

/// A UUID-shaped name derived from `name` (two FNV-1a hashes), stable across runs.
fn uuid_of(name: &str) -> String {
    let fnv = |seed: u64| {
        name.bytes().fold(seed, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        })
    };
    let (a, b) = (fnv(0xcbf2_9ce4_8422_2325), fnv(0x8422_2325_cbf2_9ce4));
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xffff,
        b >> 48,
        b & 0xffff_ffff_ffff
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> SushySpec {
        let mut notified = FakeSystem::new("compute1", true);
        notified.external_notifier = true;
        SushySpec {
            dir: PathBuf::from("/lab/bmc"),
            netns: None,
            address: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 8443,
            tls: Issued {
                cert: PathBuf::from("/lab/tls/bmc.pem"),
                key: PathBuf::from("/lab/tls/bmc.key"),
            },
            ca: PathBuf::from("/lab/tls/ca.pem"),
            username: "admin".into(),
            password: "secret".into(),
            systems: vec![notified, FakeSystem::new("spare", false)],
            notification_url: Some("http://127.0.0.1:9/power".into()),
        }
    }

    #[test]
    fn the_config_lists_every_system_and_the_notifier() {
        let text = config(&spec());
        assert!(
            text.contains("SUSHY_EMULATOR_LISTEN_IP = \"127.0.0.1\""),
            "{text}"
        );
        assert!(text.contains("SUSHY_EMULATOR_LISTEN_PORT = 8443"), "{text}");
        assert!(text.contains("EXTERNAL_NOTIFICATION_URL = \"http://127.0.0.1:9/power\""));
        assert!(
            text.contains("'name': \"compute1\", 'power_state': \"On\", 'external_notifier': True")
        );
        assert!(
            text.contains("'name': \"spare\", 'power_state': \"Off\", 'external_notifier': False")
        );
        assert!(!text.contains("secret"), "{text}");
    }

    #[test]
    fn uuids_are_stable_distinct_and_uuid_shaped() {
        let (a, b) = (uuid_of("compute1"), uuid_of("compute2"));
        assert_eq!(a, uuid_of("compute1"));
        assert_ne!(a, b);
        let lengths: Vec<usize> = a.split('-').map(str::len).collect();
        assert_eq!(lengths, [8, 4, 4, 4, 12]);
    }

    #[test]
    fn an_ipv6_address_is_bracketed_in_the_url() {
        let mut s = spec();
        s.address = "::1".parse().unwrap();
        assert_eq!(url(&s), "https://[::1]:8443");
    }
}
