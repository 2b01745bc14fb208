//! Example values: the document's own first (a media type's `example` or first of
//! `examples`, then the schema's, then each property's), else one generated from the schema:
//! `const`, `enum`'s first value, `default`, formats (`date-time`, `email`, `uuid`, …),
//! bounds (`minimum`, `minLength`, `minItems`), the first `oneOf`/`anyOf` alternative, `allOf`
//! merged, `readOnly` fields left out of requests and `writeOnly` ones out of responses, and
//! recursion cut (a recursive array is empty, a recursive object field left out). Nothing
//! here depends on time or randomness: the same document gives the same examples.

use serde_json::{Map, Number, Value};

use crate::model::api::{Api, MediaType, Parameter, Schema, SchemaId, SchemaRef};
use crate::render::schema::Direction;

/// Nesting deeper than this is left out of generated examples.
const MAX_DEPTH: usize = 10;
/// Arrays in generated examples hold one item (or `minItems`, up to this many).
const MAX_ITEMS: u64 = 3;

/// The example of a media type: its own, else generated from its schema.
pub fn media(api: &Api, mt: &MediaType, dir: Direction) -> Option<Value> {
    if let Some(e) = mt.example.as_ref().or_else(|| mt.examples.values().next()) {
        return Some(Value::clone(e));
    }
    mt.schema.as_ref().map(|s| schema(api, s, dir))
}

/// Whether a media type's example is the document's own (not generated).
pub fn documented(mt: &MediaType) -> bool {
    mt.example.is_some() || !mt.examples.is_empty()
}

/// The value of a parameter in samples: its example, else its schema's, else generated;
/// a string with nothing to go on becomes the parameter's name in capitals (`OWNER`), a
/// placeholder readers recognise.
pub fn parameter(api: &Api, p: &Parameter) -> Value {
    if let Some(e) = &p.example {
        return Value::clone(e);
    }
    let Some(s) = &p.schema else {
        return Value::String(placeholder(&p.name));
    };
    let mut g = Gen {
        api,
        dir: Direction::Request,
        stack: Vec::new(),
    };
    match g.value(s, 0) {
        Some(Value::String(v)) if v == "string" => Value::String(placeholder(&p.name)),
        Some(v) => v,
        None => Value::String(placeholder(&p.name)),
    }
}

/// A generated (or documented) example of a schema.
pub fn schema(api: &Api, r: &SchemaRef, dir: Direction) -> Value {
    let mut g = Gen {
        api,
        dir,
        stack: Vec::new(),
    };
    g.value(r, 0).unwrap_or(Value::Null)
}

fn placeholder(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}

struct Gen<'a> {
    api: &'a Api,
    dir: Direction,
    stack: Vec<SchemaId>,
}

impl<'a> Gen<'a> {
    /// `None`: leave the value out (recursion, or too deep).
    fn value(&mut self, r: &'a SchemaRef, depth: usize) -> Option<Value> {
        if depth > MAX_DEPTH {
            return None;
        }
        match r {
            SchemaRef::Ref { target, .. } => {
                if self.stack.contains(target) {
                    return None;
                }
                self.stack.push(*target);
                let v = self.of_schema(self.api.schema(*target), depth);
                self.stack.pop();
                v
            }
            SchemaRef::Inline(s) => self.of_schema(s, depth),
        }
    }

    fn of_schema(&mut self, s: &'a Schema, depth: usize) -> Option<Value> {
        if let Some(e) = s.examples.first() {
            return Some(e.clone());
        }
        if let Some(c) = &s.const_value {
            return Some(c.clone());
        }
        if let Some(e) = s.enum_values.iter().find(|v| !v.is_null()) {
            return Some(e.clone());
        }
        if let Some(d) = &s.default {
            return Some(d.clone());
        }
        // allOf: objects merged, else the first member that gives a value.
        if !s.all_of.is_empty() {
            let mut merged = Map::new();
            let mut other = None;
            for m in &s.all_of {
                match self.value(m, depth) {
                    Some(Value::Object(o)) => merged.extend(o),
                    Some(v) if other.is_none() => other = Some(v),
                    _ => {}
                }
            }
            if let Some(Value::Object(own)) = self.object(s, depth) {
                merged.extend(own);
            }
            if !merged.is_empty() {
                return Some(Value::Object(merged));
            }
            if other.is_some() {
                return other;
            }
        }
        for list in [&s.one_of, &s.any_of] {
            // The first alternative that is not `null`.
            let first = list.iter().find(|r| !is_null(self.api, r)).or(list.first());
            if let Some(r) = first {
                return self.value(r, depth);
            }
        }
        let ty = s
            .types
            .iter()
            .find(|t| *t != "null")
            .map(String::as_str)
            .unwrap_or(
                if !s.properties.is_empty() || s.additional_properties.is_some() {
                    "object"
                } else if s.items.is_some() {
                    "array"
                } else if s.types.iter().any(|t| t == "null") {
                    "null"
                } else {
                    ""
                },
            );
        Some(match ty {
            "object" => self.object(s, depth)?,
            "array" => {
                let n = s
                    .details
                    .as_deref()
                    .and_then(|d| d.min_items)
                    .unwrap_or(1)
                    .clamp(1, MAX_ITEMS);
                let mut items = Vec::new();
                if let Some(i) = &s.items {
                    for _ in 0..n {
                        match self.value(i, depth + 1) {
                            Some(v) => items.push(v),
                            None => break,
                        }
                    }
                } else {
                    for p in &s.prefix_items {
                        if let Some(v) = self.value(p, depth + 1) {
                            items.push(v);
                        }
                    }
                }
                Value::Array(items)
            }
            "string" => Value::String(string(s)),
            "integer" => Value::Number(Number::from(integer(s))),
            "number" => Number::from_f64(decimal(s))
                .map(Value::Number)
                .unwrap_or(Value::Null),
            "boolean" => Value::Bool(true),
            "null" => Value::Null,
            _ => return None,
        })
    }

    fn object(&mut self, s: &'a Schema, depth: usize) -> Option<Value> {
        let mut out = Map::new();
        for p in &s.properties {
            if !self.shown(&p.schema) {
                continue;
            }
            if let Some(v) = self.value(&p.schema, depth + 1) {
                out.insert(p.name.clone(), v);
            }
        }
        if out.is_empty()
            && s.properties.is_empty()
            && let Some(a) = &s.additional_properties
            && let Some(v) = self.value(a, depth + 1)
        {
            out.insert("key".into(), v);
        }
        Some(Value::Object(out))
    }

    fn shown(&self, r: &SchemaRef) -> bool {
        let s = match r {
            SchemaRef::Ref { target, .. } => self.api.schema(*target),
            SchemaRef::Inline(s) => s,
        };
        match self.dir {
            Direction::Request => !s.read_only,
            Direction::Response => !s.write_only,
            Direction::Both => true,
        }
    }
}

fn is_null(api: &Api, r: &SchemaRef) -> bool {
    let s = match r {
        SchemaRef::Ref { target, .. } => api.schema(*target),
        SchemaRef::Inline(s) => s,
    };
    s.types == ["null"]
}

fn string(s: &Schema) -> String {
    let v = match s.format.as_deref() {
        Some("date-time") => "2024-01-01T12:00:00Z",
        Some("date") => "2024-01-01",
        Some("time") => "12:00:00Z",
        Some("duration") => "PT1H",
        Some("email") | Some("idn-email") => "user@example.com",
        Some("uri") | Some("url") | Some("iri") | Some("uri-reference") => "https://example.com",
        Some("hostname") | Some("idn-hostname") => "example.com",
        Some("ipv4") => "192.0.2.1",
        Some("ipv6") => "2001:db8::1",
        Some("uuid") => "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        Some("byte") => "U3dhZ2dlciByb2Nrcw==",
        Some("binary") => "<binary>",
        Some("password") => "********",
        Some("int64") | Some("int32") => "1",
        _ => "string",
    };
    let mut out = v.to_string();
    if let Some(min) = s.min_length
        && (out.chars().count() as u64) < min
    {
        while (out.chars().count() as u64) < min.min(64) {
            out.push('x');
        }
    }
    if let Some(max) = s.max_length
        && (out.chars().count() as u64) > max
    {
        out = out.chars().take(max as usize).collect();
    }
    out
}

fn integer(s: &Schema) -> i64 {
    let d = s.details.as_deref();
    let mut v = match (s.minimum, d.and_then(|d| d.exclusive_minimum)) {
        (Some(m), _) => m.ceil() as i64,
        (None, Some(x)) => x.floor() as i64 + 1,
        _ => 1,
    };
    if let Some(step) = d.and_then(|d| d.multiple_of).filter(|m| *m >= 1.0) {
        let step = step as i64;
        if v % step != 0 {
            v += step - v.rem_euclid(step);
        }
    }
    if let Some(max) = s.maximum
        && (v as f64) > max
    {
        v = max.floor() as i64;
    }
    v
}

fn decimal(s: &Schema) -> f64 {
    let d = s.details.as_deref();
    match (s.minimum, d.and_then(|d| d.exclusive_minimum), s.maximum) {
        (Some(m), _, _) => m,
        (None, Some(x), Some(max)) => (x + max) / 2.0,
        (None, Some(x), None) => x + 1.0,
        (None, None, Some(max)) if max < 1.5 => max,
        _ => 1.5,
    }
}
