//! The broken-project set (`tests/fixtures/broken/<case>/`): small projects with one defect
//! each, across every input kind (portal.yaml, packages, OpenAPI in YAML and JSON, decK
//! manifests, guides, template overrides). For each, one golden file records what portalgen
//! does TODAY: the exit codes of `check` and `build`, the `check --format json` document, and
//! the human output of `check` and `build` (stderr, NO_COLOR, temporary paths redacted).
//!
//! These are records, not judgements: a case where check and build disagree is marked
//! `check and build DIFFER` in its snapshot and is a known issue to fix in `src/`, after
//! which the snapshot is re-blessed (see `tests/README.md`). A new case is a new folder plus
//! one line in `cases!` below (`every_fixture_folder_is_a_case` checks that).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::common::*;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/broken")
}

/// The golden text of one case: exit codes first, then each output.
fn record(case: &str) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("project");
    let out = tmp.path().join("out");
    copy_dir(&fixtures().join(case), &project);
    let p = project.to_str().unwrap();
    let json = run(&["check", p, "--format", "json"]);
    let human = run(&["check", p]);
    let build = run(&["build", p, "-o", out.to_str().unwrap()]);

    let mut s = String::new();
    let _ = writeln!(s, "check --format json: exit {}", json.code);
    let _ = writeln!(s, "check:               exit {}", human.code);
    let _ = writeln!(s, "build:               exit {}", build.code);
    if human.code != build.code {
        let _ = writeln!(s, "check and build DIFFER");
    }
    let pretty_json = match serde_json::from_str::<serde_json::Value>(&json.stdout) {
        Ok(v) => serde_json::to_string_pretty(&v).unwrap(),
        Err(e) => format!("(not JSON: {e})\n{}", json.stdout),
    };
    let sections = [
        ("check --format json: stdout", pretty_json.as_str()),
        ("check --format json: stderr", json.stderr.as_str()),
        ("check: stderr", human.stderr.as_str()),
        ("check: stdout", human.stdout.as_str()),
        ("build: stderr", build.stderr.as_str()),
        ("build: stdout", build.stdout.as_str()),
    ];
    for (title, text) in sections {
        if text.trim().is_empty() {
            continue;
        }
        let _ = write!(s, "\n── {title} ──\n{}", text.trim_end());
        s.push('\n');
    }
    redact_paths(
        &s,
        &[
            (&project, "[PROJECT]"),
            (&out, "[OUT]"),
            (tmp.path(), "[TMP]"),
        ],
    )
}

macro_rules! cases {
    ($($name:ident => $dir:literal,)*) => {
        $(
            #[test]
            fn $name() {
                let text = record($dir);
                golden_settings().bind(|| {
                    insta::assert_snapshot!(text);
                });
            }
        )*
        const CASES: &[&str] = &[$($dir),*];
    };
}

cases! {
    portal_unknown_key => "portal-unknown-key",
    portal_bad_type => "portal-bad-type",
    portal_bad_base_url => "portal-bad-base-url",
    portal_yaml_syntax => "portal-yaml-syntax",
    portal_missing => "portal-missing",
    package_unknown_api => "package-unknown-api",
    package_unknown_operation => "package-unknown-operation",
    package_bad_rate_limit_unit => "package-bad-rate-limit-unit",
    package_too_many_key_names => "package-too-many-key-names",
    package_unknown_auth_strategy => "package-unknown-auth-strategy",
    package_unknown_key => "package-unknown-key",
    package_operation_not_routed => "package-operation-not-routed",
    openapi_yaml_syntax_error => "openapi-yaml-syntax-error",
    openapi_json_syntax_error => "openapi-json-syntax-error",
    openapi_yaml_missing_ref_file => "openapi-yaml-missing-ref-file",
    openapi_json_missing_ref_file => "openapi-json-missing-ref-file",
    openapi_yaml_bad_pointer => "openapi-yaml-bad-pointer",
    openapi_json_bad_pointer => "openapi-json-bad-pointer",
    openapi_yaml_duplicate_operation_id => "openapi-yaml-duplicate-operation-id",
    openapi_json_duplicate_operation_id => "openapi-json-duplicate-operation-id",
    openapi_wrong_version => "openapi-wrong-version",
    deck_unknown_key => "deck-unknown-key",
    deck_invalid_regex_path => "deck-invalid-regex-path",
    deck_unknown_service_reference => "deck-unknown-service-reference",
    deck_yaml_syntax => "deck-yaml-syntax",
    guide_unclosed_front_matter => "guide-unclosed-front-matter",
    guide_broken_link => "guide-broken-link",
    guide_unknown_front_matter_key => "guide-unknown-front-matter-key",
    template_syntax_error => "template-syntax-error",
    template_unknown_filter => "template-unknown-filter",
}

#[test]
fn every_fixture_folder_is_a_case() {
    let mut dirs: Vec<String> = std::fs::read_dir(fixtures())
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    dirs.sort();
    let mut cases: Vec<String> = CASES.iter().map(|c| c.to_string()).collect();
    cases.sort();
    assert_eq!(
        dirs, cases,
        "every folder of tests/fixtures/broken needs a line in cases!"
    );
    assert!(cases.len() >= 20);
}
