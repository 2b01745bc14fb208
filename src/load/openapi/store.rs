//! The set of files one API is made of. Starting from the entry document, every file named by a
//! `$ref` (relative paths, nested folders, refs inside referenced files) is read once, registered
//! in the [`SourceMap`], parsed into a spanned tree and kept here, so the front ends can resolve
//! references without doing IO. Then every `$ref` of every file is checked once (missing file,
//! dangling pointer, remote URL, malformed pointer), each problem reported at its `$ref` line.

use crate::diagnostics::codes;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::load::files::{FileError, Files, Text};
use crate::source::{SourceMap, Span};
use crate::tree::{Node, Value};

use super::pointer::{self, RefTarget};

/// Index of a document in the [`Store`].
pub type DocId = usize;

/// One parsed file.
pub struct Doc {
    /// Lexically normalised absolute path (the key documents are shared by).
    pub path: PathBuf,
    /// Project-relative path used in spans.
    pub rel: Arc<str>,
    pub text: Arc<str>,
    pub root: Node,
}

impl Doc {
    pub fn span(&self, node: &Node) -> Span {
        Span::new(self.rel.clone(), node.line, node.column)
    }
}

/// Every file of the API, the entry document first.
pub struct Store {
    pub docs: Vec<Doc>,
    by_path: HashMap<PathBuf, Option<DocId>>,
    /// `$ref` sites (document, line, column) already reported as broken.
    pub broken: HashSet<(DocId, u32, u32)>,
    /// Per document: `$anchor` name → pointer. Built only when some `$ref` uses a plain-name
    /// fragment (`#node`); empty otherwise.
    anchors: Vec<HashMap<String, Vec<String>>>,
}

/// Keys whose values are literal data (examples, defaults, enumerations, extensions): a `$ref`
/// inside them is an example value, not a reference.
fn is_literal_key(key: &str) -> bool {
    key.starts_with("x-") || matches!(key, "example" | "default" | "enum" | "const" | "value")
}

/// Keys whose values are maps of user-chosen names (a property called `example` is a schema).
fn is_named_collection(key: &str) -> bool {
    matches!(
        key,
        "properties"
            | "patternProperties"
            | "definitions"
            | "$defs"
            | "schemas"
            | "parameters"
            | "responses"
            | "requestBodies"
            | "headers"
            | "examples"
            | "securitySchemes"
            | "securityDefinitions"
            | "links"
            | "callbacks"
            | "pathItems"
            | "paths"
            | "webhooks"
            | "content"
            | "encoding"
            | "dependentSchemas"
            | "variables"
            | "mapping"
    )
}

/// Call `f(ref_string, ref_value_node)` for every `$ref` in `node` outside literal data.
/// Iterative, so hostile nesting cannot overflow the stack.
pub fn for_each_ref<'a>(node: &'a Node, mut f: impl FnMut(&'a str, &'a Node)) {
    // (node, whether this node is a map of user-chosen names)
    let mut stack: Vec<(&'a Node, bool)> = vec![(node, false)];
    while let Some((n, named)) = stack.pop() {
        match &n.value {
            Value::Map(m) => {
                if let Some((_, r)) = crate::tree::lookup(m, "$ref")
                    && let Some(s) = r.as_str()
                {
                    f(s, r);
                }
                for (k, (_, v)) in m.iter().rev() {
                    if &**k == "$ref" || (!named && is_literal_key(k)) {
                        continue;
                    }
                    // `examples` is a list of literal values in JSON Schema, a map of Example
                    // Objects in OpenAPI.
                    if !named && &**k == "examples" && matches!(v.value, Value::Seq(_)) {
                        continue;
                    }
                    stack.push((v, !named && is_named_collection(k)));
                }
            }
            Value::Seq(items) => {
                for v in items.iter().rev() {
                    stack.push((v, false));
                }
            }
            _ => {}
        }
    }
}

/// `$anchor: name` (and the older `$id: "#name"`) → the pointer of the schema declaring it.
fn anchor_index(root: &Node) -> HashMap<String, Vec<String>> {
    let mut out = HashMap::new();
    let mut path: Vec<String> = Vec::new();
    // (node, depth, segment leading to it)
    let mut stack: Vec<(&Node, usize, Option<String>)> = vec![(root, 0, None)];
    while let Some((node, depth, seg)) = stack.pop() {
        path.truncate(depth.saturating_sub(1));
        if let Some(seg) = seg {
            path.push(seg);
        }
        match &node.value {
            Value::Map(m) => {
                let anchor = node.get("$anchor").and_then(Node::as_str).or_else(|| {
                    node.get("$id")
                        .and_then(Node::as_str)
                        .and_then(|i| i.strip_prefix('#'))
                });
                if let Some(a) = anchor {
                    out.entry(a.to_string()).or_insert_with(|| path.clone());
                }
                for (k, (_, v)) in m.iter().rev() {
                    if !is_literal_key(k) {
                        stack.push((v, depth + 1, Some(k.to_string())));
                    }
                }
            }
            Value::Seq(items) => {
                for (i, v) in items.iter().enumerate().rev() {
                    stack.push((v, depth + 1, Some(i.to_string())));
                }
            }
            _ => {}
        }
    }
    out
}

use crate::load::files::normalize;

/// What went wrong resolving a reference.
#[derive(Debug)]
pub enum RefProblem {
    /// The target file is missing or unparsable (reported when it was loaded).
    File,
    /// The reference is malformed, remote or dangling: the diagnostic to report, and for a
    /// dangling pointer where it stopped matching (to suggest a near key when reporting).
    Bad(Box<Diagnostic>, Option<Box<(DocId, Vec<String>, usize)>>),
}

impl Store {
    /// Read the entry document and, transitively, every file it references, all through
    /// `files` (confined to the project, within the run's budgets).
    /// `None` when the entry document itself cannot be read or parsed.
    pub fn load(
        files: &Files,
        entry: &Path,
        sources: &SourceMap,
        diags: &mut Diagnostics,
    ) -> Option<Store> {
        let mut store = Store {
            docs: Vec::new(),
            by_path: HashMap::new(),
            broken: HashSet::new(),
            anchors: Vec::new(),
        };
        let entry = normalize(entry);
        let text = match files.read_text(&entry, sources) {
            Ok(t) => t,
            Err(e) => {
                diags.push(e.diagnostic(&files.display(&entry), None));
                return None;
            }
        };
        store.add(files, entry, text, diags)?;
        // Breadth-first over referenced files, in the order references are written.
        let mut next = 0;
        // Files that cannot be read → their diagnostic (without a position), built once.
        let mut unreadable: HashMap<PathBuf, Diagnostic> = HashMap::new();
        let mut anchor_refs = false;
        while next < store.docs.len() {
            let mut wanted: Vec<(PathBuf, u32, u32, String)> = Vec::new();
            {
                let doc = &store.docs[next];
                let dir = doc.path.parent().map(Path::to_path_buf).unwrap_or_default();
                for_each_ref(&doc.root, |r, node| {
                    let (file, fragment) = r.split_once('#').unwrap_or((r, ""));
                    if !fragment.is_empty() && !fragment.starts_with('/') {
                        anchor_refs = true;
                    }
                    if file.is_empty() {
                        return;
                    }
                    match pointer::parse_ref(r) {
                        RefTarget::Local { file, .. } | RefTarget::Anchor { file, .. } => {
                            wanted.push((
                                normalize(&dir.join(&file)),
                                node.line,
                                node.column,
                                file,
                            ));
                        }
                        _ => {}
                    }
                });
            }
            let from = next;
            for (path, line, column, written) in wanted {
                let span = Span::new(store.docs[from].rel.clone(), line, column);
                if !store.by_path.contains_key(&path) {
                    match files.read_text(&path, sources) {
                        Ok(text) => {
                            store.add(files, path.clone(), text, diags);
                        }
                        Err(e) => {
                            store.by_path.insert(path.clone(), None);
                            let d = ref_problem(files, &written, &path, &e);
                            unreadable.insert(path.clone(), d);
                        }
                    }
                }
                if store.by_path.get(&path).is_some_and(Option::is_none) {
                    store.broken.insert((from, line, column));
                }
                // Every `$ref` to a file that cannot be read is reported at its own line.
                if let Some(d) = unreadable.get(&path) {
                    diags.push(d.clone().at(&span));
                }
            }
            next += 1;
        }
        if anchor_refs {
            store.anchors = store.docs.iter().map(|d| anchor_index(&d.root)).collect();
        }
        store.check_refs(diags);
        Some(store)
    }

    fn add(
        &mut self,
        files: &Files,
        path: PathBuf,
        text: Text,
        diags: &mut Diagnostics,
    ) -> Option<DocId> {
        // Registered (by the read), so even a parse error can quote its line.
        match files.parse(&text) {
            Ok(node) => {
                let id = self.docs.len();
                self.by_path.insert(path.clone(), Some(id));
                self.docs.push(Doc {
                    path,
                    rel: text.rel,
                    text: text.text,
                    root: node,
                });
                Some(id)
            }
            Err(e) => {
                self.by_path.insert(path, None);
                diags.push(e.diagnostic(text.rel, "", 0));
                None
            }
        }
    }

    /// Resolve `reference` written in document `from`.
    pub fn resolve(
        &self,
        from: DocId,
        reference: &str,
    ) -> Result<(DocId, Vec<String>, &Node), RefProblem> {
        let (file, anchor, segs) = match pointer::parse_ref(reference) {
            RefTarget::Local { file, pointer } => (file, None, pointer),
            RefTarget::Anchor { file, name } => (file, Some(name), Vec::new()),
            RefTarget::Remote(url) => {
                let d = Diagnostic::new(
                    codes::REF_REMOTE,
                    format!(
                        "remote reference `{url}` is not fetched: portalgen only reads files in the project"
                    ),
                )
                .help("download the document into the project and reference it by a relative path, e.g. `./schemas/pet.yaml#/Pet`");
                return Err(RefProblem::Bad(Box::new(d), None));
            }
            RefTarget::Invalid(why) => {
                let d = Diagnostic::new(
                    codes::REF_BAD_POINTER,
                    format!("invalid reference `{reference}`: {why}"),
                );
                return Err(RefProblem::Bad(Box::new(d), None));
            }
        };
        let doc = if file.is_empty() {
            from
        } else {
            let dir = self.docs[from]
                .path
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default();
            match self.by_path.get(&normalize(&dir.join(&file))) {
                Some(Some(id)) => *id,
                _ => return Err(RefProblem::File),
            }
        };
        let segs = match anchor {
            None => segs,
            Some(name) => match self.anchors.get(doc).and_then(|a| a.get(&name)) {
                Some(segs) => segs.clone(),
                None => {
                    let d = Diagnostic::new(
                        codes::REF_BAD_POINTER,
                        format!(
                            "`{reference}` points nowhere: no schema in `{}` declares `$anchor: {name}`",
                            self.docs[doc].rel
                        ),
                    )
                    .help("add `$anchor` to the schema, or use a JSON Pointer like `#/components/schemas/Name`");
                    return Err(RefProblem::Bad(Box::new(d), None));
                }
            },
        };
        match pointer::lookup(&self.docs[doc].root, &segs) {
            Ok(node) => Ok((doc, segs, node)),
            Err(miss) => {
                let place = if file.is_empty() {
                    String::new()
                } else {
                    format!(" in `{}`", self.docs[doc].rel)
                };
                let d = Diagnostic::new(
                    codes::REF_BAD_POINTER,
                    format!("`{reference}` points nowhere: {}{place}", miss.message),
                );
                Err(RefProblem::Bad(
                    Box::new(d),
                    Some(Box::new((doc, segs, miss.matched))),
                ))
            }
        }
    }

    /// Check every `$ref` of every document once, reporting each broken one at its line (a
    /// dangling pointer with the nearest existing key as a suggestion).
    fn check_refs(&mut self, diags: &mut Diagnostics) {
        let mut broken = Vec::new();
        // Character pairs the "did you mean" search may compare in total.
        let mut budget: usize = 20_000_000;
        for (id, doc) in self.docs.iter().enumerate() {
            for_each_ref(&doc.root, |r, node| {
                if let Err(RefProblem::Bad(mut d, miss)) = self.resolve(id, r) {
                    if let Some((target, segs, matched)) = miss.as_deref()
                        && let Some(s) = pointer::suggest_key(
                            &self.docs[*target].root,
                            segs,
                            *matched,
                            &mut budget,
                        )
                    {
                        let file = r.split_once('#').map_or(r, |(f, _)| f);
                        let mut fixed = segs[..*matched].to_vec();
                        fixed.push(s);
                        *d = d.clone().help(format!(
                            "did you mean `{file}#{}`?",
                            pointer::format_pointer(&fixed)
                        ));
                    }
                    broken.push((id, node.line, node.column));
                    diags.push(d.at(&doc.span(node)));
                }
            });
        }
        self.broken.extend(broken);
    }
}

/// The error for a `$ref` (written `written`) to the file `path` that cannot be read. Only a
/// missing file inside the project gets a "did you mean"; nothing outside it is looked at.
fn ref_problem(files: &Files, written: &str, path: &Path, e: &FileError) -> Diagnostic {
    let rel = files.display(path);
    let d = match e {
        FileError::NotFound => Diagnostic::new(
            codes::REF_MISSING_FILE,
            format!("referenced file `{written}` ({rel}): not found"),
        ),
        // Named as written: the resolved path of a file outside says nothing more.
        FileError::Outside { via_link: false } => return e.diagnostic(written, None),
        other => other.diagnostic(&rel, None),
    };
    if *e != FileError::NotFound {
        return d;
    }
    match suggest_file(files, path) {
        Some(s) => d.help(format!(
            "did you mean `{s}`? File references are relative to the file that contains the `$ref`"
        )),
        None => d.help("file references are relative to the file that contains the `$ref`"),
    }
}

/// A file next to the missing `path` (inside the allowed folders) whose name is close to it.
fn suggest_file(files: &Files, path: &Path) -> Option<String> {
    let dir = path.parent()?;
    let name = path.file_name()?.to_str()?;
    let entries = files.list(dir).ok()?;
    let names: Vec<&str> = entries
        .iter()
        .filter(|e| matches!(e.kind, Ok(crate::load::files::Kind::File { .. })))
        .map(|e| e.name.as_str())
        .filter(|n| *n != name)
        .collect();
    pointer::suggest(name, names.iter().copied())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refs_in_literal_data_are_not_references() {
        let doc = crate::tree::parse(
            r##"
paths: {$ref: "#/p"}
components:
  schemas:
    A:
      properties:
        example: {$ref: "#/prop-named-example"}
        value: {$ref: "#/prop-named-value"}
      example: {$ref: "#/literal-example"}
      default: {$ref: "#/literal-default"}
      enum: [{$ref: "#/literal-enum"}]
      examples: [{$ref: "#/literal-examples"}]
      x-vendor: {$ref: "#/extension"}
  examples:
    E:
      value: {$ref: "#/literal-value"}
    F: {$ref: "#/example-object"}
"##,
        )
        .unwrap();
        let mut found = Vec::new();
        for_each_ref(&doc, |r, _| found.push(r.to_string()));
        assert_eq!(
            found,
            vec![
                "#/p",
                "#/prop-named-example",
                "#/prop-named-value",
                "#/example-object"
            ]
        );
    }
}
