//! The export plan is part of the check: `portalgen check` plans the gateway export for
//! portal.yaml's `gateway.flavor` (or `check --flavor`), so what `export` refuses fails `check`
//! at the same file and line; Kong's route rules, now run by the validate stage, still point at
//! their values; and `kong-*`/`ace-*` diagnostics about a manifest plugin or consumer carry the
//! position of that entity. Runs the real binary on the fixture `tests/fixtures/export/kong`.

use std::path::{Path, PathBuf};

use crate::common::{copy_dir, run, write_files};
use serde_json::{Value, json};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/export/kong")
}

fn project(changes: &[(&str, &str)]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&fixture(), tmp.path());
    write_files(tmp.path(), changes);
    tmp
}

fn portal_yaml() -> String {
    std::fs::read_to_string(fixture().join("portal.yaml")).unwrap()
}

fn manifest() -> String {
    std::fs::read_to_string(fixture().join("gateway/kong.yaml")).unwrap()
}

/// `portal.yaml` of the fixture with `gateway.flavor: <flavor>`.
fn with_flavor(flavor: &str) -> String {
    portal_yaml().replace(
        "gateway:\n  match_policy: if_present\n",
        &format!("gateway:\n  match_policy: if_present\n  flavor: {flavor}\n"),
    )
}

/// A second package holding `createItem` (of `pro`, key-auth) with another auth strategy: one
/// operation, two strategies.
const CONFLICT: (&str, &str) = (
    "packages/oidc-items.yaml",
    "name: OIDC items\nvisibility: public\nauth_strategy: partner-oidc\noperations:\n  - api: shop\n    operation_id: createItem\n",
);

struct Checked {
    code: i32,
    diagnostics: Vec<Value>,
}

/// `portalgen <args> --format json` on `dir`.
fn json_run(command: &str, dir: &Path, extra: &[&str]) -> Checked {
    let mut args = vec![command, dir.to_str().unwrap(), "--format", "json"];
    args.extend_from_slice(extra);
    let r = run(&args);
    assert_ne!(r.code, 101, "panic: {}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", r.stdout, r.stderr));
    Checked {
        code: r.code,
        diagnostics: v["diagnostics"].as_array().cloned().unwrap_or_default(),
    }
}

/// The diagnostics of `code`, as (severity, file, line, column).
fn at(diags: &[Value], code: &str) -> Vec<(String, String, u64, u64)> {
    diags
        .iter()
        .filter(|d| d["code"] == code)
        .map(|d| {
            (
                d["severity"].as_str().unwrap_or_default().to_string(),
                d["file"].as_str().unwrap_or_default().to_string(),
                d["line"].as_u64().unwrap_or(0),
                d["column"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

fn spot(severity: &str, file: &str, line: u64, column: u64) -> (String, String, u64, u64) {
    (severity.to_string(), file.to_string(), line, column)
}

#[test]
fn check_fails_on_a_kong_auth_conflict_exactly_as_export_does() {
    let tmp = project(&[CONFLICT, ("portal.yaml", &with_flavor("kong"))]);
    // The operation `createItem` is written at apis/shop.yaml:13:5.
    let want = vec![spot("error", "apis/shop.yaml", 13, 5)];
    let check = json_run("check", tmp.path(), &[]);
    assert_eq!(check.code, 1, "{:#?}", check.diagnostics);
    assert_eq!(at(&check.diagnostics, "kong-auth-conflict"), want);
    let export = json_run("export", tmp.path(), &["--flavor", "kong"]);
    assert_eq!(export.code, 1);
    assert_eq!(at(&export.diagnostics, "kong-auth-conflict"), want);
    // Same problems, same order, from both commands.
    assert_eq!(check.diagnostics, export.diagnostics);
    // The human output of check names it at its line.
    let r = run(&["check", tmp.path().to_str().unwrap()]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("error[kong-auth-conflict]")
            && r.stderr.contains("--> apis/shop.yaml:13:5"),
        "{}",
        r.stderr
    );
}

#[test]
fn check_flavor_flag_and_the_portal_yaml_default() {
    // No `gateway.flavor`: konnect, where one route may serve packages of any strategies.
    let tmp = project(&[CONFLICT]);
    let default = json_run("check", tmp.path(), &[]);
    assert_eq!(default.code, 0, "{:#?}", default.diagnostics);
    assert!(at(&default.diagnostics, "kong-auth-conflict").is_empty());
    let kong = json_run("check", tmp.path(), &["--flavor", "kong"]);
    assert_eq!(kong.code, 1);
    assert_eq!(at(&kong.diagnostics, "kong-auth-conflict").len(), 1);
    // `gateway.flavor: kong` makes kong the default, and `--flavor` still overrides it.
    write_files(tmp.path(), &[("portal.yaml", &with_flavor("kong"))]);
    assert_eq!(json_run("check", tmp.path(), &[]).code, 1);
    let konnect = json_run("check", tmp.path(), &["--flavor", "konnect"]);
    assert_eq!(konnect.code, 0, "{:#?}", konnect.diagnostics);
    // A flavor the CLI does not know is a usage error.
    let r = run(&["check", tmp.path().to_str().unwrap(), "--flavor", "kongg"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("konnect") && r.stderr.contains("kong"));
}

#[test]
fn export_defaults_to_the_gateway_flavor_of_portal_yaml() {
    let tmp = project(&[("portal.yaml", &with_flavor("kong"))]);
    let r = run(&["export", tmp.path().to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("name: acl") && !r.stdout.contains("name: ace"));
    let konnect = run(&[
        "export",
        tmp.path().to_str().unwrap(),
        "--flavor",
        "konnect",
    ]);
    assert_eq!(konnect.code, 0, "{}", konnect.stderr);
    assert!(konnect.stdout.contains("name: ace") && !konnect.stdout.contains("name: acl"));
    // Without the key, the default stays konnect, byte for byte.
    let plain = project(&[]);
    let a = run(&["export", plain.path().to_str().unwrap()]);
    let b = run(&[
        "export",
        plain.path().to_str().unwrap(),
        "--flavor",
        "konnect",
    ]);
    assert_eq!((a.code, &a.stdout), (0, &b.stdout));
}

#[test]
fn an_unknown_gateway_flavor_is_an_error_at_its_line() {
    let tmp = project(&[("portal.yaml", &with_flavor("knog"))]);
    let check = json_run("check", tmp.path(), &[]);
    assert_eq!(check.code, 1);
    let d = check
        .diagnostics
        .iter()
        .find(|d| d["code"] == "invalid-value")
        .unwrap_or_else(|| panic!("{:#?}", check.diagnostics));
    assert_eq!(d["file"], "portal.yaml");
    assert_eq!(d["line"], 17);
    assert_eq!(d["help"], "did you mean `kong`?");
}

#[test]
fn route_rules_are_still_reported_by_check_at_their_values() {
    let deck = manifest()
        .replace(
            "paths: ['~/items/\\d+$']",
            "paths: ['~/items/(?=\\d+)$']",
        )
        .replace(
            "      - name: health\n        paths: [/health]\n",
            "      - name: health\n        paths: [/health]\n        hosts: ['a*b.example.com']\n        headers: {Host: [x]}\n        priority: 5\n",
        );
    let tmp = project(&[("gateway/kong.yaml", &deck)]);
    let check = json_run("check", tmp.path(), &[]);
    assert_eq!(check.code, 1);
    let d = &check.diagnostics;
    assert_eq!(
        at(d, "route-invalid-regex"),
        vec![spot("error", "gateway/kong.yaml", 11, 17)]
    );
    assert_eq!(
        at(d, "route-invalid-host"),
        vec![spot("error", "gateway/kong.yaml", 20, 17)]
    );
    assert_eq!(
        at(d, "route-invalid-header"),
        vec![spot("error", "gateway/kong.yaml", 21, 19)]
    );
    // The router's own refusals and warnings (from the rules, not the engine) at the route.
    assert_eq!(
        at(d, "route-priority-ignored"),
        vec![spot("warning", "gateway/kong.yaml", 18, 9)]
    );
    assert_eq!(
        at(d, "route-rejected"),
        vec![spot("error", "gateway/kong.yaml", 10, 9)]
    );
}

#[test]
fn plugin_and_consumer_diagnostics_carry_their_file_and_line() {
    // An `ace` plugin and a consumer-scoped rate-limiting for alice at the top level, a
    // consumer with only a custom_id in a package group.
    let deck = manifest()
        + "  - custom_id: dave-client\n    acls:\n      - group: pkg-basic\n\
           plugins:\n  - name: ace\n    config:\n      match_policy: required\n\
           \x20 - name: rate-limiting\n    consumer: alice--basic\n    config:\n      minute: 60\n";
    let tmp = project(&[("gateway/kong.yaml", &deck)]);
    let kong = json_run("check", tmp.path(), &["--flavor", "kong"]);
    // A consumer in a limited package that no plugin can be scoped to is refused: its limit
    // would not be enforced.
    assert_eq!(kong.code, 1, "{:#?}", kong.diagnostics);
    let d = &kong.diagnostics;
    assert_eq!(
        at(d, "kong-ace-plugin"),
        vec![spot("warning", "gateway/kong.yaml", 44, 5)]
    );
    assert_eq!(
        at(d, "kong-plugin-exists"),
        vec![spot("warning", "gateway/kong.yaml", 47, 5)]
    );
    // alice's own operation limit on item-by-id (consumer+route) outranks the manifest's
    // consumer-wide instance there.
    assert_eq!(
        at(d, "kong-plugin-outranked"),
        vec![spot("warning", "gateway/kong.yaml", 47, 5)]
    );
    assert_eq!(
        at(d, "kong-consumer-unnamed"),
        vec![spot("error", "gateway/kong.yaml", 40, 5)]
    );
    // A consumer in the groups of basic and pro (both limited).
    let carol = manifest().replace(
        "  - username: acme--reports\n",
        "  - username: carol\n    acls:\n      - group: pkg-basic\n      - group: pkg-pro\n  - username: acme--reports\n",
    );
    let two = project(&[("gateway/kong.yaml", &carol)]);
    let checked = json_run("check", two.path(), &["--flavor", "kong"]);
    assert_eq!(checked.code, 1);
    assert_eq!(
        at(&checked.diagnostics, "kong-consumer-several-packages"),
        vec![spot("error", "gateway/kong.yaml", 33, 5)]
    );
    // The konnect flavor: the manifest's global ace plugin disagrees with portal.yaml.
    let konnect = json_run("check", tmp.path(), &[]);
    assert_eq!(
        at(&konnect.diagnostics, "ace-policy-mismatch"),
        vec![spot("warning", "gateway/kong.yaml", 44, 5)]
    );
    assert!(at(&konnect.diagnostics, "kong-ace-plugin").is_empty());
}

#[test]
fn export_writes_the_manifest_back_as_written() {
    // Fields and sections portalgen does not interpret travel through unchanged.
    let deck = manifest()
        .replace(
            "    url: http://shop.internal:8080\n",
            "    url: http://shop.internal:8080\n    retries: 3\n    connect_timeout: 5000\n",
        )
        .replace(
            "      - name: health\n        paths: [/health]\n",
            "      - name: health\n        paths: [/health]\n        https_redirect_status_code: 301\n        plugins:\n          - name: cors\n            ordering: {before: {access: [acl]}}\n            config: {origins: ['*']}\n",
        )
        .replace(
            "      - key: '${{ env \"DECK_ALICE_BASIC_KEY\" }}'\n",
            "      - key: '${{ env \"DECK_ALICE_BASIC_KEY\" }}'\n        ttl: 3600\n    basicauth_credentials:\n      - {username: alice, password: s3cret}\n",
        )
        + "upstreams:\n  - name: shop.internal\n    targets: [{target: 10.0.0.1:8080}]\nvaults:\n  - {name: env, prefix: my-env}\n";
    let tmp = project(&[("gateway/kong.yaml", &deck)]);
    for flavor in ["konnect", "kong"] {
        let r = run(&["export", tmp.path().to_str().unwrap(), "--flavor", flavor]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let doc = portalgen::tree::parse(&r.stdout).unwrap().to_json();
        let service = &doc["services"][0];
        assert_eq!(
            (&service["retries"], &service["connect_timeout"]),
            (&json!(3), &json!(5000))
        );
        // Found by name: the kong flavor adds derived routes beside the ones they split.
        let health = service["routes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == "health")
            .unwrap();
        assert_eq!(health["https_redirect_status_code"], 301);
        assert_eq!(
            health["plugins"][0],
            json!({"name": "cors", "ordering": {"before": {"access": ["acl"]}}, "config": {"origins": ["*"]}})
        );
        let alice = &doc["consumers"][0];
        assert_eq!(alice["keyauth_credentials"][0]["ttl"], 3600);
        // A decK env reference is written back quoted, byte for byte.
        assert!(
            r.stdout
                .contains("- key: '${{ env \"DECK_ALICE_BASIC_KEY\" }}'"),
            "{}",
            r.stdout
        );
        assert_eq!(alice["basicauth_credentials"][0]["password"], "s3cret");
        assert_eq!(doc["upstreams"][0]["targets"][0]["target"], "10.0.0.1:8080");
        assert_eq!(doc["vaults"][0]["prefix"], "my-env");
        // Keys of an entity stay in the order they are written.
        let keys: Vec<&String> = service.as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            ["name", "url", "retries", "connect_timeout", "routes"]
        );
    }
}

#[test]
fn a_route_known_only_by_id_is_scoped_by_its_id() {
    let id = "6b8c0c4e-0000-4000-8000-000000000001";
    let deck = manifest().replace("      - name: items\n", &format!("      - id: {id}\n"));
    let tmp = project(&[("gateway/kong.yaml", &deck)]);
    let r = run(&["export", tmp.path().to_str().unwrap(), "--flavor", "kong"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc = portalgen::tree::parse(&r.stdout).unwrap().to_json();
    let acl: Vec<&Value> = doc["plugins"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["name"] == "acl" && p["route"] == id)
        .collect();
    assert_eq!(acl.len(), 1, "{}", r.stdout);
    assert_eq!(acl[0]["config"]["allow"], json!(["pkg-basic", "pkg-pro"]));
}
