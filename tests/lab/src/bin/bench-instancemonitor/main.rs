//! `bench-instancemonitor`: our instance monitor side by side with masakari-monitors' on one lab
//! compute: the same libvirtd, the same guests, the same real Masakari API. Needs root and
//! `make deps`; prints Markdown for BENCHMARKS.md. Run through `make bench-instancemonitor`, under
//! the lab lock. A benchmark, not a test: nothing is asserted.
//!
//! Each trial starts a fresh guest (its own UUID, so the API never takes one monitor's notification
//! for a duplicate of an earlier one), kills its qemu with SIGKILL and times, for each monitor, the
//! kill to the moment its `LIFECYCLE`/`STOPPED_FAILED` row appears in the API's database, split at
//! libvirt's event (a third client, `virsh event`) and at its POST reaching the API (tcpdump on the
//! API's side, the same probe for both): event -> POST is the monitor's own part. Then the RSS of
//! each monitor, and the CPU each uses over an idle window with a guest running.

mod posts;
mod report;
mod trials;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use masakari_lab::bench;

/// Instance monitor benchmark on a lab (torn down at the end).
#[derive(Debug, Parser)]
struct Args {
    /// Guest kills (each monitor sees every one).
    #[arg(long, default_value_t = 10)]
    trials: u16,
    /// Seconds of the idle CPU window.
    #[arg(long, default_value_t = 60)]
    idle: u64,
    /// Copy the monitors' and the API's logs here before the lab is torn down.
    #[arg(long)]
    logs: Option<PathBuf>,
    /// Also write the Markdown here.
    #[arg(long)]
    out: Option<PathBuf>,
}

fn main() -> ExitCode {
    bench::exit("bench-instancemonitor", run(&Args::parse()))
}

fn run(args: &Args) -> masakari_lab::Result<()> {
    let result = trials::run(
        args.trials,
        Duration::from_secs(args.idle),
        args.logs.as_deref(),
    )?;
    let md = report::markdown(args, &result);
    println!("{md}");
    bench::save(args.out.as_deref(), &md)
}
