//! The Konnect catalog as kongctl declarative configuration (`kongctl plan|diff|apply -f`):
//! `application_auth_strategies`, the Dev Portal as an `_external` portal (only when
//! portal.yaml names one) with the teams of private APIs and their roles, and `apis` with
//! one version whose `spec` is the project's own document (`!file`, relative to this file)
//! and a publication. Every resource is in the kongctl namespace of `konnect.namespace`.
//!
//! What kongctl cannot declare is in [`super::konnect_packages`]: the link of an API to a
//! control plane (kongctl's `implementations` link gateway services only, and Konnect keeps
//! one implementation per API), API packages, and a publication without application auth
//! (kongctl sends no `auth_strategy_ids: null`).
//!
//! The document is built as JSON and written by serde-saphyr; the `!file` and `!ref` tags,
//! which it cannot write, stand in as unique placeholders and are put in afterwards.

use serde_json::{Map, Value as Json, json};

use super::konnect::{Catalog, Publication};
use super::{KONGCTL_FILE, PACKAGES_FILE};

/// A placeholder no text of the project produces by accident (checked: each must occur once).
const MARK: &str = "PORTALGEN7TAG";

/// Tagged scalars in the order their placeholders were handed out.
#[derive(Default)]
struct Tags(Vec<String>);

impl Tags {
    fn tag(&mut self, tag: &str, value: &str) -> Json {
        let i = self.0.len();
        self.0.push(format!("{tag} {}", scalar(value)));
        Json::String(format!("{MARK}{i}Z"))
    }

    fn reference(&mut self, kongctl_ref: &str) -> Json {
        self.tag("!ref", &format!("{kongctl_ref}#id"))
    }
}

/// `value` as a YAML scalar after a tag: plain when it is made of path characters only, else
/// double-quoted (JSON escapes are YAML escapes).
fn scalar(value: &str) -> String {
    let plain = value.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '.')
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._/#-".contains(c));
    if plain {
        value.to_string()
    } else {
        Json::from(value).to_string()
    }
}

/// `rel` (project-relative) seen from the output folder, given the project folder seen from
/// there (`project`: `.`, `..`, `../project`, …).
pub fn spec_path(project: &str, rel: &str) -> String {
    let project = project.trim_end_matches('/');
    if project.is_empty() || project == "." {
        format!("./{rel}")
    } else if project.starts_with("..") {
        format!("{project}/{rel}")
    } else {
        format!("./{project}/{rel}")
    }
}

/// kongctl's `--base-dir` for the output folder: `!file` paths must stay inside it, so it is
/// the closest folder holding both the output folder and the project (relative to the output
/// folder).
pub fn base_dir(project: &str) -> String {
    let ups = project.split('/').take_while(|s| *s == "..").count();
    if ups == 0 {
        ".".to_string()
    } else {
        vec![".."; ups].join("/")
    }
}

fn publication(p: &Publication, catalog: &Catalog, tags: &mut Tags, r: &str, portal: &str) -> Json {
    let mut m = Map::new();
    m.insert("ref".into(), Json::from(r));
    m.insert("portal_id".into(), tags.reference(portal));
    m.insert("visibility".into(), Json::from(visibility(p)));
    if let Some(s) = p.auth_strategy {
        let id = tags.reference(&catalog.strategies[s].kongctl_ref);
        m.insert("auth_strategy_ids".into(), Json::Array(vec![id]));
    }
    m.insert(
        "auto_approve_registrations".into(),
        Json::from(p.auto_approve_registrations),
    );
    Json::Object(m)
}

fn visibility(p: &Publication) -> &'static str {
    match p.visibility {
        crate::model::Visibility::Public => "public",
        crate::model::Visibility::Private => "private",
    }
}

/// The kongctl file of `catalog`. `deck_name` is the decK file beside it; `project` the
/// project folder relative to the output folder.
pub fn to_yaml(
    catalog: &Catalog,
    title: &str,
    deck_name: &str,
    project: &str,
) -> Result<String, String> {
    let mut tags = Tags::default();
    let mut doc = Map::new();
    doc.insert(
        "_defaults".into(),
        json!({"kongctl": {"namespace": catalog.namespace}}),
    );
    if !catalog.strategies.is_empty() {
        let list = catalog
            .strategies
            .iter()
            .map(|s| {
                let st = &s.strategy;
                let (kind, key, configs) = match &st.kind {
                    crate::model::config::AuthKind::KeyAuth { key_names } => {
                        ("key_auth", "key-auth", json!({"key_names": key_names}))
                    }
                    crate::model::config::AuthKind::OpenidConnect {
                        issuer,
                        scopes,
                        credential_claim,
                        auth_methods,
                    } => (
                        "openid_connect",
                        "openid-connect",
                        json!({
                            "issuer": issuer,
                            "credential_claim": credential_claim,
                            "scopes": scopes,
                            "auth_methods": auth_methods,
                        }),
                    ),
                };
                json!({
                    "ref": s.kongctl_ref,
                    "name": st.name,
                    "display_name": st.display_name,
                    "strategy_type": kind,
                    "configs": {key: configs},
                })
            })
            .collect();
        doc.insert("application_auth_strategies".into(), Json::Array(list));
    }
    if let Some(portal) = &catalog.portal {
        let mut p = Map::new();
        p.insert("ref".into(), Json::from(portal.kongctl_ref.as_str()));
        // As kongctl's own example of children under an external portal writes it.
        p.insert("name".into(), Json::from(portal.name.as_str()));
        p.insert(
            "_external".into(),
            json!({"selector": {"matchFields": {"name": portal.name}}}),
        );
        if !catalog.teams.is_empty() {
            let teams = catalog
                .teams
                .iter()
                .map(|t| {
                    let mut team = Map::new();
                    team.insert("ref".into(), Json::from(t.kongctl_ref.as_str()));
                    team.insert("name".into(), Json::from(t.name.as_str()));
                    let roles: Vec<Json> = t
                        .apis
                        .iter()
                        .flat_map(|(api, refs)| {
                            let api = &catalog.apis[*api];
                            ["API Viewer", "API Consumer"]
                                .into_iter()
                                .zip(refs)
                                .map(|(role, r)| {
                                    let mut m = Map::new();
                                    m.insert("ref".into(), Json::from(r.as_str()));
                                    m.insert("role_name".into(), Json::from(role));
                                    m.insert("entity_id".into(), tags.reference(&api.kongctl_ref));
                                    m.insert("entity_type_name".into(), Json::from("Services"));
                                    m.insert(
                                        "entity_region".into(),
                                        Json::from(catalog.region.as_str()),
                                    );
                                    Json::Object(m)
                                })
                                .collect::<Vec<_>>()
                        })
                        .collect();
                    if !roles.is_empty() {
                        team.insert("roles".into(), Json::Array(roles));
                    }
                    Json::Object(team)
                })
                .collect();
            p.insert("teams".into(), Json::Array(teams));
        }
        doc.insert("portals".into(), Json::Array(vec![Json::Object(p)]));
    }
    if !catalog.apis.is_empty() {
        let mut list = Vec::new();
        for api in &catalog.apis {
            let mut a = Map::new();
            a.insert("ref".into(), Json::from(api.kongctl_ref.as_str()));
            a.insert("name".into(), Json::from(api.name.as_str()));
            if let Some(d) = &api.description {
                a.insert("description".into(), Json::from(d.as_str()));
            }
            a.insert("version".into(), Json::from(api.version.as_str()));
            a.insert("slug".into(), Json::from(api.slug.as_str()));
            let spec = tags.tag("!file", &spec_path(project, &api.spec));
            a.insert(
                "versions".into(),
                json!([{"ref": api.version_ref, "version": api.version, "spec": spec}]),
            );
            if let Some(portal) = &catalog.portal {
                let p = publication(
                    &api.publication,
                    catalog,
                    &mut tags,
                    &api.publication_ref,
                    &portal.kongctl_ref,
                );
                a.insert("publications".into(), Json::Array(vec![p]));
            }
            list.push(Json::Object(a));
        }
        doc.insert("apis".into(), Json::Array(list));
    }
    let body = serde_saphyr::to_string(&Json::Object(doc))
        .map_err(|e| format!("cannot serialize the kongctl configuration: {e}"))?;
    let mut body = body;
    // Put the tags in, last placeholder first (so `…1Z` is never a prefix problem).
    for (i, tagged) in tags.0.iter().enumerate().rev() {
        let mark = format!("{MARK}{i}Z");
        if body.matches(&mark).count() != 1 {
            return Err(format!(
                "cannot write the kongctl configuration: the project's text contains `{MARK}`"
            ));
        }
        body = body.replacen(&mark, tagged, 1);
    }
    Ok(format!(
        "# Konnect catalog of \"{title}\", generated by portalgen {}: kongctl declarative configuration.\n\
         # After `deck gateway sync {deck_name}`, apply it from this folder with\n\
         #   kongctl apply -f {KONGCTL_FILE} --base-dir {}\n\
         # then the steps of {PACKAGES_FILE} (control plane links, API packages).\n{body}",
        env!("CARGO_PKG_VERSION"),
        base_dir(project),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_seen_from_the_output_folder() {
        assert_eq!(spec_path(".", "apis/a.yaml"), "./apis/a.yaml");
        assert_eq!(spec_path("..", "apis/a.yaml"), "../apis/a.yaml");
        assert_eq!(spec_path("../p", "apis/a.yaml"), "../p/apis/a.yaml");
        assert_eq!(spec_path("p", "apis/a.yaml"), "./p/apis/a.yaml");
        assert_eq!(base_dir("."), ".");
        assert_eq!(base_dir(".."), "..");
        assert_eq!(base_dir("../../work/p"), "../..");
        assert_eq!(base_dir("sub/p"), ".");
    }

    #[test]
    fn tagged_scalars_are_plain_or_quoted() {
        assert_eq!(scalar("../apis/a.yaml"), "../apis/a.yaml");
        assert_eq!(scalar("api-a#id"), "api-a#id");
        assert_eq!(scalar("../my apis/a: b.yaml"), "\"../my apis/a: b.yaml\"");
    }
}
