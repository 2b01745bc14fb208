//! Runs the routing benchmark (`portalgen-bench route`) on GitHub's description when the
//! corpora are installed. Ignored by default; run it in release mode:
//! `cargo test --release --test testsuite routing_bench:: -- --ignored --nocapture`. The
//! benchmark's own unit tests live beside it in `src/bin/portalgen-bench/routing.rs`.

use std::path::PathBuf;

#[test]
#[ignore = "benchmark: needs the corpora and a release build"]
fn github_routing_benchmark() {
    // `PORTALGEN_CORPORA` is the corpora's `node_modules` folder (README, scripts/test.sh).
    let github = std::env::var_os("PORTALGEN_CORPORA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/tmp/portalgen-corpora/node_modules"))
        .join("@octokit/openapi/generated/api.github.com.json");
    if !github.is_file() {
        crate::common::skip(&format!(
            "{} is missing (run `bash ../shared/corpora/setup.sh` or set PORTALGEN_CORPORA)",
            github.display()
        ));
        return;
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_portalgen-bench"))
        .arg("route")
        .arg(&github)
        .args(["--runs", "5"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap();
    println!("{out}");
    assert!(out.contains("match all ops"), "{out}");
}
