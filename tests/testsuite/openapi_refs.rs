//! `$ref` resolution on real files: a description split across five files in nested folders
//! (relative paths, refs inside referenced files, `~0`/`~1` escapes, percent-encoding), and
//! recursive schemas (self, mutual, through `allOf`, across files) that stay references.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use portalgen::diagnostics::Diagnostic;
use portalgen::load::openapi::load_api;
use portalgen::model::Api;
use portalgen::model::api::{SchemaId, SchemaRef, type_label};
use portalgen::source::SourceMap;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/openapi")
        .join(name)
}

fn load(root: &Path, entry: &Path) -> (Option<Api>, Vec<Diagnostic>, SourceMap) {
    let sources = SourceMap::default();
    let (api, diags) = load_api(root, "pets", entry, &sources);
    (api, diags.into_vec(), sources)
}

fn target(r: &SchemaRef) -> (String, SchemaId) {
    match r {
        SchemaRef::Ref { name, target } => (name.clone(), *target),
        SchemaRef::Inline(s) => panic!("expected a reference, found an inline schema {s:?}"),
    }
}

fn prop<'a>(api: &'a Api, id: SchemaId, name: &str) -> &'a SchemaRef {
    &api.schema(id)
        .properties
        .iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("no property {name} in {:?}", api.schema(id)))
        .schema
}

fn inline(r: &SchemaRef) -> &portalgen::model::api::Schema {
    match r {
        SchemaRef::Inline(s) => s,
        SchemaRef::Ref { name, .. } => {
            panic!("expected an inline schema, found a reference to {name}")
        }
    }
}

#[test]
fn refs_across_files_folders_and_escapes() {
    let root = fixture("multi");
    let (api, diags, sources) = load(&root, &root.join("openapi.yaml"));
    assert!(diags.is_empty(), "{diags:#?}");
    let api = api.expect("model");

    // Every file read is registered under its project-relative path.
    let mut paths = sources.paths();
    paths.sort();
    assert_eq!(
        paths,
        vec![
            "openapi.yaml",
            "parameters.yaml",
            "paths/pets.yaml",
            "schemas/common types.yaml",
            "schemas/owner.yaml",
            "schemas/pet.yaml",
        ]
    );

    assert_eq!(api.servers[0].url, "https://eu.pets.test/v1");
    let ops: Vec<_> = api
        .operations
        .iter()
        .map(|o| (o.method.as_str(), o.path.as_str(), o.slug.as_str()))
        .collect();
    assert_eq!(
        ops,
        vec![
            ("GET", "/pets", "list-pets"),
            ("GET", "/pets/{petId}", "get-pet")
        ]
    );

    // A parameter from another file keeps the span of its definition.
    let list = &api.operations[0];
    let limit = &list.parameters[0];
    assert_eq!(limit.name, "limit");
    assert_eq!(
        (limit.span.file.as_ref(), limit.span.line),
        ("parameters.yaml", 2)
    );
    assert_eq!(inline(limit.schema.as_ref().unwrap()).maximum, Some(100.0));
    // The operation's span is where its method is written: in paths/pets.yaml.
    assert_eq!(
        (list.span.file.as_ref(), list.span.line),
        ("paths/pets.yaml", 2)
    );

    // Path-level parameter from `#/petId` inside paths/pets.yaml (relative to that file).
    let get = &api.operations[1];
    assert_eq!(get.parameters[0].name, "petId");
    assert!(get.parameters[0].required);

    // `Pet` is an alias of schemas/pet.yaml: both the component and the file share one slot.
    let pet = api.schema_names["Pet"];
    let items = inline(list.responses[0].content[0].schema.as_ref().unwrap())
        .items
        .as_deref()
        .unwrap();
    assert_eq!(target(items), ("Pet".to_string(), pet));
    assert_eq!(
        target(get.responses[0].content[0].schema.as_ref().unwrap()),
        ("Pet".to_string(), pet)
    );
    assert_eq!(api.schema(pet).required, vec!["id", "name"]);

    // Self reference through `#` (the whole file) and a mutual cycle across two files.
    let friends = inline(prop(&api, pet, "friends"));
    assert_eq!(target(friends.items.as_deref().unwrap()).1, pet);
    let (owner_name, owner) = target(prop(&api, pet, "owner"));
    assert_eq!(owner_name, "Owner");
    assert_eq!(
        api.schema_names["Owner"], owner,
        "schemas from other files are named too"
    );
    let pets = inline(prop(&api, owner, "pets"));
    assert_eq!(target(pets.items.as_deref().unwrap()).1, pet);

    // `~1` and `~0` in a pointer: the property `a/b~c`.
    let (tag_name, tag) = target(prop(&api, pet, "tag"));
    assert_eq!(tag_name, "a/b~c");
    assert_eq!(api.schema(tag).types, vec!["string"]);
    assert!(
        api.schema(tag)
            .description
            .as_deref()
            .unwrap()
            .contains("both pointer escapes")
    );

    // Percent-encoded file name (`common%20types.yaml`) and the same file written plainly
    // (from paths/pets.yaml) resolve to one schema.
    let error = api.schema_names["Error"];
    let default = &list.responses[1];
    assert_eq!(default.status, "default");
    assert_eq!(default.description.as_deref(), Some("Something went wrong"));
    assert_eq!(target(default.content[0].schema.as_ref().unwrap()).1, error);
    assert_eq!(api.schema(error).required, vec!["code"]);
}

/// Walk every schema reachable from the arena with a visited set: proves the graph is finite
/// and every reference points into the arena.
fn reachable(api: &Api, start: SchemaId) -> HashSet<SchemaId> {
    let mut seen = HashSet::new();
    let mut stack = vec![start];
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        let mut uses: Vec<&SchemaRef> = Vec::new();
        let s = api.schema(id);
        let mut inline_stack = vec![s];
        while let Some(s) = inline_stack.pop() {
            uses.clear();
            uses.extend(s.properties.iter().map(|p| &p.schema));
            uses.extend(s.items.as_deref());
            uses.extend(
                s.all_of
                    .iter()
                    .chain(&s.one_of)
                    .chain(&s.any_of)
                    .chain(&s.prefix_items),
            );
            uses.extend(s.additional_properties.as_deref());
            uses.extend(s.not.as_deref());
            for u in &uses {
                match u {
                    SchemaRef::Ref { target, .. } => {
                        assert!(target.0 < api.schemas.len());
                        stack.push(*target);
                    }
                    SchemaRef::Inline(inner) => inline_stack.push(inner),
                }
            }
        }
    }
    seen
}

#[test]
fn recursive_schemas_stay_references() {
    let dir = tempfile::tempdir().unwrap();
    let text = r##"openapi: 3.1.0
info: {title: Trees, version: "1"}
paths:
  /nodes:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Node"}
components:
  schemas:
    Node:
      type: object
      properties:
        children:
          type: array
          items: {$ref: "#/components/schemas/Node"}
        parent: {$ref: "#/components/schemas/Node"}
    A:
      type: object
      properties:
        b: {$ref: "#/components/schemas/B"}
    B:
      type: object
      properties:
        a: {$ref: "#/components/schemas/A"}
    Base:
      type: object
      properties:
        kind: {type: string}
        derived: {$ref: "#/components/schemas/Derived"}
    Derived:
      allOf:
        - $ref: "#/components/schemas/Base"
        - type: object
          properties:
            extra: {type: integer}
"##;
    std::fs::write(dir.path().join("trees.yaml"), text).unwrap();
    let (api, diags, _) = load(dir.path(), &dir.path().join("trees.yaml"));
    assert!(diags.is_empty(), "{diags:#?}");
    let api = api.unwrap();
    let names: Vec<_> = api.schema_names.keys().cloned().collect();
    assert_eq!(names, vec!["Node", "A", "B", "Base", "Derived"]);
    // Named components come first in the arena, in document order.
    for (i, name) in names.iter().enumerate() {
        assert_eq!(api.schema_names[name], SchemaId(i));
    }
    let node = api.schema_names["Node"];
    assert_eq!(
        target(prop(&api, node, "parent")),
        ("Node".to_string(), node)
    );
    let children = inline(prop(&api, node, "children"));
    assert_eq!(
        type_label(&api, prop(&api, node, "children")),
        "array of Node"
    );
    assert_eq!(target(children.items.as_deref().unwrap()).1, node);

    let (a, b) = (api.schema_names["A"], api.schema_names["B"]);
    assert_eq!(target(prop(&api, a, "b")).1, b);
    assert_eq!(target(prop(&api, b, "a")).1, a);

    let (base, derived) = (api.schema_names["Base"], api.schema_names["Derived"]);
    assert_eq!(target(&api.schema(derived).all_of[0]).1, base);
    assert_eq!(target(prop(&api, base, "derived")).1, derived);

    assert_eq!(reachable(&api, node), HashSet::from([node]));
    assert_eq!(reachable(&api, a), HashSet::from([a, b]));
    assert_eq!(reachable(&api, derived), HashSet::from([base, derived]));
}

#[test]
fn ref_only_cycle_is_an_error_not_a_hang() {
    let dir = tempfile::tempdir().unwrap();
    let text = "openapi: 3.0.3\ninfo: {title: Loop, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    Loop1:\n      $ref: '#/components/schemas/Loop2'\n    Loop2:\n      $ref: '#/components/schemas/Loop1'\n  parameters:\n    P1:\n      $ref: '#/components/parameters/P2'\n    P2:\n      $ref: '#/components/parameters/P1'\n";
    let text = text.replace("paths: {}", "paths:\n  /x:\n    get:\n      parameters:\n        - $ref: '#/components/parameters/P1'\n      responses: {'204': {description: none}}");
    std::fs::write(dir.path().join("loop.yaml"), &text).unwrap();
    let (api, diags, _) = load(dir.path(), &dir.path().join("loop.yaml"));
    let api = api.expect("the rest of the document still loads");
    assert_eq!(api.operations.len(), 1);
    assert!(api.operations[0].parameters.is_empty());
    let cycles: Vec<_> = diags.iter().filter(|d| d.code == "ref-cycle").collect();
    assert_eq!(cycles.len(), 2, "{diags:#?}");
    let lines: Vec<u32> = cycles.iter().map(|d| d.line.unwrap()).collect();
    let line_of = |needle: &str| text.lines().position(|l| l.contains(needle)).unwrap() as u32 + 1;
    assert!(
        lines.contains(&line_of("$ref: '#/components/schemas/Loop1'"))
            || lines.contains(&line_of("$ref: '#/components/schemas/Loop2'")),
        "{cycles:#?}"
    );
    assert!(
        cycles
            .iter()
            .all(|d| d.file.as_deref() == Some("loop.yaml"))
    );
}

/// Loads run in parallel (one per API, sharing a source map) and give identical results.
#[test]
fn parallel_loads_are_deterministic() {
    use rayon::prelude::*;
    let root = fixture("");
    let entries = [
        root.join("multi/openapi.yaml"),
        root.join("frontends/swagger2.yaml"),
        root.join("frontends/oas30.yaml"),
        root.join("frontends/oas31.json"),
    ];
    let sources = SourceMap::default();
    let render = |e: &PathBuf| {
        let (api, diags) = load_api(&root, "api", e, &sources);
        format!("{api:#?}\n{:?}", diags.into_vec())
    };
    let first: Vec<String> = entries.iter().map(render).collect();
    for _ in 0..3 {
        let again: Vec<String> = entries.par_iter().map(render).collect();
        assert_eq!(first, again);
    }
    assert!(first.iter().all(|s| s.starts_with("Some(")));
}

/// Swagger 2.0 split across a JSON entry and YAML files, references going both ways.
#[test]
fn swagger2_across_json_and_yaml_files() {
    let dir = tempfile::tempdir().unwrap();
    let entry = r##"{
  "swagger": "2.0",
  "info": {"title": "Split", "version": "1"},
  "paths": {
    "/pets": {
      "get": {
        "parameters": [{"$ref": "common/params.yaml#/limit"}],
        "responses": {"200": {"description": "ok", "schema": {"$ref": "common/defs.yaml#/Pets"}}}
      }
    }
  },
  "definitions": {
    "Tag": {"type": "string"},
    "Pet": {"$ref": "common/defs.yaml#/Pet"}
  }
}"##;
    let defs = "Pets:\n  type: array\n  items:\n    $ref: '#/Pet'\nPet:\n  type: object\n  properties:\n    tag:\n      $ref: '../swagger.json#/definitions/Tag'\n";
    let params = "limit:\n  name: limit\n  in: query\n  type: integer\n  maximum: 50\n";
    std::fs::create_dir_all(dir.path().join("common")).unwrap();
    std::fs::write(dir.path().join("swagger.json"), entry).unwrap();
    std::fs::write(dir.path().join("common/defs.yaml"), defs).unwrap();
    std::fs::write(dir.path().join("common/params.yaml"), params).unwrap();
    let (api, diags, sources) = load(dir.path(), &dir.path().join("swagger.json"));
    assert!(diags.is_empty(), "{diags:#?}");
    let api = api.unwrap();
    assert_eq!(sources.paths().len(), 3);
    let op = &api.operations[0];
    assert_eq!(
        (
            op.parameters[0].name.as_str(),
            op.parameters[0].span.file.as_ref()
        ),
        ("limit", "common/params.yaml")
    );
    assert_eq!(
        inline(op.parameters[0].schema.as_ref().unwrap()).maximum,
        Some(50.0)
    );
    let (name, pets) = target(op.responses[0].content[0].schema.as_ref().unwrap());
    assert_eq!(name, "Pets");
    let pet = api.schema_names["Pet"];
    assert_eq!(
        target(api.schema(pets).items.as_deref().unwrap()),
        ("Pet".to_string(), pet)
    );
    assert_eq!(
        target(prop(&api, pet, "tag")),
        ("Tag".to_string(), api.schema_names["Tag"])
    );
    assert_eq!(
        type_label(&api, op.responses[0].content[0].schema.as_ref().unwrap()),
        "Pets"
    );
}

/// JSON Schema plain-name fragments (`#name` → the schema with `$anchor: name`), locally and
/// in another file; an unknown anchor is an error at its `$ref` line.
#[test]
fn anchors_resolve_like_pointers() {
    let dir = tempfile::tempdir().unwrap();
    let entry = r##"openapi: 3.1.0
info: {title: Anchors, version: "1"}
paths: {}
components:
  schemas:
    Tree:
      type: object
      properties:
        node: {$ref: "#node"}
        tag: {$ref: "tags.yaml#tag"}
        lost: {$ref: "#nowhere"}
      $defs:
        Node:
          $anchor: node
          type: object
          properties:
            next: {$ref: "#node"}
"##;
    std::fs::write(dir.path().join("api.yaml"), entry).unwrap();
    std::fs::write(
        dir.path().join("tags.yaml"),
        "Tag:\n  $anchor: tag\n  type: string\n",
    )
    .unwrap();
    let (api, diags, _) = load(dir.path(), &dir.path().join("api.yaml"));
    let api = api.unwrap();
    let got: Vec<_> = diags
        .iter()
        .map(|d| (d.code.as_str(), d.file.as_deref(), d.line))
        .collect();
    assert_eq!(got, vec![("ref-bad-pointer", Some("api.yaml"), Some(11))]);
    assert!(diags[0].message.contains("$anchor: nowhere"), "{diags:#?}");
    let tree = api.schema_names["Tree"];
    let (name, node) = target(prop(&api, tree, "node"));
    assert_eq!(name, "Node");
    assert_eq!(
        target(prop(&api, node, "next")).1,
        node,
        "self reference through the anchor"
    );
    let (name, tag) = target(prop(&api, tree, "tag"));
    assert_eq!(name, "Tag");
    assert_eq!(api.schema(tag).types, vec!["string"]);
}
