//! The team-facing outputs of the routing check, from a real check run: the JSON contract of
//! `operations` entries, the per-status summary, the human coverage table, and the
//! self-contained HTML coverage report.

use crate::routing_support as support;

use portalgen::kong::{self, OperationInput};
use portalgen::model::config::RouterFlavor;
use portalgen::model::gateway::Manifest;
use portalgen::model::{PackageId, Slug};
use portalgen::source::SourceMap;
use scraper::{Html, Selector};

const DECK: &str = r#"_format_version: "3.0"
services:
- name: shop
  url: http://shop.internal
  routes:
  - {name: orders, methods: [GET], paths: [/orders], strip_path: false}
  - {name: order-a, methods: [GET], paths: ['~/orders/\d+$'], strip_path: false}
  - {name: order-b, methods: [GET], paths: ['~/orders/[0-9]+$'], strip_path: false}
  - {name: unused-admin, paths: [/admin]}
"#;

fn run() -> (Vec<portalgen::cli::json::OperationReport>, Manifest) {
    let sources = SourceMap::default();
    let (manifest, d) =
        portalgen::load::deck::from_texts(&[("gateway/shop.yaml".into(), DECK.into())], &sources);
    assert!(d.is_empty(), "{:?}", d.into_vec());
    let int = support::Param {
        name: "id".into(),
        types: vec!["integer".into()],
        ..Default::default()
    };
    let ops = vec![
        support::operation("GET", "/orders", Some("listOrders"), &[], 5),
        support::operation("GET", "/orders/{id}", Some("getOrder"), &[int], 9),
        support::operation("DELETE", "/orders/{id}", None, &[], 14),
    ];
    let api = support::api("shop", &["https://api.example.com"], ops);
    let inputs: Vec<OperationInput<'_>> = api
        .operations
        .iter()
        .map(|op| OperationInput {
            api: &api,
            operation: op,
            packages: if op.operation_id.is_some() {
                vec![PackageId(0)]
            } else {
                vec![]
            },
            pinned_routes: vec![],
            gateway_host: None,
            path_prefix: None,
        })
        .collect();
    let (verdicts, _) = kong::check(&inputs, &manifest, RouterFlavor::TraditionalCompatible);
    let slugs = [Slug::parse("gold").unwrap()];
    let results = portalgen::cli::json::reports(&inputs, &verdicts, &manifest, &slugs);
    (results, manifest)
}

#[test]
fn json_entries_follow_the_contract() {
    let (results, _) = run();
    let json = serde_json::to_value(&results).unwrap();
    let keys: Vec<&str> = json[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        vec![
            "api",
            "method",
            "path",
            "operation_id",
            "packages",
            "status",
            "route",
            "service",
            "probes",
            "upstream_path",
            // What the gateway export enforces for the operation.
            "policy"
        ]
    );
    let probe_keys: Vec<&str> = json[0]["probes"][0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(probe_keys, vec!["method", "host", "path", "route"]);
    // Sorted by API slug, path, method.
    let order: Vec<(String, String)> = results
        .iter()
        .map(|r| (r.path.clone(), r.method.clone()))
        .collect();
    assert_eq!(
        order,
        vec![
            ("/orders".into(), "GET".into()),
            ("/orders/{id}".into(), "DELETE".into()),
            ("/orders/{id}".into(), "GET".into()),
        ]
    );
    assert_eq!(json[0]["status"], "matched");
    assert_eq!(json[0]["route"], "orders");
    assert_eq!(json[0]["service"], "shop");
    assert_eq!(json[0]["upstream_path"], "/orders");
    assert_eq!(json[0]["probes"][0]["host"], "api.example.com");
    assert_eq!(json[1]["status"], "unmatched");
    assert_eq!(json[1]["operation_id"], serde_json::Value::Null);
    assert_eq!(json[2]["status"], "ambiguous");
    assert_eq!(json[2]["route"], serde_json::Value::Null);
}

#[test]
fn summary_counts_per_status() {
    let (results, _) = run();
    assert_eq!(
        portalgen::cli::coverage::summary(&results),
        serde_json::json!({"total": 3, "matched": 1, "unmatched": 1, "ambiguous": 1})
    );
}

#[test]
fn coverage_table_lists_every_operation() {
    let (results, _) = run();
    let table = portalgen::cli::coverage::coverage_table(&results);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(
        lines[0],
        "API shop: 3 operations, 1 matched, 1 unmatched, 1 ambiguous"
    );
    assert!(
        lines[2].contains("GET") && lines[2].contains("/orders ") && lines[2].ends_with("orders"),
        "{table}"
    );
    assert!(
        lines[3].contains("DELETE") && lines[3].contains("unmatched") && lines[3].ends_with('-'),
        "{table}"
    );
    assert!(
        lines[4].contains("ambiguous") && lines[4].contains("? order-"),
        "{table}"
    );
}

#[test]
fn html_report_is_self_contained_and_highlights_problems() {
    let (results, manifest) = run();
    let html = portalgen::cli::coverage::report_html(&results, &manifest, "Shop <portal>");
    let doc = Html::parse_document(&html);
    let sel = |s: &str| Selector::parse(s).unwrap();
    // No external assets: no links, scripts, images or remote URLs in attributes.
    assert_eq!(doc.select(&sel("link, script, img, iframe")).count(), 0);
    assert!(
        !html.contains("src=") && !html.contains("href=\"http"),
        "{html}"
    );
    assert_eq!(doc.select(&sel("style")).count(), 1);
    assert_eq!(
        doc.select(&sel("title"))
            .next()
            .unwrap()
            .text()
            .collect::<String>(),
        "Shop <portal> — route coverage"
    );
    // One row per operation, problem rows highlighted.
    let rows: Vec<_> = doc.select(&sel("#api-shop + p + table tbody tr")).collect();
    assert_eq!(rows.len(), 3);
    let classes: Vec<&str> = rows
        .iter()
        .map(|r| r.value().attr("class").unwrap())
        .collect();
    assert_eq!(classes, vec!["matched", "unmatched", "ambiguous"]);
    let first: Vec<String> = rows[0]
        .select(&sel("td"))
        .map(|c| c.text().collect())
        .collect();
    assert_eq!(first[0], "GET");
    assert_eq!(first[3], "gold");
    assert_eq!(first[5], "orders");
    assert!(
        rows[2].text().collect::<String>().contains("tie"),
        "the ambiguous row explains the tie"
    );
    // Routes serving no documented operation.
    let unused: Vec<String> = doc
        .select(&sel("#undocumented-routes + table tbody tr td:first-child"))
        .map(|c| c.text().collect())
        .collect();
    assert_eq!(unused, vec!["unused-admin"]);
}
