//! File watching for `serve`: notify events on the project (recursively) and on the folders of
//! files the last build read outside it (`$ref` targets such as `../shared/owner.yaml`), cut
//! into bursts, one rebuild per burst.
//!
//! A burst ends after a quiet period with no relevant event ([`super::Options::debounce`],
//! 20 ms by default: an editor's save, a formatter touching many files or a `git checkout`
//! fall inside one burst, and a guide edit still reloads the browser within tens of
//! milliseconds); a burst that never goes quiet is cut after [`MAX_BURST`]. Relevant are
//! content changes (not reads: the rebuild itself opens every file) of files the last build
//! read, or of new files where the loader looks (portal.yaml, `apis/`, `packages/`, `pages/`,
//! `gateway/`, `templates/`, `static/`, `gateway.manifests`); never the temporary, swap and
//! backup files of editors ([`is_editor_temp`]), hidden files, or the output folders.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher};

/// The longest a burst may last before it is rebuilt anyway.
pub const MAX_BURST: Duration = Duration::from_secs(2);

/// Whether an event kind changes content: creations, writes, renames and removals; not
/// accesses (a rebuild reads every file) or metadata.
pub fn is_change(kind: &EventKind) -> bool {
    use notify::event::ModifyKind;
    match kind {
        EventKind::Create(_) | EventKind::Remove(_) => true,
        EventKind::Modify(ModifyKind::Metadata(_)) => false,
        EventKind::Modify(_) => true,
        EventKind::Access(_) | EventKind::Any | EventKind::Other => false,
    }
}

/// Temporary, swap, lock and backup files editors and tools write beside the file they save:
/// vim (`4913`, `.x.swp`, `x~`), emacs (`#x#`, `.#x`), JetBrains IDEs (`x___jb_tmp___`,
/// `x___jb_old___`), VS Code (`x.crswap`), `sed -i` (`sedAbC123`), Kate (`x.kate-swp`), gedit
/// (`.goutputstream-*`), Office (`~$x`) and `.bak`/`.tmp`/`.swp`/`.swo` files.
pub fn is_editor_temp(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    name.ends_with('~')
        || name.starts_with(".#")
        || (name.len() > 2 && name.starts_with('#') && name.ends_with('#'))
        || name.starts_with("~$")
        || name.ends_with("___jb_tmp___")
        || name.ends_with("___jb_old___")
        || name.starts_with(".goutputstream-")
        || [
            ".swp",
            ".swo",
            ".swx",
            ".swpx",
            ".crswap",
            ".kate-swp",
            ".bak",
            ".tmp",
            ".temp",
        ]
        .iter()
        .any(|ext| lower.ends_with(ext))
        || is_vim_probe(name)
        || is_sed_temp(name)
}

/// vim checks that it may create files in a folder by writing `4913` (then `5036`, `5159`, …
/// while those exist).
fn is_vim_probe(name: &str) -> bool {
    name.parse::<u64>()
        .is_ok_and(|n| n >= 4913 && (n - 4913) % 123 == 0 && !name.starts_with('0'))
}

/// GNU `sed -i` writes `sed` + six random letters or digits, then renames it over the file.
fn is_sed_temp(name: &str) -> bool {
    name.len() == 9
        && name.starts_with("sed")
        && name[3..].bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Decides which changed paths concern the build.
pub struct Filter {
    root: PathBuf,
    /// Every file the last build read.
    read: BTreeSet<PathBuf>,
    manifests: globset::GlobSet,
}

impl Filter {
    pub fn new(root: &Path, read: BTreeSet<PathBuf>, manifests: &[String]) -> Filter {
        let mut b = globset::GlobSetBuilder::new();
        for g in manifests {
            if let Ok(glob) = globset::Glob::new(g) {
                b.add(glob);
            }
        }
        Filter {
            root: root.to_path_buf(),
            read,
            manifests: b.build().unwrap_or_else(|_| globset::GlobSet::empty()),
        }
    }

    /// Whether a change of `path` may change the build.
    pub fn relevant(&self, path: &Path) -> bool {
        if self.read.contains(path) {
            return true;
        }
        let Ok(rel) = path.strip_prefix(&self.root) else {
            return false;
        };
        let parts: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        let Some(first) = parts.first() else {
            return false;
        };
        let name = parts.last().expect("non-empty");
        if parts.iter().any(|p| p.starts_with('.')) || is_editor_temp(name) {
            return false;
        }
        if parts.len() == 1 {
            return first == "portal.yaml" || self.manifests.is_match(rel);
        }
        matches!(
            first.as_str(),
            "apis" | "packages" | "pages" | "gateway" | "templates" | "static"
        ) || self.manifests.is_match(rel)
    }

    /// The folders outside the project holding files the last build read.
    pub fn outside_dirs(&self) -> BTreeSet<PathBuf> {
        self.read
            .iter()
            .filter(|p| !p.starts_with(&self.root))
            .filter_map(|p| p.parent().map(Path::to_path_buf))
            .collect()
    }
}

/// The watcher and the folders it watches outside the project.
pub struct Watch {
    watcher: RecommendedWatcher,
    outside: BTreeSet<PathBuf>,
    pub events: mpsc::Receiver<notify::Result<notify::Event>>,
}

impl Watch {
    /// Watch `root` recursively.
    pub fn new(root: &Path) -> Result<Watch, String> {
        let (tx, events) = mpsc::channel();
        let mut watcher = notify::recommended_watcher(move |e| {
            let _ = tx.send(e);
        })
        .map_err(|e| e.to_string())?;
        watcher
            .watch(root, RecursiveMode::Recursive)
            .map_err(|e| e.to_string())?;
        Ok(Watch {
            watcher,
            outside: BTreeSet::new(),
            events,
        })
    }

    /// Watch exactly `dirs` outside the project (folders, not files: editors replace files).
    pub fn set_outside(&mut self, dirs: BTreeSet<PathBuf>) {
        for gone in self.outside.difference(&dirs) {
            let _ = self.watcher.unwatch(gone);
        }
        for new in dirs.difference(&self.outside) {
            if let Err(e) = self.watcher.watch(new, RecursiveMode::NonRecursive) {
                eprintln!("warning: cannot watch `{}`: {e}", new.display());
            }
        }
        self.outside = dirs;
    }

    /// Wait for the next burst of relevant changes: blocks until one starts, then gathers
    /// until `quiet` passes without a relevant event (or [`MAX_BURST`]). `None` when the
    /// watcher is gone.
    pub fn next_burst(&self, filter: &Filter, quiet: Duration) -> Option<BTreeSet<PathBuf>> {
        let mut paths = BTreeSet::new();
        let add = |e: notify::Result<notify::Event>, paths: &mut BTreeSet<PathBuf>| {
            let Ok(e) = e else { return false };
            if !is_change(&e.kind) {
                return false;
            }
            let before = paths.len();
            paths.extend(e.paths.into_iter().filter(|p| filter.relevant(p)));
            paths.len() > before
        };
        loop {
            let e = self.events.recv().ok()?;
            if add(e, &mut paths) {
                break;
            }
        }
        let started = Instant::now();
        let mut last = Instant::now();
        loop {
            let deadline = (last + quiet).min(started + MAX_BURST);
            let now = Instant::now();
            if now >= deadline {
                return Some(paths);
            }
            match self.events.recv_timeout(deadline - now) {
                Ok(e) => {
                    if add(e, &mut paths) {
                        last = Instant::now();
                    }
                }
                Err(mpsc::RecvTimeoutError::Timeout) => return Some(paths),
                Err(mpsc::RecvTimeoutError::Disconnected) => return None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reading_files_is_not_a_change() {
        use notify::event::{AccessKind, AccessMode, CreateKind, DataChange, ModifyKind};
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
    fn editor_temporaries() {
        for t in [
            "4913",
            "5036",
            ".getting-started.md.swp",
            "x.md.swo",
            "x.md~",
            "#x.md#",
            ".#x.md",
            "x.md___jb_tmp___",
            "x.md___jb_old___",
            "x.md.crswap",
            "sedAb12Cd",
            "x.yaml.bak",
            "x.tmp",
            "~$report.md",
            ".goutputstream-ABC123",
            "x.md.kate-swp",
        ] {
            assert!(is_editor_temp(t), "{t}");
        }
        for real in [
            "getting-started.md",
            "4914",
            "orders.yaml",
            "sed.md",
            "sediment.md",
            "#hashtag.md",
            "logo.svg",
        ] {
            assert!(!is_editor_temp(real), "{real}");
        }
    }

    #[test]
    fn filters_output_hidden_temp_and_unread_files() {
        let root = Path::new("/proj");
        let read: BTreeSet<PathBuf> = [
            "/proj/apis/x.yaml",
            "/shared/owner.yaml",
            "/proj/kong/extra.yaml",
        ]
        .iter()
        .map(PathBuf::from)
        .collect();
        let f = Filter::new(root, read, &["kong/*.yaml".to_string()]);
        for yes in [
            "/proj/apis/x.yaml",
            "/proj/apis/new.yaml",
            "/proj/portal.yaml",
            "/proj/pages/a/b.md",
            "/proj/static/logo.png",
            "/shared/owner.yaml",
            "/proj/kong/other.yaml",
        ] {
            assert!(f.relevant(Path::new(yes)), "{yes}");
        }
        for no in [
            "/proj/public/index.html",
            "/proj/.git/index",
            "/proj/pages/a.md~",
            "/proj/pages/4913",
            "/proj/README.md",
            "/proj/node_modules/x/y.js",
            "/shared/other.yaml",
            "/other/a.md",
        ] {
            assert!(!f.relevant(Path::new(no)), "{no}");
        }
        assert_eq!(
            f.outside_dirs().into_iter().collect::<Vec<_>>(),
            vec![PathBuf::from("/shared")]
        );
    }
}
