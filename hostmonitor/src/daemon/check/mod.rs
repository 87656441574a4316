//! `masakari-hostmonitor check`: whether this node can run the monitor, one finding per
//! dependency, each saying exactly what is wrong: Pacemaker's state (`crm_mon`), corosync's quorum
//! service, and the Masakari API with the configured credentials (an authenticated
//! `GET /segments`, which changes nothing, and whether the watched nodes are hosts of its
//! segments: masakari-client's [`masakari_client::check`], which the instance monitor's check
//! shares).

pub mod process_list;

use masakari_client::check::registration;
pub use masakari_client::check::{Finding, Verdict};

use crate::control::client::ControlError;
use crate::control::{self, CorosyncLink, StatusAnswer};
use crate::daemon::inputs::{reconcile, services};
use crate::daemon::net::process::ProcessError;
use crate::daemon::now;
use crate::engine::{Snapshot, Timestamp};
use crate::settings::Settings;
use crate::snapshot;

/// crm_mon's exit status when it cannot connect to Pacemaker.
const CRM_EX_NOT_CONNECTED: i32 = 102;

/// Runs every check (blocking; for the CLI).
pub fn check(settings: &Settings) -> Vec<Finding> {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            return vec![Finding::new(
                "runtime",
                Verdict::Fail,
                format!("cannot start: {e}"),
            )];
        }
    };
    runtime.block_on(async {
        let (cluster, watched) = pacemaker(settings).await;
        let quorum = corosync();
        let link = daemon_link(
            control::client::status(&settings.paths.control_socket),
            now(),
        );
        let (api_finding, api) =
            masakari_client::check::masakari(&settings.masakari, "masakari-hostmonitor").await;
        let processes = processes(settings).await;
        let mut findings = vec![
            cluster,
            detection().await,
            processes,
            quorum,
            link,
            api_finding,
        ];
        if let (Some(watched), Some(api)) = (watched, api) {
            let config = settings.engine_config();
            let hosts: Vec<String> = watched
                .iter()
                .map(|node| config.masakari_name(node).to_owned())
                .collect();
            findings.push(registration::check(&api, &hosts).await);
        }
        findings
    })
}

/// masakari-monitors' process list against the watched resources the CIB configures (or, when
/// the CIB cannot be read, every process name `[processes]` names).
async fn processes(settings: &Settings) -> Finding {
    let path = &settings.processes.process_list;
    let text = match std::fs::read_to_string(path) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            let detail = format!("{}: {e}", path.display());
            return Finding::new("processes", Verdict::Warn, detail);
        }
    };
    let watched = match services::read(&settings.processes, now()).await {
        Ok(reading) => reading.processes,
        Err(_) => settings
            .processes
            .process_names()
            .map(str::to_owned)
            .collect(),
    };
    let covered: Vec<&str> = watched.iter().map(String::as_str).collect();
    process_list::judge(path, text.as_deref(), &covered)
}

/// Pacemaker's view, and the watched nodes when it could be read.
async fn pacemaker(settings: &Settings) -> (Finding, Option<Vec<String>>) {
    match cluster(settings).await {
        Ok((finding, watched)) => (finding, Some(watched)),
        Err(finding) => (finding, None),
    }
}

async fn cluster(settings: &Settings) -> Result<(Finding, Vec<String>), Finding> {
    let subject = "pacemaker";
    let mut config = settings.engine_config();
    let local = match config.local_node.clone() {
        Some(name) => name,
        None => match reconcile::local_node_name().await {
            Ok(name) => name,
            Err(e) => {
                return Err(Finding::new(
                    subject,
                    Verdict::Fail,
                    format!("{e} (is Pacemaker running on this node? or set monitor.local_node)"),
                ));
            }
        },
    };
    config.local_node = Some(local.clone());
    let xml = match reconcile::crm_mon().await {
        Ok(xml) => xml,
        Err(e) => return Err(Finding::new(subject, Verdict::Fail, crm_mon_failure(&e))),
    };
    let remotes = match reconcile::remote_node_states().await {
        Ok(states) => states,
        Err(e) => return Err(Finding::new(subject, Verdict::Fail, e.to_string())),
    };
    let snapshot = match snapshot::from_crm_mon(&xml, &remotes, &local, now()) {
        Ok(s) => s,
        Err(e) => {
            return Err(Finding::new(
                subject,
                Verdict::Fail,
                format!("crm_mon's XML is unusable: {e}"),
            ));
        }
    };
    let watches = |name: &str, kind| config.watches(name, kind);
    let watched = snapshot
        .nodes
        .iter()
        .filter(|n| watches(&n.name, n.kind))
        .map(|n| n.name.clone())
        .collect();
    Ok((judge_snapshot(&snapshot, &local, watches), watched))
}

/// crm_mon's XML mode reports its errors on stdout, so its failure text is often empty: say
/// what its exit status means (102: `CRM_EX_NOT_CONNECTED`).
fn crm_mon_failure(error: &ProcessError) -> String {
    if error.exit_code() == Some(CRM_EX_NOT_CONNECTED) {
        return format!(
            "{}: Pacemaker is not running on this node, or I may not connect to it (root or the haclient group)",
            error.to_string().trim_end().trim_end_matches(':')
        );
    }
    format!("{error} (is Pacemaker running, and am I root or in the haclient group?)")
}

fn judge_snapshot(
    s: &Snapshot,
    local: &str,
    watched: impl Fn(&str, crate::engine::NodeKind) -> bool,
) -> Finding {
    let watched: Vec<&str> = s
        .nodes
        .iter()
        .filter(|n| watched(&n.name, n.kind))
        .map(|n| n.name.as_str())
        .collect();
    let offline = s
        .nodes
        .iter()
        .filter(|n| watched.contains(&n.name.as_str()) && !n.online)
        .count();
    let detail = format!(
        "crm_mon: {} nodes, {} watched ({offline} offline); this node is {local}",
        s.nodes.len(),
        watched.len()
    );
    if !s.quorate {
        return Finding::new(
            "pacemaker",
            Verdict::Warn,
            format!("{detail}; the cluster partition has NO QUORUM: nothing would be sent"),
        );
    }
    if watched.is_empty() {
        return Finding::new(
            "pacemaker",
            Verdict::Warn,
            format!("{detail}; no node is of a watched kind (see monitor.watch_*)"),
        );
    }
    Finding::new("pacemaker", Verdict::Ok, format!("{detail}; quorate"))
}

/// Above this, a hung compute is found too late for a notification within 15 s of the fault.
const DETECTION_WARN_MS: u64 = 10_000;

/// How soon each remote would be found if it hung, from the CIB's connection resources.
async fn detection() -> Finding {
    let subject = "hung detection";
    let mut query = tokio::process::Command::new("cibadmin");
    query.arg("--query");
    let xml = match crate::daemon::net::process::output(&mut query).await {
        Ok(xml) => xml,
        Err(e) => return Finding::new(subject, Verdict::Fail, e.to_string()),
    };
    match cib::Cib::parse(&xml) {
        Ok(cib) => judge_detection(&cib.remote_watches()),
        Err(e) => Finding::new(subject, Verdict::Fail, format!("the CIB is unusable: {e}")),
    }
}

/// One line per remote: how soon it is found if hung (`interval + timeout`) and how soon its
/// fence starts (adding the devices' `pcmk_delay_*`, or the watchdog timeout), a warning above
/// the threshold or when the failure would not fence it.
fn judge_detection(watches: &[cib::RemoteWatch]) -> Finding {
    let mut slow = false;
    let lines: Vec<String> = watches
        .iter()
        .map(|w| {
            let line = detection_line(w);
            slow |= w.fence_within_ms().is_none_or(|ms| ms > DETECTION_WARN_MS);
            format!("{}: {line}", w.remote)
        })
        .collect();
    let detail = format!("if hung: {}", lines.join("; "));
    match slow {
        true => Finding::new(
            "hung detection",
            Verdict::Warn,
            format!(
                "{detail}; above 10 s or never fenced (ship op monitor interval=3s timeout=5s, no \
                 on-fail, no pcmk_delay_* on the computes' devices)"
            ),
        ),
        false => Finding::new("hung detection", Verdict::Ok, detail),
    }
}

/// What one remote's hang leads to, and when.
fn detection_line(w: &cib::RemoteWatch) -> String {
    let seconds = |ms: u64| format!("{:.1} s", ms as f64 / 1000.0);
    let Some(found) = w.monitor.worst_case_ms() else {
        return format!("{:?}, no bound", w.monitor);
    };
    let found = format!("found within {}", seconds(found));
    match (&w.response, w.fence_within_ms()) {
        (cib::Response::Fenced { delay_ms: 0, .. }, _) => found,
        (cib::Response::Fenced { watchdog: true, .. }, Some(ms)) => {
            format!("{found}, fenced by the watchdog within {}", seconds(ms))
        }
        (cib::Response::Fenced { delay_ms, .. }, Some(ms)) => format!(
            "{found}, fencing starts within {} (pcmk_delay_* up to {})",
            seconds(ms),
            seconds(*delay_ms)
        ),
        (cib::Response::NotFenced(why), _) => format!("{found}, never fenced: {}", never(why)),
        (other, _) => format!("{found}, then {other:?}"),
    }
}

fn never(why: &cib::NotFenced) -> String {
    match why {
        cib::NotFenced::FencingDisabled => "stonith-enabled=false".to_owned(),
        cib::NotFenced::Unmanaged => "its connection is unmanaged".to_owned(),
        cib::NotFenced::OnFail(v) => format!("the monitor's on-fail={v} replaces the reset"),
        cib::NotFenced::NoDevice => "no fence device and no stonith-watchdog-timeout".to_owned(),
        other => format!("{other:?}"),
    }
}

fn corosync() -> Finding {
    use rust_corosync::quorum::{self, Model1Data, Model1Flags, ModelData};
    let subject = "corosync";
    let model = ModelData::ModelV1(Model1Data {
        flags: Model1Flags::None,
        quorum_notification_fn: None,
        nodelist_notification_fn: None,
    });
    let handle = match quorum::initialize(&model, 0) {
        Ok((handle, _)) => handle,
        Err(e) => {
            return Finding::new(
                subject,
                Verdict::Fail,
                format!(
                    "cannot reach corosync's quorum service ({e:?}): is corosync running on this node, \
                     and do I run as root or in the haclient group?"
                ),
            );
        }
    };
    let quorate = quorum::getquorate(&handle);
    let _ = quorum::finalize(&handle);
    match quorate {
        Ok(true) => Finding::new(subject, Verdict::Ok, "quorum service reachable; quorate"),
        Ok(false) => Finding::new(
            subject,
            Verdict::Warn,
            "quorum service reachable; this node is NOT quorate: nothing would be sent",
        ),
        Err(e) => Finding::new(
            subject,
            Verdict::Fail,
            format!("corosync's quorum service did not say whether we are quorate ({e:?})"),
        ),
    }
}

/// The running daemon's own link to corosync, as its `status` answer says (a `check` of its
/// own connects afresh, which proves nothing about the daemon's link).
fn daemon_link(answer: Result<StatusAnswer, ControlError>, now: Timestamp) -> Finding {
    let subject = "corosync link";
    let answer = match answer {
        Ok(answer) => answer,
        Err(ControlError::NotRunning { path }) => {
            let detail = format!(
                "no monitor runs here ({}): nothing to check",
                path.display()
            );
            return Finding::new(subject, Verdict::Ok, detail);
        }
        Err(error) => return Finding::new(subject, Verdict::Fail, error.to_string()),
    };
    let link = answer.health.corosync;
    let shown = format!(
        "the running monitor's: {}",
        CorosyncLink::describe(link.as_ref(), now)
    );
    match link {
        Some(CorosyncLink::Connected { .. }) => Finding::new(subject, Verdict::Ok, shown),
        _ => Finding::new(subject, Verdict::Warn, shown),
    }
}

#[cfg(test)]
mod tests;
