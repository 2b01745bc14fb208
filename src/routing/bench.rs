//! The routing benchmark: every operation of GitHub's REST description (~1,100) against a
//! manifest of one openapi2kong-style regex route per operation (~1,100 regex routes), timed
//! through the same `check` code path the CLI uses. The operations are built straight from the
//! JSON with serde_json (method, path, parameters), because routing needs nothing else; the
//! manifest is generated as `deck file openapi2kong` would write it.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use indexmap::IndexMap;
use serde_json::{Value as J, json};

use super::{OperationInput, engine::Engine};
use crate::config::RouterFlavor;
use crate::gateway::Manifest;
use crate::model::api::{ParamLocation, Parameter, Schema, SchemaRef, Server, SpecVersion};
use crate::model::{Api, Method, Operation};
use crate::source::{SourceMap, Span};

/// Where GitHub's description lives below the corpora directory.
pub const GITHUB: &str = "node_modules/@octokit/openapi/generated/api.github.com.json";

/// The JSON file for `corpora` (the file itself, or a corpora directory).
pub fn github_path(corpora: &Path) -> PathBuf {
    if corpora.is_file() {
        corpora.to_path_buf()
    } else {
        corpora.join(GITHUB)
    }
}

fn param_schema(doc: &J, schema: Option<&J>) -> Option<SchemaRef> {
    let mut s = schema?;
    for _ in 0..8 {
        match s.get("$ref").and_then(J::as_str) {
            Some(r) => s = doc.pointer(r.strip_prefix('#')?)?,
            None => break,
        }
    }
    let types = match s.get("type") {
        Some(J::String(t)) => vec![t.clone()],
        Some(J::Array(ts)) => ts
            .iter()
            .filter_map(|t| t.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    };
    Some(SchemaRef::Inline(Box::new(Schema {
        types,
        format: s.get("format").and_then(J::as_str).map(str::to_string),
        enum_values: s
            .get("enum")
            .and_then(J::as_array)
            .cloned()
            .unwrap_or_default(),
        min_length: s.get("minLength").and_then(J::as_u64),
        max_length: s.get("maxLength").and_then(J::as_u64),
        ..Schema::default()
    })))
}

fn parameters(doc: &J, list: Option<&J>) -> Vec<Parameter> {
    let mut out = Vec::new();
    for p in list.and_then(J::as_array).into_iter().flatten() {
        let mut p = p;
        if let Some(r) = p.get("$ref").and_then(J::as_str) {
            match r.strip_prefix('#').and_then(|ptr| doc.pointer(ptr)) {
                Some(t) => p = t,
                None => continue,
            }
        }
        let location = match p.get("in").and_then(J::as_str) {
            Some("path") => ParamLocation::Path,
            Some("query") => ParamLocation::Query,
            Some("header") => ParamLocation::Header,
            _ => ParamLocation::Cookie,
        };
        out.push(Parameter {
            name: p
                .get("name")
                .and_then(J::as_str)
                .unwrap_or_default()
                .to_string(),
            location,
            required: p.get("required").and_then(J::as_bool).unwrap_or(false),
            deprecated: false,
            description: None,
            schema: param_schema(doc, p.get("schema")),
            example: p.get("example").cloned(),
            span: Span::file("bench"),
        });
    }
    out
}

/// The operations of an OpenAPI 3 JSON document (method, path, parameters only).
pub fn api_from_json(doc: &J, slug: &str) -> Api {
    let mut operations = Vec::new();
    if let Some(paths) = doc.get("paths").and_then(J::as_object) {
        for (path, item) in paths {
            let shared = parameters(doc, item.get("parameters"));
            for method in Method::ALL {
                let Some(op) = item.get(method.lower()) else {
                    continue;
                };
                let mut params = parameters(doc, op.get("parameters"));
                for s in &shared {
                    if !params
                        .iter()
                        .any(|p| p.name == s.name && p.location == s.location)
                    {
                        params.push(s.clone());
                    }
                }
                let operation_id = op
                    .get("operationId")
                    .and_then(J::as_str)
                    .map(str::to_string);
                operations.push(Operation {
                    method,
                    path: path.clone(),
                    slug: operation_id
                        .clone()
                        .unwrap_or_else(|| format!("{}-{path}", method.lower())),
                    operation_id,
                    summary: None,
                    description: None,
                    tags: Vec::new(),
                    deprecated: false,
                    parameters: params,
                    request_body: None,
                    responses: Vec::new(),
                    security: None,
                    servers: Vec::new(),
                    extensions: IndexMap::new(),
                    span: Span::file("bench"),
                });
            }
        }
    }
    let servers = doc
        .get("servers")
        .and_then(J::as_array)
        .into_iter()
        .flatten()
        .filter_map(|s| s.get("url").and_then(J::as_str))
        .map(|u| Server {
            url: u.to_string(),
            description: None,
        })
        .collect();
    Api {
        slug: slug.to_string(),
        title: slug.to_string(),
        version: String::new(),
        description: None,
        spec_version: SpecVersion::OpenApi30,
        source: Span::file("bench"),
        servers,
        tags: Vec::new(),
        operations,
        webhooks: Vec::new(),
        schemas: Vec::new(),
        schema_names: IndexMap::new(),
        security_schemes: Vec::new(),
        security: Vec::new(),
        extensions: IndexMap::new(),
    }
}

/// openapi2kong's path conversion: escape regex characters, `{name}` → `(?<name>[^#?/]+)`.
pub fn openapi2kong_path(path: &str) -> String {
    let mut out = String::from("~");
    let mut rest = path;
    let mut used: Vec<String> = Vec::new();
    while !rest.is_empty() {
        if let Some(stripped) = rest.strip_prefix('{')
            && let Some(end) = stripped.find('}')
        {
            let raw = &stripped[..end];
            let mut name: String = raw
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '_' {
                        c
                    } else {
                        '_'
                    }
                })
                .take(31)
                .collect();
            if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
                name.insert(0, 'p');
            }
            while used.contains(&name) {
                name.push('_');
            }
            used.push(name.clone());
            out.push_str(&format!("(?<{name}>[^#?/]+)"));
            rest = &stripped[end + 1..];
            continue;
        }
        let c = rest.chars().next().unwrap_or('/');
        if "().+?*[$".contains(c) {
            out.push('\\');
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out.push('$');
    out
}

/// A decK document with one openapi2kong-style route per operation of `api` (service and
/// route names from the API slug).
pub fn openapi2kong_manifest(api: &Api) -> String {
    let routes: Vec<J> = api
        .operations
        .iter()
        .enumerate()
        .map(|(i, op)| {
            let name = match &op.operation_id {
                Some(id) => format!("{}_{}", api.slug, id.replace('/', "-")),
                None => format!("{}_op{i}_{}", api.slug, op.method.lower()),
            };
            let has_params = op.path.contains('{');
            json!({
                "name": name,
                "methods": [op.method.as_str()],
                "paths": [openapi2kong_path(&op.path)],
                "strip_path": false,
                "regex_priority": if has_params { 100 } else { 200 },
                "tags": [api.slug.as_str()],
            })
        })
        .collect();
    let doc = json!({
        "_format_version": "3.0",
        "services": [{
            "name": api.slug.as_str(),
            "url": api.servers.first().map(|s| s.url.as_str()).unwrap_or("https://api.github.com"),
            "routes": routes,
        }]
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

fn fmt_ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// Run the benchmark `runs` times; returns printable figures.
pub fn run(corpora: &Path, runs: usize) -> String {
    let path = github_path(corpora);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            return format!(
                "route: cannot read {} ({e}); run `bash ../shared/corpora/setup.sh` or set PORTALGEN_CORPORA\n",
                path.display()
            );
        }
    };
    let doc: J = match serde_json::from_str(&text) {
        Ok(d) => d,
        Err(e) => return format!("route: {} is not JSON: {e}\n", path.display()),
    };
    let api = api_from_json(&doc, "github");
    let deck = openapi2kong_manifest(&api);
    let sources = SourceMap::default();
    let (manifest, load_diags) =
        Manifest::from_texts(&[("gateway/github.json".to_string(), deck)], &sources);
    let inputs: Vec<OperationInput<'_>> = api
        .operations
        .iter()
        .map(|op| OperationInput {
            api: &api,
            operation: op,
            packages: Vec::new(),
            pinned_routes: Vec::new(),
            gateway_host: None,
            // openapi2kong puts the server path on the service, not on the routes.
            path_prefix: Some(String::new()),
        })
        .collect();
    let runs = runs.max(1);
    let mut build_times = Vec::new();
    let mut match_times = Vec::new();
    let mut last = None;
    for _ in 0..runs {
        let t0 = Instant::now();
        let (engine, diags) = Engine::build(&manifest, RouterFlavor::TraditionalCompatible);
        let t1 = Instant::now();
        let (results, _) = super::check_with(&inputs, &manifest, &engine, diags);
        let t2 = Instant::now();
        build_times.push(t1 - t0);
        match_times.push(t2 - t1);
        last = Some((engine.matchers.len(), results));
    }
    // Router alone: Kong's own pick for every probe, no explanations.
    let (engine, _) = Engine::build(&manifest, RouterFlavor::TraditionalCompatible);
    let all_probes: Vec<super::probe::ProbeRequest> = api
        .operations
        .iter()
        .flat_map(|op| {
            let target = super::probe::target(&api, op, None, Some(""));
            super::probe::probes(&api, op, &target)
        })
        .collect();
    let t = Instant::now();
    let picked = all_probes
        .iter()
        .filter(|p| engine.select(&p.request).is_some())
        .count();
    let select_time = t.elapsed();
    let t = Instant::now();
    let listed: usize = all_probes
        .iter()
        .map(|p| engine.all_matches(&p.request).len())
        .sum();
    let list_time = t.elapsed();
    build_times.sort();
    match_times.sort();
    let (matchers, results) = last.unwrap_or((0, Vec::new()));
    let summary = super::summary(&results);
    let probes: usize = results.iter().map(|r| r.probes.len()).sum();
    let examples: String = results
        .iter()
        .filter(|r| r.status != super::Status::Matched)
        .take(5)
        .map(|r| {
            format!(
                "route:   e.g. {}\n",
                r.notes.first().map(String::as_str).unwrap_or("")
            )
        })
        .collect();
    format!(
        "route: {} operations, {} routes ({} matchers), {probes} probes; manifest diagnostics: {}\n\
         route: build router   median {} (min {}) over {runs} run(s)\n\
         route: match all ops  median {} (min {}) over {runs} run(s)  [goal < 200 ms]\n\
         route: router picks only  {} for {} probes ({picked} matched, one thread)\n\
         route: list every match   {} ({listed} matches, one thread)\n\
         route: verdicts {summary}\n{examples}",
        api.operations.len(),
        manifest.routes.len(),
        matchers,
        load_diags.len(),
        fmt_ms(build_times[build_times.len() / 2]),
        fmt_ms(build_times[0]),
        fmt_ms(match_times[match_times.len() / 2]),
        fmt_ms(match_times[0]),
        fmt_ms(select_time),
        all_probes.len(),
        fmt_ms(list_time),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_paths_like_openapi2kong() {
        assert_eq!(
            openapi2kong_path("/demo/{something}/else/{todo}/"),
            "~/demo/(?<something>[^#?/]+)/else/(?<todo>[^#?/]+)/$"
        );
        assert_eq!(openapi2kong_path("/a.b/{x-y}"), "~/a\\.b/(?<x_y>[^#?/]+)$");
    }
}
