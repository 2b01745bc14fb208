//! The pipeline's promise (src/pipeline.rs): for any project, `check` fails if and only if
//! `build` or `export` would, with and without `--strict`, and a project that cannot be
//! opened at all is refused alike by all three. Run through the real binary on the bundled
//! example, every fixture project under tests/fixtures (the broken-project set among them)
//! and the export fixtures.

use std::path::{Path, PathBuf};

use crate::common::*;

/// Every project folder under tests/fixtures (a folder holding a portal.yaml, or a folder of
/// the broken-project set, some of which deliberately have none), plus the bundled example.
fn projects() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect();
        entries.sort();
        for p in entries {
            let in_broken_set = p.parent().is_some_and(|d| d.ends_with("fixtures/broken"));
            if p.join("portal.yaml").is_file() || in_broken_set {
                out.push(p);
            } else {
                walk(&p, out);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = vec![root.join("content")];
    walk(&root.join("tests/fixtures"), &mut out);
    out
}

/// Exit codes of check, build and export on `project` (a copy, so nothing is written into
/// the repository), with `extra` arguments.
fn codes(project: &Path, extra: &[&str]) -> (i32, i32, i32) {
    let tmp = tempfile::tempdir().unwrap();
    let copy = tmp.path().join("project");
    copy_dir(project, &copy);
    let dir = copy.to_str().unwrap();
    let out = tmp.path().join("site");
    let exported = tmp.path().join("kong.yaml");
    let with = |args: &[&str]| {
        let mut a = args.to_vec();
        a.extend_from_slice(extra);
        run(&a).code
    };
    (
        with(&["check", dir]),
        with(&["build", dir, "-o", out.to_str().unwrap()]),
        with(&["export", dir, "-o", exported.to_str().unwrap()]),
    )
}

#[test]
fn check_fails_exactly_when_build_or_export_would() {
    let projects = projects();
    assert!(
        projects.len() >= 30,
        "found only {} fixture projects",
        projects.len()
    );
    let mut broken = Vec::new();
    for project in &projects {
        for extra in [&[][..], &["--strict"][..]] {
            let (check, build, export) = codes(project, extra);
            let name = project
                .strip_prefix(env!("CARGO_MANIFEST_DIR"))
                .unwrap_or(project)
                .display()
                .to_string();
            let agrees = match check {
                0 => build == 0 && export == 0,
                1 => (build == 1 || export == 1) && build != 2 && export != 2,
                2 => build == 2 && export == 2,
                _ => false,
            };
            if !agrees {
                broken.push(format!(
                    "{name} {extra:?}: check exits {check}, build {build}, export {export}"
                ));
            }
        }
    }
    assert!(
        broken.is_empty(),
        "check disagrees with build/export:\n{}",
        broken.join("\n")
    );
}
