//! The routing benchmark: every operation of GitHub's REST description (~1,100) against a
//! manifest of one openapi2kong-style regex route per operation (~1,100 regex routes), timed
//! through the same `check` code path the CLI uses. The operations come from portalgen's own
//! OpenAPI loader; the manifest is generated as `deck file openapi2kong` would write it.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{Value as J, json};

use portalgen::kong::{self, OperationInput, engine::Engine};
use portalgen::model::Api;
use portalgen::model::config::RouterFlavor;
use portalgen::source::SourceMap;

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

/// Load an OpenAPI document with portalgen's own loader (the same code path as a build).
pub fn load_api(path: &Path, slug: &str) -> Result<Api, String> {
    let root = path.parent().unwrap_or(Path::new("."));
    let sources = SourceMap::default();
    let (api, diags) = portalgen::load::openapi::load_api(root, slug, path, &sources);
    api.ok_or_else(|| {
        let first = diags
            .iter()
            .next()
            .map(|d| d.message.clone())
            .unwrap_or_default();
        format!("{} does not load: {first}", path.display())
    })
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
    drop(text);
    let api = match load_api(&path, "github") {
        Ok(a) => a,
        Err(e) => return format!("route: {e}\n"),
    };
    let deck = openapi2kong_manifest(&api);
    let sources = SourceMap::default();
    let (manifest, mut load_diags) =
        portalgen::load::deck::from_texts(&[("gateway/github.json".to_string(), deck)], &sources);
    // Kong's route rules (the validate stage runs them beside the routing check).
    load_diags.extend(kong::rules::check(
        &manifest,
        RouterFlavor::TraditionalCompatible,
    ));
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
        let (results, _) = kong::check_with(&inputs, &manifest, &engine, diags);
        let t2 = Instant::now();
        build_times.push(t1 - t0);
        match_times.push(t2 - t1);
        last = Some((engine.matchers.len(), results));
    }
    // Router alone: Kong's own pick for every probe, no explanations.
    let (engine, _) = Engine::build(&manifest, RouterFlavor::TraditionalCompatible);
    let all_probes: Vec<kong::probe::ProbeRequest> = api
        .operations
        .iter()
        .flat_map(|op| {
            let target = kong::probe::target(&api, op, None, Some(""));
            kong::probe::probes(&api, op, &target)
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
    let results = portalgen::cli::json::reports(&inputs, &results, &manifest, &[]);
    let summary = portalgen::cli::coverage::summary(&results);
    let probes: usize = results.iter().map(|r| r.probes.len()).sum();
    let examples: String = results
        .iter()
        .filter(|r| r.status != portalgen::model::Status::Matched)
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

    #[test]
    fn bench_without_corpus_explains_itself() {
        let out = run(std::path::Path::new("/nonexistent/corpora"), 1);
        assert!(out.starts_with("route: cannot read"), "{out}");
    }

    #[test]
    fn openapi2kong_style_manifest_routes_every_operation() {
        let doc: serde_json::Value = serde_json::json!({
            "openapi": "3.0.3",
            "info": {"title": "Pets", "version": "1"},
            "servers": [{"url": "https://api.example.com/v3"}],
            "paths": {
                "/pets": {"get": {"operationId": "listPets"}, "post": {"operationId": "addPet"}},
                "/pets/{petId}": {
                    "parameters": [{"name": "petId", "in": "path", "required": true, "schema": {"type": "integer"}}],
                    "get": {"operationId": "getPet"},
                    "delete": {"operationId": "deletePet"}
                },
                "/pets/{petId}/photos.json": {
                    "get": {"operationId": "photos", "parameters": [{"$ref": "#/components/parameters/petId"}]}
                }
            },
            "components": {"parameters": {"petId": {"name": "petId", "in": "path", "required": true, "schema": {"type": "string"}}}}
        });
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("pets.json");
        std::fs::write(&file, serde_json::to_string(&doc).unwrap()).unwrap();
        let api = load_api(&file, "pets").unwrap();
        assert_eq!(api.operations.len(), 5);
        let deck = openapi2kong_manifest(&api);
        assert!(
            deck.contains(r#""~/pets/(?<petId>[^#?/]+)/photos\\.json$""#),
            "{deck}"
        );
        let sources = portalgen::source::SourceMap::default();
        let (manifest, mut diags) =
            portalgen::load::deck::from_texts(&[("gateway/pets.json".into(), deck)], &sources);
        diags.extend(portalgen::kong::rules::check(
            &manifest,
            portalgen::model::config::RouterFlavor::TraditionalCompatible,
        ));
        assert!(diags.is_empty(), "{:?}", diags.into_vec());
        let inputs: Vec<portalgen::kong::OperationInput<'_>> = api
            .operations
            .iter()
            .map(|op| portalgen::kong::OperationInput {
                api: &api,
                operation: op,
                packages: vec![],
                pinned_routes: vec![],
                gateway_host: None,
                path_prefix: Some(String::new()),
            })
            .collect();
        let (verdicts, _) = portalgen::kong::check(
            &inputs,
            &manifest,
            portalgen::model::config::RouterFlavor::TraditionalCompatible,
        );
        let results = portalgen::cli::json::reports(&inputs, &verdicts, &manifest, &[]);
        let routes: Vec<(String, Option<String>)> = results
            .iter()
            .map(|r| (format!("{} {}", r.method, r.path), r.route.clone()))
            .collect();
        assert_eq!(
            routes,
            vec![
                ("GET /pets".to_string(), Some("pets_listPets".to_string())),
                ("POST /pets".to_string(), Some("pets_addPet".to_string())),
                (
                    "DELETE /pets/{petId}".to_string(),
                    Some("pets_deletePet".to_string())
                ),
                (
                    "GET /pets/{petId}".to_string(),
                    Some("pets_getPet".to_string())
                ),
                (
                    "GET /pets/{petId}/photos.json".to_string(),
                    Some("pets_photos".to_string())
                ),
            ]
        );
        // openapi2kong keeps the server path on the service: strip_path false, upstream = path.
        assert_eq!(
            results[3].upstream_path.as_deref(),
            Some("/v3/pets/{petId}")
        );
    }
}
