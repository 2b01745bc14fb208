//! Golden files of today's output for the bundled example (`content/`), built and checked by
//! the real binary: the `<main>` element of one page of each page type (pretty-printed by
//! `common::pretty`), `check --format json`, and both export flavors. They prove that a
//! refactor of `src/` leaves the output as it was; an intended change re-blesses them (see
//! `tests/README.md`).

use std::path::Path;

use crate::common::*;

/// The `<main>` of `page` (a path in the output) of a fresh build of the bundled example.
fn main_of(page: &str) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    build_example(&out, &[]);
    let html = std::fs::read_to_string(out.join(page)).unwrap_or_else(|e| panic!("{page}: {e}"));
    redact_paths(
        &pretty_element(&html, "main"),
        &[(tmp.path(), "[TMP]"), (&example(), "[EXAMPLE]")],
    )
}

macro_rules! pages {
    ($($name:ident => $page:literal,)*) => {
        $(
            #[test]
            fn $name() {
                let main = main_of($page);
                golden_settings().bind(|| {
                    insta::assert_snapshot!(main);
                });
            }
        )*
    };
}

pages! {
    page_home => "index.html",
    page_api_catalog => "apis/index.html",
    page_api => "apis/orders/index.html",
    page_operation => "apis/orders/create-order/index.html",
    page_schemas => "apis/orders/schemas/index.html",
    page_package_catalog => "packages/index.html",
    page_package => "packages/company/index.html",
    page_guide => "guides/getting-started/index.html",
    page_not_found => "404.html",
}

/// The JSON document `check --format json` prints for the bundled example.
#[test]
fn check_json() {
    let project = example();
    let r = run(&["check", project.to_str().unwrap(), "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).expect("one JSON document");
    golden_settings().bind(|| {
        insta::assert_json_snapshot!(doc);
    });
}

fn export(flavor: &str) -> String {
    let project = example();
    let r = run(&["export", project.to_str().unwrap(), "--flavor", flavor]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    redact_paths(&r.stdout, &[(Path::new(&project), "[EXAMPLE]")])
}

/// `export --flavor konnect`: the manifest plus the global `ace` plugin.
#[test]
fn export_konnect_yaml() {
    let yaml = export("konnect");
    golden_settings().bind(|| {
        insta::assert_snapshot!(yaml);
    });
}

/// `export --flavor kong`: packages enforced with acl, key-auth and rate-limiting.
#[test]
fn export_kong_yaml() {
    let yaml = export("kong");
    golden_settings().bind(|| {
        insta::assert_snapshot!(yaml);
    });
}
