//! The metadata is valid for the ecosystem's tools: the OCF 1.0 DTD (as ocf-tester checks it), pcs's
//! OCF 1.1 schema, and the golden copy (`UPDATE_GOLDEN=1` rewrites it).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test harness: failing loudly is the point

use std::io::Write;
use std::process::{Command, Stdio};

const AGENT: &str = env!("CARGO_BIN_EXE_ocf-hostmonitor");
const GOLDEN: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/hostmonitor-metadata.xml"
);

fn metadata() -> String {
    let out = Command::new(AGENT).arg("meta-data").output().unwrap();
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
    let (ok, err) = xmllint(
        "/usr/share/resource-agents",
        &["--noout", "--valid", "-"],
        &metadata(),
    );
    assert!(ok, "{err}");
}

#[test]
fn valid_under_pcs_ocf_1_1_schema() {
    let (ok, err) = xmllint(
        "/",
        &[
            "--noout",
            "--relaxng",
            "/usr/share/pcs/data/ocf-1.1.rng",
            "-",
        ],
        &metadata(),
    );
    assert!(ok, "{err}");
}

#[test]
fn matches_the_golden_copy() {
    let xml = metadata();
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(GOLDEN, &xml).unwrap();
    }
    let golden = std::fs::read_to_string(GOLDEN).unwrap();
    assert_eq!(xml, golden, "run with UPDATE_GOLDEN=1 to accept the change");
}

#[test]
fn meta_data_needs_no_privileges_or_environment() {
    let out = Command::new("su")
        .args([
            "nobody",
            "-s",
            "/bin/sh",
            "-c",
            &format!("env -i {AGENT} meta-data"),
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8(out.stdout).unwrap(), metadata());
}
