//! Test harness: runs the real `portalgen` binary on projects in temporary folders.
//!
//! # Tests that need a tool the machine may lack
//!
//! A test that needs chromium, node, the npm packages of `tests/js` (playwright-core,
//! @redocly/cli), python3 or the corpora under `$PORTALGEN_CORPORA` checks for it first and, when
//! it is missing, calls [`skip`] and returns. [`skip`] never lets such a test pass unnoticed:
//!
//! - in CI (`PORTALGEN_REQUIRE_ALL=1`, set by `.ci/run`) it panics, so the test FAILS;
//! - elsewhere it writes `SKIPPED: <why> (<test>)` straight to the process's stderr (libtest
//!   captures only the `print!`/`eprint!` output of a passing test, so the line shows in plain
//!   `cargo test` output), and appends the same line to the file named by
//!   `PORTALGEN_SKIP_LOG` when that is set. `scripts/test.sh` sets it to
//!   `target/portalgen-skipped.txt` and prints the list after the run, so skips are the last
//!   thing you read.
//!
//! # Golden files
//!
//! The `golden` and `broken` modules compare output with insta snapshots in
//! `tests/testsuite/snapshots/`. After an intended change of output, re-bless them with
//!
//! ```sh
//! INSTA_UPDATE=always cargo test --test testsuite golden broken
//! ```
//!
//! (or `cargo insta test --review` with cargo-insta), then review `git diff`. In CI (`CI` set)
//! insta never writes snapshots: a difference fails the test.

mod golden;

pub use golden::*;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_portalgen")
}

/// The bundled example project.
pub fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("content")
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn run(args: &[&str]) -> Run {
    run_in(None, args)
}

pub fn run_in(dir: Option<&Path>, args: &[&str]) -> Run {
    let mut cmd = Command::new(bin());
    cmd.args(args).env("NO_COLOR", "1");
    if let Some(d) = dir {
        cmd.current_dir(d);
    }
    let out: Output = cmd.output().expect("run portalgen");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Write `files` (relative path, content) under `dir`.
pub fn write_files(dir: &Path, files: &[(&str, &str)]) {
    for (rel, content) in files {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
    }
}

/// Copy a folder recursively (skipping `public/`).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let name = e.file_name();
        if name == "public" {
            continue;
        }
        let (src, dst) = (e.path(), to.join(&name));
        if src.is_dir() {
            copy_dir(&src, &dst);
        } else {
            std::fs::copy(&src, &dst).unwrap();
        }
    }
}

/// All files under `dir` (relative path → bytes), sorted.
pub fn read_tree(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    fn walk(base: &Path, dir: &Path, out: &mut std::collections::BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                let rel = p
                    .strip_prefix(base)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    walk(dir, dir, &mut out);
    out
}

/// A minimal valid project: one API, one package, a manifest and a page.
pub fn minimal_project(dir: &Path) {
    write_files(
        dir,
        &[
            (
                "portal.yaml",
                "title: Test portal\nbase_url: https://example.com/dev/\nauth_strategies:\n  - name: key-auth\n    type: key_auth\n    key_names: [apikey]\n",
            ),
            (
                "apis/pets.yaml",
                "openapi: 3.0.3\ninfo:\n  title: Pets\n  version: '1'\nservers:\n  - url: https://api.example.com\npaths:\n  /pets:\n    get:\n      operationId: listPets\n      summary: List pets\n      responses:\n        '200':\n          description: ok\n  /pets/{id}:\n    get:\n      operationId: getPet\n      parameters:\n        - name: id\n          in: path\n          required: true\n          schema: {type: integer}\n      responses:\n        '200':\n          description: ok\n",
            ),
            (
                "packages/basic.yaml",
                "name: Basic\nvisibility: public\nrate_limit: {limit: 5, duration: minutes}\noperations:\n  - api: pets\n    method: GET\n    path: /pets\n",
            ),
            (
                "gateway/kong.yaml",
                "_format_version: \"3.0\"\nservices:\n  - name: pets\n    url: http://pets.internal\n    routes:\n      - name: pets\n        paths: [/pets]\n        strip_path: false\n",
            ),
            (
                "pages/intro.md",
                "---\ntitle: Intro\n---\n# Intro\n\nHello.\n",
            ),
        ],
    );
}

/// Whether every test must really run (`PORTALGEN_REQUIRE_ALL=1`, set by `.ci/run`).
pub fn require_all() -> bool {
    std::env::var_os("PORTALGEN_REQUIRE_ALL").is_some_and(|v| v == "1")
}

/// A test that needs something the machine lacks calls this and returns: it fails in CI
/// (`PORTALGEN_REQUIRE_ALL=1`), where a skip would hide a missing install, and elsewhere prints
/// a `SKIPPED:` line that `cargo test` does not capture (see the module header).
pub fn skip(why: &str) {
    if require_all() {
        panic!("required test cannot run: {why}");
    }
    let thread = std::thread::current();
    let test = thread.name().unwrap_or("unknown test");
    let line = format!("SKIPPED: {why} ({test})\n");
    // Not eprintln!: libtest captures that for passing tests. io::stderr() is not captured.
    let _ = std::io::stderr().write_all(line.as_bytes());
    if let Some(log) = std::env::var_os("PORTALGEN_SKIP_LOG") {
        let appended = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .and_then(|mut f| f.write_all(line.as_bytes()));
        if let Err(e) = appended {
            panic!(
                "cannot append to PORTALGEN_SKIP_LOG {}: {e}",
                Path::new(&log).display()
            );
        }
    }
}

/// Build the bundled example into `out` (with `extra` arguments) and require success.
pub fn build_example(out: &Path, extra: &[&str]) -> Run {
    let project = example();
    let mut args = vec![
        "build",
        project.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let r = run(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    r
}

/// The visible text of an HTML page, whitespace collapsed.
pub fn text_of(html: &str) -> String {
    let doc = scraper::Html::parse_document(html);
    let text: Vec<&str> = doc.root_element().text().collect();
    text.join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}
