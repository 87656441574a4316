//! The real Masakari API (PyPI `masakari`) in the lab's `api` namespace: noauth2 (or, with the
//! spec's `keystone`, `auth_strategy = keystone` over HTTPS, see [`crate::keystone`]), sqlite, fake transport,
//! a failover segment holding every compute. Without Nova, hosts are inserted into its database
//! (setup/register-hosts.py); everything else goes through the API itself.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::cmd::{command, output, run, spawn_detached};
use crate::error::{LabError, Result, file_error};
use crate::keystone;
use crate::layout::{API_PORT, Host, Layout};
use crate::procs;
use crate::tools::Tools;
use crate::wait::poll_until;

/// The token clients send under noauth2 (`user:project`).
pub const TOKEN: &str = "admin:admin";
/// The name of the lab's failover segment.
pub const SEGMENT: &str = "lab-computes";

/// A notification as the API stores and lists it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct StoredNotification {
    /// The notification's uuid.
    pub notification_uuid: String,
    /// The host it is about.
    pub source_host_uuid: String,
    /// `COMPUTE_HOST`, `VM` or `PROCESS`.
    #[serde(rename = "type")]
    pub kind: String,
    /// When the sender says the event happened.
    pub generated_time: String,
    /// When the API stored it.
    pub created_at: String,
    /// The payload as sent.
    pub payload: serde_json::Value,
    /// new, running, finished, failed, ignored, error.
    pub status: String,
}

/// Writes masakari.conf and creates the database.
pub fn configure(layout: &Layout, tools: &Tools) -> Result<()> {
    let dir = layout.host_dir(Host::Api);
    std::fs::create_dir_all(&dir).map_err(file_error(&dir))?;
    let paste = tools.venv_file("etc/masakari/api-paste.ini");
    let keystone = layout.spec().keystone;
    // It listens on every address of its own namespace: its lab's network, and the links of other
    // labs' controllers feeding it (see [`crate::shared_api`]).
    let conf = format!(
        "# Written by masakari-lab.\n\
         [DEFAULT]\n\
         auth_strategy = {strategy}\n\
         use_ssl = {keystone}\n\
         transport_url = fake://\n\
         masakari_api_listen = 0.0.0.0\n\
         masakari_api_listen_port = {API_PORT}\n\
         masakari_api_workers = 1\n\
         notification_delay_max = 0\n\
         duplicate_notification_detection_interval = {duplicates}\n\
         log_file = {log}\n\
         [wsgi]\n\
         api_paste_config = {paste}\n\
         [database]\n\
         connection = sqlite:///{db}\n\
         [taskflow]\n\
         connection = sqlite:///{taskflow}\n\
         {auth}",
        strategy = if keystone { "keystone" } else { "noauth2" },
        // With libvirt guests, or services, failing again and again with the same payload, the
        // API's duplicate check (same host, type and payload generated within 180 s: 409) would
        // hide a monitor that reports one event twice. At 0 it still refuses a retry of one
        // notification (the same generated_time) and stores every new event.
        duplicates = if layout.spec().libvirt || layout.spec().services {
            0
        } else {
            180
        },
        auth = if keystone {
            keystone::masakari_conf(layout)?
        } else {
            String::new()
        },
        paste = paste.display(),
        log = dir.join("masakari-api.log").display(),
        db = database(layout).display(),
        taskflow = dir.join("taskflow.db").display(),
    );
    let conf_file = config_file(layout);
    std::fs::write(&conf_file, conf).map_err(file_error(&conf_file))?;
    let mut sync = command(
        &tools.venv_bin("masakari-manage").to_string_lossy(),
        ["--config-file"],
    );
    sync.arg(&conf_file).args(["db", "sync"]);
    run(&mut sync)
}

/// Starts the API (does nothing when it runs) and waits until it answers.
pub fn start(layout: &Layout, tools: &Tools) -> Result<()> {
    let ns = layout.netns(Host::Api);
    // Keystone may run in the same namespace: look for the API itself.
    if procs::in_netns(&ns)
        .iter()
        .any(|p| p.comm == "masakari-api")
    {
        return Ok(());
    }
    let mut cmd = command("ip", ["netns", "exec", &ns]);
    cmd.arg(tools.venv_bin("masakari-api"))
        .arg("--config-file")
        .arg(config_file(layout));
    spawn_detached(&mut cmd, &layout.host_dir(Host::Api).join("stdout.log"))?;
    poll_until(
        "the Masakari API to answer",
        Duration::from_secs(60),
        || Ok(request(layout, "GET", "/segments", None).ok()),
    )
    .map(drop)
}

/// Stops the API: every process in its namespace is killed.
pub fn stop(layout: &Layout) -> Result<()> {
    procs::kill_netns(&layout.netns(Host::Api))
}

/// Creates the failover segment and registers every compute in it.
pub fn register_computes(layout: &Layout, tools: &Tools) -> Result<()> {
    let names: Vec<String> = layout.computes().iter().map(|m| m.name()).collect();
    create_segment(layout, tools, SEGMENT, "every compute of the lab", &names)
}

/// Creates a failover segment called `name` in this lab's API and registers `hosts` in it.
pub fn create_segment(
    layout: &Layout,
    tools: &Tools,
    name: &str,
    description: &str,
    hosts: &[String],
) -> Result<()> {
    let body = serde_json::json!({"segment": {
        "name": name, "service_type": "COMPUTE", "recovery_method": "auto",
        "description": description}});
    let answer = request(layout, "POST", "/segments", Some(&body.to_string()))?;
    let uuid = answer
        .pointer("/segment/uuid")
        .and_then(|v| v.as_str())
        .ok_or_else(|| answer_error(format!("no segment uuid in {answer}")))?;
    insert_hosts(layout, tools, uuid, hosts)
}

/// Registers more hosts in the lab's segment (made by [`register_computes`]).
pub fn register_hosts(layout: &Layout, tools: &Tools, names: &[&str]) -> Result<()> {
    let answer = request(layout, "GET", "/segments", None)?;
    let uuid = answer
        .get("segments")
        .and_then(|s| s.as_array())
        .into_iter()
        .flatten()
        .find(|s| s.get("name").and_then(|n| n.as_str()) == Some(SEGMENT))
        .and_then(|s| s.get("uuid").and_then(|u| u.as_str()))
        .ok_or_else(|| answer_error(format!("no segment {SEGMENT} in {answer}")))?;
    insert_hosts(layout, tools, uuid, names)
}

fn insert_hosts(
    layout: &Layout,
    tools: &Tools,
    segment: &str,
    names: &[impl AsRef<std::ffi::OsStr>],
) -> Result<()> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("setup/register-hosts.py");
    let mut cmd = command(&tools.venv_bin("python3").to_string_lossy(), [&script]);
    cmd.arg(database(layout)).arg(segment);
    cmd.args(names);
    run(&mut cmd)
}

/// The notifications the API has stored, oldest first.
pub fn notifications(layout: &Layout) -> Result<Vec<StoredNotification>> {
    let answer = request(layout, "GET", "/notifications?sort_dir=asc", None)?;
    let list = answer
        .get("notifications")
        .cloned()
        .ok_or_else(|| answer_error(format!("no notifications list in {answer}")))?;
    serde_json::from_value(list).map_err(|e| answer_error(e.to_string()))
}

/// The uuid of every registered host, by name.
pub fn host_uuids(layout: &Layout) -> Result<std::collections::BTreeMap<String, String>> {
    let segments = request(layout, "GET", "/segments", None)?;
    let mut uuids = std::collections::BTreeMap::new();
    let list = segments
        .get("segments")
        .and_then(|s| s.as_array())
        .cloned()
        .unwrap_or_default();
    for segment in list {
        let Some(id) = segment.get("uuid").and_then(|u| u.as_str()) else {
            continue;
        };
        let hosts = request(layout, "GET", &format!("/segments/{id}/hosts"), None)?;
        for h in hosts
            .get("hosts")
            .and_then(|h| h.as_array())
            .into_iter()
            .flatten()
        {
            if let (Some(name), Some(uuid)) = (
                h.get("name").and_then(|v| v.as_str()),
                h.get("uuid").and_then(|v| v.as_str()),
            ) {
                uuids.insert(name.to_owned(), uuid.to_owned());
            }
        }
    }
    Ok(uuids)
}

/// The notifications stored for one host (by name), oldest first.
pub fn notifications_for(layout: &Layout, host: &str) -> Result<Vec<StoredNotification>> {
    let uuid = host_uuids(layout)?.remove(host).unwrap_or_default();
    Ok(notifications(layout)?
        .into_iter()
        .filter(|n| n.source_host_uuid == uuid)
        .collect())
}

/// Posts a notification as a monitor would; the HTTP status code and the body.
pub fn post_notification(layout: &Layout, body: &serde_json::Value) -> Result<(u16, String)> {
    let text = curl(
        layout,
        "POST",
        "/notifications",
        Some(&body.to_string()),
        true,
    )?;
    let (body, code) = text.rsplit_once('\n').unwrap_or(("", text.as_str()));
    let code = code
        .trim()
        .parse()
        .map_err(|_| answer_error(format!("no status code in {text:?}")))?;
    Ok((code, body.to_owned()))
}

/// One request to the API from inside the lab (the API's address exists only in the lab's namespaces).
pub fn request(
    layout: &Layout,
    method: &str,
    path: &str,
    body: Option<&str>,
) -> Result<serde_json::Value> {
    let text = curl(layout, method, path, body, false)?;
    serde_json::from_str(&text).map_err(|e| answer_error(format!("{e} in {text:?}")))
}

fn curl(
    layout: &Layout,
    method: &str,
    path: &str,
    body: Option<&str>,
    code: bool,
) -> Result<String> {
    let url = format!("{}{path}", layout.api_url());
    let ns = layout.netns(Host::Api);
    let mut cmd = command(
        "ip",
        [
            "netns",
            "exec",
            &ns,
            "curl",
            "-sS",
            "--max-time",
            "10",
            "-X",
            method,
        ],
    );
    if layout.spec().keystone {
        cmd.arg("-H").arg(format!(
            "@{}",
            keystone::admin_token_header(layout)?.display()
        ));
        cmd.arg("--cacert").arg(crate::tls::ca_file(layout));
    } else {
        cmd.args(["-H", &format!("X-Auth-Token: {TOKEN}")]);
    }
    cmd.args(["-H", "Content-Type: application/json"]);
    if code {
        cmd.args(["-w", "\n%{http_code}"]);
    } else {
        cmd.arg("--fail-with-body");
    }
    if let Some(body) = body {
        cmd.args(["--data", body]);
    }
    cmd.arg(url);
    output(&mut cmd)
}

fn answer_error(detail: String) -> LabError {
    LabError::Answer {
        peer: "masakari-api".to_owned(),
        detail,
    }
}

fn config_file(layout: &Layout) -> PathBuf {
    layout.host_dir(Host::Api).join("masakari.conf")
}

fn database(layout: &Layout) -> PathBuf {
    layout.host_dir(Host::Api).join("masakari.db")
}
