//! The validated portal: plain data types for every domain concept, no IO. Built by
//! [`crate::validate`] from what [`crate::load`] read; consumed by render, export and serve.

pub mod api;
pub mod audience;
pub mod config;
pub mod gateway;
pub mod package;
pub mod page;
pub mod reach;

pub use api::{Api, Method, Operation};
pub use package::{Duration, Package, PackageOperation, RateLimit, Visibility};
pub use page::Page;

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::kong::OperationRouting;
use crate::model::config::PortalConfig;
use crate::model::gateway::Manifest;

/// The API and operation a package item refers to, among `apis`.
pub fn find_operation<'a>(
    apis: &'a [Api],
    po: &PackageOperation,
) -> Option<(&'a Api, &'a Operation)> {
    let api = apis.iter().find(|a| a.slug == po.api)?;
    let op = api
        .operations
        .iter()
        .find(|o| o.method == po.method && o.path == po.path)?;
    Some((api, op))
}

/// Everything a build needs, validated.
#[derive(Debug)]
pub struct Portal {
    pub root: PathBuf,
    pub config: PortalConfig,
    pub apis: Vec<Api>,
    pub packages: Vec<Package>,
    pub pages: Vec<Page>,
    pub manifest: Manifest,
    /// One entry per operation of every API (sorted by API slug, path, method).
    pub routing: Vec<OperationRouting>,
    /// Template overrides from the project's `templates/`: name → source.
    pub templates: BTreeMap<String, String>,
    /// Files of the project's `static/`: output path → source path.
    pub static_files: BTreeMap<String, PathBuf>,
}

impl Portal {
    pub fn api(&self, slug: &str) -> Option<&Api> {
        self.apis.iter().find(|a| a.slug == slug)
    }

    /// The API and operation a package item refers to.
    pub fn operation(&self, po: &PackageOperation) -> Option<(&Api, &Operation)> {
        find_operation(&self.apis, po)
    }
}
