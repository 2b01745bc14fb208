//! `serve`'s incremental rebuilds equal full builds, byte for byte: a scripted sequence of
//! edits of every input kind (guides, specs and their `$ref` targets outside the project,
//! packages, portal.yaml, decK files, templates, static files; additions, removals, broken
//! saves and their fixes) is applied to a copy of the bundled example, and after each step the
//! served site of the one long-lived [`Builder`] (fed the changed paths, as the watcher feeds
//! it) is compared with a fresh full build of the same files, file by file, and so are the
//! diagnostics. The first build is also compared with `pipeline::build`, the code `build`
//! runs, with the same options.

use std::path::{Path, PathBuf};

use portalgen::serve::rebuild::{Builder, Outcome};

use crate::common::*;

const ORIGIN: &str = "http://127.0.0.1:4000";

/// One scripted edit: its name, and what it does to the project (returning the paths it
/// changed, as the watcher would report them).
type Edit = (&'static str, Box<dyn Fn(&Path) -> Vec<PathBuf>>);

fn write(root: &Path, rel: &str, text: &str) -> Vec<PathBuf> {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, text).unwrap();
    vec![p]
}

fn replace(root: &Path, rel: &str, from: &str, to: &str) -> Vec<PathBuf> {
    let p = root.join(rel);
    let text = std::fs::read_to_string(&p).unwrap();
    assert!(text.contains(from), "{rel} holds `{from}`");
    std::fs::write(&p, text.replacen(from, to, 1)).unwrap();
    vec![p]
}

fn remove(root: &Path, rel: &str) -> Vec<PathBuf> {
    let p = root.join(rel);
    std::fs::remove_file(&p).unwrap();
    vec![p]
}

fn edits() -> Vec<Edit> {
    vec![
        (
            "guide body",
            Box::new(|r: &Path| {
                replace(
                    r,
                    "pages/getting-started.md",
                    "five minutes",
                    "four minutes",
                )
            }),
        ),
        (
            "guide title",
            Box::new(|r: &Path| {
                replace(
                    r,
                    "pages/getting-started.md",
                    "title: Getting started",
                    "title: Start here",
                )
            }),
        ),
        (
            "guide heading and link",
            Box::new(|r: &Path| {
                replace(
                    r,
                    "pages/rate-limits.md",
                    "\n",
                    "\n\n## A new section\n\nSee [getting started](getting-started.md#what-the-responses-tell-you) and [a broken link](nowhere.md).\n",
                )
            }),
        ),
        (
            "new guide",
            Box::new(|r: &Path| {
                write(
                    r,
                    "pages/new/faq.md",
                    "---\ntitle: FAQ\nweight: 9\n---\n# FAQ\n\nQuestions.\n",
                )
            }),
        ),
        (
            "guide removed",
            Box::new(|r: &Path| remove(r, "pages/new/faq.md")),
        ),
        (
            "operation description",
            Box::new(|r: &Path| {
                replace(
                    r,
                    "apis/orders.yaml",
                    "A page of orders.",
                    "One page of orders, newest first.",
                )
            }),
        ),
        (
            "operation summary (navigation)",
            Box::new(|r: &Path| {
                replace(
                    r,
                    "apis/orders.yaml",
                    "summary: List orders",
                    "summary: List all orders",
                )
            }),
        ),
        (
            "API description",
            Box::new(|r: &Path| {
                replace(
                    r,
                    "apis/orders.yaml",
                    "Amounts are in minor units (cents).",
                    "Amounts are in cents.",
                )
            }),
        ),
        (
            "broken spec",
            Box::new(|r: &Path| replace(r, "apis/orders.yaml", "paths:\n", "paths: [\n")),
        ),
        (
            "spec fixed",
            Box::new(|r: &Path| replace(r, "apis/orders.yaml", "paths: [\n", "paths:\n")),
        ),
        (
            "spec $ref outside the project",
            Box::new(|r: &Path| {
                let mut changed = write(
                    &r.join("../shared"),
                    "note.yaml",
                    "type: object\ndescription: A shared note.\nproperties:\n  text: {type: string}\n",
                );
                changed.extend(replace(r, "apis/orders.yaml", "        \"201\":\n          description: The order was created.\n          content:\n            application/json:\n              schema:\n", "        \"201\":\n          description: The order was created.\n          headers:\n            X-Note:\n              schema:\n                $ref: '../../shared/note.yaml'\n          content:\n            application/json:\n              schema:\n"));
                changed
            }),
        ),
        (
            "shared $ref target edited",
            Box::new(|r: &Path| {
                replace(
                    &r.join("../shared"),
                    "note.yaml",
                    "A shared note.",
                    "A note shared by two teams.",
                )
                .into_iter()
                .map(|p| p.canonicalize().unwrap())
                .collect()
            }),
        ),
        (
            "new operation",
            Box::new(|r: &Path| {
                replace(
                    r,
                    "apis/orders.yaml",
                    "paths:\n",
                    "paths:\n  /orders/stats:\n    get:\n      operationId: orderStats\n      summary: Order statistics\n      tags: [orders]\n      responses:\n        \"200\":\n          description: Counts.\n",
                )
            }),
        ),
        (
            "package edited",
            Box::new(|r: &Path| replace(r, "packages/starter.yaml", "limit: 100", "limit: 250")),
        ),
        (
            "package added",
            Box::new(|r: &Path| {
                write(
                    r,
                    "packages/extra.yaml",
                    "name: Extra\nvisibility: public\noperations:\n  - api: myapi\n    method: GET\n    path: /anything\n",
                )
            }),
        ),
        (
            "broken package",
            Box::new(|r: &Path| write(r, "packages/extra.yaml", "name: [oops\n")),
        ),
        (
            "package removed",
            Box::new(|r: &Path| remove(r, "packages/extra.yaml")),
        ),
        (
            "portal.yaml title",
            Box::new(|r: &Path| {
                replace(
                    r,
                    "portal.yaml",
                    "title: Example Developer Portal",
                    "title: Example Portal",
                )
            }),
        ),
        (
            "portal.yaml base_url path",
            Box::new(|r: &Path| {
                replace(
                    r,
                    "portal.yaml",
                    "base_url: https://developer.example.com/",
                    "base_url: https://developer.example.com/docs/",
                )
            }),
        ),
        (
            "decK manifest",
            Box::new(|r: &Path| {
                replace(
                    r,
                    "gateway/kong.yaml",
                    "methods: [GET, POST]",
                    "methods: [GET]",
                )
            }),
        ),
        (
            "template override added",
            Box::new(|r: &Path| {
                write(
                    r,
                    "templates/page.html",
                    "{% extends \"theme/page.html\" %}{% block footer %}<p>Footer one</p>{% endblock %}",
                )
            }),
        ),
        (
            "template override edited",
            Box::new(|r: &Path| replace(r, "templates/page.html", "Footer one", "Footer two")),
        ),
        (
            "broken template",
            Box::new(|r: &Path| {
                replace(r, "templates/page.html", "{% endblock %}", "{% endblok %}")
            }),
        ),
        (
            "template fixed",
            Box::new(|r: &Path| {
                replace(r, "templates/page.html", "{% endblok %}", "{% endblock %}")
            }),
        ),
        (
            "static file added",
            Box::new(|r: &Path| write(r, "static/img/logo.svg", "<svg/>")),
        ),
        (
            "static file edited",
            Box::new(|r: &Path| write(r, "static/img/logo.svg", "<svg viewBox=\"0 0 1 1\"/>")),
        ),
        (
            "theme.css added (every page links it)",
            Box::new(|r: &Path| write(r, "static/theme.css", ":root{--accent:#c00}")),
        ),
        (
            "theme.css edited",
            Box::new(|r: &Path| write(r, "static/theme.css", ":root{--accent:#0c0}")),
        ),
        (
            "static file replacing a generated one",
            Box::new(|r: &Path| write(r, "static/robots.txt", "User-agent: *\nDisallow: /\n")),
        ),
        (
            "static replacement removed",
            Box::new(|r: &Path| remove(r, "static/robots.txt")),
        ),
        (
            "two kinds at once",
            Box::new(|r: &Path| {
                let mut c = replace(
                    r,
                    "pages/rate-limits.md",
                    "A new section",
                    "A renamed section",
                );
                c.extend(replace(
                    r,
                    "apis/myapi.yaml",
                    "openapi:",
                    "# edited\nopenapi:",
                ));
                c.extend(write(r, "static/img/logo.svg", "<svg/>"));
                c
            }),
        ),
        (
            "template override removed",
            Box::new(|r: &Path| remove(r, "templates/page.html")),
        ),
        (
            "an unrelated file",
            Box::new(|r: &Path| write(r, "NOTES.md", "not part of the portal")),
        ),
    ]
}

fn assert_same(step: &str, incremental: &Outcome, full: &Outcome) {
    let inc: Vec<String> = incremental.diags.iter().map(|d| format!("{d:?}")).collect();
    let all: Vec<String> = full.diags.iter().map(|d| format!("{d:?}")).collect();
    assert_eq!(inc, all, "{step}: diagnostics");
    assert_eq!(incremental.base_path, full.base_path, "{step}: base path");
    match (&incremental.site, &full.site) {
        (None, None) => {}
        (Some(a), Some(b)) => {
            let paths_a: Vec<&String> = a.keys().collect();
            let paths_b: Vec<&String> = b.keys().collect();
            assert_eq!(paths_a, paths_b, "{step}: the same files");
            for (path, bytes) in b {
                assert!(
                    a[path] == *bytes,
                    "{step}: `{path}` differs from a full build:\n--- incremental\n{}\n--- full\n{}",
                    String::from_utf8_lossy(&a[path]),
                    String::from_utf8_lossy(bytes)
                );
            }
        }
        (a, b) => panic!(
            "{step}: incremental {} but full {}",
            if a.is_some() { "succeeded" } else { "failed" },
            if b.is_some() { "succeeded" } else { "failed" }
        ),
    }
}

#[test]
fn incremental_rebuilds_equal_full_builds_byte_for_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("proj");
    copy_dir(&example(), &root);
    let root = root.canonicalize().unwrap();
    let mut builder = Builder::new(&root, ORIGIN, &[]);
    let first = builder.build(&[]).expect("the example loads");
    // The first build is what `build` renders with the same options.
    let opts = builder.render_options("https://developer.example.com/");
    let built = portalgen::pipeline::build(&root, &opts, false).unwrap();
    let outputs = built.checked.diags.iter().count();
    assert_eq!(outputs, first.diags.iter().count());
    let rendered = built.rendered.expect("the example renders");
    let site = first.site.as_ref().expect("the first build succeeds");
    assert_eq!(rendered.outputs.len(), site.len());
    for o in &rendered.outputs {
        assert!(
            site[&o.path] == o.bytes,
            "`{}` as `build` renders it",
            o.path
        );
    }
    let mut incremental_work = 0;
    for (step, edit) in edits() {
        let changed = edit(&root);
        let incremental = builder.build(&changed).expect(step);
        let full = Builder::new(&root, ORIGIN, &[]).build(&[]).expect(step);
        assert_same(step, &incremental, &full);
        if !incremental.rebuilt.starts_with("full build") {
            incremental_work += 1;
        }
    }
    // The steps really ran incrementally (a builder that always rebuilt in full would pass the
    // comparison too).
    assert_eq!(incremental_work, edits().len());
}

#[test]
fn a_guide_edit_renders_that_guide_and_what_lists_it_only() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("proj");
    copy_dir(&example(), &root);
    let root = root.canonicalize().unwrap();
    let mut builder = Builder::new(&root, ORIGIN, &[]);
    let first = builder.build(&[]).unwrap();
    let before = first.site.unwrap();
    let changed = replace(
        &root,
        "pages/getting-started.md",
        "five minutes",
        "four minutes",
    );
    let after = builder.build(&changed).unwrap();
    assert!(!after.rebuilt.contains("reloaded"), "{}", after.rebuilt);
    let site = after.site.unwrap();
    let differing: Vec<&String> = site
        .iter()
        .filter(|(p, b)| before.get(*p) != Some(*b))
        .map(|(p, _)| p)
        .collect();
    // The guide itself and the search index (it holds the guide's text); the description
    // ("five minutes" is in it) shows on the home page and in llms.txt.
    assert!(differing.contains(&&"guides/getting-started/index.html".to_string()));
    assert!(differing.contains(&&"search-index.json".to_string()));
    assert!(
        differing.len() <= 5,
        "only what shows the guide changed: {differing:?}"
    );
    // A spec edit reloads that API only.
    let changed = replace(
        &root,
        "apis/orders.yaml",
        "A page of orders.",
        "Orders, a page.",
    );
    let after = builder.build(&changed).unwrap();
    assert!(
        after.rebuilt.starts_with("reloaded API orders;"),
        "{}",
        after.rebuilt
    );
}
