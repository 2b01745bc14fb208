//! Runs the browser tests (every tests/js/*.test.mjs) in real headless Chromium, with
//! `PORTALGEN_SITE` (the bundled example, built by the real binary), `PORTALGEN_BIN` (the
//! binary, for tests that run `portalgen serve`) and `PORTALGEN_EXAMPLE` (the example
//! project). Skips with a message when Chromium, Node or the npm packages are missing
//! (scripts/test.sh installs them).

use std::path::Path;
use std::process::Command;

use crate::common::*;

fn available() -> Result<(), String> {
    let js = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/js");
    if !js.join("node_modules/playwright-core").is_dir() {
        return Err(
            "tests/js/node_modules is missing (run `npm ci` in tests/js, or scripts/test.sh)"
                .into(),
        );
    }
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !Path::new(&chromium).exists() {
        return Err(format!("{chromium} is missing (apt-get install chromium)"));
    }
    if Command::new("node").arg("--version").output().is_err() {
        return Err("node is missing".into());
    }
    Ok(())
}

#[test]
fn example_portal_in_a_real_browser() {
    if let Err(why) = available() {
        skip(&format!("browser tests: {why}"));
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    build_example(&out, &[]);
    let js = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/js");
    let mut files: Vec<String> = std::fs::read_dir(&js)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".test.mjs"))
        .collect();
    files.sort();
    assert!(files.len() >= 2, "{files:?}");
    let status = Command::new("node")
        .args(["--test", "--test-reporter=spec"])
        .args(&files)
        .current_dir(&js)
        .env("PORTALGEN_SITE", &out)
        .env("PORTALGEN_BIN", bin())
        .env("PORTALGEN_EXAMPLE", example())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&status.stdout);
    let stderr = String::from_utf8_lossy(&status.stderr);
    assert!(
        status.status.success(),
        "browser tests failed:\n{stdout}\n{stderr}"
    );
}
