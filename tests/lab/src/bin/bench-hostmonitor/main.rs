//! `bench-hostmonitor`: our host monitor side by side with masakari-monitors' hostmonitor on a lab,
//! and the simulated scale runs (1,000 nodes with 50 failing, 300 with 30). Needs root and `make deps`; prints Markdown for
//! BENCHMARKS.md. Run through `make bench-hostmonitor`. A benchmark, not a test: nothing is asserted.

mod fault;
mod monitors;
mod process;
mod report;
mod scale;
mod scheduler;
mod side_by_side;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use masakari_lab::bench;

/// Host monitor benchmark on the lab (one lab at a time, each torn down at the end).
#[derive(Debug, Parser)]
struct Args {
    /// Failures per monitor configuration.
    #[arg(long, default_value_t = 5)]
    trials: usize,
    /// Seconds of the idle CPU window (at least two polls for a poller).
    #[arg(long, default_value_t = 60)]
    idle: u64,
    /// masakari-monitors' monitoring_interval values to run (`--intervals` alone: none).
    #[arg(long, value_delimiter = ',', num_args = 0.., default_value = "5,60")]
    intervals: Vec<u32>,
    /// The scale runs, each HOSTS/FAILING (simulated monitored nodes / failing at once), one lab
    /// each, one after the other.
    #[arg(long, value_delimiter = ',', value_parser = scale::Size::parse, default_value = "1000/50,300/30")]
    scale: Vec<scale::Size>,
    /// Also run our monitor from DIR/masakari-hostmonitor (another build, e.g. main's) right after
    /// ours in the same lab: a before/after in one run.
    #[arg(long, value_name = "DIR")]
    baseline: Option<PathBuf>,
    /// Skip the side-by-side run.
    #[arg(long)]
    skip_side_by_side: bool,
    /// Skip the scale run.
    #[arg(long)]
    skip_scale: bool,
    /// Also run the process benchmark: `--trials` computes whose nova-compute Pacemaker gives up
    /// on, each timed from Pacemaker's stop to the stored PROCESS notification.
    #[arg(long)]
    process: bool,
    /// Run the side-by-side lab with a real Keystone and HTTPS (`auth_strategy = keystone`): both
    /// monitors log in with the seed's password settings and find the API in the catalog.
    #[arg(long)]
    keystone: bool,
    /// What fails in each side-by-side trial: `kill` (pacemaker-remoted killed, the connection
    /// resets), or a fault that sends no goodbye, `cut` (traffic dropped) or `freeze` (SIGSTOP).
    #[arg(long, value_enum, default_value = "kill")]
    fault: fault::Fault,
    /// The computes' connection resource settings in the side-by-side lab (`shipped` or
    /// `pacemaker-defaults`): they decide how soon a cut or frozen compute is found.
    #[arg(long, value_enum, default_value = "shipped")]
    remote_monitor: masakari_lab::RemoteMonitor,
    /// Copy the monitors' and the API's logs here before each lab is torn down.
    #[arg(long)]
    logs: Option<PathBuf>,
    /// Also write the Markdown here.
    #[arg(long)]
    out: Option<PathBuf>,
}

fn main() -> ExitCode {
    bench::exit("bench-hostmonitor", run(&Args::parse()))
}

fn run(args: &Args) -> masakari_lab::Result<()> {
    let idle = Duration::from_secs(args.idle);
    let mut md = report::header(args);
    if !args.skip_side_by_side {
        let mut monitors = vec![monitors::Monitor::Ours];
        if args.baseline.is_some() {
            monitors.push(monitors::Monitor::Baseline);
        }
        monitors.extend(
            args.intervals
                .iter()
                .map(|&i| monitors::Monitor::Incumbent(i)),
        );
        let phases = side_by_side::run(
            &monitors,
            args.trials,
            idle,
            args.baseline.as_deref(),
            args.keystone,
            fault::Failure {
                fault: args.fault,
                remote_monitor: args.remote_monitor,
            },
            args.logs.as_deref(),
        )?;
        md.push_str(&report::side_by_side(&phases));
        save(args, &md)?;
    }
    if args.process {
        let trials = process::run(args.trials, args.logs.as_deref())?;
        md.push_str(&process::report(&trials));
        save(args, &md)?;
    }
    if !args.skip_scale {
        for size in &args.scale {
            let result = scale::run(*size, idle, args.logs.as_deref())?;
            md.push_str(&report::scale(&result));
            save(args, &md)?;
        }
    }
    emit(args, &md)
}

fn emit(args: &Args, md: &str) -> masakari_lab::Result<()> {
    println!("{md}");
    save(args, md)
}

/// Writes what there is so far to --out (a later failure keeps the earlier results).
fn save(args: &Args, md: &str) -> masakari_lab::Result<()> {
    bench::save(args.out.as_deref(), md)
}
