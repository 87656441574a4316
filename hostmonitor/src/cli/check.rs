//! `check`: the configuration, then everything the monitor needs on this node, one line each.

use std::io::Write;

use super::{CliError, ConfigArgs};
use crate::daemon::{Verdict, check};
use crate::settings::Settings;

/// Checks and prints the findings; fails (exit 1) when any check fails, 2 for a bad configuration.
pub fn run(args: &ConfigArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let loaded = Settings::read(&args.config, &args.overrides)?;
    let mut lines = vec![(
        "configuration",
        Verdict::Ok,
        format!("{} ({})", args.config.display(), loaded.format.name()),
    )];
    if !loaded.ignored.is_empty() {
        let ignored = format!("ignored (no meaning here): {}", loaded.ignored.join(", "));
        lines.push(("configuration", Verdict::Warn, ignored));
    }
    for notice in loaded.notices() {
        lines.push(("configuration", Verdict::Warn, notice));
    }
    for f in check(&loaded.settings) {
        lines.push((f.subject, f.verdict, f.detail));
    }
    for (subject, verdict, detail) in &lines {
        writeln!(out, "{subject:<14} {:<4}  {detail}", verdict.to_string())?;
    }
    let failed = lines.iter().filter(|(_, v, _)| *v == Verdict::Fail).count();
    if failed > 0 {
        return Err(CliError::ChecksFailed(failed));
    }
    Ok(())
}
