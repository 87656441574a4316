//! Private node attributes in pacemaker-attrd, through `attrd_updater`: values kept in the memory
//! of every node's attribute daemon (replicated over corosync), never written to the CIB, so
//! setting one makes no configuration change and no scheduler run. attrd drops a node's values
//! when that node leaves the cluster, and a full cluster restart drops them all.

use tokio::process::Command;

use crate::daemon::net::process::{ProcessError, output};

/// One node's value of an attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeValue {
    /// The node the value is set for.
    pub node: String,
    /// The value (never empty: attrd's "deleted" is an empty value and is left out).
    pub value: String,
}

/// What the record needs of pacemaker-attrd; [`AttrdUpdater`] in the daemon, an in-memory cluster
/// in tests.
pub(crate) trait Attrd {
    /// Every node's value of the attribute `name` (none when it is set nowhere).
    async fn query_all(&self, name: &str) -> Result<Vec<NodeValue>, ProcessError>;
    /// Sets the private attribute `name` of `node` to `value` (an empty value deletes it).
    async fn update(&self, name: &str, node: &str, value: &str) -> Result<(), ProcessError>;
    /// The nodes of the local node's cluster partition.
    async fn partition(&self) -> Result<Vec<String>, ProcessError>;
}

impl<T: Attrd> Attrd for &T {
    async fn query_all(&self, name: &str) -> Result<Vec<NodeValue>, ProcessError> {
        (**self).query_all(name).await
    }

    async fn update(&self, name: &str, node: &str, value: &str) -> Result<(), ProcessError> {
        (**self).update(name, node, value).await
    }

    async fn partition(&self) -> Result<Vec<String>, ProcessError> {
        (**self).partition().await
    }
}

/// pacemaker-attrd through `attrd_updater` (and `crm_node --partition`).
#[derive(Debug, Clone, Copy, Default)]
pub struct AttrdUpdater;

impl Attrd for AttrdUpdater {
    async fn query_all(&self, name: &str) -> Result<Vec<NodeValue>, ProcessError> {
        let out = output(Command::new("attrd_updater").args(["--query", "--all", "--name", name]))
            .await
            .or_else(unset_is_empty)?;
        Ok(parse_query(&out))
    }

    async fn update(&self, name: &str, node: &str, value: &str) -> Result<(), ProcessError> {
        let args = [
            "--private",
            "--name",
            name,
            "--node",
            node,
            "--update",
            value,
        ];
        output(Command::new("attrd_updater").args(args))
            .await
            .map(drop)
    }

    async fn partition(&self) -> Result<Vec<String>, ProcessError> {
        let out = output(Command::new("crm_node").arg("--partition")).await?;
        Ok(out.split_whitespace().map(str::to_owned).collect())
    }
}

/// attrd_updater 2.1.5 fails (exit 78) with "attribute does not exist" when no node has the
/// attribute: that is an answer, not a failure.
fn unset_is_empty(error: ProcessError) -> Result<String, ProcessError> {
    match &error {
        ProcessError::Failed { stderr, .. } if stderr.contains("attribute does not exist") => {
            Ok(String::new())
        }
        _ => Err(error),
    }
}

/// Reads `name="N" host="H" value="V"` lines. attrd_updater prints the value unescaped and last on
/// the line, so everything between `value="` and the line's final quote is the value.
fn parse_query(out: &str) -> Vec<NodeValue> {
    out.lines().filter_map(parse_line).collect()
}

fn parse_line(line: &str) -> Option<NodeValue> {
    let (_, rest) = line.split_once(" host=\"")?;
    let (node, rest) = rest.split_once('"')?;
    let value = rest.strip_prefix(" value=\"")?.strip_suffix('"')?;
    (!value.is_empty()).then(|| NodeValue {
        node: node.to_owned(),
        value: value.to_owned(),
    })
}

#[cfg(test)]
pub(crate) mod fake;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_gives_each_node_its_value_quotes_and_all() {
        let out = "name=\"r\" host=\"ctl1\" value=\"{\"g\":3,\"s\":\"a b\"}\"\n\
                   name=\"r\" host=\"ctl2\" value=\"\"\n\
                   garbage\n";
        assert_eq!(
            parse_query(out),
            [NodeValue {
                node: "ctl1".into(),
                value: r#"{"g":3,"s":"a b"}"#.into()
            }]
        );
    }

    #[test]
    fn an_attribute_set_nowhere_is_no_failure() {
        let failed = |code: i32, stderr: &str| ProcessError::Failed {
            program: "attrd_updater".into(),
            status: std::os::unix::process::ExitStatusExt::from_raw(code << 8),
            stderr: stderr.into(),
        };
        let unset = failed(
            78,
            "attrd_updater: Could not query value of masakari-none: attribute does not exist",
        );
        assert_eq!(unset_is_empty(unset).ok(), Some(String::new()));
        let down = failed(
            102,
            "Could not query value of r: Transport endpoint is not connected",
        );
        assert!(unset_is_empty(down).is_err());
    }
}
