//! portalgen: turns a portal project (OpenAPI documents, API packages, a Kong decK manifest and
//! markdown pages) into a static developer portal and a Kong gateway configuration.
//!
//! The modules read as the pipeline: [`load`] reads files into raw inputs, [`validate`] resolves
//! references and runs every rule into the validated [`model::Portal`], [`render`] turns it into
//! the files of the site, [`output`] writes them; [`export`] writes the gateway configuration,
//! [`serve`] previews the portal, and [`pipeline`] wires the stages for every command.
//! [`kong`] holds Kong's semantics (router, priorities, URIs) used by validation and export.

pub mod cli;
pub mod diagnostics;
pub mod export;
pub mod kong;
pub mod load;
pub mod model;
pub mod output;
pub mod pipeline;
pub mod render;
pub mod serve;
pub mod source;
pub mod tree;
pub mod validate;
