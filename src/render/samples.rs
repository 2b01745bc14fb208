//! Code samples: the request of every operation page in curl, JavaScript (fetch), Python
//! (requests) and Go (net/http), calling the gateway base URL with path parameters filled from
//! examples, required query and header parameters, the body's example, and the credentials
//! the package's (or API's) auth strategy asks for as a placeholder; and the example request
//! of an auth box. Kept apart from the view models because samples are generated code, with
//! their own quoting rules, not a view of the model.

use serde_json::Value;

use crate::model::api::{Api, MediaType, Operation, ParamLocation, SecuritySchemeKind};
use crate::model::config::{AuthKind, AuthStrategy};
use crate::render::context::Sample;
use crate::render::examples;
use crate::render::highlight;
use crate::render::schema::Direction;

/// What a sample request carries, language-neutral.
pub struct Request {
    pub method: String,
    pub url: String,
    /// Header name → value (credentials first).
    pub headers: Vec<(String, String)>,
    pub body: Option<Body>,
}

/// A request body and how it is encoded.
pub struct Body {
    pub media_type: String,
    pub value: Value,
}

impl Body {
    fn is_json(&self) -> bool {
        let m = self.media_type.to_ascii_lowercase();
        m.contains("json")
    }
    fn is_form(&self) -> bool {
        self.media_type
            .eq_ignore_ascii_case("application/x-www-form-urlencoded")
    }
    fn is_multipart(&self) -> bool {
        self.media_type
            .to_ascii_lowercase()
            .starts_with("multipart/")
    }
}

/// The URL a sample calls: the gateway base, the path with its parameters filled from their
/// examples (percent-encoded), and every required query parameter with its example.
pub fn sample_url(api: &Api, base: &str, op: &Operation) -> String {
    let mut path = op.path.clone();
    for p in op
        .parameters
        .iter()
        .filter(|p| p.location == ParamLocation::Path)
    {
        let v = scalar_text(&examples::parameter(api, p));
        let enc = percent_encoding::utf8_percent_encode(&v, PATH_SEGMENT).to_string();
        path = path.replace(&format!("{{{}}}", p.name), &enc);
    }
    let mut url = format!("{base}{path}");
    let query: Vec<String> = op
        .parameters
        .iter()
        .filter(|p| p.location == ParamLocation::Query && p.required)
        .map(|p| {
            let v = scalar_text(&examples::parameter(api, p));
            format!(
                "{}={}",
                percent_encoding::utf8_percent_encode(&p.name, QUERY),
                percent_encoding::utf8_percent_encode(&v, QUERY)
            )
        })
        .collect();
    if !query.is_empty() {
        url.push('?');
        url.push_str(&query.join("&"));
    }
    url
}

const PATH_SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'\'');
const QUERY: &percent_encoding::AsciiSet = &PATH_SEGMENT.add(b'&').add(b'=').add(b'+');

fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(scalar_text).collect::<Vec<_>>().join(","),
        other => other.to_string(),
    }
}

/// The request an operation's samples send.
pub fn request(api: &Api, op: &Operation, url: &str, auth: Option<&AuthStrategy>) -> Request {
    let mut headers = Vec::new();
    if let Some(h) = credential(api, op, auth) {
        headers.push(h);
    }
    for p in op
        .parameters
        .iter()
        .filter(|p| p.location == ParamLocation::Header && p.required)
    {
        headers.push((p.name.clone(), scalar_text(&examples::parameter(api, p))));
    }
    let body = op.request_body.as_ref().and_then(|b| {
        let mt = preferred(&b.content)?;
        Some(Body {
            media_type: mt.media_type.clone(),
            value: examples::media(api, mt, Direction::Request).unwrap_or(Value::Null),
        })
    });
    if let Some(b) = &body
        && !b.is_multipart()
    {
        headers.push(("Content-Type".into(), b.media_type.clone()));
    }
    Request {
        method: op.method.as_str().to_string(),
        url: url.to_string(),
        headers,
        body,
    }
}

/// The media type samples send: JSON when offered, else the first.
fn preferred(content: &[MediaType]) -> Option<&MediaType> {
    content
        .iter()
        .find(|m| m.media_type.to_ascii_lowercase().contains("json"))
        .or(content.first())
}

/// The credentials header of the portal's strategy, else of the operation's first security
/// requirement in the document (a placeholder value either way).
fn credential(api: &Api, op: &Operation, auth: Option<&AuthStrategy>) -> Option<(String, String)> {
    if let Some(s) = auth {
        return Some(credential_header(s));
    }
    let req = api.effective_security(op).first()?;
    let (name, _) = req.schemes.first()?;
    let scheme = api.security_schemes.iter().find(|s| &s.name == name)?;
    match &scheme.kind {
        SecuritySchemeKind::ApiKey {
            location,
            param_name,
        } if location == "header" => Some((param_name.clone(), "<your-api-key>".into())),
        SecuritySchemeKind::Http { scheme, .. } if scheme.eq_ignore_ascii_case("basic") => Some((
            "Authorization".into(),
            "Basic <base64 of user:password>".into(),
        )),
        SecuritySchemeKind::Http { .. }
        | SecuritySchemeKind::OAuth2 { .. }
        | SecuritySchemeKind::OpenIdConnect { .. } => {
            Some(("Authorization".into(), "Bearer <access-token>".into()))
        }
        _ => None,
    }
}

/// The header a request carries to authenticate with `strategy` (placeholder value).
pub fn credential_header(strategy: &AuthStrategy) -> (String, String) {
    match &strategy.kind {
        AuthKind::KeyAuth { key_names } => (
            key_names
                .first()
                .cloned()
                .unwrap_or_else(|| "apikey".into()),
            "<your-api-key>".into(),
        ),
        AuthKind::OpenidConnect { .. } => ("Authorization".into(), "Bearer <access-token>".into()),
    }
}

/// The samples of an operation page, in tab order: curl, JavaScript, Python, Go.
pub fn operation_samples(req: &Request) -> Vec<Sample> {
    [
        ("curl", "bash", curl(req)),
        ("JavaScript", "javascript", javascript(req)),
        ("Python", "python", python(req)),
        ("Go", "go", go(req)),
    ]
    .into_iter()
    .map(|(label, lang, code)| Sample {
        label: label.into(),
        lang,
        code_html: highlight::html(lang, &code),
        code,
    })
    .collect()
}

/// The example request of an auth box: `curl <example_url>` with the strategy's credentials.
/// `example_url` is already quoted for the shell.
pub fn auth_example(strategy: &AuthStrategy, example_url: &str) -> String {
    let (k, v) = credential_header(strategy);
    format!("curl {example_url} \\\n  -H '{k}: {v}'")
}

/// JSON text of a body: one line when short, else indented.
fn json_text(v: &Value) -> String {
    let one = serde_json::to_string(v).unwrap_or_default();
    if one.len() <= 60 {
        one
    } else {
        serde_json::to_string_pretty(v).unwrap_or(one)
    }
}

/// Text to place between single quotes in a POSIX shell.
fn sh(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

fn form_pairs(v: &Value) -> Vec<(String, String)> {
    match v {
        Value::Object(m) => m
            .iter()
            .map(|(k, v)| {
                let text = match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                (k.clone(), text)
            })
            .collect(),
        _ => Vec::new(),
    }
}

pub fn curl(req: &Request) -> String {
    let mut out = format!("curl -X {} {}", req.method, sh(&req.url));
    for (k, v) in &req.headers {
        out.push_str(&format!(" \\\n  -H {}", sh(&format!("{k}: {v}"))));
    }
    if let Some(b) = &req.body {
        if b.is_json() {
            out.push_str(&format!(" \\\n  -d {}", sh(&json_text(&b.value))));
        } else if b.is_form() {
            for (k, v) in form_pairs(&b.value) {
                out.push_str(&format!(
                    " \\\n  --data-urlencode {}",
                    sh(&format!("{k}={v}"))
                ));
            }
        } else if b.is_multipart() {
            for (k, v) in form_pairs(&b.value) {
                out.push_str(&format!(" \\\n  -F {}", sh(&format!("{k}={v}"))));
            }
        } else {
            out.push_str(" \\\n  --data-binary @file");
        }
    }
    out
}

/// A JSON value as a string literal of JavaScript, Go (interpreted) or Python.
fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

pub fn javascript(req: &Request) -> String {
    let mut out = format!("const response = await fetch({}, {{\n", quoted(&req.url));
    out.push_str(&format!("  method: {},\n", quoted(&req.method)));
    if !req.headers.is_empty() {
        out.push_str("  headers: {\n");
        for (k, v) in &req.headers {
            out.push_str(&format!("    {}: {},\n", quoted(k), quoted(v)));
        }
        out.push_str("  },\n");
    }
    if let Some(b) = &req.body {
        if b.is_json() {
            let text = indent(&json_text(&b.value), "  ");
            out.push_str(&format!("  body: JSON.stringify({text}),\n"));
        } else if b.is_form() || b.is_multipart() {
            let ctor = if b.is_form() {
                "URLSearchParams"
            } else {
                "FormData"
            };
            out.push_str(&format!(
                "  body: (() => {{\n    const form = new {ctor}();\n"
            ));
            for (k, v) in form_pairs(&b.value) {
                out.push_str(&format!(
                    "    form.append({}, {});\n",
                    quoted(&k),
                    quoted(&v)
                ));
            }
            out.push_str("    return form;\n  })(),\n");
        } else {
            out.push_str("  body: file, // a Blob or ArrayBuffer\n");
        }
    }
    out.push_str("});\nconsole.log(response.status, await response.text());");
    out
}

/// A JSON value as a Python literal (`True`, `False`, `None`), indented like `json.dumps`.
fn py(v: &Value, depth: usize) -> String {
    let pad = "    ".repeat(depth + 1);
    let end = "    ".repeat(depth);
    match v {
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => quoted(s),
        Value::Array(items) if items.is_empty() => "[]".into(),
        Value::Object(m) if m.is_empty() => "{}".into(),
        Value::Array(items) => {
            let inner: Vec<String> = items
                .iter()
                .map(|i| format!("{pad}{}", py(i, depth + 1)))
                .collect();
            format!("[\n{},\n{end}]", inner.join(",\n"))
        }
        Value::Object(m) => {
            let inner: Vec<String> = m
                .iter()
                .map(|(k, v)| format!("{pad}{}: {}", quoted(k), py(v, depth + 1)))
                .collect();
            format!("{{\n{},\n{end}}}", inner.join(",\n"))
        }
    }
}

pub fn python(req: &Request) -> String {
    let method = req.method.to_ascii_lowercase();
    let known = ["get", "post", "put", "patch", "delete", "head", "options"];
    let mut out = String::from("import requests\n\n");
    if known.contains(&method.as_str()) {
        out.push_str(&format!(
            "response = requests.{method}(\n    {},\n",
            quoted(&req.url)
        ));
    } else {
        out.push_str(&format!(
            "response = requests.request(\n    {},\n    {},\n",
            quoted(&req.method),
            quoted(&req.url)
        ));
    }
    let headers: Vec<&(String, String)> = req
        .headers
        .iter()
        .filter(|(k, _)| {
            // requests sets Content-Type itself for json=, data= and files=.
            !(k == "Content-Type"
                && req
                    .body
                    .as_ref()
                    .is_some_and(|b| b.is_json() || b.is_form()))
        })
        .collect();
    if !headers.is_empty() {
        out.push_str("    headers={\n");
        for (k, v) in headers {
            out.push_str(&format!("        {}: {},\n", quoted(k), quoted(v)));
        }
        out.push_str("    },\n");
    }
    if let Some(b) = &req.body {
        if b.is_json() {
            out.push_str(&format!("    json={},\n", py(&b.value, 1)));
        } else if b.is_form() {
            out.push_str(&format!("    data={},\n", py(&b.value, 1)));
        } else if b.is_multipart() {
            out.push_str(&format!("    files={},\n", py(&b.value, 1)));
        } else {
            out.push_str("    data=open(\"file\", \"rb\"),\n");
        }
    }
    out.push_str(")\nprint(response.status_code, response.text)");
    out
}

pub fn go(req: &Request) -> String {
    let mut imports = vec!["\"fmt\"", "\"io\"", "\"net/http\""];
    let body = req.body.as_ref().map(|b| {
        if b.is_json() {
            let text = json_text(&b.value);
            if text.contains('`') {
                format!("strings.NewReader({})", quoted(&text))
            } else {
                format!("strings.NewReader(`{text}`)")
            }
        } else if b.is_form() {
            let pairs: Vec<String> = form_pairs(&b.value)
                .into_iter()
                .map(|(k, v)| format!("{}: {{{}}}", quoted(&k), quoted(&v)))
                .collect();
            format!(
                "strings.NewReader(url.Values{{{}}}.Encode())",
                pairs.join(", ")
            )
        } else {
            "file // an io.Reader with the body".to_string()
        }
    });
    if body.as_deref().is_some_and(|b| b.starts_with("strings.")) {
        imports.push("\"strings\"");
    }
    if req.body.as_ref().is_some_and(|b| b.is_form()) {
        imports.push("\"net/url\"");
    }
    imports.sort();
    let mut out = String::from("package main\n\nimport (\n");
    for i in &imports {
        out.push_str(&format!("\t{i}\n"));
    }
    out.push_str(")\n\nfunc main() {\n");
    let body_arg = match &body {
        Some(b) => {
            out.push_str(&format!("\tbody := {b}\n"));
            "body"
        }
        None => "nil",
    };
    out.push_str(&format!(
        "\treq, err := http.NewRequest({}, {}, {body_arg})\n\tif err != nil {{\n\t\tpanic(err)\n\t}}\n",
        quoted(&req.method),
        quoted(&req.url)
    ));
    for (k, v) in &req.headers {
        out.push_str(&format!("\treq.Header.Set({}, {})\n", quoted(k), quoted(v)));
    }
    out.push_str(
        "\tresp, err := http.DefaultClient.Do(req)\n\tif err != nil {\n\t\tpanic(err)\n\t}\n\tdefer resp.Body.Close()\n\tout, _ := io.ReadAll(resp.Body)\n\tfmt.Println(resp.Status, string(out))\n}",
    );
    out
}

fn indent(text: &str, pad: &str) -> String {
    let mut lines = text.lines();
    let mut out = lines.next().unwrap_or("").to_string();
    for l in lines {
        out.push('\n');
        out.push_str(pad);
        out.push_str(l);
    }
    out
}
