//! Both agents' metadata is valid for the ecosystem's tools: the OCF 1.0 DTD (as ocf-tester checks
//! it), pcs's OCF 1.1 schema, and the golden copies (`UPDATE_GOLDEN=1` rewrites them).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test harness: failing loudly is the point

use std::io::Write;
use std::process::{Command, Stdio};

/// Each agent and its golden metadata.
const AGENTS: [(&str, &str); 2] = [
    (
        env!("CARGO_BIN_EXE_ocf-hostmonitor"),
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/hostmonitor-metadata.xml"
        ),
    ),
    (
        env!("CARGO_BIN_EXE_ocf-instancemonitor"),
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/instancemonitor-metadata.xml"
        ),
    ),
];

fn metadata(agent: &str) -> String {
    let out = Command::new(agent).arg("meta-data").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    String::from_utf8(out.stdout).unwrap()
}

fn xmllint(dir: &str, args: &[&str], xml: &str) -> (bool, String) {
    let mut child = Command::new("xmllint")
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("xmllint (libxml2-utils) is installed");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(xml.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn valid_under_the_ocf_1_0_dtd() {
    for (agent, _) in AGENTS {
        let (ok, err) = xmllint(
            "/usr/share/resource-agents",
            &["--noout", "--valid", "-"],
            &metadata(agent),
        );
        assert!(ok, "{agent}: {err}");
    }
}

#[test]
fn valid_under_pcs_ocf_1_1_schema() {
    for (agent, _) in AGENTS {
        let (ok, err) = xmllint(
            "/",
            &[
                "--noout",
                "--relaxng",
                "/usr/share/pcs/data/ocf-1.1.rng",
                "-",
            ],
            &metadata(agent),
        );
        assert!(ok, "{agent}: {err}");
    }
}

#[test]
fn matches_the_golden_copy() {
    for (agent, golden) in AGENTS {
        let xml = metadata(agent);
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::write(golden, &xml).unwrap();
        }
        let expected = std::fs::read_to_string(golden).unwrap();
        assert_eq!(
            xml, expected,
            "{golden}: run with UPDATE_GOLDEN=1 to accept the change"
        );
    }
}

#[test]
fn meta_data_needs_no_privileges_or_environment() {
    for (agent, _) in AGENTS {
        needs_nothing(agent);
    }
}

fn needs_nothing(agent: &str) {
    let out = Command::new("su")
        .args([
            "nobody",
            "-s",
            "/bin/sh",
            "-c",
            &format!("env -i {agent} meta-data"),
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8(out.stdout).unwrap(), metadata(agent));
}
