//! Reads `pages/**/*.md`: YAML front matter (positions shifted back to whole-file lines) and
//! the markdown body.

use std::sync::Arc;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::load::fields::Fields;
use crate::load::portal_config::read_visibility;
use crate::model::{Page, Visibility};
use crate::source::Span;
use crate::tree;

/// Read one page. `rel_in_pages` is the path below `pages/` without the `.md` extension.
pub fn read(
    text: &str,
    file: &Arc<str>,
    rel_in_pages: &str,
    diags: &mut Diagnostics,
) -> Option<Page> {
    let url_path = page_url(rel_in_pages);
    let (front, body, body_line) = split_front_matter(text);
    let mut page = Page {
        url_path,
        title: String::new(),
        description: None,
        weight: 0,
        visibility: Visibility::Public,
        teams: Vec::new(),
        body: body.to_string(),
        span: Span::new(file.clone(), 1, 1),
    };
    let _ = body_line;
    if let Some(front) = front {
        match tree::parse(front) {
            Ok(node) if node.value == tree::Value::Null => {}
            Ok(mut node) => {
                shift_lines(&mut node, 1);
                if let Some(f) = Fields::new(&node, file, "the front matter", diags) {
                    f.deny_unknown(
                        &["title", "description", "weight", "visibility", "teams"],
                        diags,
                    );
                    if let Some(t) = f.string("title", diags) {
                        page.title = t;
                    }
                    page.description = f.string("description", diags);
                    page.weight = f.integer("weight", diags).unwrap_or(0);
                    let (v, teams) = read_visibility(&f, Visibility::Public, diags);
                    page.visibility = v;
                    page.teams = teams;
                }
            }
            Err(e) if e.code == "empty-document" => {}
            Err(e) => {
                diags.push(
                    Diagnostic::error(e.code, format!("front matter: {}", e.message))
                        .at(&Span::new(file.clone(), e.line + 1, e.column)),
                );
            }
        }
    }
    if page.title.is_empty() {
        page.title = first_heading(body).unwrap_or_else(|| {
            let stem = rel_in_pages.rsplit('/').next().unwrap_or(rel_in_pages);
            let mut t = stem.replace(['-', '_'], " ");
            if let Some(c) = t.get(..1) {
                t = c.to_uppercase() + &t[1..];
            }
            t
        });
    }
    Some(page)
}

/// `getting-started` → `guides/getting-started`; `auth/index` → `guides/auth`; `index` → `guides`.
pub fn page_url(rel_in_pages: &str) -> String {
    let trimmed = rel_in_pages.strip_suffix("/index").unwrap_or(rel_in_pages);
    if trimmed == "index" || trimmed.is_empty() {
        "guides".to_string()
    } else {
        format!("guides/{trimmed}")
    }
}

/// Split `---\n<yaml>\n---\n<body>`; returns (front matter, body, first body line).
pub fn split_front_matter(text: &str) -> (Option<&str>, &str, usize) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let Some(rest) = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))
    else {
        return (None, text, 1);
    };
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == "---" {
            let front = &rest[..offset];
            let body = &rest[offset + line.len()..];
            let body_line = 2 + front.lines().count() + 1;
            return (Some(front), body, body_line);
        }
        offset += line.len();
    }
    // No closing fence: treat the whole file as markdown.
    (None, text, 1)
}

fn shift_lines(node: &mut tree::Node, by: u32) {
    node.line += by;
    match &mut node.value {
        tree::Value::Seq(items) => items.iter_mut().for_each(|n| shift_lines(n, by)),
        tree::Value::Map(m) => {
            for (k, v) in m.values_mut() {
                k.line += by;
                shift_lines(v, by);
            }
        }
        _ => {}
    }
}

fn first_heading(body: &str) -> Option<String> {
    body.lines()
        .find_map(|l| l.strip_prefix("# "))
        .map(|s| s.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_lines_are_whole_file_lines() {
        let file: Arc<str> = "pages/a.md".into();
        let mut d = Diagnostics::new();
        let p = read(
            "---\ntitle: A\nbogus: 1\n---\n# Hello\n",
            &file,
            "a",
            &mut d,
        )
        .unwrap();
        assert_eq!(p.title, "A");
        assert_eq!(p.url_path, "guides/a");
        let diag = d.iter().next().unwrap();
        assert_eq!(diag.code, "unknown-key");
        assert_eq!(diag.line, Some(3));
    }

    #[test]
    fn title_falls_back_to_heading() {
        let file: Arc<str> = "pages/x/index.md".into();
        let mut d = Diagnostics::new();
        let p = read("# Getting started\ntext\n", &file, "x/index", &mut d).unwrap();
        assert_eq!(p.title, "Getting started");
        assert_eq!(p.url_path, "guides/x");
        assert!(d.is_empty());
    }
}
