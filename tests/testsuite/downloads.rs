//! Per-package downloads: the filtered OpenAPI 3.1 document loads back through portalgen's own
//! loader without errors, passes `@redocly/cli lint`, holds exactly the package's operations and
//! only the schemas they need; the Postman collection holds the same operations.

use std::path::Path;
use std::process::Command;

use crate::common::*;
use portalgen::diagnostics::Severity;
use portalgen::source::SourceMap;

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn operations(doc: &serde_json::Value) -> Vec<String> {
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, _) in item
            .as_object()
            .unwrap()
            .iter()
            .filter(|(k, _)| *k != "servers" && *k != "parameters")
        {
            ops.push(format!("{} {path}", method.to_uppercase()));
        }
    }
    ops.sort();
    ops
}

#[test]
fn package_document_holds_exactly_its_operations_and_loads_back() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    build_example(&out, &[]);
    let file = out.join("packages/company/openapi.json");
    let doc = json(&file);
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(
        operations(&doc),
        vec![
            "GET /anything",
            "GET /anything/{id}",
            "PATCH /anything",
            "POST /anything"
        ]
    );
    assert_eq!(doc["servers"][0]["url"], "https://api.example.com");
    assert_eq!(doc["x-rate-limit"]["limit"], 5);
    assert_eq!(doc["x-rate-limit"]["duration"], "minutes");
    assert_eq!(
        doc["components"]["securitySchemes"]["key-auth"]["name"],
        "apikey"
    );
    let schemas: Vec<&String> = doc["components"]["schemas"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(schemas, vec!["Echo", "Thing"]);

    // Loads back through portalgen's own loader without error-level diagnostics.
    let root = file.parent().unwrap();
    let sources = SourceMap::default();
    let (api, diags) = portalgen::load::openapi::load_api(root, "company", &file, &sources);
    let errors: Vec<_> = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(api.expect("loads").operations.len(), 4);

    // The package spanning two APIs has a per-operation limit and both APIs' operations.
    let starter = json(&out.join("packages/starter/openapi.json"));
    let ops = operations(&starter);
    assert!(
        ops.contains(&"GET /anything".to_string()) && ops.contains(&"POST /orders".to_string()),
        "{ops:?}"
    );
    assert_eq!(
        starter["paths"]["/orders/{orderId}/items"]["get"]["x-rate-limit"]["limit"],
        2
    );
    assert_eq!(
        starter["paths"]["/orders/{orderId}/items"]["get"]["x-rate-limit"]["duration"],
        "seconds"
    );
}

#[test]
fn removing_an_operation_removes_its_exclusive_schemas() {
    let tmp = tempfile::tempdir().unwrap();
    minimal_project(tmp.path());
    write_files(
        tmp.path(),
        &[
            (
                "apis/shop.yaml",
                "openapi: 3.0.3\ninfo: {title: Shop, version: '1'}\nservers: [{url: 'https://api.example.com'}]\npaths:\n  /a:\n    get:\n      operationId: getA\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: '#/components/schemas/A'}\n  /b:\n    get:\n      operationId: getB\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: '#/components/schemas/B'}\ncomponents:\n  schemas:\n    A:\n      type: object\n      properties:\n        shared: {$ref: '#/components/schemas/Shared'}\n    B:\n      type: object\n      properties:\n        only_b: {$ref: '#/components/schemas/OnlyB'}\n        shared: {$ref: '#/components/schemas/Shared'}\n    Shared: {type: string}\n    OnlyB: {type: integer}\n    Unused: {type: boolean}\n",
            ),
            (
                "gateway/shop.yaml",
                "_format_version: \"3.0\"\nservices:\n  - name: shop\n    url: http://shop.internal\n    routes:\n      - name: shop\n        paths: [/a, /b]\n        strip_path: false\n",
            ),
            (
                "packages/both.yaml",
                "name: Both\nvisibility: public\noperations:\n  - api: shop\n",
            ),
            (
                "packages/one.yaml",
                "name: One\nvisibility: public\noperations:\n  - api: shop\n    operation_id: getA\n",
            ),
        ],
    );
    let r = run(&["build", tmp.path().to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let keys = |slug: &str| -> Vec<String> {
        let doc = json(
            &tmp.path()
                .join(format!("public/packages/{slug}/openapi.json")),
        );
        doc["components"]["schemas"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect()
    };
    assert_eq!(keys("both"), vec!["A", "B", "OnlyB", "Shared"]);
    assert_eq!(keys("one"), vec!["A", "Shared"]);
}

#[test]
fn postman_collection_lists_the_package_operations() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    build_example(&out, &[]);
    let c = json(&out.join("packages/starter/postman.json"));
    assert_eq!(
        c["info"]["schema"],
        "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
    );
    let folders = c["item"].as_array().unwrap();
    assert_eq!(folders.len(), 2, "one folder per API");
    let requests: Vec<String> = folders
        .iter()
        .flat_map(|f| f["item"].as_array().unwrap())
        .map(|i| {
            format!(
                "{} {}",
                i["request"]["method"].as_str().unwrap(),
                i["request"]["url"]["raw"].as_str().unwrap()
            )
        })
        .collect();
    assert!(
        requests.contains(&"GET {{baseUrl_orders}}/orders/:orderId/items".to_string()),
        "{requests:?}"
    );
    assert_eq!(c["auth"]["type"], "apikey");
}

#[test]
fn redocly_lint_accepts_every_package_document() {
    let cli =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/js/node_modules/@redocly/cli/bin/cli.js");
    if !cli.exists() {
        skip("@redocly/cli is not installed (npm ci in tests/js, or scripts/test.sh)");
        return;
    }
    if Command::new("node").arg("--version").output().is_err() {
        skip("node is missing (@redocly/cli runs on it)");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    build_example(&out, &["--audience", "partners"]);
    let mut docs = Vec::new();
    for dir in ["packages", "apis"] {
        for e in std::fs::read_dir(out.join(dir)).unwrap().flatten() {
            let f = e.path().join("openapi.json");
            if f.is_file() {
                docs.push(f);
            }
        }
    }
    assert!(docs.len() >= 6, "{docs:?}");
    // Lint with the spec rules only: the documents must be valid OpenAPI 3.1.
    let config = tmp.path().join("redocly.yaml");
    std::fs::write(&config, "extends: []\nrules:\n  struct: error\n  no-unresolved-refs: error\n  path-parameters-defined: error\n  operation-operationId-unique: error\n  security-defined: error\n  no-identical-paths: error\n").unwrap();
    for doc in &docs {
        let o = Command::new("node")
            .arg(&cli)
            .args(["lint", "--config", config.to_str().unwrap()])
            .arg(doc)
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "redocly lint rejects {}:\n{}\n{}",
            doc.display(),
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
    }
}

/// `gateway.host` given with a scheme and port is used as written, by the routing check and
/// by every URL the portal shows (one rule for both): never `https://http://…`.
#[test]
fn gateway_host_with_scheme_is_the_url_shown_and_probed() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("p");
    minimal_project(&dir);
    let config = std::fs::read_to_string(dir.join("portal.yaml")).unwrap();
    std::fs::write(
        dir.join("portal.yaml"),
        format!("{config}apis:\n  pets:\n    gateway:\n      host: http://gw.local:8000\n"),
    )
    .unwrap();
    let out = tmp.path().join("site");
    let r = run(&[
        "build",
        dir.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc = json(&out.join("packages/basic/openapi.json"));
    assert_eq!(doc["servers"][0]["url"], "http://gw.local:8000");
    let page = std::fs::read_to_string(out.join("apis/pets/list-pets/index.html"))
        .or_else(|_| std::fs::read_to_string(out.join("apis/pets/listpets/index.html")))
        .unwrap();
    assert!(page.contains("http://gw.local:8000/pets"), "sample URL");
    assert!(!page.contains("https://http"), "scheme doubled");
}
