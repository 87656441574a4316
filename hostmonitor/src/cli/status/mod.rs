//! `status` for people: the daemon's answer as a short report (health first, then hosts, then
//! their compute services' process episodes, then pending notifications).

use std::io::{self, Write};

use crate::control::{CorosyncLink, HealthView, Source, StatusAnswer, StoreView, when};
use crate::engine::{HostPayload, HostState, HostView, PendingView, Timestamp};

/// Writes the status answer `answer` as text, with times relative to `now`.
pub fn write(answer: &StatusAnswer, now: Timestamp, out: &mut dyn Write) -> io::Result<()> {
    write_health(answer, now, out)?;
    writeln!(out)?;
    write_hosts(&answer.engine.hosts, now, out)?;
    write_processes(&answer.engine.hosts, now, out)?;
    write_pending(&answer.engine.hosts, now, out)
}

fn write_health(a: &StatusAnswer, now: Timestamp, out: &mut dyn Write) -> io::Result<()> {
    let h = &a.health;
    let quorum = match a.engine.quorate {
        Some(true) => "yes",
        Some(false) => "NO (holding all notifications)",
        None => "unknown yet",
    };
    let corosync = match h.corosync_quorate {
        Some(true) => "quorate",
        Some(false) => "not quorate",
        None => "not reachable",
    };
    writeln!(out, "quorum:        {quorum} (corosync: {corosync})")?;
    writeln!(
        out,
        "corosync link: {}",
        CorosyncLink::describe(h.corosync.as_ref(), now)
    )?;
    if a.engine.mass_failure_hold {
        writeln!(
            out,
            "MASS FAILURE:  holding all notifications; `masakari-hostmonitor release` sends them"
        )?;
    } else {
        writeln!(out, "hold:          none")?;
    }
    writeln!(
        out,
        "pacemaker:     {}{}",
        link(h.cib_ok, h.cib_error.as_deref()),
        version_read(h.cib_ipc)
    )?;
    writeln!(
        out,
        "masakari api:  {}",
        link(h.api_ok, h.api_error.as_deref())
    )?;
    write_alerts(h, out)?;
    write_record(a.record.as_ref(), out)
}

fn write_alerts(h: &HealthView, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "alerts:        {} accepted, {} refused",
        h.alerts_accepted, h.alerts_refused
    )
}

/// Which copy of the durable record the daemon resumed from and why, and whether the cluster copy
/// holds every write (a notification goes out only once it does).
fn write_record(record: Option<&StoreView>, out: &mut dyn Write) -> io::Result<()> {
    let Some(r) = record else {
        return writeln!(out, "record:        ? (the daemon does not say)");
    };
    let source = match r.source {
        Source::None => "none (fresh start)",
        Source::Cluster => "the cluster copy",
        Source::LocalFile => "the LOCAL FILE",
    };
    writeln!(out, "record:        from {source}: {}", r.reason)?;
    let cluster = match (&r.cluster_error, r.cluster_current) {
        (Some(error), _) => format!("NOT DURABLE (holding notifications): {error}"),
        (None, true) => "current".to_owned(),
        (None, false) => "NOT CURRENT yet (holding notifications)".to_owned(),
    };
    writeln!(
        out,
        "               generation {}; cluster copy {cluster}",
        r.generation
    )?;
    if let Some(error) = &r.local_error {
        writeln!(out, "               local file FAILING: {error}")?;
    }
    Ok(())
}

/// How the reconcile reads the CIB's version, when the daemon says.
fn version_read(ipc: Option<bool>) -> &'static str {
    match ipc {
        Some(true) => " (version over the CIB manager's IPC)",
        Some(false) => " (version by cibadmin: the CIB manager's IPC cannot be reached)",
        None => "",
    }
}

fn link(ok: Option<bool>, error: Option<&str>) -> String {
    match ok {
        Some(true) => "ok".to_owned(),
        Some(false) => format!("FAILING: {}", error.unwrap_or("?")),
        None => "not tried yet".to_owned(),
    }
}

fn write_hosts(hosts: &[HostView], now: Timestamp, out: &mut dyn Write) -> io::Result<()> {
    if hosts.is_empty() {
        return writeln!(out, "no watched hosts (yet)");
    }
    let rows: Vec<[String; 5]> = hosts.iter().map(|h| host_row(h, now)).collect();
    let header = ["HOST", "KIND", "STATE", "EPISODE", "LAST ONLINE"].map(str::to_owned);
    table(&header, &rows, out)
}

fn host_row(h: &HostView, now: Timestamp) -> [String; 5] {
    let mut state = match h.state {
        HostState::Lost {
            since,
            confirmed,
            overdue,
        } => {
            let fenced = if confirmed {
                "confirmed off"
            } else if overdue {
                "FENCING OVERDUE"
            } else {
                "awaiting fencing"
            };
            format!("LOST {}, {fenced}", when(Some(since), now))
        }
        HostState::Unobserved => "offline since first seen".to_owned(),
        HostState::Online => "online".to_owned(),
    };
    if h.dismissed {
        state.push_str(", DISMISSED by an operator (nothing more sent)");
    }
    if !h.present {
        state.push_str(" (not in the CIB)");
    }
    let kind = format!("{:?}", h.kind).to_lowercase();
    [
        h.name.clone(),
        kind,
        state,
        h.episode.to_string(),
        when(h.last_online, now),
    ]
}

/// The watched compute services with an episode so far (process episodes beside the hosts').
fn write_processes(hosts: &[HostView], now: Timestamp, out: &mut dyn Write) -> io::Result<()> {
    let rows: Vec<[String; 4]> = hosts
        .iter()
        .flat_map(|h| h.processes.iter().map(move |p| (h, p)))
        .filter(|(_, p)| p.episode > 0)
        .map(|(h, p)| {
            let mut state = match p.gave_up_since {
                Some(since) => format!("PACEMAKER GAVE UP {}", when(Some(since), now)),
                None => "running again (or host down)".to_owned(),
            };
            if p.dismissed {
                state.push_str(", DISMISSED by an operator (nothing more sent)");
            }
            [
                h.name.clone(),
                p.process_name.clone(),
                state,
                p.episode.to_string(),
            ]
        })
        .collect();
    if rows.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    let header = ["HOST", "PROCESS", "STATE", "EPISODE"].map(str::to_owned);
    table(&header, &rows, out)
}

fn write_pending(hosts: &[HostView], now: Timestamp, out: &mut dyn Write) -> io::Result<()> {
    let host_rows = hosts
        .iter()
        .flat_map(|h| &h.pending)
        .map(|p| pending_row(p, host_words(p.payload), now));
    let process_rows = hosts
        .iter()
        .flat_map(|h| h.processes.iter().flat_map(|s| &s.pending))
        .map(|p| {
            let words = format!("PROCESS {:?} {}", p.payload.event, p.payload.process_name);
            pending_row(p, words.to_uppercase(), now)
        });
    let rows: Vec<[String; 5]> = host_rows.chain(process_rows).collect();
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

fn host_words(payload: HostPayload) -> String {
    format!(
        "{:?}/{:?}/{:?}",
        payload.event, payload.cluster_status, payload.host_status
    )
    .to_uppercase()
}

fn pending_row<P>(p: &PendingView<P>, payload: String, now: Timestamp) -> [String; 5] {
    let next = if p.in_flight {
        "sending now".to_owned()
    } else if let Some(at) = p.retry_at {
        format!("retry {}", when(Some(at), now))
    } else {
        "held (quorum or mass-failure guard)".to_owned()
    };
    [
        p.id.as_str().to_owned(),
        payload,
        attempts(p),
        next,
        p.last_error
            .as_deref()
            .map_or_else(|| "-".to_owned(), |e| e.chars().take(MAX_ERROR).collect()),
    ]
}

/// The attempts so far, marked when the notification is overdue (still retried).
fn attempts<P>(p: &PendingView<P>) -> String {
    if p.overdue {
        format!("{} OVERDUE", p.attempts)
    } else {
        p.attempts.to_string()
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
