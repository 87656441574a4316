//! Wall-clock times as Unix seconds, from the formats the API and the system print.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Now, in Unix seconds.
pub fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// `2026-11-26T08:00:00.123456` (optionally with a space, `Z` or `+00:00`; UTC) in Unix seconds.
pub fn parse_utc(text: &str) -> Option<f64> {
    let text = text.trim().trim_end_matches("+00:00");
    let at = humantime::parse_rfc3339_weak(text).ok()?;
    at.duration_since(UNIX_EPOCH).ok().map(|d| d.as_secs_f64())
}

/// Unix seconds as `2026-11-26 08:00:00.123456Z` (crm_mon's `completed` form).
pub fn format_utc(unix: f64) -> String {
    let at = Duration::try_from_secs_f64(unix).map_or(UNIX_EPOCH, |d| UNIX_EPOCH + d);
    humantime::format_rfc3339_micros(at)
        .to_string()
        .replacen('T', " ", 1)
}

/// Today's date, `2026-11-26`.
pub fn today() -> String {
    format_utc(now()).chars().take(10).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let t = parse_utc("2026-11-26T08:00:01.250000").unwrap();
        assert_eq!(format_utc(t), "2026-11-26 08:00:01.250000Z");
        assert_eq!(parse_utc("1970-01-01 00:00:00Z"), Some(0.0));
        assert_eq!(parse_utc("2026-11-26T08:00:01+00:00"), Some(t - 0.25));
    }
}
