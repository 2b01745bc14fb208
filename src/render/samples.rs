//! Code samples: the `curl` request of every operation page (with the credentials its package
//! or API asks for, required headers and an example body), the example success response, and
//! the example request of an auth box. Kept apart from the view models because samples are
//! generated code, with their own quoting rules, not a view of the model.

use crate::model::api::{MediaType, Operation, ParamLocation};
use crate::model::config::{AuthKind, AuthStrategy};
use crate::render::context::Sample;

/// The URL a sample calls: the gateway base, the path template (its `{name}` placeholders kept
/// readable) and every required query parameter as `name=<name>`.
pub fn sample_url(base: &str, op: &Operation) -> String {
    let mut url = format!("{base}{}", op.path);
    let query: Vec<String> = op
        .parameters
        .iter()
        .filter(|p| p.location == ParamLocation::Query && p.required)
        .map(|p| format!("{}=<{}>", p.name, p.name))
        .collect();
    if !query.is_empty() {
        url.push('?');
        url.push_str(&query.join("&"));
    }
    url
}

/// The samples of an operation page: a `curl` request to `url`, authenticated as `auth` asks,
/// then the first example of the first success response, when there is one.
pub fn operation_samples(op: &Operation, url: &str, auth: Option<&AuthStrategy>) -> Vec<Sample> {
    let mut curl = format!("curl -X {} '{}'", op.method, url);
    if let Some(header) = auth.map(credential_header) {
        curl.push_str(&format!(" \\\n  -H '{header}'"));
    }
    for p in op
        .parameters
        .iter()
        .filter(|p| p.location == ParamLocation::Header && p.required)
    {
        curl.push_str(&format!(" \\\n  -H '{}: <{}>'", p.name, p.name));
    }
    if let Some(body) = &op.request_body
        && let Some(mt) = body.content.first()
    {
        curl.push_str(&format!(" \\\n  -H 'Content-Type: {}'", mt.media_type));
        let data = example(mt)
            .and_then(|e| serde_json::to_string(e).ok())
            .unwrap_or_else(|| "{}".into());
        curl.push_str(&format!(" \\\n  -d '{}'", shell_quote_inner(&data)));
    }
    let mut samples = vec![Sample {
        label: "curl".into(),
        lang: "bash",
        code: curl,
    }];
    if let Some(resp) = op.responses.iter().find(|r| r.status.starts_with('2'))
        && let Some(mt) = resp.content.first()
        && let Some(ex) = example(mt)
        && let Ok(json) = serde_json::to_string_pretty(ex)
    {
        samples.push(Sample {
            label: format!("Response {}", resp.status),
            lang: "json",
            code: json,
        });
    }
    samples
}

/// The example request of an auth box: `curl <example_url>` with the strategy's credentials.
/// `example_url` is already quoted for the shell.
pub fn auth_example(strategy: &AuthStrategy, example_url: &str) -> String {
    format!(
        "curl {example_url} \\\n  -H '{}'",
        credential_header(strategy)
    )
}

/// The header a request carries to authenticate with `strategy` (placeholder value).
fn credential_header(strategy: &AuthStrategy) -> String {
    match &strategy.kind {
        AuthKind::KeyAuth { key_names } => format!(
            "{}: <your-api-key>",
            key_names.first().map(String::as_str).unwrap_or("apikey")
        ),
        AuthKind::OpenidConnect { .. } => "Authorization: Bearer <access-token>".to_string(),
    }
}

/// The example of a media type: `example`, else the first of `examples`.
fn example(mt: &MediaType) -> Option<&serde_json::Value> {
    mt.example
        .as_deref()
        .or_else(|| mt.examples.values().next().map(|e| &**e))
}

/// Text to place between single quotes in a POSIX shell.
fn shell_quote_inner(s: &str) -> String {
    s.replace('\'', "'\\''")
}
