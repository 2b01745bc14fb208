//! Runs the routing benchmark (`portalgen-bench route`) on GitHub's description when the
//! corpora are installed. Ignored by default; run it in release mode:
//! `cargo test --release --test routing_bench -- --ignored --nocapture`. The benchmark's own
//! unit tests live beside it in `src/bin/portalgen-bench/routing.rs`.

use std::path::PathBuf;

#[test]
#[ignore = "benchmark: needs the corpora and a release build"]
fn github_routing_benchmark() {
    let corpora = std::env::var_os("PORTALGEN_CORPORA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/tmp/portalgen-corpora"));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_portalgen-bench"))
        .arg("route")
        .arg(&corpora)
        .args(["--runs", "5"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap();
    println!("{out}");
    assert!(out.contains("match all ops"), "{out}");
}
