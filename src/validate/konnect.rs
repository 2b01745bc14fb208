//! Konnect's rules for the catalog `export --flavor konnect` declares, run by the Konnect
//! export plan (so `check`, `build` and `export` report them alike for that flavor): which APIs
//! the control plane implements and that packages only hold operations of those, API names and
//! versions Konnect keeps unique, the limits of Konnect's API and auth strategy fields, the
//! decK sections Konnect refuses, and a control plane named twice. Rules every flavor shares
//! (package names and slugs, rate-limit units, `key_names`, one strategy per publication) are
//! checked where the files are read.

use std::collections::BTreeMap;

use crate::diagnostics::{Diagnostic, Diagnostics, codes};
use crate::model::config::{AuthKind, KonnectSettings};
use crate::model::{ApiId, Portal, Status};

/// decK sections a Konnect control plane does not accept: `_workspace` (Konnect has control
/// planes instead), Kong Enterprise RBAC roles and licenses (Konnect manages both itself).
pub const UNSUPPORTED_SECTIONS: [&str; 3] = ["_workspace", "rbac_roles", "licenses"];

/// Whether each API (by index) is implemented on the control plane: some route of the decK
/// files serves at least one of its operations. Only those can be linked to the control plane.
pub fn implemented(portal: &Portal) -> Vec<bool> {
    portal
        .api_ids()
        .map(|(ai, api)| {
            (0..api.operations.len()).any(|oi| {
                let r = &portal.routing[ai.index()][oi];
                r.status != Status::Unmatched || !r.reached.is_empty()
            })
        })
        .collect()
}

/// The control plane named by the decK files (`_konnect.control_plane_name`, or its older
/// spelling `runtime_group_name`).
pub fn manifest_control_plane(portal: &Portal) -> Option<&str> {
    let k = portal.manifest.sections.get("_konnect")?;
    k.get("control_plane_name")
        .or_else(|| k.get("runtime_group_name"))
        .and_then(serde_json::Value::as_str)
}

/// The control plane of the export: `konnect.control_plane` of portal.yaml, else the decK
/// files' `_konnect.control_plane_name`, else decK's default control plane.
pub fn control_plane(portal: &Portal) -> &str {
    portal
        .config
        .konnect
        .control_plane
        .as_ref()
        .map(|c| c.value.as_str())
        .or_else(|| manifest_control_plane(portal))
        .unwrap_or(KonnectSettings::DEFAULT_CONTROL_PLANE)
}

/// Every Konnect rule of the project.
pub fn check(portal: &Portal) -> Diagnostics {
    let mut diags = Diagnostics::new();
    let implemented = implemented(portal);
    packages_on_the_control_plane(portal, &implemented, &mut diags);
    apis(portal, &mut diags);
    auth_strategies(portal, &mut diags);
    manifest(portal, &mut diags);
    diags
}

/// A package operation of an API the control plane does not implement: Konnect cannot link
/// the API, so the package could never serve it. Reported once per package and API, and only
/// when the control plane implements some API: when it serves none (no routes, or none that
/// works), the routing check's `operation-unmatched` errors already say it all.
fn packages_on_the_control_plane(portal: &Portal, implemented: &[bool], diags: &mut Diagnostics) {
    if !implemented.contains(&true) {
        return;
    }
    let cp = control_plane(portal);
    for p in &portal.packages {
        let mut seen: Vec<ApiId> = Vec::new();
        for item in &p.operations {
            let api_id = item.operation.api;
            if implemented[api_id.index()] || seen.contains(&api_id) {
                continue;
            }
            seen.push(api_id);
            let api = portal.api(api_id);
            diags.push(
                Diagnostic::new(
                    codes::KONNECT_API_NOT_IMPLEMENTED,
                    format!(
                        "package `{}` holds operations of API `{}`, but no route of control plane `{cp}` serves any operation of that API, so Konnect cannot link it",
                        p.slug, api.slug
                    ),
                )
                .at(&item.span)
                .help(format!(
                    "add routes for API `{}` to the decK files ({}), or take its operations out of the package",
                    api.slug,
                    portal
                        .config
                        .gateway
                        .manifests
                        .iter()
                        .map(|(g, _)| g.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            );
        }
    }
}

/// Konnect keeps API `name` + `version` unique and limits both to 255 characters; a document
/// split across files reaches Konnect as its entry file only.
fn apis(portal: &Portal, diags: &mut Diagnostics) {
    let mut seen: BTreeMap<(&str, &str), &str> = BTreeMap::new();
    for api in &portal.apis {
        if let Some(first) = seen.insert((&api.title, &api.version), &api.slug) {
            diags.push(
                Diagnostic::new(
                    codes::KONNECT_DUPLICATE_API,
                    format!(
                        "APIs `{first}` and `{}` are both named `{}` version `{}`; Konnect keeps name + version unique",
                        api.slug, api.title, api.version
                    ),
                )
                .at(&api.source)
                .help(format!(
                    "give one a distinct `info.title` or `info.version`, or set `apis.{}.title` in portal.yaml",
                    api.slug
                )),
            );
        }
        for (what, value) in [("name (title)", &api.title), ("version", &api.version)] {
            let n = value.chars().count();
            if n == 0 || n > 255 {
                diags.push(
                    Diagnostic::new(
                        codes::KONNECT_INVALID_VALUE,
                        format!(
                            "the {what} of API `{}` has {n} characters; Konnect takes 1 to 255",
                            api.slug
                        ),
                    )
                    .at(&api.source)
                    .help(format!(
                        "shorten it, or override it with `apis.{}` in portal.yaml",
                        api.slug
                    )),
                );
            }
        }
        let file = &*api.source.file;
        if file.starts_with(&format!("apis/{}/", api.slug)) {
            diags.push(
                Diagnostic::new(
                    codes::KONNECT_SPEC_SPLIT,
                    format!(
                        "API `{}` is read from the folder form `{file}`, the layout of a document split across files; the Konnect catalog sends only this file as the API's spec",
                        api.slug
                    ),
                )
                .at(&api.source)
                .help(format!(
                    "bundle the document into one file (e.g. `redocly bundle {file} -o apis/{}.yaml`) and remove the folder",
                    api.slug
                )),
            );
        }
    }
}

/// The limits of Konnect's `openid-connect` strategy configs.
fn auth_strategies(portal: &Portal, diags: &mut Diagnostics) {
    for s in &portal.config.auth_strategies {
        let AuthKind::OpenidConnect {
            issuer,
            scopes,
            credential_claim,
            auth_methods,
        } = &s.kind
        else {
            continue;
        };
        let mut refuse = |message: String, help: &str| {
            diags.push(
                Diagnostic::new(codes::KONNECT_INVALID_VALUE, message)
                    .at(&s.span)
                    .help(help.to_string()),
            );
        };
        let is_url = url::Url::parse(issuer)
            .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some());
        if !is_url || issuer.len() > 256 {
            refuse(
                format!(
                    "the issuer `{issuer}` of auth strategy `{}` is not an http(s) URL of at most 256 characters",
                    s.name
                ),
                "write the issuer's URL, e.g. `https://login.example.com/oauth2/default`",
            );
        }
        for (what, list, max) in [
            ("credential_claim", credential_claim, 10),
            ("scopes", scopes, 50),
            ("auth_methods", auth_methods, 10),
        ] {
            if list.len() > max {
                refuse(
                    format!(
                        "auth strategy `{}` lists {} `{what}`; Konnect takes at most {max}",
                        s.name,
                        list.len()
                    ),
                    "drop the entries the applications do not need",
                );
            }
        }
    }
}

/// Sections of the decK files Konnect refuses, and a control plane named in two places.
fn manifest(portal: &Portal, diags: &mut Diagnostics) {
    let m = &portal.manifest;
    for key in UNSUPPORTED_SECTIONS {
        if !m.sections.has(key) {
            continue;
        }
        let (what, help) = match key {
            "_workspace" => (
                "Konnect has no workspaces and refuses a decK file that names one",
                "remove `_workspace`; the control plane comes from `konnect.control_plane` in portal.yaml (written as `_konnect.control_plane_name`)",
            ),
            "rbac_roles" => (
                "Kong Enterprise RBAC roles do not exist on a Konnect control plane (Konnect's own teams and roles manage access)",
                "remove `rbac_roles` from the decK files used with Konnect",
            ),
            _ => (
                "Konnect manages the licenses of its data planes itself",
                "remove `licenses` from the decK files used with Konnect",
            ),
        };
        let mut d = Diagnostic::new(
            codes::KONNECT_UNSUPPORTED_SECTION,
            format!("`{key}`: {what}; the Konnect export leaves it out"),
        )
        .help(help);
        if let Some(span) = m.section_span(key) {
            d = d.at(span);
        }
        diags.push(d);
    }
    if let (Some(named), Some(in_files)) = (
        &portal.config.konnect.control_plane,
        manifest_control_plane(portal),
    ) && named.value != in_files
    {
        let mut help = format!(
            "the decK files name control plane `{in_files}`; name the same control plane in both places or remove one"
        );
        if let Some(at) = m.section_span("_konnect") {
            help.push_str(&format!(" (`_konnect` at {at})"));
        }
        diags.push(
            Diagnostic::new(
                codes::KONNECT_CONTROL_PLANE_MISMATCH,
                format!(
                    "`konnect.control_plane: {}` differs from the decK files' `_konnect.control_plane_name: {in_files}`",
                    named.value
                ),
            )
            .at(&named.span)
            .help(help),
        );
    }
}
