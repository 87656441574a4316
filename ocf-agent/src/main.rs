//! `/usr/lib/ocf/resource.d/masakari/hostmonitor`: read the environment, run the action, exit
//! with its OCF code (printing the exit reason Pacemaker shows when it failed).
//!
//! `main` is the C entry point, so std's runtime start-up does not run: it installs a
//! stack-overflow handler (glibc parses /proc/self/maps to find the stack, then an alternate
//! signal stack is mapped), a tenth of a `monitor`'s CPU time, paid every few seconds on every
//! node (BENCHMARKS.md). Of what it does the agent needs one thing, done here as std does it: a
//! closed pipe must be a write error, not death, so SIGPIPE is ignored (std's `Command` gives
//! children the default back). Output is flushed by the code that writes it.
// Under `cargo test --bins` the test harness brings its own `main` (and there is nothing to test).
#![cfg_attr(not(test), no_main)]

#[cfg(not(test))]
mod entry {
    use std::ffi::{c_char, c_int};

    use nix::sys::signal::{SigHandler, Signal, signal};
    use ocf_agent::agent::{self, AGENT};
    use ocf_agent::ocf::{Environment, Logger, OcfStatus};

    #[unsafe(no_mangle)]
    extern "C" fn main(_argc: c_int, _argv: *const *const c_char) -> c_int {
        // SAFETY: no handler function runs; SIG_IGN is what std's own start-up installs.
        let _ = unsafe { signal(Signal::SIGPIPE, SigHandler::SigIgn) };
        c_int::from(run().code())
    }

    fn run() -> OcfStatus {
        let env = Environment::from_process();
        let log = Logger::from_env(AGENT, &env);
        let args: Vec<String> = std::env::args_os()
            .skip(1)
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        match agent::run(&args, &env, &log, &mut std::io::stdout().lock()) {
            Ok(status) => status,
            Err(failure) => {
                log.error(&failure.reason);
                eprintln!("{}", failure.exit_reason_line());
                failure.status
            }
        }
    }
}
