//! What a monitor's `check` says about the Masakari API, with the words every monitor uses:
//! whether the configured credentials get a token and the API answers an authenticated
//! `GET /segments` (which changes nothing) as Masakari's v1 API ([`masakari`]), and whether the
//! monitor's hosts are hosts of its failover segments ([`registration`]). Each finding says
//! exactly what is wrong: Keystone's refusal apart from the API's, a wrong endpoint, a missing
//! role; never a secret.

pub mod registration;

use std::fmt;

use reqwest::StatusCode;

use crate::http::{client, error_chain};
use crate::settings::{Auth, Masakari};
use crate::token::TokenSource;

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
    /// A finding about `subject`.
    pub fn new(subject: &'static str, verdict: Verdict, detail: impl Into<String>) -> Self {
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

/// The API check with `settings` (`agent` names the monitor in `User-Agent`), and what the
/// [`registration`] check needs of the API when it answered.
pub async fn masakari(settings: &Masakari, agent: &str) -> (Finding, Option<registration::Api>) {
    match api(settings, agent).await {
        Ok((finding, api)) => (finding, api),
        Err(finding) => (finding, None),
    }
}

async fn api(
    settings: &Masakari,
    agent: &str,
) -> Result<(Finding, Option<registration::Api>), Finding> {
    let subject = "masakari api";
    let fail = |detail: String| Finding::new(subject, Verdict::Fail, detail);
    let http = client(settings, agent).map_err(|e| fail(e.to_string()))?;
    let how = match &settings.auth {
        Auth::Noauth2(n) => format!("noauth2 as {}:{}", n.user, n.project),
        Auth::Token(t) => format!("the token in {}", t.token_file.display()),
        Auth::Keystone(k) => format!("a Keystone login as {}", k.who()),
    };
    let (token, endpoint) = TokenSource::new(settings)
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

#[cfg(test)]
mod tests;
