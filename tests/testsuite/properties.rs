//! Bounded property tests over the fuzzed entry points ([`crate::entries`]): portal.yaml and
//! packages, decK manifests with Kong's route translation, front matter with markdown, the
//! OpenAPI loader (YAML and JSON, split across files) and the whole `check` on a project held
//! in memory. Each property mutates real-looking seed inputs with the tokens that break
//! parsers (brackets, anchors, `$ref`s, paths out of the project, huge numbers).
//!
//! The number of cases is small so that CI stays fast (override with `PROPTEST_CASES`); the
//! long runs are the cargo-fuzz targets of `fuzz/` over the same functions. A failing case is
//! saved beside this file (`properties.proptest-regressions`) and replayed first on every
//! later run: commit that file with the fix.

use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

use crate::entries;

/// Generous for a debug build on a shared 2-core machine; a hang is orders of magnitude more.
const BOUND: Duration = Duration::from_secs(20);

fn config(default: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(default);
    ProptestConfig {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions",
        ))),
        ..ProptestConfig::default()
    }
}

/// Run `f` and require it to finish within [`BOUND`].
fn bounded(what: &str, f: impl FnOnce()) {
    let start = Instant::now();
    f();
    assert!(start.elapsed() < BOUND, "{what} took {:?}", start.elapsed());
}

const PORTAL: &str = "title: Test portal\nbase_url: https://example.com/dev/\ndescription: A portal\nread_roots: [../shared]\nlimits:\n  file_size: 64 MiB\n  yaml_nodes: 1000000\nauth_strategies:\n  - name: key-auth\n    type: key_auth\n    key_names: [apikey]\napis:\n  pets:\n    visibility: private\n    teams: [staff]\n    gateway: {host: api.example.com, path_prefix: /v1}\ngateway:\n  manifests: [gateway/*.yaml, ../x/*.yaml]\n  router_flavor: expressions\n";

const PACKAGE: &str = "name: Basic\nslug: basic\nversion: '1.0'\nvisibility: public\nrate_limit: {limit: 5, duration: minutes}\nauth_strategy: key-auth\noperations:\n  - api: pets\n    method: GET\n    path: /pets\n    route: pets\n  - api: pets\n    operation_id: getPet\n    rate_limit: {limit: 1, duration: seconds}\n  - api: pets\n    tags: [a, b]\n";

const DECK: &str = "_format_version: \"3.0\"\n_info:\n  select_tags: [t]\n  default_lookup_tags: {routes: [x]}\nservices:\n  - name: pets\n    url: http://pets.internal:8080/base\n    routes:\n      - name: pets\n        paths: [/pets, '~/pets/(?<id>\\d+)$']\n        methods: [GET, POST]\n        hosts: ['*.example.com']\n        headers: {x-v: ['1']}\n        strip_path: false\n        plugins:\n          - name: cors\nroutes:\n  - name: top\n    service: {name: pets}\n    expression: 'http.path ^= \"/x\"'\n    priority: 5\nplugins:\n  - name: rate-limiting\n    route: top\n    consumer: alice\nconsumers:\n  - username: alice\n    acls: [{group: g}]\n    keyauth_credentials: [{key: k}]\nconsumer_groups:\n  - name: gold\n";

const DECK_JSON: &str = "{\"_format_version\": \"3.0\", \"routes\": [{\"name\": \"j\", \"paths\": [\"/a/../b\", \"/%zz\"], \"service\": {\"id\": \"9\"}}]}";

const PAGE: &str = "---\ntitle: Intro\ndescription: Getting started\nweight: 2\nvisibility: private\nteams: [staff]\n---\n# Intro\n\nSee [the API](../apis/pets/) and [setup](setup.md#top).\n\n```yaml\na: 1\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n<div>raw</div>\n";

const API_YAML: &str = "openapi: 3.0.3\ninfo:\n  title: Pets\n  version: '1'\nservers:\n  - url: https://api.example.com\npaths:\n  /pets:\n    get:\n      operationId: listPets\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: './other.yaml#/Pet'}\n  /pets/{id}:\n    parameters:\n      - {name: id, in: path, required: true, schema: {type: integer}}\n    get:\n      operationId: getPet\n      responses:\n        '200': {$ref: '#/components/responses/R'}\ncomponents:\n  responses:\n    R: {description: r}\n  schemas:\n    A: {$ref: '#/components/schemas/B'}\n    B: {type: object}\n";

const API_JSON: &str = "{\"swagger\": \"2.0\", \"info\": {\"title\": \"S\", \"version\": \"1\"}, \"host\": \"api.example.com\", \"paths\": {\"/a\": {\"get\": {\"operationId\": \"a\", \"parameters\": [{\"name\": \"b\", \"in\": \"body\", \"schema\": {\"$ref\": \"#/definitions/D\"}}], \"responses\": {\"200\": {\"description\": \"ok\"}}}}}, \"definitions\": {\"D\": {\"$ref\": \"other.yaml#/Pet\"}}}";

const OTHER: &str = "Pet:\n  type: object\n  properties:\n    owner: {$ref: '#/Owner'}\nOwner: {type: string}\nLoop: {$ref: '#/Loop'}\n";

const TEMPLATE: &str = "{% extends \"theme/page.html\" %}{% block footer %}{% for i in range(3) %}{{ page.title }}{% endfor %}{% include \"partials/x.html\" %}{% endblock %}";

/// A structural mutation of a text.
#[derive(Debug, Clone)]
enum Mutation {
    Delete(usize, usize),
    Insert(usize, &'static str),
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
        "- ",
        "&a ",
        "*a",
        "!!str ",
        "|",
        ">",
        "'",
        "\"",
        "#",
        "\n",
        "  ",
        "\t",
        "\r\n",
        "---\n",
        "...\n",
        "~",
        "null",
        "true",
        "0x1F",
        "1e999",
        "-9223372036854775809",
        "\u{feff}",
        "é",
        "\u{0}",
        "%7B",
        "<<: *a\n",
        "$ref: '#/'",
        "$ref: ../../secret.yaml",
        "$ref: /secret.yaml",
        "$ref: 42",
        "$ref: './other.yaml#/Loop'",
        "$ref: '#/components/schemas/A'",
        "route: nope",
        "service: nope",
        "paths: ['~/(']",
        "paths: [/a//b]",
        "hosts: ['*.*']",
        "manifests: ['../*.yaml']",
        "manifests: ['**/*.json']",
        "read_roots: ['/']",
        "limits: {yaml_nodes: 10}",
        "limits: {file_size: 1}",
        "limits: {template_fuel: 5}",
        "operationId: listPets",
        "operationId: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "[link](../../../secret.yaml)",
        "<script>x</script>",
        "{{ ",
        "{% for i in range(99999) %}",
        "{% endfor %}",
        "{# \"partials/x.html\" #}",
    ]);
    prop_oneof![
        (any::<usize>(), 0usize..40).prop_map(|(a, n)| Mutation::Delete(a, n)),
        (any::<usize>(), token).prop_map(|(a, t)| Mutation::Insert(a, t)),
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

fn mutations() -> impl Strategy<Value = Vec<Mutation>> {
    prop::collection::vec(mutation(), 0..8)
}

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn portal_yaml_and_packages_keep_their_properties(a in mutations(), b in mutations()) {
        let (portal, package) = (apply(PORTAL, &a), apply(PACKAGE, &b));
        bounded("portal.yaml and a package", || {
            entries::portal_and_package(portal.as_bytes(), package.as_bytes())
        });
    }

    #[test]
    fn deck_manifests_and_route_translation_keep_their_properties(a in mutations(), b in mutations()) {
        let (yaml, json) = (apply(DECK, &a), apply(DECK_JSON, &b));
        bounded("decK files", || entries::deck(yaml.as_bytes(), json.as_bytes()));
    }

    #[test]
    fn front_matter_and_markdown_keep_their_properties(a in mutations()) {
        let text = apply(PAGE, &a);
        bounded("a guide", || entries::page(text.as_bytes()));
    }

    #[test]
    fn the_openapi_loader_keeps_its_properties(a in mutations(), b in mutations(), json in any::<bool>()) {
        let entry = apply(if json { API_JSON } else { API_YAML }, &a);
        let other = apply(OTHER, &b);
        bounded("an OpenAPI document", || entries::openapi(entry.as_bytes(), json, other.as_bytes()));
    }
}

proptest! {
    #![proptest_config(config(32))]

    #[test]
    fn check_on_a_project_in_memory_keeps_its_properties(
        picks in prop::collection::vec((0usize..entries::PROJECT_PATHS.len(), mutations()), 1..8),
    ) {
        let seed = |path: &str| match path {
            "portal.yaml" => PORTAL,
            p if p.starts_with("packages/") => PACKAGE,
            p if p.starts_with("gateway/") && p.ends_with(".json") => DECK_JSON,
            p if p.starts_with("gateway/") => DECK,
            p if p.starts_with("pages/") => PAGE,
            p if p.starts_with("templates/") => TEMPLATE,
            p if p.ends_with(".json") => API_JSON,
            "apis/schemas/common.yaml" => OTHER,
            p if p.starts_with("static/") => "body { color: red }\n",
            _ => API_YAML,
        };
        let files: Vec<(usize, Vec<u8>)> = picks
            .iter()
            .map(|(i, m)| (*i, apply(seed(entries::PROJECT_PATHS[*i]), m).into_bytes()))
            .collect();
        bounded("check", || entries::project(&files));
    }
}

/// The seeds themselves hold every property (and the project of all seeds checks cleanly
/// enough to reach every stage).
#[test]
fn the_seeds_keep_the_properties() {
    entries::portal_and_package(PORTAL.as_bytes(), PACKAGE.as_bytes());
    entries::deck(DECK.as_bytes(), DECK_JSON.as_bytes());
    entries::page(PAGE.as_bytes());
    entries::openapi(API_YAML.as_bytes(), false, OTHER.as_bytes());
    entries::openapi(API_JSON.as_bytes(), true, OTHER.as_bytes());
    let all: Vec<(usize, Vec<u8>)> = entries::PROJECT_PATHS
        .iter()
        .enumerate()
        .map(|(i, _)| (i, Vec::new()))
        .collect();
    entries::project(&all);
}

/// A `$ref` to the file outside the in-memory project is refused by name, and nothing of the
/// file shows (the check the properties run on every case, shown to hold on purpose).
#[test]
fn the_secret_outside_the_in_memory_project_is_never_read() {
    use portalgen::load::files::Files;
    for reference in [
        "/secret.yaml",
        "../../secret.yaml",
        "./../../secret.yaml#/token",
    ] {
        let api = API_YAML.replace("'#/components/responses/R'", &format!("'{reference}'"));
        let files: Files = entries::files(entries::memory(&[
            ("portal.yaml", b"title: t\nbase_url: https://x.example/\n"),
            ("apis/pets.yaml", api.as_bytes()),
        ]));
        let checked = portalgen::pipeline::check_files(files).unwrap();
        let outside: Vec<_> = checked
            .diags
            .iter()
            .filter(|d| d.code == "file-outside-project")
            .collect();
        assert_eq!(outside.len(), 1, "{reference}: {:?}", checked.diags);
        assert_eq!(outside[0].file.as_deref(), Some("apis/pets.yaml"));
        entries::check_diagnostics(&checked.diags, &checked.sources);
    }
}
