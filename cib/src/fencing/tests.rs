//! The index against the search it replaced: for every CIB of the corpus and every name in it,
//! the same devices in the same order.

use super::*;
use crate::topology::{FencingLevel, LevelTarget};

/// The search before [`FenceIndex`]: every device and level scanned per host.
fn searched<'a>(cib: &'a Cib, host: &str) -> Vec<FenceDevice<'a>> {
    match topology_for(cib, host) {
        Some(levels) => topology_devices(cib, host, &levels),
        None => cib
            .stonith_devices()
            .filter(|d| !d.is_disabled())
            .filter_map(|d| eligible(d, host))
            .collect(),
    }
}

fn topology_for<'a>(cib: &'a Cib, host: &str) -> Option<Vec<&'a FencingLevel>> {
    let exact = |l: &&FencingLevel| matches!(&l.target, LevelTarget::Name(n) if n.eq_ignore_ascii_case(host));
    let chosen = cib.fencing_levels.iter().find(exact).or_else(|| {
        cib.fencing_levels
            .iter()
            .find(|l| level_matches(cib, l, host))
    })?;
    let mut levels: Vec<&FencingLevel> = cib
        .fencing_levels
        .iter()
        .filter(|l| l.target == chosen.target)
        .collect();
    levels.sort_by_key(|l| l.index);
    Some(levels)
}

fn level_matches(cib: &Cib, level: &FencingLevel, host: &str) -> bool {
    match &level.target {
        LevelTarget::Name(n) => n.eq_ignore_ascii_case(host),
        LevelTarget::Pattern(p) => crate::pattern::is_match(p, host).unwrap_or(false),
        LevelTarget::Attribute { name, value } => {
            cib.node_attribute(host, name) == Some(value.as_str())
        }
    }
}

fn topology_devices<'a>(
    cib: &'a Cib,
    host: &str,
    levels: &[&FencingLevel],
) -> Vec<FenceDevice<'a>> {
    let mut out: Vec<FenceDevice<'a>> = Vec::new();
    for level in levels {
        for id in &level.devices {
            let Some(resource) = cib.stonith_devices().find(|d| &d.id == id) else {
                continue;
            };
            if out.iter().any(|d| d.resource.id == *id) {
                continue;
            }
            out.push(FenceDevice {
                resource,
                level: Some(level.index),
                eligibility: Eligibility::Topology,
                port: port_for(resource, host),
            });
        }
    }
    out
}

/// `can_fence_host_with_device` as it was before [`Reach`].
fn eligible<'a>(device: &'a Resource, host: &str) -> Option<FenceDevice<'a>> {
    let params = &device.params;
    let list = params.get("pcmk_host_list");
    let map = params.get("pcmk_host_map");
    let check = match params
        .get("pcmk_host_check")
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("static-list") => HostCheck::StaticList,
        Some("dynamic-list") => HostCheck::DynamicList,
        Some("status") => HostCheck::Status,
        Some("none") => HostCheck::None,
        Some(_) => return None,
        None if list.is_some() || map.is_some() => HostCheck::StaticList,
        None => HostCheck::DynamicList,
    };
    let eligibility = match check {
        HostCheck::None => Eligibility::Any,
        HostCheck::DynamicList | HostCheck::Status => Eligibility::AskDevice,
        HostCheck::StaticList => {
            let aliases = host_map(map.unwrap_or_default());
            let in_list = list.is_some_and(|l| host_list(l).any(|h| h.eq_ignore_ascii_case(host)));
            let in_map = aliases.iter().any(|(name, port)| {
                name.eq_ignore_ascii_case(host) || port.eq_ignore_ascii_case(host)
            });
            if !(in_list || in_map) {
                return None;
            }
            Eligibility::Listed
        }
    };
    Some(FenceDevice {
        resource: device,
        level: None,
        eligibility,
        port: port_for(device, host),
    })
}

/// Every XML file of the corpus (`cib/tests/data`, the lab's and the scheduler's CIBs among them)
/// that parses as a CIB.
fn corpus() -> Vec<(std::path::PathBuf, Cib)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let mut out = Vec::new();
    let mut dirs = vec![dir];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "xml")
                && let Ok(text) = std::fs::read_to_string(&path)
                && let Ok(cib) = Cib::parse(&text)
            {
                out.push((path, cib));
            }
        }
    }
    out
}

/// Every name a host could be asked by: nodes, node states, static lists and maps (both sides),
/// topology targets, in their own spelling and upper-cased, and one nobody has.
fn names(cib: &Cib) -> Vec<String> {
    let mut names: Vec<String> = cib.node_states.iter().map(|s| s.uname.clone()).collect();
    names.extend(cib.nodes.iter().filter_map(|n| n.uname.clone()));
    for device in cib.stonith_devices() {
        if let Reach::Listed(hosts) = Reach::of(device) {
            names.extend(hosts);
        }
    }
    for level in &cib.fencing_levels {
        if let LevelTarget::Name(n) = &level.target {
            names.push(n.clone());
        }
    }
    let upper: Vec<String> = names.iter().map(|n| n.to_ascii_uppercase()).collect();
    names.extend(upper);
    names.push("nobody-at-all".to_owned());
    names
}

#[test]
fn the_index_lists_what_the_search_did_for_every_name_of_the_corpus() {
    let corpus = corpus();
    assert!(corpus.len() > 20, "corpus of {}", corpus.len());
    let mut compared = 0;
    for (path, cib) in &corpus {
        let index = cib.fence_index();
        for name in names(cib) {
            assert_eq!(
                index.devices_for(&name),
                searched(cib, &name),
                "{} for {name}",
                path.display()
            );
            compared += 1;
        }
    }
    assert!(compared > 100, "{compared} names compared");
}

#[test]
fn topology_by_name_pattern_and_attribute_matches_the_search() {
    let cib = Cib::parse(TOPOLOGY).unwrap();
    let index = cib.fence_index();
    for name in ["cmp1", "CMP1", "cmp2", "rack-a-7", "cmp3", "ctl1", "other"] {
        assert_eq!(index.devices_for(name), searched(&cib, name), "{name}");
    }
    let ids = |host: &str| -> Vec<String> {
        index
            .devices_for(host)
            .iter()
            .map(|d| d.id().to_owned())
            .collect()
    };
    assert_eq!(ids("cmp1"), ["f-b", "f-a"]);
    assert_eq!(ids("rack-a-7"), ["f-a"]);
    assert_eq!(ids("cmp3"), ["f-b"]);
    assert_eq!(ids("other"), ["f-a", "f-l", "f-b"]);
}

/// Levels by name (two spellings), by pattern and by a node attribute, over two devices that
/// reach every host and, between them, one that lists a host twice.
const TOPOLOGY: &str = r#"<cib admin_epoch="0" epoch="1" num_updates="0" validate-with="pacemaker-3.9">
<configuration><crm_config/>
<nodes><node id="3" uname="cmp3"><instance_attributes id="n3"><nvpair id="n3r" name="rack" value="b"/></instance_attributes></node></nodes>
<resources>
<primitive id="f-a" class="stonith" type="fence_ipmilan"><instance_attributes id="fa"><nvpair id="fa1" name="pcmk_host_check" value="none"/></instance_attributes></primitive>
<primitive id="f-l" class="stonith" type="fence_ipmilan"><instance_attributes id="fl"><nvpair id="fl1" name="pcmk_host_list" value="other,OTHER"/></instance_attributes></primitive>
<primitive id="f-b" class="stonith" type="fence_ipmilan"><instance_attributes id="fb"><nvpair id="fb1" name="pcmk_host_check" value="none"/></instance_attributes></primitive>
</resources>
<constraints/>
<fencing-topology>
<fencing-level id="l1" index="2" target="cmp1" devices="f-a"/>
<fencing-level id="l2" index="1" target="cmp1" devices="f-b"/>
<fencing-level id="l3" index="1" target="CMP1" devices="f-a"/>
<fencing-level id="l4" index="1" target-pattern="rack-a-.*" devices="f-a"/>
<fencing-level id="l5" index="1" target-attribute="rack" target-value="b" devices="f-b,missing"/>
</fencing-topology>
</configuration>
<status/>
</cib>"#;

#[test]
fn host_map_forms() {
    assert_eq!(
        host_map("a:1;b=2 c:3\td:x\\:y"),
        vec![
            ("a".into(), "1".into()),
            ("b".into(), "2".into()),
            ("c".into(), "3".into()),
            ("d".into(), "x:y".into())
        ]
    );
    assert!(host_map("").is_empty());
    assert!(host_map("junk").is_empty());
}

#[test]
fn host_list_separators() {
    let hosts: Vec<&str> = host_list("a, b;c  d").collect();
    assert_eq!(hosts, ["a", "b", "c", "d"]);
}
