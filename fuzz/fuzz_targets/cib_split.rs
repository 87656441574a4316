//! Fuzz target: a CIB parsed on two threads, split at any `<` in either context, must read
//! exactly as it does on one thread (the same model, or the same error).
//!
//! Run it with `-detect_leaks=0`: LeakSanitizer counts the 32 bytes glibc keeps for each
//! thread's thread-local destructors (`__cxa_thread_atexit_impl`) as a leak.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&choice, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let tags: Vec<usize> = text.match_indices('<').map(|(at, _)| at).collect();
    let Some(&at) = tags.get(usize::from(choice >> 1) % tags.len().max(1)) else {
        return;
    };
    let [split, whole] = cib::split_and_whole(text, at, choice & 1 == 1);
    assert_eq!(split, whole, "split at byte {at}");
});
