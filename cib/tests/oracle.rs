//! Pacemaker is the oracle: for every CIB in `tests/data/`, `crm_mon` run on the same file
//! must report the same per-node state as `Cib::node_statuses`.
//!
//! Set `CIB_ORACLE_DIR=/some/dir` to also compare every `*.xml` CIB in another directory
//! (for example Pacemaker's own `cts/scheduler/xml`). Without `crm_mon` the test fails (`make deps`
//! installs it), or is skipped, loudly, when `MASAKARI_PCMK_MAY_SKIP` is set.

#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)] // test helpers

use std::path::{Path, PathBuf};
use std::process::Command;

use cib::{Cib, CrmMon, NodeStatus};

#[test]
fn crm_mon_agrees_on_every_corpus_cib() {
    if Command::new("crm_mon").arg("--version").output().is_err() {
        assert!(
            std::env::var_os("MASAKARI_PCMK_MAY_SKIP").is_some(),
            "crm_mon (pacemaker-cli-utils) is not installed (make deps; MASAKARI_PCMK_MAY_SKIP=1 skips)"
        );
        eprintln!("SKIPPED: crm_mon (pacemaker-cli-utils) is not installed");
        return;
    }
    let mut files = cib_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data"));
    assert!(files.len() >= 10, "corpus too small: {files:?}");
    if let Ok(extra) = std::env::var("CIB_ORACLE_DIR") {
        files.extend(cib_files(Path::new(&extra)));
    }
    let mut failures = Vec::new();
    let mut compared = 0;
    for file in &files {
        match compare(file) {
            Ok(true) => compared += 1,
            Ok(false) => {}
            Err(diff) => failures.push(format!("{}:\n{diff}", file.display())),
        }
    }
    eprintln!(
        "compared {compared} CIBs with crm_mon, {} disagreements",
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn cib_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .filter(|p| std::fs::read_to_string(p).is_ok_and(|t| t.contains("<cib")))
        .collect();
    files.sort();
    files
}

/// Ok(true) when compared and equal, Ok(false) when crm_mon could not read the file.
fn compare(file: &Path) -> Result<bool, String> {
    let out = Command::new("crm_mon")
        .args(["-1", "--output-as=xml", "--inactive"])
        .env("CIB_file", file)
        .output()
        .map_err(|e| e.to_string())?;
    let Ok(mon) = CrmMon::parse(&String::from_utf8_lossy(&out.stdout)) else {
        return Ok(false);
    };
    let text = std::fs::read_to_string(file).map_err(|e| e.to_string())?;
    let cib = Cib::parse(&text).map_err(|e| format!("our parse failed: {e}"))?;
    // crm_mon judges at the current time; so do we (failures may have expired).
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let mut ours: Vec<String> = cib.node_statuses_at(now).iter().map(describe).collect();
    let mut theirs: Vec<String> = mon.nodes.iter().map(describe_mon).collect();
    ours.sort();
    theirs.sort();
    if ours == theirs {
        return Ok(true);
    }
    let only_ours: Vec<&String> = ours.iter().filter(|o| !theirs.contains(o)).collect();
    let only_theirs: Vec<&String> = theirs.iter().filter(|t| !ours.contains(t)).collect();
    Err(format!(
        "  ours:    {only_ours:?}\n  crm_mon: {only_theirs:?}"
    ))
}

fn line(name: &str, kind: &str, flags: [(&str, bool); 8]) -> String {
    let set: Vec<&str> = flags
        .iter()
        .filter(|(_, on)| *on)
        .map(|(n, _)| *n)
        .collect();
    format!("{name} {kind} [{}]", set.join(","))
}

fn describe(n: &NodeStatus) -> String {
    line(
        &n.name,
        n.kind.as_str(),
        [
            ("online", n.online),
            ("unclean", n.unclean),
            ("standby", n.standby),
            ("standby_onfail", n.standby_onfail),
            ("maintenance", n.maintenance),
            ("pending", n.pending),
            ("shutdown", n.shutdown),
            ("dc", n.is_dc),
        ],
    )
}

fn describe_mon(n: &cib::MonNode) -> String {
    line(
        &n.name,
        n.kind(),
        [
            ("online", n.online),
            ("unclean", n.unclean),
            ("standby", n.standby),
            ("standby_onfail", n.standby_onfail),
            ("maintenance", n.maintenance),
            ("pending", n.pending),
            ("shutdown", n.shutdown),
            ("dc", n.is_dc),
        ],
    )
}
