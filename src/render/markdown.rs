//! Markdown to HTML for guides and for every description field of APIs and packages
//! (CommonMark + tables, strikethrough, task lists, footnotes, GFM alerts), with stable heading
//! ids and a table of contents.

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd, html};
use serde::Serialize;

/// One heading of a rendered document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    pub text: String,
}

/// Rendered markdown.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    pub html: String,
    pub toc: Vec<TocEntry>,
}

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_GFM
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// Render a document, giving each heading an id (explicit `{#id}` wins) and collecting a TOC.
/// `shift` demotes headings (a description rendered under an `h2` uses `shift = 2`).
pub fn render(src: &str) -> Rendered {
    render_with(src, &mut |_, _| LinkAction::Keep)
}

/// What to do with a link or image of a document being rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkAction {
    Keep,
    /// Point it elsewhere.
    Replace(String),
    /// Drop the link and keep its text (for targets that must not appear in this build).
    Unlink,
}

/// Like [`render`], asking `rewrite(destination, byte offset)` what to do with every link and
/// image (guides use it to turn `other.md` links into page URLs, to report broken links at
/// their line, and to unlink targets this build does not show).
pub fn render_with(src: &str, rewrite: &mut dyn FnMut(&str, usize) -> LinkAction) -> Rendered {
    let mut unlinked = Vec::new(); // per open link/image: was it dropped?
    let events: Vec<Event<'_>> = Parser::new_ext(src, options())
        .into_offset_iter()
        .filter_map(|(ev, range)| match ev {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let action = if link_type == pulldown_cmark::LinkType::Email {
                    LinkAction::Keep
                } else {
                    rewrite(&dest_url, range.start)
                };
                unlinked.push(action == LinkAction::Unlink);
                match action {
                    LinkAction::Keep => Some(Event::Start(Tag::Link {
                        link_type,
                        dest_url,
                        title,
                        id,
                    })),
                    LinkAction::Replace(d) => Some(Event::Start(Tag::Link {
                        link_type,
                        dest_url: CowStr::from(d),
                        title,
                        id,
                    })),
                    LinkAction::Unlink => None,
                }
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let action = rewrite(&dest_url, range.start);
                unlinked.push(action == LinkAction::Unlink);
                match action {
                    LinkAction::Keep => Some(Event::Start(Tag::Image {
                        link_type,
                        dest_url,
                        title,
                        id,
                    })),
                    LinkAction::Replace(d) => Some(Event::Start(Tag::Image {
                        link_type,
                        dest_url: CowStr::from(d),
                        title,
                        id,
                    })),
                    LinkAction::Unlink => None,
                }
            }
            Event::End(TagEnd::Link) | Event::End(TagEnd::Image) => {
                if unlinked.pop().unwrap_or(false) {
                    None
                } else {
                    Some(ev)
                }
            }
            other => Some(other),
        })
        .collect();
    let mut out_events = Vec::with_capacity(events.len());
    let mut toc = Vec::new();
    let mut used = std::collections::BTreeSet::new();
    let mut i = 0;
    while i < events.len() {
        match &events[i] {
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => {
                // Collect the heading's text up to its end.
                let mut text = String::new();
                let mut j = i + 1;
                while j < events.len() && !matches!(events[j], Event::End(TagEnd::Heading(_))) {
                    if let Event::Text(t) | Event::Code(t) = &events[j] {
                        text.push_str(t);
                    }
                    j += 1;
                }
                let base = id
                    .as_ref()
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| slugify(&text));
                let base = if base.is_empty() {
                    "section".to_string()
                } else {
                    base
                };
                let mut unique = base.clone();
                let mut n = 1;
                while !used.insert(unique.clone()) {
                    unique = format!("{base}-{n}");
                    n += 1;
                }
                toc.push(TocEntry {
                    level: heading_number(*level),
                    id: unique.clone(),
                    text: text.trim().to_string(),
                });
                out_events.push(Event::Start(Tag::Heading {
                    level: *level,
                    id: Some(CowStr::from(unique)),
                    classes: classes.clone(),
                    attrs: attrs.clone(),
                }));
            }
            other => out_events.push(other.clone()),
        }
        i += 1;
    }
    let mut out = String::with_capacity(src.len() * 3 / 2);
    html::push_html(&mut out, out_events.into_iter());
    Rendered { html: out, toc }
}

/// Every link and image destination of a document with its byte offset, in document order:
/// exactly the ones [`render_with`] asks its `rewrite` about (email autolinks are never asked),
/// found without rendering.
pub fn links(src: &str) -> Vec<(String, usize)> {
    Parser::new_ext(src, options())
        .into_offset_iter()
        .filter_map(|(ev, range)| match ev {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                ..
            }) if link_type != pulldown_cmark::LinkType::Email => {
                Some((dest_url.into_string(), range.start))
            }
            Event::Start(Tag::Image { dest_url, .. }) => {
                Some((dest_url.into_string(), range.start))
            }
            _ => None,
        })
        .collect()
}

/// Render a short description (no TOC needed).
pub fn to_html(src: &str) -> String {
    let mut out = String::with_capacity(src.len() * 3 / 2);
    html::push_html(&mut out, Parser::new_ext(src, options()));
    out
}

/// Render a description from an API document: markdown with its raw HTML sanitised (safe
/// tags kept, scripts, event handlers, styles and comments removed).
pub fn to_safe_html(src: &str) -> String {
    // Comments go before parsing: a comment holding a blank line is not an HTML block to the
    // markdown parser, and its second half would become visible text.
    ammonia::Builder::default()
        .add_generic_attributes(["id"])
        .clean(&to_html(&strip_html_comments(src)))
        .to_string()
}

/// Remove `<!-- ... -->` comments from description text (internal notes do not ship).
pub fn strip_html_comments(src: &str) -> std::borrow::Cow<'_, str> {
    if !src.contains("<!--") {
        return std::borrow::Cow::Borrowed(src);
    }
    let mut out = String::with_capacity(src.len());
    let mut rest = src;
    while let Some(i) = rest.find("<!--") {
        out.push_str(&rest[..i]);
        match rest[i + 4..].find("-->") {
            Some(j) => rest = &rest[i + 4 + j + 3..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

/// Plain text of markdown (for meta descriptions and search).
pub fn to_text(src: &str) -> String {
    let src = strip_html_comments(src);
    let mut out = String::new();
    for ev in Parser::new_ext(&src, options()) {
        match ev {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak | Event::End(TagEnd::Paragraph) => out.push(' '),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn heading_number(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// Lowercase ASCII-alphanumeric words joined by `-` (non-ASCII letters kept as they are).
pub fn slugify(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut dash = false;
    for c in text.chars() {
        if c.is_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.extend(c.to_lowercase());
        } else {
            dash = true;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_get_unique_ids_and_toc() {
        let r = render("# Intro\n\n## Keys & tokens\n\n## Keys & tokens\n\ntext `x`\n");
        assert!(r.html.contains(r#"<h2 id="keys-tokens">"#), "{}", r.html);
        assert!(r.html.contains(r#"<h2 id="keys-tokens-1">"#), "{}", r.html);
        assert_eq!(r.toc.len(), 3);
        assert_eq!(
            r.toc[0],
            TocEntry {
                level: 1,
                id: "intro".into(),
                text: "Intro".into()
            }
        );
    }

    #[test]
    fn links_can_be_rewritten_with_their_offsets() {
        let src = "# T\n\nSee [auth](auth.md#keys) and [x](https://e.com).\n";
        let mut seen = Vec::new();
        let r = render_with(src, &mut |dest, at| {
            seen.push((dest.to_string(), at));
            match dest.strip_suffix(".md#keys") {
                Some(s) => LinkAction::Replace(format!("../{s}/#keys")),
                None => LinkAction::Unlink,
            }
        });
        assert!(r.html.contains(r#"href="../auth/#keys""#), "{}", r.html);
        assert!(
            !r.html.contains("e.com") && r.html.contains(" and x."),
            "unlinked, text kept: {}",
            r.html
        );
        assert_eq!(
            seen[0],
            ("auth.md#keys".to_string(), src.find("[auth]").unwrap())
        );
    }

    #[test]
    fn links_are_the_ones_render_with_asks_about() {
        let src =
            "# T\n\n[a](a.md) ![i](img.png) <x@y.z> [b [c](c.md)](b/) [r][ref]\n\n[ref]: r.md\n";
        let mut asked = Vec::new();
        render_with(src, &mut |dest, at| {
            asked.push((dest.to_string(), at));
            LinkAction::Keep
        });
        assert_eq!(links(src), asked);
        assert_eq!(asked.len(), 4, "{asked:?}");
    }

    #[test]
    fn tables_render() {
        let html = to_html("| a | b |\n|---|---|\n| 1 | 2 |\n");
        assert!(html.contains("<table>"), "{html}");
    }

    #[test]
    fn comments_with_blank_lines_never_show() {
        let src = "Lists orders. <!-- internal note:\n\nsecret-token-xyz -->\n";
        assert!(
            !to_safe_html(src).contains("secret"),
            "{}",
            to_safe_html(src)
        );
        assert!(!to_text(src).contains("secret"), "{}", to_text(src));
    }

    #[test]
    fn descriptions_are_sanitised() {
        let html = to_safe_html(
            "Hi <script>alert(1)</script><b onclick=\"x()\">bold</b> <!-- internal: bob -->\n\n| a |\n|---|\n| 1 |\n",
        );
        assert!(
            !html.contains("script") && !html.contains("onclick") && !html.contains("internal"),
            "{html}"
        );
        assert!(
            html.contains("<b>bold</b>") && html.contains("<table>"),
            "{html}"
        );
        assert_eq!(strip_html_comments("a <!-- x --> b <!-- y"), "a  b ");
    }

    #[test]
    fn text_strips_markup() {
        assert_eq!(
            to_text("Some *bold* `code`\nnext line"),
            "Some bold code next line"
        );
    }
}
