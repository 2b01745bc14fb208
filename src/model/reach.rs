//! Reachability of named schemas: which components a set of operations references, directly
//! or through other schemas. Used to list an API's schemas and to cut package documents down to
//! exactly what their operations need.

use std::collections::BTreeSet;

use crate::model::api::{Api, Operation, Schema, SchemaId, SchemaRef};

/// Arena ids of every schema reachable from `ops` (named or not), cycles handled.
pub fn reachable_schemas<'a>(
    api: &Api,
    ops: impl IntoIterator<Item = &'a Operation>,
) -> BTreeSet<SchemaId> {
    let mut seen = BTreeSet::new();
    let mut stack: Vec<SchemaId> = Vec::new();
    let visit_ref = |r: &SchemaRef, stack: &mut Vec<SchemaId>| collect(r, stack);
    for op in ops {
        for p in &op.parameters {
            if let Some(s) = &p.schema {
                visit_ref(s, &mut stack);
            }
        }
        if let Some(b) = &op.request_body {
            for mt in &b.content {
                if let Some(s) = &mt.schema {
                    visit_ref(s, &mut stack);
                }
            }
        }
        for r in &op.responses {
            for mt in &r.content {
                if let Some(s) = &mt.schema {
                    visit_ref(s, &mut stack);
                }
            }
            for h in &r.headers {
                if let Some(s) = &h.schema {
                    visit_ref(s, &mut stack);
                }
            }
        }
    }
    while let Some(id) = stack.pop() {
        if id.0 >= api.schemas.len() || !seen.insert(id) {
            continue;
        }
        children(api.schema(id), &mut stack);
    }
    seen
}

/// Names of reachable named components, in the document's order.
pub fn reachable_names<'a>(api: &Api, ops: impl IntoIterator<Item = &'a Operation>) -> Vec<String> {
    let ids = reachable_schemas(api, ops);
    api.schema_names
        .iter()
        .filter(|(_, id)| ids.contains(id))
        .map(|(n, _)| n.clone())
        .collect()
}

fn collect(r: &SchemaRef, stack: &mut Vec<SchemaId>) {
    match r {
        SchemaRef::Ref { target, .. } => stack.push(*target),
        SchemaRef::Inline(s) => children(s, stack),
    }
}

fn children(s: &Schema, stack: &mut Vec<SchemaId>) {
    for p in &s.properties {
        collect(&p.schema, stack);
    }
    for r in s
        .all_of
        .iter()
        .chain(&s.one_of)
        .chain(&s.any_of)
        .chain(&s.prefix_items)
    {
        collect(r, stack);
    }
    for r in [&s.items, &s.additional_properties, &s.not]
        .into_iter()
        .flatten()
    {
        collect(r, stack);
    }
}
