//! Guides as readers and editors meet them: GitHub alerts, heading anchor links, footnotes
//! with their own ids and back-links, labelled task-list checkboxes, highlighted and
//! keyboard-focusable code blocks, a table of contents at every width, and links to missing anchors reported at their
//! line by `check` and `build` alike. Checked on the built HTML with a real HTML parser.

use scraper::{Html, Selector};

use crate::common::*;

const GUIDE: &str = "---
title: Webhooks
---
# Webhooks

Intro text.[^retry]

> [!NOTE]
> Deliveries are signed.

> [!WARNING]
> Rotate the secret after a leak.

> [!TIP]
> Use a queue.

> [!IMPORTANT]
> Answer within 5 seconds.

> [!CAUTION]
> Deleting a hook is final.

> A plain quote.

## Retries

Failed deliveries are retried.[^retry] See the [keys](authentication.md#keys), the
[real keys](authentication.md#api-keys), [this](#nope), [retries](#retries), [top](#)
and [the note](#fn-retry).

- [x] Verify the signature
- [ ] Store the event id

```json
{\"id\": 1}
```

```sh
curl -H 'apikey: KEY' https://api.example.com/hooks # list <hooks>
```

```unknown-lang
a <b> & c
```

## Retries

Same title twice.

[^retry]: Up to 5 times, with backoff.
";

const AUTH: &str = "---
title: Authentication
---
# Authentication

## API keys

Send the key in the `apikey` header.
";

fn project() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    minimal_project(tmp.path());
    write_files(
        tmp.path(),
        &[
            ("pages/webhooks.md", GUIDE),
            ("pages/authentication.md", AUTH),
        ],
    );
    tmp
}

fn built_page(tmp: &tempfile::TempDir) -> Html {
    let r = run(&["build", tmp.path().to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let html =
        std::fs::read_to_string(tmp.path().join("public/guides/webhooks/index.html")).unwrap();
    Html::parse_document(&html)
}

fn select<'a>(doc: &'a Html, css: &str) -> Vec<scraper::ElementRef<'a>> {
    doc.select(&Selector::parse(css).unwrap()).collect()
}

fn text(e: &scraper::ElementRef<'_>) -> String {
    e.text()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn github_alerts_have_their_own_look_and_title() {
    let tmp = project();
    let doc = built_page(&tmp);
    for (kind, title, body) in [
        ("note", "Note", "Deliveries are signed."),
        ("warning", "Warning", "Rotate the secret"),
        ("tip", "Tip", "Use a queue."),
        ("important", "Important", "Answer within"),
        ("caution", "Caution", "Deleting a hook"),
    ] {
        let alerts = select(&doc, &format!(".prose .alert.alert-{kind}[role=note]"));
        assert_eq!(alerts.len(), 1, "one {kind} alert");
        let t = select(&doc, &format!(".alert-{kind} > .alert-title"));
        assert_eq!(text(&t[0]), title);
        assert!(text(&alerts[0]).contains(body), "{}", text(&alerts[0]));
        assert!(!text(&alerts[0]).contains("[!"), "marker left in the text");
    }
    // A plain quote stays a quote.
    let quotes = select(&doc, ".prose blockquote");
    assert_eq!(quotes.len(), 1);
    assert_eq!(text(&quotes[0]), "A plain quote.");
}

#[test]
fn headings_have_anchor_links_and_unique_ids() {
    let tmp = project();
    let doc = built_page(&tmp);
    let h2 = select(&doc, ".prose > h2");
    assert_eq!(h2.len(), 2);
    assert_eq!(h2[0].value().attr("id"), Some("retries"));
    assert_eq!(h2[1].value().attr("id"), Some("retries-1"));
    for h in &h2 {
        let id = h.value().attr("id").unwrap();
        let a = select(&doc, &format!("h2#{id} > a.heading-anchor"));
        assert_eq!(a.len(), 1, "anchor link in #{id}");
        assert_eq!(a[0].value().attr("href"), Some(format!("#{id}").as_str()));
        assert_eq!(
            a[0].value().attr("aria-label"),
            Some("Link to this section: Retries")
        );
    }
    // The table of contents lists the heading text only (not the anchor's `#`).
    let toc: Vec<String> = select(&doc, "aside.toc li a").iter().map(text).collect();
    assert_eq!(toc, ["Retries", "Retries"]);
}

#[test]
fn the_table_of_contents_is_reachable_at_every_width() {
    let tmp = project();
    let doc = built_page(&tmp);
    // The wide-screen column and a collapsible copy in the content for narrower screens.
    assert_eq!(select(&doc, "aside.toc").len(), 1);
    let inline = select(&doc, "main details.toc-inline");
    assert_eq!(inline.len(), 1);
    let links: Vec<&str> = select(&doc, "main details.toc-inline a")
        .iter()
        .filter_map(|a| a.value().attr("href"))
        .collect();
    assert_eq!(links, ["#retries", "#retries-1"]);
    // The stylesheet hides the inline copy only where the column shows, and no longer hides
    // the column's contents below 1200 px without a replacement.
    let css = std::fs::read_to_string(tmp.path().join("public/assets/style.css")).unwrap();
    assert!(css.contains("@media (min-width: 1200px) { .toc-inline { display: none; } }"));
}

#[test]
fn footnotes_have_named_ids_and_links_back_to_every_reference() {
    let tmp = project();
    let doc = built_page(&tmp);
    let refs = select(&doc, "sup.footnote-ref a");
    assert_eq!(refs.len(), 2, "two references to one note");
    assert_eq!(refs[0].value().attr("href"), Some("#fn-retry"));
    assert_eq!(refs[0].value().attr("id"), Some("fnref-retry"));
    assert_eq!(refs[1].value().attr("id"), Some("fnref-retry-2"));
    assert_eq!(text(&refs[0]), "1");
    assert!(select(&doc, "[id='1']").is_empty(), "no numeric id");
    let note = select(&doc, "section.footnotes li#fn-retry");
    assert_eq!(note.len(), 1);
    assert!(text(&note[0]).contains("Up to 5 times, with backoff."));
    let backs: Vec<&str> = select(&doc, "li#fn-retry a.footnote-backref")
        .iter()
        .filter_map(|a| a.value().attr("href"))
        .collect();
    assert_eq!(backs, ["#fnref-retry", "#fnref-retry-2"]);
    for b in select(&doc, "li#fn-retry a.footnote-backref") {
        assert!(
            b.value()
                .attr("aria-label")
                .is_some_and(|l| l.starts_with("Back to reference 1"))
        );
    }
}

#[test]
fn task_list_checkboxes_are_labelled_by_their_item() {
    let tmp = project();
    let doc = built_page(&tmp);
    let boxes = select(&doc, "li.task-list-item > input[type=checkbox]");
    assert_eq!(boxes.len(), 2);
    let labels: Vec<String> = boxes
        .iter()
        .map(|b| {
            let id = b.value().attr("aria-labelledby").expect("labelled");
            text(&select(&doc, &format!("#{id}"))[0])
        })
        .collect();
    assert_eq!(labels, ["Verify the signature", "Store the event id"]);
    assert!(boxes[0].value().attr("checked").is_some());
    assert!(boxes[1].value().attr("checked").is_none());
    assert!(boxes.iter().all(|b| b.value().attr("disabled").is_some()));
}

#[test]
fn code_blocks_are_keyboard_focusable() {
    let tmp = project();
    let doc = built_page(&tmp);
    let pres = select(&doc, ".prose pre");
    assert_eq!(pres.len(), 3);
    assert!(pres.iter().all(|p| p.value().attr("tabindex") == Some("0")));
    let css = std::fs::read_to_string(tmp.path().join("public/assets/style.css")).unwrap();
    assert!(css.contains(".prose pre:focus-visible"), "visible focus");
}

#[test]
fn links_to_missing_anchors_are_warnings_at_their_line_in_check_and_build() {
    let tmp = project();
    let check = run(&["check", tmp.path().to_str().unwrap()]);
    assert_eq!(check.code, 0, "warnings only: {}", check.stderr);
    let build = run(&["build", tmp.path().to_str().unwrap()]);
    assert_eq!(build.code, 0, "{}", build.stderr);
    let at = |needle: &str| {
        let i = GUIDE.find(needle).unwrap();
        let line = GUIDE[..i].matches('\n').count() + 1;
        let col = i - GUIDE[..i].rfind('\n').map(|n| n + 1).unwrap_or(0) + 1;
        format!("pages/webhooks.md:{line}:{col}")
    };
    for out in [&check.stderr, &build.stderr] {
        assert!(
            out.contains("warning[broken-anchor]: `authentication.md#keys` points at `#keys`"),
            "{out}"
        );
        assert!(out.contains(&at("[keys](authentication.md#keys)")), "{out}");
        assert!(out.contains("did you mean `#api-keys`?"), "{out}");
        assert!(out.contains("`#nope` points at `#nope`"), "{out}");
        assert!(out.contains(&at("[this](#nope)")), "{out}");
        // Valid anchors are not reported: a heading of the other page, of this page, a
        // footnote, and `#` alone.
        assert_eq!(out.matches("broken-anchor").count(), 2, "{out}");
    }
    let json = run(&["check", tmp.path().to_str().unwrap(), "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let anchors: Vec<&serde_json::Value> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "broken-anchor")
        .collect();
    assert_eq!(anchors.len(), 2);
    assert_eq!(anchors[0]["file"], "pages/webhooks.md");
    let line = GUIDE[..GUIDE.find("[keys]").unwrap()].matches('\n').count() + 1;
    assert_eq!(anchors[0]["line"], line);
    // The link itself stays: the page exists.
    let html =
        std::fs::read_to_string(tmp.path().join("public/guides/webhooks/index.html")).unwrap();
    assert!(
        html.contains(r#"href="../../guides/authentication/#keys""#),
        "{html}"
    );
    // --strict turns them into a failure, like every warning.
    let strict = run(&["check", tmp.path().to_str().unwrap(), "--strict"]);
    assert_eq!(strict.code, 1);
}

#[test]
fn code_blocks_are_highlighted_by_their_fence_language_with_their_text_kept() {
    let tmp = project();
    let doc = built_page(&tmp);
    let code = |lang: &str| {
        select(&doc, &format!(".prose pre > code.language-{lang}"))
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("a {lang} block"))
    };
    for (lang, written, class) in [
        ("json", "{\"id\": 1}\n", "hl-number"),
        (
            "sh",
            "curl -H 'apikey: KEY' https://api.example.com/hooks # list <hooks>\n",
            "hl-comment",
        ),
    ] {
        let block = code(lang);
        // The text reads exactly as written (highlighting only wraps it in spans).
        assert_eq!(block.text().collect::<String>(), written, "{lang}");
        let classes: Vec<&str> = block
            .select(&Selector::parse("span").unwrap())
            .filter_map(|s| s.value().attr("class"))
            .collect();
        assert!(classes.contains(&class), "{lang}: {classes:?}");
        assert!(classes.iter().all(|c| c.starts_with("hl-")), "{classes:?}");
    }
    // A language the highlighter does not know is shown as written, escaped, without spans.
    let other = code("unknown-lang");
    assert_eq!(other.text().collect::<String>(), "a <b> & c\n");
    assert_eq!(other.select(&Selector::parse("span").unwrap()).count(), 0);
    // The theme colours the classes.
    let css = std::fs::read_to_string(tmp.path().join("public/assets/style.css")).unwrap();
    assert!(
        css.contains(".hl-comment"),
        "highlight colours in the theme"
    );
}

/// Runs tests/js/guides.test.mjs in real Chromium on the fixture's guide and the example's
/// guides: axe-core, overflow and console at 390 and 1280 px in light and dark, the table of
/// contents at both widths, keyboard reach of code blocks and anchor links.
#[test]
fn guides_pass_axe_and_work_at_every_width_in_a_real_browser() {
    let js = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/js");
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !js.join("node_modules/playwright-core").is_dir()
        || !js.join("node_modules/axe-core").is_dir()
    {
        return skip("guides browser test: tests/js/node_modules is missing (run scripts/test.sh)");
    }
    if !std::path::Path::new(&chromium).exists() {
        return skip(&format!("guides browser test: {chromium} is missing"));
    }
    let tmp = project();
    // The example's guides beside the fixture's, in one portal.
    for entry in std::fs::read_dir(example().join("pages")).unwrap() {
        let entry = entry.unwrap();
        let to = tmp.path().join("pages").join(entry.file_name());
        if entry.path().is_file() && !to.exists() {
            std::fs::copy(entry.path(), to).unwrap();
        }
    }
    let r = run(&["build", tmp.path().to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let site = tmp.path().join("public");
    let mut guides = vec!["guides/webhooks/".to_string()];
    for entry in std::fs::read_dir(site.join("guides")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().to_string();
        if name != "webhooks" {
            guides.push(format!("guides/{name}/"));
        }
    }
    assert!(guides.len() > 2, "{guides:?}");
    let out = std::process::Command::new("node")
        .args(["--test", "--test-reporter=spec", "guides.test.mjs"])
        .current_dir(&js)
        .env("PORTALGEN_SITE", &site)
        .env("PORTALGEN_GUIDES", guides.join(","))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "guides browser tests failed:\n{stdout}\n{stderr}"
    );
    assert!(
        stdout.contains("skipped 0") || !stdout.contains("skipped"),
        "{stdout}"
    );
}
