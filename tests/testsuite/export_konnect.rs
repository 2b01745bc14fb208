//! End-to-end tests of `portalgen export --flavor konnect`: the decK file, the kongctl file
//! (`konnect.yaml`) and `konnect-packages.json`, written by the real binary for the bundled
//! example and the fixture projects of tests/fixtures/konnect (a package spanning two APIs with
//! per-operation limits, a private package for a team on OpenID Connect, an API published on
//! its own without application auth; a project with no Konnect settings at all).
//!
//! What is proved: the decK file is valid for decK's file schema and its `ace` plugin for Kong
//! 3.13's schema; the kongctl file parses as YAML with its `!file`/`!ref` tags, every `!file`
//! names the API's own document and every `!ref` a resource of the file; the packages document
//! is valid for docs/konnect-packages.schema.json and each of its operations is an operation
//! of the named API's document; every Konnect rule has an invalid fixture
//! (tests/fixtures/konnect/invalid/<case>, with `expected.json`) that `export` and `check`
//! refuse with its code, file and line, writing nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use saphyr_parser::{Event, Parser};
use serde_json::{Value, json};

use crate::common::{copy_dir, example, run, write_files};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/konnect")
}

/// The projects whose export is checked: the bundled example and the valid fixtures.
fn projects() -> Vec<(&'static str, PathBuf)> {
    vec![
        ("example", example()),
        ("catalog", fixtures().join("catalog")),
        ("defaults", fixtures().join("defaults")),
    ]
}

/// A project copied to `<tmp>/project`, exported with `--out-dir <tmp>/out`.
struct Exported {
    tmp: tempfile::TempDir,
    code: i32,
    stderr: String,
}

impl Exported {
    fn out(&self) -> PathBuf {
        self.tmp.path().join("out")
    }

    fn project(&self) -> PathBuf {
        self.tmp.path().join("project")
    }

    fn text(&self, name: &str) -> String {
        std::fs::read_to_string(self.out().join(name))
            .unwrap_or_else(|e| panic!("{name}: {e}\n{}", self.stderr))
    }

    fn deck(&self) -> Value {
        portalgen::tree::parse(&self.text("kong.yaml"))
            .expect("the decK file is YAML")
            .to_json()
    }

    fn kongctl(&self) -> Value {
        tagged_yaml(&self.text("konnect.yaml"))
    }

    fn packages(&self) -> Value {
        serde_json::from_str(&self.text("konnect-packages.json")).expect("JSON")
    }
}

fn export_project(project: &Path, changes: &[(&str, &str)], extra: &[&str]) -> Exported {
    let tmp = tempfile::tempdir().unwrap();
    let copy = tmp.path().join("project");
    copy_dir(project, &copy);
    write_files(&copy, changes);
    let out = tmp.path().join("out");
    let mut args = vec![
        "export",
        copy.to_str().unwrap(),
        "--flavor",
        "konnect",
        "--out-dir",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let r = run(&args);
    assert_ne!(r.code, 101, "panic: {}", r.stderr);
    Exported {
        tmp,
        code: r.code,
        stderr: r.stderr,
    }
}

fn export_ok(project: &Path) -> Exported {
    let e = export_project(project, &[], &[]);
    assert_eq!(e.code, 0, "{}", e.stderr);
    e
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

fn schema_errors(schema: &Value, doc: &Value) -> Vec<String> {
    let validator = jsonschema::validator_for(schema).expect("schema compiles");
    validator
        .iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

/// YAML with tags kept: a tagged scalar becomes `{"tag": "!file", "value": "…"}`.
fn tagged_yaml(text: &str) -> Value {
    enum Frame {
        Seq(Vec<Value>),
        Map(serde_json::Map<String, Value>, Option<String>),
    }
    fn put(stack: &mut [Frame], root: &mut Option<Value>, v: Value) {
        match stack.last_mut() {
            None => *root = Some(v),
            Some(Frame::Seq(items)) => items.push(v),
            Some(Frame::Map(map, key)) => match key.take() {
                None => *key = Some(v.as_str().expect("string keys").to_string()),
                Some(k) => {
                    assert!(map.insert(k.clone(), v).is_none(), "duplicate key {k}");
                }
            },
        }
    }
    let mut stack: Vec<Frame> = Vec::new();
    let mut root = None;
    for item in Parser::new_from_str(text) {
        let (event, _) = item.expect("konnect.yaml is YAML");
        match event {
            Event::Scalar(s, style, _, tag) => {
                let v = match tag {
                    Some(t) => json!({"tag": format!("{}{}", t.handle, t.suffix), "value": s}),
                    None => {
                        let plain = style == saphyr_parser::ScalarStyle::Plain;
                        match s.as_ref() {
                            "true" if plain => json!(true),
                            "false" if plain => json!(false),
                            "null" | "~" if plain => Value::Null,
                            other => json!(other),
                        }
                    }
                };
                put(&mut stack, &mut root, v);
            }
            Event::SequenceStart(..) => stack.push(Frame::Seq(Vec::new())),
            Event::MappingStart(..) => stack.push(Frame::Map(serde_json::Map::new(), None)),
            Event::SequenceEnd => {
                let Some(Frame::Seq(items)) = stack.pop() else {
                    panic!("unbalanced")
                };
                put(&mut stack, &mut root, Value::Array(items));
            }
            Event::MappingEnd => {
                let Some(Frame::Map(map, _)) = stack.pop() else {
                    panic!("unbalanced")
                };
                put(&mut stack, &mut root, Value::Object(map));
            }
            Event::Alias(_) => panic!("konnect.yaml uses no aliases"),
            _ => {}
        }
    }
    root.expect("a document")
}

/// Every tagged scalar of `v` with the key path it is at.
fn tagged<'a>(v: &'a Value, path: String, out: &mut Vec<(String, &'a str, &'a str)>) {
    match v {
        Value::Object(m) if m.len() == 2 && m.contains_key("tag") => {
            out.push((
                path,
                m["tag"].as_str().unwrap(),
                m["value"].as_str().unwrap(),
            ));
        }
        Value::Object(m) => {
            for (k, x) in m {
                tagged(x, format!("{path}.{k}"), out);
            }
        }
        Value::Array(items) => {
            for (i, x) in items.iter().enumerate() {
                tagged(x, format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// Every `ref:` declared anywhere in the kongctl file.
fn declared_refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(r)) = m.get("ref") {
                out.push(r.clone());
            }
            m.values().for_each(|x| declared_refs(x, out));
        }
        Value::Array(items) => items.iter().for_each(|x| declared_refs(x, out)),
        _ => {}
    }
}

/// Golden files: the three files of each project's export, byte for byte (the project is
/// copied to `<tmp>/project` and exported to `<tmp>/out`, so the `!file` paths are
/// `../project/...` in every run). An intended change re-blesses them (tests/README.md).
#[test]
fn golden_files_of_each_project() {
    for (name, project) in projects() {
        let e = export_ok(&project);
        let mut written: Vec<String> = std::fs::read_dir(e.out())
            .unwrap()
            .map(|f| f.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        written.sort();
        assert_eq!(
            written,
            ["kong.yaml", "konnect-packages.json", "konnect.yaml"],
            "{name}: exactly the three files"
        );
        for file in written {
            let text = e.text(&file);
            crate::common::golden_settings().bind(|| {
                insta::assert_snapshot!(format!("{name}__{file}"), text);
            });
        }
    }
}

#[test]
fn the_deck_file_is_valid_for_deck_and_its_ace_plugin_for_kong_3_13() {
    let deck_schema = schema_file("deck-file.schema.json");
    let ace_schema = schema_file("kong-plugins-3.13/Ace.json");
    for (name, project) in projects() {
        let e = export_ok(&project);
        let doc = e.deck();
        let errors = schema_errors(&deck_schema, &doc);
        assert!(errors.is_empty(), "{name}: {errors:?}");
        assert!(doc.get("_workspace").is_none(), "{name}");
        let aces: Vec<&Value> = doc["plugins"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["name"] == "ace")
            .collect();
        assert_eq!(aces.len(), 1, "{name}: one global ace plugin");
        let ace = aces[0];
        for scope in ["route", "service", "consumer", "consumer_group"] {
            assert!(ace.get(scope).is_none(), "{name}: ace is global");
        }
        let errors = schema_errors(&ace_schema["properties"]["config"], &ace["config"]);
        assert!(
            errors.is_empty(),
            "{name}: ace config {}: {errors:?}",
            ace["config"]
        );
    }
}

#[test]
fn the_deck_file_carries_portal_yamls_control_plane_select_tags_and_ace_settings() {
    let e = export_ok(&fixtures().join("catalog"));
    let doc = e.deck();
    assert_eq!(
        doc["_konnect"],
        json!({"control_plane_name": "travel-production"})
    );
    assert_eq!(doc["_info"]["select_tags"], json!(["travel-portal"]));
    let ace = &doc["plugins"][0];
    assert_eq!(ace["config"]["match_policy"], "required");
    assert_eq!(
        ace["config"]["rate_limiting"],
        json!({
            "sync_rate": 0.5,
            "redis": {
                "host": "redis.travel.internal",
                "port": 6379,
                "password": "{vault://env/ace-redis-password}",
                "ssl": true
            }
        })
    );
    // Without settings: no `_konnect`, no select tags, ace with its match policy only.
    let e = export_ok(&fixtures().join("defaults"));
    let doc = e.deck();
    assert!(
        doc.get("_konnect").is_none() && doc.get("_info").is_none(),
        "{doc}"
    );
    assert_eq!(
        doc["plugins"][0]["config"],
        json!({"match_policy": "if_present"})
    );
    assert!(e.stderr.contains("control plane `default`"), "{}", e.stderr);
}

#[test]
fn the_kongctl_file_parses_with_its_tags_and_every_file_and_ref_resolves() {
    let ref_pattern = regex::Regex::new(r"^[A-Za-z0-9][A-Za-z0-9._-]*$").unwrap();
    for (name, project) in projects() {
        let e = export_ok(&project);
        let doc = e.kongctl();
        let mut refs = Vec::new();
        declared_refs(&doc, &mut refs);
        let unique: BTreeSet<&String> = refs.iter().collect();
        assert_eq!(
            unique.len(),
            refs.len(),
            "{name}: refs are unique: {refs:?}"
        );
        for r in &refs {
            assert!(
                r.len() <= 63 && ref_pattern.is_match(r),
                "{name}: ref `{r}`"
            );
        }
        let mut tags = Vec::new();
        tagged(&doc, String::new(), &mut tags);
        assert!(!tags.is_empty(), "{name}");
        let apis = doc["apis"].as_array().unwrap();
        let mut files = 0;
        for (path, tag, value) in &tags {
            match *tag {
                "!file" => {
                    files += 1;
                    assert!(path.ends_with(".spec"), "{name}: !file at {path}");
                    assert!(!Path::new(value).is_absolute(), "{name}: {value}");
                    let file = e.out().join(value).canonicalize().unwrap_or_else(|err| {
                        panic!("{name}: `!file {value}` does not resolve: {err}")
                    });
                    // The API's own document of the project, inside kongctl's --base-dir.
                    let api = &apis[files - 1];
                    let own = e
                        .project()
                        .join("apis")
                        .canonicalize()
                        .unwrap()
                        .join(format!("{}.yaml", api["slug"].as_str().unwrap()));
                    assert_eq!(file, own, "{name}");
                    let base = e.out().join("..").canonicalize().unwrap();
                    assert!(file.starts_with(&base), "{name}: outside --base-dir ..");
                }
                "!ref" => {
                    let (target, field) = value.split_once('#').expect("ref#field");
                    assert_eq!(field, "id");
                    assert!(
                        refs.iter().any(|r| r == target),
                        "{name}: `!ref {value}` at {path} names no resource"
                    );
                }
                other => panic!("{name}: unexpected tag {other}"),
            }
        }
        assert_eq!(files, apis.len(), "{name}: one spec per API");
        assert!(
            e.text("konnect.yaml")
                .contains("kongctl apply -f konnect.yaml --base-dir .."),
            "{name}"
        );
        assert!(doc["_defaults"]["kongctl"]["namespace"].is_string());
    }
}

#[test]
fn the_packages_document_is_valid_for_its_schema_and_every_operation_is_the_apis() {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/konnect-packages.schema.json"),
        )
        .unwrap(),
    )
    .unwrap();
    for (name, project) in projects() {
        let e = export_ok(&project);
        let doc = e.packages();
        let errors = schema_errors(&schema, &doc);
        assert!(errors.is_empty(), "{name}: {errors:?}");
        let kongctl = e.kongctl();
        // Each API of the document is an API of konnect.yaml (name + version), whose spec is
        // the file its `!file` names.
        let mut specs: BTreeMap<(String, String), Value> = BTreeMap::new();
        for api in kongctl["apis"].as_array().unwrap() {
            let file = api["versions"][0]["spec"]["value"].as_str().unwrap();
            let text = std::fs::read_to_string(e.out().join(file)).unwrap();
            let spec = portalgen::tree::parse(&text).unwrap().to_json();
            let key = (
                api["name"].as_str().unwrap().to_string(),
                api["version"].as_str().unwrap().to_string(),
            );
            specs.insert(key, spec);
        }
        let spec_of = |api: &Value| {
            let key = (
                api["name"].as_str().unwrap().to_string(),
                api["version"].as_str().unwrap().to_string(),
            );
            specs
                .get(&key)
                .unwrap_or_else(|| panic!("{name}: API {api} is not in konnect.yaml"))
        };
        let mut operations = 0;
        for p in doc["packages"].as_array().unwrap() {
            for op in p["operations"].as_array().unwrap() {
                operations += 1;
                let spec = spec_of(&op["api"]);
                let path = op["path"].as_str().unwrap();
                let method = op["method"].as_str().unwrap().to_lowercase();
                let found = &spec["paths"][path][&method];
                assert!(
                    found.is_object(),
                    "{name}: {} {path} is no operation of {}",
                    op["method"],
                    op["api"]
                );
                if let Some(id) = op["operation_id"].as_str() {
                    assert_eq!(found["operationId"], id, "{name}");
                }
                assert!(op["route"]["name"].is_string(), "{name}: {op}");
            }
        }
        assert!(operations > 0, "{name}");
        for i in doc["implementations"].as_array().unwrap() {
            spec_of(&i["api"]);
            assert_eq!(i["control_plane"], doc["control_plane"]);
        }
        // Auth strategies and teams are the ones konnect.yaml declares.
        let strategies: Vec<&str> = kongctl["application_auth_strategies"]
            .as_array()
            .map(|l| l.iter().map(|s| s["name"].as_str().unwrap()).collect())
            .unwrap_or_default();
        let teams: Vec<&str> = kongctl["portals"][0]["teams"]
            .as_array()
            .map(|l| l.iter().map(|t| t["name"].as_str().unwrap()).collect())
            .unwrap_or_default();
        for p in doc["packages"].as_array().unwrap() {
            if let Some(s) = p["publication"]["auth_strategy"].as_str() {
                assert!(strategies.contains(&s), "{name}: strategy {s}");
            }
            for t in p["teams"].as_array().unwrap() {
                assert!(teams.contains(&t["name"].as_str().unwrap()), "{name}");
            }
        }
    }
}

/// The catalog fixture, resource by resource: what portal.yaml and the packages say is what
/// the files say.
#[test]
fn the_catalog_is_the_projects() {
    let e = export_ok(&fixtures().join("catalog"));
    let k = e.kongctl();
    assert_eq!(k["_defaults"]["kongctl"]["namespace"], "travel-portal");
    let strategies = k["application_auth_strategies"].as_array().unwrap();
    assert_eq!(
        strategies[0]["configs"],
        json!({"key-auth": {"key_names": ["x-api-key", "apikey"]}})
    );
    assert_eq!(strategies[1]["strategy_type"], "openid_connect");
    assert_eq!(
        strategies[1]["configs"]["openid-connect"],
        json!({
            "issuer": "https://login.travel.example/oauth2/default",
            "credential_claim": ["client_id"],
            "scopes": ["openid", "bookings"],
            "auth_methods": ["client_credentials", "bearer"]
        })
    );
    let portal = &k["portals"][0];
    assert_eq!(
        portal["_external"]["selector"]["matchFields"]["name"],
        "Travel Developer Portal"
    );
    assert_eq!(portal["teams"][0]["name"], "partners");
    let apis = k["apis"].as_array().unwrap();
    let slugs: Vec<&str> = apis.iter().map(|a| a["slug"].as_str().unwrap()).collect();
    assert_eq!(slugs, ["billing", "flights", "status"]);
    let flights = &apis[1];
    assert_eq!(flights["name"], "Flights API");
    assert_eq!(flights["version"], "1.4");
    let publication = &flights["publications"][0];
    assert_eq!(publication["auto_approve_registrations"], true);
    assert_eq!(publication["visibility"], "public");
    assert_eq!(
        publication["auth_strategy_ids"][0]["value"],
        "auth-key-auth#id"
    );
    // `status` has no application auth: kongctl cannot say so, the packages document does.
    assert!(
        apis[2]["publications"][0]
            .get("auth_strategy_ids")
            .is_none()
    );
    let p = e.packages();
    assert_eq!(p["control_plane"], "travel-production");
    assert_eq!(p["region"], "eu");
    assert_eq!(
        p["api_publications"],
        json!([{
            "api": {"name": "Status API", "version": "1", "slug": "status"},
            "portal": "Travel Developer Portal",
            "visibility": "public",
            "auth_strategy": null,
            "auto_approve_registrations": false
        }])
    );
    let linked: Vec<&str> = p["implementations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["api"]["slug"].as_str().unwrap())
        .collect();
    assert_eq!(linked, ["billing", "flights", "status"]);
    let packages = p["packages"].as_array().unwrap();
    // The package spanning two APIs, with GET /billing limited on its own.
    let fb = &packages[0];
    assert_eq!(
        fb["package"],
        json!({
            "name": "Flight Billing API",
            "slug": "flight-billing",
            "version": "v1",
            "description": "Flight search with the matching invoices, for travel agencies.",
            "rate_limiting_config": {"limit": 5, "duration": "seconds"},
            "labels": {"portalgen-namespace": "travel-portal"}
        })
    );
    let ops: Vec<(String, String, String, Value)> = fb["operations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["api"]["slug"].as_str().unwrap().to_string(),
                o["method"].as_str().unwrap().to_string(),
                o["path"].as_str().unwrap().to_string(),
                o["rate_limiting_config"].clone(),
            )
        })
        .collect();
    assert_eq!(
        ops,
        [
            (
                "billing".into(),
                "GET".into(),
                "/billing".into(),
                json!({"limit": 10, "duration": "minutes"})
            ),
            (
                "flights".into(),
                "GET".into(),
                "/flights".into(),
                Value::Null
            ),
            (
                "flights".into(),
                "GET".into(),
                "/flights/{flightId}".into(),
                Value::Null
            ),
        ]
    );
    assert_eq!(
        fb["publication"],
        json!({"portal": "Travel Developer Portal", "visibility": "public", "auth_strategy": "key-auth", "auto_approve_registrations": true})
    );
    assert_eq!(fb["teams"], json!([]));
    // The private package for a team, on OpenID Connect; the route the check found for each.
    let pb = &packages[1];
    assert_eq!(pb["publication"]["visibility"], "private");
    assert_eq!(pb["publication"]["auth_strategy"], "okta-oidc");
    assert_eq!(
        pb["teams"],
        json!([{"name": "partners", "roles": ["API Viewer", "API Consumer"]}])
    );
    assert_eq!(
        pb["operations"][0]["route"],
        json!({"name": "flight-bookings", "id": null, "service": "flights"})
    );
    assert_eq!(
        pb["operations"][0]["rate_limiting_config"],
        json!({"limit": 2, "duration": "seconds"})
    );
}

/// The bundled example: its private API gets the `partners` team's roles in the portal.
#[test]
fn a_private_api_gets_its_teams_roles() {
    let e = export_ok(&example());
    let k = e.kongctl();
    let team = &k["portals"][0]["teams"][0];
    assert_eq!(team["name"], "partners");
    let roles: Vec<(&str, &str)> = team["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["role_name"].as_str().unwrap(),
                r["entity_id"]["value"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        roles,
        [
            ("API Viewer", "api-fulfillment#id"),
            ("API Consumer", "api-fulfillment#id")
        ]
    );
    assert_eq!(team["roles"][0]["entity_region"], "us");
    let fulfillment = &k["apis"][0];
    assert_eq!(fulfillment["slug"], "fulfillment");
    assert_eq!(fulfillment["publications"][0]["visibility"], "private");
}

#[test]
fn a_project_without_konnect_settings_publishes_nothing() {
    let e = export_ok(&fixtures().join("defaults"));
    let k = e.kongctl();
    assert!(k.get("portals").is_none(), "{k}");
    assert!(k["apis"][0].get("publications").is_none());
    assert_eq!(k["_defaults"]["kongctl"]["namespace"], "portalgen");
    let p = e.packages();
    assert_eq!(p["portal"], Value::Null);
    assert_eq!(p["control_plane"], "default");
    assert_eq!(p["packages"][0]["publication"], Value::Null);
    assert!(e.stderr.contains("nothing is published"), "{}", e.stderr);
}

/// `-o DIR/FILE` writes the catalog beside the decK file; stdout gets the decK file only;
/// `--format json` carries every file, byte for byte what the folder gets.
#[test]
fn every_way_to_export_gives_the_same_files() {
    let reference = export_ok(&fixtures().join("catalog"));
    let project = reference.project();
    let names = ["kong.yaml", "konnect.yaml", "konnect-packages.json"];

    // Another folder beside the project: the same relative paths.
    let other = reference.tmp.path().join("other");
    let file = other.join("gateway.yaml");
    let r = run(&[
        "export",
        project.to_str().unwrap(),
        "-o",
        file.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        reference.text("kong.yaml")
    );
    for n in &names[1..] {
        let text = std::fs::read_to_string(other.join(n)).unwrap();
        let want = reference.text(n).replace("kong.yaml", "gateway.yaml");
        assert_eq!(text, want, "{n}");
    }

    let r = run(&["export", project.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, reference.text("kong.yaml"));
    assert!(r.stderr.contains("--out-dir"), "{}", r.stderr);

    let out = reference.out();
    let r = run(&[
        "export",
        project.to_str().unwrap(),
        "--format",
        "json",
        "--out-dir",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc: Value = serde_json::from_str(&r.stdout).unwrap();
    let files = doc["files"].as_array().unwrap();
    assert_eq!(files.len(), 3);
    for (f, n) in files.iter().zip(names) {
        assert_eq!(f["name"], n);
        assert_eq!(f["content"].as_str().unwrap(), reference.text(n));
        assert_eq!(f["path"], out.join(n).display().to_string());
    }
    assert_eq!(doc["output"], out.join("kong.yaml").display().to_string());

    // Without a folder, JSON carries the files laid out for the current directory.
    let r = crate::common::run_in(
        Some(reference.tmp.path()),
        &["export", "project", "--format", "json"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(doc["configuration"], doc["files"][0]["content"]);
    assert_eq!(doc["files"][0]["path"], Value::Null);
    let kongctl = doc["files"][1]["content"].as_str().unwrap();
    assert!(
        kongctl.contains("spec: !file ./project/apis/billing.yaml"),
        "{kongctl}"
    );
}

#[test]
fn the_deck_file_may_not_take_a_catalog_files_name() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("konnect.yaml");
    let r = run(&[
        "export",
        fixtures().join("defaults").to_str().unwrap(),
        "-o",
        file.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("cannot be called `konnect.yaml`"),
        "{}",
        r.stderr
    );
    assert!(std::fs::read_dir(tmp.path()).unwrap().next().is_none());
}

/// Every file or none: when one of them cannot be written, the others are not either, and
/// what the folder held before stays.
#[test]
fn a_file_that_cannot_be_written_leaves_the_folder_as_it_was() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    write_files(&out, &[("kong.yaml", "before\n")]);
    std::fs::create_dir_all(out.join("konnect-packages.json")).unwrap();
    let r = run(&[
        "export",
        fixtures().join("defaults").to_str().unwrap(),
        "--out-dir",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("konnect-packages.json"), "{}", r.stderr);
    assert_eq!(
        std::fs::read_to_string(out.join("kong.yaml")).unwrap(),
        "before\n"
    );
    assert!(!out.join("konnect.yaml").exists());
    let left: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left.len(), 2, "no temporary files left: {left:?}");
}

/// A warning of the Konnect export does not stop it (without `--strict`): a `_workspace`
/// of the manifest is left out of the decK file.
#[test]
fn a_workspace_is_left_out_with_a_warning() {
    let deck = std::fs::read_to_string(fixtures().join("defaults/gateway/kong.yaml"))
        .unwrap()
        .replace(
            "_format_version: \"3.0\"\n",
            "_format_version: \"3.0\"\n_workspace: staging\n",
        );
    let e = export_project(
        &fixtures().join("defaults"),
        &[("gateway/kong.yaml", &deck)],
        &[],
    );
    assert_eq!(e.code, 0, "{}", e.stderr);
    assert!(
        e.stderr.contains("warning[konnect-unsupported-section]"),
        "{}",
        e.stderr
    );
    assert!(e.stderr.contains("gateway/kong.yaml:2"), "{}", e.stderr);
    assert!(e.deck().get("_workspace").is_none());
    assert!(!e.text("kong.yaml").contains("staging"));
    // The self-managed flavor keeps it: Kong Enterprise has workspaces.
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&fixtures().join("defaults"), tmp.path());
    write_files(tmp.path(), &[("gateway/kong.yaml", &deck)]);
    let r = run(&["export", tmp.path().to_str().unwrap(), "--flavor", "kong"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("_workspace: staging"), "{}", r.stdout);
}

/// The Konnect rules every invalid fixture must cover (the folder names are free).
const RULES: &[&str] = &[
    "invalid-name",
    "invalid-slug",
    "duplicate-slug",
    "duplicate-package",
    "invalid-rate-limit",
    "too-many-auth-strategies",
    "invalid-key-names",
    "too-many-key-names",
    "konnect-api-not-implemented",
    "operation-unmatched",
    "operation-ambiguous",
    "konnect-invalid-value",
    "konnect-duplicate-api",
    "konnect-unsupported-section",
    "konnect-control-plane-mismatch",
    "konnect-spec-split",
    "select-tags-mismatch",
    "ace-match-policy-required",
    "ace-rate-limiting-incomplete",
    "ace-rate-limiting-mismatch",
];

/// `<command> <project> --flavor konnect --strict --format json [extra]` on a copy.
fn refused(case: &Path, command: &str) -> (i32, Vec<(String, String, u64)>) {
    let tmp = tempfile::tempdir().unwrap();
    let copy = tmp.path().join("project");
    copy_dir(case, &copy);
    std::fs::remove_file(copy.join("expected.json")).unwrap();
    let out = tmp.path().join("out");
    let mut args = vec![
        command,
        copy.to_str().unwrap(),
        "--flavor",
        "konnect",
        "--strict",
        "--format",
        "json",
    ];
    if command == "export" {
        args.extend(["--out-dir", out.to_str().unwrap()]);
    }
    let r = run(&args);
    assert_ne!(r.code, 101, "panic: {}", r.stderr);
    let doc: Value = serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", r.stdout, r.stderr));
    let found = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["file"].as_str().unwrap_or_default().to_string(),
                d["line"].as_u64().unwrap_or_default(),
            )
        })
        .collect();
    assert!(
        !out.exists(),
        "{}: export wrote {}",
        case.display(),
        out.display()
    );
    (r.code, found)
}

#[test]
fn every_konnect_rule_refuses_its_invalid_fixture_at_its_file_and_line() {
    let root = fixtures().join("invalid");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    let mut covered = BTreeSet::new();
    for case in &cases {
        let expected: Value =
            serde_json::from_str(&std::fs::read_to_string(case.join("expected.json")).unwrap())
                .unwrap();
        let expected: Vec<(String, String, u64)> = expected["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                (
                    d["code"].as_str().unwrap().to_string(),
                    d["file"].as_str().unwrap().to_string(),
                    d["line"].as_u64().unwrap(),
                )
            })
            .collect();
        assert!(!expected.is_empty(), "{}", case.display());
        for command in ["export", "check"] {
            let (code, found) = refused(case, command);
            assert_eq!(code, 1, "{command} {}: {found:?}", case.display());
            for e in &expected {
                assert!(
                    found.contains(e),
                    "{command} {}: expected {e:?}, found {found:?}",
                    case.display()
                );
            }
        }
        covered.extend(expected.into_iter().map(|(c, _, _)| c));
    }
    for rule in RULES {
        assert!(covered.contains(*rule), "no invalid fixture for `{rule}`");
    }
}
