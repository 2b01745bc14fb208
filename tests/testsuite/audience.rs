//! Private content never leaks into a public build, and `--audience` brings it back. Tested as
//! an attacker would: every byte of every output file is searched (the search index's files
//! gunzipped first, as the browser reads them).

use crate::common::*;

/// Strings that identify the bundled example's private content.
const SECRETS: &[&str] = &[
    "Partner logistics",
    "partner-logistics",
    "Zephyr Freight",
    "/fulfillment/shipments",
    "dispatchPartnerShipment",
    "listPartnerShipments",
    "Fulfillment API",
    "Partner onboarding",
    "Request access to the",
    "Shipment",
    "Dispatch",
    "tracking",
];

#[test]
fn public_build_contains_no_trace_of_private_content() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    let r = build_example(&out, &[]);
    let files = read_tree(&out);
    assert!(files.len() > 10);
    // Every surface that lists content exists, so the search below is not vacuous.
    for surface in [
        "pagefind/pagefind-entry.json",
        "sitemap.xml",
        "llms.txt",
        "llms-full.txt",
        "apis/orders/create-order/index.md",
        "packages/company/openapi.json",
        "apis/orders/openapi.json",
    ] {
        assert!(files.contains_key(surface), "{surface} missing");
    }
    let index = crate::search::fragments(&out);
    assert!(
        index
            .values()
            .any(|f| f["meta"]["title"] == "Starter bundle"),
        "the search index holds the public package"
    );
    assert!(String::from_utf8_lossy(&files["llms-full.txt"]).contains("Place an order"));
    for (path, bytes) in &files {
        let bytes = if path.starts_with("pagefind/") {
            crate::search::pagefind_bytes(bytes)
        } else {
            bytes.clone()
        };
        let text = String::from_utf8_lossy(&bytes).to_lowercase();
        for s in SECRETS {
            assert!(!text.contains(&s.to_lowercase()), "`{s}` leaks in {path}");
        }
        assert!(
            !path.contains("partner") && !path.contains("fulfillment"),
            "leaking path {path}"
        );
    }
    // The build explains what it left out.
    assert!(
        r.stderr.contains("left out package `partner-logistics`"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("--audience partners"), "{}", r.stderr);
}

#[test]
fn audience_build_shows_the_team_content() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    build_example(&out, &["--audience", "partners"]);
    let pkg = std::fs::read_to_string(out.join("packages/partner-logistics/index.html")).unwrap();
    assert!(pkg.contains("Zephyr Freight"));
    assert!(pkg.contains("/fulfillment/shipments"));
    assert!(out.join("apis/fulfillment/index.html").is_file());
    assert!(out.join("guides/partners/onboarding/index.html").is_file());
    let sitemap = std::fs::read_to_string(out.join("sitemap.xml")).unwrap();
    assert!(sitemap.contains("packages/partner-logistics/"));
    // The team's build finds, names and describes its content everywhere else too.
    let index = crate::search::fragments(&out);
    assert!(
        index.keys().any(|u| u.starts_with("apis/fulfillment/")),
        "{:?}",
        index.keys()
    );
    let llms = std::fs::read_to_string(out.join("llms.txt")).unwrap();
    assert!(llms.contains("Fulfillment API"), "{llms}");
    assert!(
        std::fs::read_to_string(out.join("llms-full.txt"))
            .unwrap()
            .contains("Partner onboarding")
    );
    // A team's build is not for search engines.
    assert_eq!(
        std::fs::read_to_string(out.join("robots.txt")).unwrap(),
        "User-agent: *\nDisallow: /\n"
    );
    assert!(pkg.contains(r#"<meta name="robots" content="noindex, nofollow">"#));
}

#[test]
fn a_team_build_never_names_other_teams() {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&example(), tmp.path());
    let pkg = tmp.path().join("packages/partner-logistics.yaml");
    let text = std::fs::read_to_string(&pkg).unwrap().replace(
        "teams: [partners]",
        "teams: [partners, acme-secret-customer]",
    );
    std::fs::write(&pkg, text).unwrap();
    let r = run(&[
        "build",
        tmp.path().to_str().unwrap(),
        "--audience",
        "partners",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for (path, bytes) in read_tree(&tmp.path().join("public")) {
        assert!(
            !String::from_utf8_lossy(&bytes).contains("acme-secret-customer"),
            "another team's name in {path}"
        );
    }
}

#[test]
fn audience_names_are_checked() {
    let r = run(&[
        "build",
        example().to_str().unwrap(),
        "-o",
        "/tmp/never-written",
        "--audience",
        "Partners!",
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("is not a team name"), "{}", r.stderr);
    assert!(!std::path::Path::new("/tmp/never-written").exists());
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    let r = build_example(&out, &["--audience", "partnres"]);
    assert!(
        r.stderr.contains("warning[unknown-audience]"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("`partners`"), "{}", r.stderr);
}

#[test]
fn private_api_exposed_by_a_public_package_shows_only_those_operations() {
    let tmp = tempfile::tempdir().unwrap();
    minimal_project(tmp.path());
    write_files(
        tmp.path(),
        &[
            (
                "portal.yaml",
                "title: T\nbase_url: https://example.com/\napis:\n  pets:\n    visibility: private\n    teams: [staff]\n",
            ),
            (
                "packages/basic.yaml",
                "name: Basic\nvisibility: public\noperations:\n  - api: pets\n    operation_id: listPets\n",
            ),
        ],
    );
    let out = tmp.path().join("public");
    let r = run(&["build", tmp.path().to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let api = std::fs::read_to_string(out.join("apis/pets/index.html")).unwrap();
    assert!(api.contains("/pets"));
    assert!(!api.contains("/pets/{id}"), "private operation listed");
    assert!(!out.join("apis/pets/get-pet/index.html").exists());
    assert!(
        r.stderr
            .contains("only the 1 of its 2 operations that visible packages expose are shown"),
        "{}",
        r.stderr
    );
    let all = read_tree(&out);
    for (path, bytes) in &all {
        assert!(
            !String::from_utf8_lossy(bytes).contains("getPet"),
            "private operation leaks in {path}"
        );
    }
}

#[test]
fn links_to_private_pages_are_dropped_from_public_guides() {
    let tmp = tempfile::tempdir().unwrap();
    minimal_project(tmp.path());
    write_files(
        tmp.path(),
        &[
            (
                "pages/secret/plan.md",
                "---\ntitle: Plan\nvisibility: private\nteams: [staff]\n---\nSecret plan.\n",
            ),
            (
                "pages/links.md",
                "---\ntitle: Links\n---\nSee [the plan](secret/plan.md) or [the plan again](../secret/plan/).\nMail <support@example.com>, text [us](sms:+123), read [intro](intro.md).\n",
            ),
            ("pages/only-title.md", "# Only title"),
        ],
    );
    let r = run(&["build", tmp.path().to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let html = std::fs::read_to_string(tmp.path().join("public/guides/links/index.html")).unwrap();
    assert!(
        !html.contains("secret/plan"),
        "private page named by URL: {html}"
    );
    assert!(
        html.contains("See the plan or the plan again."),
        "link text kept: {html}"
    );
    assert!(
        html.contains("mailto:support@example.com") && html.contains("sms:+123"),
        "{html}"
    );
    // Two broken links (the private page, twice); email and sms links are fine.
    assert_eq!(
        r.stderr.matches("warning[broken-link]").count(),
        2,
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("--> pages/links.md:4:5"), "{}", r.stderr);
    assert!(
        tmp.path()
            .join("public/guides/only-title/index.html")
            .is_file()
    );
    // The team's build links them.
    let out = tmp.path().join("staff");
    let r = run(&[
        "build",
        tmp.path().to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--audience",
        "staff",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let html = std::fs::read_to_string(out.join("guides/links/index.html")).unwrap();
    assert!(
        html.contains(r#"href="../../guides/secret/plan/""#),
        "{html}"
    );
}

#[test]
fn html_comments_in_descriptions_never_reach_readers() {
    let tmp = tempfile::tempdir().unwrap();
    minimal_project(tmp.path());
    let api = std::fs::read_to_string(tmp.path().join("apis/pets.yaml"))
        .unwrap()
        .replace("summary: List pets", "summary: List pets\n      description: \"Lists pets. <!-- internal:\\n\\nsecret-token-xyz -->\"");
    std::fs::write(tmp.path().join("apis/pets.yaml"), api).unwrap();
    let r = run(&["build", tmp.path().to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let files = read_tree(&tmp.path().join("public"));
    let index = crate::search::fragments(&tmp.path().join("public"));
    assert!(
        index["apis/pets/list-pets/"]["content"]
            .as_str()
            .unwrap()
            .contains("Lists pets."),
        "{:?}",
        index.keys()
    );
    for (path, bytes) in files {
        let bytes = if path.starts_with("pagefind/") {
            crate::search::pagefind_bytes(&bytes)
        } else {
            bytes
        };
        assert!(
            !String::from_utf8_lossy(&bytes).contains("secret-token-xyz"),
            "comment leaks in {path}"
        );
    }
}
