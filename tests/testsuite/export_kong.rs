//! End-to-end tests of `portalgen export --flavor kong` (packages enforced on a self-managed
//! Kong Gateway with OSS plugins) on the fixture project `tests/fixtures/export/kong`, copied
//! to a temporary folder and varied per test. Every plugin config emitted is validated against
//! Kong 3.13's JSON schema of that plugin.

use std::path::{Path, PathBuf};

use crate::common::{copy_dir, example, run, write_files};
use serde_json::{Value, json};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/export/kong")
}

/// The fixture in a temporary folder, with `changes` (relative path, content) written over it.
fn project(changes: &[(&str, &str)]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&fixture(), tmp.path());
    write_files(tmp.path(), changes);
    tmp
}

struct Export {
    code: i32,
    stdout: String,
    stderr: String,
    doc: Value,
}

fn export(dir: &Path) -> Export {
    let r = run(&["export", dir.to_str().unwrap(), "--flavor", "kong"]);
    assert_ne!(r.code, 101, "panic: {}", r.stderr);
    let doc = if r.code == 0 {
        portalgen::tree::parse(&r.stdout)
            .expect("export is valid YAML")
            .to_json()
    } else {
        Value::Null
    };
    Export {
        code: r.code,
        stdout: r.stdout,
        stderr: r.stderr,
        doc,
    }
}

fn export_ok(dir: &Path) -> Export {
    let e = export(dir);
    assert_eq!(e.code, 0, "{}", e.stderr);
    e
}

/// The plugins portalgen added (tagged `portalgen`).
fn added(doc: &Value) -> Vec<&Value> {
    doc["plugins"]
        .as_array()
        .map(|l| {
            l.iter()
                .filter(|p| p["tags"] == json!(["portalgen"]))
                .collect()
        })
        .unwrap_or_default()
}

/// The added plugins called `name` scoped to exactly `route` and `consumer`.
fn scoped<'a>(
    doc: &'a Value,
    name: &str,
    route: Option<&str>,
    consumer: Option<&str>,
) -> Vec<&'a Value> {
    added(doc)
        .into_iter()
        .filter(|p| {
            p["name"] == name
                && p.get("route").and_then(Value::as_str) == route
                && p.get("consumer").and_then(Value::as_str) == consumer
        })
        .collect()
}

fn one<'a>(doc: &'a Value, name: &str, route: Option<&str>, consumer: Option<&str>) -> &'a Value {
    let found = scoped(doc, name, route, consumer);
    assert_eq!(
        found.len(),
        1,
        "expected one `{name}` on route {route:?} consumer {consumer:?}, got {found:?}"
    );
    found[0]
}

/// A schema file: from `../shared/schemas` when present, else the copy in
/// `tests/fixtures/export/schemas`.
fn schema_file(rel: &str) -> Value {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shared = root.join("../shared/schemas").join(rel);
    let path = if shared.exists() {
        shared
    } else {
        let name = Path::new(rel).file_name().unwrap();
        root.join("tests/fixtures/export/schemas").join(name)
    };
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// The whole document is a valid decK file (decK's own JSON schema).
pub(crate) fn assert_deck_valid(doc: &Value) {
    let validator =
        jsonschema::validator_for(&schema_file("deck-file.schema.json")).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
}

/// The 3.13 schema of a plugin.
fn schema(plugin: &str) -> Value {
    let file = match plugin {
        "acl" => "ACL.json",
        "key-auth" => "KeyAuth.json",
        "rate-limiting" => "RateLimiting.json",
        "request-termination" => "RequestTermination.json",
        "openid-connect" => "OpenidConnect.json",
        "request-transformer" => "RequestTransformer.json",
        other => panic!("no schema for plugin `{other}`"),
    };
    schema_file(&format!("kong-plugins-3.13/{file}"))
}

/// Every added plugin's `config` is valid for its 3.13 schema, and each of its scope fields is
/// one the plugin accepts.
pub(crate) fn assert_schema_valid(doc: &Value) {
    let plugins = added(doc);
    assert!(!plugins.is_empty());
    for p in plugins {
        let name = p["name"].as_str().unwrap();
        let schema = schema(name);
        let config_schema = &schema["properties"]["config"];
        let validator = jsonschema::validator_for(config_schema).expect("schema compiles");
        let errors: Vec<String> = validator
            .iter_errors(&p["config"])
            .map(|e| e.to_string())
            .collect();
        assert!(
            errors.is_empty(),
            "{name} config {}: {errors:?}",
            p["config"]
        );
        for scope in ["route", "service", "consumer", "consumer_group"] {
            if p.get(scope).is_some() {
                assert!(
                    schema["properties"].get(scope).is_some(),
                    "`{name}` cannot be scoped to a {scope}"
                );
            }
        }
    }
}

fn has_code(stderr: &str, level: &str, code: &str) -> bool {
    stderr.contains(&format!("{level}[{code}]"))
}

#[test]
fn acl_groups_per_route() {
    let tmp = project(&[]);
    let e = export_ok(tmp.path());
    let allow = |route: &str| one(&e.doc, "acl", Some(route), None)["config"]["allow"].clone();
    assert_eq!(allow("items"), json!(["pkg-basic", "pkg-pro"]));
    assert_eq!(allow("item-by-id"), json!(["pkg-basic", "pkg-pro"]));
    assert_eq!(allow("reports"), json!(["pkg-reports"]));
    // A route serving no package operation is left alone under if_present.
    assert!(added(&e.doc).iter().all(|p| p["route"] != "health"));
    assert!(scoped(&e.doc, "request-termination", Some("health"), None).is_empty());
}

#[test]
fn auth_plugin_follows_each_package_strategy() {
    let tmp = project(&[]);
    let e = export_ok(tmp.path());
    for route in ["items", "items--post", "item-by-id"] {
        let key_auth = one(&e.doc, "key-auth", Some(route), None);
        // Keys never reach the upstream and never travel in the query string, unless the
        // auth strategy says otherwise.
        assert_eq!(
            key_auth["config"],
            json!({"key_names": ["x-api-key", "apikey"], "hide_credentials": true,
                   "key_in_header": true, "key_in_query": false, "key_in_body": false})
        );
        assert!(scoped(&e.doc, "openid-connect", Some(route), None).is_empty());
    }
    let oidc = &one(&e.doc, "openid-connect", Some("reports"), None)["config"];
    assert_eq!(oidc["issuer"], "https://idp.example.com/realms/partners");
    assert_eq!(oidc["scopes"], json!(["openid", "reports"]));
    assert_eq!(oidc["consumer_claim"], json!(["client_id"]));
    assert_eq!(oidc["credential_claim"], json!(["client_id"]));
    assert_eq!(oidc["consumer_by"], json!(["custom_id"]));
    assert_eq!(
        oidc["auth_methods"],
        json!(["client_credentials", "bearer"])
    );
    assert!(scoped(&e.doc, "key-auth", Some("reports"), None).is_empty());

    // A package with `auth_strategy: none` gets neither acl nor auth, and its limit is
    // reported as not enforceable.
    let tmp = project(&[(
        "packages/reports.yaml",
        "name: Reports\nvisibility: public\nauth_strategy: none\nrate_limit: {limit: 5, duration: seconds}\noperations:\n  - api: shop\n    operation_id: listReports\n",
    )]);
    let e = export_ok(tmp.path());
    assert!(added(&e.doc).iter().all(|p| p["route"] != "reports"));
    assert!(scoped(&e.doc, "rate-limiting", None, Some("acme--reports")).is_empty());
    assert!(
        has_code(&e.stderr, "warning", "kong-rate-limit-without-auth"),
        "{}",
        e.stderr
    );
}

#[test]
fn package_rate_limit_is_one_consumer_scoped_plugin_per_registration() {
    let tmp = project(&[]);
    let e = export_ok(tmp.path());
    let config =
        |consumer: &str| one(&e.doc, "rate-limiting", None, Some(consumer))["config"].clone();
    assert_eq!(
        config("alice--basic"),
        json!({"minute": 10, "limit_by": "credential", "policy": "local"})
    );
    assert_eq!(
        config("bob--pro"),
        json!({"hour": 100, "limit_by": "credential", "policy": "local"})
    );
    assert_eq!(
        config("acme--reports"),
        json!({"second": 5, "limit_by": "credential", "policy": "local"})
    );
    // A consumer in two package groups gets one instance with the strictest limits, and a
    // warning.
    // A consumer in no package group gets nothing.
    assert!(added(&e.doc).iter().all(|p| p["consumer"] != "ops-team"));
    // Consumers are kept as written, none added (the fixture has no applications/).
    assert_eq!(e.doc["consumers"].as_array().unwrap().len(), 4);

    // A consumer in two limited package groups cannot carry both limits on one
    // consumer-scoped instance: refused, naming it.
    let manifest = std::fs::read_to_string(fixture().join("gateway/kong.yaml")).unwrap();
    let tmp = project(&[(
        "gateway/kong.yaml",
        &manifest.replace(
            "  - username: ops-team\n",
            "  - username: carol\n    acls:\n      - group: pkg-basic\n      - group: pkg-pro\n  - username: ops-team\n",
        ),
    )]);
    let e = export(tmp.path());
    assert_eq!(e.code, 1, "{}", e.stderr);
    assert!(
        has_code(&e.stderr, "error", "kong-consumer-several-packages")
            && e.stderr.contains("`carol`"),
        "{}",
        e.stderr
    );

    // No registered consumer: an info saying how to register, no rate-limiting at all.
    let tmp = project(&[(
        "gateway/kong.yaml",
        "_format_version: \"3.0\"\nservices:\n  - name: shop\n    url: http://shop.internal:8080\n    routes:\n      - name: items\n        paths: [/items]\n        strip_path: false\n      - name: reports\n        paths: [/reports]\n        strip_path: false\n      - name: health\n        paths: [/health]\n        strip_path: false\n",
    )]);
    let e = export_ok(tmp.path());
    assert!(added(&e.doc).iter().all(|p| p["name"] != "rate-limiting"));
    assert!(
        has_code(&e.stderr, "info", "kong-package-no-consumers")
            && e.stderr.contains("acls: [{group: pkg-basic}]"),
        "{}",
        e.stderr
    );
}

#[test]
fn operation_limit_is_consumer_and_route_scoped_on_a_dedicated_route() {
    let tmp = project(&[]);
    let e = export_ok(tmp.path());
    // GET /items/{id} is the only operation of route item-by-id.
    assert_eq!(
        one(
            &e.doc,
            "rate-limiting",
            Some("item-by-id"),
            Some("alice--basic")
        )["config"],
        json!({"second": 2, "limit_by": "credential", "policy": "local"})
    );
    // Pro has no override: its consumer keeps the package-wide counter only.
    assert!(
        scoped(
            &e.doc,
            "rate-limiting",
            Some("item-by-id"),
            Some("bob--pro")
        )
        .is_empty()
    );
    assert!(!has_code(
        &e.stderr,
        "warning",
        "kong-operation-limit-not-enforced"
    ));

    // An override on a route serving several operations: the route is split per method
    // (GET stays on `items`, POST moves to `items--post`), so GET /items gets its own
    // consumer+route counter and POST /items does not share it.
    let tmp = project(&[(
        "packages/basic.yaml",
        "name: Basic\nvisibility: public\nauth_strategy: key-auth\nrate_limit: {limit: 10, duration: minutes}\noperations:\n  - api: shop\n    operation_id: listItems\n    rate_limit: {limit: 3, duration: seconds}\n  - api: shop\n    operation_id: getItem\n",
    )]);
    let e = export_ok(tmp.path());
    assert_eq!(
        one(&e.doc, "rate-limiting", Some("items"), Some("alice--basic"))["config"],
        json!({"second": 3, "limit_by": "credential", "policy": "local"})
    );
    assert!(
        scoped(
            &e.doc,
            "rate-limiting",
            Some("items--post"),
            Some("alice--basic")
        )
        .is_empty()
    );
    assert_eq!(
        one(&e.doc, "acl", Some("items--post"), None)["config"]["allow"],
        json!(["pkg-pro"])
    );
    // The package limit still applies.
    assert_eq!(
        one(&e.doc, "rate-limiting", None, Some("alice--basic"))["config"]["minute"],
        10
    );
}

#[test]
fn zero_limit_becomes_request_termination_429() {
    let tmp = project(&[(
        "packages/reports.yaml",
        "name: Reports\nvisibility: public\nauth_strategy: partner-oidc\nrate_limit: {limit: 0, duration: seconds}\noperations:\n  - api: shop\n    operation_id: listReports\n",
    )]);
    let e = export_ok(tmp.path());
    // Scoped to the consumer and the route, not the consumer alone: an operation of the
    // package with its own limit keeps it (its consumer+route rate-limiting is another plugin
    // name, which a consumer-wide request-termination would not give way to).
    assert!(scoped(&e.doc, "request-termination", None, Some("acme--reports")).is_empty());
    assert_eq!(
        one(
            &e.doc,
            "request-termination",
            Some("reports"),
            Some("acme--reports")
        )["config"]["status_code"],
        429
    );
    assert_schema_valid(&e.doc);
    assert_deck_valid(&e.doc);
}

#[test]
fn match_policy_required_terminates_routes_without_package_operations() {
    let portal = std::fs::read_to_string(fixture().join("portal.yaml")).unwrap();
    let tmp = project(&[(
        "portal.yaml",
        &portal.replace("match_policy: if_present", "match_policy: required"),
    )]);
    let e = export_ok(tmp.path());
    let rt = one(&e.doc, "request-termination", Some("health"), None);
    assert_eq!(rt["config"]["status_code"], 404);
    for route in ["items", "item-by-id", "reports"] {
        assert!(scoped(&e.doc, "request-termination", Some(route), None).is_empty());
    }
    assert_schema_valid(&e.doc);
    assert_deck_valid(&e.doc);
}

#[test]
fn packages_with_different_strategies_on_one_route_are_an_error() {
    let tmp = project(&[(
        "packages/oidc-items.yaml",
        "name: OIDC items\nvisibility: public\nauth_strategy: partner-oidc\noperations:\n  - api: shop\n    operation_id: createItem\n",
    )]);
    let e = export(tmp.path());
    assert_eq!(e.code, 1, "{}", e.stderr);
    assert!(e.stdout.is_empty(), "nothing exported: {}", e.stdout);
    assert!(
        has_code(&e.stderr, "error", "kong-auth-conflict")
            && e.stderr.contains("POST /items")
            && e.stderr.contains("`oidc-items` (partner-oidc)")
            && e.stderr.contains("`pro` (key-auth)")
            && e.stderr.contains("apis/shop.yaml"),
        "{}",
        e.stderr
    );
    // The JSON format carries it too.
    let r = run(&[
        "export",
        tmp.path().to_str().unwrap(),
        "--flavor",
        "kong",
        "--format",
        "json",
    ]);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(v["configuration"].is_null());
    assert!(
        v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == "kong-auth-conflict" && d["severity"] == "error")
    );
}

#[test]
fn a_plugin_the_manifest_already_has_is_kept_with_a_warning() {
    let manifest = std::fs::read_to_string(fixture().join("gateway/kong.yaml")).unwrap();
    // A nested route-scoped acl on `reports` and a top-level consumer-scoped rate-limiting
    // for alice, both enforcing what the packages promise.
    let with = |allow: &str, minute: u32| {
        manifest
            .replace(
                "      - name: reports\n        paths: [/reports]\n",
                &format!("      - name: reports\n        plugins:\n          - name: acl\n            config:\n              allow: [{allow}]\n        paths: [/reports]\n"),
            )
            + &format!("plugins:\n  - name: rate-limiting\n    consumer: alice--basic\n    config:\n      minute: {minute}\n")
    };
    // Kept, but they do not enforce the packages: the self-verification refuses the export
    // and names both.
    let tmp = project(&[("gateway/kong.yaml", &with("partners", 60))]);
    let e = export(tmp.path());
    assert_eq!(e.code, 1, "{}", e.stderr);
    assert!(e.stdout.is_empty());
    assert!(
        has_code(&e.stderr, "error", "kong-verify-mismatch")
            && e.stderr
                .contains("`alice--basic` gets 60 requests per minute")
            && e.stderr
                .contains("the `acl` allows [partners], not exactly [pkg-reports]"),
        "{}",
        e.stderr
    );
    let tmp = project(&[("gateway/kong.yaml", &with("pkg-reports", 10))]);
    let e = export_ok(tmp.path());
    assert!(scoped(&e.doc, "acl", Some("reports"), None).is_empty());
    assert!(scoped(&e.doc, "rate-limiting", None, Some("alice--basic")).is_empty());
    // The manifest's own are still there, unchanged.
    let reports = e.doc["services"][0]["routes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "reports")
        .unwrap();
    assert_eq!(reports["name"], "reports");
    assert_eq!(
        reports["plugins"][0]["config"]["allow"],
        json!(["pkg-reports"])
    );
    let own: Vec<&Value> = e.doc["plugins"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| {
            p["consumer"] == "alice--basic"
                && p["name"] == "rate-limiting"
                && p.get("route").is_none()
        })
        .collect();
    assert_eq!(own.len(), 1);
    assert_eq!(own[0]["config"]["minute"], 10);
    assert!(own[0].get("tags").is_none());
    // Other plugins on the same routes are still added.
    one(&e.doc, "openid-connect", Some("reports"), None);
    one(
        &e.doc,
        "rate-limiting",
        Some("item-by-id"),
        Some("alice--basic"),
    );
    let warnings = e.stderr.matches("warning[kong-plugin-exists]").count();
    assert_eq!(warnings, 2, "{}", e.stderr);
    assert!(
        e.stderr.contains("`acl` plugin on route `reports`"),
        "{}",
        e.stderr
    );
    assert!(
        e.stderr
            .contains("`rate-limiting` plugin on consumer `alice--basic`"),
        "{}",
        e.stderr
    );
    // No two plugins share a name and scope.
    let mut seen = std::collections::BTreeSet::new();
    for p in e.doc["plugins"].as_array().unwrap() {
        let key = (
            p["name"].to_string(),
            p["route"].to_string(),
            p["consumer"].to_string(),
        );
        assert!(seen.insert(key), "duplicate plugin {p}");
    }
}

#[test]
fn output_is_deterministic_tagged_and_keeps_the_manifest() {
    let tmp = project(&[]);
    let a = export_ok(tmp.path());
    let b = export_ok(tmp.path());
    assert_eq!(a.stdout, b.stdout);
    // Same bytes from another copy of the project.
    let other = project(&[]);
    assert_eq!(export_ok(other.path()).stdout, a.stdout);
    assert_eq!(a.doc["_format_version"], "3.0");
    let services = a.doc["services"].as_array().unwrap();
    assert_eq!(services.len(), 1);
    // The four routes of the manifest plus `items--post`: GET /items (basic, pro) and
    // POST /items (pro only) are enforced differently.
    let names: Vec<&str> = services[0]["routes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 5, "{names:?}");
    assert!(names.contains(&"items--post"), "{names:?}");
    // Everything added is tagged, in a stable order: (route, consumer, name).
    let plugins = a.doc["plugins"].as_array().unwrap();
    assert!(plugins.iter().all(|p| p["tags"] == json!(["portalgen"])));
    let keys: Vec<(String, String, String)> = plugins
        .iter()
        .map(|p| {
            let s = |k: &str| p[k].as_str().unwrap_or_default().to_string();
            (s("route"), s("consumer"), s("name"))
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    assert!(!a.stdout.contains("name: ace"));
    // The konnect flavor is unchanged: a global ace plugin, no ACLs.
    let r = run(&[
        "export",
        tmp.path().to_str().unwrap(),
        "--flavor",
        "konnect",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let k = portalgen::tree::parse(&r.stdout).unwrap().to_json();
    assert_eq!(k["plugins"].as_array().unwrap().len(), 1);
    assert_eq!(k["plugins"][0]["name"], "ace");
}

#[test]
fn every_emitted_plugin_config_matches_the_kong_schema_and_the_file_decks() {
    // The check has teeth: a bad config is rejected.
    let rl = schema("rate-limiting");
    let validator = jsonschema::validator_for(&rl["properties"]["config"]).unwrap();
    assert!(!validator.is_valid(&json!({"minute": 5, "limit_by": "application"})));
    assert!(validator.is_valid(&json!({"minute": 5, "limit_by": "credential"})));
    let tmp = project(&[]);
    let e = export_ok(tmp.path());
    assert_schema_valid(&e.doc);
    assert_deck_valid(&e.doc);
    // The bundled example, too.
    let e = export_ok(&example());
    one(&e.doc, "acl", Some("example-route--get"), None);
    assert_schema_valid(&e.doc);
    assert_deck_valid(&e.doc);
}

#[test]
fn odd_manifest_shapes_do_not_panic() {
    let tmp = project(&[(
        "gateway/kong.yaml",
        "_format_version: \"3.0\"\nservices:\n  - name: shop\n    url: http://shop.internal:8080\n    plugins: {not: a-list}\n    routes:\n      - id: 6b8c0c4e-0000-4000-8000-000000000001\n        paths: [/items]\n        plugins:\n          - config: {}\n          - 42\n      - name: reports\n        paths: [/reports]\nconsumers:\n  - custom_id: only-custom\n    acls:\n      - group: pkg-basic\n      - 7\n      - {group: [x]}\n  - username: zed\n    acls: nope\n  - 3\n",
    )]);
    let e = export(tmp.path());
    assert!(e.code == 0 || e.code == 1, "{}", e.stderr);
    if e.code == 0 {
        // A route known only by id is scoped by id.
        one(
            &e.doc,
            "acl",
            Some("6b8c0c4e-0000-4000-8000-000000000001"),
            None,
        );
        assert!(
            has_code(&e.stderr, "warning", "kong-consumer-unnamed"),
            "{}",
            e.stderr
        );
        assert_schema_valid(&e.doc);
    }
}

#[test]
fn a_mixed_route_is_split_and_a_route_without_application_auth_is_left_alone() {
    // The bundled example: example-route serves company and starter (key-auth) and
    // operations of no package (PUT, DELETE /anything). The packaged methods move to their own
    // routes; the original keeps only the unpackaged methods, without any plugin
    // (`match_policy: if_present` leaves them as they were).
    let with_auth = export_ok(&example());
    assert!(scoped(&with_auth.doc, "acl", Some("example-route"), None).is_empty());
    assert!(scoped(&with_auth.doc, "key-auth", Some("example-route"), None).is_empty());
    assert_eq!(
        one(&with_auth.doc, "acl", Some("example-route--get"), None)["config"]["allow"],
        json!(["pkg-company", "pkg-starter"])
    );
    assert_eq!(
        one(
            &with_auth.doc,
            "acl",
            Some("example-route--patch-post"),
            None
        )["config"]["allow"],
        json!(["pkg-company"])
    );
    // With `auth_strategy: none` no plugin is put on the route and nothing is split.
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&example(), tmp.path());
    for pkg in ["company", "starter", "partner-logistics"] {
        let path = tmp.path().join(format!("packages/{pkg}.yaml"));
        let text = std::fs::read_to_string(&path)
            .unwrap()
            .replace("auth_strategy: key-auth", "auth_strategy: none");
        std::fs::write(&path, text).unwrap();
    }
    let none = export_ok(tmp.path());
    assert!(added(&none.doc).iter().all(|p| p["name"] != "acl"));
    assert!(!none.stdout.contains("example-route--"), "{}", none.stdout);
}
