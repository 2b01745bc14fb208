//! Schemas into the arena. A `$ref` stays a reference: its target location (file + pointer)
//! gets one arena slot, converted later from a work queue, so recursive schemas (self, mutual,
//! through `allOf`, across files) are just cycles between slots and conversion never recurses
//! through a reference. Covers the three dialects: Swagger 2.0 / OpenAPI 3.0 (`nullable`,
//! `x-nullable`, boolean `exclusiveMinimum`, tuple `items`) and OpenAPI 3.1 / JSON Schema
//! 2020-12 (`type` arrays, `const`, `examples`, `prefixItems`, `$defs` targets, boolean schemas).

use crate::diagnostics::codes;
use std::path::Path;

use crate::model::api::{Property, Schema, SchemaDetails, SchemaId, SchemaRef};
use crate::tree::{Node, Value};

use super::context::Ctx;
use super::pointer;
use super::store::DocId;

/// Inline nesting deeper than this is cut off (warned): real schemas nest a few dozen levels.
const MAX_INLINE_DEPTH: usize = 96;

impl<'s> Ctx<'s> {
    /// Give every named component schema of the entry document (`#/components/schemas/*` or
    /// Swagger's `#/definitions/*`) its arena slot, in document order, before anything else.
    pub fn register_components(&mut self, container: &'s Node, prefix: &[&str]) {
        let Some(map) = container.as_map() else {
            return;
        };
        for (name, (_, node)) in map {
            let mut segs: Vec<String> = prefix.iter().map(|s| s.to_string()).collect();
            segs.push(name.to_string());
            let key = (0, pointer::format_pointer(&segs));
            let id = match self.schema_index.get(&key) {
                Some(&id) => id,
                None => self.slot_for(0, key, node, name),
            };
            self.schema_names.entry(name.to_string()).or_insert(id);
            // An alias (`A: {$ref: B}`) shares B's slot; the slot is displayed as B.
            if pure_ref(node).is_none() {
                self.schema_display.insert(id, name.to_string());
            } else {
                self.schema_display
                    .entry(id)
                    .or_insert_with(|| name.to_string());
            }
        }
    }

    /// The arena slot for the schema at `key` (whose node is `node`), following `$ref`-only
    /// chains so aliases share the slot of what they name.
    fn slot_for(
        &mut self,
        doc: DocId,
        key: (DocId, String),
        node: &'s Node,
        name: &str,
    ) -> SchemaId {
        let mut chain = vec![key];
        let mut doc = doc;
        let mut node = node;
        let mut cyclic = false;
        // Where the chain starts: a chain too long is reported there, at the schema the
        // message names (a cycle at the `$ref` that closes it).
        let mut start: Option<(DocId, &'s Node)> = None;
        while let Some(site) = pure_ref(node) {
            let Some(reference) = site.as_str() else {
                break;
            };
            let start = *start.get_or_insert((doc, site));
            match self.store.resolve(doc, reference) {
                Ok((d, segs, target)) => {
                    let k = (d, pointer::format_pointer(&segs));
                    if let Some(&id) = self.schema_index.get(&k) {
                        for c in chain {
                            self.schema_index.insert(c, id);
                        }
                        return id;
                    }
                    if let Some((code, message, help)) = super::context::chain_problem(
                        &chain,
                        chain.len() - 1,
                        &k,
                        &format!("schema `{name}`"),
                    ) {
                        let (at_doc, at) = if code == codes::REF_CHAIN_TOO_LONG {
                            start
                        } else {
                            (doc, site)
                        };
                        self.report_help(code, message, help, at_doc, at);
                        cyclic = true;
                        break;
                    }
                    chain.push(k);
                    doc = d;
                    node = target;
                }
                Err(problem) => {
                    self.report_ref(doc, site, problem);
                    cyclic = true;
                    break;
                }
            }
        }
        let id = SchemaId(self.schemas.len());
        self.schemas.push(Schema::default());
        if !cyclic {
            self.schema_queue.push_back((id, doc, node));
        }
        for c in chain {
            self.schema_index.insert(c, id);
        }
        id
    }

    /// A schema use site: `$ref`s become [`SchemaRef::Ref`], anything else is converted inline.
    pub fn schema_use(&mut self, doc: DocId, node: &Node, depth: usize) -> SchemaRef {
        match &node.value {
            Value::Map(m) => {
                if let Some((_, site)) = crate::tree::lookup(m, "$ref") {
                    let reference = self.schema_ref(doc, site);
                    let has_siblings = m.keys().any(|k| &**k != "$ref");
                    return match reference {
                        Some(r) if !has_siblings => r,
                        // `$ref` with siblings (`description`, `nullable`…): keep both, as an
                        // inline schema whose first `allOf` member is the reference.
                        r => SchemaRef::Inline(Box::new(self.convert(doc, node, r, depth))),
                    };
                }
                if depth >= MAX_INLINE_DEPTH {
                    self.report(
                        codes::SCHEMA_TOO_DEEP,
                        format!("inline schemas nest deeper than {MAX_INLINE_DEPTH} levels; the rest is not shown"),
                        doc,
                        node,
                    );
                    return SchemaRef::Inline(Box::default());
                }
                SchemaRef::Inline(Box::new(self.convert(doc, node, None, depth)))
            }
            // JSON Schema boolean schemas: `true` accepts anything, `false` nothing.
            Value::Bool(true) => SchemaRef::Inline(Box::default()),
            Value::Bool(false) => SchemaRef::Inline(Box::new(Schema {
                not: Some(Box::new(SchemaRef::Inline(Box::default()))),
                ..Schema::default()
            })),
            _ => {
                self.report(
                    codes::INVALID_SCHEMA,
                    format!("expected a schema (a mapping), found {}", node.kind()),
                    doc,
                    node,
                );
                SchemaRef::Inline(Box::default())
            }
        }
    }

    /// Resolve the `$ref` at `site` to a reference into the arena.
    fn schema_ref(&mut self, doc: DocId, site: &Node) -> Option<SchemaRef> {
        let Some(reference) = site.as_str() else {
            self.report(
                codes::REF_NOT_A_STRING,
                format!("`$ref` must be a string, found {}", site.kind()),
                doc,
                site,
            );
            return None;
        };
        let (target_doc, segs, target) = match self.store.resolve(doc, reference) {
            Ok(t) => t,
            Err(problem) => {
                self.report_ref(doc, site, problem);
                return None;
            }
        };
        let key = (target_doc, pointer::format_pointer(&segs));
        let store = self.store;
        let derived = || derived_name(&segs, &store.docs[target_doc].path);
        let id = match self.schema_index.get(&key) {
            Some(&id) => id,
            None => {
                let name = derived();
                let id = self.slot_for(target_doc, key, target, &name);
                // Every other reference target (another file, `$defs`, a property) is named
                // too, uniquely, so templates can give it a page and `Ref::name` always names
                // an entry of `schema_names`.
                if !self.schema_display.contains_key(&id) {
                    let unique = unique_name(&self.schema_names, &name);
                    self.schema_names.insert(unique.clone(), id);
                    self.schema_display.insert(id, unique);
                }
                id
            }
        };
        let name = self
            .schema_display
            .get(&id)
            .cloned()
            .unwrap_or_else(derived);
        Some(SchemaRef::Ref { name, target: id })
    }

    /// Convert every queued arena slot (and whatever they reference in turn).
    pub fn drain_schemas(&mut self) {
        while let Some((id, doc, node)) = self.schema_queue.pop_front() {
            let schema = match &node.value {
                Value::Map(m) => {
                    let reference = m
                        .get("$ref")
                        .and_then(|(_, site)| self.schema_ref(doc, site));
                    self.convert(doc, node, reference, 0)
                }
                _ => match self.schema_use(doc, node, 0) {
                    SchemaRef::Inline(s) => *s,
                    r @ SchemaRef::Ref { .. } => Schema {
                        all_of: vec![r],
                        ..Schema::default()
                    },
                },
            };
            if let Some(slot) = self.schemas.get_mut(id.0) {
                *slot = schema;
            }
        }
    }

    /// Convert a schema mapping. `reference` is its own `$ref` (kept as the first `allOf`).
    fn convert(
        &mut self,
        doc: DocId,
        node: &Node,
        reference: Option<SchemaRef>,
        depth: usize,
    ) -> Schema {
        let mut s = Schema::default();
        if let Some(r) = reference {
            s.all_of.push(r);
        }
        let Some(map) = node.as_map() else {
            return s;
        };
        let mut nullable = false;
        let mut exclusive_min_flag = false;
        let mut exclusive_max_flag = false;
        for (key, (_, v)) in map {
            match &**key {
                "title" => s.title = self.text(doc, node, key),
                "description" => s.description = self.text(doc, node, key),
                "type" => match &v.value {
                    Value::String(t) => s.types.push(t.clone()),
                    Value::Null => s.types.push("null".into()),
                    Value::Seq(items) => {
                        for t in items {
                            match &t.value {
                                Value::String(t) => s.types.push(t.clone()),
                                Value::Null => s.types.push("null".into()),
                                _ => self.report(
                                    codes::INVALID_SCHEMA,
                                    format!("`type` entries should be strings, found {}", t.kind()),
                                    doc,
                                    t,
                                ),
                            }
                        }
                    }
                    _ => self.report(
                        codes::INVALID_SCHEMA,
                        format!("`type` should be a string or a list, found {}", v.kind()),
                        doc,
                        v,
                    ),
                },
                "nullable" | "x-nullable" => {
                    nullable |= v.as_bool() == Some(true);
                    if key.starts_with("x-") {
                        s.extensions.insert(key.to_string(), v.to_json());
                    }
                }
                "format" => s.format = self.text(doc, node, key),
                "enum" => match &v.value {
                    Value::Seq(items) => s.enum_values = items.iter().map(Node::to_json).collect(),
                    _ => self.report(
                        codes::INVALID_SCHEMA,
                        format!("`enum` should be a list, found {}", v.kind()),
                        doc,
                        v,
                    ),
                },
                "const" => s.const_value = Some(v.to_json()),
                "default" => s.default = Some(v.to_json()),
                "example" => s.examples.insert(0, v.to_json()),
                "examples" => match &v.value {
                    Value::Seq(items) => s.examples.extend(items.iter().map(Node::to_json)),
                    _ => s.examples.push(v.to_json()),
                },
                "properties" => {
                    for (name, (_, p)) in v.as_map().into_iter().flatten() {
                        let schema = self.schema_use(doc, p, depth + 1);
                        s.properties.push(Property {
                            name: name.to_string(),
                            schema,
                        });
                    }
                }
                "required" => match &v.value {
                    Value::Seq(items) => {
                        s.required = items.iter().filter_map(Node::scalar_text).collect()
                    }
                    _ => self.report_help(
                        codes::INVALID_SCHEMA,
                        format!(
                            "`required` should be a list of property names, found {}",
                            v.kind()
                        ),
                        "list the required properties on the object: `required: [id, name]`",
                        doc,
                        v,
                    ),
                },
                "additionalProperties" => match v.value {
                    Value::Bool(false) => {}
                    _ => {
                        s.additional_properties = Some(Box::new(self.schema_use(doc, v, depth + 1)))
                    }
                },
                "items" => match &v.value {
                    // Draft-4 tuple form (`items: [A, B]`), the 2020-12 `prefixItems`.
                    Value::Seq(items) => {
                        for i in items {
                            let r = self.schema_use(doc, i, depth + 1);
                            s.prefix_items.push(r);
                        }
                    }
                    _ => s.items = Some(Box::new(self.schema_use(doc, v, depth + 1))),
                },
                "prefixItems" => {
                    for i in v.as_seq().unwrap_or_default() {
                        let r = self.schema_use(doc, i, depth + 1);
                        s.prefix_items.push(r);
                    }
                }
                "allOf" | "oneOf" | "anyOf" => {
                    let Some(items) = v.as_seq() else {
                        self.report(
                            codes::INVALID_SCHEMA,
                            format!("`{key}` should be a list of schemas, found {}", v.kind()),
                            doc,
                            v,
                        );
                        continue;
                    };
                    let mut list = Vec::with_capacity(items.len());
                    for i in items {
                        list.push(self.schema_use(doc, i, depth + 1));
                    }
                    match &**key {
                        "allOf" => s.all_of.extend(list),
                        "oneOf" => s.one_of = list,
                        _ => s.any_of = list,
                    }
                }
                "not" => s.not = Some(Box::new(self.schema_use(doc, v, depth + 1))),
                "discriminator" => match &v.value {
                    Value::String(p) => s.discriminator = Some(p.clone()),
                    Value::Map(_) => {
                        s.discriminator = self.text(doc, v, "propertyName");
                        if let Some(m) = v.get("mapping").and_then(Node::as_map) {
                            for (k, (_, target)) in m {
                                if let Some(t) = target.scalar_text() {
                                    details(&mut s)
                                        .discriminator_mapping
                                        .insert(k.to_string(), t);
                                }
                            }
                        }
                    }
                    _ => {}
                },
                "readOnly" => s.read_only = v.as_bool() == Some(true),
                "writeOnly" => s.write_only = v.as_bool() == Some(true),
                "deprecated" => s.deprecated = v.as_bool() == Some(true),
                "minLength" => s.min_length = count(v),
                "maxLength" => s.max_length = count(v),
                "minItems" => details(&mut s).min_items = count(v),
                "maxItems" => details(&mut s).max_items = count(v),
                "minProperties" => details(&mut s).min_properties = count(v),
                "maxProperties" => details(&mut s).max_properties = count(v),
                "uniqueItems" => details(&mut s).unique_items = v.as_bool() == Some(true),
                "pattern" => s.pattern = self.text(doc, node, key),
                "minimum" => s.minimum = number(v),
                "maximum" => s.maximum = number(v),
                "multipleOf" => details(&mut s).multiple_of = number(v),
                "exclusiveMinimum" => match v.value {
                    Value::Bool(b) => exclusive_min_flag = b,
                    _ => details(&mut s).exclusive_minimum = number(v),
                },
                "exclusiveMaximum" => match v.value {
                    Value::Bool(b) => exclusive_max_flag = b,
                    _ => details(&mut s).exclusive_maximum = number(v),
                },
                k if k.starts_with("x-") => {
                    s.extensions.insert(key.to_string(), v.to_json());
                }
                _ => {}
            }
        }
        // 3.0 / 2.0: `exclusiveMinimum: true` makes `minimum` exclusive.
        if exclusive_min_flag && let Some(m) = s.minimum.take() {
            details(&mut s).exclusive_minimum = Some(m);
        }
        if exclusive_max_flag && let Some(m) = s.maximum.take() {
            details(&mut s).exclusive_maximum = Some(m);
        }
        // Swagger 2.0 `type: file` is a binary string in 3.x terms.
        if let Some(t) = s.types.iter_mut().find(|t| *t == "file") {
            *t = "string".into();
            s.format.get_or_insert_with(|| "binary".into());
        }
        // 3.0 `nullable` (and Swagger's `x-nullable`): the value may also be null.
        if nullable && !s.types.is_empty() && !s.types.iter().any(|t| t == "null") {
            s.types.push("null".into());
        } else if nullable
            && s.types.is_empty()
            && s.all_of.len() == 1
            && s.one_of.is_empty()
            && s.any_of.is_empty()
            && s.properties.is_empty()
        {
            // `{$ref: X, nullable: true}` or `{allOf: [X], nullable: true}`: X or null.
            let null = SchemaRef::Inline(Box::new(Schema {
                types: vec!["null".into()],
                ..Schema::default()
            }));
            s.any_of = vec![s.all_of.remove(0), null];
        } else if nullable && s.types.is_empty() && (!s.one_of.is_empty() || !s.any_of.is_empty()) {
            // `{oneOf: [...], nullable: true}`: null is one more alternative.
            let null = SchemaRef::Inline(Box::new(Schema {
                types: vec!["null".into()],
                ..Schema::default()
            }));
            if s.one_of.is_empty() {
                s.any_of.push(null);
            } else {
                s.one_of.push(null);
            }
        }
        s
    }
}

fn details(s: &mut Schema) -> &mut SchemaDetails {
    s.details.get_or_insert_with(Box::default)
}

/// The single `$ref` of a mapping that holds nothing else.
fn pure_ref(node: &Node) -> Option<&Node> {
    let m = node.as_map()?;
    if m.len() == 1 {
        crate::tree::lookup(m, "$ref").map(|(_, n)| n)
    } else {
        None
    }
}

/// Name for a referenced schema that is not a named component: the last pointer segment, or
/// the file name without extension for a whole-file reference.
fn derived_name(segs: &[String], path: &Path) -> String {
    match segs.last() {
        Some(s) if !s.is_empty() => s.clone(),
        _ => path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("schema")
            .to_string(),
    }
}

fn unique_name(names: &indexmap::IndexMap<String, SchemaId>, name: &str) -> String {
    if !names.contains_key(name) {
        return name.to_string();
    }
    (2..)
        .map(|i| format!("{name}{i}"))
        .find(|n| !names.contains_key(n))
        .unwrap_or_else(|| name.to_string())
}

fn number(v: &Node) -> Option<f64> {
    match v.value {
        Value::Int(i) => Some(i as f64),
        Value::Float(f) => Some(f),
        _ => None,
    }
}

fn count(v: &Node) -> Option<u64> {
    match v.value {
        Value::Int(i) => u64::try_from(i).ok(),
        Value::Float(f) if f >= 0.0 && f.fract() == 0.0 && f < 1e18 => Some(f as u64),
        _ => None,
    }
}
