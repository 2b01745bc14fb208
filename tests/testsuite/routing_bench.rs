//! Runs the routing benchmark (`portalgen::routing::bench::run`) on GitHub's description when
//! the corpora are installed. Ignored by default; run it in release mode:
//! `cargo test --release --test testsuite routing_bench:: -- --ignored --nocapture`.

use std::path::PathBuf;

#[test]
#[ignore = "benchmark: needs the corpora and a release build"]
fn github_routing_benchmark() {
    // `PORTALGEN_CORPORA` is the corpora's `node_modules` folder (README, scripts/test.sh).
    let github = std::env::var_os("PORTALGEN_CORPORA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/tmp/portalgen-corpora/node_modules"))
        .join("@octokit/openapi/generated/api.github.com.json");
    if !github.is_file() {
        crate::common::skip(&format!(
            "{} is missing (run `bash ../shared/corpora/setup.sh` or set PORTALGEN_CORPORA)",
            github.display()
        ));
        return;
    }
    let out = portalgen::routing::bench::run(&github, 5);
    println!("{out}");
    assert!(out.contains("match all ops"), "{out}");
}

#[test]
fn bench_without_corpus_explains_itself() {
    let out = portalgen::routing::bench::run(std::path::Path::new("/nonexistent/corpora"), 1);
    assert!(out.starts_with("route: cannot read"), "{out}");
}

#[test]
fn openapi2kong_style_manifest_routes_every_operation() {
    use portalgen::routing::bench;
    let doc: serde_json::Value = serde_json::json!({
        "openapi": "3.0.3",
        "info": {"title": "Pets", "version": "1"},
        "servers": [{"url": "https://api.example.com/v3"}],
        "paths": {
            "/pets": {"get": {"operationId": "listPets"}, "post": {"operationId": "addPet"}},
            "/pets/{petId}": {
                "parameters": [{"name": "petId", "in": "path", "required": true, "schema": {"type": "integer"}}],
                "get": {"operationId": "getPet"},
                "delete": {"operationId": "deletePet"}
            },
            "/pets/{petId}/photos.json": {
                "get": {"operationId": "photos", "parameters": [{"$ref": "#/components/parameters/petId"}]}
            }
        },
        "components": {"parameters": {"petId": {"name": "petId", "in": "path", "required": true, "schema": {"type": "string"}}}}
    });
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("pets.json");
    std::fs::write(&file, serde_json::to_string(&doc).unwrap()).unwrap();
    let api = bench::load_api(&file, "pets").unwrap();
    assert_eq!(api.operations.len(), 5);
    let deck = bench::openapi2kong_manifest(&api);
    assert!(
        deck.contains(r#""~/pets/(?<petId>[^#?/]+)/photos\\.json$""#),
        "{deck}"
    );
    let sources = portalgen::source::SourceMap::default();
    let (manifest, diags) =
        portalgen::gateway::Manifest::from_texts(&[("gateway/pets.json".into(), deck)], &sources);
    assert!(diags.is_empty(), "{:?}", diags.into_vec());
    let inputs: Vec<portalgen::routing::OperationInput<'_>> = api
        .operations
        .iter()
        .map(|op| portalgen::routing::OperationInput {
            api: &api,
            operation: op,
            packages: vec![],
            pinned_routes: vec![],
            gateway_host: None,
            path_prefix: Some(String::new()),
        })
        .collect();
    let (results, _) = portalgen::routing::check(
        &inputs,
        &manifest,
        portalgen::config::RouterFlavor::TraditionalCompatible,
    );
    let routes: Vec<(String, Option<String>)> = results
        .iter()
        .map(|r| (format!("{} {}", r.method, r.path), r.route.clone()))
        .collect();
    assert_eq!(
        routes,
        vec![
            ("GET /pets".to_string(), Some("pets_listPets".to_string())),
            ("POST /pets".to_string(), Some("pets_addPet".to_string())),
            (
                "DELETE /pets/{petId}".to_string(),
                Some("pets_deletePet".to_string())
            ),
            (
                "GET /pets/{petId}".to_string(),
                Some("pets_getPet".to_string())
            ),
            (
                "GET /pets/{petId}/photos.json".to_string(),
                Some("pets_photos".to_string())
            ),
        ]
    );
    // openapi2kong keeps the server path on the service: strip_path false, upstream = path.
    assert_eq!(
        results[3].upstream_path.as_deref(),
        Some("/v3/pets/{petId}")
    );
}
