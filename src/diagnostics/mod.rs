//! Diagnostics: every problem portalgen finds, with a severity, a stable code, a location and
//! a hint. Stages never stop at the first problem; they push into a [`Diagnostics`] list and
//! the command prints them all at the end, sorted by file and line, in one of three formats
//! (human snippets, JSON, GitHub Actions workflow commands).

use std::fmt::Write as _;
use std::sync::Arc;

use serde::Serialize;

use crate::source::{SourceMap, Span};

pub mod codes;
pub mod suggest;

pub use codes::Code;

/// How bad a problem is. Errors fail the run; warnings fail it only under `--strict`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// One problem. `code` is a stable kebab-case identifier scripts may match on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: Code,
    pub message: String,
    /// File relative to the project root, with `/` separators.
    pub file: Option<String>,
    /// 1-based line.
    pub line: Option<u32>,
    /// 1-based column (in characters).
    pub column: Option<u32>,
    pub help: Option<String>,
}

impl Diagnostic {
    /// A diagnostic of `code`, with the code's severity.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: code.severity(),
            code,
            message: message.into(),
            file: None,
            line: None,
            column: None,
            help: None,
        }
    }

    /// Report with another severity than the code's own, where the rule says so (an unrouted
    /// operation in no package is only a warning).
    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// Attach a location.
    pub fn at(mut self, span: &Span) -> Self {
        self.file = Some(span.file.to_string());
        if span.line > 0 {
            self.line = Some(span.line);
            self.column = Some(span.column.max(1));
        }
        self
    }

    /// Attach a file without a line (for example an unreadable file).
    pub fn in_file(mut self, file: impl AsRef<str>) -> Self {
        self.file = Some(file.as_ref().to_string());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    fn sort_key(&self) -> (bool, String, u32, u32, Severity, &'static str, String) {
        (
            self.file.is_some(),
            self.file.clone().unwrap_or_default(),
            self.line.unwrap_or(0),
            self.column.unwrap_or(0),
            self.severity,
            self.code.id(),
            self.message.clone(),
        )
    }
}

/// The problems of one run.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, d: Diagnostic) {
        self.items.push(d);
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.items.iter().filter(|d| d.severity == severity).count()
    }

    /// True when a problem stops the command altogether (exit code 2).
    pub fn has_fatal(&self) -> bool {
        self.items
            .iter()
            .any(|d| d.code.fatal() && d.severity == Severity::Error)
    }

    pub fn has_errors(&self) -> bool {
        self.count(Severity::Error) > 0
    }

    /// True when the run must fail: any error, or any warning under `--strict`.
    pub fn fails(&self, strict: bool) -> bool {
        self.has_errors() || (strict && self.count(Severity::Warning) > 0)
    }

    /// Sort by file, line, column (diagnostics without a file first), drop exact duplicates.
    pub fn sort(&mut self) {
        self.items.sort_by_cached_key(|d| d.sort_key());
        self.items.dedup();
    }

    pub fn into_vec(self) -> Vec<Diagnostic> {
        self.items
    }

    /// Under `--strict`, warnings count as errors: report them as such.
    pub fn escalate_warnings(&mut self) {
        for d in &mut self.items {
            if d.severity == Severity::Warning {
                d.severity = Severity::Error;
            }
        }
    }
}

/// How diagnostics are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum Format {
    #[default]
    Human,
    Json,
    Github,
}

/// Human, rustc-style output with the offending line shown. Colour only when `color`.
pub fn render_human(diags: &Diagnostics, sources: &SourceMap, color: bool) -> String {
    use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = String::new();
    // Line starts per file, computed once: a big document with many diagnostics must not be
    // rescanned (or handed whole to the renderer) for each of them.
    let mut line_starts: std::collections::HashMap<&str, Vec<usize>> =
        std::collections::HashMap::new();
    for d in diags.iter() {
        let level = match d.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
            Severity::Info => Level::INFO,
        };
        let title = level.primary_title(d.message.as_str()).id(d.code.as_str());
        let text: Option<Arc<str>> = d.file.as_deref().and_then(|f| sources.text(f));
        let mut group = Group::with_title(title);
        match (&d.file, d.line, &text) {
            (Some(file), Some(line), Some(text)) => {
                let starts = line_starts.entry(file.as_str()).or_insert_with(|| {
                    std::iter::once(0)
                        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
                        .collect()
                });
                let start = starts.get(line as usize - 1).copied();
                let end = starts.get(line as usize).copied().unwrap_or(text.len());
                let snippet = start.map(|st| &text[st..end]);
                if let Some(range) =
                    snippet.and_then(|line_text| line_range(line_text, 1, d.column.unwrap_or(1)))
                {
                    group = group.element(
                        Snippet::source(snippet.unwrap_or_default())
                            .line_start(line as usize)
                            .path(file.as_str())
                            .fold(true)
                            .annotation(AnnotationKind::Primary.span(range)),
                    );
                } else {
                    group = group.element(
                        annotate_snippets::Origin::path(file.as_str()).line(line as usize),
                    );
                }
            }
            (Some(file), line, _) => {
                let mut origin = annotate_snippets::Origin::path(file.as_str());
                if let Some(line) = line {
                    origin = origin
                        .line(line as usize)
                        .char_column(d.column.unwrap_or(1) as usize);
                }
                group = group.element(origin);
            }
            _ => {}
        }
        if let Some(help) = &d.help {
            group = group.element(Level::HELP.message(help.as_str()));
        }
        let _ = writeln!(out, "{}\n", renderer.render(&[group]));
    }
    out
}

/// Byte range to underline for a 1-based line/column: from the column to the end of the token
/// (or the rest of the line for punctuation-only positions).
fn line_range(text: &str, line: u32, column: u32) -> Option<std::ops::Range<usize>> {
    let mut start = 0usize;
    for _ in 1..line {
        start += text[start..].find('\n')? + 1;
    }
    let end_of_line = text[start..]
        .find('\n')
        .map(|i| start + i)
        .unwrap_or(text.len());
    let line_text = text[start..end_of_line].trim_end_matches('\r');
    let col_byte = line_text
        .char_indices()
        .nth(column.saturating_sub(1) as usize)
        .map(|(i, _)| i)
        .unwrap_or(line_text.len());
    let rest = &line_text[col_byte..];
    let token_len = rest
        .char_indices()
        .find(|(_, c)| c.is_whitespace() || *c == ':' || *c == ',')
        .map(|(i, _)| i)
        .unwrap_or(rest.len());
    let len = if token_len == 0 {
        rest.trim_end().len().max(1)
    } else {
        token_len
    };
    let s = start + col_byte;
    let e = (s + len).min(start + line_text.len()).max(s);
    if e == s {
        // Empty line or position at end of line: point at the line end.
        return Some(s..s);
    }
    Some(s..e)
}

/// One-line summary such as `2 errors, 1 warning`.
pub fn summary_line(diags: &Diagnostics) -> String {
    let e = diags.count(Severity::Error);
    let w = diags.count(Severity::Warning);
    let plural = |n: usize, s: &str| format!("{n} {s}{}", if n == 1 { "" } else { "s" });
    format!("{}, {}", plural(e, "error"), plural(w, "warning"))
}

/// GitHub Actions workflow commands, one per diagnostic.
pub fn render_github(diags: &Diagnostics) -> String {
    let mut out = String::new();
    for d in diags.iter() {
        let kind = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut props = Vec::new();
        if let Some(f) = &d.file {
            props.push(format!("file={}", escape_property(f)));
        }
        if let Some(l) = d.line {
            props.push(format!("line={l}"));
        }
        if let Some(c) = d.column {
            props.push(format!("col={c}"));
        }
        props.push(format!("title={}", escape_property(d.code.id())));
        let mut msg = d.message.clone();
        if let Some(h) = &d.help {
            msg.push_str("\nhelp: ");
            msg.push_str(h);
        }
        let _ = writeln!(out, "::{kind} {}::{}", props.join(","), escape_data(&msg));
    }
    out
}

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_by_file_then_line() {
        let mut d = Diagnostics::new();
        d.push(Diagnostic::new(codes::UNKNOWN_KEY, "x").at(&Span::new("b.yaml", 3, 1)));
        d.push(Diagnostic::new(codes::UNKNOWN_KEY, "y").at(&Span::new("a.yaml", 9, 1)));
        d.push(Diagnostic::new(codes::UNKNOWN_KEY, "z").at(&Span::new("a.yaml", 2, 5)));
        d.sort();
        let lines: Vec<_> = d
            .iter()
            .map(|d| (d.file.clone().unwrap(), d.line.unwrap()))
            .collect();
        assert_eq!(
            lines,
            vec![
                ("a.yaml".into(), 2),
                ("a.yaml".into(), 9),
                ("b.yaml".into(), 3)
            ]
        );
    }

    #[test]
    fn github_format_escapes() {
        let mut d = Diagnostics::new();
        d.push(
            Diagnostic::new(codes::UNKNOWN_KEY, "bad: a,b\nnext")
                .severity(Severity::Warning)
                .at(&Span::new("p/x.yaml", 4, 2))
                .help("fix 100%"),
        );
        assert_eq!(
            render_github(&d),
            "::warning file=p/x.yaml,line=4,col=2,title=unknown-key::bad: a,b%0Anext%0Ahelp: fix 100%25\n"
        );
    }

    #[test]
    fn human_format_shows_the_line() {
        let sources = SourceMap::default();
        sources.add("portal.yaml", "title: x\nbogus: 1\n");
        let mut d = Diagnostics::new();
        d.push(
            Diagnostic::new(codes::UNKNOWN_KEY, "unknown key `bogus`").at(&Span::new(
                "portal.yaml",
                2,
                1,
            )),
        );
        let out = render_human(&d, &sources, false);
        assert!(
            out.contains("error[unknown-key]: unknown key `bogus`"),
            "{out}"
        );
        assert!(out.contains("portal.yaml:2:1"), "{out}");
        assert!(out.contains("bogus: 1"), "{out}");
    }
}
