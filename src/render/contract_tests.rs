//! The template contract against its documentation. docs/templates.md lists every field of
//! every page's context in `context` code blocks; this test builds the contexts of every page
//! of the bundled example (public and `partners` builds) and of a fuller portal written here,
//! and compares the key paths both ways, per template: a field templates receive that the
//! page does not list, or a listed field no page has, fails the test. So the docs cannot
//! drift from `context.rs`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

use crate::render::context::PageKind;
use crate::render::{Pages, RenderOptions, plan};

const ALL_KINDS: [PageKind; 10] = [
    PageKind::Home,
    PageKind::Apis,
    PageKind::Packages,
    PageKind::Api,
    PageKind::Operation,
    PageKind::Schemas,
    PageKind::Schema,
    PageKind::Package,
    PageKind::Guide,
    PageKind::NotFound,
];

#[test]
fn docs_templates_md_lists_exactly_the_context_fields() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let doc = std::fs::read_to_string(root.join("docs/templates.md")).unwrap();
    assert!(
        doc.starts_with(&format!(
            "# Template context (version {})",
            super::context::CONTRACT_VERSION
        )),
        "docs/templates.md must name the contract version of context.rs"
    );
    let documented = documented_paths(&doc);

    let rich = tempfile::tempdir().unwrap();
    write_rich_portal(rich.path());
    let mut seen: BTreeMap<&'static str, BTreeSet<String>> = BTreeMap::new();
    for (project, audiences) in [
        (root.join("content"), vec![]),
        (root.join("content"), vec!["partners".to_string()]),
        (rich.path().to_path_buf(), vec![]),
        (rich.path().to_path_buf(), vec!["partners".to_string()]),
    ] {
        for (kind, value) in contexts(&project, &audiences) {
            let paths = seen.entry(kind.template()).or_default();
            collect(&value, "", paths);
        }
    }

    // Per template: every field it receives is documented (in its block or the common one),
    // and every field of its block exists on one of its pages. The common fields exist on
    // some page (`nav.apis[].tags` is filled only on API pages).
    let keys = |s: &BTreeSet<String>| -> BTreeSet<String> {
        s.iter().filter(|p| !p.ends_with("[]")).cloned().collect()
    };
    let common = keys(&documented["common"]);
    let mut problems = Vec::new();
    let mut all_seen = BTreeSet::new();
    for kind in ALL_KINDS {
        let template = kind.template();
        let have = keys(
            seen.get(template)
                .unwrap_or_else(|| panic!("no page rendered with {template}")),
        );
        let own = keys(
            documented
                .get(template)
                .unwrap_or_else(|| panic!("docs/templates.md has no `context {template}` block")),
        );
        for p in have
            .iter()
            .filter(|p| !common.contains(*p) && !own.contains(*p))
        {
            problems.push(format!(
                "{template}: `{p}` is in the context but not documented"
            ));
        }
        for p in own.difference(&have) {
            problems.push(format!(
                "{template}: `{p}` is documented but no page of the test portals has it"
            ));
        }
        all_seen.extend(have);
    }
    for p in common.difference(&all_seen) {
        problems.push(format!(
            "common: `{p}` is documented but no page of the test portals has it"
        ));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The context of every page of `project` built for `audiences`, as JSON.
fn contexts(project: &Path, audiences: &[String]) -> Vec<(PageKind, Value)> {
    let mut portal = crate::render::plan::tests::load(project);
    // The pipeline sets what the verified export enforces; here every operation gets a full
    // policy, so that each documented enforcement field appears on the pages.
    portal.enforcement = full_enforcement(&portal);
    let portal = &portal;
    let plan = plan::plan(portal, audiences);
    let paths = plan.paths();
    let opts = RenderOptions {
        base_url: None,
        audiences: audiences.to_vec(),
        live_reload: Some("/__portalgen/live".into()),
        progress: Default::default(),
    };
    let pages = Pages::new(
        portal,
        &plan.visible,
        &paths,
        &portal.config.base_url,
        &opts,
    );
    plan.pages()
        .map(|(job, url)| {
            let ctx = pages.context(job, url);
            (ctx.page.kind, serde_json::to_value(&ctx).unwrap())
        })
        .collect()
}

/// A policy with every field set for every operation of `portal`.
fn full_enforcement(portal: &crate::model::Portal) -> crate::model::enforcement::Enforcement {
    use crate::model::enforcement::{
        AuthIntent, Counter, Enforcement, LimitPolicy, OperationPolicy, PolicyStatus,
    };
    let policy = OperationPolicy {
        status: PolicyStatus::Enforced,
        route: Some("r".into()),
        auth: Some(AuthIntent {
            strategy: "key-auth".into(),
            plugin: "key-auth",
            key_names: vec!["apikey".into()],
            hide_credentials: Some(true),
            key_in_query: Some(false),
            issuer: Some("https://idp.example.com".into()),
        }),
        acl: vec!["api-x".into()],
        limits: vec![LimitPolicy {
            group: "api-x".into(),
            name: "X".into(),
            limit: Some(crate::model::RateLimit {
                limit: 5,
                duration: crate::model::Duration::Minutes,
            }),
            counter: Some(Counter::Package),
        }],
        registrations: Vec::new(),
        status_code: Some(404),
        note: None,
    };
    Enforcement {
        flavor: "kong",
        operations: portal
            .apis
            .iter()
            .map(|a| vec![policy.clone(); a.operations.len()])
            .collect(),
    }
}

/// Every key path of a JSON value: `a`, `a.b`, `a.list[]`, `a.list[].c`.
fn collect(v: &Value, prefix: &str, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                let p = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                out.insert(p.clone());
                collect(v, &p, out);
            }
        }
        Value::Array(items) => {
            let p = format!("{prefix}[]");
            for item in items {
                out.insert(p.clone());
                collect(item, &p, out);
            }
        }
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------------
// The notation of docs/templates.md

/// Key paths per `context <name>` block (`common`, a template name), shapes expanded.
fn documented_paths(doc: &str) -> BTreeMap<String, BTreeSet<String>> {
    let mut blocks: BTreeMap<String, String> = BTreeMap::new();
    let mut current: Option<(String, String)> = None;
    for line in doc.lines() {
        match &mut current {
            None => {
                if let Some(name) = line.strip_prefix("```context ") {
                    current = Some((name.trim().to_string(), String::new()));
                }
            }
            Some((name, text)) => {
                if line.trim_start().starts_with("```") {
                    blocks.insert(std::mem::take(name), std::mem::take(text));
                    current = None;
                } else {
                    let code = line.split('#').next().unwrap_or("");
                    text.push_str(code);
                    text.push('\n');
                }
            }
        }
    }
    let shapes: BTreeMap<String, Type> = {
        let mut p = Parser::new(blocks.get("shapes").map(String::as_str).unwrap_or(""));
        let mut out = BTreeMap::new();
        while !p.done() {
            let name = p.ident();
            p.expect("=");
            out.insert(name, p.ty());
        }
        out
    };
    blocks
        .iter()
        .filter(|(name, _)| name.as_str() != "shapes")
        .map(|(name, text)| {
            let mut p = Parser::new(text);
            let entries = p.entries(None);
            let mut paths = BTreeSet::new();
            expand(&Type::Map(entries), "", &shapes, &mut paths, 0);
            (name.clone(), paths)
        })
        .collect()
}

#[derive(Debug, Clone)]
enum Type {
    Map(Vec<(String, Option<Type>)>),
    List(Box<Type>),
    Name(String),
    Union(Vec<Type>),
}

fn expand(
    t: &Type,
    prefix: &str,
    shapes: &BTreeMap<String, Type>,
    out: &mut BTreeSet<String>,
    depth: usize,
) {
    assert!(
        depth < 32,
        "shapes of docs/templates.md refer to themselves"
    );
    match t {
        Type::Map(entries) => {
            for (k, t) in entries {
                let p = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                out.insert(p.clone());
                if let Some(t) = t {
                    expand(t, &p, shapes, out, depth + 1);
                }
            }
        }
        Type::List(item) => {
            let p = format!("{prefix}[]");
            out.insert(p.clone());
            expand(item, &p, shapes, out, depth + 1);
        }
        Type::Name(n) => {
            if let Some(shape) = shapes.get(n) {
                expand(shape, prefix, shapes, out, depth + 1);
            }
        }
        Type::Union(ts) => ts
            .iter()
            .for_each(|t| expand(t, prefix, shapes, out, depth + 1)),
    }
}

struct Parser {
    tokens: Vec<String>,
    at: usize,
}

impl Parser {
    fn new(text: &str) -> Parser {
        let mut tokens = Vec::new();
        let mut word = String::new();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            if c.is_alphanumeric() || c == '_' {
                word.push(c);
                continue;
            }
            if !word.is_empty() {
                tokens.push(std::mem::take(&mut word));
            }
            match c {
                '{' | '}' | '[' | ']' | ':' | ',' | '|' | '=' => tokens.push(c.to_string()),
                '"' => {
                    // A literal: a plain value.
                    for c in chars.by_ref() {
                        if c == '"' {
                            break;
                        }
                    }
                    tokens.push("string".into());
                }
                c if c.is_whitespace() => {}
                c => panic!("unexpected `{c}` in a context block of docs/templates.md"),
            }
        }
        if !word.is_empty() {
            tokens.push(word);
        }
        Parser { tokens, at: 0 }
    }

    fn done(&self) -> bool {
        self.at >= self.tokens.len()
    }

    fn peek(&self) -> Option<&str> {
        self.tokens.get(self.at).map(String::as_str)
    }

    fn next(&mut self) -> String {
        let t = self
            .tokens
            .get(self.at)
            .cloned()
            .unwrap_or_else(|| panic!("docs/templates.md: a context block ends too early"));
        self.at += 1;
        t
    }

    fn expect(&mut self, want: &str) {
        let got = self.next();
        assert_eq!(
            got, want,
            "docs/templates.md: expected `{want}`, found `{got}`"
        );
    }

    fn ident(&mut self) -> String {
        let t = self.next();
        assert!(
            t.chars().all(|c| c.is_alphanumeric() || c == '_'),
            "docs/templates.md: expected a name, found `{t}`"
        );
        t
    }

    /// `name (: type)?` entries separated by optional commas, up to `close` (or the end).
    fn entries(&mut self, close: Option<&str>) -> Vec<(String, Option<Type>)> {
        let mut out = Vec::new();
        loop {
            match (self.peek(), close) {
                (None, None) => return out,
                (Some(t), Some(c)) if t == c => {
                    self.at += 1;
                    return out;
                }
                (Some(","), _) => self.at += 1,
                _ => {
                    let name = self.ident();
                    let t = if self.peek() == Some(":") {
                        self.at += 1;
                        Some(self.ty())
                    } else {
                        None
                    };
                    out.push((name, t));
                }
            }
        }
    }

    fn ty(&mut self) -> Type {
        let mut alts = vec![self.atom()];
        while self.peek() == Some("|") {
            self.at += 1;
            alts.push(self.atom());
        }
        if alts.len() == 1 {
            alts.pop().unwrap()
        } else {
            Type::Union(alts)
        }
    }

    fn atom(&mut self) -> Type {
        match self.next().as_str() {
            "{" => Type::Map(self.entries(Some("}"))),
            "[" => {
                let t = self.ty();
                self.expect("]");
                Type::List(Box::new(t))
            }
            name => Type::Name(name.to_string()),
        }
    }
}

#[test]
fn the_notation_expands_shapes_lists_and_unions() {
    let doc = "```context shapes\nS = {a, b: [string]} # c\n```\n```context x.html\nroot\nv: {s: S|null, t: [{u}]}\n```\n";
    let paths = documented_paths(doc);
    let want: BTreeSet<String> = [
        "root", "v", "v.s", "v.s.a", "v.s.b", "v.s.b[]", "v.t", "v.t[]", "v.t[].u",
    ]
    .map(String::from)
    .into();
    assert_eq!(paths["x.html"], want);
}

// ---------------------------------------------------------------------------------------------
// A portal that exercises every field

fn write_rich_portal(dir: &Path) {
    let files: &[(&str, &str)] = &[
        (
            "portal.yaml",
            r#"title: Contract portal
base_url: https://developer.example.com/dev/
description: Everything a template can be given.
registration:
  url: https://konnect.example.com/apps/new?product={package}
auth_strategies:
  - name: key-auth
    display_name: API key
    type: key_auth
    key_names: [x-api-key, apikey]
  - name: partner-oidc
    type: openid_connect
    issuer: https://idp.example.com/realms/partners/
    scopes: [openid, reports]
    credential_claim: [client_id]
    auth_methods: [client_credentials]
apis:
  shop:
    rate_limit: {limit: 10, duration: seconds}
    gateway:
      host: gw.example.com
"#,
        ),
        (
            "apis/shop.yaml",
            r#"openapi: 3.0.3
info:
  title: Shop
  version: "1"
  description: The shop.
  termsOfService: https://example.com/terms
  contact: {name: Shop team, url: https://example.com/help, email: shop@example.com}
  license: {name: Apache 2.0, url: https://www.apache.org/licenses/LICENSE-2.0}
externalDocs: {url: https://example.com/docs, description: The shop handbook}
x-tagGroups:
  - name: Catalog
    tags: [items]
servers:
  - url: https://api.example.com
    description: Production
tags:
  - name: items
    description: Things for sale.
    externalDocs: {url: https://example.com/items}
components:
  securitySchemes:
    key:
      type: apiKey
      in: header
      name: X-Key
    bearer:
      type: http
      scheme: bearer
      bearerFormat: JWT
    oidc:
      type: openIdConnect
      openIdConnectUrl: https://idp.example.com/.well-known/openid-configuration
    oauth:
      type: oauth2
      flows:
        clientCredentials:
          tokenUrl: https://idp.example.com/token
          scopes: {read: Read items}
  schemas:
    Item:
      type: object
      description: An item.
      required: [id]
      properties:
        id: {type: integer, description: The id.}
        status: {$ref: '#/components/schemas/Status'}
        parts:
          type: array
          items: {$ref: '#/components/schemas/Item'}
    Status:
      type: string
      enum: [new, sold]
paths:
  /items:
    get:
      operationId: listItems
      summary: List items
      description: All the items.
      tags: [items]
      security:
        - oauth: [read]
      parameters:
        - name: limit
          in: query
          required: true
          description: How many.
          schema: {type: integer}
          example: 10
        - name: X-Trace
          in: header
          required: true
          deprecated: true
          schema: {type: string}
      responses:
        "200":
          description: The items.
          headers:
            RateLimit-Remaining:
              description: Requests left.
              schema: {type: integer}
          content:
            application/json:
              schema:
                type: array
                items: {$ref: '#/components/schemas/Item'}
              example: [{id: 1, status: new}]
    post:
      operationId: createItem
      deprecated: true
      tags: [items]
      requestBody:
        required: true
        description: The new item.
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Item'}
            example: {id: 2}
      responses:
        "201": {description: Created}
  /reports:
    get:
      operationId: listReports
      servers:
        - url: https://reports.example.com
      responses:
        "200": {description: ok}
"#,
        ),
        (
            "packages/basic.yaml",
            "name: Basic\nversion: '2'\ndescription: The basics.\nvisibility: public\nauth_strategy: key-auth\nrate_limit: {limit: 10, duration: minutes}\noperations:\n  - api: shop\n    operation_id: listItems\n    rate_limit: {limit: 2, duration: seconds}\n  - api: shop\n    operation_id: createItem\n",
        ),
        (
            "packages/reports.yaml",
            "name: Reports\nvisibility: private\nteams: [partners]\nauth_strategy: partner-oidc\noperations:\n  - api: shop\n    operation_id: listReports\n",
        ),
        (
            "gateway/kong.yaml",
            "_format_version: \"3.0\"\nservices:\n  - name: shop\n    url: http://shop.internal\n    routes:\n      - name: items\n        paths: [/items]\n        strip_path: false\n      - name: reports\n        paths: [/reports]\n        strip_path: false\n",
        ),
        (
            "pages/start.md",
            "---\ntitle: Start\ndescription: Where to begin.\n---\n# Start\n\n## First\n\n## Second\n",
        ),
    ];
    for (rel, text) in files {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}
