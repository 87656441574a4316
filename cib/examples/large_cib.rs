//! Generates a large CIB and times parsing it (see `cib/BENCHMARKS.md`).
//!
//! ```text
//! cargo run --release -p cib --example large_cib -- generate 1000 > /tmp/large-cib.xml
//! cargo run --release -p cib --example large_cib -- bench /tmp/large-cib.xml
//! ```
//!
//! `bench` reads the file, then times `Cib::parse` plus `Cib::node_statuses` and reports the
//! best of ten runs (or RUNS), the process's peak resident memory (VmHWM, which includes the input
//! text itself; also after the first run alone, since the allocator keeps some freed memory
//! between runs), and the peak of heap bytes the parse and the query held on top of the
//! input (counted by a wrapping allocator).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a benchmark tool

use std::alloc::{GlobalAlloc, Layout, System};
use std::fmt::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

/// Counts live heap bytes and their peak, so the report can say what the parse itself holds.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(live, Ordering::Relaxed);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.alloc(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size >= layout.size() {
            let live = LIVE.fetch_add(new_size - layout.size(), Ordering::Relaxed);
            PEAK.fetch_max(live + new_size - layout.size(), Ordering::Relaxed);
        } else {
            LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
        }
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("generate") => {
            let remotes: usize = args.get(2).map_or(1000, |n| n.parse().unwrap());
            print!("{}", generate(remotes));
        }
        Some("bench") => bench(
            args.get(2).expect("bench FILE [RUNS]"),
            args.get(3).map_or(10, |n| n.parse().unwrap()),
        ),
        _ => panic!("usage: large_cib generate N | bench FILE [RUNS]"),
    }
}

fn bench(path: &str, runs: usize) {
    let text = std::fs::read_to_string(path).unwrap();
    let before = status_kib("VmRSS:");
    let input_heap = LIVE.load(Ordering::Relaxed);
    PEAK.store(input_heap, Ordering::Relaxed);
    let (mut best, mut best_parse, mut best_query) = (f64::MAX, f64::MAX, f64::MAX);
    let mut nodes = 0;
    let mut first_peak_kib = 0;
    for run in 0..runs {
        let start = Instant::now();
        let cib = cib::Cib::parse(&text).unwrap();
        let parsed = start.elapsed().as_secs_f64();
        let statuses = cib.node_statuses();
        let elapsed = start.elapsed().as_secs_f64();
        nodes = statuses.iter().filter(|n| n.online).count();
        best = best.min(elapsed);
        if run == 0 {
            first_peak_kib = status_kib("VmHWM:");
        }
        best_parse = best_parse.min(parsed);
        best_query = best_query.min(elapsed - parsed);
    }
    let peak_kib = status_kib("VmHWM:");
    let heap = PEAK.load(Ordering::Relaxed) - input_heap;
    let mib = |kib: u64| kib as f64 / 1024.0;
    println!(
        "rust cib: parse+node_statuses best of {runs}: {:.1} ms (parse {:.1} ms, node_statuses {:.1} ms); online nodes: {nodes}; xml {:.1} MiB; peak RSS {:.1} MiB ({:.2}x the XML; {:.1} MiB resident with the input read, before parsing; {:.1} MiB after the first run; heap peak of parse and query {:.1} MiB)",
        best * 1000.0,
        best_parse * 1000.0,
        best_query * 1000.0,
        text.len() as f64 / 1048576.0,
        mib(peak_kib),
        (peak_kib * 1024) as f64 / text.len() as f64,
        mib(before),
        mib(first_peak_kib),
        heap as f64 / 1048576.0,
    );
}

/// A `/proc/self/status` figure in KiB (`VmRSS:`, `VmHWM:`).
fn status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let value = status.lines().find_map(|l| l.strip_prefix(field)).unwrap();
    value.trim().trim_end_matches(" kB").trim().parse().unwrap()
}

/// Three controllers, `n` remote computes with their connection resources and one IPMI
/// fence device each, and a status section as a running cluster records it.
fn generate(n: usize) -> String {
    let mut x = String::new();
    x.push_str(r#"<cib crm_feature_set="3.16.1" validate-with="pacemaker-3.9" epoch="4211" num_updates="17" admin_epoch="0" have-quorum="1" dc-uuid="1">"#);
    x.push_str("\n  <configuration>\n    <crm_config>\n      <cluster_property_set id=\"cib-bootstrap-options\">\n");
    x.push_str("        <nvpair id=\"opt-stonith\" name=\"stonith-enabled\" value=\"true\"/>\n");
    x.push_str(
        "        <nvpair id=\"opt-cluster-name\" name=\"cluster-name\" value=\"overcloud\"/>\n",
    );
    x.push_str("      </cluster_property_set>\n    </crm_config>\n    <nodes>\n");
    for c in 1..=3 {
        writeln!(x, "      <node id=\"{c}\" uname=\"ctl{c}\"/>").unwrap();
    }
    for i in 0..n {
        writeln!(x, "      <node id=\"cmp{i}\" uname=\"cmp{i}\" type=\"remote\"><instance_attributes id=\"nodes-cmp{i}\"><nvpair id=\"nodes-cmp{i}-role\" name=\"node_role\" value=\"compute\"/></instance_attributes></node>").unwrap();
    }
    x.push_str("    </nodes>\n    <resources>\n");
    for i in 0..n {
        writeln!(x, "      <primitive id=\"cmp{i}\" class=\"ocf\" provider=\"pacemaker\" type=\"remote\"><instance_attributes id=\"cmp{i}-ia\"><nvpair id=\"cmp{i}-server\" name=\"server\" value=\"10.0.{}.{}\"/><nvpair id=\"cmp{i}-ri\" name=\"reconnect_interval\" value=\"60\"/></instance_attributes><operations><op id=\"cmp{i}-mon\" name=\"monitor\" interval=\"20\" timeout=\"30\"/></operations></primitive>", i / 250, i % 250).unwrap();
        writeln!(x, "      <primitive id=\"stonith-cmp{i}\" class=\"stonith\" type=\"fence_ipmilan\"><instance_attributes id=\"stonith-cmp{i}-ia\"><nvpair id=\"stonith-cmp{i}-hl\" name=\"pcmk_host_list\" value=\"cmp{i}\"/><nvpair id=\"stonith-cmp{i}-ip\" name=\"ipaddr\" value=\"10.1.{}.{}\"/><nvpair id=\"stonith-cmp{i}-l\" name=\"login\" value=\"admin\"/><nvpair id=\"stonith-cmp{i}-p\" name=\"passwd\" value=\"pw{i}\"/><nvpair id=\"stonith-cmp{i}-lp\" name=\"lanplus\" value=\"true\"/></instance_attributes><operations><op id=\"stonith-cmp{i}-mon\" name=\"monitor\" interval=\"60s\"/></operations></primitive>", i / 250, i % 250).unwrap();
    }
    x.push_str("    </resources>\n    <constraints/>\n  </configuration>\n  <status>\n");
    for c in 1..=3 {
        writeln!(x, "    <node_state id=\"{c}\" uname=\"ctl{c}\" in_ccm=\"true\" crmd=\"online\" crm-debug-origin=\"do_update_resource\" join=\"member\" expected=\"member\">").unwrap();
        writeln!(x, "      <transient_attributes id=\"{c}\"><instance_attributes id=\"status-{c}\"><nvpair id=\"status-{c}-probe\" name=\"#feature-set\" value=\"3.16.1\"/></instance_attributes></transient_attributes>").unwrap();
        writeln!(x, "      <lrm id=\"{c}\">\n        <lrm_resources>").unwrap();
        for i in 0..n {
            let runs_here = i % 3 + 1 == c;
            lrm(
                &mut x,
                &format!("cmp{i}"),
                "remote",
                "ocf\" provider=\"pacemaker",
                c,
                runs_here,
                20000,
            );
            lrm(
                &mut x,
                &format!("stonith-cmp{i}"),
                "fence_ipmilan",
                "stonith",
                c,
                (i + 1) % 3 + 1 == c,
                60000,
            );
        }
        x.push_str("        </lrm_resources>\n      </lrm>\n    </node_state>\n");
    }
    for i in 0..n {
        writeln!(x, "    <node_state id=\"cmp{i}\" uname=\"cmp{i}\" remote_node=\"true\" in_ccm=\"true\" crmd=\"online\" crm-debug-origin=\"do_update_resource\" node_fenced=\"0\"><lrm id=\"cmp{i}\"><lrm_resources/></lrm></node_state>").unwrap();
    }
    x.push_str("  </status>\n</cib>\n");
    x
}

fn lrm(x: &mut String, id: &str, agent: &str, class: &str, node: usize, runs: bool, interval: u32) {
    writeln!(
        x,
        "          <lrm_resource id=\"{id}\" type=\"{agent}\" class=\"{class}\">"
    )
    .unwrap();
    let op = |x: &mut String,
              key: &str,
              op: &str,
              call: u32,
              rc: u32,
              interval: u32,
              target: u32| {
        writeln!(x, "            <lrm_rsc_op id=\"{id}_{key}\" operation_key=\"{id}_{op}_{interval}\" operation=\"{op}\" crm-debug-origin=\"do_update_resource\" crm_feature_set=\"3.16.1\" transition-key=\"{call}:12:{target}:8c1e0e8a-5a77-4c56-9a4f-6c3bc7e2a1f0\" transition-magic=\"0:{rc};{call}:12:{target}:8c1e0e8a-5a77-4c56-9a4f-6c3bc7e2a1f0\" exit-reason=\"\" on_node=\"ctl{node}\" call-id=\"{call}\" rc-code=\"{rc}\" op-status=\"0\" interval=\"{interval}\" last-rc-change=\"1700000000\" exec-time=\"12\" queue-time=\"0\" op-digest=\"f2317cad3d54cec5d7d7aa7d0bf35cf8\"/>").unwrap();
    };
    if runs {
        op(x, "last_0", "start", 20, 0, 0, 0);
        op(
            x,
            &format!("monitor_{interval}"),
            "monitor",
            21,
            0,
            interval,
            0,
        );
    } else {
        op(x, "last_0", "monitor", 5, 7, 0, 7);
    }
    x.push_str("          </lrm_resource>\n");
}
