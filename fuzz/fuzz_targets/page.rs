//! A guide: front matter and markdown.
#![no_main]

#[path = "../../tests/testsuite/entries.rs"]
mod entries;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    entries::page(data);
});
