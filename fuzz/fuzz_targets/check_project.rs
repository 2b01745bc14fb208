//! The whole `check` on a project held in memory. Each part of the input is one file: its
//! first byte picks the path (from `entries::PROJECT_PATHS`), the rest is the content.
#![no_main]

#[path = "../../tests/testsuite/entries.rs"]
mod entries;
mod split;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let files: Vec<(usize, Vec<u8>)> = split::parts(data)
        .into_iter()
        .filter(|p| !p.is_empty())
        .take(12)
        .map(|p| (p[0] as usize, p[1..].to_vec()))
        .collect();
    entries::project(&files);
});
