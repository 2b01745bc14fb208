//! The numbered fixture projects of `tests/fixtures/export/cases` (one per enforcement defect
//! of issue 10 and per feature) exported with `--flavor kong` through the real binary: each
//! exported file is a golden file, valid for decK's file schema and every added plugin for
//! Kong 3.13's schema of that plugin; the effective policy `check --format json` reports for
//! each operation (what the self-verification found on Kong's router and plugin precedence)
//! is asserted per case. `tests/fixtures/export/invalid` holds projects the export refuses,
//! with their expected diagnostics. The bundled example is exported with applications
//! registered for each of its packages and checked for leaks between them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::common::{copy_dir, example, golden_settings, run, write_files};
use crate::export_kong::{assert_deck_valid, assert_schema_valid};
use serde_json::{Value, json};

fn fixtures(set: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/export")
        .join(set);
    let mut all: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    all.sort();
    all
}

fn case(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/export/cases")
        .join(name)
}

fn export_yaml(dir: &Path) -> String {
    let r = run(&["export", dir.to_str().unwrap(), "--flavor", "kong"]);
    assert_eq!(r.code, 0, "{}: {}", dir.display(), r.stderr);
    r.stdout
}

/// `check --format json` of `dir`: each operation's effective policy by "METHOD /path", and
/// the diagnostics.
fn policies(dir: &Path) -> (BTreeMap<String, Value>, Vec<Value>) {
    let r = run(&[
        "check",
        dir.to_str().unwrap(),
        "--flavor",
        "kong",
        "--format",
        "json",
    ]);
    assert_ne!(r.code, 101, "panic: {}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let ops = v["operations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                format!(
                    "{} {}",
                    o["method"].as_str().unwrap(),
                    o["path"].as_str().unwrap()
                ),
                o["policy"].clone(),
            )
        })
        .collect();
    (
        ops,
        v["diagnostics"].as_array().cloned().unwrap_or_default(),
    )
}

/// (consumer, limit, counter) of a registration that may call an operation.
type Caller = (String, Value, Value);

/// Every registration that may call the operation.
fn callers(policy: &Value) -> Vec<Caller> {
    let mut out: Vec<Caller> = policy["registrations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["allowed"] == true)
        .map(|r| {
            (
                r["consumer"].as_str().unwrap().to_string(),
                r["limit"]["limit"].clone(),
                r["counter"].clone(),
            )
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn caller(consumer: &str, limit: Value, counter: &str) -> Caller {
    (consumer.to_string(), limit, json!(counter))
}

fn codes(diags: &[Value], severity: &str) -> Vec<String> {
    diags
        .iter()
        .filter(|d| d["severity"] == severity)
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}

/// Every case exports, byte-identically from two copies, into a valid decK file whose added
/// plugins are valid for Kong 3.13; the file is its golden file.
#[test]
fn every_case_exports_a_valid_deterministic_golden_file() {
    let cases = fixtures("cases");
    assert!(cases.len() >= 8, "{cases:?}");
    for dir in cases {
        let name = dir.file_name().unwrap().to_str().unwrap().to_string();
        let yaml = export_yaml(&dir);
        let copy = tempfile::tempdir().unwrap();
        copy_dir(&dir, copy.path());
        assert_eq!(export_yaml(copy.path()), yaml, "{name}: not deterministic");
        let doc = portalgen::tree::parse(&yaml).unwrap().to_json();
        assert_deck_valid(&doc);
        assert_schema_valid(&doc);
        golden_settings().bind(|| {
            insta::assert_snapshot!(format!("case_{name}"), yaml);
        });
    }
}

/// Every project of `invalid/` is refused, nothing printed, with its expected diagnostics
/// (code, file, line) as a golden file.
#[test]
fn every_invalid_project_is_refused_with_its_diagnostics() {
    for dir in fixtures("invalid") {
        let name = dir.file_name().unwrap().to_str().unwrap().to_string();
        let r = run(&[
            "export",
            dir.to_str().unwrap(),
            "--flavor",
            "kong",
            "--format",
            "json",
        ]);
        assert_eq!(r.code, 1, "{name}: {}", r.stderr);
        let v: Value = serde_json::from_str(&r.stdout).unwrap();
        assert!(v["configuration"].is_null(), "{name}: exported anyway");
        let errors: Vec<String> = v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["severity"] == "error")
            .map(|d| {
                format!(
                    "{} {}:{}: {}",
                    d["code"].as_str().unwrap(),
                    d["file"].as_str().unwrap_or("-"),
                    d["line"],
                    d["message"].as_str().unwrap()
                )
            })
            .collect();
        assert!(!errors.is_empty(), "{name}");
        golden_settings().bind(|| {
            insta::assert_snapshot!(format!("invalid_{name}"), errors.join("\n"));
        });
    }
}

/// Defect 1: GET and POST /orders of packages Read and Write on one route. POST moves to a
/// method copy; each package's applications reach only their own operation.
#[test]
fn case_01_packages_sharing_a_route_do_not_leak() {
    let (p, _) = policies(&case("01-shared-route"));
    let get = &p["GET /orders"];
    assert_eq!(
        (&get["route"], &get["acl"]),
        (&json!("orders"), &json!(["pkg-read"]))
    );
    assert_eq!(
        callers(get),
        vec![caller("reader--pkg-read", json!(5), "package")]
    );
    let post = &p["POST /orders"];
    assert_eq!(
        (&post["route"], &post["acl"]),
        (&json!("orders--post"), &json!(["pkg-write"]))
    );
    assert_eq!(
        callers(post),
        vec![caller("writer--pkg-write", json!(10), "package")]
    );
    // The unpackaged operations below /orders stay open (if_present), on a `/orders/` copy
    // that keeps them off Read's route.
    for op in ["GET /orders/{id}", "GET /orders/{id}/items"] {
        assert_eq!(p[op]["status"], "open", "{op}");
        assert_eq!(p[op]["route"], "orders--get-below", "{op}");
    }
}

/// Defect 2: a disabled `acl` and a disabled `key-auth` of the manifest are replaced by
/// portalgen's; the service-wide 1000/min guard outranked by the package's consumer-scoped
/// instance is a warning naming both.
#[test]
fn case_02_disabled_manifest_plugins_do_not_count() {
    let (p, d) = policies(&case("02-disabled-plugins"));
    for op in ["GET /orders", "GET /orders/{id}"] {
        assert_eq!(p[op]["status"], "enforced", "{op}");
        assert_eq!(p[op]["acl"], json!(["pkg-read"]), "{op}");
        assert_eq!(p[op]["auth"]["plugin"], "key-auth", "{op}");
    }
    let warnings = codes(&d, "warning");
    assert_eq!(
        warnings
            .iter()
            .filter(|c| *c == "kong-plugin-disabled")
            .count(),
        2,
        "{d:#?}"
    );
    let outranked = d
        .iter()
        .find(|x| x["code"] == "kong-plugin-outranked")
        .unwrap_or_else(|| panic!("{d:#?}"));
    let message = outranked["message"].as_str().unwrap();
    assert!(
        message.contains("`rate-limiting` plugin on service `shop`")
            && message.contains("consumer `reader--pkg-read`"),
        "{message}"
    );
}

/// Defect 3: a package limit of 0 blocks the package's own counter only; an operation with its
/// own limit keeps it, and an operation limit of 0 blocks just that operation.
#[test]
fn case_03_limits_of_zero_keep_the_overrides() {
    let (p, _) = policies(&case("03-zero-limit"));
    assert_eq!(
        callers(&p["GET /orders"]),
        vec![
            caller("buyer--pkg-paid", json!(10), "package"),
            caller("tester--pkg-trial", json!(0), "package"),
        ]
    );
    assert_eq!(
        callers(&p["GET /orders/{id}"]),
        vec![caller("tester--pkg-trial", json!(5), "operation")]
    );
    assert_eq!(
        callers(&p["GET /orders/{id}/items"]),
        vec![caller("buyer--pkg-paid", json!(0), "operation")]
    );
}

/// Defect 4: an API published on its own is enforced as group `api-shop` with its limit, and
/// `match_policy: required` does not block its operations (only the undocumented route).
#[test]
fn case_04_an_api_publication_is_enforced() {
    let dir = case("04-api-publication");
    let (p, _) = policies(&dir);
    assert_eq!(p.len(), 5);
    for (op, policy) in &p {
        assert_eq!(policy["status"], "enforced", "{op}");
        assert_eq!(policy["acl"], json!(["api-shop"]), "{op}");
        assert_eq!(
            callers(policy),
            vec![caller("mobile--api-shop", json!(10), "package")],
            "{op}"
        );
    }
    let doc = portalgen::tree::parse(&export_yaml(&dir))
        .unwrap()
        .to_json();
    let terminations: Vec<&Value> = doc["plugins"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["name"] == "request-termination")
        .collect();
    assert_eq!(terminations.len(), 1, "{terminations:?}");
    assert_eq!(terminations[0]["route"], "admin");
    assert_eq!(terminations[0]["config"]["status_code"], 404);
}

/// Defect 6: `_info.defaults` apply before routing: `legacy` (regex_priority 300 by default)
/// wins GET /orders/{id} over `order-by-id` (200), so it is the route enforced; no false
/// `strip-path-drops-path` from `defaults.route.strip_path: false`.
#[test]
fn case_06_deck_defaults_apply_before_routing() {
    let (p, d) = policies(&case("06-defaults"));
    assert_eq!(p["GET /orders/{id}"]["route"], "legacy");
    assert_eq!(p["GET /orders/{id}"]["acl"], json!(["pkg-read"]));
    assert!(
        d.iter().all(|x| x["code"] != "strip-path-drops-path"),
        "{d:#?}"
    );
}

/// Defect 7: decK env references in a service `url`, a route's `paths` and consumer keys:
/// accepted, written back quoted, and the operations an env-referenced route may take are
/// reported unchecked.
#[test]
fn case_07_env_references_are_accepted_and_written_back() {
    let dir = case("07-env-references");
    let yaml = export_yaml(&dir);
    let manifest = std::fs::read_to_string(dir.join("gateway/kong.yaml")).unwrap();
    for line in manifest.lines().filter(|l| l.contains("${{ env")) {
        let value = line.split_once(": ").map_or(line, |(_, v)| v).trim();
        let value = value.trim_start_matches("- ").trim_start_matches('[');
        let value = value.trim_end_matches(']');
        assert!(yaml.contains(value), "{value} not written back in\n{yaml}");
    }
    let (p, d) = policies(&dir);
    assert_eq!(p["POST /orders"]["status"], "unchecked");
    assert!(
        codes(&d, "warning").contains(&"route-env-unknown".to_string()),
        "{d:#?}"
    );
    assert!(
        d.iter()
            .all(|x| x["code"] != "service-invalid-url" && x["severity"] != "error"),
        "{d:#?}"
    );
}

/// Defect 8: per-operation limits on shared routes are enforced on derived routes of their
/// own: method+path regex routes, with a `request-transformer` restoring the upstream path
/// where the route strips it.
#[test]
fn case_08_operation_limits_on_a_shared_route_are_enforced() {
    let dir = case("08-operation-limit");
    let (p, _) = policies(&dir);
    assert_eq!(
        callers(&p["GET /orders/{id}/items"]),
        vec![caller("store--pkg-starter", json!(2), "operation")]
    );
    assert_eq!(
        callers(&p["GET /orders"]),
        vec![caller("store--pkg-starter", json!(100), "package")]
    );
    assert_eq!(
        callers(&p["GET /catalog/{sku}/reviews"]),
        vec![caller("store--pkg-starter", json!(1), "operation")]
    );
    assert_eq!(
        callers(&p["GET /catalog/{sku}"]),
        vec![caller("store--pkg-starter", json!(100), "package")]
    );
    // Unpackaged GET /orders/{id} stays on the original route, open.
    assert_eq!(
        (
            &p["GET /orders/{id}"]["status"],
            &p["GET /orders/{id}"]["route"]
        ),
        (&json!("open"), &json!("orders"))
    );
    let doc = portalgen::tree::parse(&export_yaml(&dir))
        .unwrap()
        .to_json();
    let rewrite = doc["plugins"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["name"] == "request-transformer" && x["route"] == "catalog--list-reviews")
        .unwrap_or_else(|| panic!("{doc:#}"));
    assert_eq!(
        rewrite["config"]["replace"]["uri"],
        "/api$(uri_captures[\"rest\"])"
    );
}

/// Defect 9: the unpackaged operations of a route keep no package plugin; manifest consumers
/// keep working, a literal key in one is a warning.
#[test]
fn case_09_unpackaged_operations_of_a_mixed_route_stay_as_they_were() {
    let (p, d) = policies(&case("09-mixed-route"));
    assert_eq!(p["DELETE /orders/{id}"]["status"], "open");
    assert_eq!(p["DELETE /orders/{id}"]["acl"], json!([]));
    assert_eq!(p["GET /orders/{id}"]["acl"], json!(["pkg-read"]));
    assert_eq!(p["GET /orders"]["acl"], json!(["pkg-legacy"]));
    assert_eq!(
        callers(&p["GET /orders"])
            .into_iter()
            .map(|c| c.0)
            .collect::<Vec<_>>(),
        ["old-client"]
    );
    assert!(
        codes(&d, "warning").contains(&"deck-literal-secret".to_string()),
        "{d:#?}"
    );
}

/// The bundled example with one application per package: every operation's effective policy,
/// no leak between its packages (starter may not PATCH/POST /anything, partner-logistics may
/// not DELETE /orders/{orderId}), the items override on a route of its own.
#[test]
fn the_bundled_example_enforces_its_packages_without_leaks() {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&example(), tmp.path());
    let app = |name: &str, package: &str, var: &str| {
        format!(
            "name: {name}\nregistrations:\n  - package: {package}\n    credentials:\n      - key: '${{{{ env \"{var}\" }}}}'\n"
        )
    };
    write_files(
        tmp.path(),
        &[
            (
                "applications/company-app.yaml",
                &app("company-app", "company", "DECK_COMPANY_KEY"),
            ),
            (
                "applications/starter-app.yaml",
                &app("starter-app", "starter", "DECK_STARTER_KEY"),
            ),
            (
                "applications/zephyr.yaml",
                &app("zephyr", "partner-logistics", "DECK_ZEPHYR_KEY"),
            ),
        ],
    );
    let (p, d) = policies(tmp.path());
    assert!(codes(&d, "error").is_empty(), "{d:#?}");
    let company = || caller("company-app--pkg-company", json!(5), "package");
    let starter = || caller("starter-app--pkg-starter", json!(100), "package");
    let zephyr = || caller("zephyr--pkg-partner-logistics", json!(30), "package");
    let want: Vec<(&str, Vec<Caller>)> = vec![
        ("GET /fulfillment/shipments", vec![zephyr()]),
        (
            "POST /fulfillment/shipments/{shipmentId}/dispatch",
            vec![zephyr()],
        ),
        ("DELETE /anything", vec![]),
        ("GET /anything", vec![company(), starter()]),
        ("PATCH /anything", vec![company()]),
        ("POST /anything", vec![company()]),
        ("PUT /anything", vec![]),
        ("GET /anything/{id}", vec![company()]),
        ("GET /orders", vec![starter()]),
        ("POST /orders", vec![starter()]),
        ("DELETE /orders/{orderId}", vec![starter()]),
        ("GET /orders/{orderId}", vec![starter(), zephyr()]),
        (
            "GET /orders/{orderId}/items",
            vec![caller("starter-app--pkg-starter", json!(2), "operation")],
        ),
    ];
    assert_eq!(p.len(), want.len(), "{:?}", p.keys());
    for (op, callers_wanted) in want {
        let policy = &p[op];
        assert_eq!(callers(policy), callers_wanted, "{op}: {policy:#}");
        let status = if callers_wanted.is_empty() {
            "open"
        } else {
            "enforced"
        };
        assert_eq!(policy["status"], status, "{op}");
    }
}

/// The portal's pages show what the verified export enforces: on the operation page of
/// `GET /orders/{id}/items` (case 8) its own 2/second limit and the key-auth rules.
#[test]
fn operation_pages_show_the_enforced_limit_and_auth() {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&case("08-operation-limit"), tmp.path());
    let starter = std::fs::read_to_string(tmp.path().join("packages/starter.yaml")).unwrap();
    write_files(
        tmp.path(),
        &[(
            "packages/starter.yaml",
            &starter.replace("name: Starter\n", "name: Starter\nvisibility: public\n"),
        )],
    );
    let out = tmp.path().join("site");
    let r = run(&[
        "build",
        tmp.path().to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let page = std::fs::read_to_string(out.join("apis/shop/list-order-items/index.html")).unwrap();
    let text: String = scraper::Html::parse_document(&page)
        .select(&scraper::Selector::parse(".enforcement").unwrap())
        .flat_map(|e| e.text())
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        text.contains("an API key is required in the header apikey; keys in the query string are not accepted, and the key never reaches the service")
            && text.contains("Starter: 2 requests per second per application, this operation's own limit"),
        "{text}"
    );
    let list = std::fs::read_to_string(out.join("apis/shop/list-orders/index.html")).unwrap();
    assert!(
        list.contains("100 requests per hour"),
        "the package-wide limit on GET /orders"
    );
}
