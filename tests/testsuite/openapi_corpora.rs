//! Real-world corpora: every document of ReadMe's example set (`@readme/oas-examples`) and
//! GitHub's REST description (`@octokit/openapi`), JSON and a YAML conversion, checked against
//! an independent count made by a Python script over the JSON.
//!
//! Install the corpora with `bash ../shared/corpora/setup.sh` (or point `PORTALGEN_CORPORA` at
//! a `node_modules` folder holding them). When they are absent these tests go through
//! `common::skip`: a failure in CI, a `SKIPPED:` line elsewhere.

use std::path::{Path, PathBuf};
use std::process::Command;

use portalgen::diagnostics::{Diagnostic, Severity};
use portalgen::load::openapi::load_api;
use portalgen::model::Api;
use portalgen::source::SourceMap;

use crate::common::skip;

fn corpora() -> Option<PathBuf> {
    let base = std::env::var_os("PORTALGEN_CORPORA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/tmp/portalgen-corpora/node_modules"));
    if base.join("@readme/oas-examples").is_dir() && base.join("@octokit/openapi").is_dir() {
        Some(base)
    } else {
        let why = format!(
            "corpora not installed at {} (run `bash ../shared/corpora/setup.sh` or set PORTALGEN_CORPORA)",
            base.display()
        );
        skip(&why);
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

/// Operation keys and slugs, to compare two loads of the same description.
fn digest(api: &Api) -> Vec<String> {
    api.operations
        .iter()
        .chain(&api.webhooks)
        .map(|o| {
            let params: Vec<_> = o
                .parameters
                .iter()
                .map(|p| format!("{}:{}", p.location.as_str(), p.name))
                .collect();
            // Sorted: a few twins list the same responses in a different order.
            let mut statuses: Vec<_> = o.responses.iter().map(|r| r.status.as_str()).collect();
            statuses.sort();
            format!(
                "{} {} {} [{}] [{}]",
                o.slug,
                o.method,
                o.path,
                params.join(","),
                statuses.join(",")
            )
        })
        .collect()
}

#[test]
fn readme_valid_examples_load_without_errors() {
    let Some(base) = corpora() else { return };
    let root = base.join("@readme/oas-examples");
    let files: Vec<_> = readme_examples(&base)
        .into_iter()
        .filter(|f| !f.to_string_lossy().contains("openapi-workshop"))
        .collect();
    assert!(
        files.len() >= 80,
        "expected the full example set, found {}",
        files.len()
    );
    let mut failures = Vec::new();
    let mut operations = 0;
    for f in &files {
        let (api, diags) = load(&root, f);
        let errs = errors(&diags);
        match api {
            Some(api) if errs.is_empty() => operations += api.operations.len() + api.webhooks.len(),
            _ => failures.push(format!("{}: {errs:#?}", f.display())),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(operations > 500, "{operations}");
    println!(
        "{} ReadMe examples, {operations} operations, no errors",
        files.len()
    );
}

/// ReadMe asserts that its JSON and YAML petstores are the same document (other twins differ
/// slightly in content); both must load to the same model.
#[test]
fn readme_json_and_yaml_petstores_load_the_same() {
    let Some(base) = corpora() else { return };
    let root = base.join("@readme/oas-examples");
    for version in ["2.0", "3.0", "3.1"] {
        let (a, da) = load(&root, &root.join(version).join("json/petstore.json"));
        let (b, db) = load(&root, &root.join(version).join("yaml/petstore.yaml"));
        let (a, b) = (a.unwrap(), b.unwrap());
        assert!(errors(&da).is_empty() && errors(&db).is_empty());
        assert!(a.operations.len() >= 10, "{version}");
        assert_eq!(digest(&a), digest(&b), "{version}");
        assert_eq!(
            a.schema_names.keys().collect::<Vec<_>>(),
            b.schema_names.keys().collect::<Vec<_>>()
        );
        assert_eq!(a.schemas.len(), b.schemas.len());
        assert_eq!(
            da.iter().map(|d| d.code.as_str()).collect::<Vec<_>>(),
            db.iter().map(|d| d.code.as_str()).collect::<Vec<_>>()
        );
    }
}

#[test]
fn readme_workshop_step_without_responses_is_a_warning_at_its_line() {
    let Some(base) = corpora() else { return };
    let root = base.join("@readme/oas-examples");
    let file = root.join("3.0/json/openapi-workshop/post.json");
    let text = std::fs::read_to_string(&file).unwrap();
    let (api, diags) = load(&root, &file);
    assert!(api.is_some());
    let line = text
        .lines()
        .position(|l| l.contains("\"responses\": {}"))
        .unwrap() as u32
        + 1;
    let d: Vec<_> = diags
        .iter()
        .map(|d| (d.severity, d.code.as_str(), d.file.as_deref(), d.line))
        .collect();
    assert_eq!(
        d,
        vec![(
            Severity::Warning,
            "missing-responses",
            Some("3.0/json/openapi-workshop/post.json"),
            Some(line)
        )]
    );
}

/// Broken variants of ReadMe's petstore, written to a temp folder: each fails with its code
/// at the line that was broken.
#[test]
fn readme_broken_variants_fail_at_the_right_line() {
    let Some(base) = corpora() else { return };
    let root = base.join("@readme/oas-examples");
    let json = std::fs::read_to_string(root.join("3.0/json/petstore.json")).unwrap();
    let yaml = std::fs::read_to_string(root.join("3.0/yaml/petstore.yaml")).unwrap();
    let lines_with = |text: &str, needle: &str| -> Vec<u32> {
        text.lines()
            .enumerate()
            .filter(|(_, l)| l.contains(needle))
            .map(|(i, _)| i as u32 + 1)
            .collect()
    };
    let dir = tempfile::tempdir().unwrap();
    let check = |name: &str, text: &str, code: &str, lines: Vec<u32>, fatal: bool| {
        std::fs::write(dir.path().join(name), text).unwrap();
        let (api, diags) = load(dir.path(), &dir.path().join(name));
        assert_eq!(api.is_none(), fatal, "{name}: {diags:#?}");
        let errs: Vec<_> = diags
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .collect();
        assert!(
            errs.iter()
                .all(|d| d.code == code && d.file.as_deref() == Some(name)),
            "{name}: {errs:#?}"
        );
        let got: Vec<u32> = errs.iter().map(|d| d.line.unwrap()).collect();
        assert_eq!(got, lines, "{name}: {errs:#?}");
    };

    // Dangling pointer: every use of the misspelt schema, at its line.
    let t = json.replace("#/components/schemas/Pet\"", "#/components/schemas/Pett\"");
    let expected = lines_with(&t, "schemas/Pett\"");
    assert!(expected.len() >= 4);
    check("dangling.json", &t, "ref-bad-pointer", expected, false);

    // Missing file.
    let t = json.replacen(
        "\"#/components/requestBodies/Pet\"",
        "\"./bodies.json#/Pet\"",
        1,
    );
    check(
        "missing.json",
        &t,
        "ref-missing-file",
        lines_with(&t, "./bodies.json"),
        false,
    );

    // Remote reference.
    let t = json.replacen(
        "\"#/components/schemas/Tag\"",
        "\"https://example.com/tag.json\"",
        1,
    );
    check(
        "remote.json",
        &t,
        "ref-remote",
        lines_with(&t, "https://example.com/tag.json"),
        false,
    );

    // Duplicate key: a second operationId right after the first.
    let first = lines_with(&yaml, "operationId: addPet")[0] as usize;
    let mut lines: Vec<&str> = yaml.lines().collect();
    let dup = lines[first - 1].replace("addPet", "addPet2");
    lines.insert(first, &dup);
    let t = lines.join("\n");
    check(
        "duplicate.yaml",
        &t,
        "duplicate-key",
        vec![first as u32 + 1],
        true,
    );

    // JSON syntax error: a stray comma.
    let t = json.replacen("\"paths\": {", "\"paths\": {,", 1);
    check(
        "syntax.json",
        &t,
        "yaml-syntax",
        lines_with(&t, "\"paths\": {,"),
        true,
    );

    // Unsupported version.
    let t = yaml.replacen("openapi: 3.0.0", "openapi: 4.0.0", 1);
    check(
        "version.yaml",
        &t,
        "openapi-version",
        lines_with(&t, "openapi: 4.0.0"),
        true,
    );
}

/// `python3 tests/fixtures/openapi/tools/corpus.py ARGS`, or `None` (printed) without Python.
fn python(args: &[&str]) -> Option<String> {
    let script =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/openapi/tools/corpus.py");
    match Command::new("python3").arg(&script).args(args).output() {
        Ok(out) if out.status.success() => Some(String::from_utf8_lossy(&out.stdout).into_owned()),
        Ok(out) => panic!(
            "corpus.py {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) => {
            skip(&format!("python3 is not available ({e})"));
            None
        }
    }
}

fn check_against_independent_count(api: &Api, counts: &serde_json::Value) {
    let params: usize = api.operations.iter().map(|o| o.parameters.len()).sum();
    let responses: usize = api.operations.iter().map(|o| o.responses.len()).sum();
    assert_eq!(
        api.operations.len() as u64,
        counts["operations"].as_u64().unwrap()
    );
    assert_eq!(params as u64, counts["parameters"].as_u64().unwrap());
    assert_eq!(responses as u64, counts["responses"].as_u64().unwrap());
    assert_eq!(
        api.webhooks.len() as u64,
        counts["webhooks"].as_u64().unwrap()
    );
    let mut keys: Vec<String> = api
        .operations
        .iter()
        .map(|o| format!("{} {}", o.method, o.path))
        .collect();
    keys.sort();
    let expected: Vec<String> = counts["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap().to_string())
        .collect();
    assert_eq!(keys, expected);
    // Slugs are unique.
    let mut slugs: Vec<&str> = api
        .operations
        .iter()
        .chain(&api.webhooks)
        .map(|o| o.slug.as_str())
        .collect();
    let n = slugs.len();
    slugs.sort();
    slugs.dedup();
    assert_eq!(slugs.len(), n);
}

#[test]
fn github_json_and_yaml_account_for_every_operation() {
    let Some(base) = corpora() else { return };
    let dir = base.join("@octokit/openapi/generated");
    let file = dir.join("api.github.com.json");
    let Some(counts) = python(&["count", file.to_str().unwrap()]) else {
        return;
    };
    let counts: serde_json::Value = serde_json::from_str(&counts).unwrap();
    assert!(counts["operations"].as_u64().unwrap() > 1000);

    let (api, diags) = load(&dir, &file);
    assert!(errors(&diags).is_empty(), "{:#?}", errors(&diags));
    let json_api = api.unwrap();
    check_against_independent_count(&json_api, &counts);
    assert!(json_api.schema_names.len() > 900);
    // One operation in detail: refs to component parameters, examples and schemas resolved.
    let op = json_api
        .operations
        .iter()
        .find(|o| o.operation_id.as_deref() == Some("repos/get-content"))
        .unwrap();
    assert_eq!(op.slug, "repos-get-content");
    let params: Vec<_> = op.parameters.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(params, vec!["owner", "repo", "path", "ref"]);
    let statuses: Vec<_> = op.responses.iter().map(|r| r.status.as_str()).collect();
    assert_eq!(statuses, vec!["200", "302", "304", "403", "404"]);
    let object = &op.responses[0].content[0];
    assert_eq!(object.media_type, "application/vnd.github.object");
    match object.schema.as_ref().unwrap() {
        portalgen::model::api::SchemaRef::Ref { name, target } => {
            assert_eq!(name, "content-tree");
            assert_eq!(json_api.schema_names["content-tree"], *target);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(object.examples.len(), 2);
    assert!(object.examples.values().all(|v| v.is_object()));

    let tmp = tempfile::tempdir().unwrap();
    let yaml_file = tmp.path().join("api.github.com.yaml");
    python(&["yaml", file.to_str().unwrap(), yaml_file.to_str().unwrap()]).unwrap();
    let (api, diags) = load(tmp.path(), &yaml_file);
    assert!(errors(&diags).is_empty(), "{:#?}", errors(&diags));
    let yaml_api = api.unwrap();
    check_against_independent_count(&yaml_api, &counts);
    assert_eq!(digest(&json_api), digest(&yaml_api));
}

/// The dedicated JSON reader and the YAML parser build the same tree (values and positions)
/// for GitHub's 13 MB description.
#[test]
fn github_json_fast_path_matches_the_yaml_parser() {
    let Some(base) = corpora() else { return };
    let text = std::fs::read_to_string(base.join("@octokit/openapi/generated/api.github.com.json"))
        .unwrap();
    let fast = portalgen::tree::parse(&text).unwrap();
    let slow = portalgen::tree::parse_yaml(&text, &portalgen::tree::Budget::default()).unwrap();
    assert!(fast == slow, "the two trees differ");
}
