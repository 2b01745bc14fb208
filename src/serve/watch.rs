//! File watching for `serve`: debounced events on the project, minus the output folder,
//! hidden files and editor temporaries, trigger a full rebuild into memory (correct first;
//! a rebuild of the example takes milliseconds).

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use notify_debouncer_full::notify::{EventKind, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache, new_debouncer};
use tokio::sync::broadcast;

use super::{State, build_into, report};

/// Whether a changed path should trigger a rebuild.
pub fn relevant(project: &Path, path: &Path) -> bool {
    let Ok(rel) = path.strip_prefix(project) else {
        return false;
    };
    let mut comps = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned());
    let Some(first) = comps.next() else {
        return false;
    };
    if first == "public" || first == "target" || first == "node_modules" {
        return false;
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let hidden = rel
        .components()
        .any(|c| c.as_os_str().to_string_lossy().starts_with('.'));
    !(hidden
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".tmp")
        || name.starts_with(".#"))
}

/// Creations, modifications (content, names) and removals; not accesses or metadata.
pub fn is_change(kind: &EventKind) -> bool {
    use notify_debouncer_full::notify::event::ModifyKind;
    match kind {
        EventKind::Create(_) | EventKind::Remove(_) => true,
        EventKind::Modify(ModifyKind::Metadata(_)) => false,
        EventKind::Modify(_) => true,
        EventKind::Access(_) | EventKind::Any | EventKind::Other => false,
    }
}

pub fn spawn(
    project: PathBuf,
    base_url: String,
    audiences: Vec<String>,
    state: Arc<RwLock<State>>,
    tx: broadcast::Sender<u64>,
) -> Result<Debouncer<RecommendedWatcher, RecommendedCache>, String> {
    let root = project.clone();
    let mut debouncer = new_debouncer(
        Duration::from_millis(150),
        None,
        move |result: DebounceEventResult| {
            let Ok(events) = result else { return };
            // Only content changes count: reading the files (our own rebuild opens every one
            // of them) must not trigger another rebuild.
            let changed: Vec<&PathBuf> = events
                .iter()
                .filter(|e| is_change(&e.kind))
                .flat_map(|e| e.paths.iter())
                .filter(|p| relevant(&root, p))
                .collect();
            if changed.is_empty() {
                return;
            }
            let first = changed[0]
                .strip_prefix(&root)
                .unwrap_or(changed[0])
                .display()
                .to_string();
            eprintln!(
                "Change in {first}{}: rebuilding",
                if changed.len() > 1 {
                    format!(" and {} more", changed.len() - 1)
                } else {
                    String::new()
                }
            );
            // A bug in a rebuild must not stop the watcher: report it and keep serving.
            let built = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                build_into(&root, &base_url, &audiences, &state)
            }));
            match built {
                Ok(diags) => report(&diags, &state),
                Err(_) => {
                    eprintln!("internal error during the rebuild (a bug in portalgen); still watching for changes");
                    return;
                }
            }
            let generation = state.read().map(|s| s.generation).unwrap_or(0);
            let _ = tx.send(generation);
        },
    )
    .map_err(|e| e.to_string())?;
    debouncer
        .watch(&project, RecursiveMode::Recursive)
        .map_err(|e| e.to_string())?;
    Ok(debouncer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reading_files_is_not_a_change() {
        use notify_debouncer_full::notify::event::{
            AccessKind, AccessMode, CreateKind, DataChange, ModifyKind,
        };
        assert!(!is_change(&EventKind::Access(AccessKind::Open(
            AccessMode::Any
        ))));
        assert!(!is_change(&EventKind::Access(AccessKind::Close(
            AccessMode::Read
        ))));
        assert!(is_change(&EventKind::Modify(ModifyKind::Data(
            DataChange::Content
        ))));
        assert!(is_change(&EventKind::Create(CreateKind::File)));
    }

    #[test]
    fn filters_output_hidden_and_temp_files() {
        let p = Path::new("/proj");
        assert!(relevant(p, Path::new("/proj/apis/x.yaml")));
        assert!(relevant(p, Path::new("/proj/portal.yaml")));
        assert!(!relevant(p, Path::new("/proj/public/index.html")));
        assert!(!relevant(p, Path::new("/proj/.git/index")));
        assert!(!relevant(p, Path::new("/proj/pages/a.md~")));
        assert!(!relevant(p, Path::new("/other/a.md")));
    }
}
