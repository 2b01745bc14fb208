//! The validated portal: plain data types for every domain concept, no IO, and no dependency
//! on any other stage (this module imports only [`crate::source`] for positions). Built by
//! [`crate::validate`] from what [`crate::load`] read; consumed by render, export and serve.
//! Entities refer to each other by the typed ids of [`ids`].

pub mod api;
pub mod audience;
pub mod config;
pub mod enforcement;
pub mod gateway;
pub mod ids;
pub mod package;
pub mod page;
pub mod reach;
pub mod routing;
pub mod url;

pub use api::{Api, Method, Operation};
pub use ids::{ApiId, OperationId, PackageId, PageId, RouteId, ServiceId, Slug};
pub use package::{Duration, Package, PackageOperation, RateLimit, Visibility};
pub use page::Page;
pub use routing::{OperationRoute, Status};

use std::collections::BTreeMap;
use std::path::PathBuf;

use config::PortalConfig;
use gateway::Manifest;

/// Everything a build needs, validated.
#[derive(Debug)]
pub struct Portal {
    pub root: PathBuf,
    pub config: PortalConfig,
    pub apis: Vec<Api>,
    pub packages: Vec<Package>,
    pub pages: Vec<Page>,
    pub manifest: Manifest,
    /// The applications of `applications/*.yaml`, resolved.
    pub applications: Vec<enforcement::Application>,
    /// What the gateway export enforces for each operation (filled once the export of the
    /// checked flavor is planned and verified; empty before).
    pub enforcement: enforcement::Enforcement,
    /// The routing verdict of every operation: `routing[api][operation]`.
    pub routing: Vec<Vec<OperationRoute>>,
    /// Which packages hold each operation: `packages_of[api][operation]`, in package order.
    pub packages_of: Vec<Vec<Vec<PackageId>>>,
    /// Template overrides from the project's `templates/`: name → source.
    pub templates: BTreeMap<String, String>,
    /// Files of the project's `static/`: output path → source path.
    pub static_files: BTreeMap<String, PathBuf>,
}

impl Portal {
    pub fn api(&self, id: ApiId) -> &Api {
        &self.apis[id.index()]
    }

    /// The API called `slug`.
    pub fn api_by_slug(&self, slug: &str) -> Option<(ApiId, &Api)> {
        self.apis
            .iter()
            .position(|a| a.slug == slug)
            .map(|i| (ApiId::new(i), &self.apis[i]))
    }

    pub fn package(&self, id: PackageId) -> &Package {
        &self.packages[id.index()]
    }

    pub fn page(&self, id: PageId) -> &Page {
        &self.pages[id.index()]
    }

    /// An operation and its API.
    pub fn operation(&self, id: OperationId) -> (&Api, &Operation) {
        let api = self.api(id.api);
        (api, &api.operations[id.index()])
    }

    /// Every API with its id, in order.
    pub fn api_ids(&self) -> impl Iterator<Item = (ApiId, &Api)> {
        self.apis
            .iter()
            .enumerate()
            .map(|(i, a)| (ApiId::new(i), a))
    }

    /// Every package with its id, in order.
    pub fn package_ids(&self) -> impl Iterator<Item = (PackageId, &Package)> {
        self.packages
            .iter()
            .enumerate()
            .map(|(i, p)| (PackageId::new(i), p))
    }

    /// Every guide page with its id, in order.
    pub fn page_ids(&self) -> impl Iterator<Item = (PageId, &Page)> {
        self.pages
            .iter()
            .enumerate()
            .map(|(i, p)| (PageId::new(i), p))
    }

    /// Every operation of every API with its id, in API order.
    pub fn operations(&self) -> impl Iterator<Item = (OperationId, &Api, &Operation)> {
        self.api_ids().flat_map(|(ai, api)| {
            api.operations
                .iter()
                .enumerate()
                .map(move |(oi, op)| (OperationId::new(ai, oi), api, op))
        })
    }

    /// The packages holding `op`, in package order.
    pub fn packages_of(&self, op: OperationId) -> &[PackageId] {
        &self.packages_of[op.api.index()][op.index()]
    }

    /// The routing verdict of `op`.
    pub fn routing_of(&self, op: OperationId) -> &OperationRoute {
        &self.routing[op.api.index()][op.index()]
    }
}
