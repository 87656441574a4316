//! Fuzz target: a CIB parsed on two threads, split at a `<` in either context, must read
//! exactly as it does on one thread (the same model, or the same error), under limits the
//! input chooses.
//!
//! The first three bytes choose: which `<` (two bytes; with the top bit set, among the
//! `<node_state` and `<lrm_resource` tags only), the context, the depth limit and the
//! element limit. The rest is the CIB.
//!
//! Run it with `-detect_leaks=0`: LeakSanitizer counts the 32 bytes glibc keeps for each
//! thread's thread-local destructors (`__cxa_thread_atexit_impl`) as a leak.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&[high, low, knobs], rest)) = data.split_first_chunk::<3>() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let tags: Vec<usize> = if high & 0x80 == 0 {
        text.match_indices('<').map(|(at, _)| at).collect()
    } else {
        let mut status: Vec<usize> = ["<node_state", "<lrm_resource"]
            .iter()
            .flat_map(|tag| text.match_indices(tag).map(|(at, _)| at))
            .collect();
        status.sort_unstable();
        status
    };
    let pick = usize::from(u16::from_be_bytes([high & 0x7f, low]));
    let Some(&at) = tags.get(pick % tags.len().max(1)) else {
        return;
    };
    let defaults = cib::Limits::default();
    let limits = cib::Limits {
        max_depth: match (knobs >> 1) & 7 {
            0 => defaults.max_depth,
            depth => usize::from(depth) + 1,
        },
        max_elements: match knobs >> 4 {
            0..=7 => defaults.max_elements,
            n => text.matches('<').count() * usize::from(n - 7) / 8,
        },
        ..defaults
    };
    let [split, whole] = cib::split_and_whole(text, at, knobs & 1 == 1, &limits);
    assert_eq!(split, whole, "split at byte {at}");
});
