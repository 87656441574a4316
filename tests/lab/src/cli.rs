//! The `masakari-lab` command line: one subcommand per lab operation.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::demo;
use crate::error::Result;
use crate::lab::{self, Lab};
use crate::layout::Host;
use crate::observe;
use crate::spec::{Bmc, LabSpec, RebootAction, RemoteMonitor};

/// A real Pacemaker cluster with pacemaker-remote computes, IPMI BMCs and the Masakari API, on this machine.
#[derive(Debug, Parser)]
#[command(name = "masakari-lab", version)]
pub struct Cli {
    /// The lab to act on (a-z, 0-9, at most 8 characters).
    #[arg(long, short = 'n', global = true, default_value = "lab")]
    name: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Build a lab and wait until it is ready (removes leftovers of one with the same name first).
    Up(UpArgs),
    /// Remove every process, namespace and file of the lab.
    Down,
    /// Show nodes, BMC power and stored notifications (JSON).
    Status,
    /// Print `crm_mon -1 --output-as=xml` from a controller.
    CrmMon,
    /// Print the fencer's history (JSON).
    FenceHistory,
    /// Print the notifications the Masakari API stored (JSON).
    Notifications,
    /// Run a program inside a node: `masakari-lab exec ctl1 -- crm_mon -1`.
    Exec {
        /// The node.
        node: String,
        /// The program and its arguments.
        #[arg(trailing_var_arg = true, required = true)]
        argv: Vec<String>,
    },
    /// Kill a compute's pacemaker-remoted (the compute keeps power).
    KillRemoted {
        /// The compute.
        node: String,
    },
    /// Kill a controller outright (its power is cut).
    KillController {
        /// The controller.
        node: String,
    },
    /// Cut or restore a host's network link (nodes by name, BMCs as bmc-NODE, the API as api).
    Net {
        /// The host.
        host: String,
        /// up or down.
        state: Switch,
    },
    /// Act on a compute's service resource (`--services`): kill it, break its health check, mend it.
    Service {
        /// The compute.
        node: String,
        /// What to do.
        fault: crate::services::Fault,
    },
    /// Press a node's power button (no IPMI involved).
    Power {
        /// The node.
        node: String,
        /// on or off.
        state: Switch,
    },
    /// Act on a node's BMC: off (dead), on (alive again), freeze (never answers), thaw.
    Bmc {
        /// The node whose BMC it is.
        node: String,
        /// What to do.
        action: BmcAction,
    },
    /// Stop or start the Masakari API.
    Api {
        /// up (start) or down (stop).
        state: Switch,
    },
    /// Wait until the cluster is ready, or a node is fenced, offline (and clean) or online.
    Wait {
        /// What to wait for.
        what: WaitFor,
        /// The node (not for `ready`).
        node: Option<String>,
        /// How long to wait, in seconds.
        #[arg(long, default_value_t = 120)]
        timeout: u64,
    },
    /// Run the main job: a lab, compute1 fails, Pacemaker fences it; prints the timeline.
    Demo(UpArgs),
    /// ipmi_sim's chassis_control program (internal): `get power`, `set power 0|1`.
    #[command(hide = true)]
    Chassis {
        /// The lab.
        #[arg(long)]
        lab: String,
        /// The node whose chassis this is.
        #[arg(long)]
        node: String,
        /// The request from ipmi_sim.
        request: Vec<String>,
    },
    /// A Redfish BMC's power link (internal): serves sushy-emulator's notices on the BMC's loopback.
    #[command(hide = true)]
    PowerLink {
        /// The lab.
        #[arg(long)]
        lab: String,
        /// The node whose power this is.
        #[arg(long)]
        node: String,
    },
}

/// How a lab is built.
#[derive(Debug, clap::Args)]
struct UpArgs {
    /// Cluster members: 1 or 3.
    #[arg(long, default_value_t = 1)]
    controllers: u8,
    /// pacemaker-remote computes.
    #[arg(long, default_value_t = 2)]
    computes: u8,
    /// What every node's BMC is: ipmi (ipmi_sim) or redfish (sushy-emulator, HTTPS).
    #[arg(long, value_enum, default_value = "ipmi")]
    bmc: Bmc,
    /// The stonith agent of every device [default: fence_ipmilan, or fence_redfish with --bmc redfish].
    #[arg(long)]
    fence_agent: Option<String>,
    /// What a fence reboot does (the seed deployment uses off).
    #[arg(long, value_enum, default_value = "reboot")]
    reboot_action: RebootAction,
    /// A `make install DESTDIR=` tree laid over the nodes' /usr.
    #[arg(long)]
    stage: Option<PathBuf>,
    /// Run a real Keystone, the Masakari API with keystone auth, both over HTTPS (the lab's own CA).
    #[arg(long)]
    keystone: bool,
    /// Give every compute its own libvirt daemon and a diskless TCG guest (the instance monitors).
    #[arg(long)]
    libvirt: bool,
    /// How Pacemaker watches the computes' connections.
    #[arg(long, value_enum, default_value = "shipped")]
    remote_monitor: RemoteMonitor,
    /// Run a nova-compute clone on the computes as a Pacemaker resource (ocf:heartbeat:anything).
    #[arg(long)]
    services: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Switch {
    Up,
    Down,
    On,
    Off,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum WaitFor {
    Ready,
    Fenced,
    Offline,
    Online,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum BmcAction {
    Off,
    On,
    Freeze,
    Thaw,
}

impl Switch {
    fn is_on(self) -> bool {
        matches!(self, Switch::Up | Switch::On)
    }
}

impl UpArgs {
    fn spec(&self, name: &str) -> LabSpec {
        LabSpec {
            name: name.to_owned(),
            controllers: self.controllers,
            computes: self.computes,
            bmc: self.bmc,
            fence_agent: self
                .fence_agent
                .clone()
                .unwrap_or_else(|| self.bmc.default_agent().to_owned()),
            reboot_action: self.reboot_action,
            stage: self.stage.clone(),
            keystone: self.keystone,
            libvirt: self.libvirt,
            remote_monitor: self.remote_monitor,
            services: self.services,
        }
    }
}

/// Carries out one command line.
pub fn run(cli: Cli) -> Result<()> {
    let name = cli.name.as_str();
    match cli.command {
        Command::Up(args) => {
            let started = std::time::Instant::now();
            let lab = Lab::up(args.spec(name))?;
            println!(
                "lab {name} is up in {:.1} s",
                started.elapsed().as_secs_f64()
            );
            lab.detach();
            Ok(())
        }
        Command::Down => lab::teardown(name),
        Command::Status => print_json(&demo::status(&Lab::open(name)?)?),
        Command::CrmMon => Lab::open(name)?.crm_mon_xml().map(|x| print!("{x}")),
        Command::FenceHistory => print_json(&observe::fence_history_json(
            &Lab::open(name)?.fence_history()?,
        )),
        Command::Notifications => {
            let list = Lab::open(name)?.notifications()?;
            let values: Vec<_> = list.iter().map(demo::notification_json).collect();
            print_json(&values)
        }
        Command::Exec { node, argv } => exec(name, &node, &argv),
        Command::KillRemoted { node } => Lab::open(name)?.kill_remoted(&node),
        Command::KillController { node } => Lab::open(name)?.kill_controller(&node),
        Command::Net { host, state } => {
            let lab = Lab::open(name)?;
            let host = host_by_name(&lab, &host)?;
            lab.set_network(host, state.is_on())
        }
        Command::Service { node, fault } => Lab::open(name)?.service_fault(&node, fault),
        Command::Power { node, state } => Lab::open(name)?.set_power(&node, state.is_on()),
        Command::Bmc { node, action } => {
            let lab = Lab::open(name)?;
            match action {
                BmcAction::Off => lab.set_bmc_alive(&node, false),
                BmcAction::On => lab.set_bmc_alive(&node, true),
                BmcAction::Freeze => lab.set_bmc_frozen(&node, true),
                BmcAction::Thaw => lab.set_bmc_frozen(&node, false),
            }
        }
        Command::Api { state } => Lab::open(name)?.set_api_running(state.is_on()),
        Command::Wait {
            what,
            node,
            timeout,
        } => wait(&Lab::open(name)?, what, node.as_deref(), timeout),
        Command::Demo(args) => demo::run(args.spec(name)),
        Command::PowerLink { lab, node } => crate::power_link::serve(&lab, &node),
        Command::Chassis { lab, node, request } => {
            lab::chassis(&lab, &node, &request).map(|answer| {
                if let Some(text) = answer {
                    println!("{text}");
                }
            })
        }
    }
}

fn wait(lab: &Lab, what: WaitFor, node: Option<&str>, timeout: u64) -> Result<()> {
    let timeout = std::time::Duration::from_secs(timeout);
    let node = || node.ok_or_else(|| crate::LabError::Usage("which node?".into()));
    match what {
        WaitFor::Ready => lab.wait_ready(timeout).map(drop),
        WaitFor::Fenced => lab.wait_fenced(node()?, timeout).map(drop),
        WaitFor::Offline => lab
            .wait_node(node()?, "offline and clean", timeout, |n| {
                !n.online && !n.unclean
            })
            .map(drop),
        WaitFor::Online => lab
            .wait_node(node()?, "online", timeout, |n| n.online)
            .map(drop),
    }
}

fn exec(name: &str, node: &str, argv: &[String]) -> Result<()> {
    let lab = Lab::open(name)?;
    let machine = lab.layout().machine(node)?;
    let (program, args) = argv
        .split_first()
        .ok_or_else(|| crate::LabError::Usage("exec needs a program".into()))?;
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    lab.on_node(machine, program, &args)
        .map(|out| print!("{out}"))
}

fn host_by_name(lab: &Lab, name: &str) -> Result<Host> {
    if name == "api" {
        return Ok(Host::Api);
    }
    match name.strip_prefix("bmc-") {
        Some(node) => Ok(Host::Bmc(lab.layout().machine(node)?)),
        None => Ok(Host::Node(lab.layout().machine(name)?)),
    }
}

fn print_json(value: &impl serde::Serialize) -> Result<()> {
    let text =
        serde_json::to_string_pretty(value).map_err(|e| crate::LabError::Usage(e.to_string()))?;
    println!("{text}");
    Ok(())
}
