//! portal.yaml and a package file, read as the loader reads them.
#![no_main]

#[path = "../../tests/testsuite/entries.rs"]
mod entries;
mod split;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let (portal, package) = split::two(data);
    entries::portal_and_package(portal, package);
});
