//! `status` as text, for operators.

use std::io::{self, Write};

use masakari_client::Timestamp;

use crate::control::{PendingView, StatusAnswer};

/// Writes the status answer for a human.
pub fn write(s: &StatusAnswer, now: Timestamp, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "host name:     {}", s.hostname)?;
    let l = &s.libvirt;
    let socket = l.socket.as_ref().map(|p| format!(" at {}", p.display()));
    let link = if l.connected {
        "connected"
    } else {
        "NOT CONNECTED (reconnecting)"
    };
    writeln!(
        out,
        "libvirt:       {link} ({}{})",
        l.uri,
        socket.unwrap_or_default()
    )?;
    if let Some(error) = &l.last_error {
        writeln!(out, "  last error:  {error}")?;
    }
    let d = s.domains;
    writeln!(out, "domains:       {} ({} active)", d.seen, d.active)?;
    let api = match (s.api.last_ok, &s.api.last_error) {
        (None, _) => "not contacted yet".to_owned(),
        (Some(true), None) => "answering".to_owned(),
        (Some(true), Some(refusal)) => format!("answering; last refusal: {refusal}"),
        (Some(false), error) => format!("FAILING: {}", error.as_deref().unwrap_or("?")),
    };
    writeln!(out, "masakari api:  {api}; {} delivered", s.api.delivered)?;
    writeln!(
        out,
        "pending:       {} ({} overdue)",
        s.pending.len(),
        s.overdue()
    )?;
    for p in &s.pending {
        pending(p, now, out)?;
    }
    Ok(())
}

fn pending(p: &PendingView, now: Timestamp, out: &mut dyn Write) -> io::Result<()> {
    let overdue = if p.overdue { " OVERDUE" } else { "" };
    writeln!(
        out,
        "  {} {}/{} {}: {} attempts{overdue}",
        p.id, p.event, p.vir_domain_event, p.instance_uuid, p.attempts
    )?;
    if let Some(error) = &p.last_error {
        writeln!(out, "    last error: {error}")?;
    }
    if let Some(next) = p.next_try {
        let wait = next.saturating_duration_since(now).as_secs();
        writeln!(out, "    next try:   {next} (in {wait}s)")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::control::tests::sample;

    #[test]
    fn the_text_names_every_part() {
        let mut out = Vec::new();
        let now = Timestamp::from_unix(1_700_000_000, 0);
        write(&sample(), now, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        for line in [
            "host name:     compute-1\n",
            "libvirt:       connected (qemu:///system at /run/libvirt/libvirt-sock-ro)\n",
            "domains:       3 (2 active)\n",
            "masakari api:  FAILING: 503; 2 delivered\n",
            "pending:       1 (1 overdue)\n",
            "  compute-1/4/vm LIFECYCLE/STOPPED_FAILED 6f1c2a40-0b1d-4e5f-9a3c-112233445566: 14 attempts OVERDUE\n",
            "    next try:   2023-11-14T22:14:20.000000Z (in 60s)\n",
        ] {
            assert!(text.contains(line), "{line}: {text}");
        }
    }
}
