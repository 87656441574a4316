//! Waiting for the cluster: polling a condition until it holds or a deadline passes.

use std::time::{Duration, Instant};

use crate::error::{LabError, Result};

/// How often conditions are polled.
const INTERVAL: Duration = Duration::from_millis(100);

/// Polls `check` until it returns `Some`, an error, or `timeout` passes.
pub fn poll_until<T>(
    what: &str,
    timeout: Duration,
    check: impl FnMut() -> Result<Option<T>>,
) -> Result<T> {
    poll_every(what, timeout, INTERVAL, check)
}

/// [`poll_until`] with a chosen interval, for checks that cost the cluster something.
pub fn poll_every<T>(
    what: &str,
    timeout: Duration,
    interval: Duration,
    mut check: impl FnMut() -> Result<Option<T>>,
) -> Result<T> {
    let start = Instant::now();
    loop {
        if let Some(value) = check()? {
            return Ok(value);
        }
        if start.elapsed() >= timeout {
            return Err(LabError::Timeout {
                what: what.to_owned(),
                seconds: timeout.as_secs_f64(),
            });
        }
        std::thread::sleep(interval);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn returns_the_first_value() {
        let mut n = 0;
        let got = poll_until("n to reach 3", Duration::from_secs(5), || {
            n += 1;
            Ok((n >= 3).then_some(n))
        });
        assert_eq!(got.unwrap(), 3);
    }

    #[test]
    fn times_out_with_what_it_waited_for() {
        let err = poll_until::<()>("nothing", Duration::ZERO, || Ok(None)).unwrap_err();
        assert!(err.to_string().contains("nothing"));
    }
}
