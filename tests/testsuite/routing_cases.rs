//! Table-driven routing cases (`tests/fixtures/routing/cases.yaml`): each case writes its decK
//! manifest to a temporary project on disk, loads it with `load::deck::load`, builds one
//! hand-made operation and runs `kong::check` (Kong's real router engine, atc-router) and
//! `kong::rules::check`, then compares verdict, winning route, service, upstream path, probes
//! and diagnostics.

use crate::routing_support as support;

use std::collections::BTreeMap;

use portalgen::diagnostics::Severity;
use portalgen::kong::{self, OperationInput};
use portalgen::model::Status;
use portalgen::model::config::RouterFlavor;
use portalgen::source::{SourceMap, Span};
use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Deserialize)]
struct Table {
    decks: BTreeMap<String, String>,
    cases: Vec<Case>,
}

#[derive(Debug, Deserialize)]
struct ParamSpec {
    name: String,
    #[serde(rename = "in", default)]
    location: Option<String>,
    #[serde(rename = "type", default)]
    ty: Option<String>,
    #[serde(default)]
    format: Option<String>,
    #[serde(rename = "enum", default)]
    enum_values: Vec<Value>,
}

#[derive(Debug, Deserialize)]
struct Case {
    name: String,
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    flavor: Option<String>,
    deck: String,
    #[serde(default)]
    servers: Vec<String>,
    #[serde(default)]
    gateway_host: Option<String>,
    #[serde(default)]
    path_prefix: Option<String>,
    op: String,
    #[serde(default)]
    params: Vec<ParamSpec>,
    #[serde(default)]
    packages: Vec<String>,
    #[serde(default)]
    pins: Vec<String>,
    expect: Expect,
}

#[derive(Debug, Deserialize)]
struct Expect {
    status: String,
    /// Absent: not checked; `null`: must be null.
    #[serde(default, deserialize_with = "some")]
    route: Option<Option<String>>,
    #[serde(default, deserialize_with = "some")]
    service: Option<Option<String>>,
    #[serde(default, deserialize_with = "some")]
    upstream_path: Option<Option<String>>,
    #[serde(default)]
    probe_routes: Option<Vec<Option<String>>>,
    #[serde(default)]
    probe_paths: Option<Vec<String>>,
    #[serde(default)]
    diagnostics: Vec<String>,
    #[serde(default)]
    absent: Vec<String>,
    #[serde(default)]
    message_contains: Option<String>,
}

fn some<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

fn load_table() -> Table {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/routing/cases.yaml"
    );
    let text = std::fs::read_to_string(path).expect("cases.yaml");
    let tree = portalgen::tree::parse(&text).expect("cases.yaml parses");
    serde_json::from_value(tree.to_json()).expect("cases.yaml has the case shape")
}

fn run_case(table: &Table, case: &Case) -> Result<(), String> {
    let deck = table
        .decks
        .get(&case.deck)
        .ok_or(format!("unknown deck `{}`", case.deck))?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    support::write_files(dir.path(), &[("gateway/kong.yaml", deck.as_str())]);
    let sources = SourceMap::default();
    let (manifest, load_diags) =
        portalgen::load::deck::load(dir.path(), &["gateway/*.yaml".to_string()], &sources);
    if load_diags.has_errors() {
        return Err(format!("deck has errors: {:?}", load_diags.into_vec()));
    }
    let (method, path) = case.op.split_once(' ').ok_or("op is `METHOD /path`")?;
    let params: Vec<support::Param> = case
        .params
        .iter()
        .map(|p| support::Param {
            name: p.name.clone(),
            header: p.location.as_deref() == Some("header"),
            required: true,
            types: p.ty.iter().cloned().collect(),
            format: p.format.clone(),
            enum_values: p.enum_values.clone(),
        })
        .collect();
    let op = support::operation(method, path, Some("op"), &params, 10);
    let servers: Vec<&str> = case.servers.iter().map(String::as_str).collect();
    let api = support::api("shop", &servers, vec![op]);
    let input = OperationInput {
        api: &api,
        operation: &api.operations[0],
        // The case's package names become ids 0, 1, …: only whether there are any matters here.
        packages: (0..case.packages.len())
            .map(portalgen::model::PackageId::new)
            .collect(),
        pinned_routes: case
            .pins
            .iter()
            .map(|p| (p.clone(), Span::new("packages/gold.yaml", 7, 9)))
            .collect(),
        gateway_host: case.gateway_host.clone(),
        path_prefix: case.path_prefix.clone(),
    };
    let flavor = match case.flavor.as_deref() {
        Some("expressions") => RouterFlavor::Expressions,
        _ => RouterFlavor::TraditionalCompatible,
    };
    let inputs = [input];
    let (verdicts, mut diags) = kong::check(&inputs, &manifest, flavor);
    // Kong's route rules run beside the routing check in the validate stage.
    diags.extend(kong::rules::check(&manifest, flavor));
    let results = portalgen::cli::json::reports(&inputs, &verdicts, &manifest, &[]);
    let r = results.first().ok_or("no result")?;
    let diag_list: Vec<String> = diags
        .iter()
        .map(|d| format!("{}:{} {}", d.severity.as_str(), d.code, d.message))
        .collect();
    let ctx = || {
        format!(
            "result: {}\ndiagnostics: {diag_list:#?}",
            serde_json::to_string_pretty(r).unwrap_or_default()
        )
    };
    let status = match r.status {
        Status::Matched => "matched",
        Status::Unmatched => "unmatched",
        Status::Ambiguous => "ambiguous",
    };
    if status != case.expect.status {
        return Err(format!(
            "status {status}, expected {}\n{}",
            case.expect.status,
            ctx()
        ));
    }
    if let Some(route) = &case.expect.route
        && &r.route != route
    {
        return Err(format!(
            "route {:?}, expected {route:?}\n{}",
            r.route,
            ctx()
        ));
    }
    if let Some(service) = &case.expect.service
        && &r.service != service
    {
        return Err(format!(
            "service {:?}, expected {service:?}\n{}",
            r.service,
            ctx()
        ));
    }
    if let Some(up) = &case.expect.upstream_path
        && &r.upstream_path != up
    {
        return Err(format!(
            "upstream_path {:?}, expected {up:?}\n{}",
            r.upstream_path,
            ctx()
        ));
    }
    if let Some(routes) = &case.expect.probe_routes {
        let got: Vec<Option<String>> = r.probes.iter().map(|p| p.route.clone()).collect();
        if &got != routes {
            return Err(format!(
                "probe routes {got:?}, expected {routes:?}\n{}",
                ctx()
            ));
        }
    }
    if let Some(paths) = &case.expect.probe_paths {
        let got: Vec<String> = r.probes.iter().map(|p| p.path.clone()).collect();
        if &got != paths {
            return Err(format!(
                "probe paths {got:?}, expected {paths:?}\n{}",
                ctx()
            ));
        }
    }
    for want in &case.expect.diagnostics {
        let (sev, code) = want
            .split_once(':')
            .ok_or("diagnostics are `severity:code`")?;
        if !diags
            .iter()
            .any(|d| d.severity.as_str() == sev && d.code == code)
        {
            return Err(format!("missing diagnostic {want}\n{}", ctx()));
        }
    }
    for code in &case.expect.absent {
        if diags.iter().any(|d| &d.code == code) {
            return Err(format!("unexpected diagnostic {code}\n{}", ctx()));
        }
    }
    if let Some(text) = &case.expect.message_contains
        && !diags.iter().any(|d| d.message.contains(text.as_str()))
    {
        return Err(format!(
            "no diagnostic message contains {text:?}\n{}",
            ctx()
        ));
    }
    // Operation diagnostics point at the operation, pin diagnostics at the pin.
    for d in diags.iter() {
        if (d.code.starts_with("operation-")
            || d.code == "fragile-precedence"
            || d.code == "method-not-exposed")
            && (d.file.as_deref() != Some("apis/test.yaml") || d.line != Some(10))
        {
            return Err(format!(
                "{} is not at the operation: {:?}:{:?}",
                d.code, d.file, d.line
            ));
        }
        if d.code.starts_with("pinned-route")
            && (d.file.as_deref() != Some("packages/gold.yaml") || d.line != Some(7))
        {
            return Err(format!(
                "{} is not at the pin: {:?}:{:?}",
                d.code, d.file, d.line
            ));
        }
        if d.code == "operation-unmatched" || d.code == "operation-ambiguous" {
            let want = if case.packages.is_empty() {
                Severity::Warning
            } else {
                Severity::Error
            };
            if d.severity != want {
                return Err(format!(
                    "{} has severity {:?}, expected {want:?}",
                    d.code, d.severity
                ));
            }
        }
    }
    Ok(())
}

#[test]
fn routing_cases_from_the_table() {
    let table = load_table();
    assert!(
        table.cases.len() >= 60,
        "the table lost cases: {}",
        table.cases.len()
    );
    let mut failures = Vec::new();
    for case in &table.cases {
        if let Err(e) = run_case(&table, case) {
            failures.push(format!(
                "case `{}`{}: {e}",
                case.name,
                case.from
                    .as_deref()
                    .map(|f| format!(" (Kong spec: {f})"))
                    .unwrap_or_default()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n\n{}",
        failures.len(),
        table.cases.len(),
        failures.join("\n\n")
    );
}

#[test]
fn kong_spec_cases_are_present() {
    let table = load_table();
    let from_kong = table.cases.iter().filter(|c| c.from.is_some()).count();
    assert!(
        from_kong >= 25,
        "only {from_kong} cases cite Kong's router spec"
    );
}
