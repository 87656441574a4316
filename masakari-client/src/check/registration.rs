//! Whether the watched nodes are hosts of Masakari's failover segments: a notification about a
//! host Masakari does not know is refused (400), one about a host on maintenance answered 409 and
//! not acted on. Both are worth knowing before a host fails.

use std::collections::BTreeMap;

use reqwest::header::HeaderValue;

use super::{Finding, Verdict};
use crate::http::error_chain;

/// What the API check leaves for this one: a working client, token and endpoint, and the segments.
pub struct Api {
    /// The client.
    pub http: reqwest::Client,
    /// The token that worked.
    pub token: HeaderValue,
    /// The endpoint that worked.
    pub endpoint: String,
    /// The failover segments: uuid and name (for messages).
    pub segments: Vec<(String, String)>,
}

/// The most names listed in one finding.
const MAX_NAMES: usize = 10;

/// The segments of a `GET /segments` answer.
pub fn segments(body: &str) -> Vec<(String, String)> {
    let doc: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
    let list = doc.get("segments").and_then(|s| s.as_array());
    list.map_or(&[][..], Vec::as_slice)
        .iter()
        .filter_map(|s| {
            let uuid = s.get("uuid")?.as_str()?.to_owned();
            let name = s
                .get("name")
                .and_then(|n| n.as_str())
                .unwrap_or(&uuid)
                .to_owned();
            Some((uuid, name))
        })
        .collect()
}

/// Lists every segment's hosts and compares them with the watched nodes.
pub async fn check(api: &Api, watched: &[String]) -> Finding {
    let mut hosts = BTreeMap::new();
    for (uuid, name) in &api.segments {
        let url = format!(
            "{}/segments/{uuid}/hosts",
            api.endpoint.trim_end_matches('/')
        );
        match list_hosts(api, &url).await {
            Ok(list) => hosts.extend(list),
            Err(e) => {
                let detail = format!("cannot list the hosts of segment {name}: GET {url}: {e}");
                return Finding::new(SUBJECT, Verdict::Warn, detail);
            }
        }
    }
    judge(watched, &hosts)
}

const SUBJECT: &str = "masakari hosts";

async fn list_hosts(api: &Api, url: &str) -> Result<Vec<(String, bool)>, String> {
    let response = api
        .http
        .get(url)
        .header("X-Auth-Token", api.token.clone())
        .send()
        .await
        .map_err(|e| error_chain(&e))?;
    let status = response.status();
    if !status.is_success() {
        return Err(status.to_string());
    }
    let doc: serde_json::Value = response.json().await.map_err(|e| error_chain(&e))?;
    let hosts = doc
        .get("hosts")
        .and_then(|h| h.as_array())
        .ok_or("no host list")?;
    Ok(hosts
        .iter()
        .filter_map(|h| {
            let name = h.get("name")?.as_str()?.to_owned();
            let maintenance = h
                .get("on_maintenance")
                .and_then(|m| m.as_bool())
                .unwrap_or(false);
            Some((name, maintenance))
        })
        .collect())
}

/// Which watched nodes Masakari does not know, or keeps on maintenance (hosts by name: whether
/// on maintenance).
fn judge(watched: &[String], hosts: &BTreeMap<String, bool>) -> Finding {
    let missing: Vec<&str> = watched
        .iter()
        .filter(|w| !hosts.contains_key(w.as_str()))
        .map(String::as_str)
        .collect();
    let maintenance: Vec<&str> = watched
        .iter()
        .filter(|w| hosts.get(w.as_str()) == Some(&true))
        .map(String::as_str)
        .collect();
    if !missing.is_empty() {
        return Finding::new(
            SUBJECT,
            Verdict::Warn,
            format!(
                "{} of {} watched nodes are in no Masakari segment; their notifications would be refused: {}",
                missing.len(),
                watched.len(),
                names(&missing)
            ),
        );
    }
    if !maintenance.is_empty() {
        return Finding::new(
            SUBJECT,
            Verdict::Warn,
            format!(
                "on maintenance in Masakari (notifications get 409, nothing is evacuated): {}",
                names(&maintenance)
            ),
        );
    }
    Finding::new(
        SUBJECT,
        Verdict::Ok,
        format!(
            "all {} watched nodes are hosts of Masakari segments",
            watched.len()
        ),
    )
}

fn names(list: &[&str]) -> String {
    let shown: Vec<&str> = list.iter().take(MAX_NAMES).copied().collect();
    let more = list.len().saturating_sub(MAX_NAMES);
    if more > 0 {
        format!("{} and {more} more", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake::{Fake, Reply};

    fn watched(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| (*n).to_owned()).collect()
    }

    #[test]
    fn unknown_and_maintenance_hosts_are_named() {
        let hosts = BTreeMap::from([("cmp1".to_owned(), false), ("cmp2".to_owned(), true)]);
        let ok = judge(&watched(&["cmp1"]), &hosts);
        assert_eq!(ok.verdict, Verdict::Ok);
        let missing = judge(&watched(&["cmp1", "cmp3"]), &hosts);
        assert_eq!(missing.verdict, Verdict::Warn);
        assert!(
            missing.detail.starts_with("1 of 2 watched nodes"),
            "{}",
            missing.detail
        );
        assert!(missing.detail.ends_with(": cmp3"), "{}", missing.detail);
        let maintenance = judge(&watched(&["cmp1", "cmp2"]), &hosts);
        assert!(
            maintenance.detail.ends_with(": cmp2"),
            "{}",
            maintenance.detail
        );
        let many: Vec<String> = (0..12).map(|i| format!("c{i}")).collect();
        let long = judge(&many, &BTreeMap::new());
        assert!(long.detail.ends_with("c9 and 2 more"), "{}", long.detail);
    }

    #[test]
    fn segments_are_read_leniently() {
        let body = r#"{"segments": [{"uuid": "u1", "name": "a"}, {"uuid": "u2"}, {"name": "x"}]}"#;
        assert_eq!(
            segments(body),
            [
                ("u1".to_owned(), "a".to_owned()),
                ("u2".to_owned(), "u2".to_owned())
            ]
        );
        assert!(segments("nonsense").is_empty());
    }

    #[tokio::test]
    async fn lists_the_hosts_of_every_segment() {
        let fake = Fake::start(|r| match r.path.as_str() {
            "/v1/segments/u1/hosts" => Reply::new(
                200,
                r#"{"hosts": [{"name": "cmp1", "on_maintenance": false}]}"#,
            ),
            "/v1/segments/u2/hosts" => Reply::new(
                200,
                r#"{"hosts": [{"name": "cmp2", "on_maintenance": false}]}"#,
            ),
            _ => Reply::new(404, ""),
        })
        .await;
        let api = |segments: &[(&str, &str)]| Api {
            http: reqwest::Client::new(),
            token: HeaderValue::from_static("admin:admin"),
            endpoint: format!("{}/v1", fake.url),
            segments: segments
                .iter()
                .map(|(u, n)| ((*u).into(), (*n).into()))
                .collect(),
        };
        let both = api(&[("u1", "a"), ("u2", "b")]);
        let f = check(&both, &watched(&["cmp1", "cmp2"])).await;
        assert_eq!(f.verdict, Verdict::Ok, "{}", f.detail);
        assert!(
            fake.requests()
                .iter()
                .all(|r| r.headers["x-auth-token"] == "admin:admin")
        );
        let broken = api(&[("u9", "z")]);
        let f = check(&broken, &watched(&["cmp1"])).await;
        assert_eq!(f.verdict, Verdict::Warn);
        assert!(
            f.detail.ends_with("/v1/segments/u9/hosts: 404 Not Found"),
            "{}",
            f.detail
        );
    }
}
