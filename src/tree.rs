//! A spanned document tree for YAML and JSON. Every node keeps the line and column where it
//! was written, so any stage can point a diagnostic at the exact spot of a project file or an
//! OpenAPI document. Built from saphyr-parser's events (YAML 1.2, of which JSON is a subset);
//! duplicate mapping keys and alias bombs are errors, never silent overwrites or hangs.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use saphyr_parser::{Event, Parser, ScalarStyle, Span as YSpan};

use crate::diagnostics::{Code, Diagnostic, codes};
use crate::source::Span;

mod json;

/// A value with its position.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    /// 1-based line and column of the node's first character.
    pub line: u32,
    pub column: u32,
}

/// Where a mapping key is written (its name is the key of the [`Map`] entry).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub line: u32,
    pub column: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    String(String),
    Seq(Vec<Node>),
    Map(Map),
}

/// One entry of a [`Map`]: the key's name, where the key is written, and the value.
pub type Entry = (Arc<str>, (Key, Node));

/// Mappings up to this many entries are searched by comparing keys; larger ones keep a
/// sorted index. Most mappings of a document have a handful of keys, and comparing a few
/// short strings is cheaper than any index (the loader asks for fields millions of times on
/// a big description).
const SMALL_MAP: usize = 8;

/// The entries of a mapping in the order they are written, keys unique. Laid out for big
/// documents (a 100 MB description is millions of entries): one allocation of exactly the
/// entries, key names shared within a document (`type`, `description`, … are one string
/// each), and an index of 4 bytes per entry only in mappings larger than [`SMALL_MAP`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Map {
    entries: Box<[Entry]>,
    /// Entry positions sorted by key (only for mappings larger than [`SMALL_MAP`]).
    index: Option<Box<[u32]>>,
}

/// The iterator over a [`Map`]'s entries, in the order written.
pub type MapIter<'a> =
    std::iter::Map<std::slice::Iter<'a, Entry>, fn(&'a Entry) -> (&'a Arc<str>, &'a (Key, Node))>;

impl Map {
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The key position and value of `key`.
    pub fn get(&self, key: &str) -> Option<&(Key, Node)> {
        match &self.index {
            None => self
                .entries
                .iter()
                .find(|(k, _)| &**k == key)
                .map(|(_, v)| v),
            Some(index) => index
                .binary_search_by(|&i| (*self.entries[i as usize].0).cmp(key))
                .ok()
                .map(|at| &self.entries[index[at] as usize].1),
        }
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    pub fn iter(&self) -> MapIter<'_> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &Arc<str>> + ExactSizeIterator {
        self.entries.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &(Key, Node)> + ExactSizeIterator {
        self.entries.iter().map(|(_, v)| v)
    }

    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut (Key, Node)> {
        self.entries.iter_mut().map(|(_, v)| v)
    }

    /// The entries whose key `keep` keeps, in their order.
    pub fn select(&self, keep: impl Fn(&str) -> bool) -> Map {
        Map::from_unique(
            self.entries
                .iter()
                .filter(|(k, _)| keep(k))
                .cloned()
                .collect(),
        )
    }

    /// The map of `entries` in their order; of a key written twice the first is kept.
    pub fn from_entries(entries: Vec<Entry>) -> Map {
        let mut b = MapBuilder::default();
        for (name, (key, node)) in entries {
            if b.position(&name).is_none() {
                b.push(name, key, node);
            }
        }
        b.finish()
    }

    /// The entries, in their order.
    pub fn into_entries(self) -> Vec<Entry> {
        self.entries.into_vec()
    }

    /// The map of `entries` (keys already unique), with its index when it is large.
    fn from_unique(entries: Vec<Entry>) -> Map {
        let entries = entries.into_boxed_slice();
        let index = (entries.len() > SMALL_MAP).then(|| {
            let mut idx: Vec<u32> = (0..entries.len() as u32).collect();
            idx.sort_unstable_by(|&a, &b| entries[a as usize].0.cmp(&entries[b as usize].0));
            idx.into_boxed_slice()
        });
        Map { entries, index }
    }
}

impl<'a> IntoIterator for &'a Map {
    type Item = (&'a Arc<str>, &'a (Key, Node));
    type IntoIter = MapIter<'a>;
    fn into_iter(self) -> MapIter<'a> {
        self.iter()
    }
}

/// The entries of one mapping as it is read. A repeated key is found as it comes: by
/// comparing keys while the mapping is small, with a hash set once it is not (so a mapping
/// of 100,000 keys is not 10^10 comparisons).
#[derive(Default)]
pub(crate) struct MapBuilder {
    entries: Vec<Entry>,
    seen: Option<std::collections::HashMap<Arc<str>, usize>>,
}

impl MapBuilder {
    /// The position of `key` if it is already there.
    pub(crate) fn position(&self, key: &str) -> Option<usize> {
        match &self.seen {
            Some(seen) => seen.get(key).copied(),
            None => self.entries.iter().position(|(k, _)| &**k == key),
        }
    }

    /// Where the entry at `position` has its key.
    pub(crate) fn key_at(&self, position: usize) -> Key {
        self.entries[position].1.0
    }

    /// Add an entry whose key is not there yet (see [`MapBuilder::position`]).
    pub(crate) fn push(&mut self, name: Arc<str>, key: Key, node: Node) {
        if let Some(seen) = &mut self.seen {
            seen.insert(name.clone(), self.entries.len());
        } else if self.entries.len() == SMALL_MAP {
            let mut seen: std::collections::HashMap<Arc<str>, usize> = self
                .entries
                .iter()
                .enumerate()
                .map(|(i, (k, _))| (k.clone(), i))
                .collect();
            seen.insert(name.clone(), self.entries.len());
            self.seen = Some(seen);
        }
        self.entries.push((name, (key, node)));
    }

    pub(crate) fn finish(self) -> Map {
        Map::from_unique(self.entries)
    }
}

/// One copy of each key name of a document: a 100 MB description repeats `description` a
/// million times, and a million copies of it would cost a million allocations.
#[derive(Default)]
pub(crate) struct Names {
    set: std::collections::HashSet<Arc<str>>,
}

impl Names {
    pub(crate) fn get(&mut self, name: &str) -> Arc<str> {
        if let Some(n) = self.set.get(name) {
            return n.clone();
        }
        let n: Arc<str> = Arc::from(name);
        self.set.insert(n.clone());
        n
    }
}

impl Node {
    pub fn span(&self, file: &Arc<str>) -> Span {
        Span::new(file.clone(), self.line, self.column)
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&Map> {
        match &self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.value {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self.value {
            Value::Int(i) => Some(i),
            _ => None,
        }
    }

    /// Field of a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map().and_then(|m| lookup(m, key)).map(|(_, n)| n)
    }

    /// Key position of a mapping field.
    pub fn key(&self, key: &str) -> Option<&Key> {
        self.as_map().and_then(|m| lookup(m, key)).map(|(k, _)| k)
    }

    /// A scalar as display text (numbers and booleans too), for fields like `version: 1.0`.
    pub fn scalar_text(&self) -> Option<String> {
        match &self.value {
            Value::String(s) => Some(s.clone()),
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) => Some(f.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// What kind of value this is, for messages ("expected a string, found a mapping").
    pub fn kind(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a number",
            Value::String(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }

    /// Convert to a JSON value (positions dropped).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f)
                .map(J::Number)
                .unwrap_or(J::Null),
            Value::String(s) => J::String(s.clone()),
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(m) => J::Object(
                m.iter()
                    .map(|(k, (_, v))| (k.to_string(), v.to_json()))
                    .collect(),
            ),
        }
    }
}

/// A field of a mapping (see [`Map::get`]).
pub fn lookup<'a>(map: &'a Map, key: &str) -> Option<&'a (Key, Node)> {
    map.get(key)
}

/// Why a document could not be parsed, with the position of the problem.
#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    pub message: String,
    pub line: u32,
    pub column: u32,
    /// `yaml-syntax`, `duplicate-key`, `yaml-too-large`, `yaml-too-deep`, `empty-document` or
    /// `multiple-documents`.
    pub code: Code,
}

impl ParseError {
    /// The diagnostic for this error in `file`, with the message prefixed by `context` (e.g.
    /// "cannot parse decK file: ") and lines shifted by `line_offset` (front matter starts
    /// below the file's first line). The one place a parse error's help is worded.
    pub fn diagnostic(&self, file: Arc<str>, context: &str, line_offset: u32) -> Diagnostic {
        let d = Diagnostic::new(self.code, format!("{context}{}", self.message)).at(&Span::new(
            file,
            self.line + line_offset,
            self.column,
        ));
        let help = match self.code {
            codes::DUPLICATE_KEY => {
                "remove or rename one of the two keys; YAML and JSON keys must be unique"
            }
            codes::YAML_SYNTAX => "check indentation and quoting around this position",
            codes::YAML_TOO_LARGE => "expand the aliases by hand or split the document",
            codes::YAML_TOO_DEEP => {
                "flatten the structure (in OpenAPI documents, with `$ref`s to named components)"
            }
            _ => return d,
        };
        d.help(help)
    }
}

/// How deep a document may nest (mappings and lists inside each other), in YAML block and
/// flow style and in JSON alike: 255 levels, the most saphyr-parser's scanner admits in flow
/// style (it counts flow levels in a `u8`). Real descriptions stay far below (GitHub's: 21).
pub const MAX_DEPTH: usize = 255;

/// The node counts one run may build, over every YAML and JSON file it reads together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Maximum number of nodes after alias expansion (`limits.yaml_nodes` in portal.yaml).
    pub max_nodes: usize,
    /// Maximum number of nodes added by expanding aliases (`*name`), so an alias bomb is
    /// refused long before it fills memory (`limits.alias_nodes`).
    pub max_alias_nodes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_nodes: 20_000_000,
            max_alias_nodes: 1_000_000,
        }
    }
}

/// The reading budget of one run. Every file parsed in the run draws on the same counts, so
/// loading many files (in parallel or not) cannot multiply the limits: ten alias bombs just
/// under the limit each still stop at one limit in total.
///
/// Files parsed in parallel draw in an order that depends on scheduling. When a draw fails
/// because of what *other* files used, the budget notes it ([`Budget::tripped`]); the loader
/// then reads those files again one by one from a [`Budget::snapshot`], so which file is
/// reported is the same on every run.
#[derive(Debug)]
pub struct Budget {
    limits: Limits,
    nodes: AtomicUsize,
    alias_nodes: AtomicUsize,
    tripped: AtomicBool,
}

/// What a [`Budget`] had used at one point, to start a sequential retry from.
#[derive(Debug, Clone, Copy)]
pub struct Snapshot {
    nodes: usize,
    alias_nodes: usize,
}

impl Default for Budget {
    fn default() -> Self {
        Budget::new(Limits::default())
    }
}

impl Budget {
    pub fn new(limits: Limits) -> Self {
        Budget {
            limits,
            nodes: AtomicUsize::new(0),
            alias_nodes: AtomicUsize::new(0),
            tripped: AtomicBool::new(false),
        }
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Nodes drawn so far (after alias expansion), by every file.
    pub fn nodes_used(&self) -> usize {
        self.nodes.load(Ordering::Relaxed)
    }

    /// True when a draw failed because of what other files had used before it.
    pub fn tripped(&self) -> bool {
        self.tripped.load(Ordering::Relaxed)
    }

    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            nodes: self.nodes.load(Ordering::SeqCst),
            alias_nodes: self.alias_nodes.load(Ordering::SeqCst),
        }
    }

    /// Go back to `snap` (and forget a trip), to read files again in a fixed order.
    pub fn restore(&self, snap: Snapshot) {
        self.nodes.store(snap.nodes, Ordering::SeqCst);
        self.alias_nodes.store(snap.alias_nodes, Ordering::SeqCst);
        self.tripped.store(false, Ordering::SeqCst);
    }
}

/// Nodes a file draws from the run's [`Budget`] at once: drawing every node would make the
/// threads of a parallel load contend on one counter.
const DRAW: usize = 4096;

/// One file's draws on the run's [`Budget`]. A file that fails to parse gives back what it
/// drew (its tree is dropped); [`Meter::commit`] keeps the draws of a parsed file.
pub(crate) struct Meter<'b> {
    budget: &'b Budget,
    drawn_nodes: usize,
    drawn_aliases: usize,
    committed: bool,
    /// This file's nodes and alias nodes, and how many of them are not yet drawn.
    nodes: usize,
    nodes_undrawn: usize,
    alias_nodes: usize,
    alias_undrawn: usize,
    /// Where the last alias not yet drawn is: what is left is reported there at the end.
    last_alias: (u32, u32),
}

impl<'b> Meter<'b> {
    pub(crate) fn new(budget: &'b Budget) -> Self {
        Meter {
            budget,
            drawn_nodes: 0,
            drawn_aliases: 0,
            committed: false,
            nodes: 0,
            nodes_undrawn: 0,
            alias_nodes: 0,
            alias_undrawn: 0,
            last_alias: (1, 1),
        }
    }

    /// Count `n` new nodes at `line`:`column`.
    pub(crate) fn nodes(&mut self, n: usize, line: u32, column: u32) -> Result<(), ParseError> {
        let max = self.budget.limits.max_nodes;
        self.nodes = self.nodes.saturating_add(n);
        self.nodes_undrawn = self.nodes_undrawn.saturating_add(n);
        if self.nodes > max {
            return Err(too_large(
                format!(
                    "the document expands to more than {max} nodes (an alias/anchor bomb?); `limits.yaml_nodes` in portal.yaml sets the limit"
                ),
                line,
                column,
            ));
        }
        if self.nodes_undrawn >= DRAW {
            self.draw_nodes(line, column)?;
        }
        Ok(())
    }

    /// Count `n` nodes added by expanding an alias at `line`:`column`.
    fn aliases(&mut self, n: usize, line: u32, column: u32) -> Result<(), ParseError> {
        let max = self.budget.limits.max_alias_nodes;
        self.alias_nodes = self.alias_nodes.saturating_add(n);
        self.alias_undrawn = self.alias_undrawn.saturating_add(n);
        self.last_alias = (line, column);
        if self.alias_nodes > max {
            return Err(too_large(
                format!(
                    "aliases expand to more than {max} nodes (an alias/anchor bomb?); `limits.alias_nodes` in portal.yaml sets the limit"
                ),
                line,
                column,
            ));
        }
        if self.alias_undrawn >= DRAW {
            self.draw_aliases(line, column)?;
        }
        Ok(())
    }

    fn draw_nodes(&mut self, line: u32, column: u32) -> Result<(), ParseError> {
        let n = std::mem::take(&mut self.nodes_undrawn);
        self.drawn_nodes += n;
        let max = self.budget.limits.max_nodes;
        if draw(&self.budget.nodes, n, max, &self.budget.tripped) {
            return Ok(());
        }
        Err(too_large(
            format!(
                "with the files read before it, the project's YAML and JSON files expand to more than {max} nodes; `limits.yaml_nodes` in portal.yaml sets the limit"
            ),
            line,
            column,
        ))
    }

    fn draw_aliases(&mut self, line: u32, column: u32) -> Result<(), ParseError> {
        let n = std::mem::take(&mut self.alias_undrawn);
        self.drawn_aliases += n;
        let max = self.budget.limits.max_alias_nodes;
        if draw(&self.budget.alias_nodes, n, max, &self.budget.tripped) {
            return Ok(());
        }
        Err(too_large(
            format!(
                "with the files read before it, the aliases of the project's YAML files expand to more than {max} nodes; `limits.alias_nodes` in portal.yaml sets the limit"
            ),
            line,
            column,
        ))
    }

    /// Draw what is left (at the end of a document, where it is reported) and keep the draws.
    pub(crate) fn commit(&mut self, line: u32, column: u32) -> Result<(), ParseError> {
        self.draw_nodes(line, column)?;
        let (alias_line, alias_column) = self.last_alias;
        self.draw_aliases(alias_line, alias_column)?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for Meter<'_> {
    fn drop(&mut self) {
        if !self.committed {
            self.budget
                .nodes
                .fetch_sub(self.drawn_nodes, Ordering::Relaxed);
            self.budget
                .alias_nodes
                .fetch_sub(self.drawn_aliases, Ordering::Relaxed);
        }
    }
}

/// Take `n` from a run-wide counter; past `max`, trip the budget (the loader then retries the
/// run sequentially, so the report does not depend on thread timing).
/// Whether the counter stayed within `max`.
fn draw(counter: &AtomicUsize, n: usize, max: usize, tripped: &AtomicBool) -> bool {
    let total = counter.fetch_add(n, Ordering::Relaxed).saturating_add(n);
    if total > max {
        tripped.store(true, Ordering::Relaxed);
    }
    total <= max
}

fn too_large(message: String, line: u32, column: u32) -> ParseError {
    ParseError {
        message,
        line,
        column,
        code: codes::YAML_TOO_LARGE,
    }
}

pub(crate) fn too_deep(line: u32, column: u32) -> ParseError {
    ParseError {
        message: format!("the document nests deeper than {MAX_DEPTH} levels"),
        line,
        column,
        code: codes::YAML_TOO_DEEP,
    }
}

/// Parse a YAML or JSON text into one spanned tree (the first document of a stream), with a
/// budget of its own (the default limits). The loader uses [`parse_in`] with the run's budget.
pub fn parse(text: &str) -> Result<Node, ParseError> {
    parse_in(text, &Budget::default())
}

/// Parse a YAML or JSON text, drawing on the run's `budget`.
pub fn parse_in(text: &str, budget: &Budget) -> Result<Node, ParseError> {
    parse_unclamped(text, budget).map_err(|e| clamp(text, e))
}

/// Keep an error position on a line that exists (parsers report end-of-input one line past
/// the last), so every output format shows the same, real position.
fn clamp(text: &str, mut e: ParseError) -> ParseError {
    let lines: Vec<&str> = text.lines().collect();
    let last = lines.len().max(1) as u32;
    if e.line > last {
        e.line = last;
        e.column = lines
            .last()
            .map(|l| l.chars().count() as u32 + 1)
            .unwrap_or(1);
    } else if e.line == 0 {
        e.line = 1;
        e.column = e.column.max(1);
    }
    e
}

fn parse_unclamped(text: &str, budget: &Budget) -> Result<Node, ParseError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // JSON is detected by content: a document starting with `{` or `[` goes through the fast
    // JSON reader. YAML flow collections start the same way, so when the JSON reader rejects
    // the text the YAML parser gets its turn; if both reject it, the JSON error is the one that
    // describes what the author most likely meant.
    if looks_like_json(text) {
        // A failed attempt gives back what it drew, so the YAML retry does not pay twice.
        match json::parse(text, budget) {
            Ok(node) => return Ok(node),
            Err(json_err) if json_err.code != codes::YAML_SYNTAX => return Err(json_err),
            Err(json_err) => return parse_yaml(text, budget).map_err(|_| json_err),
        }
    }
    parse_yaml(text, budget)
}

/// True when the first significant character opens a JSON object or array.
pub fn looks_like_json(text: &str) -> bool {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    matches!(text.trim_start().as_bytes().first(), Some(b'{' | b'['))
}

/// Parse with the YAML parser only (JSON is YAML 1.2 too, just slower this way).
pub fn parse_yaml(text: &str, budget: &Budget) -> Result<Node, ParseError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut builder = Builder {
        stack: Vec::new(),
        anchors: Vec::new(),
        root: None,
        meter: Meter::new(budget),
        names: Names::default(),
    };
    let mut parser = Parser::new_from_str(text);
    let syntax = |e: saphyr_parser::ScanError| {
        let (line, column) = (e.marker().line() as u32, e.marker().col() as u32 + 1);
        // The scanner's own flow-nesting limit (a `u8`) is the same figure as MAX_DEPTH.
        if e.info() == "recursion limit exceeded" {
            return too_deep(line, column);
        }
        ParseError {
            message: e.info().to_string(),
            line,
            column,
            code: codes::YAML_SYNTAX,
        }
    };
    for item in parser.by_ref() {
        let (event, span) = item.map_err(syntax)?;
        if builder.event(event, span)? {
            break;
        }
    }
    // A second document in the same file would be silently ignored: refuse it.
    for item in parser {
        let (event, span) = item.map_err(syntax)?;
        if let Event::DocumentStart(_) = event {
            let (line, column) = pos(&span);
            return Err(ParseError {
                message: "the file holds more than one YAML document (a second `---`)".into(),
                line,
                column,
                code: codes::MULTIPLE_DOCUMENTS,
            });
        }
    }
    let root = builder.root.take().ok_or(ParseError {
        message: "the document is empty".into(),
        line: 1,
        column: 1,
        code: codes::EMPTY_DOCUMENT,
    })?;
    builder.meter.commit(root.line, root.column)?;
    Ok(root)
}

enum Frame {
    Seq {
        node: Node,
        items: Vec<Node>,
        anchor: usize,
    },
    Map {
        node: Node,
        map: MapBuilder,
        pending_key: Option<(Arc<str>, Key)>,
        /// `<<` merge sources, applied at the end so explicit keys win.
        merges: Vec<Node>,
        anchor: usize,
    },
}

struct Builder<'b> {
    stack: Vec<Frame>,
    /// Anchor id, anchored node, and its size in nodes (counted once, when defined).
    anchors: Vec<(usize, Node, usize)>,
    root: Option<Node>,
    meter: Meter<'b>,
    names: Names,
}

fn pos(span: &YSpan) -> (u32, u32) {
    (span.start.line() as u32, span.start.col() as u32 + 1)
}

impl Builder<'_> {
    /// Feed one event; returns true once the first document is complete.
    fn event(&mut self, event: Event<'_>, span: YSpan) -> Result<bool, ParseError> {
        let (line, column) = pos(&span);
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                let tagged_str = tag.as_ref().is_some_and(|t| t.suffix == "str");
                let value = if style == ScalarStyle::Plain && !tagged_str {
                    resolve_plain(&text)
                } else {
                    Value::String(text.into_owned())
                };
                let node = Node {
                    value,
                    line,
                    column,
                };
                self.meter.nodes(1, line, column)?;
                if anchor > 0 {
                    self.anchors
                        .push((anchor, node.clone(), count_nodes(&node)));
                }
                self.add(node)
            }
            Event::Alias(id) => {
                let index =
                    self.anchors
                        .iter()
                        .rposition(|(a, _, _)| *a == id)
                        .ok_or(ParseError {
                            message: "alias refers to an unknown anchor".into(),
                            line,
                            column,
                            code: codes::YAML_SYNTAX,
                        })?;
                // Count before cloning, so a bomb is stopped before it allocates.
                let size = self.anchors[index].2;
                self.meter.nodes(size, line, column)?;
                self.meter.aliases(size, line, column)?;
                let node = self.anchors[index].1.clone();
                // The alias takes the position of its use, so diagnostics point where it is used.
                let node = Node {
                    line,
                    column,
                    ..node
                };
                self.add(node)
            }
            Event::SequenceStart(anchor, _) => {
                self.depth_check(line, column)?;
                self.meter.nodes(1, line, column)?;
                self.stack.push(Frame::Seq {
                    node: Node {
                        value: Value::Null,
                        line,
                        column,
                    },
                    items: Vec::new(),
                    anchor,
                });
                Ok(false)
            }
            Event::MappingStart(anchor, _) => {
                self.depth_check(line, column)?;
                self.meter.nodes(1, line, column)?;
                self.stack.push(Frame::Map {
                    node: Node {
                        value: Value::Null,
                        line,
                        column,
                    },
                    map: MapBuilder::default(),
                    pending_key: None,
                    merges: Vec::new(),
                    anchor,
                });
                Ok(false)
            }
            Event::SequenceEnd => match self.stack.pop() {
                Some(Frame::Seq {
                    mut node,
                    mut items,
                    anchor,
                }) => {
                    // Big documents hold hundreds of thousands of small containers: keep
                    // no growth slack.
                    items.shrink_to_fit();
                    node.value = Value::Seq(items);
                    if anchor > 0 {
                        self.anchors
                            .push((anchor, node.clone(), count_nodes(&node)));
                    }
                    self.add(node)
                }
                _ => Ok(false),
            },
            Event::MappingEnd => match self.stack.pop() {
                Some(Frame::Map {
                    mut node,
                    mut map,
                    anchor,
                    merges,
                    ..
                }) => {
                    for src in merges {
                        let sources: Vec<Node> = match src.value {
                            Value::Seq(items) => items,
                            other => vec![Node {
                                value: other,
                                ..src
                            }],
                        };
                        for m in sources {
                            if let Value::Map(m) = m.value {
                                for (k, (key, v)) in m.entries.into_vec() {
                                    if map.position(&k).is_none() {
                                        map.push(k, key, v);
                                    }
                                }
                            }
                        }
                    }
                    node.value = Value::Map(map.finish());
                    if anchor > 0 {
                        self.anchors
                            .push((anchor, node.clone(), count_nodes(&node)));
                    }
                    self.add(node)
                }
                _ => Ok(false),
            },
            Event::DocumentEnd => Ok(self.root.is_some()),
            _ => Ok(false),
        }
    }

    fn depth_check(&self, line: u32, column: u32) -> Result<(), ParseError> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(too_deep(line, column));
        }
        Ok(())
    }

    /// Attach a finished node to its parent (or make it the root).
    fn add(&mut self, node: Node) -> Result<bool, ParseError> {
        match self.stack.last_mut() {
            None => {
                if self.root.is_none() {
                    self.root = Some(node);
                }
                Ok(false)
            }
            Some(Frame::Seq { items, .. }) => {
                items.push(node);
                Ok(false)
            }
            Some(Frame::Map {
                map,
                pending_key,
                merges,
                ..
            }) => {
                match pending_key.take() {
                    None => {
                        let name = match &node.value {
                            Value::String(s) => s.clone(),
                            Value::Int(i) => i.to_string(),
                            Value::Float(f) => f.to_string(),
                            Value::Bool(b) => b.to_string(),
                            Value::Null => "null".to_string(),
                            _ => {
                                return Err(ParseError {
                                    message: "mapping keys must be scalars".into(),
                                    line: node.line,
                                    column: node.column,
                                    code: codes::YAML_SYNTAX,
                                });
                            }
                        };
                        if let Some(first) = map.position(&name).filter(|_| name != "<<") {
                            return Err(ParseError {
                                message: format!(
                                    "duplicate key `{name}` (first defined at line {})",
                                    map.key_at(first).line
                                ),
                                line: node.line,
                                column: node.column,
                                code: codes::DUPLICATE_KEY,
                            });
                        }
                        let key = Key {
                            line: node.line,
                            column: node.column,
                        };
                        *pending_key = Some((self.names.get(&name), key));
                    }
                    Some((name, key)) => {
                        if &*name == "<<" {
                            // YAML merge key: merged at the end of the mapping; explicit keys win.
                            merges.push(node);
                        } else {
                            map.push(name, key, node);
                        }
                    }
                }
                Ok(false)
            }
        }
    }
}

fn count_nodes(node: &Node) -> usize {
    match &node.value {
        Value::Seq(items) => 1 + items.iter().map(count_nodes).sum::<usize>(),
        Value::Map(m) => 1 + m.values().map(|(_, v)| count_nodes(v)).sum::<usize>(),
        _ => 1,
    }
}

/// YAML 1.2 core schema resolution of a plain scalar.
fn resolve_plain(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Value::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return Value::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Value::Float(f64::NAN),
        _ => {}
    }
    let bytes = text.as_bytes();
    let first = bytes[0];
    if first.is_ascii_digit() || first == b'-' || first == b'+' || first == b'.' {
        if let Some(hex) = text.strip_prefix("0x") {
            if let Ok(i) = i64::from_str_radix(hex, 16) {
                return Value::Int(i);
            }
        } else if let Some(oct) = text.strip_prefix("0o") {
            if let Ok(i) = i64::from_str_radix(oct, 8) {
                return Value::Int(i);
            }
        } else if text
            .bytes()
            .enumerate()
            .all(|(i, b)| b.is_ascii_digit() || (i == 0 && (b == b'-' || b == b'+')))
        {
            if let Ok(i) = text.parse::<i64>() {
                return Value::Int(i);
            }
            if let Ok(f) = text.parse::<f64>() {
                return Value::Float(f);
            }
        } else if is_float(text)
            && let Ok(f) = text.parse::<f64>()
        {
            return Value::Float(f);
        }
    }
    Value::String(text.to_string())
}

/// `[-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?`
fn is_float(text: &str) -> bool {
    let s = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exp) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some((a, b)) => {
            (a.bytes().all(|c| c.is_ascii_digit()) && b.bytes().all(|c| c.is_ascii_digit()))
                && !(a.is_empty() && b.is_empty())
        }
        None => !mantissa.is_empty() && mantissa.bytes().all(|c| c.is_ascii_digit()),
    };
    let exp_ok = exp.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && e.bytes().all(|c| c.is_ascii_digit())
    });
    mantissa_ok && exp_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_and_types() {
        let doc = parse("a: 1\nb:\n  - x\n  - 'true'\n  - true\nc: 1.5\n").unwrap();
        let b = doc.get("b").unwrap();
        assert_eq!((b.line, b.column), (3, 3));
        let items = b.as_seq().unwrap();
        assert_eq!(items[0].as_str(), Some("x"));
        assert_eq!(items[1].as_str(), Some("true"));
        assert_eq!(items[2].as_bool(), Some(true));
        assert_eq!(doc.get("a").unwrap().as_i64(), Some(1));
        assert_eq!(doc.get("c").unwrap().value, Value::Float(1.5));
        assert_eq!(doc.key("c").unwrap().line, 6);
    }

    #[test]
    fn json_is_parsed_too() {
        let doc = parse("{\n  \"a\": [1, \"b\", null],\n  \"c\": {\"d\": false}\n}").unwrap();
        assert_eq!(
            doc.get("c").unwrap().get("d").unwrap().as_bool(),
            Some(false)
        );
        assert_eq!(doc.get("a").unwrap().line, 2);
    }

    #[test]
    fn duplicate_keys_are_errors() {
        let err = parse("a: 1\nb: 2\na: 3\n").unwrap_err();
        assert_eq!(err.code, codes::DUPLICATE_KEY);
        assert_eq!((err.line, err.column), (3, 1));
    }

    #[test]
    fn syntax_error_has_position() {
        let err = parse("a: [1, 2\nb: 3\n").unwrap_err();
        assert_eq!(err.code, codes::YAML_SYNTAX);
        assert!(err.line >= 2, "{err:?}");
    }

    #[test]
    fn alias_bomb_is_stopped() {
        let mut doc = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            doc.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n",
                p = i - 1
            ));
        }
        let err = parse(&doc).unwrap_err();
        assert_eq!(err.code, codes::YAML_TOO_LARGE);
    }

    #[test]
    fn deep_nesting_is_stopped() {
        let doc = "[".repeat(100_000);
        let err = parse(&doc).unwrap_err();
        assert!(
            err.code == codes::YAML_TOO_DEEP || err.code == codes::YAML_SYNTAX,
            "{err:?}"
        );
    }

    #[test]
    fn second_document_is_an_error() {
        let err = parse("a: 1\n---\nb: 2\n").unwrap_err();
        assert_eq!((err.code, err.line), (codes::MULTIPLE_DOCUMENTS, 2));
        assert!(parse("a: 1\n...\n").is_ok());
    }

    #[test]
    fn end_of_input_errors_stay_on_a_real_line() {
        let err = parse("a: 1\nb: [x\n").unwrap_err();
        assert_eq!(err.code, codes::YAML_SYNTAX);
        assert!(err.line <= 2, "{err:?}");
    }

    #[test]
    fn merge_keys() {
        let doc = parse("base: &b {x: 1, y: 2}\nd:\n  <<: *b\n  y: 3\n").unwrap();
        let d = doc.get("d").unwrap();
        assert_eq!(d.get("x").unwrap().as_i64(), Some(1));
        assert_eq!(d.get("y").unwrap().as_i64(), Some(3));
    }

    /// The JSON fast path must build exactly the tree (values and positions) the YAML parser
    /// builds for the same JSON text.
    #[test]
    fn json_fast_path_matches_yaml_parser() {
        let samples = [
            "{\n  \"a\": [1, \"b\", null, true, false, -0, 1.5e3, 12345678901234567890],\n  \"c\": {\"d\": {}}\n}",
            "[\n [], {}, \"\\u00e9t\\u00e9 \\n\\t\\\"q\\\" \\/\",\n  {\"k\u{e9}y\": \"v\u{e9}\", \"x\": 1}]",
            "{\"openapi\":\"3.0.0\",\"paths\":{\"/a\":{\"get\":{\"responses\":{\"200\":{\"description\":\"ok\"}}}}}}",
            "  \r\n\t{ \"\u{e9}\u{e9}\": { \"x\" :[ 1 ,2 ] } , \"y\":0.25 }\n",
        ];
        for text in samples {
            assert!(looks_like_json(text));
            let fast =
                json::parse(text, &Budget::default()).unwrap_or_else(|e| panic!("{text}: {e:?}"));
            let slow =
                parse_yaml(text, &Budget::default()).unwrap_or_else(|e| panic!("{text}: {e:?}"));
            assert_eq!(fast, slow, "{text}");
        }
    }

    #[test]
    fn json_surrogate_pairs() {
        // saphyr-parser rejects UTF-16 surrogate pair escapes; the JSON reader decodes them.
        let doc = parse("{\"e\": \"\\ud83d\\ude00 \\ud800x\"}").unwrap();
        assert_eq!(doc.get("e").unwrap().as_str(), Some("\u{1f600} \u{fffd}x"));
    }

    #[test]
    fn json_errors_and_fallback() {
        // Duplicate key in JSON: same code and position as the YAML path.
        let err = parse("{\n  \"a\": 1,\n  \"a\": 2\n}").unwrap_err();
        assert_eq!(
            (err.code, err.line, err.column),
            (codes::DUPLICATE_KEY, 3, 3)
        );
        // A YAML flow mapping that is not JSON still parses (through the YAML parser).
        let doc = parse("{a: 1, b: [x, y]}").unwrap();
        assert_eq!(
            doc.get("b").unwrap().as_seq().unwrap()[1].as_str(),
            Some("y")
        );
        // Broken JSON: the JSON error, with its position.
        // (`tru` alone would be a YAML plain scalar, so the YAML retry would accept it.)
        let err = parse("{\n  \"a\": 1,\n  \"b\": [1, 2\n}").unwrap_err();
        assert_eq!(
            (err.code, err.line, err.column),
            (codes::YAML_SYNTAX, 4, 1),
            "{err:?}"
        );
        assert!(err.message.starts_with("JSON:"), "{err:?}");
        // Deep nesting is refused by the JSON reader without recursion.
        let deep = "[".repeat(100_000) + &"]".repeat(100_000);
        assert_eq!(parse(&deep).unwrap_err().code, codes::YAML_TOO_DEEP);
    }
}
