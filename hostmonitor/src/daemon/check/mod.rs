//! `masakari-hostmonitor check`: whether this node can run the monitor, one finding per
//! dependency, each saying exactly what is wrong: Pacemaker's state (`crm_mon`), corosync's quorum
//! service, and the Masakari API with the configured credentials (an authenticated
//! `GET /segments`, which changes nothing).

use std::fmt;

use reqwest::StatusCode;

use masakari_client::http::{client, error_chain};
use masakari_client::token::TokenSource;

use crate::control::client::ControlError;
use crate::control::{self, CorosyncLink, StatusAnswer};
use crate::daemon::inputs::reconcile;
use crate::daemon::net::process::ProcessError;
use crate::daemon::now;
use crate::engine::{Snapshot, Timestamp};
use crate::settings::{Auth, Settings};
use crate::snapshot;

/// crm_mon's exit status when it cannot connect to Pacemaker.
const CRM_EX_NOT_CONNECTED: i32 = 102;

/// How one check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Works.
    Ok,
    /// Works, but something deserves a look (nothing would be sent as things are).
    Warn,
    /// Does not work.
    Fail,
}

/// One checked dependency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// What was checked.
    pub subject: &'static str,
    /// How it came out.
    pub verdict: Verdict,
    /// What was found, or exactly what is wrong.
    pub detail: String,
}

impl Finding {
    fn new(subject: &'static str, verdict: Verdict, detail: impl Into<String>) -> Self {
        Self {
            subject,
            verdict,
            detail: detail.into(),
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Ok => "ok",
            Self::Warn => "WARN",
            Self::Fail => "FAIL",
        })
    }
}

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
        let (api_finding, api) = masakari(settings).await;
        let mut findings = vec![cluster, quorum, link, api_finding];
        if let (Some(watched), Some(api)) = (watched, api) {
            findings.push(registration::check(&api, &watched).await);
        }
        findings
    })
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

/// The API check, and what a later check needs of the API when it answered.
async fn masakari(settings: &Settings) -> (Finding, Option<registration::Api>) {
    match api(settings).await {
        Ok((finding, api)) => (finding, api),
        Err(finding) => (finding, None),
    }
}

async fn api(settings: &Settings) -> Result<(Finding, Option<registration::Api>), Finding> {
    let subject = "masakari api";
    let fail = |detail: String| Finding::new(subject, Verdict::Fail, detail);
    let http =
        client(&settings.masakari, "masakari-hostmonitor").map_err(|e| fail(e.to_string()))?;
    let how = match &settings.masakari.auth {
        Auth::Noauth2(n) => format!("noauth2 as {}:{}", n.user, n.project),
        Auth::Token(t) => format!("the token in {}", t.token_file.display()),
        Auth::Keystone(k) => format!("a Keystone login as {}", k.who()),
    };
    let (token, endpoint) = TokenSource::new(&settings.masakari)
        .get(&http)
        .await
        .map_err(|e| fail(format!("{how}: {e}")))?;
    let url = format!("{}/segments", endpoint.trim_end_matches('/'));
    let response = http
        .get(&url)
        .header("X-Auth-Token", token.clone())
        .send()
        .await
        .map_err(|e| fail(format!("GET {url}: {}", error_chain(&e))))?;
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    let finding = judge_segments(status, &body, &url, &how);
    let api = (finding.verdict == Verdict::Ok).then(|| registration::Api {
        segments: registration::segments(&body),
        http,
        token,
        endpoint,
    });
    Ok((finding, api))
}

fn judge_segments(status: StatusCode, body: &str, url: &str, how: &str) -> Finding {
    let subject = "masakari api";
    let said: String = body.chars().take(200).collect();
    match status {
        s if s.is_success() => {
            let segments = serde_json::from_str::<serde_json::Value>(body)
                .ok()
                .and_then(|d| d.get("segments")?.as_array().map(Vec::len));
            match segments {
                Some(n) => Finding::new(
                    subject,
                    Verdict::Ok,
                    format!("GET {url} with {how}: {s}, {n} failover segments"),
                ),
                None => Finding::new(
                    subject,
                    Verdict::Fail,
                    format!(
                        "GET {url} answered {s} but not with Masakari's segment list: is this the Masakari API?"
                    ),
                ),
            }
        }
        StatusCode::UNAUTHORIZED => Finding::new(
            subject,
            Verdict::Fail,
            format!("GET {url}: the API refused the credentials ({how}): {status} {said}"),
        ),
        StatusCode::FORBIDDEN => Finding::new(
            subject,
            Verdict::Fail,
            format!(
                "GET {url}: {how} is not allowed by the API's policy (needs the admin role): {status} {said}"
            ),
        ),
        s if s.is_redirection() => Finding::new(
            subject,
            Verdict::Fail,
            format!("GET {url}: {s}: the endpoint is not Masakari's v1 API (it should end in /v1)"),
        ),
        StatusCode::NOT_FOUND => Finding::new(
            subject,
            Verdict::Fail,
            format!("GET {url}: 404: the endpoint is not Masakari's v1 API (it should end in /v1)"),
        ),
        s => Finding::new(subject, Verdict::Fail, format!("GET {url}: {s} {said}")),
    }
}

mod registration;

#[cfg(test)]
mod tests;
