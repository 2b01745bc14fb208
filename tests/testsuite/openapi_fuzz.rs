//! Property tests: no input makes the tree parser or the OpenAPI loader panic or hang. Random
//! bytes, mutated real descriptions, random OpenAPI-shaped documents (with random `$ref`s,
//! cycles and wrong types), deep nesting and alias/anchor bombs, each case under a time bound.
//! The number of cases is bounded for CI (override with `PROPTEST_CASES`).

use std::time::{Duration, Instant};

use portalgen::load::openapi::load_api;
use portalgen::source::SourceMap;
use portalgen::tree;
use proptest::prelude::*;

/// Generous for a debug build on a shared 2-core machine; a hang is orders of magnitude more.
const BOUND: Duration = Duration::from_secs(10);

fn cases(default: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(default);
    ProptestConfig {
        cases,
        // A failing case is saved beside this file and replayed first on later runs.
        failure_persistence: Some(Box::new(
            proptest::test_runner::FileFailurePersistence::WithSource("proptest-regressions"),
        )),
        ..ProptestConfig::default()
    }
}

/// Load `text` as `apis/api.<ext>` (with an optional second file) and check the result is
/// coherent: a model or at least one error, every diagnostic inside the project.
fn load_text(text: &str, ext: &str, other: Option<&str>) {
    let dir = tempfile::tempdir().unwrap();
    let apis = dir.path().join("apis");
    std::fs::create_dir_all(&apis).unwrap();
    let entry = apis.join(format!("api.{ext}"));
    std::fs::write(&entry, text).unwrap();
    if let Some(o) = other {
        std::fs::write(apis.join("other.yaml"), o).unwrap();
    }
    let sources = SourceMap::default();
    let start = Instant::now();
    let (api, diags) = load_api(dir.path(), "api", &entry, &sources);
    assert!(start.elapsed() < BOUND, "load took {:?}", start.elapsed());
    if api.is_none() {
        assert!(diags.has_errors(), "no model and no error");
    }
    for d in diags.iter() {
        if let Some(f) = &d.file {
            assert!(f.starts_with("apis/"), "{d:?}");
        }
        assert!(d.line.is_none_or(|l| l >= 1), "{d:?}");
    }
    if let Some(api) = api {
        // Every reference points into the arena; every slug is unique and well-formed.
        let mut slugs = std::collections::HashSet::new();
        for op in api.operations.iter().chain(&api.webhooks) {
            assert!(slugs.insert(op.slug.clone()), "duplicate slug {}", op.slug);
            assert!(
                op.slug
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            );
        }
        for id in api.schema_names.values() {
            assert!(id.0 < api.schemas.len());
        }
        refs_are_named(&api);
    }
}

/// Every `SchemaRef::Ref` names an entry of `schema_names` that maps to its target.
fn refs_are_named(api: &portalgen::model::Api) {
    use portalgen::model::api::{Schema, SchemaRef};
    fn visit(api: &portalgen::model::Api, r: &SchemaRef) {
        match r {
            SchemaRef::Ref { name, target } => {
                assert_eq!(api.schema_names.get(name), Some(target), "ref name {name}");
            }
            SchemaRef::Inline(s) => walk(api, s),
        }
    }
    fn walk(api: &portalgen::model::Api, s: &Schema) {
        for p in &s.properties {
            visit(api, &p.schema);
        }
        let boxed = [&s.items, &s.additional_properties, &s.not];
        for b in boxed.into_iter().flatten() {
            visit(api, b);
        }
        for r in s
            .all_of
            .iter()
            .chain(&s.one_of)
            .chain(&s.any_of)
            .chain(&s.prefix_items)
        {
            visit(api, r);
        }
    }
    for s in &api.schemas {
        walk(api, s);
    }
    for op in api.operations.iter().chain(&api.webhooks) {
        let params = op.parameters.iter().filter_map(|p| p.schema.as_ref());
        let bodies = op
            .request_body
            .iter()
            .flat_map(|b| &b.content)
            .filter_map(|c| c.schema.as_ref());
        let responses = op.responses.iter().flat_map(|r| {
            r.content
                .iter()
                .filter_map(|c| c.schema.as_ref())
                .chain(r.headers.iter().filter_map(|h| h.schema.as_ref()))
        });
        for r in params.chain(bodies).chain(responses) {
            visit(api, r);
        }
    }
}

fn parse_bounded(text: &str) {
    let start = Instant::now();
    let _ = tree::parse(text);
    assert!(start.elapsed() < BOUND, "parse took {:?}", start.elapsed());
}

const SEED_YAML: &str = r##"openapi: 3.1.0
info: {title: Seed, version: "1"}
paths:
  /pets/{id}:
    parameters:
      - {name: id, in: path, required: true, schema: {type: string}}
    get:
      operationId: getPet
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Pet"}
components:
  schemas:
    Pet:
      type: object
      properties:
        self: {$ref: "#/components/schemas/Pet"}
        tags: {type: array, items: {$ref: "./other.yaml#/Tag"}}
        any: {allOf: [{$ref: "#/components/schemas/Pet"}]}
base: &b {x: 1}
merged: {<<: *b, y: 2}
"##;

const SEED_JSON: &str = r##"{"swagger": "2.0", "info": {"title": "S", "version": "1"},
 "host": "h.test", "basePath": "/v1",
 "paths": {"/a/{x}": {"post": {"parameters": [
   {"name": "x", "in": "path", "required": true, "type": "string"},
   {"name": "body", "in": "body", "schema": {"$ref": "#/definitions/A"}},
   {"name": "f", "in": "formData", "type": "file"}],
   "responses": {"200": {"description": "ok", "schema": {"$ref": "#/definitions/A"}}}}}},
 "definitions": {"A": {"type": "object", "properties": {"a": {"$ref": "#/definitions/A"}}}}}"##;

const OTHER: &str = "Tag:\n  type: string\nLoop:\n  $ref: '#/Loop'\n";

/// A structural mutation of a text.
#[derive(Debug, Clone)]
enum Mutation {
    Delete(usize, usize),
    Insert(usize, String),
    DuplicateLine(usize),
    SwapLines(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let token = prop::sample::select(vec![
        "{",
        "}",
        "[",
        "]",
        ":",
        ",",
        "-",
        "&a",
        "*a",
        "!!str",
        "|",
        ">",
        "'",
        "\"",
        "#",
        "\n",
        " ",
        "\t",
        "$ref: '#/'",
        "$ref: '#/components/schemas/Pet'",
        "$ref: ./other.yaml#/Loop",
        "$ref: '~'",
        "type: [string, null]",
        "null",
        "true",
        "0x1F",
        "1e999",
        "\u{feff}",
        "é",
        "~1",
        "%7B",
        "<<: *b",
    ]);
    prop_oneof![
        (any::<usize>(), 0usize..40).prop_map(|(a, n)| Mutation::Delete(a, n)),
        (any::<usize>(), token).prop_map(|(a, t)| Mutation::Insert(a, t.to_string())),
        any::<usize>().prop_map(Mutation::DuplicateLine),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
    ]
}

fn apply(text: &str, mutations: &[Mutation]) -> String {
    let mut s = text.to_string();
    for m in mutations {
        let boundary = |s: &str, i: usize| {
            let mut i = i % (s.len() + 1);
            while !s.is_char_boundary(i) {
                i -= 1;
            }
            i
        };
        match m {
            Mutation::Delete(a, n) => {
                let start = boundary(&s, *a);
                let end = boundary(&s, (start + n).min(s.len()));
                if end > start {
                    s.replace_range(start..end, "");
                }
            }
            Mutation::Insert(a, t) => {
                let at = boundary(&s, *a);
                s.insert_str(at, t);
            }
            Mutation::DuplicateLine(a) | Mutation::SwapLines(a, _) => {
                let mut lines: Vec<String> = s.lines().map(str::to_string).collect();
                if lines.is_empty() {
                    continue;
                }
                let i = a % lines.len();
                if let Mutation::SwapLines(_, b) = m {
                    let j = b % lines.len();
                    lines.swap(i, j);
                } else {
                    let l = lines[i].clone();
                    lines.insert(i, l);
                }
                s = lines.join("\n");
            }
        }
    }
    s
}

/// Random OpenAPI-shaped JSON: OpenAPI keys, random `$ref`s (valid, dangling, cyclic, remote,
/// into other files), and values of the wrong type where objects are expected.
fn shaped() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::{Value, json};
    let refs = prop::sample::select(vec![
        "#/components/schemas/A",
        "#/components/schemas/B",
        "#/components/schemas/A/properties/x",
        "#/components/parameters/P",
        "#/components/responses/R",
        "#/paths/~1a~1{id}/get",
        "#",
        "#/nowhere",
        "#bad",
        "./other.yaml#/Tag",
        "./other.yaml#/Loop",
        "./missing.yaml",
        "https://example.com/x.yaml",
        "",
    ]);
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i32>().prop_map(|i| json!(i)),
        "[a-z{}/~%]{0,8}".prop_map(Value::String),
        refs.prop_map(|r| json!({"$ref": r})),
    ];
    let keys = prop::sample::select(vec![
        "type",
        "properties",
        "items",
        "allOf",
        "oneOf",
        "anyOf",
        "not",
        "additionalProperties",
        "prefixItems",
        "required",
        "enum",
        "const",
        "nullable",
        "discriminator",
        "parameters",
        "responses",
        "requestBody",
        "content",
        "application/json",
        "schema",
        "name",
        "in",
        "path",
        "query",
        "200",
        "default",
        "get",
        "post",
        "/a/{id}",
        "/a/{id}/",
        "/a/{x}",
        "operationId",
        "security",
        "servers",
        "url",
        "variables",
        "headers",
        "examples",
        "value",
        "x-ext",
        "$ref",
        "webhooks",
        "callbacks",
        "A",
        "B",
        "P",
        "R",
        "x",
    ]);
    leaf.prop_recursive(6, 64, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec((keys.clone(), inner), 0..6).prop_map(|kv| Value::Object(
                kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
            )),
        ]
    })
}

proptest! {
    #![proptest_config(cases(256))]

    #[test]
    fn random_text_never_panics(text in "\\PC{0,300}") {
        parse_bounded(&text);
    }

    #[test]
    fn random_yaml_punctuation_never_panics(text in "[-{}\\[\\]:,&*!|>'\"#?%@` \\na-c0-1]{0,200}") {
        parse_bounded(&text);
        load_text(&text, "yaml", None);
    }

    #[test]
    fn mutated_descriptions_never_panic(muts in prop::collection::vec(mutation(), 1..6), json in any::<bool>()) {
        let (seed, ext) = if json { (SEED_JSON, "json") } else { (SEED_YAML, "yaml") };
        let text = apply(seed, &muts);
        load_text(&text, ext, Some(OTHER));
    }
}

proptest! {
    #![proptest_config(cases(128))]

    #[test]
    fn openapi_shaped_documents_never_panic(
        paths in shaped(),
        schemas in shaped(),
        version in prop::sample::select(vec!["2.0", "3.0.3", "3.1.0"]),
    ) {
        let mut doc = serde_json::json!({
            "info": {"title": "F", "version": "1"},
            "paths": paths,
            "components": {"schemas": schemas, "parameters": {"P": {"$ref": "#/components/parameters/P"}}},
            "definitions": {"A": {"$ref": "#/definitions/A"}},
        });
        let field = if version == "2.0" { "swagger" } else { "openapi" };
        doc[field] = serde_json::json!(version);
        let text = serde_json::to_string_pretty(&doc).unwrap();
        load_text(&text, "json", Some(OTHER));
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed(depth in 1usize..3000, style in 0u8..4) {
        let text = match style {
            0 => "[".repeat(depth) + &"]".repeat(depth),
            1 => "{\"a\":".repeat(depth) + "1" + &"}".repeat(depth),
            2 => (0..depth.min(1500)).map(|i| format!("{}k:\n", " ".repeat(i))).collect::<String>(),
            _ => "- ".repeat(depth.min(1500)) + "x\n",
        };
        parse_bounded(&text);
        let doc = format!("openapi: 3.0.3\ninfo: {{title: d, version: '1'}}\npaths: {{}}\nx-deep: {}\n", if style == 0 { text.as_str() } else { "1" });
        load_text(&doc, "yaml", None);
    }

}

proptest! {
    // Each bomb case expands up to the alias budget (a million nodes) in a debug build.
    #![proptest_config(cases(24))]

    #[test]
    fn alias_bombs_are_refused_quickly(fanout in 2usize..12, levels in 1usize..14) {
        let mut text = String::from("openapi: 3.0.3\ninfo: {title: b, version: '1'}\npaths: {}\nx-bomb:\n  a0: &a0 [x, y]\n");
        for i in 1..levels {
            let items = vec![format!("*a{}", i - 1); fanout].join(", ");
            text.push_str(&format!("  a{i}: &a{i} [{items}]\n"));
        }
        parse_bounded(&text);
        load_text(&text, "yaml", None);
    }
}

#[test]
fn fixture_refs_are_named() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/openapi");
    for entry in [
        "multi/openapi.yaml",
        "frontends/swagger2.yaml",
        "frontends/oas30.yaml",
        "frontends/oas31.json",
    ] {
        let sources = SourceMap::default();
        let (api, _) = load_api(&root, "api", &root.join(entry), &sources);
        refs_are_named(&api.unwrap());
    }
}

#[test]
fn schema_nesting_beyond_the_inline_limit_is_cut_with_a_warning() {
    // 200 nested inline `items` (within the parser's depth limit, beyond the schema limit).
    let mut schema = String::from("{type: string}");
    for _ in 0..200 {
        schema = format!("{{type: array, items: {schema}}}");
    }
    let text = format!(
        "openapi: 3.0.3\ninfo: {{title: n, version: '1'}}\npaths: {{}}\ncomponents:\n  schemas:\n    Deep: {schema}\n"
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("api.yaml"), &text).unwrap();
    let sources = SourceMap::default();
    let (api, diags) = load_api(dir.path(), "api", &dir.path().join("api.yaml"), &sources);
    assert!(api.is_some());
    let codes: Vec<_> = diags.iter().map(|d| (d.code.as_str(), d.line)).collect();
    assert_eq!(codes, vec![("schema-too-deep", Some(6))]);
}

/// Large flat documents (thousands of paths, parameters, tags, broken refs, keys) load with
/// every problem reported once. How their load time grows is measured by the benchmark
/// (`portalgen-bench`), not asserted here: a timed test fails on a loaded machine.
#[test]
fn large_flat_documents_stay_fast() {
    use std::fmt::Write as _;
    let n = 4000;
    let mut t = String::from("openapi: 3.0.3\ninfo: {title: big, version: '1'}\ntags:\n");
    for i in 0..n {
        let _ = writeln!(t, "  - name: tag{i}");
    }
    t.push_str("paths:\n");
    for i in 0..n {
        for p in [format!("/p{i}/{{id}}"), format!("/p{i}/{{other}}/")] {
            let _ = write!(
                t,
                "  {p}:\n    get:\n      tags: [tag{i}, extra{i}]\n      parameters:\n        - $ref: '#/components/parameters/Id'\n        - $ref: './missing.yaml#/P'\n      responses: {{'200': {{description: ok, content: {{application/json: {{schema: {{$ref: '#/components/schemas/S{i}x'}}}}}}}}}}\n"
            );
        }
    }
    t.push_str("  /many:\n    post:\n      parameters:\n");
    for i in 0..n * 3 {
        let _ = writeln!(
            t,
            "        - {{name: q{i}, in: query, schema: {{type: string}}}}"
        );
    }
    t.push_str("      responses: {'204': {description: none}}\ncomponents:\n  parameters:\n    Id: {name: id, in: path, required: true, schema: {type: string}}\n  schemas:\n");
    for i in 0..n * 3 {
        let _ = writeln!(t, "    S{i}: {{type: object}}");
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("api.yaml"), &t).unwrap();
    let sources = SourceMap::default();
    let (api, diags) = load_api(dir.path(), "api", &dir.path().join("api.yaml"), &sources);
    let api = api.unwrap();
    assert_eq!(api.operations.len(), n + 1);
    assert_eq!(api.operations[n].parameters.len(), n * 3);
    assert_eq!(api.tags.len(), 2 * n);
    let count = |code: &str| diags.iter().filter(|d| d.code == code).count();
    // `/p{i}/{id}` and `/p{i}/{other}/`: a trailing slash (and a parameter name) apart.
    assert_eq!(count("trailing-slash-duplicate"), n);
    assert_eq!(count("duplicate-operation"), 0);
    assert_eq!(count("ref-missing-file"), 2 * n);
    assert_eq!(count("ref-bad-pointer"), 2 * n);
}
