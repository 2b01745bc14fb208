//! One-file bundle of a document split across files, for the "original document" download:
//! the entry document as written, with every `$ref` into another file replaced by what it
//! points at (recursively, the target's own references resolved from its file). A target
//! that refers back to itself through other files (a recursive schema) is placed once under
//! `components/schemas` and referred to there. References inside the entry document stay as
//! they are. Literal values (`example`, `default`, `enum`, `x-…`) are copied untouched.

use serde_json::{Map, Value};

use crate::tree::{Node, Value as V};

use super::store::{DocId, Store};

/// The bundled document as pretty JSON, or `None` when the document is one file.
pub fn bundle(store: &Store) -> Option<String> {
    if store.docs.len() < 2 {
        return None;
    }
    let mut b = Bundler {
        store,
        stack: Vec::new(),
        hoisted: Vec::new(),
        names: Vec::new(),
    };
    let mut root = b.node(0, &store.docs[0].root, false);
    if !b.hoisted.is_empty()
        && let Value::Object(doc) = &mut root
    {
        let components = doc
            .entry("components")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(c) = components {
            let schemas = c
                .entry("schemas")
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(s) = schemas {
                for (name, v) in std::mem::take(&mut b.hoisted) {
                    s.insert(name, v);
                }
            }
        }
    }
    let mut text = serde_json::to_string_pretty(&root).ok()?;
    text.push('\n');
    Some(text)
}

struct Bundler<'s> {
    store: &'s Store,
    /// External targets being inlined (document, pointer), to find recursion.
    stack: Vec<(DocId, String)>,
    /// Recursive targets moved to `components/schemas`: (name, value).
    hoisted: Vec<(String, Value)>,
    /// The `components/schemas` name given to each recursive target.
    names: Vec<((DocId, String), String)>,
}

fn components_ref(name: &str) -> Value {
    let pointer =
        super::pointer::format_pointer(&["components".into(), "schemas".into(), name.into()]);
    serde_json::json!({ "$ref": format!("#{pointer}") })
}

impl Bundler<'_> {
    fn node(&mut self, doc: DocId, node: &Node, literal: bool) -> Value {
        match &node.value {
            V::Map(m) if !literal => {
                if let Some((_, r)) = m.get("$ref")
                    && let Some(reference) = r.as_str()
                    && let Some(v) = self.reference(doc, reference)
                {
                    if m.len() == 1 {
                        return v;
                    }
                    // `$ref` with siblings: keep the siblings, the reference becomes an allOf.
                    let mut out = Map::new();
                    for (k, (_, child)) in m {
                        if &**k != "$ref" {
                            out.insert(k.to_string(), self.node(doc, child, is_literal(k)));
                        }
                    }
                    out.insert("allOf".into(), Value::Array(vec![v]));
                    return Value::Object(out);
                }
                let mut out = Map::new();
                for (k, (_, child)) in m {
                    out.insert(k.to_string(), self.node(doc, child, is_literal(k)));
                }
                Value::Object(out)
            }
            V::Seq(items) if !literal => {
                Value::Array(items.iter().map(|i| self.node(doc, i, false)).collect())
            }
            _ => node.to_json(),
        }
    }

    /// What `reference` (written in `doc`) becomes: `None` keeps it as written (a reference
    /// inside the entry document, or one that does not resolve).
    fn reference(&mut self, doc: DocId, reference: &str) -> Option<Value> {
        let (target_doc, segs, target) = self.store.resolve(doc, reference).ok()?;
        if target_doc == 0 {
            if doc == 0 {
                return None;
            }
            // A reference from another file back into the entry document.
            let pointer = super::pointer::format_pointer(&segs);
            return Some(serde_json::json!({ "$ref": format!("#{pointer}") }));
        }
        let key = (target_doc, super::pointer::format_pointer(&segs));
        if let Some((_, name)) = self.names.iter().find(|(k, _)| *k == key) {
            return Some(components_ref(name));
        }
        if self.stack.contains(&key) {
            // Recursion: the target gets a name under `components/schemas`; every use of it,
            // the outermost included, refers to it there.
            let name = self.hoist_name(&segs, target_doc);
            self.names.push((key, name.clone()));
            return Some(components_ref(&name));
        }
        self.stack.push(key.clone());
        let v = self.node(target_doc, target, false);
        self.stack.pop();
        if let Some((_, name)) = self.names.iter().find(|(k, _)| *k == key) {
            let name = name.clone();
            self.hoisted.push((name.clone(), v));
            return Some(components_ref(&name));
        }
        Some(v)
    }

    /// The `components/schemas` name of a recursive target: its last pointer segment or its
    /// file name, unique against the entry document's own components.
    fn hoist_name(&self, segs: &[String], doc: DocId) -> String {
        let base = segs
            .last()
            .cloned()
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| {
                self.store.docs[doc]
                    .path
                    .file_stem()
                    .and_then(|s| s.to_str())
                    .unwrap_or("schema")
                    .to_string()
            });
        let taken = |n: &str| {
            self.names.iter().any(|(_, given)| given == n)
                || self.store.docs[0]
                    .root
                    .get("components")
                    .and_then(|c| c.get("schemas"))
                    .and_then(|s| s.get(n))
                    .is_some()
        };
        let mut name = base.clone();
        let mut i = 2;
        while taken(&name) {
            name = format!("{base}{i}");
            i += 1;
        }
        name
    }
}

fn is_literal(key: &str) -> bool {
    key.starts_with("x-") || matches!(key, "example" | "default" | "enum" | "const" | "value")
}
