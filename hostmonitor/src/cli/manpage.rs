//! `manpage`: the man page, generated from the command-line definition itself.

use std::io::Write;

use clap::CommandFactory;

use super::{Cli, CliError};

/// Writes masakari-hostmonitor(8) as roff.
pub fn write(out: &mut dyn Write) -> Result<(), CliError> {
    let man = clap_mangen::Man::new(Cli::command()).section("8");
    man.render(out)?;
    Ok(())
}
