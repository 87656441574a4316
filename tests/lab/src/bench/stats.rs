//! Medians and ranges.

/// Median, minimum and maximum of a sample (None when empty).
#[derive(Debug, Clone, Copy)]
pub struct Summary {
    /// The median (mean of the middle two for even counts).
    pub median: f64,
    /// The smallest value.
    pub min: f64,
    /// The largest value.
    pub max: f64,
}

/// Summarises the values.
pub fn summary(values: &[f64]) -> Option<Summary> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let upper = *v.get(n / 2)?;
    let median = if n % 2 == 1 {
        upper
    } else {
        (v.get(n / 2 - 1)? + upper) / 2.0
    };
    Some(Summary {
        median,
        min: *v.first()?,
        max: *v.last()?,
    })
}

/// `1.234 s (1.100..1.400)`, or `-` for no data.
pub fn seconds(values: &[f64]) -> String {
    summary(values).map_or_else(
        || "-".to_owned(),
        |s| format!("{:.3} s ({:.3}..{:.3})", s.median, s.min, s.max),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_even_and_odd() {
        assert_eq!(summary(&[3.0, 1.0, 2.0]).unwrap().median, 2.0);
        assert_eq!(summary(&[4.0, 1.0, 2.0, 3.0]).unwrap().median, 2.5);
        assert!(summary(&[]).is_none());
    }
}
