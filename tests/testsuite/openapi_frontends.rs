//! The three front ends on fixture documents: Swagger 2.0 converted to the 3.x model,
//! OpenAPI 3.0 and OpenAPI 3.1 (JSON), plus content detection, lenient warnings and slugs.

use std::path::{Path, PathBuf};

use portalgen::diagnostics::{Diagnostic, Severity};
use portalgen::load::openapi::load_api;
use portalgen::model::Api;
use portalgen::model::api::{
    Method, ParamLocation, Schema, SchemaRef, SecuritySchemeKind, SpecVersion, type_label,
};
use portalgen::source::SourceMap;
use serde_json::json;

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/openapi")
}

fn load_file(root: &Path, file: &Path) -> (Api, Vec<Diagnostic>) {
    let sources = SourceMap::default();
    let (api, diags) = load_api(root, "api", file, &sources);
    let diags = diags.into_vec();
    (api.unwrap_or_else(|| panic!("no model: {diags:#?}")), diags)
}

fn load_fixture(name: &str) -> Api {
    let root = fixture_dir();
    let (api, diags) = load_file(&root, &root.join("frontends").join(name));
    assert!(diags.is_empty(), "{diags:#?}");
    api
}

fn load_text(name: &str, text: &str) -> (Api, Vec<Diagnostic>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(name), text).unwrap();
    let (api, diags) = load_file(dir.path(), &dir.path().join(name));
    (api, diags, dir)
}

fn inline(r: &SchemaRef) -> &Schema {
    match r {
        SchemaRef::Inline(s) => s,
        SchemaRef::Ref { name, .. } => panic!("expected inline, found ref to {name}"),
    }
}

fn ref_name(r: &SchemaRef) -> &str {
    match r {
        SchemaRef::Ref { name, .. } => name,
        SchemaRef::Inline(s) => panic!("expected a ref, found {s:?}"),
    }
}

fn prop<'a>(s: &'a Schema, name: &str) -> &'a SchemaRef {
    &s.properties.iter().find(|p| p.name == name).unwrap().schema
}

#[test]
fn swagger2_is_converted_to_the_3x_model() {
    let api = load_fixture("swagger2.yaml");
    assert_eq!(api.spec_version, SpecVersion::Swagger2);
    assert_eq!(
        (api.title.as_str(), api.version.as_str()),
        ("Swagger Petstore", "1.0.0")
    );
    assert_eq!(api.source.file.as_ref(), "frontends/swagger2.yaml");
    assert_eq!(api.source.line, 1);
    let urls: Vec<_> = api.servers.iter().map(|s| s.url.as_str()).collect();
    assert_eq!(
        urls,
        vec![
            "https://petstore.test:8080/v2",
            "http://petstore.test:8080/v2"
        ]
    );
    assert_eq!(api.extensions["x-audience"], json!("external"));

    // definitions → named schemas, in order, first in the arena.
    assert_eq!(
        api.schema_names.keys().collect::<Vec<_>>(),
        vec!["Pet", "NewPet", "Error"]
    );
    let new_pet = api.schema(api.schema_names["NewPet"]);
    let nickname = inline(prop(new_pet, "nickname"));
    assert_eq!(
        nickname.types,
        vec!["string", "null"],
        "x-nullable adds null"
    );
    let pet = api.schema(api.schema_names["Pet"]);
    assert_eq!(ref_name(&pet.all_of[0]), "NewPet");

    // securityDefinitions.
    let kinds: Vec<_> = api
        .security_schemes
        .iter()
        .map(|s| (s.name.as_str(), &s.kind))
        .collect();
    assert!(
        matches!(kinds[0], ("basicAuth", SecuritySchemeKind::Http { scheme, .. }) if scheme == "basic")
    );
    assert!(
        matches!(kinds[1], ("apiKey", SecuritySchemeKind::ApiKey { location, param_name }) if location == "header" && param_name == "X-API-Key")
    );
    assert!(
        matches!(kinds[2], ("oauth", SecuritySchemeKind::OAuth2 { flows }) if flows.iter().map(|f| f.kind.as_str()).collect::<Vec<_>>() == ["authorizationCode"])
    );
    assert_eq!(
        api.security[0].schemes,
        vec![("apiKey".to_string(), vec![])]
    );

    let ops: Vec<_> = api
        .operations
        .iter()
        .map(|o| (o.method, o.path.as_str(), o.slug.as_str()))
        .collect();
    assert_eq!(
        ops,
        vec![
            (Method::Get, "/pets", "list-pets"),
            (Method::Post, "/pets", "add-pet"),
            (Method::Post, "/pets/{petId}/photo", "upload-photo"),
        ]
    );

    // Non-body parameters: schema keywords inline; the path-level `$ref` parameter merged first.
    let list = &api.operations[0];
    let names: Vec<_> = list
        .parameters
        .iter()
        .map(|p| (p.name.as_str(), p.location))
        .collect();
    assert_eq!(
        names,
        vec![
            ("X-Trace", ParamLocation::Header),
            ("tags", ParamLocation::Query),
            ("limit", ParamLocation::Query)
        ]
    );
    assert_eq!(
        list.parameters[0].example.as_deref(),
        Some(&json!("abc123"))
    );
    assert_eq!(
        type_label(&api, list.parameters[1].schema.as_ref().unwrap()),
        "array of string"
    );
    let limit = inline(list.parameters[2].schema.as_ref().unwrap());
    assert_eq!(
        (
            limit.minimum,
            limit.maximum,
            limit.details().exclusive_maximum
        ),
        (Some(1.0), None, Some(100.0))
    );
    assert_eq!(limit.default, Some(json!(20)));
    assert_eq!(limit.format.as_deref(), Some("int32"));

    // produces → response media types; headers; examples; `$ref` response.
    let ok = &list.responses[0];
    assert_eq!(ok.content.len(), 1);
    assert_eq!(ok.content[0].media_type, "application/json");
    assert_eq!(
        type_label(&api, ok.content[0].schema.as_ref().unwrap()),
        "array of Pet"
    );
    assert_eq!(
        ok.content[0].example.as_deref(),
        Some(&json!([{"id": 1, "name": "Rex"}]))
    );
    assert_eq!(ok.headers[0].name, "X-Rate-Limit");
    assert_eq!(
        type_label(&api, ok.headers[0].schema.as_ref().unwrap()),
        "integer"
    );
    let default = &list.responses[1];
    assert_eq!(
        (default.status.as_str(), default.description.as_deref()),
        ("default", Some("unexpected error"))
    );
    assert_eq!(
        ref_name(default.content[0].schema.as_ref().unwrap()),
        "Error"
    );

    // body parameter → request body with the operation's `consumes`.
    let add = &api.operations[1];
    let body = add.request_body.as_ref().unwrap();
    assert!(body.required);
    assert_eq!(body.description.as_deref(), Some("The pet to add"));
    assert_eq!(
        body.content
            .iter()
            .map(|c| c.media_type.as_str())
            .collect::<Vec<_>>(),
        vec!["application/json"]
    );
    assert_eq!(ref_name(body.content[0].schema.as_ref().unwrap()), "NewPet");
    assert_eq!(
        add.security.as_ref().unwrap()[0].schemes,
        vec![("oauth".to_string(), vec!["read".to_string()])]
    );
    // Without `produces` on the op, the document's applies; no schema → no content.
    assert!(add.responses[0].content.is_empty());

    // formData with a file → one multipart form body (consumes has no form type).
    let upload = &api.operations[2];
    assert_eq!(upload.parameters.len(), 1);
    let form = upload.request_body.as_ref().unwrap();
    assert_eq!(form.content[0].media_type, "multipart/form-data");
    let schema = inline(form.content[0].schema.as_ref().unwrap());
    assert_eq!(schema.required, vec!["caption"]);
    let file = inline(prop(schema, "file"));
    assert_eq!(
        (file.types.clone(), file.format.as_deref()),
        (vec!["string".to_string()], Some("binary"))
    );
    assert_eq!(
        inline(prop(schema, "caption")).description.as_deref(),
        Some("What the photo shows")
    );
}

#[test]
fn openapi30_document() {
    let api = load_fixture("oas30.yaml");
    assert_eq!(api.spec_version, SpecVersion::OpenApi30);
    assert_eq!(api.version, "2024-01");
    assert_eq!(api.servers[0].url, "https://api.orders.test/v1");
    assert_eq!(api.servers[0].description.as_deref(), Some("Production"));
    // Declared tags, then used-but-undeclared ones.
    assert_eq!(
        api.tags.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
        vec!["orders", "audit"]
    );

    let get = &api.operations[0];
    assert_eq!((get.method, get.slug.as_str()), (Method::Get, "get-order"));
    assert_eq!(
        get.summary.as_deref(),
        Some("One order"),
        "path-level summary inherited"
    );
    assert_eq!(get.extensions["x-internal"], json!(true));
    assert_eq!(
        get.servers[0].url, "https://eu.orders.test/v1",
        "path-level servers"
    );
    // Path-level parameters merged: orderId replaced in place by the operation's, then the
    // path-level `$ref` one, then the operation's own.
    let params: Vec<_> = get
        .parameters
        .iter()
        .map(|p| (p.name.as_str(), p.description.as_deref()))
        .collect();
    assert_eq!(
        params,
        vec![
            ("orderId", Some("operation-level wins")),
            ("verbose", Some("Written next to the $ref, so it wins")),
            ("filter", None)
        ]
    );
    assert_eq!(
        inline(get.parameters[0].schema.as_ref().unwrap())
            .format
            .as_deref(),
        Some("uuid")
    );
    assert_eq!(
        inline(get.parameters[1].schema.as_ref().unwrap()).default,
        Some(json!(false))
    );
    // `content` parameters take the media type's schema.
    assert_eq!(
        ref_name(get.parameters[2].schema.as_ref().unwrap()),
        "Filter"
    );
    assert_eq!(
        get.parameters[2].example.as_deref(),
        Some(&json!({"status": "open"}))
    );

    // Response `$ref`, header `$ref`, Content-Type header ignored.
    let ok = &get.responses[0];
    assert_eq!(
        (ok.status.as_str(), ok.description.as_deref()),
        ("200", Some("an order"))
    );
    assert_eq!(
        ok.headers
            .iter()
            .map(|h| h.name.as_str())
            .collect::<Vec<_>>(),
        vec!["X-Rate-Limit"]
    );
    assert_eq!(
        ok.headers[0].description.as_deref(),
        Some("remaining calls")
    );
    assert_eq!(get.responses[1].status, "4XX");

    // Request body `$ref` with named examples (one itself a `$ref`).
    let put = &api.operations[1];
    assert!(put.deprecated);
    assert_eq!(
        put.security.as_deref().map(<[_]>::len),
        Some(0),
        "security: [] = explicitly open"
    );
    assert!(api.effective_security(put).is_empty());
    assert_eq!(api.effective_security(get).len(), 2);
    let body = put.request_body.as_ref().unwrap();
    assert!(body.required);
    let examples = &body.content[0].examples;
    assert_eq!(*examples["small"], json!({"id": "x1", "total": 5}));
    assert_eq!(*examples["inline"], json!({"id": "x2"}));

    // Schemas: nullable, boolean exclusiveMinimum, `$ref` with a sibling, discriminator.
    let order = api.schema(api.schema_names["Order"]);
    assert_eq!(inline(prop(order, "note")).types, vec!["string", "null"]);
    assert_eq!(inline(prop(order, "note")).max_length, Some(140));
    let total = inline(prop(order, "total"));
    assert_eq!(
        (total.minimum, total.details().exclusive_minimum),
        (None, Some(0.0))
    );
    let customer = inline(prop(order, "customer"));
    assert_eq!(ref_name(&customer.all_of[0]), "Customer");
    assert_eq!(
        customer.description.as_deref(),
        Some("Who ordered (a sibling of $ref, kept)")
    );
    assert_eq!(type_label(&api, prop(order, "customer")), "Customer");
    // `nullable` on a reference: the reference or null.
    assert_eq!(type_label(&api, prop(order, "referrer")), "Customer | null");
    let lines = inline(prop(order, "lines"));
    assert_eq!(lines.details().min_items, Some(1));
    let line = inline(lines.items.as_deref().unwrap());
    assert_eq!(
        type_label(&api, line.additional_properties.as_deref().unwrap()),
        "integer"
    );
    assert_eq!(order.discriminator.as_deref(), Some("kind"));
    assert_eq!(
        order.details().discriminator_mapping["big"],
        "#/components/schemas/BigOrder"
    );

    let kinds: Vec<_> = api.security_schemes.iter().map(|s| &s.kind).collect();
    assert!(
        matches!(kinds[0], SecuritySchemeKind::Http { scheme, bearer_format: Some(f) } if scheme == "bearer" && f == "JWT")
    );
    assert!(
        matches!(kinds[1], SecuritySchemeKind::ApiKey { location, .. } if location == "cookie")
    );
    assert!(
        matches!(kinds[2], SecuritySchemeKind::OpenIdConnect { url } if url.ends_with("openid-configuration"))
    );
    assert!(
        matches!(kinds[3], SecuritySchemeKind::OAuth2 { flows } if flows.iter().map(|f| f.kind.as_str()).collect::<Vec<_>>() == ["clientCredentials", "authorizationCode"])
    );
}

#[test]
fn openapi31_document_in_json() {
    let api = load_fixture("oas31.json");
    assert_eq!(api.spec_version, SpecVersion::OpenApi31);
    // Path item from `components/pathItems`; an empty operation is fine in 3.1 (no responses).
    let ops: Vec<_> = api
        .operations
        .iter()
        .map(|o| (o.method, o.slug.as_str()))
        .collect();
    assert_eq!(
        ops,
        vec![
            (Method::Get, "list-events"),
            (Method::Delete, "delete-events")
        ]
    );
    assert_eq!(api.operations[0].span.line, 22);
    // Webhooks.
    assert_eq!(api.webhooks.len(), 1);
    let hook = &api.webhooks[0];
    assert_eq!(
        (hook.method, hook.path.as_str(), hook.slug.as_str()),
        (Method::Post, "newEvent", "webhook-post-new-event")
    );
    assert_eq!(
        ref_name(
            hook.request_body.as_ref().unwrap().content[0]
                .schema
                .as_ref()
                .unwrap()
        ),
        "Event"
    );

    let event = api.schema(api.schema_names["Event"]);
    let id = inline(prop(event, "id"));
    assert_eq!(
        (id.const_value.clone(), id.examples.clone()),
        (Some(json!("evt")), vec![json!("evt")])
    );
    let at = prop(event, "at");
    assert_eq!(inline(at).types, vec!["string", "null"]);
    assert_eq!(type_label(&api, at), "string (date-time) | null");
    // `$defs` target through a pointer into the component.
    let kind = prop(event, "kind");
    assert_eq!(ref_name(kind), "Kind");
    let SchemaRef::Ref { target, .. } = kind else {
        unreachable!()
    };
    assert_eq!(
        api.schema(*target).enum_values,
        vec![json!("a"), json!("b")]
    );
    // Reference targets that are not components are named too (after the last segment).
    assert_eq!(api.schema_names["Kind"], *target);
    assert_eq!(
        api.schema_names.keys().collect::<Vec<_>>(),
        vec!["Event", "Null", "Kind"]
    );
    let point = inline(prop(event, "point"));
    assert_eq!(point.prefix_items.len(), 2);
    assert!(
        point
            .items
            .as_deref()
            .is_some_and(|i| inline(i).not.is_some()),
        "items: false"
    );
    assert_eq!(type_label(&api, prop(event, "anything")), "any");
    assert!(inline(prop(event, "nothing")).not.is_some());
    let score = inline(prop(event, "score"));
    assert_eq!(
        (
            score.details().exclusive_minimum,
            score.details().exclusive_maximum
        ),
        (Some(0.0), Some(10.0))
    );
    assert_eq!(api.schema(api.schema_names["Null"]).types, vec!["null"]);
}

#[test]
fn content_is_detected_not_the_extension() {
    // YAML in a `.json` file, JSON in a `.yaml` file.
    let (api, diags, _d) = load_text(
        "api.json",
        "openapi: 3.0.0\ninfo: {title: Y, version: '1'}\npaths: {}\n",
    );
    assert!(diags.is_empty(), "{diags:#?}");
    assert_eq!(api.title, "Y");
    let (api, diags, _d) = load_text(
        "api.yaml",
        "\u{feff}  {\"swagger\": \"2.0\", \"info\": {\"title\": \"J\", \"version\": \"1\"}, \"paths\": {}}",
    );
    assert!(diags.is_empty(), "{diags:#?}");
    assert_eq!(
        (api.title.as_str(), api.spec_version),
        ("J", SpecVersion::Swagger2)
    );
}

fn codes(diags: &[Diagnostic]) -> Vec<(&str, u32)> {
    diags
        .iter()
        .map(|d| (d.code.as_str(), d.line.unwrap_or(0)))
        .collect()
}

#[test]
fn structural_problems_are_warnings_with_spans() {
    let text = r#"openapi: 3.0.3
info: {title: Sloppy, version: "1"}
paths:
  /items/{id}:
    get:
      operationId: getItem
      responses: {"200": {description: ok}}
  /items/{id}/:
    get:
      operationId: getItemAgain
      responses: {"200": {description: ok}}
  /items/{itemId}:
    get:
      responses: {"200": {description: ok}}
  /things/{thingId}:
    post:
      operationId: getItem
      parameters:
        - name: q
          in: query
        - name: other
          in: path
          required: true
          schema: {type: string}
    x-note: path items may carry extensions
  /things:
    get:
      security: [{nope: []}]
      responses: {"200": {description: ok}}
"#;
    let (api, diags, _d) = load_text("api.yaml", text);
    // All warnings but the shared operationId: OpenAPI requires them unique, and a portal
    // whose URLs and generated clients depend on them must not build with two.
    assert!(
        diags
            .iter()
            .all(|d| (d.severity == Severity::Error) == (d.code == "duplicate-operation-id")),
        "{diags:#?}"
    );
    assert!(diags.iter().all(|d| d.file.as_deref() == Some("api.yaml")));
    assert_eq!(
        codes(&diags),
        vec![
            ("undeclared-path-parameter", 5),
            ("trailing-slash-duplicate", 9),
            ("duplicate-operation", 13),
            ("missing-responses", 16),
            ("undeclared-path-parameter", 16),
            ("duplicate-operation-id", 17),
            ("parameter-without-schema", 19),
            ("unused-path-parameter", 21),
            ("unknown-security-scheme", 27),
        ]
    );
    let trailing = diags
        .iter()
        .find(|d| d.code == "trailing-slash-duplicate")
        .unwrap();
    assert!(trailing.message.contains("api.yaml:5:5"), "{trailing:?}");
    // One operation per method + normalised path; the duplicate operationId gets a suffix.
    let ops: Vec<_> = api
        .operations
        .iter()
        .map(|o| (o.method, o.path.as_str(), o.slug.as_str()))
        .collect();
    assert_eq!(
        ops,
        vec![
            (Method::Get, "/items/{id}", "get-item"),
            (Method::Post, "/things/{thingId}", "get-item-2"),
            (Method::Get, "/things", "get-things"),
        ]
    );
    // The parameter without a schema is still there (lenient), just without a type.
    assert!(api.operations[1].parameters[0].schema.is_none());
}

#[test]
fn slugs_are_unique_and_stable() {
    let text = r#"openapi: 3.1.0
info: {title: Slugs, version: "1"}
paths:
  /a:
    get: {operationId: "Fetch A!"}
    put: {operationId: "get-b"}
  /b:
    get: {}
    post: {operationId: "???"}
  /:
    get: {}
"#;
    let (api, _diags, _d) = load_text("api.yaml", text);
    let slugs: Vec<_> = api.operations.iter().map(|o| o.slug.as_str()).collect();
    assert_eq!(slugs, vec!["fetch-a", "get-b", "get-b-2", "post-b", "get"]);
    assert_eq!(
        (
            api.operations[2].method.as_str(),
            api.operations[2].path.as_str()
        ),
        ("GET", "/b")
    );
}
