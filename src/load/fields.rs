//! Strict, typed reading of project files (portal.yaml, packages, front matter) from the
//! spanned tree. Every problem (unknown key, wrong type, bad value) becomes a diagnostic at the
//! exact line, and reading goes on, so one run reports all of a file's problems at once.

use crate::diagnostics::codes;
use std::sync::Arc;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::source::Span;
use crate::tree::{Key, Node, Value};

/// A mapping being read, with the file it came from and the keys it allows.
pub struct Fields<'a> {
    pub node: &'a Node,
    pub file: &'a Arc<str>,
    /// What the mapping is, for messages: "portal.yaml", "a package", "`rate_limit`".
    pub what: &'a str,
}

impl<'a> Fields<'a> {
    /// Start reading `node` as a mapping; reports and returns `None` when it is not one.
    pub fn new(
        node: &'a Node,
        file: &'a Arc<str>,
        what: &'a str,
        diags: &mut Diagnostics,
    ) -> Option<Self> {
        if node.as_map().is_none() {
            diags.push(
                Diagnostic::new(
                    codes::WRONG_TYPE,
                    format!("{what} must be a mapping, found {}", node.kind()),
                )
                .at(&node.span(file)),
            );
            return None;
        }
        Some(Fields { node, file, what })
    }

    pub fn span(&self) -> Span {
        self.node.span(self.file)
    }

    pub fn span_of(&self, node: &Node) -> Span {
        node.span(self.file)
    }

    pub fn key_span(&self, key: &Key) -> Span {
        Span::new(self.file.clone(), key.line, key.column)
    }

    /// Report every key not in `allowed`, with a "did you mean" when one is close.
    pub fn deny_unknown(&self, allowed: &[&str], diags: &mut Diagnostics) {
        let Some(map) = self.node.as_map() else {
            return;
        };
        for (name, (key, _)) in map {
            if !allowed.contains(&name.as_str()) {
                let mut d = Diagnostic::new(
                    codes::UNKNOWN_KEY,
                    format!("unknown key `{name}` in {}", self.what),
                )
                .at(&self.key_span(key));
                d = match did_you_mean(name, allowed) {
                    Some(s) => d.help(format!("did you mean `{s}`?")),
                    None => d.help(format!("allowed keys: {}", allowed.join(", "))),
                };
                diags.push(d);
            }
        }
    }

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
        match &n.value {
            Value::String(s) => Some(s.clone()),
            Value::Int(_) | Value::Float(_) => n.scalar_text(),
            _ => {
                diags.push(
                    Diagnostic::new(
                        codes::WRONG_TYPE,
                        format!("`{key}` must be a string, found {}", n.kind()),
                    )
                    .at(&self.span_of(n)),
                );
                None
            }
        }
    }

    pub fn required_string(&self, key: &str, diags: &mut Diagnostics) -> Option<String> {
        let n = self.required(key, diags)?;
        self.as_string(key, n, diags)
    }

    pub fn bool(&self, key: &str, diags: &mut Diagnostics) -> Option<bool> {
        let n = self.get(key)?;
        match n.as_bool() {
            Some(b) => Some(b),
            None => {
                diags.push(
                    Diagnostic::new(
                        codes::WRONG_TYPE,
                        format!("`{key}` must be true or false, found {}", n.kind()),
                    )
                    .at(&self.span_of(n)),
                );
                None
            }
        }
    }

    pub fn integer(&self, key: &str, diags: &mut Diagnostics) -> Option<i64> {
        let n = self.get(key)?;
        match n.as_i64() {
            Some(i) => Some(i),
            None => {
                diags.push(
                    Diagnostic::new(
                        codes::WRONG_TYPE,
                        format!("`{key}` must be an integer, found {}", n.kind()),
                    )
                    .at(&self.span_of(n)),
                );
                None
            }
        }
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
                diags.push(
                    Diagnostic::new(
                        codes::WRONG_TYPE,
                        format!("`{key}` must be a list of strings, found {}", n.kind()),
                    )
                    .at(&self.span_of(n)),
                );
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

/// The closest candidate by edit distance, when close enough to be a likely typo.
pub fn did_you_mean<'c, S: AsRef<str>>(word: &str, candidates: &'c [S]) -> Option<&'c str> {
    let word_l = word.to_ascii_lowercase();
    candidates
        .iter()
        .map(|c| {
            (
                c.as_ref(),
                edit_distance(&word_l, &c.as_ref().to_ascii_lowercase()),
            )
        })
        .filter(|(c, d)| *d <= (c.len().max(word.len()) / 3).max(1))
        .min_by_key(|(_, d)| *d)
        .map(|(c, _)| c)
}

/// Edit distance over chars counting a swap of two adjacent characters as one edit
/// (optimal string alignment), so `theem` is one typo away from `theme`.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
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
    fn distance() {
        assert_eq!(edit_distance("rate_limt", "rate_limit"), 1);
        assert_eq!(edit_distance("theem", "theme"), 1);
        assert_eq!(
            did_you_mean("ratelimit", &["rate_limit", "teams"]),
            Some("rate_limit")
        );
        assert_eq!(did_you_mean("zzz", &["rate_limit", "teams"]), None);
    }
}
