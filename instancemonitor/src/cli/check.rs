//! `check`: the configuration, then everything the monitor needs on this compute, one line
//! each: libvirt reachable read-only (set up exactly as the monitor does), the Masakari API with
//! the configured credentials and this host in one of its segments (masakari-client's checks,
//! the host monitor's words), the state file, and the running monitor, if any.

use std::io::Write;
use std::time::Duration;

use masakari_client::check::{self, Finding, Verdict, registration};

use super::{CliError, ConfigArgs};
use crate::control::StatusAnswer;
use crate::control::client::{self, ControlError, TIMEOUT};
use crate::driver;
use crate::settings::Settings;

/// How long libvirt may take to answer the set-up.
const LIBVIRT_LIMIT: Duration = Duration::from_secs(10);

/// Checks and prints the findings; fails (exit 1) when any check fails, 2 for a bad configuration.
pub fn run(args: &ConfigArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let loaded = Settings::read(&args.config, &args.overrides)?;
    let what = format!(
        "{} ({})",
        args.config.display(),
        super::daemon::format_name(&loaded)
    );
    let mut findings = vec![Finding::new("configuration", Verdict::Ok, what)];
    if !loaded.ignored.is_empty() {
        let ignored = format!("ignored (no meaning here): {}", loaded.ignored.join(", "));
        findings.push(Finding::new("configuration", Verdict::Warn, ignored));
    }
    for notice in loaded.notices() {
        findings.push(Finding::new("configuration", Verdict::Warn, notice));
    }
    let settings = &loaded.settings;
    findings.push(libvirt(settings));
    findings.push(state_file(&settings.paths.state_file));
    findings.extend(masakari(settings));
    let status = client::status(&settings.paths.control_socket, TIMEOUT);
    findings.push(running(status));
    for f in &findings {
        writeln!(
            out,
            "{:<14} {:<4}  {}",
            f.subject,
            f.verdict.to_string(),
            f.detail
        )?;
    }
    match findings
        .iter()
        .filter(|f| f.verdict == Verdict::Fail)
        .count()
    {
        0 => Ok(()),
        failed => Err(CliError::ChecksFailed(failed)),
    }
}

fn libvirt(settings: &Settings) -> Finding {
    let target = match settings.target() {
        Ok(target) => target,
        Err(e) => return Finding::new("libvirt", Verdict::Fail, e.to_string()),
    };
    match driver::check(&target, LIBVIRT_LIMIT) {
        Ok(r) => Finding::new(
            "libvirt",
            Verdict::Ok,
            format!(
                "reachable read-only at {}: {} domains ({} active), events registered",
                r.socket.display(),
                r.domains,
                r.active
            ),
        ),
        Err(e) => Finding::new("libvirt", Verdict::Fail, e.to_string()),
    }
}

/// Whether the daemon can start on the state file: none yet, or an outbox it reads.
fn state_file(path: &std::path::Path) -> Finding {
    match crate::daemon::state_file::read(path) {
        Ok(record) if path.exists() => Finding::new(
            "state file",
            Verdict::Ok,
            format!(
                "{}: {} notifications pending",
                path.display(),
                record.outbox.len()
            ),
        ),
        Ok(_) => Finding::new(
            "state file",
            Verdict::Ok,
            format!(
                "{}: none yet (made at the first notification)",
                path.display()
            ),
        ),
        Err(e) => Finding::new(
            "state file",
            Verdict::Fail,
            format!("{e}: the monitor would not start"),
        ),
    }
}

/// The API with the configured credentials, then whether this host is in a segment.
fn masakari(settings: &Settings) -> Vec<Finding> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build();
    let runtime = match runtime {
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
        let agent = "masakari-instancemonitor";
        let (finding, api) = check::masakari(&settings.masakari, agent).await;
        let mut findings = vec![finding];
        if let Some(api) = api {
            findings.push(registration::check(&api, &[settings.hostname()]).await);
        }
        findings
    })
}

/// The running monitor's own view, as its `status` answer says.
fn running(answer: Result<StatusAnswer, ControlError>) -> Finding {
    let subject = "monitor";
    let s = match answer {
        Ok(s) => s,
        Err(ControlError::NotRunning { path }) => {
            let detail = format!(
                "no monitor runs here ({}): nothing to check",
                path.display()
            );
            return Finding::new(subject, Verdict::Ok, detail);
        }
        Err(error) => return Finding::new(subject, Verdict::Fail, error.to_string()),
    };
    let shown = format!(
        "the running monitor's libvirt link is {}; {} notifications pending ({} overdue)",
        if s.libvirt.connected { "up" } else { "DOWN" },
        s.pending.len(),
        s.overdue()
    );
    let healthy = s.libvirt.connected && s.overdue() == 0;
    Finding::new(
        subject,
        if healthy { Verdict::Ok } else { Verdict::Warn },
        shown,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::control::tests::sample;

    #[test]
    fn the_state_file_is_judged() {
        let dir = std::env::temp_dir().join(format!("im-check-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("instancemonitor.json");
        let _ = std::fs::remove_file(&path);
        assert!(
            state_file(&path)
                .detail
                .ends_with("none yet (made at the first notification)")
        );
        std::fs::write(&path, "junk").unwrap();
        let bad = state_file(&path);
        assert_eq!(bad.verdict, Verdict::Fail);
        assert!(
            bad.detail.ends_with("the monitor would not start"),
            "{}",
            bad.detail
        );
        let record = crate::delivery::Record::default();
        crate::daemon::state_file::write(&path, &record).unwrap();
        assert!(
            state_file(&path)
                .detail
                .ends_with(": 0 notifications pending")
        );
    }

    #[test]
    fn the_running_monitor_is_judged() {
        let overdue = running(Ok(sample()));
        assert_eq!(overdue.verdict, Verdict::Warn);
        assert!(
            overdue
                .detail
                .ends_with("1 notifications pending (1 overdue)"),
            "{}",
            overdue.detail
        );
        let mut fine = sample();
        fine.pending.clear();
        assert_eq!(running(Ok(fine)).verdict, Verdict::Ok);
        let path = std::path::PathBuf::from("/run/x.sock");
        let none = running(Err(ControlError::NotRunning { path }));
        assert_eq!(none.verdict, Verdict::Ok);
        assert!(
            none.detail.starts_with("no monitor runs here"),
            "{}",
            none.detail
        );
    }
}
