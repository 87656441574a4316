//! `masakari-hostmonitor nodes`: each node's kind, state and fence devices.

use std::io::{BufWriter, Write};
use std::process::Command;
use std::time::Duration;

use serde::Serialize;

use super::cib_text::CibText;
use super::{CliError, NodesArgs};

/// One node as printed by `nodes --json`.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub(crate) struct NodeRow {
    name: String,
    kind: &'static str,
    online: bool,
    unclean: bool,
    standby: bool,
    maintenance: bool,
    fence_devices: Vec<String>,
}

pub(super) fn run(args: &NodesArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let (text, source_name) = match &args.cib_file {
        Some(path) => (
            CibText::open(path).map_err(|source| CliError::ReadCib {
                path: path.clone(),
                source,
            })?,
            path.display().to_string(),
        ),
        None => (CibText::Read(query_cib()?), "cibadmin --query".to_owned()),
    };
    let cib =
        cib::Cib::parse(text.as_str()).map_err(|error| CliError::Parse { source_name, error })?;
    let statuses = cib.node_statuses_at(now());
    let dc = statuses.iter().find(|n| n.is_dc).map(|n| n.name.clone());
    let rows = rows(&cib, statuses);
    // Buffered: stdout is line-buffered, which would make 1,000 rows 1,000 system calls.
    let mut out = BufWriter::new(out);
    if args.json {
        serde_json::to_writer_pretty(&mut out, &rows).map_err(std::io::Error::from)?;
        writeln!(out)?;
    } else {
        write_table(&cib, dc.as_deref(), &rows, &mut out)?;
    }
    out.flush()?;
    // The process exits right after this command (`main` only maps the outcome to an exit
    // code): freeing the model's tens of thousands of allocations one by one takes about
    // 0.5 ms on a CIB of 1,000 remotes, while exit hands all the memory back at once.
    std::mem::forget(cib);
    Ok(())
}

/// Reads the live CIB. `cibadmin` waits for the CIB manager; a bounded timeout keeps a
/// hung cluster from hanging the operator's shell.
fn query_cib() -> Result<String, CliError> {
    let timeout = Duration::from_secs(30);
    let output = Command::new("cibadmin")
        .args(["--query", "--timeout", &timeout.as_secs().to_string()])
        .output()
        .map_err(|e| CliError::Cibadmin(format!("cannot run cibadmin: {e}")))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(CliError::Cibadmin(format!(
            "{} ({})",
            stderr.trim(),
            output.status
        )));
    }
    String::from_utf8(output.stdout)
        .map_err(|_| CliError::Cibadmin("output is not UTF-8".to_owned()))
}

/// Seconds since the epoch: nodes are judged as Pacemaker sees them now (expired failures no
/// longer count).
fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// One row per node of `statuses`, with the node's fence devices.
fn rows(cib: &cib::Cib, statuses: Vec<cib::NodeStatus>) -> Vec<NodeRow> {
    let devices = cib.fence_index();
    statuses
        .into_iter()
        .map(|n| NodeRow {
            fence_devices: devices
                .devices_for(&n.name)
                .iter()
                .map(|d| d.id().to_owned())
                .collect(),
            name: n.name,
            kind: n.kind.as_str(),
            online: n.online,
            unclean: n.unclean,
            standby: n.standby,
            maintenance: n.maintenance,
        })
        .collect()
}

/// The table: quorum and the DC's name (`dc`, from the same statuses as the rows), then one
/// line per node.
fn write_table(
    cib: &cib::Cib,
    dc: Option<&str>,
    rows: &[NodeRow],
    out: &mut impl Write,
) -> std::io::Result<()> {
    let dc = dc.unwrap_or("none");
    let quorum = if cib.have_quorum { "yes" } else { "NO" };
    writeln!(out, "quorum: {quorum}  DC: {dc}")?;
    let width = rows.iter().map(|r| r.name.len()).max().unwrap_or(0).max(4);
    writeln!(
        out,
        "{:width$}  {:6}  {:7}  {:7}  {:7}  {:11}  FENCE DEVICES",
        "NAME", "KIND", "ONLINE", "UNCLEAN", "STANDBY", "MAINTENANCE"
    )?;
    for r in rows {
        let devices = if r.fence_devices.is_empty() {
            "-".to_owned()
        } else {
            r.fence_devices.join(",")
        };
        writeln!(
            out,
            "{:width$}  {:6}  {:7}  {:7}  {:7}  {:11}  {devices}",
            r.name,
            r.kind,
            yes_no(r.online),
            yes_no(r.unclean),
            yes_no(r.standby),
            yes_no(r.maintenance),
        )?;
    }
    Ok(())
}

fn yes_no(flag: bool) -> &'static str {
    if flag { "yes" } else { "no" }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{Cli, Command, run as run_cli};
    use std::path::PathBuf;

    fn corpus(name: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../cib/tests/data")
            .join(name)
    }

    fn nodes(file: &str, json: bool) -> Result<String, CliError> {
        nodes_from(corpus(file), json)
    }

    fn nodes_from(path: PathBuf, json: bool) -> Result<String, CliError> {
        let cli = Cli {
            command: Command::Nodes(NodesArgs {
                cib_file: Some(path),
                json,
            }),
        };
        let mut out = Vec::new();
        run_cli(cli, &mut out)?;
        Ok(String::from_utf8(out).unwrap())
    }

    #[test]
    fn json_lists_every_node_with_its_devices() {
        let text = nodes("remote-lost.xml", true).unwrap();
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        let node = |name: &str| {
            value
                .as_array()
                .unwrap()
                .iter()
                .find(|n| n["name"] == name)
                .unwrap()
                .clone()
        };
        let cmp1 = node("cmp1");
        assert_eq!(cmp1["kind"], "remote");
        assert_eq!(cmp1["online"], false);
        assert_eq!(cmp1["unclean"], true);
        assert_eq!(cmp1["fence_devices"], serde_json::json!(["fence-cmp1"]));
        let cmp2 = node("cmp2");
        assert_eq!(
            cmp2["fence_devices"],
            serde_json::json!(["fence-cmp2", "fence-ctl1", "fence-ctl2"])
        );
        assert_eq!(value.as_array().unwrap().len(), 5);
        assert!(!text.contains("secret"));
    }

    #[test]
    fn table_has_a_header_and_one_line_per_node() {
        let text = nodes("guest-nodes.xml", false).unwrap();
        assert!(text.starts_with("quorum: yes  DC: ctl1\n"), "{text}");
        assert!(
            text.lines()
                .any(|l| l.starts_with("vm1 ") && l.contains("guest")),
            "{text}"
        );
        assert_eq!(text.lines().count(), 2 + 5);
    }

    #[test]
    fn missing_and_malformed_files_are_errors() {
        let err = nodes("does-not-exist.xml", false).unwrap_err();
        assert!(err.to_string().contains("does-not-exist.xml"), "{err}");
        let dir = std::env::temp_dir().join(format!("hm-cli-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let bad = dir.join("bad.xml");
        std::fs::write(&bad, "<cib><configuration>").unwrap();
        let err = nodes_from(bad, false).unwrap_err();
        assert!(err.to_string().contains("byte"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
