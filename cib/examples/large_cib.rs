//! Generates a large CIB and times parsing it (see `cib/BENCHMARKS.md`).
//!
//! ```text
//! cargo run --release -p cib --example large_cib -- generate 1000 > /tmp/large-cib.xml
//! cargo run --release -p cib --example large_cib -- bench /tmp/large-cib.xml
//! ```
//!
//! `bench` reads the file, then times `Cib::parse` plus `Cib::node_statuses` and reports the
//! best of ten runs (or RUNS): wall time, and the CPU time of all threads (`Cib::parse`
//! reads a large CIB on two threads). Then the same with `Cib::parse_on_one_thread`. It
//! also reports the process's peak resident memory (VmHWM after the `Cib::parse` runs, which includes the
//! input text itself; also after the first run alone, since the allocator keeps some freed memory
//! between runs), and the peak of heap bytes one parse and query held on top of the input
//! (counted by a wrapping allocator, in a run of its own).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a benchmark tool

use std::alloc::{GlobalAlloc, Layout, System};
use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, AtomicIsize, Ordering};
use std::time::Instant;

/// Counts live heap bytes and their peak while `COUNTING` is on, so the report can say what
/// the parse itself holds. It is off while runs are timed: two threads updating one counter
/// would time the counter.
struct Counting;

static COUNTING: AtomicBool = AtomicBool::new(false);
static LIVE: AtomicIsize = AtomicIsize::new(0);
static PEAK: AtomicIsize = AtomicIsize::new(0);

fn count(change: isize) {
    if COUNTING.load(Ordering::Relaxed) {
        let live = LIVE.fetch_add(change, Ordering::Relaxed) + change;
        PEAK.fetch_max(live, Ordering::Relaxed);
    }
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size() as isize);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.alloc(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(new_size as isize - layout.size() as isize);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        count(-(layout.size() as isize));
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
    let mut first_peak_kib = 0;
    let mut nodes = 0;
    let mut time = |parse: &dyn Fn(&str) -> cib::Cib| {
        let mut best = Times::default();
        for _ in 0..runs {
            let (start, cpu_start) = (Instant::now(), cpu_time());
            let cib = parse(&text);
            let parsed = start.elapsed().as_secs_f64();
            let statuses = cib.node_statuses();
            let elapsed = start.elapsed().as_secs_f64();
            let cpu = cpu_time() - cpu_start;
            nodes = statuses.iter().filter(|n| n.online).count();
            if first_peak_kib == 0 {
                first_peak_kib = status_kib("VmHWM:");
            }
            best = best.min(Times {
                total: elapsed,
                parse: parsed,
                query: elapsed - parsed,
                cpu,
            });
        }
        best
    };
    let two = time(&|text| cib::Cib::parse(text).unwrap());
    let peak_kib = status_kib("VmHWM:");
    let one = time(&|text| cib::Cib::parse_on_one_thread(text, &cib::Limits::default()).unwrap());
    COUNTING.store(true, Ordering::Relaxed);
    drop(cib::Cib::parse(&text).unwrap().node_statuses());
    COUNTING.store(false, Ordering::Relaxed);
    let heap = PEAK.load(Ordering::Relaxed);
    let mib = |kib: u64| kib as f64 / 1024.0;
    println!(
        "rust cib: parse+node_statuses best of {runs}: {} on one thread: {}; online nodes: {nodes}; xml {:.1} MiB; peak RSS {:.1} MiB ({:.2}x the XML; {:.1} MiB resident with the input read, before parsing; {:.1} MiB after the first run; heap peak of parse and query {:.1} MiB)",
        two.show(),
        one.show(),
        text.len() as f64 / 1048576.0,
        mib(peak_kib),
        (peak_kib * 1024) as f64 / text.len() as f64,
        mib(before),
        mib(first_peak_kib),
        heap as f64 / 1048576.0,
    );
}

/// The best of several runs, each figure on its own, in seconds.
#[derive(Clone, Copy)]
struct Times {
    total: f64,
    parse: f64,
    query: f64,
    cpu: f64,
}

impl Default for Times {
    fn default() -> Self {
        Self {
            total: f64::MAX,
            parse: f64::MAX,
            query: f64::MAX,
            cpu: f64::MAX,
        }
    }
}

impl Times {
    fn min(self, other: Self) -> Self {
        Self {
            total: self.total.min(other.total),
            parse: self.parse.min(other.parse),
            query: self.query.min(other.query),
            cpu: self.cpu.min(other.cpu),
        }
    }

    fn show(self) -> String {
        format!(
            "{:.1} ms (parse {:.1} ms, node_statuses {:.1} ms; CPU {:.1} ms)",
            self.total * 1e3,
            self.parse * 1e3,
            self.query * 1e3,
            self.cpu * 1e3
        )
    }
}

/// The CPU time this process has used, all threads together, in seconds.
fn cpu_time() -> f64 {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid timespec for the call to fill in.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut now) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_PROCESS_CPUTIME_ID)");
    now.tv_sec as f64 + now.tv_nsec as f64 / 1e9
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
