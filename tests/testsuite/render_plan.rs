//! The render plan's rules through the real binary on real projects: what would make `build`
//! refuse its output is reported by `check` as well, each problem exactly once, and `build`
//! writes nothing (instead of dying halfway with an IO error).

use crate::common::*;

fn project() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    minimal_project(tmp.path());
    tmp
}

fn check(dir: &std::path::Path, extra: &[&str]) -> Run {
    let mut args = vec!["check", dir.to_str().unwrap()];
    args.extend_from_slice(extra);
    run(&args)
}

fn build(dir: &std::path::Path, out: &std::path::Path) -> Run {
    run(&["build", dir.to_str().unwrap(), "-o", out.to_str().unwrap()])
}

#[test]
fn a_static_file_where_the_portal_needs_a_folder_is_an_output_clash() {
    let tmp = project();
    // `apis/pets` as a file, where `apis/pets/index.html` needs a folder: no file system
    // holds both (the build used to die writing with "Is a directory", exit 2).
    write_files(tmp.path(), &[("static/apis/pets", "not a folder\n")]);
    let out = tmp.path().join("site");
    for r in [check(tmp.path(), &[]), build(tmp.path(), &out)] {
        assert_eq!(r.code, 1, "{}", r.stderr);
        assert_eq!(
            r.stderr.matches("error[output-clash]").count(),
            1,
            "{}",
            r.stderr
        );
        assert!(
            r.stderr.contains(
                "`apis/pets` would be both a file (`static/apis/pets`) and a folder holding `apis/pets/"
            ),
            "{}",
            r.stderr
        );
        assert!(r.stderr.contains("--> static/apis/pets"), "{}", r.stderr);
    }
    assert!(!out.exists(), "nothing is written");
}

#[test]
fn a_static_file_may_still_replace_a_generated_one() {
    let tmp = project();
    write_files(
        tmp.path(),
        &[("static/apis/index.html", "<p>our own catalog</p>\n")],
    );
    let out = tmp.path().join("site");
    let r = build(tmp.path(), &out);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains("output-clash"), "{}", r.stderr);
    assert_eq!(
        std::fs::read_to_string(out.join("apis/index.html")).unwrap(),
        "<p>our own catalog</p>\n"
    );
    let r = check(tmp.path(), &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

/// The folders directly below `dir` whose names are longer than `min` bytes.
fn long_folders(dir: &std::path::Path, min: usize) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.len() > min)
        .collect()
}

#[test]
fn an_operation_id_too_long_for_a_file_name_gets_a_bounded_name_in_check_and_build() {
    let tmp = project();
    // Two long ids that differ only at the end: their pages must not collide.
    let long_a = format!("{}A", "a".repeat(300));
    let long_b = format!("{}B", "a".repeat(300));
    write_files(
        tmp.path(),
        &[(
            "apis/pets.yaml",
            &format!(
                "openapi: 3.0.3\ninfo:\n  title: Pets\n  version: '1'\nservers:\n  - url: https://api.example.com\npaths:\n  /pets:\n    get:\n      summary: List pets\n      operationId: {long_a}\n      responses:\n        '200':\n          description: ok\n    post:\n      operationId: {long_b}\n      responses:\n        '200':\n          description: ok\n"
            ),
        )],
    );
    let r = check(tmp.path(), &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out = tmp.path().join("site");
    let r = build(tmp.path(), &out);
    assert_eq!(r.code, 0, "built, not refused: {}", r.stderr);
    assert!(!r.stderr.contains("File name too long"), "{}", r.stderr);
    let pets = out.join("apis/pets");
    let mut names = long_folders(&pets, 100);
    names.sort();
    assert_eq!(names.len(), 2, "two distinct bounded folders: {names:?}");
    for n in &names {
        assert!(n.len() <= 200, "{n}");
        assert!(
            n.starts_with("aaaaaaaa"),
            "the name starts as the id does: {n}"
        );
        assert!(pets.join(n).join("index.html").is_file());
    }
    // The API page links to the pages where they are; the sitemap lists them.
    let api_page = std::fs::read_to_string(pets.join("index.html")).unwrap();
    let sitemap = std::fs::read_to_string(out.join("sitemap.xml")).unwrap();
    for n in &names {
        assert!(api_page.contains(&format!("{n}/")), "{n}");
        assert!(sitemap.contains(&format!("apis/pets/{n}/")), "{n}");
    }
    // The same names on the next build.
    let out2 = tmp.path().join("site2");
    assert_eq!(build(tmp.path(), &out2).code, 0);
    let mut again = long_folders(&out2.join("apis/pets"), 100);
    again.sort();
    assert_eq!(names, again);
}

#[test]
fn a_package_slug_too_long_for_a_file_name_gets_one_bounded_folder_for_its_three_files() {
    let tmp = project();
    let slug = "p".repeat(256);
    write_files(
        tmp.path(),
        &[(
            "packages/basic.yaml",
            &format!(
                "name: Basic\nslug: {slug}\nvisibility: public\noperations:\n  - api: pets\n    method: GET\n    path: /pets\n"
            ),
        )],
    );
    assert_eq!(check(tmp.path(), &[]).code, 0);
    let out = tmp.path().join("site");
    let r = build(tmp.path(), &out);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let names = long_folders(&out.join("packages"), 100);
    assert_eq!(names.len(), 1, "{names:?}");
    let folder = out.join("packages").join(&names[0]);
    for file in ["index.html", "openapi.json", "postman.json"] {
        assert!(folder.join(file).is_file(), "{file}");
    }
}

#[test]
fn two_guides_on_one_url_are_a_duplicate_page_in_check_and_build() {
    let tmp = project();
    write_files(
        tmp.path(),
        &[
            ("pages/setup.md", "# Setup\n"),
            ("pages/setup/index.md", "# Setup again\n"),
        ],
    );
    let out = tmp.path().join("site");
    for r in [check(tmp.path(), &[]), build(tmp.path(), &out)] {
        assert_eq!(r.code, 1, "{}", r.stderr);
        assert_eq!(
            r.stderr.matches("error[duplicate-page]").count(),
            1,
            "{}",
            r.stderr
        );
        assert!(
            r.stderr
                .contains("two pages would be written to `guides/setup/`"),
            "{}",
            r.stderr
        );
        assert!(
            !r.stderr.contains("output-clash"),
            "reported once, as duplicate-page: {}",
            r.stderr
        );
    }
    assert!(!out.exists());
}

#[test]
fn a_private_guide_on_a_public_guides_url_is_a_duplicate_page_too() {
    // Some audience's build would write both, so every build and check refuses it.
    let tmp = project();
    write_files(
        tmp.path(),
        &[
            ("pages/plan.md", "# Plan\n"),
            (
                "pages/plan/index.md",
                "---\nvisibility: private\nteams: [partners]\n---\n# Partner plan\n",
            ),
        ],
    );
    let r = check(tmp.path(), &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(r.stderr.matches("error[duplicate-page]").count(), 1);
}

#[test]
fn check_finds_broken_guide_links_and_build_reports_them_once() {
    let tmp = project();
    write_files(
        tmp.path(),
        &[(
            "pages/intro.md",
            "---\ntitle: Intro\n---\n# Intro\n\nSee [the package](../../packages/basic/), [gone](missing.md)\nand [a typo](../../pakages/basic/).\n",
        )],
    );
    let r = check(tmp.path(), &[]);
    assert_eq!(r.code, 0, "warnings only: {}", r.stderr);
    assert_eq!(
        r.stderr.matches("warning[broken-link]").count(),
        2,
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("`missing.md` links to no page of this build"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("--> pages/intro.md:6:43"), "{}", r.stderr);
    assert!(r.stderr.contains("--> pages/intro.md:7:5"), "{}", r.stderr);
    let strict = check(tmp.path(), &["--strict"]);
    assert_eq!(strict.code, 1, "{}", strict.stderr);

    let out = tmp.path().join("site");
    let r = build(tmp.path(), &out);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stderr.matches("warning[broken-link]").count(),
        2,
        "exactly once each: {}",
        r.stderr
    );
    let html = std::fs::read_to_string(out.join("guides/intro/index.html")).unwrap();
    assert!(html.contains(r#"href="../../packages/basic/""#), "{html}");
    assert!(
        html.contains(" gone\nand a typo."),
        "unlinked, text kept: {html}"
    );
    // Without `serve`, no page carries the live-reload client.
    assert!(!html.contains("EventSource"), "{html}");
}

#[test]
fn links_to_planned_downloads_and_static_files_are_not_broken() {
    let tmp = project();
    write_files(
        tmp.path(),
        &[
            ("static/files/terms.pdf", "%PDF-1.4\n"),
            (
                "pages/intro.md",
                "# Intro\n\n[OpenAPI](../../packages/basic/openapi.json), [Postman](../../apis/pets/postman.json),\n[terms](../../files/terms.pdf), [sitemap](../../sitemap.xml), [schemas](../../apis/pets/schemas).\n",
            ),
        ],
    );
    let r = check(tmp.path(), &["--strict"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains("broken-link"), "{}", r.stderr);
}

/// The `content` of every `<meta name="description">` and `og:description` of `html`.
fn meta_descriptions(html: &str) -> Vec<String> {
    let doc = scraper::Html::parse_document(html);
    let sel =
        scraper::Selector::parse(r#"meta[name="description"], meta[property="og:description"]"#)
            .unwrap();
    doc.select(&sel)
        .filter_map(|m| m.value().attr("content").map(str::to_string))
        .collect()
}

#[test]
fn meta_descriptions_are_cut_at_about_160_characters_on_every_page() {
    let tmp = project();
    let long = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. ".repeat(200);
    write_files(
        tmp.path(),
        &[
            (
                "portal.yaml",
                &format!(
                    "title: Test portal\nbase_url: https://example.com/dev/\ndescription: {long}\nauth_strategies:\n  - name: key-auth\n    type: key_auth\n    key_names: [apikey]\n"
                ),
            ),
            (
                "pages/intro.md",
                &format!("---\ntitle: Intro\ndescription: {long}\n---\n# Intro\n"),
            ),
        ],
    );
    let out = tmp.path().join("out");
    let r = build(tmp.path(), &out);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mut seen = 0;
    for (path, bytes) in read_tree(&out) {
        if !path.ends_with(".html") {
            continue;
        }
        for content in meta_descriptions(&String::from_utf8_lossy(&bytes)) {
            seen += 1;
            let n = content.chars().count();
            assert!(n <= 160, "{path}: a meta description of {n} characters");
            // A page with a short description of its own (the API catalog's) is not cut.
            if content.starts_with("Lorem") {
                assert!(n >= 100, "{path}: cut too short ({n}): {content}");
                assert!(content.ends_with('…'), "{path}: cut without an ellipsis");
            }
        }
    }
    assert!(seen >= 4, "only {seen} meta descriptions found");
}
