//! The results as Markdown for BENCHMARKS.md, with the targets checked.

use std::fmt::Write as _;

use crate::Args;
use crate::trials::Outcome;
use masakari_lab::bench::stats::{seconds, summary};
use masakari_lab::bench::timefmt::today;

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
    s.push_str(&parts(outcome));
    s.push_str(&targets(outcome));
    s
}

/// kill -> stored split at libvirt's event (`virsh event`, a
/// third client), each monitor's own stamp of it, and the POST reaching the API (tcpdump in the
/// API's namespace).
fn parts(outcome: &Outcome) -> String {
    let mut s = String::from(
        "\n| monitor | libvirt's event (`virsh event`) -> POST at the API | \
         the monitor's stamp of the event (`generated_time`) -> POST at the API | \
         POST at the API -> stored (the API's part) |\n|---|---|---|---|\n",
    );
    for m in &outcome.monitors {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} |",
            m.label,
            milliseconds(&m.to_post),
            milliseconds(&m.stamp_to_post),
            milliseconds(&m.post_to_stored),
        );
    }
    s
}

/// `12.3 ms (10.1..15.0), n=10`, or `-` for no data.
fn milliseconds(values: &[f64]) -> String {
    summary(values).map_or_else(
        || "-".to_owned(),
        |s| {
            format!(
                "{:.1} ms ({:.1}..{:.1}), n={}",
                1e3 * s.median,
                1e3 * s.min,
                1e3 * s.max,
                values.len()
            )
        },
    )
}

/// The three targets, each met or not.
fn targets(outcome: &Outcome) -> String {
    let [ours, theirs] = outcome.monitors.as_slice() else {
        return String::new();
    };
    let verdict = |ok: bool| if ok { "met" } else { "NOT met" };
    let mut s = String::from("\n| target | ours | |\n|---|---|---|\n");
    for (what, o, t) in [
        ("kill -> stored", &ours.latencies, &theirs.latencies),
        (
            "the monitor's part (libvirt's event -> POST)",
            &ours.to_post,
            &theirs.to_post,
        ),
        (
            "the monitor's part (its stamp -> POST)",
            &ours.stamp_to_post,
            &theirs.stamp_to_post,
        ),
    ] {
        let speedup = speedup(o, t);
        let _ = writeln!(
            s,
            "| >= {TARGET_SPEEDUP:.0}x faster than the incumbent, {what} | {} | {} |",
            speedup.map_or_else(|| "-".to_owned(), |x| format!("{x:.1}x")),
            verdict(speedup.is_some_and(|x| x >= TARGET_SPEEDUP)),
        );
    }
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

/// Theirs' median over ours'.
fn speedup(ours: &[f64], theirs: &[f64]) -> Option<f64> {
    match (summary(ours), summary(theirs)) {
        (Some(o), Some(t)) if o.median > 0.0 => Some(t.median / o.median),
        _ => None,
    }
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}
