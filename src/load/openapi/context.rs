//! The state shared by the front ends while one API is converted: the loaded files, the
//! diagnostics found so far, the schema arena, and small lenient readers for fields (a wrong
//! type is a warning at the field, never a failure).

use crate::diagnostics::codes;
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use indexmap::IndexMap;

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::model::api::{Schema, SchemaId, SpecVersion};
use crate::source::Span;
use crate::tree::Node;

use super::pointer;
use super::store::{DocId, RefProblem, Store};
use crate::load::read::Reader;

/// Maximum `$ref` → `$ref` hops before a chain is reported as too long (documented in
/// docs/project-format.md, "Limits").
pub(super) const MAX_REF_CHAIN: usize = 64;

/// What is wrong with a `$ref` chain (the places it passed, `hops` `$ref`s followed so far)
/// that is about to take one more hop to `next`: it comes back to a place it passed
/// (`ref-cycle`), or it is longer than [`MAX_REF_CHAIN`] without coming back
/// (`ref-chain-too-long`). `what` names the start for the message.
pub(super) fn chain_problem<K: PartialEq>(
    chain: &[K],
    hops: usize,
    next: &K,
    what: &str,
) -> Option<(crate::diagnostics::Code, String, &'static str)> {
    if chain.contains(next) {
        return Some((
            codes::REF_CYCLE,
            format!("{what} leads back to itself through `$ref`s only, so it describes nothing"),
            "point one of the `$ref`s at an object instead of another `$ref`",
        ));
    }
    if hops >= MAX_REF_CHAIN {
        return Some((
            codes::REF_CHAIN_TOO_LONG,
            format!(
                "{what} starts a chain of more than {MAX_REF_CHAIN} `$ref`s, each naming the next, without reaching an object"
            ),
            "point the `$ref` at the object at the end of the chain",
        ));
    }
    None
}

pub struct Ctx<'s> {
    pub store: &'s Store,
    pub spec: SpecVersion,
    pub diags: Diagnostics,
    /// Schema arena (becomes [`crate::model::Api::schemas`]).
    pub schemas: Vec<Schema>,
    /// Named schemas (becomes [`crate::model::Api::schema_names`]).
    pub schema_names: IndexMap<String, SchemaId>,
    /// Location (document, canonical pointer) → arena slot.
    pub(super) schema_index: HashMap<(DocId, String), SchemaId>,
    /// Display name of an arena slot (component name, else the last pointer segment).
    pub(super) schema_display: HashMap<SchemaId, String>,
    /// Slots allocated but not yet converted.
    pub(super) schema_queue: VecDeque<(SchemaId, DocId, &'s Node)>,
    /// Literal values (examples) already converted, by node: a component example used by
    /// many operations is converted and held once.
    values: HashMap<*const Node, Arc<serde_json::Value>>,
}

impl<'s> Ctx<'s> {
    pub fn new(store: &'s Store, spec: SpecVersion) -> Self {
        Ctx {
            store,
            spec,
            diags: Diagnostics::new(),
            schemas: Vec::new(),
            schema_names: IndexMap::new(),
            schema_index: HashMap::new(),
            schema_display: HashMap::new(),
            schema_queue: VecDeque::new(),
            values: HashMap::new(),
        }
    }

    /// `node` (a literal value of document data) as JSON, converted once per node.
    pub fn value(&mut self, node: &'s Node) -> Arc<serde_json::Value> {
        self.values
            .entry(node as *const Node)
            .or_insert_with(|| Arc::new(node.to_json()))
            .clone()
    }

    pub fn span(&self, doc: DocId, node: &Node) -> Span {
        self.store.docs[doc].span(node)
    }

    /// Report a problem of `code` at `node` of document `doc`.
    pub fn report(&mut self, code: Code, message: impl Into<String>, doc: DocId, node: &Node) {
        let d = Diagnostic::new(code, message).at(&self.span(doc, node));
        self.diags.push(d);
    }

    pub fn report_help(
        &mut self,
        code: Code,
        message: impl Into<String>,
        help: &str,
        doc: DocId,
        node: &Node,
    ) {
        let d = Diagnostic::new(code, message)
            .at(&self.span(doc, node))
            .help(help);
        self.diags.push(d);
    }

    /// Report a problem resolving the `$ref` at `site` unless the store already reported it.
    pub fn report_ref(&mut self, doc: DocId, site: &Node, problem: RefProblem) {
        if self.store.broken.contains(&(doc, site.line, site.column)) {
            return;
        }
        if let RefProblem::Bad(d, _) = problem {
            self.diags.push(d.at(&self.span(doc, site)));
        }
    }

    /// Follow `$ref`s from `node` (written in `doc`) to the object they name: parameters,
    /// responses, request bodies, headers, path items, examples, security schemes. Returns the
    /// node itself when it is not a reference; `None` (reported) when a reference is broken or
    /// circular.
    pub fn follow(&mut self, doc: DocId, node: &'s Node) -> Option<(DocId, &'s Node)> {
        let mut doc = doc;
        let mut node = node;
        let mut seen: Vec<(DocId, String)> = Vec::new();
        loop {
            let Some(site) = node.get("$ref") else {
                return Some((doc, node));
            };
            let Some(reference) = site.as_str() else {
                self.report(
                    codes::REF_NOT_A_STRING,
                    format!("`$ref` must be a string, found {}", site.kind()),
                    doc,
                    site,
                );
                return None;
            };
            match self.store.resolve(doc, reference) {
                Ok((target_doc, segs, target)) => {
                    let key = (target_doc, pointer::format_pointer(&segs));
                    if let Some((code, message, help)) =
                        chain_problem(&seen, seen.len(), &key, &format!("`{reference}`"))
                    {
                        self.report_help(code, message, help, doc, site);
                        return None;
                    }
                    seen.push(key);
                    doc = target_doc;
                    node = target;
                }
                Err(problem) => {
                    self.report_ref(doc, site, problem);
                    return None;
                }
            }
        }
    }

    /// The lenient reader of document `doc`: a wrong type is a warning and the field is ignored.
    fn reader(&self, doc: DocId) -> Reader<'s> {
        Reader::lenient(&self.store.docs[doc].rel)
    }

    /// Warn that `what` should be `expected` (the node is ignored).
    pub fn wrong_type(&mut self, doc: DocId, what: &str, expected: &str, node: &Node) {
        self.reader(doc)
            .wrong_type(what, expected, node, &mut self.diags);
    }

    /// A text field: strings as they are, numbers and booleans as written; anything else is a
    /// warning and `None`.
    pub fn text(&mut self, doc: DocId, node: &Node, key: &str) -> Option<String> {
        let v = node.get(key)?;
        self.reader(doc)
            .scalar(&format!("`{key}`"), v, &mut self.diags)
    }

    /// A boolean field (`None` when absent or not a boolean; the latter warned).
    pub fn flag(&mut self, doc: DocId, node: &Node, key: &str) -> Option<bool> {
        let v = node.get(key)?;
        self.reader(doc)
            .bool(&format!("`{key}`"), v, &mut self.diags)
    }

    /// A list-of-strings field (a single string counts as one; other items warned and skipped).
    pub fn strings(&mut self, doc: DocId, node: &Node, key: &str) -> Vec<String> {
        let Some(v) = node.get(key) else {
            return Vec::new();
        };
        self.reader(doc)
            .strings(&format!("`{key}`"), v, true, &mut self.diags)
            .into_iter()
            .map(|(s, _)| s)
            .collect()
    }

    /// The map at `key`, if present and a map (warned otherwise).
    pub fn map_field(&mut self, doc: DocId, node: &'s Node, key: &str) -> Option<&'s Node> {
        let v = node.get(key)?;
        self.reader(doc)
            .map(&format!("`{key}`"), v, &mut self.diags)
    }

    /// The list at `key`, if present and a list (warned otherwise).
    pub fn seq_field(&mut self, doc: DocId, node: &'s Node, key: &str) -> Option<&'s [Node]> {
        let v = node.get(key)?;
        self.reader(doc)
            .seq(&format!("`{key}`"), v, &mut self.diags)
    }
}

/// `x-` extensions of a mapping, as JSON.
pub fn extensions(node: &Node) -> IndexMap<String, serde_json::Value> {
    let mut out = IndexMap::new();
    if let Some(m) = node.as_map() {
        for (k, (_, v)) in m {
            if k.starts_with("x-") {
                out.insert(k.to_string(), v.to_json());
            }
        }
    }
    out
}

/// Entries of a mapping node (empty for anything else).
pub fn entries(node: &Node) -> impl Iterator<Item = (&str, &crate::tree::Key, &Node)> {
    node.as_map()
        .into_iter()
        .flat_map(|m| m.iter().map(|(k, (key, v))| (&**k, key, v)))
}
