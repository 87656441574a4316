//! A running lab: bring-up, fault injection, observation and teardown.

use std::path::PathBuf;
use std::time::Duration;

use crate::bmc;
use crate::cib_config::{self, BmcLogin};
use crate::cmd::output;
use crate::corosync_conf;
use crate::error::{LabError, Result, file_error};
use crate::files::{self, Owner};
use crate::keystone;
use crate::layout::{Host, Layout, Machine, lab_dir};
use crate::masakari::{self, StoredNotification};
use crate::netns;
use crate::node;
use cib::{CrmMon, FenceEvent, FenceStatus, MonNode};

use crate::observe;
use crate::procs;
use crate::spec::{Bmc, LabSpec};
use crate::tls;
use crate::tools::Tools;
use crate::wait::{poll_every, poll_until};

/// How long a ready cluster must stay ready before the lab counts it so.
pub const QUIET: Duration = Duration::from_secs(3);
/// How often the fencer's history is asked for while waiting.
pub const HISTORY_INTERVAL: Duration = Duration::from_secs(1);
/// How long a fresh lab may take to become ready.
const READY_TIMEOUT: Duration = Duration::from_secs(180);

/// Set to keep a lab that failed to come up, for a look at its logs (`masakari-lab down` removes it).
pub const KEEP_ENV: &str = "MASAKARI_LAB_KEEP";

/// A lab that exists. Dropping it tears it down unless [`Lab::detach`] was called.
#[derive(Debug)]
pub struct Lab {
    layout: Layout,
    tools: Tools,
    attached: bool,
}

impl Lab {
    /// Builds a lab and waits until the cluster is quorate with a DC, every node online and every compute
    /// registered with the Masakari API. Leftovers of an earlier lab of the same name are removed first.
    pub fn up(spec: LabSpec) -> Result<Self> {
        let layout = Layout::new(spec)?;
        let tools = Tools::installed()?;
        teardown(&layout.spec().name)?;
        let lab = Self {
            layout,
            tools,
            attached: true,
        };
        if let Err(e) = lab.build() {
            if std::env::var_os(KEEP_ENV).is_some() {
                lab.detach();
            }
            return Err(e);
        }
        Ok(lab)
    }

    /// The lab called `name` that an earlier `up` left running.
    pub fn open(name: &str) -> Result<Self> {
        let path = lab_dir(name).join("spec.json");
        let text = std::fs::read_to_string(&path).map_err(file_error(&path))?;
        let spec: LabSpec = serde_json::from_str(&text)
            .map_err(|e| LabError::Usage(format!("{}: {e}", path.display())))?;
        Ok(Self {
            layout: Layout::new(spec)?,
            tools: Tools::installed()?,
            attached: false,
        })
    }

    /// Leaves the lab running when this value is dropped (for `masakari-lab up`).
    pub fn detach(mut self) {
        self.attached = false;
    }

    /// Tears the lab down now.
    pub fn down(mut self) -> Result<()> {
        self.attached = false;
        teardown(&self.layout.spec().name)
    }

    /// Names, addresses and directories of this lab.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    fn build(&self) -> Result<()> {
        let l = &self.layout;
        files::dir(&l.dir(), Owner::Root, 0o755)?;
        let spec_json =
            serde_json::to_string_pretty(l.spec()).map_err(|e| LabError::Usage(e.to_string()))?;
        files::write(
            &l.dir().join("spec.json"),
            spec_json.as_bytes(),
            Owner::Root,
            0o644,
        )?;
        let password = hex(&files::random_bytes(8)?);
        files::write(
            &bmc::password_file(l),
            password.as_bytes(),
            Owner::Root,
            0o600,
        )?;
        let authkey = files::random_bytes(4096)?;
        netns::create(l)?;
        let lab_binary = lab_binary()?;
        let login = BmcLogin {
            user: bmc::ADMIN_USER,
            password: &password,
        };
        if l.spec().keystone || l.spec().bmc == Bmc::Redfish {
            tls::make(l)?;
        }
        for m in l.machines() {
            prepare_node(l, m, &authkey, &login)?;
            if l.spec().libvirt && matches!(m, Machine::Compute(_)) {
                crate::libvirt::prepare(l, m)?;
            }
            if l.spec().services && matches!(m, Machine::Compute(_)) {
                crate::services::prepare(l, m)?;
            }
            bmc::configure(l, m, &password, &lab_binary)?;
            bmc::start(l, m)?;
        }
        std::thread::scope(|s| {
            let api = s.spawn(|| {
                if l.spec().keystone {
                    keystone::set_up(l, &self.tools)?;
                }
                masakari::configure(l, &self.tools)?;
                masakari::start(l, &self.tools)
            });
            let cluster = self.boot_cluster();
            let api = api.join().unwrap_or_else(|_| {
                Err(LabError::Usage(
                    "the Masakari API set-up thread died".into(),
                ))
            });
            cluster.and(api)
        })?;
        masakari::register_computes(l, &self.tools)?;
        if l.spec().libvirt {
            for m in l.computes() {
                crate::libvirt::Libvirt::of(self, m).define(&crate::libvirt::Guest::of(m, 1))?;
            }
        }
        Ok(())
    }

    fn boot_cluster(&self) -> Result<()> {
        for m in self.layout.computes() {
            node::power_on(&self.layout, &self.tools, m)?;
        }
        for m in self.layout.controllers() {
            node::power_on(&self.layout, &self.tools, m)?;
        }
        self.wait_ready(READY_TIMEOUT).map(drop)
    }

    /// Waits until the cluster has quorum and a DC, and every node is online and clean, and has stayed
    /// so for [`QUIET`]: Pacemaker 2.1.5 was seen to ignore a remote's failure arriving just as the DC
    /// finished its start-up transition (until the next cluster-recheck), so tests start after that.
    pub fn wait_ready(&self, timeout: Duration) -> Result<CrmMon> {
        let names: Vec<String> = self.layout.machines().iter().map(|m| m.name()).collect();
        let ready = |view: &CrmMon| {
            let all = names.iter().all(|n| {
                view.node(n)
                    .is_some_and(|node| node.online && !node.unclean)
            });
            observe::quorate(view) && all
        };
        let mut ready_since: Option<std::time::Instant> = None;
        poll_until(
            "the cluster to be quorate with every node online and clean",
            timeout,
            || {
                let view = self.crm_mon().ok().filter(|v| ready(v));
                ready_since = view
                    .as_ref()
                    .and(ready_since.or_else(|| Some(std::time::Instant::now())));
                Ok(view.filter(|_| ready_since.is_some_and(|t| t.elapsed() >= QUIET)))
            },
        )
    }

    /// Waits until `test` holds for the named node in crm_mon's view.
    pub fn wait_node(
        &self,
        name: &str,
        what: &str,
        timeout: Duration,
        test: impl Fn(&MonNode) -> bool,
    ) -> Result<MonNode> {
        poll_until(&format!("{name} to be {what}"), timeout, || {
            Ok(self
                .crm_mon()
                .ok()
                .and_then(|v| v.node(name).cloned())
                .filter(|n| test(n)))
        })
    }

    /// Waits until the fencer's history shows a successful fencing of `target`. The history is asked
    /// for once a second: every `stonith_admin --history` is work for the fencer it is waiting on.
    pub fn wait_fenced(&self, target: &str, timeout: Duration) -> Result<FenceEvent> {
        poll_every(
            &format!("{target} to be fenced"),
            timeout,
            HISTORY_INTERVAL,
            || {
                Ok(self.fence_history().ok().and_then(|events| {
                    events
                        .into_iter()
                        .find(|e| e.target == target && e.status == FenceStatus::Success)
                }))
            },
        )
    }

    /// Runs a program inside a powered controller (the first one that answers) and returns its stdout.
    pub fn on_controller(&self, program: &str, args: &[&str]) -> Result<String> {
        let mut last = LabError::Usage("no controller is powered on".into());
        for m in self.layout.controllers() {
            if !node::is_powered(&self.layout, m) {
                continue;
            }
            match self.on_node(m, program, args) {
                Ok(out) => return Ok(out),
                Err(e) => last = e,
            }
        }
        Err(last)
    }

    /// Starts a long-running program inside a node, detached, its output appended to `log` in the
    /// node's directory. It dies with the node.
    pub fn spawn_on_node(&self, machine: Machine, argv: &[&str], log: &str) -> Result<()> {
        self.spawn_on_node_pid(machine, argv, log).map(drop)
    }

    /// [`Lab::spawn_on_node`], returning the program's PID (nsenter execs it, so the PID is its own),
    /// for processes that share a command name with another on the node.
    pub fn spawn_on_node_pid(&self, machine: Machine, argv: &[&str], log: &str) -> Result<u32> {
        let (program, args) = argv
            .split_first()
            .ok_or_else(|| LabError::Usage("spawn_on_node needs a program".into()))?;
        let mut cmd = node::enter(&self.layout, machine, program)?;
        cmd.args(args);
        let log = self.layout.host_dir(Host::Node(machine)).join(log);
        crate::cmd::spawn_detached(&mut cmd, &log)
    }

    /// Kills (by PID) the processes of a node whose command name is `comm` (at most 15 characters,
    /// as /proc shows it); how many there were.
    pub fn kill_on_node(&self, machine: Machine, comm: &str) -> usize {
        procs::kill_named(&self.layout.netns(Host::Node(machine)), comm)
    }

    /// Runs a program inside a node and returns its stdout.
    pub fn on_node(&self, machine: Machine, program: &str, args: &[&str]) -> Result<String> {
        let mut cmd = node::enter(&self.layout, machine, program)?;
        output(cmd.args(args))
    }

    /// Runs a program inside a node, for commands whose failure is the answer: its stdout, its
    /// stderr, and whether it exited 0.
    pub fn on_node_output(
        &self,
        machine: Machine,
        program: &str,
        args: &[&str],
    ) -> Result<(String, String, bool)> {
        let mut cmd = node::enter(&self.layout, machine, program)?;
        let out = cmd
            .args(args)
            .stdin(std::process::Stdio::null())
            .output()
            .map_err(|source| LabError::Spawn {
                program: program.to_owned(),
                source,
            })?;
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        Ok((text(&out.stdout), text(&out.stderr), out.status.success()))
    }

    /// `crm_mon -1 --output-as=xml` on a controller, raw.
    pub fn crm_mon_xml(&self) -> Result<String> {
        self.on_controller("crm_mon", &["-1", "--output-as=xml"])
    }

    /// The cluster as crm_mon sees it.
    pub fn crm_mon(&self) -> Result<CrmMon> {
        observe::parse_crm_mon(&self.crm_mon_xml()?)
    }

    /// The nodes Pacemaker says `resource` (a primitive or a clone) runs on (`crm_resource
    /// --locate`), sorted; a resource that failed on a node and is not yet stopped there counts.
    pub fn located(&self, resource: &str) -> Result<Vec<String>> {
        let out = self.on_controller("crm_resource", &["--locate", "-r", resource])?;
        let mut nodes: Vec<String> = out
            .lines()
            .filter_map(|l| l.split("running on:").nth(1))
            .map(|n| n.trim().to_owned())
            .collect();
        nodes.sort();
        Ok(nodes)
    }

    /// The whole CIB (`cibadmin --query`).
    pub fn cib_xml(&self) -> Result<String> {
        self.on_controller("cibadmin", &["--query"])
    }

    /// The fencer's history of every node.
    pub fn fence_history(&self) -> Result<Vec<FenceEvent>> {
        let xml = self.on_controller(
            "stonith_admin",
            &["--history", "*", "--verbose", "--output-as=xml"],
        )?;
        observe::parse_fence_history(&xml)
    }

    /// Kills a compute's pacemaker-remoted (by PID); the compute keeps power, as when the daemon crashes.
    pub fn kill_remoted(&self, name: &str) -> Result<()> {
        let m = self.layout.machine(name)?;
        let ns = self.layout.netns(Host::Node(m));
        match procs::kill_named(&ns, "pacemaker-remot") {
            0 => Err(LabError::Usage(format!(
                "no pacemaker-remoted runs on {name}"
            ))),
            _ => Ok(()),
        }
    }

    /// Cuts a host's network cable (`connected == false`) or plugs it back in.
    pub fn set_network(&self, host: Host, connected: bool) -> Result<()> {
        netns::set_link(&self.layout, host, connected)
    }

    /// Drops all of a host's traffic (`dropped == true`), sending no reset and no ICMP, or lets it
    /// through again: a dead switch port, or a compute whose kernel no longer answers on the network.
    pub fn set_traffic_dropped(&self, host: Host, dropped: bool) -> Result<()> {
        netns::set_dropped(&self.layout, host, dropped)
    }

    /// Freezes every process of a node (SIGSTOP, by PID), as a hung kernel would, or thaws them
    /// (SIGCONT). Its sockets stay open and nothing says goodbye.
    pub fn set_frozen(&self, name: &str, frozen: bool) -> Result<()> {
        let ns = self.layout.netns(Host::Node(self.layout.machine(name)?));
        let sig = match frozen {
            true => nix::sys::signal::Signal::SIGSTOP,
            false => nix::sys::signal::Signal::SIGCONT,
        };
        match procs::signal_netns(&ns, sig) {
            0 => Err(LabError::Usage(format!("{name} is powered off"))),
            _ => Ok(()),
        }
    }

    /// Powers a node off or on at its chassis, bypassing its BMC (the power button). Also what a BMC's
    /// chassis control ([`chassis`]) and a Redfish BMC's power link ([`crate::power_link`]) do.
    pub fn set_power(&self, name: &str, on: bool) -> Result<()> {
        let m = self.layout.machine(name)?;
        if on {
            node::power_on(&self.layout, &self.tools, m)
        } else {
            node::power_off(&self.layout, m)
        }
    }

    /// Kills a controller outright: the same as cutting its power.
    pub fn kill_controller(&self, name: &str) -> Result<()> {
        match self.layout.machine(name)? {
            m @ Machine::Controller(_) => node::power_off(&self.layout, m),
            Machine::Compute(_) => Err(LabError::Usage(format!("{name} is not a controller"))),
        }
    }

    /// Whether the node's BMC reports its power on (asked over IPMI or Redfish, as the lab's BMCs speak).
    pub fn bmc_power(&self, name: &str) -> Result<bool> {
        bmc::power_status(&self.layout, self.layout.machine(name)?)
    }

    /// Whether the node really has power (any process in its namespace), whatever its BMC says.
    pub fn is_powered(&self, name: &str) -> Result<bool> {
        Ok(node::is_powered(&self.layout, self.layout.machine(name)?))
    }

    /// Turns a node's BMC itself off (it stops answering) or on again.
    pub fn set_bmc_alive(&self, name: &str, alive: bool) -> Result<()> {
        let m = self.layout.machine(name)?;
        if alive {
            bmc::start(&self.layout, m)
        } else {
            bmc::kill(&self.layout, m);
            Ok(())
        }
    }

    /// Freezes a node's BMC (it receives and never answers) or thaws it.
    pub fn set_bmc_frozen(&self, name: &str, frozen: bool) -> Result<()> {
        bmc::freeze(&self.layout, self.layout.machine(name)?, frozen)
    }

    /// Registers one more host in the lab's failover segment (a name no node has: a second monitor of
    /// one compute reporting under its own name, so the API does not take its notifications for
    /// duplicates of the first one's).
    pub fn register_host(&self, name: &str) -> Result<()> {
        masakari::register_hosts(&self.layout, &self.tools, &[name])
    }

    /// Stops or starts the Masakari API.
    pub fn set_api_running(&self, running: bool) -> Result<()> {
        if running {
            if self.layout.spec().keystone {
                keystone::serve(&self.layout, &self.tools)?;
            }
            masakari::start(&self.layout, &self.tools)
        } else {
            masakari::stop(&self.layout)
        }
    }

    /// The notifications the Masakari API has stored, oldest first.
    pub fn notifications(&self) -> Result<Vec<StoredNotification>> {
        masakari::notifications(&self.layout)
    }

    /// Posts a notification to the Masakari API; its HTTP status code and body.
    pub fn post_notification(&self, body: &serde_json::Value) -> Result<(u16, String)> {
        masakari::post_notification(&self.layout, body)
    }

    /// Whether the lab's stonith devices turn a reboot into a plain power off.
    pub fn spec_reboot_is_off(&self) -> bool {
        self.layout.spec().reboot_action == crate::spec::RebootAction::Off
    }

    /// The lab's external tools.
    pub fn tools(&self) -> &Tools {
        &self.tools
    }

    /// The file holding the BMCs' IPMI password (root only).
    pub fn ipmi_password_file(&self) -> PathBuf {
        bmc::password_file(&self.layout)
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        if self.attached && std::thread::panicking() {
            keep_logs(&self.layout);
        }
        if self.attached
            && let Err(e) = teardown(&self.layout.spec().name)
        {
            eprintln!(
                "masakari-lab: tearing down {}: {e}",
                self.layout.spec().name
            );
        }
    }
}

/// Where the files of labs whose test failed are kept, for a look after the fact.
pub const FAILED_DIR: &str = "/var/tmp/masakari-lab-failed";

/// Copies the lab's files (logs, configuration, CIBs) aside before a failed test tears it down.
fn keep_logs(layout: &Layout) {
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    let target = PathBuf::from(FAILED_DIR).join(format!("{}-{stamp}", layout.spec().name));
    let copied = std::fs::create_dir_all(FAILED_DIR)
        .map_err(|e| e.to_string())
        .and_then(|()| {
            let mut cp = crate::cmd::command("cp", ["-a"]);
            cp.arg(layout.dir()).arg(&target);
            crate::cmd::run(&mut cp).map_err(|e| e.to_string())
        });
    match copied {
        Ok(()) => eprintln!(
            "masakari-lab: the failed lab's files are in {}",
            target.display()
        ),
        Err(e) => eprintln!("masakari-lab: could not keep the failed lab's files: {e}"),
    }
}

/// Removes every process, namespace and directory of the lab called `name`, whatever state it is in.
pub fn teardown(name: &str) -> Result<()> {
    netns::destroy(name)?;
    let dir = lab_dir(name);
    match std::fs::remove_dir_all(&dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(file_error(&dir)(e)),
        _ => Ok(()),
    }
}

/// Tears down the lab `name` and its stage when the process exits: for a lab a test file keeps in
/// a static for all its tests, which is never dropped. Later calls in the same process do nothing.
pub fn teardown_at_exit(name: &'static str) {
    static NAME: std::sync::OnceLock<&'static str> = std::sync::OnceLock::new();
    extern "C" fn at_exit() {
        if let Some(name) = NAME.get() {
            let _ = teardown(name);
            let _ = std::fs::remove_dir_all(crate::stage::root(name));
        }
    }
    if NAME.set(name).is_ok() {
        // SAFETY: registers a plain function that runs once at process exit.
        unsafe { libc::atexit(at_exit) };
    }
}

/// Answers ipmi_sim's `chassis_control` calls for a node: `get power` prints `power:0|1`;
/// `set power 0|1` cuts or restores the node's power.
pub fn chassis(name: &str, node_name: &str, request: &[String]) -> Result<Option<String>> {
    let lab = Lab::open(name)?;
    let m = lab.layout.machine(node_name)?;
    let words: Vec<&str> = request.iter().map(String::as_str).collect();
    match words.as_slice() {
        ["get", "power"] => Ok(Some(format!(
            "power:{}",
            u8::from(node::is_powered(&lab.layout, m))
        ))),
        ["set", "power", "0"] => lab.set_power(node_name, false).map(|()| None),
        ["set", "power", "1"] => lab.set_power(node_name, true).map(|()| None),
        _ => Err(LabError::Usage(format!(
            "chassis request {words:?} is not supported"
        ))),
    }
}

fn prepare_node(l: &Layout, m: Machine, authkey: &[u8], login: &BmcLogin<'_>) -> Result<()> {
    let dir = l.host_dir(Host::Node(m));
    files::dir(&dir, Owner::Root, 0o755)?;
    for (sub, _) in node::binds(m) {
        let (owner, mode) = match *sub {
            "log" => (Owner::Hacluster, 0o770),
            "etc-pacemaker" => (Owner::RootHaclient, 0o750),
            _ => (Owner::Root, 0o755),
        };
        files::dir(&dir.join(sub), owner, mode)?;
    }
    let pcmk = dir.join("var-lib-pacemaker");
    for sub in ["cib", "pengine", "blackbox", "cores"] {
        files::dir(&pcmk.join(sub), Owner::Hacluster, 0o750)?;
    }
    files::write(
        &dir.join("etc-pacemaker/authkey"),
        authkey,
        Owner::Hacluster,
        0o640,
    )?;
    if let Machine::Controller(_) = m {
        if l.spec().bmc == Bmc::Redfish {
            node::trust_lab_ca(l, m)?;
        }
        let conf = corosync_conf::render(l);
        files::write(
            &dir.join("etc-corosync/corosync.conf"),
            conf.as_bytes(),
            Owner::Root,
            0o644,
        )?;
        let cib = cib_config::render(l, login);
        files::write(
            &pcmk.join("cib/cib.xml"),
            cib.as_bytes(),
            Owner::Hacluster,
            0o600,
        )?;
    }
    Ok(())
}

fn lab_binary() -> Result<PathBuf> {
    let candidate = crate::stage::build_dir()?.join("masakari-lab");
    if candidate.exists() {
        Ok(candidate)
    } else {
        Err(LabError::Usage(format!(
            "{} is missing: build it with cargo build -p masakari-lab",
            candidate.display()
        )))
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
