//! What the OCF agents' lab tests share: pcs and crm_resource on the controller, where Pacemaker
//! runs a resource, and the daemons' logs on their nodes.

#![allow(clippy::panic, dead_code)] // test harness: failing loudly is the point

use masakari_lab::stage::Stage;
use masakari_lab::{Host, Lab, LabSpec};

/// A lab of `spec` running this build's binaries (staged under the lab's name), and its stage,
/// which must outlive it.
pub fn staged_lab(spec: LabSpec) -> (Lab, Stage) {
    let stage = Stage::install(&spec.name).unwrap_or_else(|e| panic!("staging: {e}"));
    let lab = Lab::up(LabSpec {
        stage: Some(stage.root().to_owned()),
        ..spec
    })
    .unwrap_or_else(|e| panic!("lab up: {e}"));
    (lab, stage)
}

/// Writes `text` to `name` in the lab's directory, a path every node sees alike (as configuration
/// management would lay the file); that path.
pub fn shared_file(lab: &Lab, name: &str, text: &str) -> String {
    let path = lab.layout().dir().join(name);
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    path.display().to_string()
}

/// `pcs ARGS` on the first controller; its output (a failure panics with pcs's words).
pub fn pcs(lab: &Lab, args: &[&str]) -> String {
    lab.on_controller("pcs", args)
        .unwrap_or_else(|e| panic!("pcs {args:?}: {e}"))
}

/// The nodes Pacemaker says `resource` (a primitive or a clone) runs on (none when it cannot say).
pub fn located(lab: &Lab, resource: &str) -> Vec<String> {
    lab.located(resource).unwrap_or_default()
}

/// `file` (a log the daemon writes under the node's /var/log/pacemaker) of each of `nodes`.
pub fn logs(lab: &Lab, nodes: &[&str], file: &str) -> String {
    let mut text = String::new();
    for node in nodes {
        let Ok(machine) = lab.layout().machine(node) else {
            continue;
        };
        let path = lab
            .layout()
            .host_dir(Host::Node(machine))
            .join("log")
            .join(file);
        let log = std::fs::read_to_string(&path).unwrap_or_default();
        text.push_str(&format!("== {node}\n{log}"));
    }
    text
}
