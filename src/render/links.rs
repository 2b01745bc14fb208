//! Links inside guides. Every relative link of a guide is resolved against the files the plan
//! says the build writes: `other.md` becomes the other guide's URL, a link to a planned file
//! stays, and anything else is broken (reported at its line, and unlinked when rendering: it
//! would 404, and its target may be private content that must not even be named by URL).
//! The plan and the renderer both resolve through [`resolve`], so the warnings the plan
//! reports are exactly the links the renderer drops.
//!
//! A link's `#fragment` is checked too when its target is a guide (the same page for `#x`,
//! another for `other.md#x`): it must name a heading, footnote or `id` of that guide, or it
//! is a `broken-anchor` warning at its line (the link is kept: the page exists). Fragments of
//! links to generated pages (an API's tags) are not checked: those pages are not rendered
//! before the plan.

use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostics::{Diagnostic, codes};
use crate::model::audience::Visible;
use crate::model::{Page, Portal};
use crate::render::{markdown, urls};
use crate::source::Span;

/// What a guide's link becomes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// External, an anchor, or a planned file: left as written.
    Keep,
    /// A link to another guide's markdown file: its page URL, relative to this page.
    Replace(String),
    /// Nothing of this build: the warning to report.
    Broken(Box<Diagnostic>),
}

/// What links of one build can reach.
pub struct Targets<'a> {
    pub portal: &'a Portal,
    pub visible: &'a Visible,
    /// Every file path the build writes.
    pub files: &'a BTreeSet<String>,
}

/// The part of a guide that is rendered: the body without a leading `# Title` that repeats
/// the page title (the template shows the title). Returns the body and its byte offset in
/// `page.body`, so link offsets map back to lines of the file.
pub fn rendered_body(page: &Page) -> (&str, usize) {
    let body = page.body.as_str();
    let trimmed = body.trim_start();
    if let Some(rest) = trimmed.strip_prefix("# ") {
        let (line, after) = rest.split_once('\n').unwrap_or((rest, &rest[rest.len()..]));
        if line.trim() == page.title.trim() {
            return (after, after.as_ptr() as usize - body.as_ptr() as usize);
        }
    }
    (body, 0)
}

/// The broken links and anchors of a guide served at `page_url`, as warnings (pure: no
/// template runs).
pub fn broken_links(targets: &Targets<'_>, page: &Page, page_url: &str) -> Vec<Diagnostic> {
    let (body, base) = rendered_body(page);
    let mut anchors: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut out = Vec::new();
    for (dest, at) in markdown::links(body) {
        let offset = base + at;
        let target = match resolve(targets, page, page_url, &dest, offset) {
            Resolved::Broken(d) => {
                out.push(*d);
                continue;
            }
            Resolved::Keep if dest.starts_with('#') => Some(page),
            Resolved::Replace(_) => guide_target(targets, page, &dest),
            Resolved::Keep => None,
        };
        let (Some(target), Some((_, fragment))) = (target, dest.split_once('#')) else {
            continue;
        };
        let fragment = percent_encoding::percent_decode_str(fragment).decode_utf8_lossy();
        // `#` alone is the top of the page; `#:~:text=` is a browser text fragment.
        if fragment.is_empty() || fragment.starts_with(":~:") {
            continue;
        }
        let ids = anchors
            .entry(target.path.clone())
            .or_insert_with(|| page_anchors(target));
        if ids.contains(fragment.as_ref()) {
            continue;
        }
        let closest = ids
            .iter()
            .filter(|id| !id.starts_with("fnref-") && !id.starts_with("task-"))
            .map(|id| {
                // `#keys` for `#api-keys`: a part of the id counts as close.
                let part = id.contains(fragment.as_ref()) || fragment.contains(id.as_str());
                let score = strsim::jaro_winkler(id, &fragment);
                (if part { score.max(0.9) } else { score }, id)
            })
            .filter(|(score, _)| *score > 0.7)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, id)| id.clone());
        let whose = if std::ptr::eq(target, page) {
            "this page".to_string()
        } else {
            format!("`{}`", target.span.file)
        };
        let help = match closest {
            Some(id) => format!("did you mean `#{id}`? Headings get their id from their text, lowercased, with `-` between words"),
            None => "headings get their id from their text, lowercased, with `-` between words (`## API keys` is `#api-keys`); give one an explicit id with `## Title {#id}`".to_string(),
        };
        out.push(
            Diagnostic::new(
                codes::BROKEN_ANCHOR,
                format!(
                    "`{dest}` points at `#{fragment}`, which no heading or anchor of {whose} has"
                ),
            )
            .at(&line_span(page, offset))
            .help(help),
        );
    }
    out
}

/// The ids a guide's page defines: its rendered body's, and the theme's skip-link target.
fn page_anchors(page: &Page) -> BTreeSet<String> {
    let mut ids = markdown::anchors(rendered_body(page).0);
    ids.insert("main".to_string());
    ids
}

/// The visible guide a `.md` link of `page` leads to.
fn guide_target<'a>(targets: &Targets<'a>, page: &Page, dest: &str) -> Option<&'a Page> {
    let path = dest.split('#').next()?.split('?').next()?;
    let path = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
    let md = path.strip_suffix(".md")?;
    let dir = page
        .span
        .file
        .rsplit_once('/')
        .map(|(d, _)| d)
        .unwrap_or("");
    let target = normalize(&format!("{dir}/{md}"))?;
    let target = target.strip_prefix("pages/")?;
    let url = urls::guide(target);
    targets
        .portal
        .page_ids()
        .find(|(id, p)| targets.visible.page(*id) && urls::guide(&p.path) == url)
        .map(|(_, p)| p)
}

/// The line and column of byte `offset` of `page.body`.
fn line_span(page: &Page, offset: usize) -> Span {
    let before = &page.body[..offset.min(page.body.len())];
    let line = page.body_line + before.matches('\n').count() as u32;
    let column = before
        .rsplit('\n')
        .next()
        .map(|l| l.chars().count() as u32 + 1)
        .unwrap_or(1);
    Span::new(page.span.file.clone(), line, column)
}

/// Resolve the link `dest` written at byte `offset` of `page.body`, on a page at `page_url`.
pub fn resolve(
    targets: &Targets<'_>,
    page: &Page,
    page_url: &str,
    dest: &str,
    offset: usize,
) -> Resolved {
    // Any `scheme:` (https:, mailto:, sms:, ...) is external; so are absolute paths and anchors.
    let scheme = dest.split_once(':').is_some_and(|(s, _)| {
        s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
    });
    if scheme || dest.starts_with('#') || dest.starts_with('/') || dest.is_empty() {
        return Resolved::Keep;
    }
    let (path, fragment) = match dest.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (dest, None),
    };
    let path = path.split('?').next().unwrap_or(path);
    let path = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
    let span = || line_span(page, offset);
    if let Some(md) = path.strip_suffix(".md") {
        // Relative to the markdown file, as editors and GitHub resolve it.
        let dir = page
            .span
            .file
            .rsplit_once('/')
            .map(|(d, _)| d)
            .unwrap_or("");
        let target_url = normalize(&format!("{dir}/{md}"))
            .as_deref()
            .and_then(|t| t.strip_prefix("pages/"))
            .map(urls::guide);
        let found = target_url.filter(|u| {
            targets
                .portal
                .page_ids()
                .any(|(id, p)| targets.visible.page(id) && urls::guide(&p.path) == *u)
        });
        let frag = fragment.map(|f| format!("#{f}")).unwrap_or_default();
        return match found {
            Some(url) => Resolved::Replace(format!("{}{url}{frag}", urls::root_prefix(page_url))),
            None => Resolved::Broken(Box::new(
                Diagnostic::new(codes::BROKEN_LINK, format!("`{dest}` links to no page of this build; the link is left out"))
                    .at(&span())
                    .help("link to another file of pages/ by its relative path, e.g. `../authentication.md`; private pages are only in builds for their teams"),
            )),
        };
    }
    let resolved = normalize(&format!("{page_url}{path}"));
    let found = resolved.as_deref().is_some_and(|r| {
        let r = r.trim_start_matches('/');
        let files = targets.files;
        files.contains(r)
            || files.contains(&format!("{r}index.html"))
            || files.contains(&format!("{r}/index.html"))
    });
    if found {
        Resolved::Keep
    } else {
        Resolved::Broken(Box::new(
            Diagnostic::new(codes::BROKEN_LINK, format!("`{dest}` leads to no page of this build; the link is left out"))
                .at(&span())
                .help(format!("the link is relative to the page's URL `{page_url}`; link other guides by file, e.g. `other.md`")),
        ))
    }
}

/// Resolve `.` and `..` in a `/`-separated path; `None` when it climbs above the root.
fn normalize(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    let mut out = parts.join("/");
    if path.ends_with('/') && !out.is_empty() {
        out.push('/');
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_stays_inside_the_root() {
        assert_eq!(normalize("pages/a/../b").as_deref(), Some("pages/b"));
        assert_eq!(normalize("a/./b/").as_deref(), Some("a/b/"));
        assert_eq!(normalize("../x"), None);
    }
}
