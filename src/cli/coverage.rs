//! What the team reads about routing: the compact coverage table `portalgen check` prints, the
//! per-status summary of `check --format json`, and the self-contained HTML coverage report of
//! `check --report FILE.html` (inline CSS, no external assets) for whoever holds gateway
//! permissions, with unmatched and ambiguous operations highlighted and the routes that serve
//! no documented operation listed.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde_json::json;

use super::json::OperationReport;
use crate::model::Status;
use crate::model::enforcement::{Counter, OperationPolicy, PolicyStatus, limit_words};
use crate::model::gateway::Manifest;
use crate::render::escape::html as esc;

fn counts<'a>(results: impl Iterator<Item = &'a OperationReport>) -> (usize, usize, usize) {
    let mut c = (0, 0, 0);
    for r in results {
        match r.status {
            Status::Matched => c.0 += 1,
            Status::Unmatched => c.1 += 1,
            Status::Ambiguous => c.2 += 1,
        }
    }
    c
}

/// `{"total": n, "matched": n, "unmatched": n, "ambiguous": n}`.
pub fn summary(results: &[OperationReport]) -> serde_json::Value {
    let (m, u, a) = counts(results.iter());
    json!({"total": results.len(), "matched": m, "unmatched": u, "ambiguous": a})
}

fn by_api(results: &[OperationReport]) -> BTreeMap<&str, Vec<&OperationReport>> {
    let mut map: BTreeMap<&str, Vec<&OperationReport>> = BTreeMap::new();
    for r in results {
        map.entry(r.api.as_str()).or_default().push(r);
    }
    map
}

/// A compact per-API coverage table for the human output of `portalgen check`.
pub fn coverage_table(results: &[OperationReport]) -> String {
    let mut out = String::new();
    for (api, ops) in by_api(results) {
        let (m, u, a) = counts(ops.iter().copied());
        let _ = writeln!(
            out,
            "API {api}: {} operations, {m} matched, {u} unmatched, {a} ambiguous",
            ops.len()
        );
        let mw = ops.iter().map(|o| o.method.len()).max().unwrap_or(6).max(6);
        let pw = ops
            .iter()
            .map(|o| o.path.chars().count())
            .max()
            .unwrap_or(4)
            .clamp(4, 60);
        let _ = writeln!(
            out,
            "  {:<mw$}  {:<pw$}  {:<9}  ROUTE",
            "METHOD", "PATH", "STATUS"
        );
        for o in ops {
            let route = match (&o.route, o.status) {
                (Some(r), _) => r.clone(),
                (None, Status::Ambiguous) => {
                    let names: BTreeSet<&str> =
                        o.probes.iter().filter_map(|p| p.route.as_deref()).collect();
                    if names.is_empty() {
                        "-".into()
                    } else {
                        format!("? {}", names.into_iter().collect::<Vec<_>>().join(" | "))
                    }
                }
                (None, _) => "-".into(),
            };
            let _ = writeln!(
                out,
                "  {:<mw$}  {:<pw$}  {:<9}  {route}",
                o.method,
                o.path,
                o.status.as_str()
            );
        }
    }
    out
}

const CSS: &str = "body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#1d2330}\
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem}\
table{border-collapse:collapse;width:100%;margin:.5rem 0}\
th,td{border:1px solid #d6dae3;padding:.3rem .5rem;text-align:left;vertical-align:top}\
th{background:#f2f4f8}code{font:12px ui-monospace,monospace}\
tr.unmatched td{background:#fde8e8}tr.ambiguous td{background:#fff4d6}\
.status{font-weight:600}.unmatched .status{color:#b42318}.ambiguous .status{color:#9a6700}\
.matched .status{color:#067647}.notes{font-size:12px;color:#4b5565}\
.summary span{margin-right:1rem}";

/// One operation's gateway enforcement, for the report: status, route, auth, ACL groups and
/// each package's limit with its counter.
pub fn policy_html(policy: Option<&OperationPolicy>) -> String {
    let Some(p) = policy else {
        return "<span class=\"notes\">not planned (the project has errors)</span>".into();
    };
    let mut parts: Vec<String> = Vec::new();
    let status = match p.status {
        PolicyStatus::Enforced => "enforced",
        PolicyStatus::Open => "open",
        PolicyStatus::Terminated => "terminated",
        PolicyStatus::Unrouted => "unrouted",
        PolicyStatus::Unchecked => "unchecked",
        PolicyStatus::Konnect => "Konnect ACE",
    };
    let mut head = format!("<strong>{status}</strong>");
    if let Some(code) = p.status_code {
        head.push_str(&format!(" ({code})"));
    }
    if let Some(r) = &p.route {
        head.push_str(&format!(" on <code>{}</code>", esc(r)));
    }
    parts.push(head);
    if let Some(a) = &p.auth {
        let mut line = format!("<code>{}</code>", esc(a.plugin));
        if !a.key_names.is_empty() {
            line.push_str(&format!(" keys {}", esc(&a.key_names.join(", "))));
        }
        if let Some(h) = a.hide_credentials {
            line.push_str(&format!(", hide_credentials {h}"));
        }
        if let Some(q) = a.key_in_query {
            line.push_str(&format!(", key_in_query {q}"));
        }
        if let Some(i) = &a.issuer {
            line.push_str(&format!(" issuer {}", esc(i)));
        }
        parts.push(line);
    }
    if !p.acl.is_empty() {
        parts.push(format!("acl <code>{}</code>", esc(&p.acl.join(", "))));
    }
    for l in &p.limits {
        let limit = l
            .limit
            .as_ref()
            .map(limit_words)
            .unwrap_or_else(|| "no limit".into());
        let counter = match l.counter {
            Some(Counter::Package) => " (shared by the package)",
            Some(Counter::Operation) => " (this operation's own)",
            None => "",
        };
        parts.push(format!(
            "<code>{}</code>: {}{counter}",
            esc(&l.group),
            esc(&limit)
        ));
    }
    if !p.registrations.is_empty() {
        let allowed = p.registrations.iter().filter(|r| r.allowed).count();
        parts.push(format!(
            "{allowed} of {} registrations verified",
            p.registrations.len()
        ));
    }
    if let Some(n) = &p.note {
        parts.push(format!("<span class=\"notes\">{}</span>", esc(n)));
    }
    parts.join("<br>")
}

/// The self-contained HTML coverage report.
pub fn report_html(results: &[OperationReport], manifest: &Manifest, title: &str) -> String {
    let mut h = String::new();
    let (m, u, a) = counts(results.iter());
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{t} — route coverage</title>\n<style>{CSS}</style>\n</head>\n<body>\n<h1>{t} — route coverage</h1>\n",
        t = esc(title)
    );
    let _ = writeln!(
        h,
        "<p class=\"summary\"><span>{} operations</span><span>{m} matched</span><span>{u} unmatched</span><span>{a} ambiguous</span></p>",
        results.len()
    );
    if !manifest.files.is_empty() {
        let files: Vec<String> = manifest
            .files
            .iter()
            .map(|f| format!("<code>{}</code>", esc(f)))
            .collect();
        let _ = writeln!(h, "<p>decK files: {}</p>", files.join(", "));
    }
    for (api, ops) in by_api(results) {
        let (m, u, a) = counts(ops.iter().copied());
        let _ = writeln!(
            h,
            "<h2 id=\"api-{id}\">API <code>{id}</code></h2>\n<p class=\"summary\"><span>{} operations</span><span>{m} matched</span><span>{u} unmatched</span><span>{a} ambiguous</span></p>",
            ops.len(),
            id = esc(api)
        );
        h.push_str("<table>\n<thead><tr><th>Method</th><th>Path</th><th>Operation</th><th>Packages</th><th>Verdict</th><th>Route</th><th>Service</th><th>Upstream path</th><th>Probes</th><th>Gateway enforcement</th></tr></thead>\n<tbody>\n");
        for o in ops {
            let status = o.status.as_str();
            let probes: Vec<String> = o
                .probes
                .iter()
                .map(|p| {
                    let headers: String = p
                        .headers
                        .iter()
                        .map(|(n, v)| format!(" {}: {}", esc(n), esc(v)))
                        .collect();
                    format!(
                        "<code>{} {}{}{headers}</code> → {}",
                        esc(&p.method),
                        esc(p.host.as_deref().unwrap_or("")),
                        esc(&p.path),
                        p.route
                            .as_deref()
                            .map(|r| format!("<code>{}</code>", esc(r)))
                            .unwrap_or_else(|| "no route".into())
                    )
                })
                .collect();
            let notes = if o.notes.is_empty() {
                String::new()
            } else {
                format!(
                    "<div class=\"notes\">{}</div>",
                    o.notes
                        .iter()
                        .map(|n| esc(n))
                        .collect::<Vec<_>>()
                        .join("<br>")
                )
            };
            let _ = writeln!(
                h,
                "<tr class=\"{status}\"><td><code>{}</code></td><td><code>{}</code></td><td>{}</td><td>{}</td><td class=\"status\">{status}{notes}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&o.method),
                esc(&o.path),
                o.operation_id.as_deref().map(esc).unwrap_or_default(),
                esc(&o.packages.join(", ")),
                o.route
                    .as_deref()
                    .map(|r| format!("<code>{}</code>", esc(r)))
                    .unwrap_or_else(|| "—".into()),
                o.service.as_deref().map(esc).unwrap_or_else(|| "—".into()),
                o.upstream_path
                    .as_deref()
                    .map(|p| format!("<code>{}</code>", esc(p)))
                    .unwrap_or_else(|| "—".into()),
                probes.join("<br>"),
                policy_html(o.policy.as_ref())
            );
        }
        h.push_str("</tbody>\n</table>\n");
    }
    // Routes that no documented operation reaches.
    let reached: BTreeSet<&str> = results
        .iter()
        .flat_map(|o| {
            o.probes
                .iter()
                .filter_map(|p| p.route.as_deref())
                .chain(o.reached.iter().map(String::as_str))
        })
        .collect();
    let unused: Vec<&crate::model::gateway::Route> = manifest
        .routes
        .iter()
        .filter(|r| !r.label().is_empty() && !reached.contains(r.label()))
        .collect();
    let _ = writeln!(
        h,
        "<h2 id=\"undocumented-routes\">Routes serving no documented operation ({})</h2>",
        unused.len()
    );
    if unused.is_empty() {
        h.push_str("<p>None.</p>\n");
    } else {
        h.push_str("<table>\n<thead><tr><th>Route</th><th>Service</th><th>Methods</th><th>Hosts</th><th>Paths</th><th>Defined at</th></tr></thead>\n<tbody>\n");
        for r in unused {
            let service = r
                .service
                .map(|s| esc(manifest.service_at(s).label()))
                .unwrap_or_else(|| "—".into());
            let list = |v: Vec<&str>| {
                if v.is_empty() {
                    "any".to_string()
                } else {
                    v.iter()
                        .map(|x| format!("<code>{}</code>", esc(x)))
                        .collect::<Vec<_>>()
                        .join(" ")
                }
            };
            let _ = writeln!(
                h,
                "<tr><td><code>{}</code></td><td>{service}</td><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td></tr>",
                esc(r.label()),
                list(r.methods.iter().map(|m| m.as_str()).collect()),
                list(r.hosts.iter().map(|h| h.as_str()).collect()),
                r.expression
                    .as_ref()
                    .map(|e| format!("<code>{}</code>", esc(e)))
                    .unwrap_or_else(|| list(r.paths.iter().map(|p| p.as_str()).collect())),
                esc(&r.span.to_string())
            );
        }
        h.push_str("</tbody>\n</table>\n");
    }
    h.push_str("</body>\n</html>\n");
    h
}
