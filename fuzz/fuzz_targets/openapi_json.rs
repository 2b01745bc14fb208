//! The OpenAPI loader on a JSON entry document (the fast JSON reader, and the YAML parser when
//! it is not JSON after all) and a second file its `$ref`s may name.
#![no_main]

#[path = "../../tests/testsuite/entries.rs"]
mod entries;
mod split;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let (entry, other) = split::two(data);
    entries::openapi(entry, true, other);
});
