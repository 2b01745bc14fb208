//! Every input a fuzzer found a problem with (a panic, a hang, a leak, a wrong position), kept
//! in `tests/fixtures/fuzz/<target>/` and replayed through the same entry point the target
//! fuzzes ([`crate::entries`]), split into files the way the target splits it. A new finding
//! is a new file there, named after what it found; the fix makes it pass. The `issue12-*`
//! files are the defects issue 12 found by hand, in the same form.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::entries;

#[path = "../../fuzz/fuzz_targets/split.rs"]
mod split;

/// The replay of one input of `target`.
fn replay(target: &str, data: &[u8]) {
    match target {
        "openapi_yaml" => {
            let (a, b) = split::two(data);
            entries::openapi(a, false, b);
        }
        "openapi_json" => {
            let (a, b) = split::two(data);
            entries::openapi(a, true, b);
        }
        "portal_and_package" => {
            let (a, b) = split::two(data);
            entries::portal_and_package(a, b);
        }
        "deck" => {
            let (a, b) = split::two(data);
            entries::deck(a, b);
        }
        "page" => entries::page(data),
        "check_project" => {
            let files: Vec<(usize, Vec<u8>)> = split::parts(data)
                .into_iter()
                .filter(|p| !p.is_empty())
                .take(12)
                .map(|p| (p[0] as usize, p[1..].to_vec()))
                .collect();
            entries::project(&files);
        }
        other => panic!("tests/fixtures/fuzz/{other}: no such fuzz target"),
    }
}

#[test]
fn every_fuzz_finding_stays_fixed() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz");
    let mut count = 0;
    let mut targets: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().collect();
    targets.sort_by_key(|e| e.file_name());
    for target in targets {
        let name = target.file_name().to_string_lossy().into_owned();
        let mut inputs: Vec<_> = std::fs::read_dir(target.path())
            .unwrap()
            .flatten()
            .collect();
        inputs.sort_by_key(|e| e.file_name());
        for input in inputs {
            let data = std::fs::read(input.path()).unwrap();
            let start = Instant::now();
            let outcome = std::panic::catch_unwind(|| replay(&name, &data));
            assert!(
                outcome.is_ok(),
                "fuzz finding {} fails again",
                input.path().display()
            );
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "fuzz finding {} takes {:?}",
                input.path().display(),
                start.elapsed()
            );
            count += 1;
        }
    }
    assert!(count > 0, "no findings found under {}", dir.display());
}
