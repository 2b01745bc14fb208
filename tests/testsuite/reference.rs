//! The API reference, built by the real binary from a fixture API that uses every JSON Schema
//! keyword and composition portalgen explains (`kitchen`, OpenAPI 3.1) plus a 3.0 document
//! (`legacy`, `nullable` on `oneOf`): golden HTML fragments of the schema trees (insta) and
//! DOM assertions on them, the examples and code samples, the API page (security schemes,
//! tag groups, contact, license, the original document), titles and meta tags, wording, and
//! a project without a gateway. The budgets on GitHub's description are at the end.

use std::path::{Path, PathBuf};

use scraper::{Html, Selector};

use crate::common::*;

const PORTAL: &str = "title: Reference portal\nbase_url: https://dev.example.com/\ndescription: The portal's own description.\n";

const KITCHEN: &str = r##"openapi: 3.1.0
info:
  title: Kitchen
  version: "2.1"
  description: Every keyword.
  termsOfService: https://example.com/terms
  contact: {name: Kitchen team, url: https://example.com/help, email: team@example.com}
  license: {name: MIT, identifier: MIT}
externalDocs: {url: https://example.com/handbook, description: The kitchen handbook}
x-tagGroups:
  - name: Cooking
    tags: [pots, pans]
  - name: Admin
    tags: [staff]
tags:
  - name: staff
  - name: pans
    externalDocs: {url: https://example.com/pans}
  - name: pots
servers:
  - url: https://api.kitchen.example.com/v2
components:
  securitySchemes:
    oauth:
      type: oauth2
      description: Tokens from the kitchen's identity provider.
      flows:
        clientCredentials:
          tokenUrl: https://auth.kitchen.example.com/token
          scopes: {pots:read: Read pots, pots:write: Change pots}
        authorizationCode:
          authorizationUrl: https://auth.kitchen.example.com/authorize
          tokenUrl: https://auth.kitchen.example.com/token
          scopes: {pots:read: Read pots}
    key:
      type: apiKey
      in: header
      name: X-Kitchen-Key
  schemas:
    Pot:
      type: object
      description: A pot on the stove.
      required: [id, size]
      properties:
        id: {type: string, format: uuid, readOnly: true, description: Assigned by the kitchen.}
        secret: {type: string, writeOnly: true, description: "Only sent, never returned."}
        size: {type: integer, minimum: 1, maximum: 100, default: 20, description: Litres.}
        state: {type: string, enum: [open, closed], description: Lid state.}
        label: {type: string, minLength: 1, maxLength: 40, pattern: "^[a-z]+$", example: soup}
        step: {type: number, multipleOf: 0.5, exclusiveMinimum: 0}
        tags: {type: array, items: {type: string}, minItems: 1, maxItems: 5, uniqueItems: true}
        kind: {const: stock}
        note: {type: [string, "null"], description: Optional note.}
        old_name: {type: string, deprecated: true}
        lid: {$ref: '#/components/schemas/Lid'}
        inside: {$ref: '#/components/schemas/Pot'}
        extra_long_field_name_for_phones_that_would_overflow: {type: string}
    Lid:
      type: object
      properties:
        glass: {type: boolean}
    Pan:
      allOf:
        - $ref: '#/components/schemas/Cookware'
        - type: object
          required: [diameter]
          properties:
            diameter: {type: integer, enum: [20, 24, 28]}
    Cookware:
      type: object
      required: [material]
      properties:
        material: {type: string, enum: [steel, iron]}
    Dish:
      oneOf:
        - $ref: '#/components/schemas/Soup'
        - $ref: '#/components/schemas/Salad'
      discriminator:
        propertyName: dish_type
        mapping:
          soup: '#/components/schemas/Soup'
          salad: '#/components/schemas/Salad'
    Soup:
      type: object
      properties:
        dish_type: {type: string}
        hot: {type: boolean}
    Salad:
      type: object
      properties:
        dish_type: {type: string}
        leaves: {type: integer}
    Topping:
      anyOf:
        - {type: string, title: Name}
        - {type: integer, title: Code}
    A: {type: object, properties: {b: {$ref: '#/components/schemas/B'}}}
    B: {type: object, properties: {c: {$ref: '#/components/schemas/C'}}}
    C: {type: object, properties: {d: {$ref: '#/components/schemas/D'}}}
    D: {type: object, properties: {e: {$ref: '#/components/schemas/E'}}}
    E: {type: object, properties: {leaf: {type: string}}}
paths:
  /pots/{potId}:
    parameters:
      - name: potId
        in: path
        required: true
        schema: {type: string}
        example: pot-7
    put:
      operationId: putPot
      summary: Replace a pot
      tags: [pots]
      security:
        - oauth: [pots:write]
      parameters:
        - name: dry_run
          in: query
          required: true
          schema: {type: boolean, default: false}
        - name: per_page
          in: query
          schema: {type: integer, minimum: 1, maximum: 100, default: 30}
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Pot'}
      responses:
        "200":
          description: The pot.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Pot'}
        "201":
          description: Created.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Pot'}
  /pans:
    get:
      operationId: listPans
      summary: List things
      tags: [pans]
      security:
        - key: []
      responses:
        "200":
          description: Pans.
          content:
            application/json:
              schema: {type: array, items: {$ref: '#/components/schemas/Pan'}}
  /dishes:
    post:
      operationId: serveDish
      summary: List things
      tags: [pots]
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Dish'}
      responses:
        "200":
          description: Served.
          content:
            application/json:
              schema:
                type: object
                properties:
                  topping: {$ref: '#/components/schemas/Topping'}
                  chain: {$ref: '#/components/schemas/A'}
  /staff:
    get:
      operationId: listStaff
      tags: [staff]
      responses:
        "204": {description: Nobody.}
"##;

const LEGACY: &str = r##"openapi: 3.0.3
info: {title: Legacy, version: "1"}
paths:
  /things:
    get:
      operationId: getThing
      summary: Get a thing
      responses:
        "200":
          description: A thing.
          content:
            application/json:
              schema:
                type: object
                properties:
                  owner:
                    nullable: true
                    oneOf:
                      - $ref: '#/components/schemas/Person'
                      - $ref: '#/components/schemas/Team'
                  count: {type: integer, nullable: true}
components:
  schemas:
    Person: {type: object, properties: {name: {type: string}}}
    Team: {type: object, properties: {members: {type: integer}}}
"##;

/// The fixture project (no gateway: its one diagnostic is part of what is tested).
fn project(dir: &Path) {
    write_files(
        dir,
        &[
            ("portal.yaml", PORTAL),
            ("apis/kitchen.yaml", KITCHEN),
            ("apis/legacy.yaml", LEGACY),
        ],
    );
}

struct Built {
    _tmp: tempfile::TempDir,
    out: PathBuf,
    stderr: String,
}

fn build() -> Built {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("p");
    project(&root);
    let out = tmp.path().join("site");
    let r = run(&["build", root.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    Built {
        _tmp: tmp,
        out,
        stderr: r.stderr,
    }
}

fn page(b: &Built, rel: &str) -> String {
    std::fs::read_to_string(b.out.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn select<'a>(doc: &'a Html, css: &str) -> Vec<scraper::ElementRef<'a>> {
    doc.select(&Selector::parse(css).unwrap()).collect()
}

fn text(el: &scraper::ElementRef<'_>) -> String {
    el.text()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The field named `name` directly in `tree` (an element holding a `ul.schema`).
fn field_names(doc: &Html, css: &str) -> Vec<String> {
    select(doc, css).iter().map(text).collect()
}

// ---------------------------------------------------------------------------------------------
// Golden fragments

#[test]
fn golden_schema_trees() {
    let b = build();
    let put = page(&b, "apis/kitchen/put-pot/index.html");
    let dish = page(&b, "apis/kitchen/serve-dish/index.html");
    let legacy = page(&b, "apis/legacy/get-thing/index.html");
    let pan = page(&b, "apis/kitchen/schemas/pan/index.html");
    let golden = [
        (
            "request_body",
            pretty_element(&put, "section[aria-labelledby=op-body] .media"),
        ),
        ("response_200", pretty_element(&put, "#response-200 .media")),
        (
            "parameters",
            pretty_element(&put, "section[aria-labelledby=op-params]"),
        ),
        (
            "one_of_discriminator",
            pretty_element(&dish, "section[aria-labelledby=op-body] .media"),
        ),
        (
            "any_of_and_depth",
            pretty_element(&dish, "#response-200 .media"),
        ),
        (
            "nullable_one_of_3_0",
            pretty_element(&legacy, "#response-200 .media"),
        ),
        ("all_of_page", pretty_element(&pan, "main")),
    ];
    golden_settings().bind(|| {
        for (name, html) in golden {
            insta::assert_snapshot!(format!("reference_{name}"), html);
        }
    });
}

// ---------------------------------------------------------------------------------------------
// DOM assertions

#[test]
fn keywords_are_in_words_and_views_respect_read_and_write_only() {
    let b = build();
    let doc = Html::parse_document(&page(&b, "apis/kitchen/put-pot/index.html"));
    let body = "section[aria-labelledby=op-body] .schema-root > ul.schema > li.sf";
    let request = field_names(
        &doc,
        &format!("{body} > .sf-h > .sf-n, {body} > details > .sf-h > .sf-n"),
    );
    assert!(
        request.contains(&"secret".to_string()),
        "writeOnly in requests: {request:?}"
    );
    assert!(
        !request.contains(&"id".to_string()),
        "readOnly not in requests: {request:?}"
    );
    let resp = "#response-200 .schema-root > ul.schema > li.sf";
    let response = field_names(
        &doc,
        &format!("{resp} > .sf-h > .sf-n, {resp} > details > .sf-h > .sf-n"),
    );
    assert!(response.contains(&"id".to_string()), "{response:?}");
    assert!(!response.contains(&"secret".to_string()), "{response:?}");

    let words = select(&doc, "section[aria-labelledby=op-body] .sf-c")
        .iter()
        .map(text)
        .collect::<Vec<_>>()
        .join(" | ");
    for w in [
        "1 to 100",
        "default: 20",
        "one of: open, closed",
        "1 to 40 characters",
        "pattern: ^[a-z]+$",
        "multiple of 0.5",
        "greater than 0",
        "1 to 5 items",
        "unique items",
        "always stock",
    ] {
        assert!(words.contains(w), "`{w}` missing from: {words}");
    }
    let all = text(&select(&doc, "section[aria-labelledby=op-body]")[0]);
    assert!(all.contains("Example: soup"), "per-property example: {all}");
    assert!(
        all.contains("string or null"),
        "type arrays with null: {all}"
    );
    assert!(
        !select(&doc, "section[aria-labelledby=op-body] li.sf-dep").is_empty(),
        "deprecated property marked"
    );
    // Recursion: the pot inside a pot links to the schema's page instead of expanding.
    let more = select(&doc, "section[aria-labelledby=op-body] .sf-more")
        .into_iter()
        .find(|p| text(p).starts_with("Recursive"))
        .expect("a recursion note");
    assert!(text(&more).contains("Pot"), "{}", text(&more));
    let link = more.select(&Selector::parse("a").unwrap()).next().unwrap();
    assert_eq!(link.value().attr("href"), Some("../schemas/pot/"));
    // A nested named schema is a collapsed <details> (opens without JavaScript).
    assert!(
        !select(
            &doc,
            "section[aria-labelledby=op-body] details.sf-x:not([open])"
        )
        .is_empty()
    );
    // Parameters: constraints in words.
    let params = text(&select(&doc, "section[aria-labelledby=op-params]")[0]);
    assert!(
        params.contains("1 to 100") && params.contains("default: 30"),
        "{params}"
    );
}

#[test]
fn compositions_are_merged_and_labelled() {
    let b = build();
    let pan = Html::parse_document(&page(&b, "apis/kitchen/schemas/pan/index.html"));
    let t = text(&select(&pan, "main")[0]);
    assert!(!t.contains("object & object") && !t.contains(" & "), "{t}");
    assert!(
        t.contains("one of: steel, iron") && t.contains("one of: 20, 24, 28"),
        "both members' enums: {t}"
    );
    assert!(t.contains("Includes every field of Cookware"), "{t}");
    let dish = Html::parse_document(&page(&b, "apis/kitchen/serve-dish/index.html"));
    let body = text(&select(&dish, "section[aria-labelledby=op-body]")[0]);
    assert!(body.contains("One of:"), "{body}");
    assert!(body.contains("Discriminator: dish_type"), "{body}");
    assert!(
        body.contains("dish_type: soup") && body.contains("dish_type: salad"),
        "{body}"
    );
    let alts = select(
        &dish,
        "section[aria-labelledby=op-body] .schema-alts > li.sf",
    );
    assert_eq!(alts.len(), 2, "two labelled alternatives");
    assert!(
        select(
            &dish,
            "section[aria-labelledby=op-body] .schema-alts details.sf-x"
        )
        .len()
            == 2
    );
    let resp = text(&select(&dish, "#response-200")[0]);
    assert!(
        resp.contains("Any of:") && resp.contains("Name") && resp.contains("Code"),
        "{resp}"
    );
    // A chain of named schemas stops expanding and links on.
    assert!(
        resp.contains("Fields: see"),
        "depth limit links to the schema page: {resp}"
    );
    let legacy = Html::parse_document(&page(&b, "apis/legacy/get-thing/index.html"));
    let l = text(&select(&legacy, "#response-200")[0]);
    assert!(
        l.contains("owner one of 2 types or null"),
        "nullable oneOf keeps null: {l}"
    );
    assert!(l.contains("integer or null"), "{l}");
}

#[test]
fn every_named_schema_has_a_page_linked_from_its_uses_and_an_index() {
    let b = build();
    let index = Html::parse_document(&page(&b, "apis/kitchen/schemas/index.html"));
    let names = field_names(&index, ".schema-index code");
    for n in [
        "Pot", "Lid", "Pan", "Cookware", "Dish", "Soup", "Salad", "Topping", "A", "E",
    ] {
        assert!(names.contains(&n.to_string()), "{n} in {names:?}");
        assert!(
            b.out
                .join(format!(
                    "apis/kitchen/schemas/{}/index.html",
                    n.to_lowercase()
                ))
                .is_file()
        );
    }
    let put = Html::parse_document(&page(&b, "apis/kitchen/put-pot/index.html"));
    // Linked from the type (a field without children) or just under a field's summary.
    let hrefs: Vec<&str> = select(&put, ".sf-t a, .sf-more a")
        .iter()
        .filter_map(|a| a.value().attr("href"))
        .collect();
    assert!(
        hrefs.contains(&"../schemas/pot/") && hrefs.contains(&"../schemas/lid/"),
        "{hrefs:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Examples and samples

#[test]
fn samples_in_four_languages_fill_path_parameters_and_bodies() {
    let b = build();
    let doc = Html::parse_document(&page(&b, "apis/kitchen/put-pot/index.html"));
    let labels = field_names(&doc, ".tabset .tab-label");
    assert_eq!(labels, ["curl", "JavaScript", "Python", "Go"]);
    assert!(
        !text(&select(&doc, ".sample-group")[0]).contains("Response"),
        "no response tab in the request group"
    );
    let first = select(&doc, ".tabset .tab-radio")[0];
    assert!(
        first.value().attr("checked").is_some(),
        "the first tab shows without JavaScript"
    );
    let codes: Vec<String> = select(&doc, ".tab-panel pre")
        .iter()
        .map(|p| p.text().collect())
        .collect();
    for code in &codes {
        assert!(
            code.contains("https://api.kitchen.example.com/v2/pots/pot-7?dry_run=false"),
            "{code}"
        );
        assert!(!code.contains("{potId}"), "{code}");
        assert!(
            code.contains("\"size\""),
            "body from the generated example: {code}"
        );
        assert!(
            code.contains("Bearer <access-token>"),
            "the document's OAuth2 as a placeholder: {code}"
        );
        assert!(!code.contains("\"id\""), "readOnly not sent: {code}");
    }
    assert!(codes[0].starts_with("curl -X PUT"));
    assert!(codes[1].contains("await fetch("));
    assert!(codes[2].contains("requests.put(") && codes[2].contains("\"secret\": \"string\""));
    assert!(codes[3].contains("http.NewRequest(\"PUT\""));
    // Highlighted with classes.
    assert!(!select(&doc, ".tab-panel pre .hl-string").is_empty());
    // The generated response example respects directions, formats, defaults and bounds.
    let examples: Vec<String> = select(&doc, ".samples .sample-group pre")
        .iter()
        .map(|p| p.text().collect())
        .collect();
    let response = examples
        .iter()
        .find(|e| e.contains("\"id\""))
        .expect("a response example");
    let v: serde_json::Value = serde_json::from_str(response).expect("valid JSON");
    assert_eq!(v["id"], "3fa85f64-5717-4562-b3fc-2c963f66afa6");
    assert_eq!(v["size"], 20);
    assert_eq!(v["state"], "open");
    assert_eq!(v["label"], "soup");
    assert_eq!(v["kind"], "stock");
    assert!(v.get("secret").is_none(), "writeOnly not in responses");
    assert!(v.get("inside").is_none(), "recursion cut");
}

#[test]
fn examples_and_samples_are_deterministic() {
    let a = build();
    let b = build();
    for rel in [
        "apis/kitchen/put-pot/index.html",
        "apis/kitchen/serve-dish/index.html",
        "apis/kitchen/schemas/pot/index.html",
    ] {
        assert_eq!(page(&a, rel), page(&b, rel), "{rel}");
    }
}

// ---------------------------------------------------------------------------------------------
// The API page

#[test]
fn the_api_page_explains_security_groups_tags_and_offers_the_original() {
    let b = build();
    let doc = Html::parse_document(&page(&b, "apis/kitchen/index.html"));
    let t = text(&select(&doc, "main")[0]);
    for w in [
        "https://auth.kitchen.example.com/token",
        "https://auth.kitchen.example.com/authorize",
        "Client credentials",
        "Authorization code",
        "pots:write: Change pots",
        "X-Kitchen-Key",
        "The kitchen handbook",
        "Kitchen team",
        "MIT",
        "Terms of service",
        "Described in OpenAPI 3.1.0",
    ] {
        assert!(t.contains(w), "`{w}` missing from the API page: {t}");
    }
    // x-tagGroups, in their order.
    let groups = field_names(&doc, "h3.tag-group");
    assert_eq!(groups, ["Cooking", "Admin"]);
    let tags: Vec<String> = select(&doc, ".tag-section > h3")
        .iter()
        .map(|h| h.text().next().unwrap_or("").trim().to_string())
        .collect();
    assert_eq!(tags, ["pots", "pans", "staff"]);
    // Downloads, labelled for what they are.
    let downloads = field_names(&doc, ".downloads a");
    assert_eq!(downloads[0], "Original OpenAPI 3.1.0 document (YAML)");
    assert!(
        downloads[1].contains("OpenAPI 3.1 of the operations shown here"),
        "{downloads:?}"
    );
    assert_eq!(
        std::fs::read_to_string(b.out.join("apis/kitchen/original.yaml")).unwrap(),
        KITCHEN,
        "the document as the project has it"
    );
    // With no portal strategy, the page does not claim that no credentials are needed.
    assert!(!t.contains("No credentials are needed"), "{t}");
    assert!(t.contains("OAuth 2.0 access token"), "{t}");
}

#[test]
fn a_split_document_is_offered_bundled_into_one_file() {
    let tmp = tempfile::tempdir().unwrap();
    write_files(
        tmp.path(),
        &[
            ("portal.yaml", PORTAL),
            (
                "apis/split/openapi.yaml",
                "openapi: 3.0.3\ninfo: {title: Split, version: '1'}\npaths:\n  /a:\n    get:\n      operationId: getA\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: 'schemas.yaml#/Node'}\n",
            ),
            (
                "apis/split/schemas.yaml",
                "Node:\n  type: object\n  properties:\n    name: {type: string}\n    children: {type: array, items: {$ref: '#/Node'}}\n",
            ),
        ],
    );
    let out = tmp.path().join("site");
    let r = run(&[
        "build",
        tmp.path().to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let text = std::fs::read_to_string(out.join("apis/split/original.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert!(
        !text.contains("schemas.yaml"),
        "no reference to another file is left: {text}"
    );
    let node =
        &v["paths"]["/a"]["get"]["responses"]["200"]["content"]["application/json"]["schema"];
    assert_eq!(node["$ref"], "#/components/schemas/Node", "{text}");
    assert_eq!(
        v["components"]["schemas"]["Node"]["properties"]["children"]["items"]["$ref"],
        "#/components/schemas/Node"
    );
    let api = std::fs::read_to_string(out.join("apis/split/index.html")).unwrap();
    assert!(
        api.contains("Original OpenAPI 3.0.3 document, bundled (JSON)"),
        "{api}"
    );
}

// ---------------------------------------------------------------------------------------------
// Titles, descriptions, meta tags

#[test]
fn titles_are_unique_and_every_page_has_its_own_description() {
    let b = build();
    let mut titles = std::collections::BTreeMap::new();
    for (rel, bytes) in read_tree(&b.out) {
        if !rel.ends_with(".html") || rel == "404.html" {
            continue;
        }
        let html = String::from_utf8(bytes).unwrap();
        let doc = Html::parse_document(&html);
        let title = text(&select(&doc, "title")[0]);
        if let Some(other) = titles.insert(title.clone(), rel.clone()) {
            panic!("`{title}` is the title of {other} and {rel}");
        }
        let desc = select(&doc, "meta[name=description]");
        assert_eq!(desc.len(), 1, "{rel} has a description");
        let d = desc[0].value().attr("content").unwrap();
        assert!(d.chars().count() <= 160, "{rel}: {d}");
        if rel != "index.html" {
            assert!(
                !d.contains("The portal's own description"),
                "{rel} repeats the portal's description"
            );
        }
        for (attr, name) in [
            ("property", "og:url"),
            ("property", "og:type"),
            ("name", "twitter:card"),
            ("name", "twitter:title"),
        ] {
            assert_eq!(
                select(&doc, &format!("meta[{attr}=\"{name}\"]")).len(),
                1,
                "{rel}: {name}"
            );
        }
    }
    // Two operations share the summary "List things": their titles name the endpoint.
    assert!(
        titles.contains_key("List things (GET /pans) · Kitchen · Reference portal"),
        "{titles:?}"
    );
    assert!(titles.contains_key("List things (POST /dishes) · Kitchen · Reference portal"));
    let staff = page(&b, "apis/kitchen/list-staff/index.html");
    assert!(
        staff.contains("GET /staff of the Kitchen API"),
        "a generated description"
    );
}

// ---------------------------------------------------------------------------------------------
// Without a gateway

#[test]
fn a_project_without_gateway_manifests_builds_with_one_diagnostic() {
    let b = build();
    assert_eq!(
        b.stderr.matches("no-gateway-manifest").count(),
        1,
        "{}",
        b.stderr
    );
    assert!(b.stderr.contains("gateway.manifests"), "{}", b.stderr);
    assert!(!b.stderr.contains("operation-unmatched"), "{}", b.stderr);
    // With a package too, the build goes on.
    let tmp = tempfile::tempdir().unwrap();
    project(tmp.path());
    write_files(
        tmp.path(),
        &[(
            "packages/all.yaml",
            "name: All\nvisibility: public\noperations:\n  - api: kitchen\n",
        )],
    );
    let out = tmp.path().join("site");
    let r = run(&[
        "build",
        tmp.path().to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stderr.matches("no-gateway-manifest").count(),
        1,
        "{}",
        r.stderr
    );
    // A project with a manifest keeps the strict rule: a package operation no route serves fails.
    write_files(
        tmp.path(),
        &[(
            "gateway/kong.yaml",
            "_format_version: \"3.0\"\nservices:\n  - name: k\n    url: http://k.internal\n    routes:\n      - name: pans\n        paths: [/v2/pans]\n",
        )],
    );
    let r = run(&[
        "build",
        tmp.path().to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_ne!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("operation-unmatched") && !r.stderr.contains("no-gateway-manifest"),
        "{}",
        r.stderr
    );
}

// ---------------------------------------------------------------------------------------------
// Wording

#[test]
fn the_package_page_words_limits_and_credentials_right() {
    let tmp = tempfile::tempdir().unwrap();
    project(tmp.path());
    write_files(
        tmp.path(),
        &[(
            "packages/all.yaml",
            "name: All\nvisibility: public\noperations:\n  - api: kitchen\n    operation_id: listPans\n    rate_limit: {limit: 5, duration: minutes}\n  - api: kitchen\n    operation_id: putPot\n",
        )],
    );
    let out = tmp.path().join("site");
    let r = run(&[
        "build",
        tmp.path().to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let html = std::fs::read_to_string(out.join("packages/all/index.html")).unwrap();
    let t = text_of(&html);
    assert!(
        !t.contains("Package limit"),
        "no package limit, none to count against: {t}"
    );
    assert!(
        t.contains("5 requests per minute for this operation"),
        "{t}"
    );
    assert!(!t.contains("instead of the package limit"), "{t}");
    assert!(
        !t.contains("No credentials are needed"),
        "the documents declare OAuth2 and an API key: {t}"
    );
    for (rel, bytes) in read_tree(&out) {
        if rel.ends_with(".html") {
            assert!(
                !String::from_utf8(bytes).unwrap().contains("product"),
                "{rel} says product"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Budgets on GitHub's description

fn github() -> Option<PathBuf> {
    let base = std::env::var_os("PORTALGEN_CORPORA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/tmp/portalgen-corpora/node_modules"));
    let f = base.join("@octokit/openapi/generated/api.github.com.json");
    if f.is_file() {
        Some(f)
    } else {
        skip(&format!(
            "GitHub's description is not installed at {}",
            f.display()
        ));
        None
    }
}

/// A portal of GitHub's description with a package holding every operation and no gateway.
pub fn github_portal(dir: &Path, spec: &Path) {
    std::fs::create_dir_all(dir.join("apis")).unwrap();
    std::fs::copy(spec, dir.join("apis/github.json")).unwrap();
    write_files(
        dir,
        &[
            (
                "portal.yaml",
                "title: GitHub portal\nbase_url: https://example.com/\n",
            ),
            (
                "packages/everything.yaml",
                "name: Everything\nvisibility: public\noperations:\n  - api: github\n",
            ),
            (
                "pages/start.md",
                "---\ntitle: Start\n---\n# Start\n\nHello.\n",
            ),
        ],
    );
}

#[test]
fn github_pages_stay_within_their_budgets() {
    let Some(spec) = github() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("p");
    github_portal(&root, &spec);
    let out = tmp.path().join("site");
    let r = run(&["build", root.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mut biggest = (0, String::new());
    let mut nav_biggest = (0, String::new());
    let mut titles = std::collections::HashSet::new();
    for e in walk(&out) {
        let rel = e.strip_prefix(&out).unwrap().to_string_lossy().to_string();
        if !rel.ends_with(".html") {
            continue;
        }
        let html = std::fs::read_to_string(&e).unwrap();
        if html.len() > biggest.0 {
            biggest = (html.len(), rel.clone());
        }
        if rel.starts_with("apis/github/")
            && !rel.contains("/schemas/")
            && rel != "apis/github/index.html"
        {
            let a = html.find("<div class=\"sidebar\"").unwrap();
            let b = html.find("<main").unwrap();
            if b - a > nav_biggest.0 {
                nav_biggest = (b - a, rel.clone());
            }
            let t = html
                .split("<title>")
                .nth(1)
                .unwrap()
                .split("</title>")
                .next()
                .unwrap()
                .to_string();
            assert!(titles.insert(t.clone()), "title `{t}` twice ({rel})");
            assert!(
                html.contains("<meta name=\"description\""),
                "{rel} has no description"
            );
        }
    }
    assert!(
        biggest.0 <= 300 * 1024,
        "{} is {} bytes",
        biggest.1,
        biggest.0
    );
    assert!(
        nav_biggest.0 < 10 * 1024,
        "the navigation of {} is {} bytes",
        nav_biggest.1,
        nav_biggest.0
    );
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// In a real browser (tests/js/reference.test.mjs)

/// Why the browser tests cannot run here, if they cannot.
fn browser_missing() -> Option<String> {
    let js = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/js");
    if !js.join("node_modules/playwright-core").is_dir()
        || !js.join("node_modules/axe-core").is_dir()
    {
        return Some(
            "tests/js/node_modules is missing (run `npm ci` in tests/js, or scripts/test.sh)"
                .into(),
        );
    }
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !Path::new(&chromium).exists() {
        return Some(format!("{chromium} is missing (apt-get install chromium)"));
    }
    if std::process::Command::new("node")
        .arg("--version")
        .output()
        .is_err()
    {
        return Some("node is missing".into());
    }
    None
}

/// The fixture with a package and a guide as well, so that every page type exists; and, when
/// GitHub's description is installed, GitHub's portal for its biggest pages. Screenshots go to
/// `target/browser-artefacts/reference/`.
#[test]
fn reference_pages_in_a_real_browser() {
    if let Some(why) = browser_missing() {
        skip(&format!("reference browser tests: {why}"));
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("p");
    project(&root);
    write_files(
        &root,
        &[
            (
                "packages/cooking.yaml",
                "name: Kitchen package\nvisibility: public\ndescription: Everything in the kitchen.\noperations:\n  - api: kitchen\n",
            ),
            (
                "pages/start.md",
                "---\ntitle: Getting started\n---\n# Getting started\n\nCall `PUT /pots/{potId}` with a token.\n\n```json\n{\"size\": 20}\n```\n",
            ),
        ],
    );
    let out = tmp.path().join("site");
    let r = run(&["build", root.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let big = github().map(|spec| {
        let groot = tmp.path().join("gh");
        github_portal(&groot, &spec);
        let gout = tmp.path().join("gh-site");
        let r = run(&[
            "build",
            groot.to_str().unwrap(),
            "-o",
            gout.to_str().unwrap(),
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        gout
    });
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    let artefacts = target.join("browser-artefacts/reference");
    let js = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/js");
    let mut cmd = std::process::Command::new("node");
    cmd.args(["--test", "--test-reporter=spec", "reference.test.mjs"])
        .current_dir(&js)
        .env("PORTALGEN_SITE", &out)
        .env("PORTALGEN_ARTEFACTS", &artefacts);
    if let Some(gout) = &big {
        cmd.env("PORTALGEN_BIG_SITE", gout);
    }
    let o = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        o.status.success(),
        "reference browser tests failed:\n{stdout}\n{stderr}"
    );
    for shot in [
        "home",
        "package",
        "operation-light",
        "operation-dark",
        "operation-phone",
    ] {
        assert!(
            artefacts.join(format!("{shot}.png")).is_file(),
            "screenshot {shot} saved"
        );
    }
}
