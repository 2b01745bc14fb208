//! Two decK files merged, Kong's rules over them, the router built (route translation) for
//! both router flavors.
#![no_main]

#[path = "../../tests/testsuite/entries.rs"]
mod entries;
mod split;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let (a, b) = split::two(data);
    entries::deck(a, b);
});
