//! Runs the routing benchmark (`portalgen::routing::bench::run`) on GitHub's description when
//! the corpora are installed. Ignored by default; run it in release mode:
//! `cargo test --release --test routing_bench -- --ignored --nocapture`.

use std::path::PathBuf;

#[test]
#[ignore = "benchmark: needs the corpora and a release build"]
fn github_routing_benchmark() {
    let corpora = std::env::var_os("PORTALGEN_CORPORA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/tmp/portalgen-corpora"));
    let out = portalgen::routing::bench::run(&corpora, 5);
    println!("{out}");
    assert!(out.contains("match all ops"), "{out}");
}
