//! One function per action, for any [`Agent`]. Start and stop are idempotent; monitor is
//! three-state (running, cleanly stopped, failed) and goes deeper with `OCF_CHECK_LEVEL`:
//! level 0 is "the PID file names a live `run` of our binary and it answers `status` on its
//! control socket" (`OCF_ERR_GENERIC` otherwise); what deeper levels check is the agent's
//! ([`Agent::probe`]).
//!
//! No PID file, or a PID that is not our daemon, is `OCF_NOT_RUNNING`. The status request goes
//! over the control socket in-process: no fork, and the answer comes from the daemon itself, so a
//! hung daemon fails level 0.

use std::path::Path;
use std::time::Duration;

use super::pid_file::PidFile;
use super::proc::is_daemon;
use super::process;
use super::{Agent, Instance, Runtime, Verdict};
use crate::ocf::{Environment, Failure, Logger, OcfStatus, Outcome};

/// Operation time budget when Pacemaker does not say (`OCF_RESKEY_CRM_meta_timeout`).
const DEFAULT_BUDGET: Duration = Duration::from_secs(20);

/// `validate-all`: the attributes, the binary and the configuration file they amend.
pub fn validate<A: Agent>(instance: &Instance) -> Result<Runtime, Failure> {
    instance.check_binary()?;
    A::validate(instance)
}

/// `start`: succeeds at once if the daemon runs; otherwise starts it and waits until its
/// control socket accepts connections, or it exits (its exit code says why), or time runs out.
pub fn start<A: Agent>(instance: &Instance, env: &Environment, log: &Logger) -> Outcome {
    let runtime = validate::<A>(instance)?;
    if running(instance).is_some() {
        monitor::<A>(instance, &Environment::default(), log)?;
        log.info("already running");
        return Ok(OcfStatus::Success);
    }
    let program = instance.spec.program;
    let socket = runtime.control_socket.clone();
    prepare_dirs(instance, &runtime)?;
    let (mut child, offset) = process::spawn(instance)?;
    let pid_file = PidFile {
        pid: i32::try_from(child.id()).unwrap_or(i32::MAX),
        control_socket: socket.clone(),
    };
    if let Err(f) = pid_file.write(&instance.pid_file) {
        let _ = child.kill();
        let _ = child.wait();
        return Err(f);
    }
    let limit = budget(env).saturating_sub(Duration::from_secs(1));
    let mut exited = None;
    let ready = process::wait_until(limit, || {
        exited = child.try_wait().ok().flatten();
        exited.is_some() || process::socket_accepts(&socket).is_ok()
    });
    if let Some(status) = exited {
        let _ = std::fs::remove_file(&instance.pid_file);
        let said = process::last_words(&instance.log_file, offset).unwrap_or_default();
        let code = if status.code() == Some(2) {
            OcfStatus::ErrConfigured
        } else {
            OcfStatus::ErrGeneric
        };
        return Err(Failure::new(
            code,
            format!("{program} exited ({status}): {said}"),
        ));
    }
    if !ready {
        stop(instance, env, log)?;
        return Err(Failure::generic(format!(
            "{program} did not open {} within {} s",
            socket.display(),
            limit.as_secs()
        )));
    }
    log.info(&format!("started {program} (pid {})", pid_file.pid));
    Ok(OcfStatus::Success)
}

/// `stop`: SIGTERM (SIGKILL after most of the timeout); succeeds if nothing runs.
pub fn stop(instance: &Instance, env: &Environment, log: &Logger) -> Outcome {
    if let Some(pf) = PidFile::read(&instance.pid_file) {
        if is_daemon(pf.pid, &instance.binary) {
            let grace = budget(env) * 3 / 4;
            process::terminate(pf.pid, &instance.binary, grace)?;
            log.info(&format!(
                "stopped {} (pid {})",
                instance.spec.program, pf.pid
            ));
        }
        std::fs::remove_file(&instance.pid_file)
            .or_else(|e| match e.kind() {
                std::io::ErrorKind::NotFound => Ok(()),
                _ => Err(e),
            })
            .map_err(|e| process::io_failure(&instance.pid_file, &e))?;
    }
    Ok(OcfStatus::Success)
}

/// `monitor`, as deep as `OCF_CHECK_LEVEL` asks.
pub fn monitor<A: Agent>(instance: &Instance, env: &Environment, log: &Logger) -> Outcome {
    let level = env.check_level()?;
    let Some(pf) = running(instance) else {
        return Ok(OcfStatus::NotRunning);
    };
    let timeout = budget(env).saturating_sub(Duration::from_secs(1));
    match A::probe(instance, &pf, level, timeout)? {
        Verdict::Running => Ok(OcfStatus::Success),
        Verdict::Degraded(why) => {
            log.warning(&why);
            Ok(OcfStatus::Degraded)
        }
    }
}

/// The PID file of a live daemon of ours, if one runs.
fn running(instance: &Instance) -> Option<PidFile> {
    PidFile::read(&instance.pid_file).filter(|pf| is_daemon(pf.pid, &instance.binary))
}

/// The directories the daemon and the agent write to.
fn prepare_dirs(instance: &Instance, runtime: &Runtime) -> Result<(), Failure> {
    let own = [instance.pid_file.as_path(), instance.log_file.as_path()];
    let files = own
        .into_iter()
        .chain(runtime.files.iter().map(|f| f.as_path()));
    for dir in files.filter_map(Path::parent) {
        std::fs::create_dir_all(dir).map_err(|e| process::io_failure(dir, &e))?;
    }
    Ok(())
}

/// The operation's time budget.
fn budget(env: &Environment) -> Duration {
    env.op_timeout().unwrap_or(DEFAULT_BUDGET)
}
