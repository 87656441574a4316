//! CPU and memory of a set of processes, read from /proc by PID.

use std::time::Instant;

/// CPU seconds (own and reaped children's) of a process, as /proc/PID/stat counts them.
pub fn cpu_seconds(pid: i32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name, which may itself hold spaces and parentheses.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime, stime, cutime, cstime are fields 14..=17 of the line; `rest` starts at field 3.
    let ticks: u64 = fields
        .get(11..15)?
        .iter()
        .map(|f| f.parse::<u64>().ok())
        .sum::<Option<u64>>()?;
    // SAFETY: sysconf only reads a configuration value.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    let hz = if hz > 0 { hz as f64 } else { 100.0 };
    Some(ticks as f64 / hz)
}

/// The parent PID of a process.
pub fn parent(pid: i32) -> Option<i32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat.rsplit_once(')')?
        .1
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// A line of /proc/PID/status in KiB (`VmRSS`, `VmHWM`).
pub fn status_kib(pid: i32, key: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// The command line of a process, arguments joined by spaces.
pub fn cmdline(pid: i32) -> String {
    std::fs::read(format!("/proc/{pid}/cmdline"))
        .map(|b| String::from_utf8_lossy(&b).replace('\0', " "))
        .unwrap_or_default()
}

/// Memory of one daemon process at the end of a phase.
#[derive(Debug, Clone, Default)]
pub struct Memory {
    /// What the process is (`daemon`, `privsep helper`).
    pub role: String,
    /// Resident set now, KiB.
    pub rss_kib: u64,
    /// Peak resident set, KiB.
    pub hwm_kib: u64,
}

/// A running CPU measurement over a fixed set of processes.
#[derive(Debug, Clone)]
pub struct CpuMark {
    at: Instant,
    seconds: f64,
}

impl CpuMark {
    /// The processes' CPU seconds now.
    pub fn take(pids: &[i32]) -> Self {
        Self {
            at: Instant::now(),
            seconds: pids.iter().filter_map(|&p| cpu_seconds(p)).sum(),
        }
    }

    /// CPU seconds used since `self` and the wall seconds that passed.
    pub fn since(&self, pids: &[i32]) -> (f64, f64) {
        let now = Self::take(pids);
        (
            now.seconds - self.seconds,
            now.at.duration_since(self.at).as_secs_f64(),
        )
    }
}

/// Memory of each process now.
pub fn memory(procs: &[(i32, &str)]) -> Vec<Memory> {
    procs
        .iter()
        .map(|&(pid, role)| Memory {
            role: role.to_owned(),
            rss_kib: status_kib(pid, "VmRSS").unwrap_or(0),
            hwm_kib: status_kib(pid, "VmHWM").unwrap_or(0),
        })
        .collect()
}
