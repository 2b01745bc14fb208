//! Helpers of the golden (snapshot) tests: a deterministic, diff-friendly rendering of an HTML
//! element, and the redaction of the temporary paths and timings a run prints.

use std::fmt::Write as _;
use std::path::Path;

use scraper::{ElementRef, Html, Node, Selector};

/// Elements whose text keeps its whitespace.
const VERBATIM: &[&str] = &["pre", "textarea", "script", "style"];
/// Elements without content (no children to print).
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

/// The first element matching `selector` in `html`, pretty-printed by [`pretty`]. Panics when
/// there is none.
pub fn pretty_element(html: &str, selector: &str) -> String {
    let doc = Html::parse_document(html);
    let sel = Selector::parse(selector).expect("selector");
    let el = doc
        .select(&sel)
        .next()
        .unwrap_or_else(|| panic!("no `{selector}` in the page"));
    pretty(el)
}

/// One line per element (`<tag attr="value">`, attributes in document order) and per text run,
/// indented by depth; no closing tags (the indentation shows the nesting). Text is
/// whitespace-collapsed, except inside `pre`/`textarea`/`script`/`style`, where each line is
/// kept as is after a `|`. Comments are kept. The same HTML always gives the same text, and a
/// change of markup or wording shows as a small line diff.
pub fn pretty(el: ElementRef<'_>) -> String {
    let mut out = String::new();
    walk(el, 0, false, &mut out);
    out
}

fn walk(el: ElementRef<'_>, depth: usize, verbatim: bool, out: &mut String) {
    let indent = "  ".repeat(depth);
    let name = el.value().name();
    let _ = write!(out, "{indent}<{name}");
    for (key, value) in el.value().attrs() {
        let _ = write!(out, " {key}=\"{}\"", value.replace('"', "&quot;"));
    }
    out.push_str(">\n");
    if VOID.contains(&name) {
        return;
    }
    let verbatim = verbatim || VERBATIM.contains(&name);
    let inner = "  ".repeat(depth + 1);
    for child in el.children() {
        match child.value() {
            Node::Element(_) => walk(ElementRef::wrap(child).unwrap(), depth + 1, verbatim, out),
            Node::Text(text) if verbatim => {
                for line in text.split('\n') {
                    let _ = writeln!(out, "{inner}|{line}");
                }
            }
            Node::Text(text) => {
                let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
                if !collapsed.is_empty() {
                    let _ = writeln!(out, "{inner}{collapsed}");
                }
            }
            Node::Comment(c) => {
                let _ = writeln!(out, "{inner}<!--{}-->", &**c);
            }
            _ => {}
        }
    }
}

/// `text` with each `(path, placeholder)` replaced, the longest path first (so a project folder
/// inside the temporary folder becomes `[PROJECT]`, not `[TMP]/project`). Both the path as given
/// and its canonical form are replaced.
pub fn redact_paths(text: &str, paths: &[(&Path, &str)]) -> String {
    let mut pairs: Vec<(String, &str)> = Vec::new();
    for (path, placeholder) in paths {
        pairs.push((path.display().to_string(), placeholder));
        if let Ok(canonical) = path.canonicalize() {
            pairs.push((canonical.display().to_string(), placeholder));
        }
    }
    pairs.sort_by_key(|(from, _)| std::cmp::Reverse(from.len()));
    let mut out = text.to_string();
    for (from, to) in pairs {
        out = out.replace(&from, to);
    }
    out
}

/// insta settings for every golden test: run timings (`in 0.12s`), portalgen's own version
/// (`portalgen 0.1.0`) and any temporary path that escaped [`redact_paths`] become placeholders, so snapshots are the same on every machine.
pub fn golden_settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(true);
    settings.add_filter(r"\bin \d+\.\d+s\b", "in [ELAPSED]s");
    // A release bump is not a change of output.
    settings.add_filter(
        &format!(
            r"\bportalgen {}\b",
            regex::escape(env!("CARGO_PKG_VERSION"))
        ),
        "portalgen [VERSION]",
    );
    let tmp = std::env::temp_dir().display().to_string();
    let tmp = tmp.trim_end_matches('/');
    settings.add_filter(
        &format!(r"{}/\.tmp[A-Za-z0-9]+", regex::escape(tmp)),
        "[TMP]",
    );
    settings
}
