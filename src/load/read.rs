//! The one typed reader of the spanned tree, used by every file the project holds: portal.yaml,
//! packages, front matter, decK files and the OpenAPI front ends. Every problem (unknown key,
//! wrong type, missing or empty field, value out of a set) becomes a diagnostic at the exact
//! line with one set of codes, and reading goes on, so one run reports all of a file's problems.
//!
//! Two modes: [`Mode::Strict`] for the project's own configuration and decK files (a wrong
//! type is an error), [`Mode::Lenient`] for OpenAPI documents, which are often written by other
//! teams or tools (a wrong type is a warning and the field is ignored).

use std::sync::Arc;

use crate::diagnostics::suggest::did_you_mean;
use crate::diagnostics::{Diagnostic, Diagnostics, Severity, codes};
use crate::source::Span;
use crate::tree::{Key, Node, Value};

/// How a type mismatch is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// An error: the file is the project's own and must be right.
    Strict,
    /// A warning; the field is ignored.
    Lenient,
}

/// Reads the values of one file.
#[derive(Debug, Clone, Copy)]
pub struct Reader<'a> {
    pub file: &'a Arc<str>,
    pub mode: Mode,
}

impl<'a> Reader<'a> {
    pub fn strict(file: &'a Arc<str>) -> Self {
        Reader {
            file,
            mode: Mode::Strict,
        }
    }

    pub fn lenient(file: &'a Arc<str>) -> Self {
        Reader {
            file,
            mode: Mode::Lenient,
        }
    }

    pub fn span(&self, node: &Node) -> Span {
        node.span(self.file)
    }

    pub fn key_span(&self, key: &Key) -> Span {
        Span::new(self.file.clone(), key.line, key.column)
    }

    /// Report that `what` (a field name in backticks, or a description) is not `expected`.
    pub fn wrong_type(&self, what: &str, expected: &str, node: &Node, diags: &mut Diagnostics) {
        let (verb, severity) = match self.mode {
            Mode::Strict => ("must be", Severity::Error),
            Mode::Lenient => ("should be", Severity::Warning),
        };
        diags.push(
            Diagnostic::new(
                codes::WRONG_TYPE,
                format!("{what} {verb} {expected}, found {}", node.kind()),
            )
            .severity(severity)
            .at(&self.span(node)),
        );
    }

    /// A string (only a string; `null` is absent).
    pub fn string(&self, what: &str, node: &Node, diags: &mut Diagnostics) -> Option<String> {
        match &node.value {
            Value::String(s) => Some(s.clone()),
            Value::Null => None,
            _ => {
                self.wrong_type(what, "a string", node, diags);
                None
            }
        }
    }

    /// A string, or a number as written (YAML users write `version: 1.0`).
    pub fn text(&self, what: &str, node: &Node, diags: &mut Diagnostics) -> Option<String> {
        match &node.value {
            Value::String(s) => Some(s.clone()),
            Value::Int(_) | Value::Float(_) => node.scalar_text(),
            Value::Null => None,
            _ => {
                self.wrong_type(what, "a string", node, diags);
                None
            }
        }
    }

    /// Any scalar as written (strings, numbers, booleans).
    pub fn scalar(&self, what: &str, node: &Node, diags: &mut Diagnostics) -> Option<String> {
        match &node.value {
            Value::String(s) => Some(s.clone()),
            Value::Null => None,
            Value::Map(_) | Value::Seq(_) => {
                self.wrong_type(what, "a string", node, diags);
                None
            }
            _ => node.scalar_text(),
        }
    }

    pub fn bool(&self, what: &str, node: &Node, diags: &mut Diagnostics) -> Option<bool> {
        match node.value {
            Value::Bool(b) => Some(b),
            Value::Null => None,
            _ => {
                self.wrong_type(what, "true or false", node, diags);
                None
            }
        }
    }

    pub fn integer(&self, what: &str, node: &Node, diags: &mut Diagnostics) -> Option<i64> {
        match (node.as_i64(), &node.value) {
            (Some(i), _) => Some(i),
            (None, Value::Null) => None,
            _ => {
                self.wrong_type(what, "an integer", node, diags);
                None
            }
        }
    }

    pub fn map(&self, what: &str, node: &'a Node, diags: &mut Diagnostics) -> Option<&'a Node> {
        match node.value {
            Value::Map(_) => Some(node),
            Value::Null => None,
            _ => {
                self.wrong_type(what, "a mapping", node, diags);
                None
            }
        }
    }

    pub fn seq(&self, what: &str, node: &'a Node, diags: &mut Diagnostics) -> Option<&'a [Node]> {
        match &node.value {
            Value::Seq(items) => Some(items),
            Value::Null => None,
            _ => {
                self.wrong_type(what, "a list", node, diags);
                None
            }
        }
    }

    /// A list whose items are strings, each with its node (for positions). Items of other
    /// types are reported and skipped. With `single`, a lone string counts as a one-item list.
    pub fn strings<'n>(
        &self,
        what: &str,
        node: &'n Node,
        single: bool,
        diags: &mut Diagnostics,
    ) -> Vec<(String, &'n Node)> {
        match &node.value {
            Value::String(s) if single => vec![(s.clone(), node)],
            Value::Seq(items) => items
                .iter()
                .filter_map(|item| match &item.value {
                    Value::String(s) => Some((s.clone(), item)),
                    _ => {
                        self.wrong_type(&format!("{what} items"), "strings", item, diags);
                        None
                    }
                })
                .collect(),
            Value::Null => Vec::new(),
            _ => {
                self.wrong_type(what, "a list of strings", node, diags);
                Vec::new()
            }
        }
    }

    /// Report every key of the mapping `node` that is not in `allowed`, at the key, with a
    /// "did you mean" when one is close (else the allowed keys).
    pub fn deny_unknown(&self, node: &Node, allowed: &[&str], what: &str, diags: &mut Diagnostics) {
        let Some(map) = node.as_map() else {
            return;
        };
        for (name, (key, _)) in map {
            if allowed.contains(&&**name) {
                continue;
            }
            let d = Diagnostic::new(
                codes::UNKNOWN_KEY,
                format!("unknown key `{name}` in {what}"),
            )
            .at(&self.key_span(key));
            diags.push(match did_you_mean(name, allowed) {
                Some(s) => d.help(format!("did you mean `{s}`?")),
                None => d.help(format!("allowed keys: {}", allowed.join(", "))),
            });
        }
    }
}

/// A mapping being read by key, with the file it came from.
pub struct Fields<'a> {
    pub node: &'a Node,
    pub reader: Reader<'a>,
    /// What the mapping is, for messages: "portal.yaml", "a package", "`rate_limit`".
    pub what: &'a str,
}

impl<'a> Fields<'a> {
    /// Start reading `node` strictly as a mapping; reports and returns `None` when it is not one.
    pub fn new(
        node: &'a Node,
        file: &'a Arc<str>,
        what: &'a str,
        diags: &mut Diagnostics,
    ) -> Option<Self> {
        Fields::with(node, Reader::strict(file), what, diags)
    }

    pub fn with(
        node: &'a Node,
        reader: Reader<'a>,
        what: &'a str,
        diags: &mut Diagnostics,
    ) -> Option<Self> {
        if node.as_map().is_none() {
            reader.wrong_type(what, "a mapping", node, diags);
            return None;
        }
        Some(Fields { node, reader, what })
    }

    pub fn span(&self) -> Span {
        self.reader.span(self.node)
    }

    pub fn span_of(&self, node: &Node) -> Span {
        self.reader.span(node)
    }

    pub fn key_span(&self, key: &Key) -> Span {
        self.reader.key_span(key)
    }

    /// Report every key not in `allowed`, with a "did you mean" when one is close.
    pub fn deny_unknown(&self, allowed: &[&str], diags: &mut Diagnostics) {
        self.reader
            .deny_unknown(self.node, allowed, self.what, diags);
    }

    /// The value of `key`, unless absent or `null`.
    pub fn get(&self, key: &str) -> Option<&'a Node> {
        self.node.get(key).filter(|n| n.value != Value::Null)
    }

    /// A required field; reports when missing or empty.
    pub fn required(&self, key: &str, diags: &mut Diagnostics) -> Option<&'a Node> {
        let n = self.get(key);
        if n.is_none()
            && let Some((k, _)) = self.node.as_map().and_then(|m| m.get(key))
        {
            diags.push(
                Diagnostic::new(codes::MISSING_VALUE, format!("`{key}` has no value"))
                    .at(&self.key_span(k))
                    .help(format!("give `{key}` a value or remove the line")),
            );
            return None;
        }
        if n.is_none() {
            diags.push(
                Diagnostic::new(
                    codes::MISSING_FIELD,
                    format!("{} is missing required key `{key}`", self.what),
                )
                .at(&self.span()),
            );
        }
        n
    }

    /// A string field (numbers are accepted as their text, as YAML users expect for `version: 1.0`).
    pub fn string(&self, key: &str, diags: &mut Diagnostics) -> Option<String> {
        let n = self.get(key)?;
        self.as_string(key, n, diags)
    }

    pub fn as_string(&self, key: &str, n: &Node, diags: &mut Diagnostics) -> Option<String> {
        self.reader.text(&format!("`{key}`"), n, diags)
    }

    pub fn required_string(&self, key: &str, diags: &mut Diagnostics) -> Option<String> {
        let n = self.required(key, diags)?;
        self.as_string(key, n, diags)
    }

    pub fn bool(&self, key: &str, diags: &mut Diagnostics) -> Option<bool> {
        self.reader.bool(&format!("`{key}`"), self.get(key)?, diags)
    }

    pub fn integer(&self, key: &str, diags: &mut Diagnostics) -> Option<i64> {
        self.reader
            .integer(&format!("`{key}`"), self.get(key)?, diags)
    }

    /// A list of strings; a single string is accepted as a one-item list.
    pub fn string_list(&self, key: &str, diags: &mut Diagnostics) -> Vec<String> {
        let Some(n) = self.get(key) else {
            return Vec::new();
        };
        match &n.value {
            Value::String(s) => vec![s.clone()],
            Value::Seq(items) => items
                .iter()
                .filter_map(|item| self.as_string(key, item, diags))
                .collect(),
            _ => {
                self.reader
                    .wrong_type(&format!("`{key}`"), "a list of strings", n, diags);
                Vec::new()
            }
        }
    }

    /// A string that must be one of `allowed`.
    pub fn one_of(
        &self,
        key: &str,
        allowed: &[&str],
        diags: &mut Diagnostics,
    ) -> Option<(String, Span)> {
        let n = self.get(key)?;
        let s = self.as_string(key, n, diags)?;
        if allowed.contains(&s.as_str()) {
            Some((s, self.span_of(n)))
        } else {
            let mut d = Diagnostic::new(
                codes::INVALID_VALUE,
                format!(
                    "`{key}: {s}` is not allowed; use one of: {}",
                    allowed.join(", ")
                ),
            )
            .at(&self.span_of(n));
            if let Some(m) = did_you_mean(&s, allowed) {
                d = d.help(format!("did you mean `{m}`?"));
            }
            diags.push(d);
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree;

    #[test]
    fn unknown_keys_are_all_reported_with_suggestions() {
        let node = tree::parse("titel: x\nbase_url: y\nwhatever: 1\n").unwrap();
        let file: Arc<str> = "portal.yaml".into();
        let mut d = Diagnostics::new();
        let f = Fields::new(&node, &file, "portal.yaml", &mut d).unwrap();
        f.deny_unknown(&["title", "base_url"], &mut d);
        let v: Vec<_> = d.iter().collect();
        assert_eq!(v.len(), 2);
        assert_eq!(v[0].line, Some(1));
        assert_eq!(v[0].help.as_deref(), Some("did you mean `title`?"));
        assert_eq!(v[1].line, Some(3));
        assert!(v[1].help.as_deref().unwrap().starts_with("allowed keys"));
    }

    #[test]
    fn modes_differ_in_severity_and_wording() {
        let node = tree::parse("a: [1]\n").unwrap();
        let file: Arc<str> = "x.yaml".into();
        for (reader, severity, verb) in [
            (Reader::strict(&file), Severity::Error, "must be"),
            (Reader::lenient(&file), Severity::Warning, "should be"),
        ] {
            let mut d = Diagnostics::new();
            assert_eq!(reader.string("`a`", node.get("a").unwrap(), &mut d), None);
            let d = d.iter().next().unwrap();
            assert_eq!((d.code, d.severity), (codes::WRONG_TYPE, severity));
            assert_eq!(
                d.message,
                format!("`a` {verb} a string, found a list"),
                "{d:?}"
            );
            assert_eq!((d.line, d.column), (Some(1), Some(4)));
        }
    }
}
