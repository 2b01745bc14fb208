//! Audiences: which content a build may show. A default build shows public content only;
//! `--audience TEAM` adds private content whose `teams` include that team. Everything that
//! renders, indexes or lists content asks this one [`Visible`] set, so private content cannot
//! leak through a path that forgot to check.

use std::collections::BTreeSet;

use crate::model::{ApiId, OperationId, PackageId, PageId, Portal, Visibility};

/// What one build may show.
#[derive(Debug, Clone, Default)]
pub struct Visible {
    pub apis: BTreeSet<ApiId>,
    pub operations: BTreeSet<OperationId>,
    pub packages: BTreeSet<PackageId>,
    pub pages: BTreeSet<PageId>,
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
        let mut private_apis: Vec<(ApiId, Vec<String>)> = Vec::new();
        for (id, api) in portal.api_ids() {
            let (vis, teams) = portal
                .config
                .api(&api.slug)
                .map(|s| (s.visibility, s.teams.clone()))
                .unwrap_or((Visibility::Public, Vec::new()));
            if allowed(vis, &teams, audiences) {
                v.operations
                    .extend((0..api.operations.len()).map(|i| OperationId::new(id, i)));
            } else {
                private_apis.push((id, teams));
            }
        }
        for (id, p) in portal.package_ids() {
            if allowed(p.visibility, &p.teams, audiences) {
                v.packages.insert(id);
                v.operations
                    .extend(p.operations.iter().map(|po| po.operation));
            } else {
                v.left_out.push(why(
                    "package",
                    &format!("`{}` ({})", p.slug, p.name),
                    &p.teams,
                ));
            }
        }
        // An API is rendered when it has at least one visible operation.
        v.apis = v.operations.iter().map(|o| o.api).collect();
        for (id, teams) in private_apis {
            let api = portal.api(id);
            let shown = v.operations.iter().filter(|o| o.api == id).count();
            if shown == 0 {
                v.left_out
                    .push(why("API", &format!("`{}`", api.slug), &teams));
            } else {
                v.left_out.push(format!(
                    "{} (only the {shown} of its {} operations that visible packages expose are shown)",
                    why("API", &format!("`{}`", api.slug), &teams),
                    api.operations.len()
                ));
            }
        }
        for (id, page) in portal.page_ids() {
            if allowed(page.visibility, &page.teams, audiences) {
                v.pages.insert(id);
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

    pub fn api(&self, id: ApiId) -> bool {
        self.apis.contains(&id)
    }

    pub fn operation(&self, id: OperationId) -> bool {
        self.operations.contains(&id)
    }

    pub fn package(&self, id: PackageId) -> bool {
        self.packages.contains(&id)
    }

    pub fn page(&self, id: PageId) -> bool {
        self.pages.contains(&id)
    }
}
