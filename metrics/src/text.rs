//! Prometheus' text format (version 0.0.4): `# HELP` and `# TYPE` lines, then the samples, every
//! name under the monitor's prefix (`masakari_hostmonitor`, `masakari_instancemonitor`).

use std::fmt::Write as _;

use crate::Histogram;

/// Writes the `# HELP` and `# TYPE` lines of metric `prefix_name`.
pub fn family(out: &mut String, prefix: &str, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {prefix}_{name} {help}");
    let _ = writeln!(out, "# TYPE {prefix}_{name} {kind}");
}

/// Writes a metric with one unlabelled sample.
pub fn single(out: &mut String, prefix: &str, name: &str, kind: &str, help: &str, value: u64) {
    family(out, prefix, name, kind, help);
    let _ = writeln!(out, "{prefix}_{name} {value}");
}

/// Writes a counter with one sample per value of `label`.
pub fn labelled(
    out: &mut String,
    prefix: &str,
    (name, help): (&str, &str),
    label: &str,
    samples: &[(&str, u64)],
) {
    family(out, prefix, name, "counter", help);
    for (value, n) in samples {
        let _ = writeln!(out, "{prefix}_{name}{{{label}=\"{value}\"}} {n}");
    }
}

/// Writes a histogram.
pub fn histogram(out: &mut String, prefix: &str, name: &str, help: &str, h: &Histogram) {
    family(out, prefix, name, "histogram", help);
    h.write(&format!("{prefix}_{name}"), out);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_as_prometheus_reads_them() {
        let mut out = String::new();
        single(&mut out, "p", "up", "gauge", "Whether it is up.", 1);
        labelled(
            &mut out,
            "p",
            ("sent_total", "Sent."),
            "result",
            &[("ok", 2), ("failed", 0)],
        );
        assert_eq!(
            out,
            "# HELP p_up Whether it is up.\n# TYPE p_up gauge\np_up 1\n\
             # HELP p_sent_total Sent.\n# TYPE p_sent_total counter\n\
             p_sent_total{result=\"ok\"} 2\np_sent_total{result=\"failed\"} 0\n"
        );
    }
}
