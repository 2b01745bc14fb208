//! Runs the browser tests (tests/js/browser.test.mjs) against the bundled example, built by the
//! real binary, in real headless Chromium. Skips with a message when Chromium, Node or the npm
//! packages are missing (scripts/test.sh installs them).

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
    let status = Command::new("node")
        .args(["--test", "--test-reporter=spec", "browser.test.mjs"])
        .current_dir(&js)
        .env("PORTALGEN_SITE", &out)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&status.stdout);
    let stderr = String::from_utf8_lossy(&status.stderr);
    assert!(
        status.status.success(),
        "browser tests failed:\n{stdout}\n{stderr}"
    );
}
