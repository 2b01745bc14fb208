//! Probe requests for one documented operation: the concrete requests a client following the
//! spec would send through the gateway. Host from the API's gateway settings or its first
//! server URL; path = gateway path prefix (default: the first server URL's path) + the path
//! template with each parameter replaced by sample values that fit its schema. Several samples
//! per parameter (an id that the spec calls a string is tried as letters *and* digits), so a
//! route that accepts only some valid values shows up as a split verdict.

use serde_json::Value as J;

use super::engine::Request;
use super::uri;
use crate::model::api::{ParamLocation, Parameter, Schema, SchemaRef};
use crate::model::url::UrlParts;
use crate::model::{Api, Operation};

/// At most this many probes per operation.
pub const MAX_PROBES: usize = 3;

/// Where an operation is reached: scheme, host (with port as written) and path prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub scheme: String,
    /// `Host` header as the client would send it (may include `:port`).
    pub host: Option<String>,
    pub prefix: String,
}

/// The target of `op`: `gateway_host` / `path_prefix` when configured, else the first server
/// URL (operation servers first, then the API's). A `gateway_host` without a scheme is reached
/// over https.
pub fn target(
    api: &Api,
    op: &Operation,
    gateway_host: Option<&str>,
    path_prefix: Option<&str>,
) -> Target {
    let server = op.servers.first().or(api.servers.first());
    resolve_target(server.map(|s| s.url.as_str()), gateway_host, path_prefix)
}

/// The target of the API as a whole (its first server), as the portal shows it in code
/// samples and downloads: the same rule as [`target`], so what the reader is told to call is
/// what the routing check probed.
pub fn api_target(api: &Api, gateway_host: Option<&str>, path_prefix: Option<&str>) -> Target {
    let server = api.servers.first().map(|s| s.url.as_str());
    resolve_target(server, gateway_host, path_prefix)
}

fn resolve_target(
    server: Option<&str>,
    gateway_host: Option<&str>,
    path_prefix: Option<&str>,
) -> Target {
    let server = server.map(UrlParts::split).unwrap_or_default();
    let (gw_scheme, gw_host) = match gateway_host {
        Some(h) if h.contains("://") => {
            let gw = UrlParts::split(h);
            (gw.scheme.clone(), gw.authority())
        }
        // A bare gateway host is the public one: clients reach it over https.
        Some(h) => (
            Some("https".into()),
            Some(h.trim_end_matches('/').to_string()),
        ),
        None => (None, None),
    };
    let prefix = path_prefix.map_or(server.path.as_str(), |p| p);
    let prefix = prefix.trim_end_matches('/');
    let prefix = if prefix.is_empty() || prefix.starts_with('/') {
        prefix.to_string()
    } else {
        format!("/{prefix}")
    };
    Target {
        scheme: gw_scheme
            .or(server.scheme.clone())
            .filter(|s| s == "http" || s == "https")
            .unwrap_or_else(|| "https".into()),
        host: gw_host.or(server.authority()),
        prefix,
    }
}

fn resolve<'a>(api: &'a Api, schema: &'a SchemaRef, depth: usize) -> Option<&'a Schema> {
    match schema {
        SchemaRef::Inline(s) => {
            // A schema that is only `allOf: [$ref]` (or oneOf/anyOf) stands for its first member.
            if s.types.is_empty()
                && s.enum_values.is_empty()
                && s.format.is_none()
                && depth < 8
                && let Some(first) = s.all_of.first().or(s.one_of.first()).or(s.any_of.first())
            {
                return resolve(api, first, depth + 1);
            }
            Some(s)
        }
        SchemaRef::Ref { target, .. } => {
            let s = api.schemas.get(target.0)?;
            if s.types.is_empty()
                && s.enum_values.is_empty()
                && depth < 8
                && let Some(first) = s.all_of.first().or(s.one_of.first()).or(s.any_of.first())
            {
                return resolve(api, first, depth + 1);
            }
            Some(s)
        }
    }
}

fn scalar(v: &J) -> Option<String> {
    match v {
        J::String(s) => Some(s.clone()),
        J::Number(n) => Some(n.to_string()),
        J::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Sample values for one parameter, most representative first.
pub fn samples(api: &Api, param: &Parameter) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let schema = param.schema.as_ref().and_then(|s| resolve(api, s, 0));
    if let Some(s) = schema {
        if let Some(c) = s.const_value.as_ref().and_then(scalar) {
            return vec![c];
        }
        if !s.enum_values.is_empty() {
            return s
                .enum_values
                .iter()
                .filter_map(scalar)
                .take(MAX_PROBES)
                .collect();
        }
    }
    if let Some(e) = param.example.as_deref().and_then(scalar) {
        out.push(e);
    }
    if let Some(s) = schema {
        for e in s.examples.iter().filter_map(scalar) {
            out.push(e);
        }
        if let Some(d) = s.default.as_ref().and_then(scalar) {
            out.push(d);
        }
        let ty = s
            .types
            .iter()
            .find(|t| t.as_str() != "null")
            .map(String::as_str);
        let generated: Vec<String> = match (ty, s.format.as_deref()) {
            (Some("integer"), _) => vec!["1".into(), "4711".into()],
            (Some("number"), _) => vec!["1".into(), "2.5".into()],
            (Some("boolean"), _) => vec!["true".into(), "false".into()],
            (_, Some("uuid")) => vec!["3fa85f64-5717-4562-b3fc-2c963f66afa6".into()],
            (_, Some("date")) => vec!["2024-01-31".into()],
            (_, Some("date-time")) => vec!["2024-01-31T12:00:00Z".into()],
            _ => vec!["sample".into(), "1234".into()],
        };
        for g in generated {
            out.push(fit_length(g, s.min_length, s.max_length));
        }
    } else {
        out.push("sample".into());
        out.push("1234".into());
    }
    // A `pattern` narrows what a valid value is: keep only samples it accepts (trying a few
    // more shapes), so a route is never blamed for rejecting values the spec forbids.
    if let Some(re) = schema
        .and_then(|s| s.pattern.as_deref())
        .and_then(|p| regex::Regex::new(p).ok())
    {
        let extra = ["1234", "sample", "abc-123", "A1", "a", "0", "abc_def", "v1"];
        let fitting: Vec<String> = out
            .iter()
            .map(String::as_str)
            .chain(extra)
            .filter(|v| re.is_match(v))
            .map(str::to_string)
            .collect();
        if !fitting.is_empty() {
            out = fitting;
        }
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|v| seen.insert(v.clone()));
    out.truncate(MAX_PROBES);
    out
}

fn fit_length(mut v: String, min: Option<u64>, max: Option<u64>) -> String {
    if let Some(min) = min {
        let fill = v.chars().last().unwrap_or('a');
        while (v.chars().count() as u64) < min {
            v.push(fill);
        }
    }
    if let Some(max) = max
        && max > 0
    {
        v = v.chars().take(max as usize).collect();
    }
    v
}

/// Percent-encode what may not appear raw in a path segment.
fn encode_segment(v: &str) -> String {
    let mut out = String::new();
    for b in v.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// One probe: the request plus the concrete operation path (without the gateway prefix).
#[derive(Debug, Clone)]
pub struct ProbeRequest {
    pub request: Request,
    /// `Host` as sent (with port if any), for reports.
    pub host_header: Option<String>,
    /// Path as sent, before Kong's normalisation.
    pub raw_path: String,
    /// The operation's path with samples, normalised (what the backend should receive).
    pub op_path: String,
}

/// The probes for `op` (1 to [`MAX_PROBES`]).
pub fn probes(api: &Api, op: &Operation, target: &Target) -> Vec<ProbeRequest> {
    let path_params: Vec<(&str, Vec<String>)> = template_names(&op.path)
        .into_iter()
        .map(|name| {
            let values = op
                .parameters
                .iter()
                .find(|p| p.location == ParamLocation::Path && p.name == name)
                .map(|p| samples(api, p))
                .unwrap_or_else(|| vec!["sample".into(), "1234".into()]);
            (name, values)
        })
        .collect();
    let header_params: Vec<(String, Vec<String>)> = op
        .parameters
        .iter()
        .filter(|p| p.location == ParamLocation::Header)
        .filter(|p| {
            p.required
                || p.schema
                    .as_ref()
                    .and_then(|s| resolve(api, s, 0))
                    .is_some_and(|s| !s.enum_values.is_empty() || s.const_value.is_some())
        })
        .map(|p| (p.name.to_ascii_lowercase(), samples(api, p)))
        .collect();
    let count = path_params
        .iter()
        .map(|(_, v)| v.len())
        .chain(header_params.iter().map(|(_, v)| v.len()))
        .max()
        .unwrap_or(1)
        .clamp(1, MAX_PROBES);
    let (host, port) = match &target.host {
        Some(h) => {
            let (name, port) = super::translate::split_host_port(h);
            (Some(name.to_string()), port)
        }
        None => (None, None),
    };
    let port = port.unwrap_or(if target.scheme == "http" { 80 } else { 443 });
    (0..count)
        .map(|i| {
            let mut path = op.path.clone();
            for (name, values) in &path_params {
                if values.is_empty() {
                    continue;
                }
                let v = encode_segment(&values[i % values.len()]);
                path = path.replace(&format!("{{{name}}}"), &v);
            }
            let raw_path = format!(
                "{}{}",
                target.prefix,
                if path.starts_with('/') {
                    path.clone()
                } else {
                    format!("/{path}")
                }
            );
            let headers = header_params
                .iter()
                .filter(|(_, v)| !v.is_empty())
                .map(|(n, v)| (n.clone(), v[i % v.len()].clone()))
                .collect();
            ProbeRequest {
                request: Request {
                    method: op.method.as_str().to_string(),
                    host: host.clone(),
                    port,
                    scheme: target.scheme.clone(),
                    path: uri::request_path(&raw_path),
                    headers,
                },
                host_header: target.host.clone(),
                op_path: uri::request_path(&path),
                raw_path,
            }
        })
        .collect()
}

/// Names of the `{param}` placeholders of a path template, in order.
pub fn template_names(path: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        out.push(&rest[start + 1..start + len]);
        rest = &rest[start + len + 1..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn param(schema: Schema) -> Parameter {
        Parameter {
            name: "id".into(),
            location: ParamLocation::Path,
            required: true,
            deprecated: false,
            description: None,
            schema: Some(SchemaRef::Inline(Box::new(schema))),
            example: None,
            span: crate::source::Span::file("x"),
        }
    }

    fn empty_api() -> Api {
        Api {
            slug: crate::model::Slug::parse("a").unwrap(),
            title: "a".into(),
            version: "1".into(),
            description: None,
            spec_version: crate::model::api::SpecVersion::OpenApi30,
            source: crate::source::Span::file("x"),
            servers: vec![],
            tags: vec![],
            operations: vec![],
            webhooks: vec![],
            schemas: vec![],
            schema_names: Default::default(),
            schema_slugs: Vec::new(),
            info: Default::default(),
            tag_groups: Vec::new(),
            original: crate::model::api::Original {
                file: "apis/x.yaml".into(),
                version: "3.0.0".into(),
                yaml: true,
                bundled: None,
                html_comment: false,
                text: "".into(),
            },
            security_schemes: vec![],
            security: vec![],
            extensions: Default::default(),
        }
    }

    #[test]
    fn samples_fit_the_schema() {
        let api = empty_api();
        let s = |types: &[&str]| Schema {
            types: types.iter().map(|t| t.to_string()).collect(),
            ..Schema::default()
        };
        assert_eq!(samples(&api, &param(s(&["integer"]))), vec!["1", "4711"]);
        assert_eq!(
            samples(&api, &param(s(&["string"]))),
            vec!["sample", "1234"]
        );
        let uuid = Schema {
            format: Some("uuid".into()),
            ..s(&["string"])
        };
        assert_eq!(
            samples(&api, &param(uuid)),
            vec!["3fa85f64-5717-4562-b3fc-2c963f66afa6"]
        );
        let en = Schema {
            enum_values: vec![J::from("a"), J::from(2), J::from("c"), J::from("d")],
            ..s(&["string"])
        };
        assert_eq!(samples(&api, &param(en)), vec!["a", "2", "c"]);
        let digits = Schema {
            pattern: Some("^[0-9]+$".into()),
            ..s(&["string"])
        };
        assert_eq!(samples(&api, &param(digits)), vec!["1234", "0"]);
        let long = Schema {
            min_length: Some(8),
            ..s(&["string"])
        };
        assert_eq!(samples(&api, &param(long)), vec!["sampleee", "12344444"]);
    }

    #[test]
    fn server_urls() {
        let t = resolve_target(Some("HTTPS://api.example.com:8443/v1/?x"), None, None);
        assert_eq!(
            (t.scheme.as_str(), t.host.as_deref(), t.prefix.as_str()),
            ("https", Some("api.example.com:8443"), "/v1")
        );
        let t = resolve_target(
            Some("http://old/v2"),
            Some("http://gw.local:8000/"),
            Some("x"),
        );
        assert_eq!(
            (t.scheme.as_str(), t.host.as_deref(), t.prefix.as_str()),
            ("http", Some("gw.local:8000"), "/x")
        );
        let t = resolve_target(Some("/v2"), Some("gw.example.com"), None);
        assert_eq!(
            (t.scheme.as_str(), t.host.as_deref(), t.prefix.as_str()),
            ("https", Some("gw.example.com"), "/v2")
        );
        let t = resolve_target(Some("http://localhost:8000"), Some("gw.example.com"), None);
        assert_eq!(
            (t.scheme.as_str(), t.host.as_deref(), t.prefix.as_str()),
            ("https", Some("gw.example.com"), "")
        );
        assert_eq!(template_names("/a/{x}/b/{y}"), vec!["x", "y"]);
        assert_eq!(encode_segment("a b/c"), "a%20b%2Fc");
    }
}
