//! Metadata golden tests: our `-o metadata` against fence_ipmilan 4.12.1's (recorded in
//! tests/data), compared as XML trees, and against our own golden file
//! (`UPDATE_GOLDEN=1 cargo test -p fence-agent --test metadata` rewrites it).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test harness: failing loudly is the point

use fence_agent::options::metadata::metadata;
use fence_agent::personality::{FENCE_IPMILAN, from_argv0};
use quick_xml::Reader;
use quick_xml::events::Event;

/// The XML as one line per element: its path, sorted attributes and text.
fn flatten(xml: &str) -> Vec<String> {
    let mut reader = Reader::from_str(xml);
    reader.config_mut().trim_text(true);
    let mut path: Vec<String> = Vec::new();
    let mut lines = Vec::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => {
                path.push(String::from_utf8_lossy(e.name().as_ref()).into_owned());
                lines.push(element_line(&path, &e));
            }
            Event::Empty(e) => {
                path.push(String::from_utf8_lossy(e.name().as_ref()).into_owned());
                lines.push(element_line(&path, &e));
                path.pop();
            }
            Event::Text(t) => {
                lines.push(format!("{} text={}", path.join("/"), t.decode().unwrap()))
            }
            Event::End(_) => {
                path.pop();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    lines
}

fn element_line(path: &[String], e: &quick_xml::events::BytesStart<'_>) -> String {
    let mut attrs: Vec<String> = e
        .attributes()
        .map(|a| {
            let a = a.unwrap();
            format!(
                "{}={}",
                String::from_utf8_lossy(a.key.as_ref()),
                a.unescape_value().unwrap()
            )
        })
        .collect();
    attrs.sort();
    format!("{} [{}]", path.join("/"), attrs.join(" "))
}

/// Only the parts that must equal fence_ipmilan's: parameters and actions.
fn contract(xml: &str) -> Vec<String> {
    flatten(xml)
        .into_iter()
        .filter(|l| {
            l.starts_with("resource-agent/parameters") || l.starts_with("resource-agent/actions")
        })
        .collect()
}

/// Asserts equality, reporting the first differing line rather than both trees.
fn same(ours: &[String], reference: &[String]) {
    let first = ours.iter().zip(reference).position(|(a, b)| a != b);
    assert_eq!(first.map(|i| (&ours[i], &reference[i])), None);
    assert_eq!(ours.len(), reference.len());
}

fn ours(argv0: &str) -> String {
    let program = argv0.rsplit('/').next().unwrap();
    metadata(program, from_argv0(argv0, &FENCE_IPMILAN)).unwrap()
}

#[test]
fn parameters_and_actions_match_fence_ipmilan() {
    let reference = include_str!("data/fence_ipmilan-4.12.1-metadata.xml");
    same(&contract(&ours("fence_ipmilan_rs")), &contract(reference));
}

/// fence_redfish_rs's parameters are fence_redfish's, plus `ssl_ca_file` (ours: the CA to verify
/// the controller with; fence_redfish has only the system's bundle or `ssl_insecure`).
#[test]
fn parameters_and_actions_match_fence_redfish_but_for_ssl_ca_file() {
    let reference = include_str!("data/fence_redfish-4.12.1-metadata.xml");
    let xml = ours("/usr/sbin/fence_redfish_rs");
    let start = xml.find("<parameter name=\"ssl_ca_file\"").unwrap();
    let end = start + xml[start..].find("</parameter>").unwrap() + "</parameter>".len();
    let without = format!("{}{}", &xml[..start], &xml[end..]);
    same(&contract(&without), &contract(reference));
}

#[test]
fn alias_defaults_match_fence_ilo3_and_fence_idrac() {
    let ilo3 = include_str!("data/fence_ilo3-4.12.1-metadata.xml");
    same(&contract(&ours("/usr/sbin/fence_ilo3_rs")), &contract(ilo3));
    let idrac = include_str!("data/fence_idrac-4.12.1-metadata.xml");
    same(&contract(&ours("fence_idrac_rs")), &contract(idrac));
}

#[test]
fn names_ours_and_lists_our_aliases() {
    let lines = flatten(&ours("fence_ipmilan_rs"));
    assert_eq!(
        lines[0],
        "resource-agent [name=fence_ipmilan_rs shortdesc=Fence agent for IPMI]"
    );
    assert!(lines.contains(
        &"resource-agent/symlink [name=fence_ilo3_rs shortdesc=Fence agent for HP iLO3]".to_owned()
    ));
}

#[test]
fn golden_file() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/fence_ipmilan_rs-metadata.xml"
    );
    let xml = ours("fence_ipmilan_rs");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(path, &xml).unwrap();
    }
    assert_eq!(
        xml,
        std::fs::read_to_string(path).expect("golden file (UPDATE_GOLDEN=1 creates it)")
    );
}
