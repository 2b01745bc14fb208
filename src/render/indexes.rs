//! The machine-readable indexes of a build: `search-index.json` for the theme's search box,
//! `llms.txt` for assistants and `robots.txt` for crawlers. Built from the visible set like
//! every page, so private content can neither be found nor named.

use serde_json::{Value, json};

use crate::model::audience::Visible;
use crate::render::markdown;
use crate::render::urls;
use crate::render::views::{SiteViews, summary_text};

/// `robots.txt`: a build for a team is not for search engines.
pub fn robots_txt(visible: &Visible, base_url: &str) -> String {
    if visible.audiences.is_empty() {
        format!(
            "User-agent: *\nAllow: /\nSitemap: {base_url}{}\n",
            urls::SITEMAP
        )
    } else {
        "User-agent: *\nDisallow: /\n".to_string()
    }
}

/// The search index: one entry per visible page (APIs, operations, packages, guides), loaded
/// by the theme's search box on first use. Built from the visible set like everything else,
/// so private content cannot be found.
pub fn search_index(views: &SiteViews<'_>) -> Vec<u8> {
    let portal = views.portal;
    let clip = |s: String| -> String {
        let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
        match s.char_indices().nth(180) {
            Some((i, _)) => format!("{}…", &s[..i]),
            None => s,
        }
    };
    let mut entries: Vec<Value> = Vec::new();
    for (ai, api) in portal.api_ids() {
        if !views.visible.api(ai) {
            continue;
        }
        let desc = api
            .description
            .as_deref()
            .map(|d| clip(markdown::to_text(d)))
            .unwrap_or_default();
        entries.push(json!({ "k": "api", "t": api.title, "u": urls::api(&api.slug), "s": desc }));
        for (_, ops) in &views.nav_groups[ai.index()] {
            for oi in ops {
                let o = &api.operations[*oi];
                let text = [
                    o.operation_id.clone(),
                    o.description.as_deref().map(markdown::to_text),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
                entries.push(json!({
                    "k": "operation",
                    "t": o.summary.clone().unwrap_or_else(|| format!("{} {}", o.method, o.path)),
                    "u": urls::operation(&api.slug, &o.slug),
                    "m": o.method.as_str(),
                    "p": o.path,
                    "a": api.title,
                    "s": clip(text),
                }));
            }
        }
    }
    for p in views.visible.packages.iter().map(|id| portal.package(*id)) {
        let desc = p
            .description
            .as_deref()
            .map(|d| clip(markdown::to_text(d)))
            .unwrap_or_default();
        entries
            .push(json!({ "k": "package", "t": p.name, "u": urls::package(&p.slug), "s": desc }));
    }
    for (gi, url) in &views.guides {
        let g = portal.page(*gi);
        let text = format!(
            "{} {}",
            g.description.clone().unwrap_or_default(),
            markdown::to_text(&g.body)
        );
        entries.push(json!({ "k": "guide", "t": g.title, "u": url, "s": clip(text) }));
    }
    let mut bytes = serde_json::to_vec(&Value::Array(entries)).expect("JSON serializes");
    bytes.push(b'\n');
    bytes
}

/// `llms.txt` (llmstxt.org): the portal's visible content as a markdown index with absolute
/// links, so assistants can find the API reference without crawling.
pub fn llms_txt(views: &SiteViews<'_>, base_url: &str) -> String {
    let portal = views.portal;
    let mut s = format!("# {}\n\n", portal.config.title);
    if let Some(d) = &views.site.description {
        s.push_str(&format!("> {d}\n\n"));
    }
    let line = |title: &str, url: &str, desc: &str| {
        if desc.is_empty() {
            format!("- [{title}]({base_url}{url})\n")
        } else {
            format!("- [{title}]({base_url}{url}): {desc}\n")
        }
    };
    let apis = views.api_cards();
    if !apis.is_empty() {
        s.push_str("## APIs\n\n");
        for a in &apis {
            let (_, api) = portal.api_by_slug(&a.slug).expect("visible API exists");
            let desc = api
                .description
                .as_deref()
                .map(summary_text)
                .unwrap_or_default();
            s.push_str(&line(&a.title, &a.url, &desc));
            s.push_str(&line(
                &format!("{} OpenAPI document", a.title),
                &urls::openapi_download(&a.url),
                "",
            ));
        }
        s.push('\n');
    }
    let packages = views.package_cards();
    if !packages.is_empty() {
        s.push_str("## API packages\n\n");
        for p in &packages {
            let pkg = portal
                .packages
                .iter()
                .find(|x| x.slug == p.slug)
                .expect("visible package exists");
            let mut desc = pkg
                .description
                .as_deref()
                .map(summary_text)
                .unwrap_or_default();
            if let Some(w) = &p.rate_limit_words {
                desc = format!("{desc} ({w} per application)").trim().to_string();
            }
            s.push_str(&line(&p.name, &p.url, &desc));
        }
        s.push('\n');
    }
    let guides = views.guide_cards();
    if !guides.is_empty() {
        s.push_str("## Guides\n\n");
        for g in &guides {
            s.push_str(&line(
                &g.title,
                &g.url,
                g.description.as_deref().unwrap_or(""),
            ));
        }
    }
    s
}
