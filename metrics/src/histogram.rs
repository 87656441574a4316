//! A Prometheus histogram with fixed buckets (seconds).

use std::fmt::Write as _;
use std::time::Duration;

/// Upper bounds of the buckets, in seconds: from the 100 ms target to minutes of waiting for
/// an API that is down.
const BOUNDS: [f64; 16] = [
    0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0,
];

/// Counts of observations per bucket, their sum and number.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Histogram {
    buckets: [u64; BOUNDS.len()],
    sum: f64,
    count: u64,
}

impl Histogram {
    /// Records one duration.
    pub fn observe(&mut self, d: Duration) {
        let seconds = d.as_secs_f64();
        for (bucket, bound) in self.buckets.iter_mut().zip(BOUNDS) {
            if seconds <= bound {
                *bucket += 1;
            }
        }
        self.sum += seconds;
        self.count += 1;
    }

    /// Writes the `_bucket`, `_sum` and `_count` lines of metric `name` (cumulative buckets).
    pub fn write(&self, name: &str, out: &mut String) {
        for (count, bound) in self.buckets.iter().zip(BOUNDS) {
            let _ = writeln!(out, "{name}_bucket{{le=\"{bound}\"}} {count}");
        }
        let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {}", self.count);
        let _ = writeln!(out, "{name}_sum {}", self.sum);
        let _ = writeln!(out, "{name}_count {}", self.count);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_cumulative() {
        let mut h = Histogram::default();
        h.observe(Duration::from_millis(40));
        h.observe(Duration::from_secs(7));
        h.observe(Duration::from_secs(4000));
        let mut out = String::new();
        h.write("x", &mut out);
        assert!(out.contains("x_bucket{le=\"0.025\"} 0\n"), "{out}");
        assert!(out.contains("x_bucket{le=\"0.05\"} 1\n"), "{out}");
        assert!(out.contains("x_bucket{le=\"10\"} 2\n"), "{out}");
        assert!(out.contains("x_bucket{le=\"1800\"} 2\n"), "{out}");
        assert!(out.contains("x_bucket{le=\"+Inf\"} 3\n"), "{out}");
        assert!(out.contains("x_sum 4007.04\n"), "{out}");
        assert!(out.ends_with("x_count 3\n"), "{out}");
    }
}
