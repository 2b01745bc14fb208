//! Reads `pages/**/*.md`: YAML front matter (positions shifted back to whole-file lines) and
//! the markdown body.

use crate::diagnostics::codes;
use std::sync::Arc;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::load::portal_config::read_visibility;
use crate::load::read::Fields;
use crate::model::{Page, Visibility};
use crate::source::Span;
use crate::tree;

/// Read one page. `rel_in_pages` is the path below `pages/` without the `.md` extension; the
/// front matter draws on the run's node `budget`.
pub fn read(
    text: &str,
    file: &Arc<str>,
    rel_in_pages: &str,
    budget: &tree::Budget,
    diags: &mut Diagnostics,
) -> Option<Page> {
    if let Some(bad) = rel_in_pages.split('/').find(|seg| !is_url_segment(seg)) {
        diags.push(
            Diagnostic::new(codes::INVALID_PAGE_NAME, format!("`{bad}` in the page's path cannot be part of a URL"))
                .at(&Span::file(file.clone()))
                .help("name pages and their folders with lowercase letters, digits, `-` and `_`, e.g. pages/getting-started.md"),
        );
        return None;
    }
    let (front, body) = split_front_matter(text);
    let mut page = Page {
        path: rel_in_pages.to_string(),
        title: String::new(),
        description: None,
        weight: 0,
        visibility: Visibility::Public,
        teams: Vec::new(),
        body: body.to_string(),
        body_line: {
            let offset = body.as_ptr() as usize - text.as_ptr() as usize;
            text[..offset].matches('\n').count() as u32 + 1
        },
        span: Span::new(file.clone(), 1, 1),
    };
    let front = match front {
        FrontMatter::Found(f) => Some(f),
        FrontMatter::None => None,
        FrontMatter::Unclosed => {
            // Never publish a page whose settings (maybe `visibility: private`) were not read.
            diags.push(
                Diagnostic::new(
                    codes::UNCLOSED_FRONT_MATTER,
                    "the front matter opened on line 1 is never closed",
                )
                .at(&Span::new(file.clone(), 1, 1))
                .help("end the front matter with a line holding only `---`"),
            );
            return None;
        }
    };
    if let Some(front) = front {
        match tree::parse_in(front, budget) {
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
            Err(e) if e.code == codes::EMPTY_DOCUMENT => {}
            Err(e) => {
                diags.push(e.diagnostic(file.clone(), "front matter: ", 1));
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

/// How a page's front matter was found.
#[derive(Debug, PartialEq, Eq)]
pub enum FrontMatter<'a> {
    None,
    Found(&'a str),
    /// The file opens with `---` but never closes it.
    Unclosed,
}

/// Split `---\n<yaml>\n---\n<body>`. The fences may carry trailing spaces and CRLF endings.
pub fn split_front_matter(text: &str) -> (FrontMatter<'_>, &str) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first_end = text.find('\n').map(|i| i + 1).unwrap_or(text.len());
    if text[..first_end].trim_end() != "---" {
        return (FrontMatter::None, text);
    }
    let rest = &text[first_end..];
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == "---" || line.trim_end() == "..." {
            return (
                FrontMatter::Found(&rest[..offset]),
                &rest[offset + line.len()..],
            );
        }
        offset += line.len();
    }
    (FrontMatter::Unclosed, text)
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

/// Lowercase letters, digits, `-`, `_` and `.` (not leading), so URLs need no escaping.
fn is_url_segment(seg: &str) -> bool {
    !seg.is_empty()
        && !seg.starts_with('.')
        && seg.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_' || b == b'.'
        })
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
            &tree::Budget::default(),
            &mut d,
        )
        .unwrap();
        assert_eq!(p.title, "A");
        assert_eq!(p.path, "a");
        let diag = d.iter().next().unwrap();
        assert_eq!(diag.code, codes::UNKNOWN_KEY);
        assert_eq!(diag.line, Some(3));
    }

    #[test]
    fn fences_with_trailing_spaces_and_unclosed_front_matter() {
        let file: Arc<str> = "pages/p.md".into();
        let mut d = Diagnostics::new();
        let p = read(
            "--- \r\nvisibility: private\nteams: [staff]\n---  \nBody\n",
            &file,
            "p",
            &tree::Budget::default(),
            &mut d,
        )
        .unwrap();
        assert_eq!(p.visibility, Visibility::Private);
        assert_eq!(p.body, "Body\n");
        assert!(d.is_empty(), "{d:?}");
        assert!(
            read(
                "---\nvisibility: private\nBody\n",
                &file,
                "p",
                &tree::Budget::default(),
                &mut d
            )
            .is_none()
        );
        assert_eq!(d.iter().next().unwrap().code, codes::UNCLOSED_FRONT_MATTER);
    }

    #[test]
    fn page_names_must_be_url_safe() {
        let file: Arc<str> = "pages/a#b c.md".into();
        let mut d = Diagnostics::new();
        assert!(read("# x\n", &file, "a#b c", &tree::Budget::default(), &mut d).is_none());
        assert_eq!(d.iter().next().unwrap().code, codes::INVALID_PAGE_NAME);
    }

    #[test]
    fn title_falls_back_to_heading() {
        let file: Arc<str> = "pages/x/index.md".into();
        let mut d = Diagnostics::new();
        let p = read(
            "# Getting started\ntext\n",
            &file,
            "x/index",
            &tree::Budget::default(),
            &mut d,
        )
        .unwrap();
        assert_eq!(p.title, "Getting started");
        assert_eq!(p.path, "x/index");
        assert!(d.is_empty());
    }
}
