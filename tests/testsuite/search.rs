//! The search index (Pagefind): what it holds, read back from the files a real build writes
//! (the fragments are gzipped JSON, one per record), that it is planned (static files cannot
//! hide in its folder), deterministic, and that search works in a real browser on the example
//! and on GitHub's portal (tests/js/search.test.mjs).

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::*;

/// A Pagefind file's content: gunzipped, without its `pagefind_dcd` signature.
pub fn pagefind_bytes(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    if bytes.starts_with(&[0x1f, 0x8b]) {
        flate2::read::GzDecoder::new(bytes)
            .read_to_end(&mut out)
            .expect("gzip");
    } else {
        out = bytes.to_vec();
    }
    match out.strip_prefix(b"pagefind_dcd") {
        Some(rest) => rest.to_vec(),
        None => out,
    }
}

/// Every record of a built portal's index: URL → fragment (JSON with `content`, `meta`, …).
pub fn fragments(site: &Path) -> BTreeMap<String, serde_json::Value> {
    let dir = site.join("pagefind/fragment");
    let mut out = BTreeMap::new();
    for e in std::fs::read_dir(&dir).unwrap().flatten() {
        let v: serde_json::Value =
            serde_json::from_slice(&pagefind_bytes(&std::fs::read(e.path()).unwrap())).unwrap();
        out.insert(v["url"].as_str().unwrap().to_string(), v);
    }
    out
}

const LONG: &str = "Creates a pet in the store. The request is validated against the schema, \
    stored, and announced on the event bus so that every subscriber hears of it within \
    seconds; long descriptions like this one used to be cut at about 160 characters, so the \
    word quetzalcoatl at the end was never found.";

fn project() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    minimal_project(tmp.path());
    let filler = "Plain words about webhooks fill this paragraph. ".repeat(40);
    write_files(
        tmp.path(),
        &[
            (
                "apis/pets.yaml",
                &format!(
                    "openapi: 3.0.3\ninfo:\n  title: Pets\n  version: '1'\nservers:\n  - url: https://api.example.com\npaths:\n  /pets:\n    get:\n      operationId: listPets\n      summary: List pets\n      parameters:\n        - name: cursorToken\n          in: query\n          description: Where the page starts.\n          schema: {{type: string}}\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema:\n                $ref: '#/components/schemas/Pet'\n    post:\n      operationId: createPet\n      summary: Create a pet\n      description: \"{LONG}\"\n      responses:\n        '201':\n          description: created\ncomponents:\n  schemas:\n    Pet:\n      description: A pet of the store.\n      properties:\n        microchipNumber:\n          type: string\n          description: The number on the implanted chip.\n"
                ),
            ),
            (
                "pages/webhooks.md",
                &format!(
                    "---\ntitle: Webhooks\n---\n{filler}\n\n## Retries\n\nDeliveries back off with marmalade jitter.\n\n{filler}\n"
                ),
            ),
        ],
    );
    tmp
}

#[test]
fn the_index_holds_the_full_text_of_every_kind_of_page() {
    let tmp = project();
    let r = run(&["build", tmp.path().to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let site = tmp.path().join("public");
    let frags = fragments(&site);
    let kind = |url: &str| frags[url]["meta"]["kind"].as_str().unwrap().to_string();
    let content = |url: &str| frags[url]["content"].as_str().unwrap().to_string();
    // One record per visible page that can be searched, each with its kind.
    assert_eq!(kind("apis/pets/"), "API");
    assert_eq!(kind("apis/pets/create-pet/"), "Operation");
    assert_eq!(kind("packages/basic/"), "Package");
    assert_eq!(kind("guides/webhooks/"), "Guide");
    assert_eq!(kind("apis/pets/schemas/#schema-pet"), "Schema");
    // Operations: the whole description (it used to be clipped at ~160 characters), the
    // method, path, operationId, parameter names; meta for the result line.
    let op = content("apis/pets/create-pet/");
    assert!(op.contains("quetzalcoatl"), "{op}");
    assert!(op.contains("createPet") && op.contains("POST"), "{op}");
    let list = content("apis/pets/list-pets/");
    assert!(
        list.contains("cursorToken") && list.contains("Where the page starts"),
        "{list}"
    );
    let meta = &frags["apis/pets/create-pet/"]["meta"];
    assert_eq!(meta["title"], "Create a pet");
    assert_eq!(meta["method"], "POST");
    assert_eq!(meta["path"], "/pets");
    assert_eq!(meta["api"], "Pets");
    // Schemas (not indexed before): name, description and property names.
    let schema = content("apis/pets/schemas/#schema-pet");
    assert!(
        schema.contains("microchipNumber") && schema.contains("implanted chip"),
        "{schema}"
    );
    // Guides: the middle of a long guide (only its start was indexed before), with its
    // section as an anchor.
    let guide = &frags["guides/webhooks/"];
    assert!(content("guides/webhooks/").contains("marmalade"));
    assert!(
        guide["anchors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["id"] == "retries"),
        "{guide}"
    );
    // Results can be grouped by kind: it is a filter too.
    assert_eq!(
        frags["apis/pets/create-pet/"]["filters"]["kind"][0],
        "Operation"
    );
    // The old hand-made index is gone.
    assert!(!site.join("search-index.json").exists());
    // Only what the theme loads is written: no Pagefind UI bundles.
    let names: Vec<String> = read_tree(&site.join("pagefind")).into_keys().collect();
    assert!(names.iter().all(|n| !n.contains("-ui")), "{names:?}");
    for fixed in ["pagefind.js", "pagefind-entry.json", "wasm.en.pagefind"] {
        assert!(names.iter().any(|n| n == fixed), "{fixed} in {names:?}");
    }
}

#[test]
fn files_of_static_cannot_take_the_search_index_folder() {
    for (file, expect) in [
        (
            "static/pagefind/extra.js",
            "inside `pagefind/`, the folder of the search index",
        ),
        ("static/pagefind", "would be both a file"),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        minimal_project(tmp.path());
        write_files(tmp.path(), &[(file, "x")]);
        let check = run(&["check", tmp.path().to_str().unwrap()]);
        assert_eq!(check.code, 1, "{file}: {}", check.stderr);
        assert!(
            check.stderr.contains("error[output-clash]"),
            "{}",
            check.stderr
        );
        assert!(check.stderr.contains(expect), "{}", check.stderr);
        let build = run(&["build", tmp.path().to_str().unwrap()]);
        assert_eq!(build.code, 1);
        assert!(!tmp.path().join("public").exists());
    }
}

#[test]
fn the_search_index_is_byte_identical_across_builds_and_thread_counts() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    for (out, threads) in [(&a, "1"), (&b, "3")] {
        let o = Command::new(bin())
            .args([
                "build",
                example().to_str().unwrap(),
                "-o",
                out.to_str().unwrap(),
            ])
            .env("RAYON_NUM_THREADS", threads)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let (ta, tb) = (
        read_tree(&a.join("pagefind")),
        read_tree(&b.join("pagefind")),
    );
    assert!(ta.len() > 5, "{:?}", ta.keys());
    assert_eq!(ta, tb);
}

/// GitHub's REST description from the corpora, when installed.
fn github_description() -> Option<PathBuf> {
    let base = std::env::var_os("PORTALGEN_CORPORA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/tmp/portalgen-corpora/node_modules"));
    let file = base.join("@octokit/openapi/generated/api.github.com.json");
    file.is_file().then_some(file)
}

/// Runs tests/js/search.test.mjs in real Chromium against the example and GitHub's portal.
#[test]
fn search_works_in_a_real_browser_on_the_example_and_on_github() {
    let js = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/js");
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !js.join("node_modules/playwright-core").is_dir() {
        return skip("search browser test: tests/js/node_modules is missing (run scripts/test.sh)");
    }
    if !Path::new(&chromium).exists() {
        return skip(&format!("search browser test: {chromium} is missing"));
    }
    let Some(github) = github_description() else {
        return skip("search browser test: GitHub's description is not installed (corpora)");
    };
    let tmp = tempfile::tempdir().unwrap();
    let example_out = tmp.path().join("example");
    build_example(&example_out, &[]);
    // GitHub's portal: its description as the only API, no gateway (built as
    // portalgen-bench builds it).
    let gh = tmp.path().join("github");
    std::fs::create_dir_all(gh.join("apis")).unwrap();
    std::fs::copy(&github, gh.join("apis/github.json")).unwrap();
    std::fs::write(
        gh.join("portal.yaml"),
        "title: GitHub\nbase_url: https://example.com/\n",
    )
    .unwrap();
    let r = run(&[
        "build",
        gh.to_str().unwrap(),
        "-o",
        tmp.path().join("gh-site").to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out = Command::new("node")
        .args(["--test", "--test-reporter=spec", "search.test.mjs"])
        .current_dir(&js)
        .env("PORTALGEN_SITE", &example_out)
        .env("PORTALGEN_GITHUB_SITE", tmp.path().join("gh-site"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "search browser tests failed:\n{stdout}\n{stderr}"
    );
    // With both sites given, nothing may be skipped.
    assert!(
        stdout.contains("skipped 0") || !stdout.contains("skipped"),
        "{stdout}"
    );
    eprintln!("{stdout}");
}
