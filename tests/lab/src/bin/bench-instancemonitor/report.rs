//! The results as Markdown for BENCHMARKS.md, with the targets checked.

use std::fmt::Write as _;

use crate::Args;
use crate::stats::{seconds, summary};
use crate::timefmt::today;
use crate::trials::{Measured, Outcome};

/// Ours must be at least this many times faster than the incumbent (kill -> stored, medians).
const TARGET_SPEEDUP: f64 = 5.0;
/// Ours' resident set must stay under this, MiB.
const TARGET_RSS_MIB: f64 = 10.0;
/// Ours' idle CPU must stay under this, percent of one core.
const TARGET_IDLE_CPU: f64 = 0.1;

/// Date, machine, command, then the tables.
pub fn markdown(args: &Args, outcome: &Outcome) -> String {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mut s = format!(
        "Run {date} on this machine ({cores} cores), `make bench-instancemonitor` \
         (`bench-instancemonitor --trials {trials} --idle {idle}`), release build, one lab compute: \
         both monitors on its libvirtd, the lab's Masakari API.\n\n\
         | monitor | stored | guest kill -> stored by API (median, range) | RSS (peak) | idle CPU over {idle} s |\n\
         |---|---|---|---|---|\n",
        date = today(),
        trials = outcome.trials,
        idle = args.idle,
    );
    for m in &outcome.monitors {
        let _ = writeln!(
            s,
            "| {} | {}/{} | {} | {:.1} MiB ({:.1}) | {:.3} % |",
            m.label,
            m.latencies.len(),
            outcome.trials,
            seconds(&m.latencies),
            mib(m.rss_kib),
            mib(m.hwm_kib),
            m.idle_cpu_percent,
        );
    }
    let _ = writeln!(
        s,
        "| (libvirt's own event reaching a third client, `virsh event`) | {}/{} | {} | | |",
        outcome.libvirt_event.len(),
        outcome.trials,
        seconds(&outcome.libvirt_event),
    );
    s.push_str(&targets(outcome));
    s
}

/// The three targets, each met or not.
fn targets(outcome: &Outcome) -> String {
    let [ours, theirs] = outcome.monitors.as_slice() else {
        return String::new();
    };
    let median = |m: &Measured| summary(&m.latencies).map(|s| s.median);
    let speedup = match (median(ours), median(theirs)) {
        (Some(o), Some(t)) if o > 0.0 => Some(t / o),
        _ => None,
    };
    let verdict = |ok: bool| if ok { "met" } else { "NOT met" };
    let mut s = String::from("\n| target | ours | |\n|---|---|---|\n");
    let _ = writeln!(
        s,
        "| >= {TARGET_SPEEDUP:.0}x faster than the incumbent | {} | {} |",
        speedup.map_or_else(|| "-".to_owned(), |x| format!("{x:.1}x")),
        verdict(speedup.is_some_and(|x| x >= TARGET_SPEEDUP)),
    );
    let _ = writeln!(
        s,
        "| RSS < {TARGET_RSS_MIB:.0} MB | {:.1} MiB | {} |",
        mib(ours.rss_kib),
        verdict(mib(ours.rss_kib) < TARGET_RSS_MIB),
    );
    let _ = writeln!(
        s,
        "| idle CPU < {TARGET_IDLE_CPU} % | {:.3} % | {} |",
        ours.idle_cpu_percent,
        verdict(ours.idle_cpu_percent < TARGET_IDLE_CPU),
    );
    s
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}
