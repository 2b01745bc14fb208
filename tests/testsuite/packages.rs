//! Konnect's package rules, through the real binary: selectors, duplicates, slugs, rate-limit
//! units, auth strategies, security contradictions, registration links and the words the
//! portal uses to explain limits and authentication.

use crate::common::*;
use std::path::Path;

fn check_json(dir: &Path) -> (i32, Vec<serde_json::Value>) {
    let r = run(&["check", dir.to_str().unwrap(), "--format", "json"]);
    let doc: serde_json::Value =
        serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.stdout));
    (r.code, doc["diagnostics"].as_array().unwrap().clone())
}

fn find<'a>(diags: &'a [serde_json::Value], code: &str) -> &'a serde_json::Value {
    diags
        .iter()
        .find(|d| d["code"] == code)
        .unwrap_or_else(|| panic!("no `{code}` in {diags:#?}"))
}

#[test]
fn slug_name_version_and_selection_rules() {
    let tmp = tempfile::tempdir().unwrap();
    minimal_project(tmp.path());
    write_files(
        tmp.path(),
        &[
            // Slug clashes with the API `pets`.
            (
                "packages/pets.yaml",
                "name: Pets package\nvisibility: public\noperations:\n  - api: pets\n",
            ),
            // Same name+version as basic.yaml ("Basic", no version) and an operation twice.
            (
                "packages/again.yaml",
                "name: Basic\nslug: again\nvisibility: public\noperations:\n  - api: pets\n    operation_id: listPets\n  - api: pets\n    method: get\n    path: /pets\n",
            ),
            // Bad slug, unknown strategy, unknown tag, unknown API.
            (
                "packages/bad.yaml",
                "name: Bad\nslug: Bad_Slug\nauth_strategy: key-auht\nvisibility: public\noperations:\n  - api: pets\n    tags: [nope]\n  - api: petz\n",
            ),
        ],
    );
    let (code, diags) = check_json(tmp.path());
    assert_eq!(code, 1);
    let d = find(&diags, "duplicate-slug");
    assert_eq!(
        (d["file"].as_str(), d["line"].as_u64()),
        (Some("packages/pets.yaml"), Some(1))
    );
    let d = find(&diags, "duplicate-package");
    assert_eq!(
        d["file"], "packages/basic.yaml",
        "reported on the later file: {d}"
    );
    let d = find(&diags, "duplicate-package-operation");
    assert_eq!(
        (
            d["file"].as_str(),
            d["line"].as_u64(),
            d["severity"].as_str()
        ),
        (Some("packages/again.yaml"), Some(7), Some("warning"))
    );
    let d = find(&diags, "invalid-slug");
    assert_eq!(
        (d["file"].as_str(), d["line"].as_u64()),
        (Some("packages/bad.yaml"), Some(2))
    );
    let d = find(&diags, "unknown-auth-strategy");
    assert_eq!(d["line"], 3);
    assert_eq!(d["help"], "did you mean `key-auth`?");
    let d = diags
        .iter()
        .find(|d| d["code"] == "unknown-operation" && d["file"] == "packages/bad.yaml")
        .unwrap();
    assert_eq!(d["line"], 6);
    let d = find(&diags, "unknown-api");
    assert_eq!(
        (d["line"].as_u64(), d["help"].as_str()),
        (Some(8), Some("did you mean `pets`?"))
    );
}

#[test]
fn security_that_contradicts_the_strategy_is_a_warning() {
    let tmp = tempfile::tempdir().unwrap();
    minimal_project(tmp.path());
    write_files(
        tmp.path(),
        &[(
            "apis/pets.yaml",
            "openapi: 3.0.3\ninfo: {title: Pets, version: '1'}\nservers: [{url: 'https://api.example.com'}]\ncomponents:\n  securitySchemes:\n    oauth:\n      type: oauth2\n      flows:\n        clientCredentials:\n          tokenUrl: https://auth.example.com/token\n          scopes: {}\nsecurity:\n  - oauth: []\npaths:\n  /pets:\n    get:\n      operationId: listPets\n      responses:\n        '200': {description: ok}\n",
        )],
    );
    let (code, diags) = check_json(tmp.path());
    assert_eq!(code, 0, "{diags:#?}");
    let d = find(&diags, "security-mismatch");
    assert_eq!(
        (
            d["file"].as_str(),
            d["line"].as_u64(),
            d["severity"].as_str()
        ),
        (Some("packages/basic.yaml"), Some(5), Some("warning"))
    );
    assert!(d["message"].as_str().unwrap().contains("oauth"), "{d}");
}

#[test]
fn pages_explain_limits_auth_and_access_in_plain_words() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    build_example(&out, &[]);
    let company =
        text_of(&std::fs::read_to_string(out.join("packages/company/index.html")).unwrap());
    assert!(company.contains("429 Too Many Requests"), "{company}");
    assert!(company.contains("Retry-After"), "{company}");
    assert!(company.contains("curl"), "{company}");
    // Readers never see gateway internals.
    for (path, bytes) in read_tree(&out) {
        if path.ends_with(".html") {
            let html = String::from_utf8_lossy(&bytes);
            for internal in [
                "example-route",
                "order-by-id",
                "orders-service",
                "example-service",
                "orders.internal",
            ] {
                assert!(
                    !html.contains(internal),
                    "{internal} shown to readers in {path}"
                );
            }
        }
    }
}

#[test]
fn openid_connect_and_no_registration_url() {
    let tmp = tempfile::tempdir().unwrap();
    minimal_project(tmp.path());
    write_files(
        tmp.path(),
        &[
            (
                "portal.yaml",
                "title: T\nbase_url: https://example.com/\nauth_strategies:\n  - name: okta\n    display_name: Okta\n    type: openid_connect\n    issuer: https://example.okta.com/oauth2/default\n    scopes: [openid, orders.read]\n    credential_claim: [client_id]\n    auth_methods: [client_credentials]\napis:\n  pets:\n    rate_limit: {limit: 10, duration: seconds}\n",
            ),
            (
                "packages/basic.yaml",
                "name: Basic\nvisibility: public\nauth_strategy: okta\noperations:\n  - api: pets\n",
            ),
        ],
    );
    let r = run(&["build", tmp.path().to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let pkg_html =
        std::fs::read_to_string(tmp.path().join("public/packages/basic/index.html")).unwrap();
    let pkg = text_of(&pkg_html);
    assert!(
        pkg.contains("https://example.okta.com/oauth2/default"),
        "{pkg}"
    );
    assert!(pkg.contains("orders.read"), "{pkg}");
    assert!(pkg.contains("client credentials"), "{pkg}");
    assert!(pkg.contains("Authorization: Bearer"), "{pkg}");
    // No registration URL configured: no dead "Register" link, an explanation instead.
    assert!(!pkg.contains("Register an application"), "{pkg}");
    assert!(pkg.contains("no self-service registration"), "{pkg}");
    // The API published on its own shows its limit like a package's.
    let api =
        text_of(&std::fs::read_to_string(tmp.path().join("public/apis/pets/index.html")).unwrap());
    assert!(
        api.contains("10 requests per second per application"),
        "{api}"
    );
}
