//! The `operations` entries of `check --format json` (contract version 1) as their own types,
//! built from the validated model. The model can change shape without changing the output,
//! and the output names routes, services and packages by their labels, never by index.

use serde::Serialize;

use crate::kong::OperationInput;
use crate::model::enforcement::OperationPolicy;
use crate::model::gateway::Manifest;
use crate::model::routing::{OperationRoute, Status};
use crate::model::{Api, Operation, Portal, Slug};

/// One operation's routing verdict, as printed.
#[derive(Debug, Clone, Serialize)]
pub struct OperationReport {
    pub api: String,
    pub method: String,
    pub path: String,
    pub operation_id: Option<String>,
    /// Slugs of the packages holding the operation.
    pub packages: Vec<String>,
    pub status: Status,
    pub route: Option<String>,
    pub service: Option<String>,
    pub probes: Vec<ProbeReport>,
    pub upstream_path: Option<String>,
    /// What the gateway export enforces for the operation (the flavor checked): for `kong`,
    /// as verified on the exported file; for `konnect`, what Konnect's ACE is configured to
    /// enforce. `null` when the export was not planned (the project has errors).
    pub policy: Option<OperationPolicy>,
    /// Explanations of the verdict, for the HTML report (not part of the JSON contract).
    #[serde(skip)]
    pub notes: Vec<String>,
    /// Labels of the routes that win or tie for some probe, for the HTML report.
    #[serde(skip)]
    pub reached: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProbeReport {
    pub method: String,
    pub host: Option<String>,
    pub path: String,
    pub route: Option<String>,
    /// Header values sent with the probe, for the HTML report (not part of the JSON contract).
    #[serde(skip)]
    pub headers: Vec<(String, String)>,
}

/// The report of one operation.
pub fn report(
    api: &Api,
    op: &Operation,
    packages: Vec<String>,
    verdict: &OperationRoute,
    manifest: &Manifest,
    policy: Option<&OperationPolicy>,
) -> OperationReport {
    let label = |r: crate::model::RouteId| manifest.route_at(r).label().to_string();
    OperationReport {
        api: api.slug.to_string(),
        method: op.method.as_str().to_string(),
        path: op.path.clone(),
        operation_id: op.operation_id.clone(),
        packages,
        status: verdict.status,
        route: verdict.route.map(label),
        service: verdict
            .service
            .map(|s| manifest.service_at(s).label().to_string()),
        probes: verdict
            .probes
            .iter()
            .map(|p| ProbeReport {
                method: p.method.as_str().to_string(),
                host: p.host.clone(),
                path: p.path.clone(),
                route: p.route.map(label),
                headers: p.headers.clone(),
            })
            .collect(),
        upstream_path: verdict.upstream_path.clone(),
        policy: policy.cloned(),
        notes: verdict.notes.clone(),
        reached: verdict.reached.iter().map(|r| label(*r)).collect(),
    }
}

/// Every operation of the portal, in the contract's order: API slug, path, method.
pub fn operations(portal: &Portal) -> Vec<OperationReport> {
    let mut out: Vec<OperationReport> = portal
        .operations()
        .map(|(id, api, op)| {
            let mut packages: Vec<String> = portal
                .packages_of(id)
                .iter()
                .map(|p| portal.package(*p).slug.to_string())
                .collect();
            packages.sort();
            report(
                api,
                op,
                packages,
                portal.routing_of(id),
                &portal.manifest,
                portal.enforcement.of(id),
            )
        })
        .collect();
    sort(&mut out);
    out
}

/// Reports for routing inputs checked on their own; `package_slugs[id]` names package `id`.
pub fn reports(
    inputs: &[OperationInput<'_>],
    verdicts: &[OperationRoute],
    manifest: &Manifest,
    package_slugs: &[Slug],
) -> Vec<OperationReport> {
    let mut out: Vec<OperationReport> = inputs
        .iter()
        .zip(verdicts)
        .map(|(input, verdict)| {
            let mut slugs: Vec<String> = input
                .packages
                .iter()
                .filter_map(|p| package_slugs.get(p.index()).map(Slug::to_string))
                .collect();
            slugs.sort();
            report(input.api, input.operation, slugs, verdict, manifest, None)
        })
        .collect();
    sort(&mut out);
    out
}

fn sort(reports: &mut [OperationReport]) {
    reports.sort_by(|a, b| (&a.api, &a.path, &a.method).cmp(&(&b.api, &b.path, &b.method)));
}
