//! Instance monitors on a lab compute (a lab built with `libvirt`): ours (`masakari-instancemonitor
//! run`) and masakari-monitors' (the incumbent, from the lab venv), each against the compute's own
//! libvirtd and the lab's real Masakari API, set up the way an operator would.
//!
//! Both have the same command name (`masakari-instan`), so each is known by its PID. Ours runs from
//! the build directory (the node sees the host's /work); no stage is needed.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use nix::sys::signal::{Signal, kill};
use nix::sys::wait::{WaitPidFlag, waitpid};
use nix::unistd::Pid;

use crate::error::{LabError, Result};
use crate::files::{self, Owner};
use crate::keystone;
use crate::lab::Lab;
use crate::layout::{Host, Machine};
use crate::libvirt::URI;
use crate::masakari::TOKEN;
use crate::stage::{Profile, profile_dir};
use crate::wait::poll_until;

/// How long a monitor may take to connect to libvirt.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(60);

/// Which instance monitor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// `masakari-instancemonitor run`, of the build `Profile`.
    Ours(Profile),
    /// masakari-monitors' `masakari-instancemonitor` (Python, libvirt-python).
    Incumbent,
}

impl Subject {
    /// A short name for file names and reports.
    pub fn label(self) -> &'static str {
        match self {
            Subject::Ours(_) => "ours",
            Subject::Incumbent => "incumbent",
        }
    }
}

/// An instance monitor running on a compute.
#[derive(Debug)]
pub struct InstanceMonitor {
    node: Machine,
    subject: Subject,
    argv: Vec<String>,
    config: PathBuf,
    log: String,
    pid: AtomicU32,
}

impl InstanceMonitor {
    /// Writes the monitor's configuration, starts it on `node` and waits until it is connected to the
    /// compute's libvirtd. It reports as `hostname` (a host registered with the API).
    pub fn start(lab: &Lab, node: Machine, subject: Subject, hostname: &str) -> Result<Self> {
        let dir = lab.layout().host_dir(Host::Node(node));
        let label = subject.label();
        let (config, text, argv) = match subject {
            Subject::Ours(profile) => {
                let config = dir.join(format!("instancemonitor-{label}.toml"));
                let binary = profile_dir(profile)?.join("masakari-instancemonitor");
                let argv = vec![
                    binary.display().to_string(),
                    "run".to_owned(),
                    "--config".to_owned(),
                    config.display().to_string(),
                ];
                (config.clone(), ours_config(lab, node, hostname)?, argv)
            }
            Subject::Incumbent => {
                let config = dir.join("masakarimonitors-instance.conf");
                let program =
                    crate::tools::Tools::installed()?.venv_bin("masakari-instancemonitor");
                let argv = vec![
                    program.display().to_string(),
                    "--config-file".to_owned(),
                    config.display().to_string(),
                ];
                (config.clone(), incumbent_config(lab, hostname)?, argv)
            }
        };
        files::dir(&dir.join("state"), Owner::Root, 0o700)?;
        files::write(&config, text.as_bytes(), Owner::Root, 0o600)?;
        let monitor = Self {
            node,
            subject,
            argv,
            config,
            log: format!("instancemonitor-{label}.log"),
            pid: AtomicU32::new(0),
        };
        monitor.run(lab)?;
        Ok(monitor)
    }

    /// Starts the monitor (again, after [`InstanceMonitor::kill`]) and waits until libvirtd has it as
    /// a client.
    pub fn run(&self, lab: &Lab) -> Result<()> {
        let argv: Vec<&str> = self.argv.iter().map(String::as_str).collect();
        let pid = lab.spawn_on_node_pid(self.node, &argv, &self.log)?;
        self.pid.store(pid, Ordering::SeqCst);
        self.wait_connected(lab)
    }

    /// Waits until the compute's libvirtd counts this monitor's process among its clients (after a
    /// libvirtd restart: until it has reconnected).
    pub fn wait_connected(&self, lab: &Lab) -> Result<()> {
        let pid = self.pid();
        poll_until(
            &format!("the {} monitor ({pid}) to connect to libvirt", self.label()),
            CONNECT_TIMEOUT,
            || {
                if !self.is_running() {
                    return Err(LabError::Usage(format!(
                        "the {} monitor exited; its log:\n{}",
                        self.label(),
                        self.log(lab)
                    )));
                }
                Ok(libvirt_clients(lab, self.node).contains(&pid).then_some(()))
            },
        )?;
        // The incumbent registers its event callbacks right after it opens the connection.
        std::thread::sleep(Duration::from_millis(500));
        Ok(())
    }

    /// The monitor's PID.
    pub fn pid(&self) -> i32 {
        i32::try_from(self.pid.load(Ordering::SeqCst)).unwrap_or_default()
    }

    /// Whether the process runs (not gone, not a zombie).
    pub fn is_running(&self) -> bool {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap_or_default();
        !status.is_empty() && !status.contains("zombie")
    }

    /// Kills the monitor (SIGKILL, by PID): no chance to tidy up. Waits until it is gone.
    pub fn kill(&self) -> Result<()> {
        self.signal(Signal::SIGKILL)
    }

    /// Stops the monitor with SIGTERM, as systemd does, and waits until it has exited.
    pub fn stop(&self) -> Result<()> {
        self.signal(Signal::SIGTERM)
    }

    fn signal(&self, sig: Signal) -> Result<()> {
        let pid = Pid::from_raw(self.pid());
        let _ = kill(pid, sig);
        poll_until(
            &format!("the {} monitor to exit", self.label()),
            Duration::from_secs(20),
            || {
                let _ = waitpid(pid, Some(WaitPidFlag::WNOHANG));
                Ok((!self.is_running()).then_some(()))
            },
        )
    }

    /// Ours' `status --json`; `None` when it does not answer (or for the incumbent, which has none).
    pub fn status(&self, lab: &Lab) -> Option<serde_json::Value> {
        let Subject::Ours(_) = self.subject else {
            return None;
        };
        let binary = self.argv.first()?;
        let config = self.config.display().to_string();
        let out = lab
            .on_node(
                self.node,
                binary,
                &["status", "--json", "--config", &config],
            )
            .ok()?;
        serde_json::from_str(&out).ok()
    }

    /// Ours' `check` with its configuration and `--set` `overrides`: whether it passed, and what it
    /// printed (stdout and stderr); `None` for the incumbent, which has none.
    pub fn check(&self, lab: &Lab, overrides: &[String]) -> Result<Option<(bool, String)>> {
        let (Subject::Ours(_), Some(binary)) = (self.subject, self.argv.first()) else {
            return Ok(None);
        };
        let config = self.config.display().to_string();
        let mut argv = vec!["check", "--config", &config];
        argv.extend(overrides.iter().flat_map(|o| ["--set", o.as_str()]));
        let (out, err, ok) = lab.on_node_output(self.node, binary, &argv)?;
        Ok(Some((ok, format!("{out}{err}"))))
    }

    /// What the monitor logged.
    pub fn log(&self, lab: &Lab) -> String {
        let path = lab.layout().host_dir(Host::Node(self.node)).join(&self.log);
        std::fs::read_to_string(path).unwrap_or_default()
    }

    /// `ours` or `incumbent`.
    pub fn label(&self) -> &'static str {
        self.subject.label()
    }

    /// Its configuration file.
    pub fn config_file(&self) -> &std::path::Path {
        &self.config
    }
}

impl Drop for InstanceMonitor {
    fn drop(&mut self) {
        if self.is_running() {
            let _ = self.kill();
        }
    }
}

/// Ours: the lab's API (under noauth2, or with `keystone` the seed's password login over HTTPS,
/// the endpoint from the catalog), its outbox in the node's directory (it survives a kill),
/// retries every 2 to 5 s so an API that comes back is seen soon.
fn ours_config(lab: &Lab, node: Machine, hostname: &str) -> Result<String> {
    let layout = lab.layout();
    let dir = layout.host_dir(Host::Node(node));
    let masakari = if layout.spec().keystone {
        keystone::ours_masakari_toml(layout)?
    } else {
        format!("[masakari]\nendpoint = \"{}\"\n", layout.api_url())
    };
    Ok(format!(
        "# Written by masakari-lab.\n\
         [libvirt]\nuri = \"{URI}\"\n\
         [monitor]\nhostname = \"{hostname}\"\nretry_interval = 2\nretry_max_interval = 5\n\
         [paths]\nstate_file = \"{state}\"\n\
         [metrics]\nlisten = \"\"\n\
         {masakari}",
        state = dir.join("state/instancemonitor.json").display(),
    ))
}

/// The incumbent: an admin token against the noauth2 API (CLUSTER-NOTES.md), or with `keystone`
/// the seed's password login; debug logs on stderr (into the monitor's log file).
fn incumbent_config(lab: &Lab, hostname: &str) -> Result<String> {
    let layout = lab.layout();
    let api = if layout.spec().keystone {
        keystone::incumbent_api_section(layout)?
    } else {
        format!(
            "[api]\nauth_type = admin_token\nendpoint = {}\ntoken = {TOKEN}\n",
            layout.api_url()
        )
    };
    Ok(format!(
        "# Written by masakari-lab.\n\
         [DEFAULT]\nhostname = {hostname}\ndebug = true\n\
         [libvirt]\nconnection_uri = {URI}\n\
         [callback]\nretry_max = 12\nretry_interval = 2\n\
         {api}"
    ))
}

/// The PIDs of the processes connected to a compute's libvirtd (`virt-admin client-info`).
pub fn libvirt_clients(lab: &Lab, node: Machine) -> Vec<i32> {
    let admin = |args: &[&str]| {
        let mut argv = vec!["-c", "libvirtd:///system"];
        argv.extend(args);
        lab.on_node(node, "virt-admin", &argv).unwrap_or_default()
    };
    let list = admin(&["client-list", "libvirtd"]);
    client_ids(&list)
        .into_iter()
        .filter_map(|id| client_pid(&admin(&["client-info", "libvirtd", &id])))
        .collect()
}

/// The client ids of `virt-admin client-list` (a header, a rule, then `ID  transport  time`).
fn client_ids(list: &str) -> Vec<String> {
    list.lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|w| w.bytes().all(|b| b.is_ascii_digit()))
        .map(str::to_owned)
        .collect()
}

/// `unix_process_id` of `virt-admin client-info`.
fn client_pid(info: &str) -> Option<i32> {
    info.lines().find_map(|l| {
        let (key, value) = l.split_once(':')?;
        (key.trim() == "unix_process_id")
            .then(|| value.trim().parse().ok())
            .flatten()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_virt_admins_client_list_and_info() {
        let list = " Id    Transport   Connected since\n\
                    --------------------------------------------------\n \
                    1     unix        2026-12-06 22:00:01+0000\n \
                    12    unix        2026-12-06 22:00:02+0000\n";
        assert_eq!(client_ids(list), ["1", "12"]);
        let info = "id             : 12\nconnection_time: 2026-12-06\n\
                    readonly       : yes\nunix_user_id   : 0\nunix_process_id: 4242\n";
        assert_eq!(client_pid(info), Some(4242));
        assert_eq!(client_pid("id : 1\n"), None);
    }
}
