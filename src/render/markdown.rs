//! Markdown to HTML for guides and for every description field of APIs and packages
//! (CommonMark + tables, strikethrough, task lists, footnotes, GFM alerts). Guides
//! ([`render_with`]) also get what reading and linking them needs: stable heading ids with an
//! anchor link and a table of contents, GitHub alerts (`> [!NOTE]`) as labelled notes,
//! footnotes with `fn-` ids and back-links, task-list checkboxes labelled by their item,
//! syntax-highlighted, keyboard-focusable code blocks; [`anchors`] lists the ids a guide defines, for link checks.

use pulldown_cmark::{
    BlockQuoteKind, CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd, html,
};
use serde::Serialize;

use crate::render::highlight;

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
    let (out_events, toc) = enhance(events);
    let mut out = String::with_capacity(src.len() * 3 / 2);
    html::push_html(&mut out, out_events.into_iter());
    Rendered {
        html: focusable_pre(out),
        toc,
    }
}

/// The guide-specific part of rendering, on the parsed events: heading ids (explicit `{#id}`
/// wins, else a slug made unique) with a visible-on-focus anchor link and the table of
/// contents; GitHub alerts as labelled notes; task-list checkboxes labelled by their item's
/// text; footnotes numbered in reference order, with `fn-`/`fnref-` ids, collected at the end
/// with links back to each reference.
fn enhance(events: Vec<Event<'_>>) -> (Vec<Event<'_>>, Vec<TocEntry>) {
    let mut used: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    // Footnote labels in the order of their first reference, and their definitions.
    let mut notes: Vec<String> = Vec::new();
    let mut definitions: std::collections::BTreeMap<String, Vec<Event<'_>>> =
        std::collections::BTreeMap::new();
    for ev in &events {
        if let Event::FootnoteReference(label) = ev
            && !notes.contains(&label.to_string())
        {
            notes.push(label.to_string());
        }
    }
    let note_slug = |label: &str, n: usize| {
        let s = slugify(label);
        if s.is_empty() { n.to_string() } else { s }
    };
    let note_ids: Vec<String> = notes
        .iter()
        .enumerate()
        .map(|(i, l)| note_slug(l, i + 1))
        .collect();
    for id in &note_ids {
        used.insert(format!("fn-{id}"));
        used.insert(format!("fnref-{id}"));
    }
    used.insert(FOOTNOTES_TITLE.to_string());
    let mut refs_seen: Vec<usize> = vec![0; notes.len()];
    let mut out = Vec::with_capacity(events.len() + 8);
    let mut toc = Vec::new();
    let mut heading: Option<(String, String)> = None; // (id, text) of the open heading
    let mut task_span_open = false;
    let mut tasks = 0usize;
    let mut in_definition: Option<(String, Vec<Event<'_>>)> = None;
    let mut code: Option<(String, String)> = None; // (language, text) of the open code block
    for (i, ev) in events.iter().enumerate() {
        if task_span_open && !is_inline(ev) {
            push(&mut out, &mut in_definition, Event::Html("</span>".into()));
            task_span_open = false;
        }
        match ev {
            Event::Start(Tag::FootnoteDefinition(label)) => {
                in_definition = Some((label.to_string(), Vec::new()));
            }
            Event::End(TagEnd::FootnoteDefinition) => {
                if let Some((label, evs)) = in_definition.take() {
                    definitions.entry(label).or_insert(evs);
                }
            }
            Event::FootnoteReference(label) => {
                let n = notes.iter().position(|l| l == label.as_ref()).unwrap_or(0);
                refs_seen[n] += 1;
                let id = &note_ids[n];
                let ref_id = match refs_seen[n] {
                    1 => format!("fnref-{id}"),
                    k => format!("fnref-{id}-{k}"),
                };
                let html = format!(
                    "<sup class=\"footnote-ref\"><a href=\"#fn-{id}\" id=\"{ref_id}\" aria-describedby=\"{FOOTNOTES_TITLE}\">{}</a></sup>",
                    n + 1
                );
                push(&mut out, &mut in_definition, Event::InlineHtml(html.into()));
            }
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => {
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
                let unique = unique_id(&mut used, if base.is_empty() { "section" } else { &base });
                let text = text.trim().to_string();
                toc.push(TocEntry {
                    level: heading_number(*level),
                    id: unique.clone(),
                    text: text.clone(),
                });
                heading = Some((unique.clone(), text));
                push(
                    &mut out,
                    &mut in_definition,
                    Event::Start(Tag::Heading {
                        level: *level,
                        id: Some(CowStr::from(unique)),
                        classes: classes.clone(),
                        attrs: attrs.clone(),
                    }),
                );
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((id, text)) = heading.take() {
                    let label = crate::render::escape::html(&text);
                    push(
                        &mut out,
                        &mut in_definition,
                        Event::InlineHtml(
                            format!(
                                " <a class=\"heading-anchor\" href=\"#{id}\" aria-label=\"Link to this section: {label}\">#</a>"
                            )
                            .into(),
                        ),
                    );
                }
                push(&mut out, &mut in_definition, ev.clone());
            }
            Event::Start(Tag::BlockQuote(Some(kind))) => {
                let (class, title) = alert(*kind);
                push(
                    &mut out,
                    &mut in_definition,
                    Event::Html(
                        format!(
                            "<div class=\"alert alert-{class}\" role=\"note\"><p class=\"alert-title\">{}{title}</p>\n",
                            alert_icon(*kind)
                        )
                        .into(),
                    ),
                );
            }
            Event::End(TagEnd::BlockQuote(Some(_))) => {
                push(&mut out, &mut in_definition, Event::Html("</div>\n".into()));
            }
            Event::Start(Tag::Item)
                if matches!(events.get(i + 1), Some(Event::TaskListMarker(_)))
                    || (matches!(events.get(i + 1), Some(Event::Start(Tag::Paragraph)))
                        && matches!(events.get(i + 2), Some(Event::TaskListMarker(_)))) =>
            {
                push(
                    &mut out,
                    &mut in_definition,
                    Event::Html("<li class=\"task-list-item\">".into()),
                );
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => info
                        .split(|c: char| c.is_whitespace() || c == ',' || c == '{')
                        .next()
                        .unwrap_or("")
                        .to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                code = Some((lang, String::new()));
            }
            Event::Text(t) if code.is_some() => {
                if let Some((_, text)) = &mut code {
                    text.push_str(t);
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some((lang, text)) = code.take() {
                    push(
                        &mut out,
                        &mut in_definition,
                        Event::Html(code_block(&lang, &text).into()),
                    );
                }
            }
            Event::TaskListMarker(done) => {
                tasks += 1;
                let id = unique_id(&mut used, &format!("task-{tasks}"));
                let html = format!(
                    "<input type=\"checkbox\" class=\"task-list-item-checkbox\" disabled{} aria-labelledby=\"{id}\"> <span id=\"{id}\">",
                    if *done { " checked" } else { "" }
                );
                push(&mut out, &mut in_definition, Event::InlineHtml(html.into()));
                task_span_open = true;
            }
            other => push(&mut out, &mut in_definition, other.clone()),
        }
    }
    if task_span_open {
        out.push(Event::Html("</span>".into()));
    }
    let referenced: Vec<usize> = (0..notes.len())
        .filter(|n| definitions.contains_key(&notes[*n]))
        .collect();
    if !referenced.is_empty() {
        out.push(Event::Html(
            format!(
                "<section class=\"footnotes\" aria-labelledby=\"{FOOTNOTES_TITLE}\">\n<h2 id=\"{FOOTNOTES_TITLE}\" class=\"visually-hidden\">Footnotes</h2>\n<ol>\n"
            )
            .into(),
        ));
        for n in referenced {
            let id = &note_ids[n];
            let mut def = definitions.remove(&notes[n]).unwrap_or_default();
            let backs: String = (1..=refs_seen[n].max(1))
                .map(|k| {
                    let (ref_id, label) = match k {
                        1 => (format!("fnref-{id}"), format!("Back to reference {}", n + 1)),
                        k => (
                            format!("fnref-{id}-{k}"),
                            format!("Back to reference {}, use {k}", n + 1),
                        ),
                    };
                    format!(
                        " <a href=\"#{ref_id}\" class=\"footnote-backref\" aria-label=\"{label}\">↩&#xFE0E;</a>"
                    )
                })
                .collect();
            out.push(Event::Html(format!("<li id=\"fn-{id}\">").into()));
            // The back-links end the definition's last paragraph (or follow its last block).
            if matches!(def.last(), Some(Event::End(TagEnd::Paragraph))) {
                let end = def.pop().expect("checked");
                def.push(Event::InlineHtml(backs.into()));
                def.push(end);
            } else {
                def.push(Event::Html(backs.into()));
            }
            out.extend(def);
            out.push(Event::Html("</li>\n".into()));
        }
        out.push(Event::Html("</ol>\n</section>\n".into()));
    }
    (out, toc)
}

/// The id of the (visually hidden) heading of the footnotes section.
const FOOTNOTES_TITLE: &str = "footnotes-title";

/// Push `ev` to the output, or to the footnote definition being collected.
fn push<'a>(
    out: &mut Vec<Event<'a>>,
    in_definition: &mut Option<(String, Vec<Event<'a>>)>,
    ev: Event<'a>,
) {
    match in_definition {
        Some((_, evs)) => evs.push(ev),
        None => out.push(ev),
    }
}

/// `base`, or `base-1`, `base-2`… : the first id not yet used (then marked used).
fn unique_id(used: &mut std::collections::BTreeSet<String>, base: &str) -> String {
    let mut unique = base.to_string();
    let mut n = 1;
    while !used.insert(unique.clone()) {
        unique = format!("{base}-{n}");
        n += 1;
    }
    unique
}

/// Whether an event is inline content (stays inside a task item's label).
fn is_inline(ev: &Event<'_>) -> bool {
    match ev {
        Event::Text(_)
        | Event::Code(_)
        | Event::InlineHtml(_)
        | Event::InlineMath(_)
        | Event::SoftBreak
        | Event::HardBreak
        | Event::FootnoteReference(_) => true,
        Event::Start(t) => matches!(
            t,
            Tag::Emphasis
                | Tag::Strong
                | Tag::Strikethrough
                | Tag::Superscript
                | Tag::Subscript
                | Tag::Link { .. }
                | Tag::Image { .. }
        ),
        Event::End(t) => matches!(
            t,
            TagEnd::Emphasis
                | TagEnd::Strong
                | TagEnd::Strikethrough
                | TagEnd::Superscript
                | TagEnd::Subscript
                | TagEnd::Link
                | TagEnd::Image
        ),
        _ => false,
    }
}

/// The class suffix and title of a GitHub alert.
fn alert(kind: BlockQuoteKind) -> (&'static str, &'static str) {
    match kind {
        BlockQuoteKind::Note => ("note", "Note"),
        BlockQuoteKind::Tip => ("tip", "Tip"),
        BlockQuoteKind::Important => ("important", "Important"),
        BlockQuoteKind::Warning => ("warning", "Warning"),
        BlockQuoteKind::Caution => ("caution", "Caution"),
    }
}

/// A small icon for each alert (decorative: the title says the kind in words).
fn alert_icon(kind: BlockQuoteKind) -> &'static str {
    match kind {
        // A circle with an "i".
        BlockQuoteKind::Note => {
            r#"<svg class="alert-icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true"><circle cx="8" cy="8" r="6.5" fill="none" stroke="currentColor" stroke-width="1.5"/><path d="M8 7v4.5M8 4.5v.5" stroke="currentColor" stroke-width="1.6" stroke-linecap="round"/></svg>"#
        }
        // A light bulb.
        BlockQuoteKind::Tip => {
            r#"<svg class="alert-icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true"><path d="M5.5 10.5C4.300 9.600 3.500 8.300 3.500 6.800a4.500 4.500 0 0 1 9 0c0 1.500-.8 2.800-2 3.700v1h-5zM6 13.500h4" fill="none" stroke="currentColor" stroke-width="1.5" stroke-linejoin="round" stroke-linecap="round"/></svg>"#
        }
        // A speech bubble with an exclamation mark.
        BlockQuoteKind::Important => {
            r#"<svg class="alert-icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true"><path d="M2.500 2.500h11v8h-6l-3 3v-3h-2z" fill="none" stroke="currentColor" stroke-width="1.5" stroke-linejoin="round"/><path d="M8 4.800v2.700M8 9.200v.3" stroke="currentColor" stroke-width="1.6" stroke-linecap="round"/></svg>"#
        }
        // A triangle with an exclamation mark.
        BlockQuoteKind::Warning => {
            r#"<svg class="alert-icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true"><path d="M8 1.800 14.800 13.800H1.200z" fill="none" stroke="currentColor" stroke-width="1.5" stroke-linejoin="round"/><path d="M8 6v3.800M8 11.600v.3" stroke="currentColor" stroke-width="1.6" stroke-linecap="round"/></svg>"#
        }
        // An octagon with an exclamation mark.
        BlockQuoteKind::Caution => {
            r#"<svg class="alert-icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true"><path d="M5.300 1.500h5.400l3.800 3.800v5.400l-3.800 3.800H5.300l-3.800-3.800V5.300z" fill="none" stroke="currentColor" stroke-width="1.5" stroke-linejoin="round"/><path d="M8 4.800v3.800M8 10.800v.3" stroke="currentColor" stroke-width="1.6" stroke-linecap="round"/></svg>"#
        }
    }
}

/// A guide's code block: highlighted when its fence names a language the highlighter knows
/// (`sh`, `json`, `yaml`, `js`, `python`, `go`…), else escaped as written. The one call into
/// [`highlight`], so guides and code samples share one highlighter and one set of classes.
fn code_block(lang: &str, code: &str) -> String {
    let class = if lang.is_empty() {
        String::new()
    } else {
        format!(" class=\"language-{}\"", crate::render::escape::html(lang))
    };
    format!(
        "<pre><code{class}>{}</code></pre>\n",
        highlight::html(lang, code)
    )
}

/// Code blocks can be scrolled sideways, so a keyboard must be able to reach them: every
/// `<pre>` of the rendered HTML gets `tabindex="0"` (the theme shows its focus). Code text is
/// escaped, so `<pre` only ever starts a real element.
fn focusable_pre(html: String) -> String {
    if !html.contains("<pre") {
        return html;
    }
    html.replace("<pre>", "<pre tabindex=\"0\">")
        .replace("<pre ", "<pre tabindex=\"0\" ")
}

/// Every id a rendered document defines (headings, footnotes, task items, and the `id` or
/// `name` attributes of its raw HTML): what `#fragment` links to it may point at.
pub fn anchors(src: &str) -> std::collections::BTreeSet<String> {
    let html = render(src).html;
    let mut out = std::collections::BTreeSet::new();
    for attr in [" id=\"", " name=\""] {
        let mut rest = html.as_str();
        while let Some(i) = rest.find(attr) {
            rest = &rest[i + attr.len()..];
            if let Some(end) = rest.find('"') {
                out.insert(html_unescape(&rest[..end]));
                rest = &rest[end..];
            }
        }
    }
    out
}

/// The few entities an attribute value of our own HTML may hold.
fn html_unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
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
    fn anchors_are_every_id_a_guide_defines() {
        let ids =
            anchors("## API keys\n\nText[^n] <a id=\"raw\"></a>\n\n- [ ] task\n\n[^n]: Note.\n");
        for id in [
            "api-keys",
            "fn-n",
            "fnref-n",
            "raw",
            "task-1",
            FOOTNOTES_TITLE,
        ] {
            assert!(ids.contains(id), "{id} in {ids:?}");
        }
        // A document without footnotes gets no footnote section.
        assert!(!render("Plain.\n").html.contains("footnotes"));
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
