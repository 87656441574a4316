//! Numeric options out of bounds, through the binary: refused before any BMC traffic, with
//! the range in the error and fencing.py's usage exit (1), via long options, short options
//! and stdin. One run against ipmi_sim proves a refused `on` leaves the node as it was
//! (before the bounds, `retry_on=4294967295` overflowed `1 + retry_on`: a panic in debug
//! builds, zero power-on attempts in release).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test harness: failing loudly is the point

mod support;

use std::process::Output;
use std::time::{Duration, Instant};

use support::{Sim, free_udp_port, run_agent};

const OURS: &str = env!("CARGO_BIN_EXE_fence_ipmilan_rs");

fn run(args: &[&str], stdin: &str) -> Output {
    run_agent(OURS, args, stdin)
}

/// Asserts a run was refused for `long` being out of range, quickly (no BMC was waited for).
fn assert_refused(out: &Output, long: &str, started: Instant) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let line = format!("Failed: The value you have entered for --{long} is out of range");
    assert!(stderr.contains(&line), "{stderr}");
    assert!(stderr.contains("Please use '-h' for usage"), "{stderr}");
    assert!(!stderr.contains("Connection timed out"), "{stderr}");
    assert!(started.elapsed() < Duration::from_secs(3), "{stderr}");
    assert!(out.stdout.is_empty());
}

#[test]
fn huge_and_negative_numbers_are_refused_by_long_option_and_stdin() {
    let port = free_udp_port().to_string();
    let cases = [
        ("retry-on", "retry_on", "4294967295"),
        ("retry-on", "retry_on", "-5"),
        ("retry-on", "retry_on", "99999999999999999999999"),
        ("power-wait", "power_wait", "99999999999999999999"),
        ("delay", "delay", "-5"),
        ("login-timeout", "login_timeout", "99999999999999999999"),
        ("power-timeout", "power_timeout", "-3"),
        ("verbose-level", "verbose_level", "99999999999999999999"),
        ("ipport", "ipport", "99999"),
    ];
    for (long, key, value) in cases {
        let base = [
            "-a",
            "127.0.0.1",
            "-l",
            "admin",
            "-p",
            "password",
            "-o",
            "on",
        ];
        let option = format!("--{long}={value}");
        let mut args = base.to_vec();
        if long != "ipport" {
            args.extend(["-u", &port]);
        }
        args.push(&option);
        let started = Instant::now();
        assert_refused(&run(&args, ""), long, started);
        let mut stdin = "ip=127.0.0.1\nusername=admin\npassword=password\naction=on\n".to_owned();
        if key != "ipport" {
            stdin.push_str(&format!("ipport={port}\n"));
        }
        stdin.push_str(&format!("{key}={value}\n"));
        let started = Instant::now();
        assert_refused(&run(&[], &stdin), long, started);
    }
}

#[test]
fn short_options_are_bounded_too() {
    let started = Instant::now();
    let out = run(&["-a", "127.0.0.1", "-u", "0", "-o", "status"], "");
    assert_refused(&out, "ipport", started);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("(1 to 65535): 0"), "{stderr}");
}

#[test]
fn a_refused_retry_on_leaves_the_node_as_it_was() {
    let sim = Sim::start("bounds");
    sim.set_power(false);
    let port = sim.port.to_string();
    let stdin = format!(
        "ip=127.0.0.1\nipport={port}\nusername=admin\npassword=password\nlanplus=1\ncipher=3\n\
         action=on\nretry_on=4294967295\n"
    );
    let started = Instant::now();
    let out = run(&[], &stdin);
    assert_refused(&out, "retry-on", started);
    assert!(!sim.power(), "nothing was sent to the BMC");
    let out = run(&[], &stdin.replace("4294967295", "100"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "Success: Powered ON\n"
    );
    assert!(sim.power());
}
