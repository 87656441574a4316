//! `status` for people: the daemon's JSON answer as a short report (health first, then hosts,
//! then pending notifications). Read leniently: a field this version does not know is shown as `?`.

use std::io::{self, Write};
use std::time::Duration;

use serde_json::Value;

use crate::engine::Timestamp;

/// Writes the status answer `answer` as text, with times relative to `now`.
pub fn write(answer: &Value, now: Timestamp, out: &mut dyn Write) -> io::Result<()> {
    write_health(answer, out)?;
    let hosts = answer
        .pointer("/engine/hosts")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    writeln!(out)?;
    write_hosts(hosts, now, out)?;
    write_pending(hosts, now, out)
}

fn write_health(a: &Value, out: &mut dyn Write) -> io::Result<()> {
    let quorum = match a.get("quorate").and_then(Value::as_bool) {
        Some(true) => "yes",
        Some(false) => "NO (holding all notifications)",
        None => "unknown yet",
    };
    let corosync = match a.get("corosync_quorate").and_then(Value::as_bool) {
        Some(true) => "quorate",
        Some(false) => "not quorate",
        None => "not reachable",
    };
    writeln!(out, "quorum:        {quorum} (corosync: {corosync})")?;
    if a.pointer("/engine/mass_failure_hold")
        .and_then(Value::as_bool)
        == Some(true)
    {
        writeln!(
            out,
            "MASS FAILURE:  holding all notifications; `masakari-hostmonitor release` sends them"
        )?;
    } else {
        writeln!(out, "hold:          none")?;
    }
    writeln!(out, "pacemaker:     {}", link(a, "cib_ok", "cib_error"))?;
    writeln!(out, "masakari api:  {}", link(a, "api_ok", "api_error"))?;
    let count = |key: &str| a.get(key).and_then(Value::as_u64).unwrap_or(0);
    writeln!(
        out,
        "alerts:        {} accepted, {} refused",
        count("alerts_accepted"),
        count("alerts_refused")
    )
}

fn link(a: &Value, ok: &str, error: &str) -> String {
    match a.get(ok).and_then(Value::as_bool) {
        Some(true) => "ok".to_owned(),
        Some(false) => format!(
            "FAILING: {}",
            a.get(error).and_then(Value::as_str).unwrap_or("?")
        ),
        None => "not tried yet".to_owned(),
    }
}

fn write_hosts(hosts: &[Value], now: Timestamp, out: &mut dyn Write) -> io::Result<()> {
    if hosts.is_empty() {
        return writeln!(out, "no watched hosts (yet)");
    }
    let rows: Vec<[String; 5]> = hosts.iter().map(|h| host_row(h, now)).collect();
    let header = ["HOST", "KIND", "STATE", "EPISODE", "LAST ONLINE"].map(str::to_owned);
    table(&header, &rows, out)
}

fn host_row(h: &Value, now: Timestamp) -> [String; 5] {
    let text = |key: &str| h.get(key).and_then(Value::as_str).unwrap_or("?").to_owned();
    let mut state = match h.pointer("/state/state").and_then(Value::as_str) {
        Some("lost") => {
            let since = time(h.pointer("/state/since"), now);
            let flag = |key: &str| h.pointer(key).and_then(Value::as_bool) == Some(true);
            let fenced = if flag("/state/confirmed") {
                "confirmed off"
            } else if flag("/state/overdue") {
                "FENCING OVERDUE"
            } else {
                "awaiting fencing"
            };
            format!("LOST {since}, {fenced}")
        }
        Some("unobserved") => "offline since first seen".to_owned(),
        Some(other) => other.to_owned(),
        None => "?".to_owned(),
    };
    if h.get("present").and_then(Value::as_bool) == Some(false) {
        state.push_str(" (not in the CIB)");
    }
    let episode = h.get("episode").and_then(Value::as_u64).unwrap_or(0);
    [
        text("name"),
        text("kind"),
        state,
        episode.to_string(),
        time(h.get("last_online"), now),
    ]
}

fn write_pending(hosts: &[Value], now: Timestamp, out: &mut dyn Write) -> io::Result<()> {
    let rows: Vec<[String; 5]> = hosts
        .iter()
        .filter_map(|h| h.get("pending")?.as_array())
        .flatten()
        .map(|p| pending_row(p, now))
        .collect();
    writeln!(out)?;
    if rows.is_empty() {
        return writeln!(out, "no pending notifications");
    }
    let header = [
        "PENDING NOTIFICATION",
        "PAYLOAD",
        "ATTEMPTS",
        "NEXT",
        "LAST ERROR",
    ]
    .map(str::to_owned);
    table(&header, &rows, out)
}

/// The longest part of a last error shown in the table (`--json` has all of it).
const MAX_ERROR: usize = 80;

fn pending_row(p: &Value, now: Timestamp) -> [String; 5] {
    let word = |key: &str| {
        p.pointer(&format!("/payload/{key}"))
            .and_then(Value::as_str)
            .unwrap_or("?")
    };
    let next = if p.get("in_flight").and_then(Value::as_bool) == Some(true) {
        "sending now".to_owned()
    } else if p.get("retry_at").is_some_and(|r| !r.is_null()) {
        format!("retry {}", time(p.get("retry_at"), now))
    } else {
        "held (quorum or mass-failure guard)".to_owned()
    };
    [
        p.get("id")
            .and_then(Value::as_str)
            .unwrap_or("?")
            .to_owned(),
        format!(
            "{}/{}/{}",
            word("event"),
            word("cluster_status"),
            word("host_status")
        ),
        attempts(p),
        next,
        p.get("last_error")
            .and_then(Value::as_str)
            .map_or_else(|| "-".to_owned(), |e| e.chars().take(MAX_ERROR).collect()),
    ]
}

/// The attempts so far, marked when the notification is overdue (still retried).
fn attempts(p: &Value) -> String {
    let n = p.get("attempts").and_then(Value::as_u64).unwrap_or(0);
    if p.get("overdue").and_then(Value::as_bool) == Some(true) {
        format!("{n} OVERDUE")
    } else {
        n.to_string()
    }
}

/// A timestamp (microseconds since the epoch) as UTC and how long ago (or ahead) that is.
fn time(value: Option<&Value>, now: Timestamp) -> String {
    let Some(at) = value
        .and_then(Value::as_u64)
        .map(Timestamp::from_unix_micros)
    else {
        return "-".to_owned();
    };
    let at_text = at.to_string();
    let shown = at_text.split('.').next().unwrap_or(&at_text);
    if at <= now {
        format!("{shown}Z ({} ago)", span(now.saturating_duration_since(at)))
    } else {
        format!("{shown}Z (in {})", span(at.saturating_duration_since(now)))
    }
}

fn span(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..120 => format!("{s}s"),
        120..7200 => format!("{}m", s / 60),
        _ => format!("{}h", s / 3600),
    }
}

fn table<const N: usize>(
    header: &[String; N],
    rows: &[[String; N]],
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut widths = header.clone().map(|h| h.chars().count());
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    for row in std::iter::once(header).chain(rows) {
        let cells: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(cell, w)| format!("{cell:w$}"))
            .collect();
        writeln!(out, "{}", cells.join("  ").trim_end())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
