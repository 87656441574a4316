//! The process around an agent: what each agent binary's C `main` calls.
//!
//! The binaries define `main` as the C entry point, so std's runtime start-up does not run: it
//! installs a stack-overflow handler (glibc parses /proc/self/maps to find the stack, then an
//! alternate signal stack is mapped), a tenth of a `monitor`'s CPU time, paid every few seconds
//! on every node (BENCHMARKS.md). Of what it does an agent needs one thing, done here as std does
//! it: a closed pipe must be a write error, not death, so SIGPIPE is ignored (std's `Command`
//! gives children the default back). Output is flushed by the code that writes it.

use nix::sys::signal::{SigHandler, Signal, signal};

use super::{Agent, dispatch};
use crate::ocf::{Environment, Logger, OcfStatus};

/// Defines the C `main` of an agent binary: `ocf_agent::agent_main!(path::to::Agent);`. Under
/// `cargo test --bins` the test harness brings its own `main`, so there it defines nothing.
#[macro_export]
macro_rules! agent_main {
    ($agent:ty) => {
        #[cfg(not(test))]
        #[unsafe(no_mangle)]
        extern "C" fn main(
            _argc: ::std::ffi::c_int,
            _argv: *const *const ::std::ffi::c_char,
        ) -> ::std::ffi::c_int {
            ::std::ffi::c_int::from($crate::service::entry::main::<$agent>())
        }
    };
}

/// Runs agent `A` on this process's arguments and environment: its exit code, after printing the
/// exit reason Pacemaker shows when it failed.
pub fn main<A: Agent>() -> u8 {
    // SAFETY: no handler function runs; SIG_IGN is what std's own start-up installs.
    let _ = unsafe { signal(Signal::SIGPIPE, SigHandler::SigIgn) };
    run::<A>().code()
}

fn run<A: Agent>() -> OcfStatus {
    let env = Environment::from_process();
    let log = Logger::from_env(A::spec().info.name, &env);
    let args: Vec<String> = std::env::args_os()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    match dispatch::run::<A>(&args, &env, &log, &mut std::io::stdout().lock()) {
        Ok(status) => status,
        Err(failure) => {
            log.error(&failure.reason);
            eprintln!("{}", failure.exit_reason_line());
            failure.status
        }
    }
}
