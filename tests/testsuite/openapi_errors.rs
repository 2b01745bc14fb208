//! Every way a description can be broken, on real files in temporary folders: each problem is
//! reported with its code, its project-relative file and the line that causes it.

use portalgen::diagnostics::{Diagnostic, Severity};
use portalgen::load::openapi::load_api;
use portalgen::model::Api;
use portalgen::source::SourceMap;

/// Write `files` (relative path, text) under a fresh project root and load `apis/<entry>`.
fn load(files: &[(&str, &str)], entry: &str) -> (Option<Api>, Vec<Diagnostic>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let sources = SourceMap::default();
    let (api, diags) = load_api(dir.path(), "api", &dir.path().join(entry), &sources);
    // Every diagnostic's file was registered, so it can be quoted.
    for d in diags.iter() {
        if let (Some(f), Some(_)) = (&d.file, d.line) {
            assert!(sources.text(f).is_some(), "{f} not registered");
        }
    }
    (api, diags.into_vec(), dir)
}

/// 1-based line of the first line containing `needle`.
fn line_of(text: &str, needle: &str) -> u32 {
    text.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle} not in text")) as u32
        + 1
}

fn only<'a>(diags: &'a [Diagnostic], code: &str) -> &'a Diagnostic {
    let found: Vec<_> = diags.iter().filter(|d| d.code == code).collect();
    assert_eq!(found.len(), 1, "expected one {code}: {diags:#?}");
    found[0]
}

fn at(d: &Diagnostic) -> (Severity, &str, u32) {
    (
        d.severity,
        d.file.as_deref().unwrap_or(""),
        d.line.unwrap_or(0),
    )
}

const PET_API: &str = r#"openapi: 3.0.3
info:
  title: Pets
  version: 1.0.0
paths:
  /pets:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                $ref: REF
components:
  schemas:
    Pet:
      type: object
"#;

#[test]
fn missing_file_is_an_error_at_the_ref_line() {
    let text = PET_API.replace("REF", "./schemas/pets.yaml#/Pet");
    let (api, diags, _dir) = load(
        &[
            ("apis/api.yaml", &text),
            ("apis/schemas/pet.yaml", "Pet: {type: object}\n"),
        ],
        "apis/api.yaml",
    );
    assert!(api.is_some());
    let d = only(&diags, "ref-missing-file");
    assert_eq!(
        at(d),
        (Severity::Error, "apis/api.yaml", line_of(&text, "$ref:"))
    );
    assert!(d.message.contains("apis/schemas/pets.yaml"), "{d:?}");
    assert!(
        d.help
            .as_deref()
            .unwrap()
            .contains("did you mean `pet.yaml`"),
        "{d:?}"
    );
    assert_eq!(diags.len(), 1, "{diags:#?}");
}

#[test]
fn dangling_pointer_is_an_error_at_the_ref_line() {
    let text = PET_API.replace("REF", "'#/components/schemas/Pett'");
    let (_, diags, _dir) = load(&[("apis/api.yaml", &text)], "apis/api.yaml");
    let d = only(&diags, "ref-bad-pointer");
    assert_eq!(
        at(d),
        (Severity::Error, "apis/api.yaml", line_of(&text, "$ref:"))
    );
    assert_eq!(d.column, Some(line_of_col(&text, "'#/components")));
    assert!(
        d.message
            .contains("`#/components/schemas` has no key `Pett`"),
        "{d:?}"
    );
    assert_eq!(
        d.help.as_deref(),
        Some("did you mean `#/components/schemas/Pet`?")
    );
}

fn line_of_col(text: &str, needle: &str) -> u32 {
    let line = text.lines().find(|l| l.contains(needle)).unwrap();
    line[..line.find(needle).unwrap()].chars().count() as u32 + 1
}

#[test]
fn dangling_pointer_inside_a_referenced_file() {
    let text = PET_API.replace("REF", "./schemas/pet.yaml#/Pet");
    let pet = "Pet:\n  type: object\n  properties:\n    owner:\n      $ref: '#/Owner'\n";
    let (_, diags, _dir) = load(
        &[("apis/api.yaml", &text), ("apis/schemas/pet.yaml", pet)],
        "apis/api.yaml",
    );
    let d = only(&diags, "ref-bad-pointer");
    assert_eq!(at(d), (Severity::Error, "apis/schemas/pet.yaml", 5));
    assert!(
        d.message.contains("the document root has no key `Owner`"),
        "{d:?}"
    );
}

#[test]
fn bad_pointer_syntax_and_remote_refs() {
    let text = PET_API.replace("REF", "https://schemas.example.com/pet.yaml#/Pet").replace(
        "      type: object\n",
        "      type: object\n      properties:\n        a:\n          $ref: '#components/schemas/Pet'\n",
    );
    let (api, diags, _dir) = load(&[("apis/api.yaml", &text)], "apis/api.yaml");
    assert!(api.is_some());
    let remote = only(&diags, "ref-remote");
    assert_eq!(
        at(remote),
        (Severity::Error, "apis/api.yaml", line_of(&text, "https://"))
    );
    assert!(remote.message.contains("not fetched"), "{remote:?}");
    let bad = only(&diags, "ref-bad-pointer");
    assert_eq!(
        at(bad),
        (
            Severity::Error,
            "apis/api.yaml",
            line_of(&text, "'#components")
        )
    );
    assert!(bad.message.contains("not a JSON Pointer"), "{bad:?}");
}

#[test]
fn wrong_or_missing_version() {
    for (text, line, needle) in [
        (
            "openapi: 4.0.0\ninfo: {title: x, version: '1'}\npaths: {}\n",
            1,
            "`4.0.0`",
        ),
        (
            "info: {title: x, version: '1'}\nswagger: 1.2\npaths: {}\n",
            2,
            "`1.2`",
        ),
        (
            "info: {title: x, version: '1'}\npaths: {}\n",
            1,
            "neither an `openapi` nor a `swagger`",
        ),
        ("- just\n- a list\n", 1, "not a mapping"),
    ] {
        let (api, diags, _dir) = load(&[("apis/api.yaml", text)], "apis/api.yaml");
        assert!(api.is_none(), "{text}");
        let d = only(&diags, "openapi-version");
        assert_eq!(at(d), (Severity::Error, "apis/api.yaml", line), "{text}");
        assert!(d.message.contains(needle), "{d:?}");
        assert!(d.help.as_deref().unwrap().contains("3.1"), "{d:?}");
    }
    // Unquoted `swagger: 2.0` is the version 2.0, not the number 2.
    let (api, diags, _dir) = load(
        &[(
            "apis/api.yaml",
            "swagger: 2.0\ninfo: {title: x, version: 1.10}\npaths: {}\n",
        )],
        "apis/api.yaml",
    );
    assert!(diags.is_empty(), "{diags:#?}");
    assert_eq!(api.unwrap().version, "1.10");
}

#[test]
fn yaml_syntax_errors_point_at_the_line() {
    let text = "openapi: 3.0.3\ninfo:\n  title: x\n  version: '1'\npaths:\n  /a:\n    get: [unclosed\n  /b: {}\n";
    let (api, diags, _dir) = load(&[("apis/api.yaml", text)], "apis/api.yaml");
    assert!(api.is_none());
    let d = only(&diags, "yaml-syntax");
    assert_eq!(d.severity, Severity::Error);
    assert_eq!(d.file.as_deref(), Some("apis/api.yaml"));
    assert!((7..=8).contains(&d.line.unwrap()), "{d:?}");

    // In a referenced file: the error is in that file, the rest still loads.
    let entry = PET_API.replace("REF", "./pet.yaml#/Pet");
    let (api, diags, _dir) = load(
        &[
            ("apis/api.yaml", &entry),
            (
                "apis/pet.yaml",
                "Pet:\n  type: object\n  properties: {a: 1\n",
            ),
        ],
        "apis/api.yaml",
    );
    assert!(api.is_some());
    let d = only(&diags, "yaml-syntax");
    assert_eq!(d.file.as_deref(), Some("apis/pet.yaml"));
    assert!(d.line.unwrap() >= 3, "{d:?}");
    assert_eq!(
        diags.len(),
        1,
        "the ref to the broken file is not reported again: {diags:#?}"
    );
}

#[test]
fn json_syntax_error_points_at_the_line() {
    let text = "{\n  \"openapi\": \"3.1.0\",\n  \"info\": {\"title\": \"x\", \"version\": \"1\"},\n  \"paths\": {\n    \"/a\": {\"get\": {}},,\n  }\n}\n";
    let (api, diags, _dir) = load(&[("apis/api.json", text)], "apis/api.json");
    assert!(api.is_none());
    let d = only(&diags, "yaml-syntax");
    assert_eq!(at(d), (Severity::Error, "apis/api.json", 5));
    assert!(d.message.starts_with("JSON:"), "{d:?}");
}

#[test]
fn duplicate_keys_are_errors_in_yaml_and_json() {
    let yaml = "openapi: 3.0.3\ninfo:\n  title: x\n  version: '1'\n  title: y\npaths: {}\n";
    let (api, diags, _dir) = load(&[("apis/api.yaml", yaml)], "apis/api.yaml");
    assert!(api.is_none());
    let d = only(&diags, "duplicate-key");
    assert_eq!(at(d), (Severity::Error, "apis/api.yaml", 5));
    assert!(d.message.contains("first defined at line 3"), "{d:?}");

    let json = "{\"openapi\": \"3.0.3\",\n \"info\": {\"title\": \"x\", \"version\": \"1\"},\n \"paths\": {},\n \"openapi\": \"3.1.0\"}\n";
    let (_, diags, _dir) = load(&[("apis/api.json", json)], "apis/api.json");
    assert_eq!(
        at(only(&diags, "duplicate-key")),
        (Severity::Error, "apis/api.json", 4)
    );
}

#[test]
fn unreadable_entry_document() {
    let dir = tempfile::tempdir().unwrap();
    let sources = SourceMap::default();
    let (api, diags) = load_api(
        dir.path(),
        "api",
        &dir.path().join("apis/missing.yaml"),
        &sources,
    );
    assert!(api.is_none());
    let d = diags.iter().next().unwrap();
    assert_eq!(d.code, "file-unreadable");
    assert_eq!(d.file.as_deref(), Some("apis/missing.yaml"));
}

#[test]
fn alias_bomb_in_a_description_is_refused() {
    let mut text = String::from(
        "openapi: 3.0.3\ninfo: {title: x, version: '1'}\npaths: {}\nx-bomb:\n  a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n",
    );
    for i in 1..10 {
        let p = i - 1;
        text.push_str(&format!(
            "  a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    let (api, diags, _dir) = load(&[("apis/api.yaml", &text)], "apis/api.yaml");
    assert!(api.is_none());
    assert_eq!(only(&diags, "yaml-too-large").severity, Severity::Error);
}

#[test]
fn diagnostics_quote_the_offending_line_of_a_referenced_file() {
    let dir = tempfile::tempdir().unwrap();
    let entry = PET_API.replace("REF", "./schemas/pet.yaml#/Pet");
    std::fs::create_dir_all(dir.path().join("apis/schemas")).unwrap();
    std::fs::write(dir.path().join("apis/api.yaml"), entry).unwrap();
    std::fs::write(
        dir.path().join("apis/schemas/pet.yaml"),
        "Pet:\n  type: object\n  properties:\n    owner:\n      $ref: '#/Owner'\n",
    )
    .unwrap();
    let sources = SourceMap::default();
    let (_, diags) = load_api(
        dir.path(),
        "api",
        &dir.path().join("apis/api.yaml"),
        &sources,
    );
    let out = portalgen::diagnostics::render_human(&diags, &sources, false);
    assert!(out.contains("error[ref-bad-pointer]"), "{out}");
    assert!(out.contains("apis/schemas/pet.yaml:5:13"), "{out}");
    assert!(out.contains("$ref: '#/Owner'"), "{out}");
}

#[test]
fn every_ref_to_a_missing_file_is_reported_and_unreadable_files_are_told_apart() {
    let text = PET_API.replace("REF", "./gone.yaml#/Pet").replace(
        "      type: object\n",
        "      type: object\n      properties:\n        a:\n          $ref: ./gone.yaml#/Other\n        b:\n          $ref: ./latin1.yaml\n",
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("apis")).unwrap();
    std::fs::write(dir.path().join("apis/api.yaml"), &text).unwrap();
    std::fs::write(
        dir.path().join("apis/latin1.yaml"),
        b"type: string\ndescription: caf\xe9\n",
    )
    .unwrap();
    let sources = SourceMap::default();
    let (api, diags) = load_api(
        dir.path(),
        "api",
        &dir.path().join("apis/api.yaml"),
        &sources,
    );
    assert!(api.is_some());
    let got: Vec<_> = diags
        .iter()
        .map(|d| (d.code.as_str(), d.line.unwrap()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("ref-missing-file", line_of(&text, "./gone.yaml#/Pet")),
            ("ref-missing-file", line_of(&text, "./gone.yaml#/Other")),
            ("invalid-utf8", line_of(&text, "./latin1.yaml")),
        ]
    );
    assert!(
        diags.iter().last().unwrap().message.contains("UTF-8"),
        "{diags:#?}"
    );
}

#[test]
fn empty_document_is_an_error() {
    let (api, diags, _dir) = load(&[("apis/api.yaml", "# nothing here\n")], "apis/api.yaml");
    assert!(api.is_none());
    assert_eq!(
        at(only(&diags, "empty-document")),
        (Severity::Error, "apis/api.yaml", 1)
    );
}

#[test]
fn missing_paths_is_a_warning_before_31() {
    let (api, diags, _dir) = load(
        &[(
            "apis/api.yaml",
            "openapi: 3.0.3\ninfo: {title: x, version: '1'}\n",
        )],
        "apis/api.yaml",
    );
    assert!(api.is_some());
    assert_eq!(
        at(only(&diags, "missing-paths")),
        (Severity::Warning, "apis/api.yaml", 1)
    );
    let (api, diags, _dir) = load(
        &[(
            "apis/api.yaml",
            "openapi: 3.1.0\ninfo: {title: x, version: '1'}\nwebhooks: {}\n",
        )],
        "apis/api.yaml",
    );
    assert!(api.is_some());
    assert!(diags.is_empty(), "{diags:#?}");
}
