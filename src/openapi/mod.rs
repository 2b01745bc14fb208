//! OpenAPI front ends: Swagger 2.0, OpenAPI 3.0 and 3.1 documents (YAML or JSON, split across
//! files with `$ref`) loaded into the one internal model of [`crate::model::api`].

use std::path::Path;

use crate::diagnostics::Diagnostics;
use crate::model::Api;
use crate::source::SourceMap;

/// Load the API `slug` whose entry document is `entry` (absolute path below `root`).
/// Registers every file read in `sources`. `None` when the document is unusable.
pub fn load_api(
    root: &Path,
    slug: &str,
    entry: &Path,
    sources: &SourceMap,
) -> (Option<Api>, Diagnostics) {
    let _ = (root, slug, entry, sources);
    (None, Diagnostics::new())
}
