//! Upstream paths against Kong's own table (`tests/fixtures/routing/path_handling.txt`, from
//! spec/fixtures/router_path_handling_tests.lua): for every row a decK service + route are
//! written to disk, loaded, and an operation on the request path is routed through the real
//! engine; the reported `upstream_path` must be the path Kong proxies to.

use crate::routing_support as support;

use portalgen::kong::{self, OperationInput};
use portalgen::model::Status;
use portalgen::model::config::RouterFlavor;
use portalgen::source::SourceMap;

#[test]
fn upstream_paths_follow_kongs_path_handling_table() {
    let table = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/routing/path_handling.txt"
    ))
    .expect("table");
    let mut checked = 0;
    let mut failures = Vec::new();
    for line in table
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let cols: Vec<&str> = line.split_whitespace().collect();
        let [service_path, route_path, strip, request, expected] = cols[..] else {
            panic!("bad row {line:?}");
        };
        let strips: &[bool] = match strip {
            "both" => &[false, true],
            "true" => &[true],
            _ => &[false],
        };
        for &strip_path in strips {
            let matcher = if route_path == "-" {
                "hosts: [example.com]".to_string()
            } else {
                format!("paths: ['{route_path}']")
            };
            let deck = format!(
                "_format_version: \"3.0\"\nservices:\n- name: svc\n  url: http://backend.internal\n  path: {service_path}\n  routes:\n  - name: r\n    {matcher}\n    strip_path: {strip_path}\n"
            );
            let dir = tempfile::tempdir().expect("tempdir");
            support::write_files(dir.path(), &[("gateway/kong.yaml", &deck)]);
            let sources = SourceMap::default();
            let (manifest, diags) =
                portalgen::load::deck::load(dir.path(), &["gateway/*.yaml".to_string()], &sources);
            assert!(!diags.has_errors(), "{:?}", diags.into_vec());
            let op = support::operation("GET", request, None, &[], 1);
            let api = support::api("t", &["http://example.com"], vec![op]);
            let input = OperationInput {
                api: &api,
                operation: &api.operations[0],
                packages: vec![],
                pinned_routes: vec![],
                gateway_host: None,
                path_prefix: None,
            };
            let inputs = [input];
            let (verdicts, _) =
                kong::check(&inputs, &manifest, RouterFlavor::TraditionalCompatible);
            let results = portalgen::cli::json::reports(&inputs, &verdicts, &manifest, &[]);
            let r = &results[0];
            checked += 1;
            if r.status != Status::Matched || r.upstream_path.as_deref() != Some(expected) {
                failures.push(format!(
                    "{line} (strip_path {strip_path}): {:?} {:?}",
                    r.status, r.upstream_path
                ));
            }
        }
    }
    assert!(checked >= 80, "only {checked} rows");
    assert!(
        failures.is_empty(),
        "{} of {checked} rows differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
