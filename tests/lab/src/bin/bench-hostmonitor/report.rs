//! The results as Markdown for BENCHMARKS.md.

use std::fmt::Write as _;

use crate::Args;
use crate::monitors::Monitor;
use crate::scale::ScaleResult;
use crate::side_by_side::{Phase, Trial};
use masakari_lab::bench::stats::{seconds, summary};
use masakari_lab::bench::timefmt::today;

/// Date, machine and the command that reproduces the run.
pub fn header(args: &Args) -> String {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load = load
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ");
    let (interval, timeout, reconnect) = args.remote_monitor.values();
    format!(
        "Run {date} on this machine ({cores} cores, load average {load} at the start), {trials} trials per \
         configuration, idle window {idle} s{auth}. Each trial's fault (\"kill\" below): {fault}; the \
         connection resources' `op monitor interval={interval} timeout={timeout}`, `reconnect_interval` \
         {reconnect}.\n\n",
        date = today(),
        auth = if args.keystone {
            ", the API behind a real Keystone, both over HTTPS"
        } else {
            ", the API with noauth2 over HTTP"
        },
        trials = args.trials,
        idle = args.idle,
        fault = args.fault.label(),
        reconnect = reconnect.unwrap_or("unset"),
    )
}

fn column(trials: &[Trial], f: impl Fn(&Trial) -> Option<f64>) -> Vec<f64> {
    trials.iter().filter_map(f).collect()
}

fn median(trials: &[Trial], f: impl Fn(&Trial) -> Option<f64>) -> Option<f64> {
    summary(&column(trials, f)).map(|s| s.median)
}

/// A ratio: two decimals near 1 (a before/after of our own builds), whole numbers beyond 10.
fn times(ratio: f64) -> String {
    if ratio < 10.0 {
        format!("{ratio:.2}x")
    } else {
        format!("{ratio:.0}x")
    }
}

/// Latency and resource tables, with ratios against our monitor.
pub fn side_by_side(phases: &[Phase]) -> String {
    let ours = phases.iter().find(|p| p.monitor == Monitor::Ours);
    let ours_fence = ours.and_then(|p| median(&p.trials, Trial::fence_to_stored));
    let ours_kill = ours.and_then(|p| median(&p.trials, Trial::kill_to_stored));
    let mut s = String::from(
        "| monitor | notified | kill -> fenced | fenced -> stored by API | kill -> stored by API | ratio them/us (fenced -> stored) | ratio them/us (kill -> stored) |\n\
         |---|---|---|---|---|---|---|\n",
    );
    for p in phases {
        let delivered = p.trials.iter().filter(|t| t.stored_at.is_some()).count();
        let statuses: Vec<&str> = p.trials.iter().map(|t| t.host_status.as_str()).collect();
        let ratio = |mine: Option<f64>, theirs: Option<f64>| match (mine, theirs) {
            (Some(m), Some(t)) if p.monitor != Monitor::Ours && m > 0.0 => times(t / m),
            _ => "1".to_owned(),
        };
        let _ = writeln!(
            s,
            "| {} | {delivered}/{} ({}) | {} | {} | {} | {} | {} |",
            p.monitor.label(),
            p.trials.len(),
            dedup(&statuses),
            seconds(&column(&p.trials, Trial::fence_time)),
            seconds(&column(&p.trials, Trial::fence_to_stored)),
            seconds(&column(&p.trials, Trial::kill_to_stored)),
            ratio(ours_fence, median(&p.trials, Trial::fence_to_stored)),
            ratio(ours_kill, median(&p.trials, Trial::kill_to_stored)),
        );
    }
    s.push_str(
        "\n| monitor | idle CPU (% of one core) | scheduler runs while idle | CPU over the trials | RSS per process (peak) | RSS total |\n\
         |---|---|---|---|---|---|\n",
    );
    let ours_rss: Option<u64> = ours.map(|p| p.memory.iter().map(|m| m.rss_kib).sum());
    for p in phases {
        let procs: Vec<String> = p
            .memory
            .iter()
            .map(|m| {
                format!(
                    "{} {:.1} MiB ({:.1})",
                    m.role,
                    mib(m.rss_kib),
                    mib(m.hwm_kib)
                )
            })
            .collect();
        let total: u64 = p.memory.iter().map(|m| m.rss_kib).sum();
        let ratio = match ours_rss {
            Some(o) if o > 0 && p.monitor != Monitor::Ours => {
                format!(" ({:.0}x ours)", total as f64 / o as f64)
            }
            _ => String::new(),
        };
        let _ = writeln!(
            s,
            "| {} | {:.2} % over {:.0} s | {} | {:.2} s in {:.0} s | {} | {:.1} MiB{ratio} |",
            p.monitor.label(),
            p.idle_cpu_percent,
            p.idle_seconds,
            p.idle_scheduler_runs,
            p.busy_cpu.0,
            p.busy_cpu.1,
            procs.join(", "),
            mib(total),
        );
    }
    s.push_str("\nPer trial (seconds; kill -> fenced / fenced -> stored / kill -> stored):\n\n");
    for p in phases {
        let cells: Vec<String> = p
            .trials
            .iter()
            .map(|t| {
                format!(
                    "{} {}/{}/{}",
                    t.compute,
                    opt(t.fence_time()),
                    opt(t.fence_to_stored()),
                    opt(t.kill_to_stored())
                )
            })
            .collect();
        let _ = writeln!(s, "- {}: {}", p.monitor.label(), cells.join("; "));
    }
    s.push('\n');
    s
}

/// The scale run's table.
pub fn scale(r: &ScaleResult) -> String {
    let last = r
        .last_stored
        .map_or_else(|| "-".to_owned(), |t| format!("{:.3} s", t - r.last_fence));
    let mem: Vec<String> = r
        .memory
        .iter()
        .map(|m| format!("{:.1} MiB (peak {:.1})", mib(m.rss_kib), mib(m.hwm_kib)))
        .collect();
    format!(
        "| scale run | value |\n|---|---|\n\
         | monitored remote nodes / failing at once | {} / {} |\n\
         | notifications stored by the API | {} of {} |\n\
         | last fencing -> last notification stored | {last} |\n\
         | each host's fencing -> its notification stored | {} |\n\
         | daemon idle CPU with {} nodes | {:.2} % of one core over {:.0} s |\n\
         | daemon CPU from the failure to the last notification | {:.2} s in {:.1} s |\n\
         | daemon RSS | {} |\n\
         | scheduler runs while idle / from the failure to the last notification | {} / {} |\n\n",
        r.hosts,
        r.failing,
        r.delivered,
        r.failing,
        seconds(&r.per_host),
        r.hosts,
        r.idle_cpu_percent,
        r.idle_seconds,
        r.busy_cpu.0,
        r.busy_cpu.1,
        mem.join(", "),
        r.scheduler_runs.0,
        r.scheduler_runs.1,
    )
}

fn dedup(values: &[&str]) -> String {
    let mut v: Vec<&str> = values.to_vec();
    v.sort_unstable();
    v.dedup();
    v.join(", ")
}

fn opt(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_owned(), |x| format!("{x:.3}"))
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}
