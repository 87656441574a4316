//! Several clusters, one Masakari API, as larger clouds run them: Pacemaker takes several hundred
//! remotes per cluster, so a cloud of thousands runs several clusters, each with its own host
//! monitor and failover segment, all feeding one API.
//!
//! [`feed`] lets another lab (the feeder) use this lab's API: a point-to-point link from each of
//! the feeder's controllers into the API's namespace (every lab uses the same addresses on its own
//! bridge, so the links have addresses of their own, 10.251.N.0/30), and a segment of the
//! feeder's computes in this lab's API. Masakari host names are unique across segments and every
//! lab names its computes alike, so the feeder's computes are hosts named `FEEDER-computeN`, which
//! its monitor maps its node names to (`[host_names]`).

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use crate::error::{LabError, Result};
use crate::lab::Lab;
use crate::layout::{API_PORT, Host, Machine};
use crate::masakari;
use crate::netns::{self, LinkEnd};

/// The veth's name on the feeder's controllers.
const FEEDER_DEVICE: &str = "to-api";

/// How a feeder reaches the API, and the hosts it reports as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feed {
    /// The segment of the feeder's computes.
    pub segment: String,
    /// The API's endpoint as the feeder's controllers reach it (the same on each of them).
    pub endpoint: String,
    /// Feeder node name -> its host name in the API.
    pub host_names: BTreeMap<String, String>,
}

impl Feed {
    /// The host the API knows the feeder's node `node` by.
    pub fn host_name(&self, node: &str) -> Result<&str> {
        self.host_names
            .get(node)
            .map(String::as_str)
            .ok_or_else(|| LabError::Usage(format!("{node} is not a compute of the feeder")))
    }

    /// The feeder monitor's `[host_names]` section.
    pub fn host_names_toml(&self) -> String {
        let mut text = "[host_names]\n".to_owned();
        for (node, host) in &self.host_names {
            text.push_str(&format!("{node} = \"{host}\"\n"));
        }
        text
    }
}

/// Links `feeder`'s controllers to `api`'s Masakari API and registers its computes there, in a
/// segment of their own. One feeder per API lab (the links' addresses are fixed).
pub fn feed(api: &Lab, feeder: &Lab) -> Result<Feed> {
    let feeder_name = &feeder.layout().spec().name;
    let api_netns = api.layout().netns(Host::Api);
    let mut endpoint = None;
    for machine in feeder.layout().controllers() {
        let Machine::Controller(i) = machine else {
            continue;
        };
        let api_address = Ipv4Addr::new(10, 251, i, 1);
        let api_device = format!("{feeder_name}-{i}");
        let controller_netns = feeder.layout().netns(Host::Node(machine));
        netns::link(
            LinkEnd {
                netns: &api_netns,
                device: &api_device,
                address: api_address,
            },
            LinkEnd {
                netns: &controller_netns,
                device: FEEDER_DEVICE,
                address: Ipv4Addr::new(10, 251, i, 2),
            },
        )?;
        // Each controller reaches the API at the address of its own link; the feeder's monitor
        // moves between controllers with one configuration, so every link's API end answers at
        // the first one's address as well.
        let first = *endpoint.get_or_insert(api_address);
        if first != api_address {
            netns::add_route(&controller_netns, first, api_address)?;
        }
    }
    let endpoint =
        endpoint.ok_or_else(|| LabError::Usage(format!("lab {feeder_name} has no controller")))?;
    let host_names: BTreeMap<String, String> = feeder
        .layout()
        .computes()
        .iter()
        .map(|m| (m.name(), format!("{feeder_name}-{}", m.name())))
        .collect();
    let segment = format!("{feeder_name}-computes");
    let hosts: Vec<String> = host_names.values().cloned().collect();
    let description = format!("the computes of lab {feeder_name}");
    masakari::create_segment(api.layout(), api.tools(), &segment, &description, &hosts)?;
    let scheme = if api.layout().spec().keystone {
        "https"
    } else {
        "http"
    };
    Ok(Feed {
        segment,
        endpoint: format!("{scheme}://{endpoint}:{API_PORT}/v1"),
        host_names,
    })
}
