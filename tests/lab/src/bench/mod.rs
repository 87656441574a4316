//! What the benchmark binaries (`bench-hostmonitor`, `bench-instancemonitor`) share: the /proc
//! readers ([`procstat`]), medians ([`stats`]), the API's store times ([`stored`]), clock and
//! formats ([`timefmt`]), and the shape of their `main` ([`exit`], [`save`]).

pub mod procstat;
pub mod stats;
pub mod stored;
pub mod timefmt;

use std::path::Path;
use std::process::ExitCode;

use crate::error::{Result, file_error};

/// A benchmark's exit: success, or its error said under its `name`.
pub fn exit(name: &str, result: Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{name}: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Writes the Markdown so far to `out` when one is given (a later failure keeps what is there).
pub fn save(out: Option<&Path>, md: &str) -> Result<()> {
    match out {
        Some(path) => std::fs::write(path, md).map_err(file_error(path)),
        None => Ok(()),
    }
}
