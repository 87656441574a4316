//! UTC calendar times from outside into [`Timestamp`]s, and back for display.
//!
//! The times come from peers we do not control: crm_mon's fence history (`completed`) and
//! Keystone's `expires_at`. Every field is bounded before any arithmetic (a year in
//! [`YEARS`], a day that exists in its month, a time of day), and the arithmetic is checked,
//! so a 12-digit year is a [`CalendarError`], never a panic (debug) or a wrapped, arbitrary
//! time (release).
//!
//! Callers treat an unreadable time as the choice that is safe for them: a fence whose
//! completion time cannot be read confirms nothing (the loss waits for a readable fence or
//! power-off); a Keystone token whose expiry cannot be read counts as expiring now (it serves
//! the request it was fetched for and is renewed before the next).

use std::ops::RangeInclusive;

use super::Timestamp;

/// The years a calendar time may name: from the Unix epoch to the last four-digit year.
pub const YEARS: RangeInclusive<u64> = 1970..=9999;

/// 9999-12-31T23:59:59, in seconds since the epoch: a leap second after it would leave [`YEARS`].
const LAST_SECOND: u64 = 253_402_300_799;

/// Longest piece of unreadable text quoted in a [`CalendarError::Malformed`].
const QUOTED: usize = 48;

/// Why a calendar time was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CalendarError {
    /// The text is not `YYYY-MM-DD HH:MM:SS[.ffffff][Z]` (`T` also separates date and time).
    #[error("{text:?} is not a UTC time of the form YYYY-MM-DD HH:MM:SS[.ffffff][Z]")]
    Malformed {
        /// The start of the text (at most 48 characters).
        text: String,
    },
    /// The year is outside [`YEARS`].
    #[error("year {0} is outside 1970..=9999")]
    Year(u64),
    /// The month is not 1 to 12.
    #[error("month {0} is not 1..=12")]
    Month(u64),
    /// The day does not exist in that month.
    #[error("day {day} does not exist in {year:04}-{month:02}")]
    Day {
        /// The year.
        year: u64,
        /// The month.
        month: u64,
        /// The day given.
        day: u64,
    },
    /// Hours, minutes or seconds out of range (a leap second, `:60`, is accepted, except
    /// after the last second of 9999).
    #[error("{hour:02}:{minute:02}:{second:02} is not a time of day")]
    TimeOfDay {
        /// The hour.
        hour: u64,
        /// The minute.
        minute: u64,
        /// The second.
        second: u64,
    },
    /// The fraction of a second is not below one second.
    #[error("{0} microseconds is not below one second")]
    Micros(u32),
}

impl Timestamp {
    /// The UTC calendar time given: `date` is (year, month, day), `time` (hour, minute, second).
    pub fn from_utc(
        date: (u64, u64, u64),
        time: (u64, u64, u64),
        micros: u32,
    ) -> Result<Self, CalendarError> {
        let days = days_since_epoch(date)?;
        let of_day = second_of_day(time)?;
        if micros >= 1_000_000 {
            return Err(CalendarError::Micros(micros));
        }
        let secs = days
            .checked_mul(86_400)
            .and_then(|s| s.checked_add(of_day))
            .ok_or(CalendarError::Year(date.0))?;
        if secs > LAST_SECOND {
            let (hour, minute, second) = time;
            return Err(CalendarError::TimeOfDay {
                hour,
                minute,
                second,
            });
        }
        let micros = secs
            .checked_mul(1_000_000)
            .and_then(|m| m.checked_add(u64::from(micros)))
            .ok_or(CalendarError::Year(date.0))?;
        Ok(Self(micros))
    }

    /// Pacemaker's and Keystone's UTC text, `2026-11-26 07:21:10Z` or
    /// `2026-11-26T07:21:10.123456Z` (fraction and `Z` optional; digits beyond microseconds
    /// are dropped).
    pub fn parse_utc(text: &str) -> Result<Self, CalendarError> {
        let malformed = || CalendarError::Malformed {
            text: text.chars().take(QUOTED).collect(),
        };
        let text = text.trim();
        let text = text.strip_suffix('Z').unwrap_or(text);
        let (date, time) = text.split_once([' ', 'T']).ok_or_else(malformed)?;
        let (hms, fraction) = time.split_once('.').unwrap_or((time, ""));
        let date = three(date, '-').ok_or_else(malformed)?;
        let time = three(hms, ':').ok_or_else(malformed)?;
        let micros = micros(fraction).ok_or_else(malformed)?;
        Self::from_utc(date, time, micros)
    }
}

/// A fraction of a second (`5` is half a second) in microseconds; `""` is zero.
fn micros(fraction: &str) -> Option<u32> {
    if !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let six: String = fraction
        .chars()
        .chain(std::iter::repeat('0'))
        .take(6)
        .collect();
    six.parse().ok()
}

/// `a-b-c` (or `a:b:c`) as three unsigned decimal numbers (digits only, no sign).
fn three(text: &str, separator: char) -> Option<(u64, u64, u64)> {
    let mut parts = text.splitn(3, separator).map(number);
    Some((parts.next()??, parts.next()??, parts.next()??))
}

fn number(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Days since 1970-01-01 of a Gregorian date, once every field is in range.
fn days_since_epoch((year, month, day): (u64, u64, u64)) -> Result<u64, CalendarError> {
    if !YEARS.contains(&year) {
        return Err(CalendarError::Year(year));
    }
    if !(1..=12).contains(&month) {
        return Err(CalendarError::Month(month));
    }
    if day == 0 || day > days_in_month(year, month) {
        return Err(CalendarError::Day { year, month, day });
    }
    days_from_civil(year, month, day).ok_or(CalendarError::Year(year))
}

fn second_of_day((hour, minute, second): (u64, u64, u64)) -> Result<u64, CalendarError> {
    if hour >= 24 || minute >= 60 || second > 60 {
        return Err(CalendarError::TimeOfDay {
            hour,
            minute,
            second,
        });
    }
    Ok(hour * 3600 + minute * 60 + second)
}

fn is_leap(year: u64) -> bool {
    year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400))
}

fn days_in_month(year: u64, month: u64) -> u64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a Gregorian date on or after it (Howard Hinnant's
/// `days_from_civil`), `None` if the date is before the epoch or the count overflows.
/// `month` is 1 to 12 (the caller checked); the year and day are checked here.
fn days_from_civil(year: u64, month: u64, day: u64) -> Option<u64> {
    let y = if month <= 2 {
        year.checked_sub(1)?
    } else {
        year
    };
    let era = y / 400;
    let yoe = y % 400;
    let mp = (month + 9) % 12;
    let doy = ((153 * mp + 2) / 5).checked_add(day)?.checked_sub(1)?;
    let doe = (yoe * 365 + yoe / 4 - yoe / 100).checked_add(doy)?;
    era.checked_mul(146_097)?
        .checked_add(doe)?
        .checked_sub(719_468)
}

/// Gregorian (year, month, day) of a day count since 1970-01-01 (Howard Hinnant's
/// `civil_from_days`, restricted to days on or after the epoch). Every `u64` day count a
/// [`Timestamp`] can hold (about 213 million days) stays far from overflow here.
pub(super) fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Result<u64, CalendarError> {
        Timestamp::parse_utc(text).map(Timestamp::unix_micros)
    }

    #[test]
    fn reads_pacemaker_and_keystone_times() {
        assert_eq!(at("1970-01-01 00:00:00Z"), Ok(0));
        assert_eq!(at("2026-11-26 07:21:10Z"), Ok(1_795_677_670_000_000));
        assert_eq!(at("2000-02-29T12:00:00.5"), Ok(951_825_600_500_000));
        assert_eq!(
            at(" 2026-11-26T07:21:10.123456789Z "),
            Ok(1_795_677_670_123_456)
        );
        assert_eq!(
            at("9999-12-31T23:59:59.999999Z"),
            Ok(253_402_300_799_999_999)
        );
    }

    #[test]
    fn a_twelve_digit_year_is_an_error_not_an_overflow() {
        assert_eq!(
            at("999999999999-01-01T00:00:00Z"),
            Err(CalendarError::Year(999_999_999_999))
        );
        assert_eq!(
            at("18446744073709551615-03-01 00:00:00"),
            Err(CalendarError::Year(u64::MAX))
        );
        let wider = "99999999999999999999-01-01 00:00:00";
        assert!(matches!(at(wider), Err(CalendarError::Malformed { .. })));
        let huge = (u64::MAX, u64::MAX, u64::MAX);
        assert!(Timestamp::from_utc(huge, huge, u32::MAX).is_err());
    }

    #[test]
    fn years_outside_the_bounds_are_refused() {
        assert_eq!(at("0000-01-01 00:00:00"), Err(CalendarError::Year(0)));
        assert_eq!(at("1969-12-31 23:59:59"), Err(CalendarError::Year(1969)));
        assert_eq!(at("10000-01-01 00:00:00"), Err(CalendarError::Year(10_000)));
        assert!(at("1970-01-01 00:00:00").is_ok());
        assert!(at("9999-12-30 23:59:60").is_ok());
        assert!(matches!(
            at("9999-12-31 23:59:60"),
            Err(CalendarError::TimeOfDay { .. })
        ));
    }

    #[test]
    fn leap_days_exist_only_in_leap_years() {
        assert_eq!(at("2024-02-29 00:00:00"), Ok(1_709_164_800_000_000));
        assert_eq!(at("2000-02-29 00:00:00"), Ok(951_782_400_000_000));
        assert_eq!(at("2100-03-01 00:00:00"), Ok(4_107_542_400_000_000));
        for bad in [
            "2023-02-29",
            "2100-02-29",
            "9999-02-29",
            "2024-02-30",
            "2024-04-31",
        ] {
            assert!(
                matches!(
                    at(&format!("{bad} 00:00:00")),
                    Err(CalendarError::Day { .. })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn every_day_reads_back_as_written() {
        for day in (0..2_932_897).step_by(997).chain([2_932_896]) {
            let micros = day * 86_400_000_000;
            let text = Timestamp::from_unix_micros(micros).iso8601().to_string();
            assert_eq!(at(&text), Ok(micros), "{text}");
        }
    }

    #[test]
    fn malformed_text_is_refused() {
        for bad in [
            "",
            "yesterday",
            "2026-11-26",
            "2026-13-01 00:00:00",
            "2026-11-26 24:00:00",
            "2026-11-26 23:60:00",
            "2026-11-26 23:59:61",
            "+2026-11-26 00:00:00",
            "2026-11-26 00:00:00.5x",
            "2026-11-26 00:00:00.-5",
            "2026-11-26 00:00",
            "2026-11-26 00:00:00:00",
            "2026--26 00:00:00",
        ] {
            assert!(at(bad).is_err(), "{bad}");
        }
        assert_eq!(
            Timestamp::from_utc((2026, 1, 1), (0, 0, 0), 1_000_000),
            Err(CalendarError::Micros(1_000_000))
        );
    }

    #[test]
    fn the_fuzz_seeds_hold_the_fuzz_targets_invariant() {
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/seeds/masakari_client_time"
        );
        let mut accepted = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            if let Ok(at) = Timestamp::parse_utc(&text) {
                let shown = at.iso8601().to_string();
                assert_eq!(Timestamp::parse_utc(&shown), Ok(at), "{text:?} -> {shown}");
                accepted += 1;
            }
        }
        assert_eq!(accepted, 3, "pacemaker, keystone and leap-day seeds");
    }

    #[test]
    fn errors_quote_only_the_start_of_the_text() {
        let long = "x".repeat(10_000);
        let message = Timestamp::parse_utc(&long)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(message.len() < 120, "{message}");
    }
}
