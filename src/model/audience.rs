//! Audiences: which content a build may show. A default build shows public content only;
//! `--audience TEAM` adds private content whose `teams` include that team. Everything that
//! renders, indexes or lists content asks this one [`Visible`] set, so private content cannot
//! leak through a path that forgot to check.

use std::collections::BTreeSet;

use crate::model::{Method, Portal, Visibility};

/// What one build may show.
#[derive(Debug, Clone, Default)]
pub struct Visible {
    pub apis: BTreeSet<String>,
    /// `(api, method, path)` of every visible operation.
    pub operations: BTreeSet<(String, Method, String)>,
    pub packages: BTreeSet<String>,
    pub pages: BTreeSet<String>,
    /// Human explanations of what was left out and why.
    pub left_out: Vec<String>,
    /// The teams this build is for (empty: the public build).
    pub audiences: Vec<String>,
}

fn allowed(vis: Visibility, teams: &[String], audiences: &[String]) -> bool {
    vis == Visibility::Public || teams.iter().any(|t| audiences.contains(t))
}

fn why(kind: &str, name: &str, teams: &[String]) -> String {
    if teams.is_empty() {
        format!("{kind} {name}: private and no `teams` set, so no audience sees it")
    } else {
        format!(
            "{kind} {name}: private, for {} (build with {})",
            teams
                .iter()
                .map(|t| format!("`{t}`"))
                .collect::<Vec<_>>()
                .join(", "),
            teams
                .iter()
                .map(|t| format!("--audience {t}"))
                .collect::<Vec<_>>()
                .join(" or ")
        )
    }
}

impl Visible {
    /// Compute the visible set for `audiences` (empty = the public build).
    pub fn compute(portal: &Portal, audiences: &[String]) -> Visible {
        let mut v = Visible {
            audiences: audiences.to_vec(),
            ..Visible::default()
        };
        let mut private_apis: Vec<(String, Vec<String>)> = Vec::new();
        let mut api_visible = BTreeSet::new();
        for api in &portal.apis {
            let (vis, teams) = portal
                .config
                .api(&api.slug)
                .map(|s| (s.visibility, s.teams.clone()))
                .unwrap_or((Visibility::Public, Vec::new()));
            if allowed(vis, &teams, audiences) {
                api_visible.insert(api.slug.clone());
                for op in &api.operations {
                    v.operations
                        .insert((api.slug.clone(), op.method, op.path.clone()));
                }
            } else {
                private_apis.push((api.slug.clone(), teams));
            }
        }
        for p in &portal.packages {
            if allowed(p.visibility, &p.teams, audiences) {
                v.packages.insert(p.slug.clone());
                for po in &p.operations {
                    v.operations
                        .insert((po.api.clone(), po.method, po.path.clone()));
                }
            } else {
                v.left_out.push(why(
                    "package",
                    &format!("`{}` ({})", p.slug, p.name),
                    &p.teams,
                ));
            }
        }
        // An API is rendered when it has at least one visible operation.
        for api in &portal.apis {
            if v.operations.iter().any(|(a, _, _)| a == &api.slug) {
                v.apis.insert(api.slug.clone());
            }
        }
        for (slug, teams) in private_apis {
            let shown = v.operations.iter().filter(|(a, _, _)| *a == slug).count();
            if shown == 0 {
                v.left_out.push(why("API", &format!("`{slug}`"), &teams));
            } else {
                let total = portal
                    .api(&slug)
                    .map(|a| a.operations.len())
                    .unwrap_or(shown);
                v.left_out.push(format!(
                    "{} (only the {shown} of its {total} operations that visible packages expose are shown)",
                    why("API", &format!("`{slug}`"), &teams)
                ));
            }
        }
        for page in &portal.pages {
            if allowed(page.visibility, &page.teams, audiences) {
                v.pages.insert(page.url_path.clone());
            } else {
                v.left_out
                    .push(why("page", &format!("`{}`", page.span.file), &page.teams));
            }
        }
        v
    }

    /// The teams of a private item that this build may name (never other teams).
    pub fn shown_teams(&self, teams: &[String]) -> Vec<String> {
        teams
            .iter()
            .filter(|t| self.audiences.contains(t))
            .cloned()
            .collect()
    }

    /// Teams named by any content of the portal, for checking `--audience` values.
    pub fn known_teams(portal: &Portal) -> BTreeSet<String> {
        let mut t: BTreeSet<String> = BTreeSet::new();
        t.extend(portal.packages.iter().flat_map(|p| p.teams.iter().cloned()));
        t.extend(portal.pages.iter().flat_map(|p| p.teams.iter().cloned()));
        t.extend(
            portal
                .config
                .apis
                .values()
                .flat_map(|a| a.teams.iter().cloned()),
        );
        t
    }

    pub fn operation(&self, api: &str, method: Method, path: &str) -> bool {
        self.operations
            .contains(&(api.to_string(), method, path.to_string()))
    }
}
