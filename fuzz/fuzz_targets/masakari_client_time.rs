//! UTC calendar text as crm_mon's fence history and Keystone's `expires_at` carry it: any text
//! is a timestamp or a typed error, never a panic (built with overflow checks), and every
//! accepted time is within 1970..=9999 and reads back from its own display.
#![no_main]

use masakari_client::{Timestamp, YEARS};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(at) = Timestamp::parse_utc(text) else {
        return;
    };
    let shown = at.iso8601().to_string();
    let year = shown.split('-').next().and_then(|y| y.parse::<u64>().ok());
    assert!(
        year.is_some_and(|y| YEARS.contains(&y)),
        "{text:?} -> {shown}"
    );
    assert_eq!(Timestamp::parse_utc(&shown), Ok(at), "{text:?} -> {shown}");
});
