//! The lab network: one bridge namespace and a veth into each host's own network namespace, and
//! point-to-point links between labs.

use std::net::Ipv4Addr;

use crate::cmd::{command, output, run};
use crate::error::Result;
use crate::layout::{Host, Layout, NETNS_PREFIX};
use crate::procs;

const BRIDGE: &str = "br0";

/// Creates the bridge namespace and every host's namespace, addressed and up.
pub fn create(layout: &Layout) -> Result<()> {
    let br = layout.bridge_netns();
    ip(["netns", "add", &br])?;
    ip(["-n", &br, "link", "set", "lo", "up"])?;
    ip(["-n", &br, "link", "add", BRIDGE, "type", "bridge"])?;
    ip(["-n", &br, "link", "set", BRIDGE, "up"])?;
    for host in layout.hosts() {
        attach(layout, host)?;
    }
    Ok(())
}

fn attach(layout: &Layout, host: Host) -> Result<()> {
    let br = layout.bridge_netns();
    let ns = layout.netns(host);
    let port = host.short();
    let cidr = format!("{}/24", host.address());
    ip(["netns", "add", &ns])?;
    ip(["-n", &ns, "link", "set", "lo", "up"])?;
    ip([
        "-n", &br, "link", "add", &port, "type", "veth", "peer", "name", "eth0", "netns", &ns,
    ])?;
    ip(["-n", &br, "link", "set", &port, "master", BRIDGE, "up"])?;
    ip(["-n", &ns, "addr", "add", &cidr, "dev", "eth0"])?;
    ip(["-n", &ns, "link", "set", "eth0", "up"])
}

/// Cuts (`up == false`) or restores a host's network link at the bridge, like pulling its cable.
pub fn set_link(layout: &Layout, host: Host, up: bool) -> Result<()> {
    let state = if up { "up" } else { "down" };
    ip([
        "-n",
        &layout.bridge_netns(),
        "link",
        "set",
        &host.short(),
        state,
    ])
}

/// Drops (`dropped == true`) every frame to and from a host, or forwards them again, as a dead switch
/// port would: its veth leaves the bridge, so nothing is delivered and nothing is refused, while the
/// host's own link stays up. (This kernel has no netem and no tc classifiers, nor nft/iptables on the
/// machine, so the drop is done at the bridge.)
pub fn set_dropped(layout: &Layout, host: Host, dropped: bool) -> Result<()> {
    let br = layout.bridge_netns();
    let port = host.short();
    match dropped {
        true => ip(["-n", &br, "link", "set", &port, "nomaster"]),
        false => ip(["-n", &br, "link", "set", &port, "master", BRIDGE]),
    }
}

/// One end of a [`link`]: a namespace, the name of the veth in it and its address on the link.
#[derive(Debug, Clone, Copy)]
pub struct LinkEnd<'a> {
    /// The network namespace.
    pub netns: &'a str,
    /// The veth's name there.
    pub device: &'a str,
    /// Its address, in a /30 of its own shared with the other end only.
    pub address: Ipv4Addr,
}

/// Joins two namespaces, of one lab or of two, with a point-to-point veth in its own /30: labs all
/// use the same addresses on their bridges, so a link between two of them must be outside those.
/// The link goes when either namespace is deleted.
pub fn link(a: LinkEnd<'_>, b: LinkEnd<'_>) -> Result<()> {
    ip([
        "-n", a.netns, "link", "add", a.device, "type", "veth", "peer", "name", b.device, "netns",
        b.netns,
    ])?;
    for end in [a, b] {
        let cidr = format!("{}/30", end.address);
        ip(["-n", end.netns, "addr", "add", &cidr, "dev", end.device])?;
        ip(["-n", end.netns, "link", "set", end.device, "up"])?;
    }
    Ok(())
}

/// Routes `destination` (one address) through `gateway` in a namespace.
pub fn add_route(netns: &str, destination: Ipv4Addr, gateway: Ipv4Addr) -> Result<()> {
    let destination = format!("{destination}/32");
    let gateway = gateway.to_string();
    ip(["-n", netns, "route", "add", &destination, "via", &gateway])
}

/// The network namespaces of the lab called `name` that exist now, whatever its spec was.
pub fn existing(name: &str) -> Result<Vec<String>> {
    let prefix = format!("{NETNS_PREFIX}{name}-");
    let list = output(&mut command("ip", ["netns", "list"]))?;
    Ok(list
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|ns| ns.starts_with(&prefix))
        .map(str::to_owned)
        .collect())
}

/// Kills every process in the lab's namespaces and deletes the namespaces (and so their veths). The
/// BMCs go first: a BMC still running could power a node on again (the "on" half of a fence reboot)
/// after that node's processes were killed, leaving an orphan once its namespace is gone.
pub fn destroy(name: &str) -> Result<()> {
    let mut namespaces = existing(name)?;
    namespaces.sort_by_key(|ns| !ns.contains("-bmc-"));
    for ns in &namespaces {
        procs::kill_netns(ns)?;
    }
    for ns in &namespaces {
        ip(["netns", "delete", ns])?;
    }
    Ok(())
}

fn ip<const N: usize>(args: [&str; N]) -> Result<()> {
    run(&mut command("ip", args))
}
