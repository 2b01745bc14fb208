//! A dedicated JSON reader producing the same spanned [`Node`] tree as the YAML path. Big
//! OpenAPI descriptions are JSON (GitHub's is 13 MB) and a general YAML parser spends most of
//! its time on YAML's flow-context rules; this reader is a single pass over the bytes with an
//! explicit stack (no recursion, so nesting cannot overflow the stack), exact-size containers
//! (no growth slack kept in memory) and the same limits, positions, value typing and
//! `duplicate-key` errors as the YAML builder.
//!
//! Kept because it is clearly faster than the alternatives that give positions:
//! `portalgen-bench parse` on GitHub's 13 MB description (5 interleaved runs, 2 cores, load
//! average 6) measured this reader at a median 442 ms and 79 MiB, the saphyr YAML parser on
//! the same text at 1,203 ms and 196 MiB, and serde_json (no positions at all) at 402 ms and
//! 77 MiB.

use crate::diagnostics::codes;

use std::sync::Arc;

use super::{
    Budget, Key, MAX_DEPTH, Map, MapBuilder, Meter, Names, Node, ParseError, Value, too_deep,
};

/// Parse a JSON text (one value, whitespace around it allowed).
pub(super) fn parse(text: &str, budget: &Budget) -> Result<Node, ParseError> {
    let mut reader = Reader {
        bytes: text.as_bytes(),
        text,
        pos: 0,
        line: 1,
        line_start: 0,
        col_byte: 0,
        col_chars: 0,
        meter: Meter::new(budget),
        names: Names::default(),
    };
    reader.document()
}

/// An open container. Members are collected on shared scratch stacks (`start` is where this
/// container's members begin), so each finished container is allocated once at its exact size:
/// no growth slack and no freed intermediate buffers fragmenting the heap.
enum Frame {
    Seq {
        line: u32,
        column: u32,
        start: usize,
    },
    Map {
        line: u32,
        column: u32,
        start: usize,
        key: Option<(Arc<str>, Key)>,
    },
}

/// Build the mapping of the members collected since `start`, at its exact size. A repeated
/// key is a `duplicate-key` error at its second occurrence.
fn finish_map(members: &mut Vec<(Arc<str>, Key, Node)>, start: usize) -> Result<Map, ParseError> {
    let mut map = MapBuilder::default();
    for (name, key, node) in members.drain(start..) {
        if let Some(first) = map.position(&name) {
            return Err(ParseError {
                message: format!(
                    "duplicate key `{name}` (first defined at line {})",
                    map.key_at(first).line
                ),
                line: key.line,
                column: key.column,
                code: codes::DUPLICATE_KEY,
            });
        }
        map.push(name, key, node);
    }
    Ok(map.finish())
}

struct Reader<'a, 'b> {
    bytes: &'a [u8],
    text: &'a str,
    pos: usize,
    line: u32,
    /// Byte offset where the current line starts.
    line_start: usize,
    /// Column cache: `col_chars` characters lie between `line_start` and `col_byte`.
    col_byte: usize,
    col_chars: u32,
    meter: Meter<'b>,
    names: Names,
}

impl Reader<'_, '_> {
    fn document(&mut self) -> Result<Node, ParseError> {
        if self.bytes.starts_with("\u{feff}".as_bytes()) {
            self.pos = 3;
            self.line_start = 3;
            self.col_byte = 3;
        }
        let mut stack: Vec<Frame> = Vec::new();
        let mut items: Vec<Node> = Vec::new();
        let mut members: Vec<(Arc<str>, Key, Node)> = Vec::new();
        let mut root: Option<Node> = None;
        loop {
            self.skip_ws();
            // Where are we: expecting a value, a key, or a separator?
            let node = match stack.last_mut() {
                Some(Frame::Map { start, key, .. }) if key.is_none() => {
                    // Expect a key (or `}`), possibly after a comma.
                    let b = self.peek();
                    let empty = members.len() == *start;
                    if b == Some(b'}') {
                        self.pos += 1;
                        let Some(Frame::Map {
                            line,
                            column,
                            start,
                            ..
                        }) = stack.pop()
                        else {
                            return Err(self.error("internal state error"));
                        };
                        Some(Node {
                            value: Value::Map(finish_map(&mut members, start)?),
                            line,
                            column,
                        })
                    } else {
                        if !empty {
                            if b != Some(b',') {
                                return Err(
                                    self.error("expected `,` or `}` after an object member")
                                );
                            }
                            self.pos += 1;
                            self.skip_ws();
                        }
                        if self.peek() != Some(b'"') {
                            return Err(self.error("expected a string key"));
                        }
                        let (line, column) = self.here();
                        let name = self.string()?;
                        self.count(line, column)?;
                        self.skip_ws();
                        if self.peek() != Some(b':') {
                            return Err(self.error("expected `:` after an object key"));
                        }
                        self.pos += 1;
                        *key = Some((self.names.get(&name), Key { line, column }));
                        None
                    }
                }
                Some(Frame::Seq { start, .. }) => {
                    let b = self.peek();
                    let empty = items.len() == *start;
                    if b == Some(b']') {
                        self.pos += 1;
                        let Some(Frame::Seq {
                            line,
                            column,
                            start,
                        }) = stack.pop()
                        else {
                            return Err(self.error("internal state error"));
                        };
                        // `drain` knows its exact length: the Vec is allocated once, exactly.
                        let list: Vec<Node> = items.drain(start..).collect();
                        Some(Node {
                            value: Value::Seq(list),
                            line,
                            column,
                        })
                    } else {
                        if !empty {
                            if b != Some(b',') {
                                return Err(
                                    self.error("expected `,` or `]` after an array element")
                                );
                            }
                            self.pos += 1;
                        }
                        self.value(&mut stack, items.len(), members.len())?
                    }
                }
                _ => {
                    if root.is_some() {
                        break;
                    }
                    self.value(&mut stack, items.len(), members.len())?
                }
            };
            if let Some(node) = node {
                match stack.last_mut() {
                    None => root = Some(node),
                    Some(Frame::Seq { .. }) => items.push(node),
                    Some(Frame::Map { key, .. }) => match key.take() {
                        Some((name, k)) => members.push((name, k, node)),
                        None => return Err(self.error("internal state error")),
                    },
                }
            }
        }
        self.skip_ws();
        if self.pos < self.bytes.len() {
            return Err(self.error("unexpected text after the JSON document"));
        }
        let root = root.ok_or(ParseError {
            message: "the document is empty".into(),
            line: 1,
            column: 1,
            code: codes::EMPTY_DOCUMENT,
        })?;
        self.meter.commit(root.line, root.column)?;
        Ok(root)
    }

    /// Read a value. Containers are opened on `stack` (returning `None`); scalars are returned.
    fn value(
        &mut self,
        stack: &mut Vec<Frame>,
        items: usize,
        members: usize,
    ) -> Result<Option<Node>, ParseError> {
        self.skip_ws();
        let (line, column) = self.here();
        let Some(b) = self.peek() else {
            return Err(self.error("unexpected end of the document"));
        };
        self.count(line, column)?;
        let value = match b {
            b'{' | b'[' => {
                if stack.len() >= MAX_DEPTH {
                    return Err(too_deep(line, column));
                }
                self.pos += 1;
                stack.push(if b == b'{' {
                    Frame::Map {
                        line,
                        column,
                        start: members,
                        key: None,
                    }
                } else {
                    Frame::Seq {
                        line,
                        column,
                        start: items,
                    }
                });
                return Ok(None);
            }
            b'"' => Value::String(self.string()?),
            b't' => self.literal("true", Value::Bool(true))?,
            b'f' => self.literal("false", Value::Bool(false))?,
            b'n' => self.literal("null", Value::Null)?,
            b'-' | b'0'..=b'9' => self.number()?,
            _ => return Err(self.error("expected a JSON value")),
        };
        Ok(Some(Node {
            value,
            line,
            column,
        }))
    }

    fn literal(&mut self, word: &str, value: Value) -> Result<Value, ParseError> {
        if self.bytes[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(value)
        } else {
            Err(self.error("expected a JSON value"))
        }
    }

    fn number(&mut self) -> Result<Value, ParseError> {
        let start = self.pos;
        let mut integer = true;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        let digits = self.digits();
        if digits == 0 {
            return Err(self.error("invalid number"));
        }
        if self.peek() == Some(b'.') {
            integer = false;
            self.pos += 1;
            if self.digits() == 0 {
                return Err(self.error("invalid number"));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            integer = false;
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.error("invalid number"));
            }
        }
        let token = &self.text[start..self.pos];
        if integer && let Ok(i) = token.parse::<i64>() {
            return Ok(Value::Int(i));
        }
        token
            .parse::<f64>()
            .map(Value::Float)
            .map_err(|_| self.error("invalid number"))
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
        self.pos - start
    }

    /// Read a string starting at the opening quote.
    fn string(&mut self) -> Result<String, ParseError> {
        self.pos += 1;
        let start = self.pos;
        // Fast path: no escapes.
        loop {
            match self.bytes.get(self.pos) {
                None => return Err(self.error("unterminated string")),
                Some(b'"') => {
                    let s = self.text[start..self.pos].to_string();
                    self.pos += 1;
                    return Ok(s);
                }
                Some(b'\\') => break,
                Some(&b) if b < 0x20 => return Err(self.error("control character in a string")),
                Some(_) => self.pos += 1,
            }
        }
        let mut out = String::with_capacity(self.pos - start + 16);
        out.push_str(&self.text[start..self.pos]);
        loop {
            let chunk_start = self.pos;
            while let Some(&b) = self.bytes.get(self.pos) {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            out.push_str(&self.text[chunk_start..self.pos]);
            match self.bytes.get(self.pos) {
                None => return Err(self.error("unterminated string")),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let Some(&e) = self.bytes.get(self.pos) else {
                        return Err(self.error("unterminated string"));
                    };
                    self.pos += 1;
                    match e {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let hi = self.hex4()?;
                            let c = if (0xD800..0xDC00).contains(&hi) {
                                if self.bytes[self.pos..].starts_with(b"\\u") {
                                    self.pos += 2;
                                    let lo = self.hex4()?;
                                    if (0xDC00..0xE000).contains(&lo) {
                                        char::from_u32(
                                            0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00),
                                        )
                                    } else {
                                        None
                                    }
                                } else {
                                    None
                                }
                            } else {
                                char::from_u32(hi)
                            };
                            out.push(c.unwrap_or('\u{fffd}'));
                        }
                        _ => {
                            self.pos -= 2;
                            return Err(self.error("invalid escape in a string"));
                        }
                    }
                }
                Some(_) => return Err(self.error("control character in a string")),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, ParseError> {
        let hex = self
            .text
            .get(self.pos..self.pos + 4)
            .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
            .ok_or_else(|| self.error("invalid \\u escape"))?;
        self.pos += 4;
        u32::from_str_radix(hex, 16).map_err(|_| self.error("invalid \\u escape"))
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while let Some(&b) = self.bytes.get(self.pos) {
            match b {
                b' ' | b'\t' | b'\r' => self.pos += 1,
                b'\n' => {
                    self.pos += 1;
                    self.line += 1;
                    self.line_start = self.pos;
                    self.col_byte = self.pos;
                    self.col_chars = 0;
                }
                _ => break,
            }
        }
    }

    /// 1-based line and column (in characters) of the current position. Amortised linear: the
    /// column cache only moves forward within a line.
    fn here(&mut self) -> (u32, u32) {
        let from = self.col_byte.max(self.line_start);
        let to = self.pos.max(from);
        let chars = self.bytes[from..to]
            .iter()
            .filter(|&&b| (b & 0xC0) != 0x80)
            .count() as u32;
        self.col_chars += chars;
        self.col_byte = to;
        (self.line, self.col_chars + 1)
    }

    fn count(&mut self, line: u32, column: u32) -> Result<(), ParseError> {
        self.meter.nodes(1, line, column)
    }

    fn error(&self, message: &str) -> ParseError {
        let pos = self.pos.min(self.bytes.len());
        let from = self.line_start.min(pos);
        let column = self
            .text
            .get(from..pos)
            .map(|s| s.chars().count())
            .unwrap_or(pos - from) as u32
            + 1;
        ParseError {
            message: format!("JSON: {message}"),
            line: self.line,
            column,
            code: codes::YAML_SYNTAX,
        }
    }
}
