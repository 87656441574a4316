//! One run of an agent: options in, exit status out. Each binary's `main` only calls [`run`]
//! with its family's [`Driver`]; parsing, help, metadata, logging, the debug file,
//! `password_script` and `delay` are the same for every family.

use std::fs::OpenOptions;
use std::io::{Read, Write};
use std::time::Instant;

use secret::Secret;
use zeroize::Zeroize;

use crate::agent::{Fencing, Run, SystemClock};
use crate::bmc::LanBmc;
use crate::exit::Exit;
use crate::log::Logger;
use crate::options::check::{Builder, Outcome, check_with, settings as ipmi_settings};
use crate::options::settings::{Action, Settings};
use crate::options::{argv, help, metadata, stdin};
use crate::password_script;
use crate::personality::{self, FENCE_IPMILAN, Personality, SUFFIX, basename};

/// What differs between the agent families in a run: their settings and how they fence.
pub trait Driver {
    /// The family's typed settings.
    type Settings;
    /// The binary's own personality (for an `argv[0]` that names none).
    fn main() -> &'static Personality;
    /// Builds the settings from checked options.
    fn build() -> Builder<Self::Settings>;
    /// Where the password goes (from `password_script`).
    fn password(settings: &mut Self::Settings) -> &mut Secret;
    /// Checks the settings once the password is known; the failure line.
    fn ready(settings: &Self::Settings) -> Result<(), String>;
    /// The fencing decisions' view of the settings.
    fn fencing(settings: &Self::Settings) -> Fencing;
    /// `delay`.
    fn delay(settings: &Self::Settings) -> std::time::Duration;
    /// Carries out the action.
    fn fence(settings: &Self::Settings, out: &mut dyn Write, log: &mut Logger) -> Exit;
}

/// fence_ipmilan and its aliases.
pub struct Ipmi;

impl Driver for Ipmi {
    type Settings = Settings;
    fn main() -> &'static Personality {
        &FENCE_IPMILAN
    }
    fn build() -> Builder<Settings> {
        ipmi_settings
    }
    fn password(settings: &mut Settings) -> &mut Secret {
        &mut settings.password
    }
    fn ready(settings: &Settings) -> Result<(), String> {
        settings.check_credentials().map_err(|e| e.to_string())
    }
    fn fencing(settings: &Settings) -> Fencing {
        Fencing::of(settings)
    }
    fn delay(settings: &Settings) -> std::time::Duration {
        settings.delay
    }
    fn fence(settings: &Settings, out: &mut dyn Write, log: &mut Logger) -> Exit {
        fence(settings, out, log)
    }
}

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

/// Runs the agent of `D` on this process's argv, stdin, stdout, stderr and `$PCMK_service`;
/// the exit status (each binary's `main` is this call).
pub fn run_process<D: Driver>() -> u8 {
    let stdin = &mut std::io::stdin().lock();
    let stdout = &mut std::io::stdout().lock();
    let io = Io {
        args: std::env::args().collect(),
        stdin,
        stdout,
        stderr: Box::new(std::io::stderr()),
        pcmk_service: std::env::var("PCMK_service").ok(),
    };
    run::<D>(io).code()
}

/// Runs the agent of `D` as fence-agents' agent of that family would run.
pub fn run<D: Driver>(io: Io<'_>) -> Exit {
    let started = Instant::now();
    let argv0 = io
        .args
        .first()
        .cloned()
        .unwrap_or_else(|| format!("{}{SUFFIX}", D::main().name));
    let program = basename(&argv0).to_owned();
    let personality = personality::from_argv0(&argv0, D::main());
    let table = personality.family.options;
    let mut log = Logger::new(io.stderr);
    let raw = match io.args.get(1..).filter(|a| !a.is_empty()) {
        Some(args) => argv::parse(args, table),
        None => {
            let mut text = String::new();
            let _ = io.stdin.read_to_string(&mut text);
            let raw = stdin::parse(&text, table);
            text.zeroize();
            Ok(raw)
        }
    };
    let raw = match raw {
        Ok(raw) => raw,
        Err(msg) => return usage_error(&mut log, &[msg]),
    };
    let checked = check_with(raw, personality, io.pcmk_service.as_deref(), D::build());
    checked
        .early_warnings
        .iter()
        .for_each(|w| log.warning(&format!("{w}\n")));
    let out = io.stdout;
    match checked.outcome {
        Outcome::Help => return print(out, &help::usage(&program, table)),
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
        log.debug(&format!(
            "ignoring {key}: it only concerns a tool fence-agents runs"
        ));
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
            Ok(secret) => *D::password(&mut settings) = secret,
            Err(e) => {
                log.error(&format!("Failed: password_script: {e}\n\n"));
                return Exit::Failed;
            }
        }
    }
    if let Err(e) = D::ready(&settings) {
        log.error(&format!("{e}\n\n"));
        return Exit::Failed;
    }
    delay(D::fencing(&settings).action, D::delay(&settings), started);
    D::fence(&settings, out, &mut log)
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
        settings: Fencing::of(settings),
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
fn delay(action: Action, delay: std::time::Duration, started: Instant) {
    if matches!(action, Action::Off | Action::Reboot) && !delay.is_zero() {
        let until = started + delay + std::time::Duration::from_secs(1);
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
