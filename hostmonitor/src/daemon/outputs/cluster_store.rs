//! The durable record kept in the cluster itself: one `crm_config` property (set `masakari-hostmonitor`,
//! name `state`) holding the record as JSON. A monitor restarted on another controller reads it back,
//! so it neither re-sends nor forgets a notification after a failover. Written through `cibadmin`'s
//! stdin (the record can be larger than one argv string may be), read with `crm_attribute`.

use std::process::Stdio;

use tokio::io::AsyncWriteExt as _;
use tokio::process::Command;

use crate::daemon::net::process::{TOOL_TIMEOUT, output};
use crate::engine::Record;

/// The property set holding the record.
pub const SET: &str = "masakari-hostmonitor";
/// The property's name.
pub const NAME: &str = "state";
/// crm_attribute's exit status for "no such attribute".
const NOT_FOUND: i32 = 105;

/// The record stored in the cluster, `None` when there is none yet.
pub async fn load() -> Result<Option<Record>, String> {
    let mut cmd = Command::new("crm_attribute");
    cmd.args([
        "--type",
        "crm_config",
        "--set-name",
        SET,
        "--name",
        NAME,
        "--query",
        "--quiet",
    ]);
    cmd.kill_on_drop(true).stdin(Stdio::null());
    let out = tokio::time::timeout(TOOL_TIMEOUT, cmd.output())
        .await
        .map_err(|_| "crm_attribute took too long".to_owned())?
        .map_err(|e| format!("cannot run crm_attribute: {e}"))?;
    if out.status.code() == Some(NOT_FOUND) {
        return Ok(None);
    }
    if !out.status.success() {
        return Err(format!(
            "crm_attribute failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    serde_json::from_slice(out.stdout.trim_ascii())
        .map(Some)
        .map_err(|e| {
            format!(
                "the record in the CIB is unreadable: {e} (remove it with \
                 crm_attribute --type crm_config --set-name {SET} --name {NAME} --delete)"
            )
        })
}

/// Replaces the record in the cluster; returns once the CIB has committed it.
pub async fn save(record: &Record) -> Result<(), String> {
    let json = serde_json::to_string(record).map_err(|e| e.to_string())?;
    let xml = fragment(&json);
    let mut child = Command::new("cibadmin")
        .args([
            "--modify",
            "--allow-create",
            "--scope",
            "crm_config",
            "--xml-pipe",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot run cibadmin: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(xml.as_bytes())
            .await
            .map_err(|e| format!("cibadmin stdin: {e}"))?;
    }
    let out = tokio::time::timeout(TOOL_TIMEOUT, child.wait_with_output())
        .await
        .map_err(|_| "cibadmin took too long".to_owned())?
        .map_err(|e| format!("cibadmin: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "cibadmin failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// The `cluster_property_set` carrying `json`, escaped for an XML attribute.
fn fragment(json: &str) -> String {
    let value = quick_xml::escape::escape(json);
    format!(
        "<cluster_property_set id=\"{SET}\"><nvpair id=\"{SET}-{NAME}\" name=\"{NAME}\" value=\"{value}\"/></cluster_property_set>"
    )
}

/// Whether the cluster tools can be used from here at all (the first load tells).
pub async fn reachable() -> bool {
    output(Command::new("cibadmin").args(["--query", "--scope", "crm_config"]))
        .await
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fragment_escapes_the_json() {
        let xml = fragment(r#"{"a":"<&>\""}"#);
        assert_eq!(
            xml,
            "<cluster_property_set id=\"masakari-hostmonitor\"><nvpair id=\"masakari-hostmonitor-state\" \
             name=\"state\" value=\"{&quot;a&quot;:&quot;&lt;&amp;&gt;\\&quot;&quot;}\"/></cluster_property_set>"
        );
    }
}
