//! Cipher suite 17 against an independent implementation: ipmitool (1.8.19, which speaks
//! HMAC-SHA256 / HMAC-SHA256-128 / AES-CBC-128) logs in to our in-process BMC, whose RAKP,
//! key derivation, integrity and encryption are the very functions our client uses. Then our
//! binary does the same. ipmi_sim cannot do this: it has no SHA-256.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test harness: failing loudly is the point

use std::path::Path;
use std::process::Command;

mod support;

use fence_agent::fake_bmc::{FakeBmc, Served};
use support::OURS;

const IPMITOOL: &str = "/usr/bin/ipmitool";

fn ipmitool(served: &Served, extra: &[&str], command: &[&str]) -> (bool, String) {
    ipmitool_with(served, &["-I", "lanplus", "-C", "17"], extra, command)
}

fn ipmitool_with(
    served: &Served,
    mode: &[&str],
    extra: &[&str],
    command: &[&str],
) -> (bool, String) {
    let port = served.port.to_string();
    let mut args = vec![
        "-H",
        "127.0.0.1",
        "-p",
        &port,
        "-U",
        "admin",
        "-P",
        "password",
        "-N",
        "1",
        "-R",
        "2",
    ];
    args.extend(mode);
    args.extend(extra);
    args.extend(command);
    let out = Command::new(IPMITOOL).args(&args).output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn installed() -> bool {
    let ok = Path::new(IPMITOOL).exists();
    if !ok {
        // make deps installs it: in make test, a missing ipmitool is a broken install, not a skip.
        assert!(
            std::env::var_os("MASAKARI_PCMK_MAY_SKIP").is_some(),
            "{IPMITOOL} not installed (make deps; MASAKARI_PCMK_MAY_SKIP=1 skips)"
        );
        eprintln!("SKIPPED: {IPMITOOL} not installed");
    }
    ok
}

#[test]
fn ipmitool_logs_in_with_suite_17_to_our_crypto() {
    if !installed() {
        return;
    }
    let served = Served::start(FakeBmc::default()).unwrap();
    let (ok, text) = ipmitool(&served, &[], &["chassis", "power", "status"]);
    assert!(ok && text.contains("Chassis Power is on"), "{text}");
    let (ok, text) = ipmitool(&served, &[], &["chassis", "power", "off"]);
    assert!(ok, "{text}");
    let bmc = served.bmc();
    assert!(!bmc.power_on);
    assert_eq!(bmc.suite().map(|s| s.id()), Some(17));
    assert!(bmc.closed >= 2, "ipmitool closes its sessions");
}

#[test]
fn ipmitool_agrees_on_every_other_suite_and_ipmi15_auth_type() {
    if !installed() {
        return;
    }
    // Debian's ipmitool has no MD2, so MD2 is only checked against the fake BMC itself.
    let modes: [&[&str]; 5] = [
        &["-I", "lanplus", "-C", "1"],
        &["-I", "lanplus", "-C", "2"],
        &["-I", "lanplus", "-C", "3"],
        &["-I", "lan", "-A", "MD5"],
        &["-I", "lan", "-A", "PASSWORD"],
    ];
    for mode in modes {
        let served = Served::start(FakeBmc::default()).unwrap();
        let (ok, text) = ipmitool_with(&served, mode, &[], &["chassis", "power", "status"]);
        assert!(
            ok && text.contains("Chassis Power is on"),
            "{mode:?}: {text}"
        );
    }
}

#[test]
fn ipmitool_with_kg_and_suite_17() {
    if !installed() {
        return;
    }
    let mut bmc = FakeBmc::default();
    bmc.kg = Some(b"0123456789abcdefghij".to_vec());
    let served = Served::start(bmc).unwrap();
    let kg_hex = "303132333435363738396162636465666768696a";
    let (ok, text) = ipmitool(&served, &["-y", kg_hex], &["chassis", "power", "status"]);
    assert!(ok && text.contains("Chassis Power is on"), "{text}");
}

/// Runs our binary against `served` as admin with `args`; (exit code, stdout, stderr).
fn ours(served: &Served, args: &[&str]) -> (Option<i32>, String, String) {
    let port = served.port.to_string();
    let base = [
        "-a",
        "127.0.0.1",
        "-u",
        &port,
        "-l",
        "admin",
        "-p",
        "password",
        "-P",
    ];
    let out = Command::new(OURS).args(base).args(args).output().unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.code(), text(&out.stdout), text(&out.stderr))
}

#[test]
fn our_binary_defaults_to_suite_17_and_closes() {
    let served = Served::start(FakeBmc::default()).unwrap();
    let (_, stdout, stderr) = ours(&served, &["-v", "--power-wait", "0", "-o", "reboot"]);
    assert_eq!(stdout, "Success: Rebooted\n", "{stderr}");
    assert!(
        stderr.contains("DEBUG: RMCP+ session, cipher suite 17 with 127.0.0.1:"),
        "{stderr}"
    );
    let bmc = served.bmc();
    assert_eq!(bmc.suite().map(|s| s.id()), Some(17));
    assert_eq!(bmc.controls, vec![0, 1]);
    // A session per step (none is held across power_wait), every one of them closed.
    assert_eq!((bmc.opened, bmc.closed), (3, 3));
}

#[test]
fn our_binary_with_kg() {
    let mut bmc = FakeBmc::default();
    bmc.kg = Some(b"0123456789abcdefghij".to_vec());
    let served = Served::start(bmc).unwrap();
    let with_kg = |kg: &'static str| {
        ours(
            &served,
            &["-C", "17", "--hexadecimal-kg", kg, "-o", "status"],
        )
    };
    let (_, stdout, stderr) = with_kg("303132333435363738396162636465666768696a");
    assert_eq!(stdout, "Status: ON\n", "{stderr}");
    let (code, _, stderr) = with_kg("00");
    assert_eq!(code, Some(1));
    assert!(stderr.contains("checking RAKP Message 4"), "{stderr}");
}

#[test]
fn our_binary_when_the_bmc_stops_answering_mid_session() {
    let mut bmc = FakeBmc::default();
    // Auth caps, Open Session, RAKP 1, RAKP 3, Set Session Privilege; then silence.
    bmc.answer_limit = Some(5);
    let served = Served::start(bmc).unwrap();
    let (code, stdout, stderr) = ours(
        &served,
        &["-C", "17", "--shell-timeout", "2", "-o", "status"],
    );
    assert_eq!((code, stdout.as_str()), (Some(1), ""));
    assert!(
        stderr.contains("no answer from the BMC to Get Chassis Status"),
        "{stderr}"
    );
    // Close Session is retransmitted while unanswered: at least one reached the BMC.
    assert!(served.bmc().closed >= 1, "the session is closed even so");
}
