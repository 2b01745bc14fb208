//! Postman collection (v2.1) of a package's or an API's operations: one folder per API, a
//! request per operation with path variables, required query and header parameters, an
//! example body, and the auth strategy as collection auth.

use serde_json::{Value, json};

use crate::model::api::ParamLocation;
use crate::model::config::{AuthKind, AuthStrategy};
use crate::render::markdown::strip_html_comments;
use crate::render::openapi_doc::DocOperation;

pub fn collection(
    name: &str,
    description: Option<&str>,
    strategy: Option<&AuthStrategy>,
    ops: &[DocOperation<'_>],
) -> Value {
    let mut folders: Vec<(String, String, Vec<Value>)> = Vec::new();
    let mut variables: Vec<Value> = Vec::new();
    for d in ops {
        let var = format!("baseUrl_{}", d.api.slug.replace('-', "_"));
        if !variables.iter().any(|v| v["key"] == var) {
            variables.push(json!({ "key": var, "value": d.server }));
        }
        let segments: Vec<String> =
            d.op.path
                .trim_start_matches('/')
                .split('/')
                .map(
                    |s| match s.strip_prefix('{').and_then(|x| x.strip_suffix('}')) {
                        Some(p) => format!(":{p}"),
                        None => s.to_string(),
                    },
                )
                .collect();
        let path_vars: Vec<Value> = d
            .op
            .parameters
            .iter()
            .filter(|p| p.location == ParamLocation::Path)
            .map(|p| json!({ "key": p.name, "value": "", "description": strip_html_comments(p.description.as_deref().unwrap_or_default()) }))
            .collect();
        let query: Vec<Value> = d
            .op
            .parameters
            .iter()
            .filter(|p| p.location == ParamLocation::Query)
            .map(|p| json!({ "key": p.name, "value": "", "disabled": !p.required, "description": strip_html_comments(p.description.as_deref().unwrap_or_default()) }))
            .collect();
        let mut headers: Vec<Value> =
            d.op.parameters
                .iter()
                .filter(|p| p.location == ParamLocation::Header)
                .map(|p| json!({ "key": p.name, "value": "", "disabled": !p.required }))
                .collect();
        let mut raw = format!("{{{{{var}}}}}/{}", segments.join("/"));
        let enabled: Vec<String> =
            d.op.parameters
                .iter()
                .filter(|p| p.location == ParamLocation::Query && p.required)
                .map(|p| format!("{}=", p.name))
                .collect();
        if !enabled.is_empty() {
            raw.push('?');
            raw.push_str(&enabled.join("&"));
        }
        let mut request = json!({
            "method": d.op.method.as_str(),
            "header": [],
            "url": {
                "raw": raw,
                "host": [format!("{{{{{var}}}}}")],
                "path": segments,
                "query": query,
                "variable": path_vars,
            },
        });
        if let Some(desc) = &d.op.description {
            request["description"] = json!(strip_html_comments(desc));
        }
        if let Some(body) = &d.op.request_body
            && let Some(mt) = body.content.first()
        {
            headers.push(json!({ "key": "Content-Type", "value": mt.media_type }));
            let example = mt
                .example
                .as_deref()
                .or_else(|| mt.examples.values().next().map(|e| &**e));
            let raw_body = example
                .and_then(|e| serde_json::to_string_pretty(e).ok())
                .unwrap_or_default();
            request["body"] = json!({
                "mode": "raw",
                "raw": raw_body,
                "options": { "raw": { "language": if mt.media_type.contains("json") { "json" } else { "text" } } },
            });
        }
        request["header"] = Value::Array(headers);
        let item = json!({
            "name": d.op.summary.clone().unwrap_or_else(|| format!("{} {}", d.op.method, d.op.path)),
            "request": request,
        });
        match folders.iter_mut().find(|f| f.0 == d.api.slug) {
            Some(f) => f.2.push(item),
            None => folders.push((d.api.slug.to_string(), d.api.title.clone(), vec![item])),
        }
    }
    let mut doc = json!({
        "info": {
            "_postman_id": uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, format!("portalgen:{name}").as_bytes()).to_string(),
            "name": name,
            "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
        },
        "item": folders.into_iter().map(|(_, title, items)| json!({ "name": title, "item": items })).collect::<Vec<_>>(),
        "variable": variables,
    });
    if let Some(d) = description {
        doc["info"]["description"] = json!(strip_html_comments(d));
    }
    if let Some(s) = strategy {
        match &s.kind {
            AuthKind::KeyAuth { key_names } => {
                doc["auth"] = json!({
                    "type": "apikey",
                    "apikey": [
                        { "key": "key", "value": key_names.first().cloned().unwrap_or_else(|| "apikey".into()), "type": "string" },
                        { "key": "value", "value": "{{apiKey}}", "type": "string" },
                        { "key": "in", "value": "header", "type": "string" },
                    ],
                });
                doc["variable"]
                    .as_array_mut()
                    .expect("array")
                    .push(json!({ "key": "apiKey", "value": "" }));
            }
            AuthKind::OpenidConnect { .. } => {
                doc["auth"] = json!({ "type": "bearer", "bearer": [{ "key": "token", "value": "{{accessToken}}", "type": "string" }] });
                doc["variable"]
                    .as_array_mut()
                    .expect("array")
                    .push(json!({ "key": "accessToken", "value": "" }));
            }
        }
    }
    doc
}
