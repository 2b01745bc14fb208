//! decK loading on real files (`tests/fixtures/routing/manifests/`): every manifest problem is
//! reported with its code at the right file and line, files are merged as decK merges them,
//! and the routing check reports undocumented routes at the route's line.

use crate::routing_support as support;

use std::path::PathBuf;

use portalgen::diagnostics::{Diagnostic, Severity};
use portalgen::kong::{self, OperationInput};
use portalgen::model::config::RouterFlavor;
use portalgen::model::gateway::Manifest;
use portalgen::source::SourceMap;

fn fixture_root() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/routing/manifests"
    ))
}

fn load_fixture() -> (Manifest, Vec<Diagnostic>, SourceMap) {
    let sources = SourceMap::default();
    let patterns = vec!["gateway/*.yaml".to_string(), "gateway/*.yml".to_string()];
    let (manifest, diags) = portalgen::load::deck::load(&fixture_root(), &patterns, &sources);
    let mut diags = diags;
    // Kong's own route rules run in the validate stage, over the loaded manifest.
    diags.extend(kong::rules::check(
        &manifest,
        RouterFlavor::TraditionalCompatible,
    ));
    diags.sort();
    (manifest, diags.into_vec(), sources)
}

/// The diagnostic with `code` at `file:line`, if any.
fn find<'a>(diags: &'a [Diagnostic], code: &str, file: &str, line: u32) -> Option<&'a Diagnostic> {
    diags
        .iter()
        .find(|d| d.code == code && d.file.as_deref() == Some(file) && d.line == Some(line))
}

fn assert_at(
    diags: &[Diagnostic],
    severity: Severity,
    code: &str,
    file: &str,
    line: u32,
) -> String {
    match find(diags, code, file, line) {
        Some(d) => {
            assert_eq!(d.severity, severity, "{d:?}");
            d.message.clone()
        }
        None => panic!("no {code} at {file}:{line}; got:\n{diags:#?}"),
    }
}

#[test]
fn route_without_name_or_id() {
    let (_, diags, _) = load_fixture();
    assert_at(
        &diags,
        Severity::Error,
        "route-missing-name",
        "gateway/a.yaml",
        6,
    );
}

#[test]
fn invalid_regex_path() {
    let (_, diags, _) = load_fixture();
    let m = assert_at(
        &diags,
        Severity::Error,
        "route-invalid-regex",
        "gateway/a.yaml",
        9,
    );
    assert!(
        m.contains("bad-regex") && m.contains("~/orders/(\\d+"),
        "{m}"
    );
}

#[test]
fn path_without_leading_slash() {
    let (_, diags, _) = load_fixture();
    let m = assert_at(
        &diags,
        Severity::Error,
        "route-invalid-path",
        "gateway/a.yaml",
        12,
    );
    assert!(
        m.contains("must start with `/` (prefix) or `~/` (regex)"),
        "{m}"
    );
}

#[test]
fn non_normalised_prefix_path() {
    let (_, diags, _) = load_fixture();
    let m = assert_at(
        &diags,
        Severity::Error,
        "route-path-not-normalized",
        "gateway/a.yaml",
        15,
    );
    assert!(m.contains("consider use '/orders/x' instead"), "{m}");
}

#[test]
fn empty_segment_path() {
    let (_, diags, _) = load_fixture();
    let m = assert_at(
        &diags,
        Severity::Error,
        "route-invalid-path",
        "gateway/a.yaml",
        18,
    );
    assert!(m.contains("empty segments"), "{m}");
}

#[test]
fn unknown_service_reference() {
    let (manifest, diags, _) = load_fixture();
    let m = assert_at(
        &diags,
        Severity::Error,
        "unknown-service",
        "gateway/a.yaml",
        25,
    );
    assert!(m.contains("`orphan`") && m.contains("`missing`"), "{m}");
    let orphan = manifest.route("orphan").expect("orphan route kept");
    assert_eq!(manifest.routes[orphan.index()].service, None);
}

#[test]
fn duplicate_route_name_and_unknown_key() {
    let (_, diags, _) = load_fixture();
    let m = assert_at(
        &diags,
        Severity::Error,
        "duplicate-route",
        "gateway/a.yaml",
        26,
    );
    assert!(m.contains("gateway/a.yaml:19"), "{m}");
    assert_at(&diags, Severity::Error, "unknown-key", "gateway/a.yaml", 28);
}

#[test]
fn unparseable_yaml_has_a_position() {
    let (_, diags, _) = load_fixture();
    let d = diags
        .iter()
        .find(|d| d.code == "yaml-syntax" && d.file.as_deref() == Some("gateway/b.yaml"))
        .unwrap_or_else(|| panic!("no yaml-syntax in b.yaml: {diags:#?}"));
    assert_eq!(d.severity, Severity::Error);
    assert!(d.line.is_some_and(|l| l >= 4), "{d:?}");
}

#[test]
fn format_1_1_regex_paths_without_tilde() {
    let (_, diags, _) = load_fixture();
    assert_at(
        &diags,
        Severity::Warning,
        "deck-format-version",
        "gateway/legacy.yml",
        1,
    );
    let m = assert_at(
        &diags,
        Severity::Warning,
        "deck-regex-without-tilde",
        "gateway/legacy.yml",
        6,
    );
    assert!(m.contains("/items/\\d+$"), "{m}");
}

#[test]
fn files_merge_as_deck_merges_them() {
    let (manifest, diags, sources) = load_fixture();
    assert_eq!(
        manifest.files,
        vec![
            "gateway/a.yaml",
            "gateway/b.yaml",
            "gateway/c.yaml",
            "gateway/legacy.yml"
        ]
    );
    for f in &manifest.files {
        assert!(sources.text(f).is_some(), "{f} not registered");
    }
    // Top-level route resolves a service defined in another file.
    let cross = manifest.route("cross-file").expect("cross-file route");
    let service = manifest.routes[cross.index()].service.expect("resolved");
    assert_eq!(manifest.services[service.index()].label(), "billing");
    assert_eq!(
        manifest.services[service.index()]
            .path
            .as_ref()
            .map(|p| p.as_str()),
        Some("/v2")
    );
    assert_eq!(manifest.services[service.index()].port, Some(8443));
    // Routes by id, select_tags added to the file's entities, merged document.
    let invoices = manifest
        .route("9d8f8a0e-4c1b-4a7e-9d3c-1f2e3d4c5b6a")
        .expect("by id");
    assert_eq!(
        manifest.routes[invoices.index()].tags.all(),
        vec!["team-billing".to_string()]
    );
    assert_eq!(manifest.select_tags, vec!["team-billing".to_string()]);
    assert_eq!(manifest.format_version.as_deref(), Some("3.0"));
    let names: Vec<&str> = manifest
        .services
        .iter()
        .filter_map(|s| s.name.as_deref())
        .collect();
    assert_eq!(names, vec!["orders", "billing", "legacy"]);
    assert_eq!(
        Some(manifest.routes.iter().filter(|r| !r.is_nested()).count()),
        Some(3)
    );
    assert!(manifest.sections.has("_info"));
    assert_eq!(manifest.select_tags[0], "team-billing");
    // Nested routes belong to their service.
    let good = manifest.route("dup").expect("dup");
    assert_eq!(
        manifest.routes[good.index()]
            .service
            .map(|s| manifest.services[s.index()].label()),
        Some("orders")
    );
    // No diagnostics from the clean file.
    assert!(
        !diags
            .iter()
            .any(|d| d.file.as_deref() == Some("gateway/c.yaml")),
        "{diags:#?}"
    );
}

#[test]
fn routes_serving_nothing_are_reported_at_their_line() {
    let (manifest, _, _) = load_fixture();
    let op = support::operation("GET", "/invoices/{id}", Some("getInvoice"), &[], 3);
    let api = support::api("billing", &["https://billing.example.com"], vec![op]);
    let input = OperationInput {
        api: &api,
        operation: &api.operations[0],
        packages: vec![],
        pinned_routes: vec![],
        gateway_host: None,
        path_prefix: None,
    };
    let inputs = [input];
    let (verdicts, diags) = kong::check(&inputs, &manifest, RouterFlavor::TraditionalCompatible);
    let results = portalgen::cli::json::reports(&inputs, &verdicts, &manifest, &[]);
    assert_eq!(results[0].route.as_deref(), Some("invoices"));
    assert_eq!(results[0].service.as_deref(), Some("billing"));
    // strip_path default true: /invoices/sample (undeclared parameter) → service path /v2 + /sample.
    assert_eq!(results[0].upstream_path.as_deref(), Some("/v2/sample"));
    let diags = diags.into_vec();
    let undocumented = find(&diags, "route-undocumented", "gateway/c.yaml", 8);
    assert!(undocumented.is_none(), "invoices serves an operation");
    let orphan =
        find(&diags, "route-undocumented", "gateway/a.yaml", 22).expect("orphan is undocumented");
    assert_eq!(orphan.severity, Severity::Info);
    // The route with an invalid regex never reaches the router.
    assert!(
        find(&diags, "route-undocumented", "gateway/a.yaml", 7).is_none(),
        "{diags:#?}"
    );
}

#[test]
fn missing_directory_is_an_empty_manifest() {
    let sources = SourceMap::default();
    let (m, d) =
        portalgen::load::deck::load(&fixture_root(), &["nowhere/*.yaml".to_string()], &sources);
    assert!(m.routes.is_empty() && m.files.is_empty() && d.is_empty());
}

#[test]
fn hostile_manifests_give_diagnostics_not_panics() {
    let texts = [
        "_format_version: 3\nservices: {a: 1}\nroutes:\n- name: [x]\n  paths: notalist\n  methods: [1, get]\n  hosts: ['*.*.x', 'a*b', '']\n  headers: {host: [x], x: 5, y: ['~*(']}\n  regex_priority: high\n  strip_path: 'yes'\n  priority: -5\n  service: 7\n- 42\n- {name: ok, paths: ['~/(?<a>x)(?<a>y)', '/%zz', '/a/../b'], sources: [{ip: 10.0.0.0/8}], snis: [x.]}\n",
        "- just\n- a\n- list\n",
        "",
        "{\"_format_version\": \"3.0\", \"routes\": [{\"name\": \"j\", \"paths\": [\"/\u{e9}\u{301}/%C3%A9\"], \"expression\": \"http.path ==\"}]}",
        "services:\n- routes:\n  - name: deep\n    paths: [/x]\n    headers: {a: [b]}\n    hosts: ['x:99999', 'y:0']\n",
        "\u{feff}_format_version: \"3.0\"\nroutes: &r\n- name: anchor\n  paths: [/a]\n",
    ];
    for (i, text) in texts.iter().enumerate() {
        let sources = SourceMap::default();
        let (manifest, diags) = portalgen::load::deck::from_texts(
            &[(format!("gateway/h{i}.yaml"), text.to_string())],
            &sources,
        );
        let mut diags = diags;
        for flavor in [
            RouterFlavor::TraditionalCompatible,
            RouterFlavor::Expressions,
        ] {
            diags.extend(kong::rules::check(&manifest, flavor));
        }
        // Writing the manifest back does not panic either.
        let doc = portalgen::export::deck::Document::new(&manifest, &[]);
        assert!(portalgen::export::to_yaml(&doc, "h").is_ok());
        for d in diags.iter() {
            assert_eq!(
                d.file.as_deref(),
                Some(format!("gateway/h{i}.yaml").as_str()),
                "{d:?}"
            );
        }
        let op = support::operation("GET", "/a/{x}", None, &[], 1);
        let api = support::api("h", &["http://x:99999/../%zz"], vec![op]);
        let input = OperationInput {
            api: &api,
            operation: &api.operations[0],
            packages: vec![portalgen::model::PackageId(0)],
            pinned_routes: vec![(
                "anchor".into(),
                portalgen::source::Span::new("p.yaml", 1, 1),
            )],
            gateway_host: Some("é:bad".into()),
            path_prefix: Some("no-slash//x".into()),
        };
        for flavor in [
            RouterFlavor::TraditionalCompatible,
            RouterFlavor::Expressions,
        ] {
            let (verdicts, _) = kong::check(std::slice::from_ref(&input), &manifest, flavor);
            let results = portalgen::cli::json::reports(
                std::slice::from_ref(&input),
                &verdicts,
                &manifest,
                &[],
            );
            assert_eq!(results.len(), 1);
            let _ = portalgen::cli::coverage::report_html(&results, &manifest, "<h>");
            let _ = portalgen::cli::coverage::coverage_table(&results);
        }
    }
    // The first text reports type errors at their lines.
    let sources = SourceMap::default();
    let (manifest, diags) = portalgen::load::deck::from_texts(
        &[("gateway/h.yaml".into(), texts[0].to_string())],
        &sources,
    );
    let mut diags = diags;
    diags.extend(kong::rules::check(
        &manifest,
        RouterFlavor::TraditionalCompatible,
    ));
    let diags = diags.into_vec();
    assert!(
        find(&diags, "wrong-type", "gateway/h.yaml", 2).is_some(),
        "{diags:#?}"
    );
    assert!(
        find(&diags, "wrong-type", "gateway/h.yaml", 5).is_some(),
        "{diags:#?}"
    );
    assert!(
        find(&diags, "route-invalid-host", "gateway/h.yaml", 7).is_some(),
        "{diags:#?}"
    );
    assert!(
        find(&diags, "route-invalid-header", "gateway/h.yaml", 8).is_some(),
        "{diags:#?}"
    );
    assert!(
        find(&diags, "route-invalid-regex", "gateway/h.yaml", 8).is_some(),
        "{diags:#?}"
    );
    assert!(
        find(&diags, "route-invalid-regex", "gateway/h.yaml", 14).is_some(),
        "{diags:#?}"
    );
    assert!(
        find(&diags, "route-path-not-normalized", "gateway/h.yaml", 14).is_some(),
        "{diags:#?}"
    );
}

#[test]
fn manifest_patterns_select_files() {
    let dir = tempfile::tempdir().unwrap();
    let deck = "_format_version: \"3.0\"\nservices:\n- name: s\n  url: http://x\n";
    support::write_files(
        dir.path(),
        &[
            ("kong.yaml", deck),
            ("gateway/a.yaml", deck),
            ("gateway/sub/b.yaml", deck),
            ("gateway/c.txt", deck),
            ("other/d.yaml", deck),
        ],
    );
    let load = |patterns: &[&str]| {
        let sources = SourceMap::default();
        let patterns: Vec<String> = patterns.iter().map(|p| p.to_string()).collect();
        portalgen::load::deck::load(dir.path(), &patterns, &sources)
            .0
            .files
    };
    assert_eq!(load(&["kong.yaml"]), vec!["kong.yaml"]);
    assert_eq!(load(&["gateway/*.yaml"]), vec!["gateway/a.yaml"]);
    assert_eq!(
        load(&["gateway/**/*.yaml"]),
        vec!["gateway/a.yaml", "gateway/sub/b.yaml"]
    );
    assert_eq!(
        load(&["*.yaml", "other/*.yaml"]),
        vec!["kong.yaml", "other/d.yaml"]
    );
    let sources = SourceMap::default();
    let (_, d) = portalgen::load::deck::load(dir.path(), &["gateway/[".to_string()], &sources);
    assert_eq!(d.into_vec()[0].code, "invalid-glob");
}
