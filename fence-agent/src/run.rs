//! One run of the agent: options in, exit status out. The binary's `main` only calls this.

use std::fs::OpenOptions;
use std::io::{Read, Write};
use std::time::Instant;

use zeroize::Zeroize;

use crate::agent::{Run, SystemClock};
use crate::bmc::LanBmc;
use crate::exit::Exit;
use crate::log::Logger;
use crate::options::check::{Outcome, check};
use crate::options::settings::{Action, Settings};
use crate::options::{argv, help, metadata, stdin};
use crate::password_script;
use crate::personality::{self, basename};

/// The process's inputs and outputs.
pub struct Io<'a> {
    /// argv, including `argv[0]`.
    pub args: Vec<String>,
    /// Standard input (read only when there are no arguments).
    pub stdin: &'a mut dyn Read,
    /// Standard output.
    pub stdout: &'a mut dyn Write,
    /// Standard error.
    pub stderr: Box<dyn Write>,
    /// `$PCMK_service`.
    pub pcmk_service: Option<String>,
}

/// Runs the agent as fence_ipmilan would run.
pub fn run(io: Io<'_>) -> Exit {
    let started = Instant::now();
    let argv0 = io
        .args
        .first()
        .cloned()
        .unwrap_or_else(|| "fence_ipmilan_rs".to_owned());
    let program = basename(&argv0).to_owned();
    let personality = personality::from_argv0(&argv0);
    let mut log = Logger::new(io.stderr);
    let raw = match io.args.get(1..).filter(|a| !a.is_empty()) {
        Some(args) => argv::parse(args),
        None => {
            let mut text = String::new();
            let _ = io.stdin.read_to_string(&mut text);
            let raw = stdin::parse(&text);
            text.zeroize();
            Ok(raw)
        }
    };
    let raw = match raw {
        Ok(raw) => raw,
        Err(msg) => return usage_error(&mut log, &[msg]),
    };
    let checked = check(raw, personality, io.pcmk_service.as_deref());
    checked
        .early_warnings
        .iter()
        .for_each(|w| log.warning(&format!("{w}\n")));
    let out = io.stdout;
    match checked.outcome {
        Outcome::Help => return print(out, &help::usage(&program)),
        Outcome::Metadata => {
            return match metadata::metadata(&program, personality) {
                Ok(xml) => print(out, xml.trim_end()),
                Err(e) => {
                    log.error(&format!("cannot write metadata: {e}"));
                    Exit::Failed
                }
            };
        }
        Outcome::Version => return print(out, env!("CARGO_PKG_VERSION")),
        _ => {}
    }
    log.configure(checked.verbose_level > 0, checked.quiet);
    checked.warnings.iter().for_each(|w| log.warning(w));
    for key in &checked.ignored {
        log.debug(&format!("ignoring {key}: it only concerns ipmitool"));
    }
    let mut settings = match checked.outcome {
        Outcome::Usage(errors) => return usage_error(&mut log, &errors),
        Outcome::Run(settings) => settings,
        _ => return Exit::Ok,
    };
    if let Some(path) = &checked.debug_file {
        match OpenOptions::new().create(true).append(true).open(path) {
            Ok(file) => log.add_debug_file(file),
            Err(_) => {
                return usage_error(&mut log, &[format!("Failed: Unable to create file {path}")]);
            }
        }
    }
    if let Some(script) = &checked.password_script {
        match password_script::run(script) {
            Ok(secret) => settings.password = secret,
            Err(e) => {
                log.error(&format!("Failed: password_script: {e}\n\n"));
                return Exit::Failed;
            }
        }
    }
    if let Err(e) = settings.check_credentials() {
        log.error(&format!("{e}\n\n"));
        return Exit::Failed;
    }
    delay(&settings, started);
    fence(&settings, out, &mut log)
}

fn fence(settings: &Settings, out: &mut dyn Write, log: &mut Logger) -> Exit {
    log.debug(&format!(
        "{:?} on {}:{} as {:?}, privilege {}, password [set: {}]",
        settings.action,
        settings.host,
        settings.port,
        settings.username,
        settings.privilege,
        !settings.password.is_empty()
    ));
    let mut bmc = LanBmc::new(settings);
    let mut clock = SystemClock;
    let exit = Run {
        settings,
        bmc: &mut bmc,
        clock: &mut clock,
        out,
        log,
    }
    .fence();
    let _ = out.flush();
    exit
}

/// fencing.py's `run_delay`: off and reboot wait `1 + delay` seconds from the start.
fn delay(settings: &Settings, started: Instant) {
    if matches!(settings.action, Action::Off | Action::Reboot) && !settings.delay.is_zero() {
        let until = started + settings.delay + std::time::Duration::from_secs(1);
        std::thread::sleep(until.saturating_duration_since(Instant::now()));
    }
}

fn usage_error(log: &mut Logger, errors: &[String]) -> Exit {
    errors.iter().for_each(|e| log.error(&format!("{e}\n")));
    log.error("Please use '-h' for usage\n");
    Exit::Failed
}

fn print(out: &mut dyn Write, text: &str) -> Exit {
    let _ = writeln!(out, "{}", text.trim_end_matches('\n'));
    let _ = out.flush();
    Exit::Ok
}
