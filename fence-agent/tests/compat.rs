//! Compatibility: the same parameter sets through fence_ipmilan 4.12.1 and ours against one
//! ipmi_sim BMC, via stdin, short options and long options. Exit codes and stdout must be
//! identical; stderr must carry the same fencing.py failure line, except where ours fails
//! earlier with a reason (privilege refusal), where both must report a `Failed:` line.
//!
//! fence_ipmilan needs cipher 3 against ipmi_sim (no SHA-256 there).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test harness: failing loudly is the point

mod support;

use std::io::Write;
use std::process::{Command, Stdio};

use fence_agent::options::table::{Kind, OPTIONS};
use support::{FENCE_IPMILAN, Sim, free_udp_port, peers_installed};

const OURS: &str = env!("CARGO_BIN_EXE_fence_ipmilan_rs");

#[derive(Clone, Copy, Debug)]
enum Mode {
    Stdin,
    Short,
    Long,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Stderr {
    /// Our first error line starts with fence_ipmilan's.
    SameFailure,
    /// Both report some `Failed:` line.
    BothFail,
    /// Not compared (success paths log nothing relevant).
    Ignore,
}

struct Scenario {
    name: &'static str,
    params: Vec<(&'static str, String)>,
    power_on: bool,
    stderr: Stderr,
    /// Compare stdout (metadata differs in agent name by design).
    stdout: bool,
    /// Run as this fence-agents alias (ours: with `_rs`), chosen by argv[0].
    alias: Option<&'static str>,
}

#[derive(Debug, PartialEq)]
struct Outcome {
    code: i32,
    stdout: String,
    errors: Vec<String>,
}

fn base(port: u16, action: &str) -> Vec<(&'static str, String)> {
    vec![
        ("ip", "127.0.0.1".into()),
        ("ipport", port.to_string()),
        ("username", "admin".into()),
        ("password", "password".into()),
        ("lanplus", "1".into()),
        ("cipher", "3".into()),
        ("power_wait", "0".into()),
        ("action", action.into()),
    ]
}

fn with(
    mut params: Vec<(&'static str, String)>,
    key: &'static str,
    value: &str,
) -> Vec<(&'static str, String)> {
    params.retain(|(k, _)| *k != key);
    if !value.is_empty() {
        params.push((key, value.to_owned()));
    }
    params
}

fn scenario(
    name: &'static str,
    params: Vec<(&'static str, String)>,
    power_on: bool,
    stderr: Stderr,
) -> Scenario {
    Scenario {
        name,
        params,
        power_on,
        stderr,
        stdout: true,
        alias: None,
    }
}

fn scenarios(port: u16, dead_port: u16) -> Vec<Scenario> {
    use Stderr::*;
    let b = |a| base(port, a);
    let mut list = vec![
        scenario("status on", b("status"), true, Ignore),
        scenario("status off", b("status"), false, Ignore),
        scenario("monitor", b("monitor"), true, Ignore),
        scenario("off", b("off"), true, Ignore),
        scenario("off already off", b("off"), false, Ignore),
        scenario("on", b("on"), false, Ignore),
        scenario("on already on", b("on"), true, Ignore),
        scenario("reboot", b("reboot"), true, Ignore),
        scenario(
            "reboot cycle",
            with(b("reboot"), "method", "cycle"),
            true,
            Ignore,
        ),
        scenario("list", b("list"), true, Ignore),
        scenario("validate-all", b("validate-all"), true, Ignore),
        scenario(
            "ipmi 1.5 status",
            with(b("status"), "lanplus", ""),
            true,
            Ignore,
        ),
        scenario(
            "ipmi 1.5 md5 off",
            with(with(b("off"), "lanplus", ""), "auth", "md5"),
            true,
            Ignore,
        ),
        scenario(
            "ipmi 1.5 straight password status",
            with(with(b("status"), "lanplus", ""), "auth", "password"),
            true,
            Ignore,
        ),
        scenario(
            "ipmi 1.5 auth none status",
            with(with(b("status"), "lanplus", ""), "auth", "none"),
            true,
            Ignore,
        ),
        scenario(
            "operator off",
            with(with(b("off"), "username", "oper"), "password", "operpass"),
            true,
            Ignore,
        ),
        scenario(
            "wrong password",
            with(b("status"), "password", "wrong"),
            true,
            SameFailure,
        ),
        scenario(
            "unknown user",
            with(b("status"), "username", "nobody"),
            true,
            SameFailure,
        ),
        scenario(
            "nothing listening",
            with(
                with(b("status"), "ipport", &dead_port.to_string()),
                "power_timeout",
                "2",
            ),
            true,
            SameFailure,
        ),
        scenario(
            "user privilege refused off",
            with(with(b("off"), "privlvl", "user"), "power_timeout", "2"),
            true,
            BothFail,
        ),
        scenario("unknown action", b("bogus"), true, SameFailure),
        scenario(
            "missing address",
            with(b("status"), "ip", ""),
            true,
            SameFailure,
        ),
        scenario(
            "bad privlvl",
            with(b("status"), "privlvl", "root"),
            true,
            SameFailure,
        ),
        scenario(
            "bad power_wait",
            with(b("status"), "power_wait", "soon"),
            true,
            SameFailure,
        ),
    ];
    list.push(scenario(
        "diag (ipmi_sim refuses it)",
        b("diag"),
        true,
        SameFailure,
    ));
    let plug_as_ip = with(
        with(with(b("status"), "ip", ""), "port_as_ip", "1"),
        "plug",
        "127.0.0.1",
    );
    list.push(scenario("plug as ip", plug_as_ip, true, Ignore));
    for alias in ["fence_ipmilanplus", "fence_ilo4"] {
        let mut s = scenario(
            "alias defaults to lanplus",
            with(b("off"), "lanplus", ""),
            true,
            Ignore,
        );
        s.alias = Some(alias);
        list.push(s);
    }
    let mut meta = scenario("metadata", b("metadata"), true, Ignore);
    meta.stdout = false;
    list.push(meta);
    list
}

fn argv(params: &[(&'static str, String)], mode: Mode) -> Vec<String> {
    let mut args = Vec::new();
    for (key, value) in params {
        let spec = OPTIONS
            .iter()
            .find(|o| o.long.replace('-', "_") == *key || o.key == *key)
            .unwrap();
        let flag = spec.kind == Kind::Boolean;
        match (mode, spec.short) {
            (Mode::Short, Some(c)) => args.push(format!("-{c}")),
            _ => args.push(format!("--{}", spec.long)),
        }
        if !flag {
            args.push(value.clone());
        }
    }
    args
}

fn run(program: &str, params: &[(&'static str, String)], mode: Mode) -> Outcome {
    let mut cmd = Command::new(program);
    cmd.env("PYTHONWARNINGS", "ignore")
        .env_remove("PCMK_service");
    if let Mode::Short | Mode::Long = mode {
        cmd.args(argv(params, mode));
    }
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    if let Mode::Stdin = mode {
        for (key, value) in params {
            writeln!(stdin, "{key}={value}").unwrap();
        }
        writeln!(stdin, "nodename=compute-0").unwrap();
    }
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    Outcome {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        errors: error_lines(&stderr),
    }
}

/// ERROR lines without timestamps ("2026-01-01 10:00:00,123 ERROR: x" and "ERROR:root:x" both
/// become "x").
fn error_lines(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter_map(|l| {
            l.split_once("ERROR: ")
                .map(|(_, m)| m)
                .or_else(|| l.strip_prefix("ERROR:root:"))
        })
        .map(str::to_owned)
        .collect()
}

/// fence-agents' program and ours for the scenario's personality.
fn programs(s: &Scenario, links: &std::path::Path) -> (String, String) {
    match s.alias {
        None => (FENCE_IPMILAN.to_owned(), OURS.to_owned()),
        Some(alias) => {
            let ours = links.join(format!("{alias}_rs"));
            if !ours.exists() {
                std::os::unix::fs::symlink(OURS, &ours).unwrap();
            }
            (format!("/usr/sbin/{alias}"), ours.display().to_string())
        }
    }
}

fn compare(sim: &Sim, s: &Scenario, mode: Mode) -> Result<(), String> {
    let (their_program, our_program) = programs(s, &sim.dir);
    sim.set_power(s.power_on);
    let theirs = run(&their_program, &s.params, mode);
    let their_power = sim.power();
    sim.set_power(s.power_on);
    let ours = run(&our_program, &s.params, mode);
    let our_power = sim.power();
    let ctx = format!(
        "{} via {mode:?} (power on after: theirs {their_power}, ours {our_power}):\n theirs {theirs:?}\n ours   {ours:?}",
        s.name
    );
    if theirs.code != ours.code
        || (s.stdout && theirs.stdout != ours.stdout)
        || their_power != our_power
    {
        return Err(ctx);
    }
    let ok = match s.stderr {
        Stderr::Ignore => true,
        Stderr::BothFail => [&theirs, &ours]
            .iter()
            .all(|o| o.errors.iter().any(|e| e.starts_with("Failed:"))),
        Stderr::SameFailure => match (theirs.errors.first(), ours.errors.first()) {
            (Some(t), Some(o)) => o.starts_with(t.as_str()),
            _ => false,
        },
    };
    if ok { Ok(()) } else { Err(ctx) }
}

#[test]
fn same_exit_codes_and_output_as_fence_ipmilan() {
    if !peers_installed() {
        return;
    }
    let sim = Sim::start("compat");
    let dead = free_udp_port();
    let mut failures = Vec::new();
    let mut ran = 0;
    for s in scenarios(sim.port, dead) {
        for mode in [Mode::Stdin, Mode::Short, Mode::Long] {
            ran += 1;
            if let Err(e) = compare(&sim, &s, mode) {
                failures.push(e);
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {ran} comparisons differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// ipmi_sim has a few dozen session slots; a leaked session per run would exhaust them
/// (checked by hand: ~50 runs killed mid-session lock the BMC with "insufficient resources").
/// So 120 runs through the success and the refusal paths, then a status, prove every session
/// we open is closed.
#[test]
fn no_session_is_left_open_on_a_real_bmc() {
    if !peers_installed() {
        return;
    }
    let sim = Sim::start("leaks");
    let status = base(sim.port, "status");
    let refused = with(
        with(base(sim.port, "off"), "privlvl", "user"),
        "power_timeout",
        "1",
    );
    for _ in 0..60 {
        assert_eq!(run(OURS, &status, Mode::Long).code, 0);
        assert_eq!(run(OURS, &refused, Mode::Long).code, 1);
    }
    let last = run(OURS, &status, Mode::Long);
    assert_eq!(
        (last.code, last.stdout.as_str()),
        (0, "Status: ON\n"),
        "{last:?}"
    );
}
