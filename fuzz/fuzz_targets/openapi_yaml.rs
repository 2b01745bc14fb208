//! The OpenAPI loader on a YAML entry document and a second file its `$ref`s may name.
#![no_main]

#[path = "../../tests/testsuite/entries.rs"]
mod entries;
mod split;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let (entry, other) = split::two(data);
    entries::openapi(entry, false, other);
});
