//! End-to-end tests of `portalgen build`, `check`, `init` and `export` on real projects in
//! temporary folders, through the real binary.

use crate::common::*;
use std::path::Path;

/// Every relative `href`/`src` of every HTML file resolves to a file of the output, and every
/// `#fragment` to an element id of its target page.
fn assert_links_resolve(out: &Path) -> usize {
    let files = read_tree(out);
    let mut checked = 0;
    let sel = scraper::Selector::parse("[href], [src]").unwrap();
    let ids_of = |html: &str| -> std::collections::BTreeSet<String> {
        let doc = scraper::Html::parse_document(html);
        let s = scraper::Selector::parse("[id]").unwrap();
        doc.select(&s)
            .filter_map(|e| e.value().attr("id").map(String::from))
            .collect()
    };
    for (path, bytes) in files
        .iter()
        .filter(|(p, _)| p.ends_with(".html") && p.as_str() != "404.html")
    {
        let html = String::from_utf8_lossy(bytes);
        let doc = scraper::Html::parse_document(&html);
        for el in doc.select(&sel) {
            let link = el.value().attr("href").or(el.value().attr("src")).unwrap();
            if link.starts_with("http://")
                || link.starts_with("https://")
                || link.starts_with("mailto:")
                || link.starts_with("data:")
                || link.starts_with("javascript:")
            {
                continue;
            }
            let (target, fragment) = match link.split_once('#') {
                Some((t, f)) => (t, Some(f)),
                None => (link, None),
            };
            let target = target.split('?').next().unwrap();
            let dir = Path::new(path).parent().unwrap_or(Path::new(""));
            let mut resolved = if target.is_empty() {
                Path::new(path).to_path_buf()
            } else {
                dir.join(target)
            };
            if target.ends_with('/') || target.is_empty() && path.ends_with('/') {
                resolved = resolved.join("index.html");
            }
            // Normalise `..` segments.
            let mut parts: Vec<String> = Vec::new();
            for c in resolved.components() {
                match c {
                    std::path::Component::ParentDir => {
                        assert!(
                            parts.pop().is_some(),
                            "{path}: link `{link}` escapes the site root"
                        );
                    }
                    std::path::Component::Normal(n) => parts.push(n.to_string_lossy().into_owned()),
                    _ => {}
                }
            }
            let rel = parts.join("/");
            let target_bytes = files
                .get(&rel)
                .unwrap_or_else(|| panic!("{path}: link `{link}` → `{rel}` does not exist"));
            if let Some(f) = fragment.filter(|f| !f.is_empty()) {
                let ids = ids_of(&String::from_utf8_lossy(target_bytes));
                assert!(
                    ids.contains(f),
                    "{path}: link `{link}` → no id `{f}` in {rel}"
                );
            }
            checked += 1;
        }
    }
    checked
}

#[test]
fn example_builds_and_every_internal_link_resolves() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    let r = run(&[
        "build",
        example().to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "stderr:\n{}", r.stderr);
    assert!(r.stderr.contains("Built "), "{}", r.stderr);
    for page in [
        "index.html",
        "404.html",
        "sitemap.xml",
        "apis/index.html",
        "apis/myapi/index.html",
        "apis/myapi/get-anything-by-id/index.html",
        "apis/orders/index.html",
        "packages/company/index.html",
        "packages/starter/index.html",
        "guides/getting-started/index.html",
        "guides/authentication/index.html",
        "assets/style.css",
    ] {
        assert!(out.join(page).is_file(), "missing {page}");
    }
    let n = assert_links_resolve(&out);
    assert!(n > 50, "only {n} links checked");
}

#[test]
fn package_page_states_rate_limit_auth_and_registration() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    build_example(&out, &[]);
    let html = std::fs::read_to_string(out.join("packages/company/index.html")).unwrap();
    let text = text_of(&html);
    assert!(
        text.contains("5 requests per minute per application"),
        "{text}"
    );
    assert!(
        text.contains("shared by all operations of this package"),
        "{text}"
    );
    assert!(text.contains("apikey"), "{text}");
    assert!(
        html.contains("https://konnect.example.com/portal/applications/new?product=company"),
        "registration link"
    );
    // Deleting is not part of the package.
    assert!(!text.contains("DELETE /anything"), "{text}");
    let starter = std::fs::read_to_string(out.join("packages/starter/index.html")).unwrap();
    let starter_text = text_of(&starter);
    assert!(
        starter_text
            .contains("2 requests per second for this operation, instead of the package limit"),
        "{starter_text}"
    );
}

#[test]
fn sitemap_and_404_use_the_base_url_sub_path() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    build_example(&out, &["--base-url", "https://docs.example.org/dev"]);
    let sitemap = std::fs::read_to_string(out.join("sitemap.xml")).unwrap();
    assert!(
        sitemap.contains("<loc>https://docs.example.org/dev/</loc>"),
        "{sitemap}"
    );
    assert!(
        sitemap.contains("<loc>https://docs.example.org/dev/packages/company/</loc>"),
        "{sitemap}"
    );
    assert!(!sitemap.contains("404"), "{sitemap}");
    let llms = std::fs::read_to_string(out.join("llms.txt")).unwrap();
    assert!(
        llms.contains("- [Company package](https://docs.example.org/dev/packages/company/)"),
        "{llms}"
    );
    // 404.html is served at any depth, so its links are absolute paths under /dev/.
    let nf = std::fs::read_to_string(out.join("404.html")).unwrap();
    assert!(nf.contains("href=\"/dev/assets/style.css\""), "{nf}");
    assert!(!nf.contains("href=\"../"), "{nf}");
}

#[test]
fn two_builds_are_byte_identical() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    // One build on one thread, one on several: parallel rendering must not change a byte.
    for (out, threads) in [(&a, "1"), (&b, "4")] {
        let o = std::process::Command::new(bin())
            .args([
                "build",
                example().to_str().unwrap(),
                "-o",
                out.to_str().unwrap(),
                "--audience",
                "partners",
            ])
            .env("RAYON_NUM_THREADS", threads)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let (ta, tb) = (read_tree(&a), read_tree(&b));
    assert_eq!(ta.keys().collect::<Vec<_>>(), tb.keys().collect::<Vec<_>>());
    for (k, v) in &ta {
        assert!(v == &tb[k], "{k} differs between builds");
    }
}

fn bad_project(dir: &Path) {
    minimal_project(dir);
    write_files(
        dir,
        &[
            // Unknown key at line 3.
            (
                "portal.yaml",
                "title: Test portal\nbase_url: https://example.com/\ntheem: dark\nauth_strategies:\n  - name: key-auth\n    type: key_auth\n",
            ),
            // YAML syntax error (unclosed flow sequence) around line 3.
            (
                "packages/broken.yaml",
                "name: Broken\noperations:\n  - api: [pets\n",
            ),
            // Unknown operation at line 4 (the item), bad duration at line 9.
            (
                "packages/typo.yaml",
                "name: Typo\nvisibility: public\noperations:\n  - api: pets\n    method: GET\n    path: /petz\nrate_limit:\n  limit: 5\n  duration: days\n",
            ),
        ],
    );
}

#[test]
fn bad_inputs_exit_1_and_name_every_file_and_line() {
    let tmp = tempfile::tempdir().unwrap();
    bad_project(tmp.path());
    let r = run(&["check", tmp.path().to_str().unwrap()]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let e = &r.stderr;
    assert!(
        e.contains("error[unknown-key]: unknown key `theem` in portal.yaml"),
        "{e}"
    );
    assert!(e.contains("--> portal.yaml:3:1"), "{e}");
    assert!(e.contains("did you mean `theme`?"), "{e}");
    assert!(e.contains("error[yaml-syntax]"), "{e}");
    assert!(e.contains("--> packages/broken.yaml:3:"), "{e}");
    assert!(
        e.contains("error[unknown-operation]: API `pets` has no operation GET /petz"),
        "{e}"
    );
    assert!(e.contains("--> packages/typo.yaml:4:5"), "{e}");
    assert!(e.contains("did you mean: GET /pets"), "{e}");
    assert!(e.contains("error[invalid-rate-limit]"), "{e}");
    assert!(e.contains("--> packages/typo.yaml:9:13"), "{e}");
    // build writes nothing for such a project
    let out = tmp.path().join("public");
    let r = run(&["build", tmp.path().to_str().unwrap()]);
    assert_eq!(r.code, 1);
    assert!(!out.exists(), "a failed build must not write output");
}

#[test]
fn json_format_parses_and_carries_the_diagnostics() {
    let tmp = tempfile::tempdir().unwrap();
    bad_project(tmp.path());
    let r = run(&["check", tmp.path().to_str().unwrap(), "--format", "json"]);
    assert_eq!(r.code, 1);
    let doc: serde_json::Value =
        serde_json::from_str(&r.stdout).expect("stdout is one JSON document");
    assert_eq!(doc["version"], 1);
    let diags = doc["diagnostics"].as_array().unwrap();
    let find = |code: &str, file: &str| {
        diags
            .iter()
            .find(|d| d["code"] == code && d["file"] == file)
            .unwrap_or_else(|| panic!("no {code} in {file}: {diags:#?}"))
    };
    let d = find("unknown-key", "portal.yaml");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(3), Some(1))
    );
    assert_eq!(d["severity"], "error");
    assert_eq!(find("unknown-operation", "packages/typo.yaml")["line"], 4);
    assert!(
        find("yaml-syntax", "packages/broken.yaml")["line"]
            .as_u64()
            .is_some()
    );
    // Sorted by file, then line.
    let keys: Vec<(String, u64)> = diags
        .iter()
        .map(|d| {
            (
                d["file"].as_str().unwrap_or("").to_string(),
                d["line"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    assert!(doc["operations"].is_array());
}

#[test]
fn github_format_prints_workflow_commands() {
    let tmp = tempfile::tempdir().unwrap();
    bad_project(tmp.path());
    let r = run(&["check", tmp.path().to_str().unwrap(), "--format", "github"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.contains("::error file=portal.yaml,line=3,col=1,title=unknown-key::unknown key `theem` in portal.yaml"),
        "{}",
        r.stdout
    );
}

#[test]
fn strict_turns_warnings_into_failure() {
    let tmp = tempfile::tempdir().unwrap();
    minimal_project(tmp.path());
    // A public package with teams is a warning.
    write_files(
        tmp.path(),
        &[(
            "packages/basic.yaml",
            "name: Basic\nvisibility: public\nteams: [partners]\noperations:\n  - api: pets\n",
        )],
    );
    let r = run(&["check", tmp.path().to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("warning[teams-on-public]"),
        "{}",
        r.stderr
    );
    let r = run(&["check", tmp.path().to_str().unwrap(), "--strict"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
}

#[test]
fn init_refuses_a_non_empty_folder_and_leaves_it_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("notes.txt"), "mine").unwrap();
    let before = read_tree(tmp.path());
    let r = run(&["init", tmp.path().to_str().unwrap()]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("not empty"), "{}", r.stderr);
    assert_eq!(read_tree(tmp.path()), before);
}

#[test]
fn init_writes_the_example_which_then_builds() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("new-portal");
    let r = run(&["init", dir.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(read_tree(&dir), {
        let mut m = read_tree(&example());
        m.retain(|k, _| !k.starts_with("public/"));
        m
    });
    let r = run(&["build", dir.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(dir.join("public/index.html").is_file());
}

#[test]
fn build_refuses_to_overwrite_a_foreign_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("mysite");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("keep.html"), "precious").unwrap();
    let r = run(&[
        "build",
        example().to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("was not created by portalgen"),
        "{}",
        r.stderr
    );
    assert_eq!(
        std::fs::read_to_string(out.join("keep.html")).unwrap(),
        "precious"
    );
}

#[test]
fn missing_project_is_a_usage_failure() {
    let tmp = tempfile::tempdir().unwrap();
    let r = run(&["check", tmp.path().to_str().unwrap()]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no portal.yaml"), "{}", r.stderr);
    let r = run(&["build", "--no-such-flag"]);
    assert_eq!(r.code, 2);
}

#[test]
fn export_konnect_adds_a_global_ace_plugin() {
    let r = run(&["export", example().to_str().unwrap(), "--flavor", "konnect"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc = portalgen::tree::parse(&r.stdout)
        .expect("export is valid YAML")
        .to_json();
    assert_eq!(doc["_format_version"], "3.0");
    let plugins = doc["plugins"].as_array().unwrap();
    let ace = plugins
        .iter()
        .find(|p| p["name"] == "ace")
        .expect("ace plugin");
    assert_eq!(ace["config"]["match_policy"], "if_present");
    assert!(
        ace.get("route").is_none() && ace.get("service").is_none(),
        "global"
    );
    let services = doc["services"].as_array().unwrap();
    assert!(services.iter().any(|s| s["name"] == "example-service"));
    let routes: Vec<&serde_json::Value> = services
        .iter()
        .flat_map(|s| s["routes"].as_array().unwrap())
        .collect();
    assert!(routes.iter().any(|r| r["name"] == "example-route"));
    // Deterministic.
    assert_eq!(
        run(&["export", example().to_str().unwrap()]).stdout,
        r.stdout
    );
}

#[test]
fn check_reports_routing_per_operation_in_json_and_html() {
    let tmp = tempfile::tempdir().unwrap();
    let report = tmp.path().join("coverage.html");
    let r = run(&[
        "check",
        example().to_str().unwrap(),
        "--format",
        "json",
        "--report",
        report.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let ops = doc["operations"].as_array().unwrap();
    assert_eq!(ops.len(), 13, "every operation of every API");
    let get_order = ops
        .iter()
        .find(|o| o["api"] == "orders" && o["method"] == "GET" && o["path"] == "/orders/{orderId}")
        .unwrap();
    assert_eq!(get_order["status"], "matched");
    assert_eq!(get_order["route"], "order-by-id");
    assert_eq!(get_order["service"], "orders-service");
    assert_eq!(get_order["operation_id"], "getOrder");
    assert_eq!(
        get_order["packages"],
        serde_json::json!(["partner-logistics", "starter"])
    );
    assert!(
        get_order["probes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["route"] == "order-by-id")
    );
    let items = ops
        .iter()
        .find(|o| o["path"] == "/orders/{orderId}/items")
        .unwrap();
    assert_eq!(
        items["route"], "orders",
        "the anchored regex does not take the items path"
    );
    assert_eq!(doc["summary"]["matched"], 13);
    // Sorted by API slug, path, method.
    let keys: Vec<(String, String, String)> = ops
        .iter()
        .map(|o| {
            (
                o["api"].as_str().unwrap().into(),
                o["path"].as_str().unwrap().into(),
                o["method"].as_str().unwrap().into(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(
        html.contains("order-by-id") && html.contains("/orders/{orderId}"),
        "report lists operations and routes"
    );
    assert!(
        !html.contains("<link") && !html.contains("src=\"http"),
        "self-contained"
    );
}

#[test]
fn unmatched_package_operation_fails_check_and_names_the_line() {
    let tmp = tempfile::tempdir().unwrap();
    minimal_project(tmp.path());
    write_files(
        tmp.path(),
        &[(
            "gateway/kong.yaml",
            "_format_version: \"3.0\"\nservices:\n  - name: pets\n    url: http://pets.internal\n    routes:\n      - name: pets\n        paths: ['~/pets$']\n        strip_path: false\n",
        )],
    );
    let r = run(&["check", tmp.path().to_str().unwrap(), "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let ops = doc["operations"].as_array().unwrap();
    let by_id = ops.iter().find(|o| o["path"] == "/pets/{id}").unwrap();
    assert_eq!(by_id["status"], "unmatched");
    // /pets/{id} is in no package: a warning, so check passes without --strict.
    assert_eq!(r.code, 0, "{}", r.stdout);
    let d = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["file"] == "apis/pets.yaml")
        .unwrap();
    assert_eq!(d["severity"], "warning");
    assert_eq!(
        run(&["check", tmp.path().to_str().unwrap(), "--strict"]).code,
        1
    );
}

#[test]
fn an_operation_named_schemas_does_not_replace_the_schemas_page() {
    let tmp = tempfile::tempdir().unwrap();
    minimal_project(tmp.path());
    let api = std::fs::read_to_string(tmp.path().join("apis/pets.yaml"))
        .unwrap()
        .replace("operationId: listPets", "operationId: schemas");
    std::fs::write(tmp.path().join("apis/pets.yaml"), api).unwrap();
    let r = run(&["build", tmp.path().to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let schemas =
        std::fs::read_to_string(tmp.path().join("public/apis/pets/schemas/index.html")).unwrap();
    assert!(
        schemas.contains("Pets schemas"),
        "the schemas page is intact"
    );
    assert!(
        tmp.path()
            .join("public/apis/pets/schemas-2/index.html")
            .is_file()
    );
}

#[test]
fn export_json_is_one_document_with_the_configuration_inside() {
    let r = run(&["export", example().to_str().unwrap(), "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let yaml = doc["configuration"].as_str().unwrap();
    assert!(yaml.contains("name: ace"), "{yaml}");
    let tmp = tempfile::tempdir().unwrap();
    bad_project(tmp.path());
    let r = run(&["export", tmp.path().to_str().unwrap(), "--format", "json"]);
    assert_eq!(r.code, 1);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(doc["configuration"].is_null());
    assert!(
        doc["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == "unknown-key")
    );
}

#[test]
fn multi_document_package_files_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    minimal_project(tmp.path());
    write_files(
        tmp.path(),
        &[(
            "packages/two.yaml",
            "name: C\noperations:\n  - api: pets\n---\nname: D\noperations:\n  - api: nope\n",
        )],
    );
    let r = run(&["check", tmp.path().to_str().unwrap()]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("error[multiple-documents]"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("--> packages/two.yaml:4:1"),
        "{}",
        r.stderr
    );
}

#[test]
fn guide_links_to_markdown_files_become_page_urls_and_broken_ones_are_reported() {
    let tmp = tempfile::tempdir().unwrap();
    minimal_project(tmp.path());
    write_files(
        tmp.path(),
        &[
            (
                "pages/setup/keys.md",
                "---\ntitle: Keys\n---\nBack to [intro](../intro.md#intro).\n",
            ),
            (
                "pages/intro.md",
                "---\ntitle: Intro\n---\n# Intro\n\nRead [keys](setup/keys.md), the [package](../../packages/basic/),\nthe [gone page](missing.md) and [a typo](../../pakages/basic/).\n",
            ),
        ],
    );
    let r = run(&["build", tmp.path().to_str().unwrap()]);
    assert_eq!(r.code, 0, "warnings only: {}", r.stderr);
    let intro = std::fs::read_to_string(tmp.path().join("public/guides/intro/index.html")).unwrap();
    assert!(
        intro.contains(r#"href="../../guides/setup/keys/""#),
        "{intro}"
    );
    let keys =
        std::fs::read_to_string(tmp.path().join("public/guides/setup/keys/index.html")).unwrap();
    assert!(
        keys.contains(r#"href="../../../guides/intro/#intro""#),
        "{keys}"
    );
    assert!(
        r.stderr
            .contains("warning[broken-link]: `missing.md` links to no page of this build"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("--> pages/intro.md:7:5"), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("`../../pakages/basic/` leads to no page of this build"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("--> pages/intro.md:7:33"), "{}", r.stderr);
    assert_eq!(r.stderr.matches("broken-link").count(), 2, "{}", r.stderr);
}
