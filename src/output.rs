//! Output stage: the rendered files as data ([`Output`]) and the one place that writes them
//! to disk. Writing is all-or-nothing: the new site is assembled in a sibling temporary folder
//! and swapped in with two renames at the end, so a failed build never leaves a half-written
//! portal. A folder that portalgen did not create is never emptied, and files a user adds to
//! the output (a CNAME, a `.git` folder) are carried over to the next build.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One file of the built portal, path relative to the output root with `/` separators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    pub path: String,
    pub bytes: Vec<u8>,
}

impl Output {
    pub fn new(path: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Self {
        Output {
            path: path.into(),
            bytes: bytes.into(),
        }
    }
}

/// The built site in memory, keyed by path (what `serve` serves from). Bodies are shared
/// buffers: a rebuild's new site reuses the unchanged files of the last one without copying.
pub type Site = BTreeMap<String, bytes::Bytes>;

/// Marks a folder as portalgen's output, so it may be replaced on the next build.
pub const MARKER: &str = ".portalgen-output";

/// Why writing failed.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct WriteError(pub String);

/// Check that `out` may be (re)written for the project at `root`.
pub fn check_target(out: &Path, root: &Path) -> Result<(), WriteError> {
    let abs_out = absolute(out);
    let abs_root = absolute(root);
    if abs_root.starts_with(&abs_out) {
        return Err(WriteError(format!(
            "refusing to write the portal to `{}`: it contains the project itself",
            out.display()
        )));
    }
    for input in [
        "apis",
        "packages",
        "pages",
        "gateway",
        "templates",
        "static",
    ] {
        let dir = abs_root.join(input);
        if abs_out.starts_with(&dir) {
            return Err(WriteError(format!(
                "refusing to write the portal to `{}`: it is inside the project's `{input}/` folder",
                out.display()
            )));
        }
    }
    if out.is_file() {
        return Err(WriteError(format!(
            "`{}` is a file, not a folder",
            out.display()
        )));
    }
    if out.is_dir() && !out.join(MARKER).is_file() {
        let non_empty = std::fs::read_dir(out)
            .map(|mut d| d.next().is_some())
            .unwrap_or(false);
        if non_empty {
            return Err(WriteError(format!(
                "refusing to replace `{}`: it is not empty and was not created by portalgen (no {MARKER} file); \
                 choose another folder with --out or empty it first",
                out.display()
            )));
        }
    }
    Ok(())
}

/// Write `outputs` as the complete content of `out`, atomically replacing a previous build.
pub fn write_dir(outputs: &[Output], out: &Path, root: &Path) -> Result<(), WriteError> {
    check_target(out, root)?;
    let out = absolute(out);
    let parent = out
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    std::fs::create_dir_all(&parent).map_err(|e| {
        WriteError(format!(
            "cannot create the folder `{}` for the portal: {e}",
            parent.display()
        ))
    })?;
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "public".into());
    let tmp = parent.join(format!(".{name}.portalgen-new-{}", std::process::id()));
    let old = parent.join(format!(".{name}.portalgen-old-{}", std::process::id()));
    // Files the user added to a previous build (a CNAME, a .git folder of a GitHub Pages
    // worktree, ...) are carried over. Plan that before touching anything: a user file on a
    // path the new build writes stops the build, with the user's files untouched.
    let new: std::collections::BTreeSet<&str> = outputs.iter().map(|o| o.path.as_str()).collect();
    let carried = if out.is_dir() {
        let items = user_files(&out, &previous_outputs(&out), &new);
        if let Some(clash) = items.iter().find(|i| {
            new.contains(i.as_str()) || new.iter().any(|n| n.starts_with(&format!("{i}/")))
        }) {
            return Err(WriteError(format!(
                "`{}` in `{}` was not written by portalgen, and the new build writes the same path; \
                 move or delete it (nothing was changed)",
                clash,
                out.display()
            )));
        }
        items
    } else {
        Vec::new()
    };
    let _ = std::fs::remove_dir_all(&tmp);
    // Every failure names the path it happened at: "Permission denied" alone says nothing
    // about which folder is read-only.
    let at = |path: &Path| {
        let path = path.to_path_buf();
        move |e: std::io::Error| (path, e)
    };
    let result = (|| -> Result<(), (PathBuf, std::io::Error)> {
        std::fs::create_dir_all(&tmp).map_err(at(&tmp))?;
        // Folders first (once each), then the files in parallel: on slow disks the writes'
        // latency overlaps instead of adding up.
        let dirs: std::collections::BTreeSet<PathBuf> = outputs
            .iter()
            .filter_map(|o| tmp.join(&o.path).parent().map(Path::to_path_buf))
            .collect();
        for dir in &dirs {
            std::fs::create_dir_all(dir).map_err(at(dir))?;
        }
        {
            use rayon::prelude::*;
            outputs.par_iter().try_for_each(|o| {
                let path = tmp.join(&o.path);
                std::fs::write(&path, &o.bytes).map_err(at(&path))
            })?;
        }
        let mut marker = String::from(
            "# This folder is generated by `portalgen build`; the files below are replaced on every build.\n# Other files you add here are kept.\n",
        );
        for o in outputs {
            marker.push_str(&o.path);
            marker.push('\n');
        }
        let marker_path = tmp.join(MARKER);
        std::fs::write(&marker_path, marker).map_err(at(&marker_path))?;
        Ok(())
    })();
    if let Err((path, e)) = result {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(WriteError(format!(
            "cannot write the portal: `{}`: {e} (the new build is assembled beside `{}`, so its parent folder must be writable)",
            path.display(),
            out.display()
        )));
    }
    // Move the user's items into the new build; on any failure, put back what moved.
    let mut moved: Vec<&String> = Vec::new();
    for rel in &carried {
        let (from, to) = (out.join(rel), tmp.join(rel));
        let step = to
            .parent()
            .map(std::fs::create_dir_all)
            .unwrap_or(Ok(()))
            .and_then(|_| std::fs::rename(&from, &to));
        if let Err(e) = step {
            for back in moved.iter().rev() {
                let _ = std::fs::rename(tmp.join(back), out.join(back));
            }
            let _ = std::fs::remove_dir_all(&tmp);
            return Err(WriteError(format!(
                "cannot carry `{rel}` over to the new build: {e}; the previous build is unchanged"
            )));
        }
        moved.push(rel);
    }
    if out.exists() {
        std::fs::rename(&out, &old).map_err(|e| {
            let _ = std::fs::remove_dir_all(&tmp);
            WriteError(format!("cannot replace `{}`: {e}", out.display()))
        })?;
    }
    if let Err(e) = std::fs::rename(&tmp, &out) {
        // Put the previous build back.
        let _ = std::fs::rename(&old, &out);
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(WriteError(format!(
            "cannot move the new build into `{}`: {e}",
            out.display()
        )));
    }
    let _ = std::fs::remove_dir_all(&old);
    Ok(())
}

/// Paths a previous build wrote, from its marker file.
fn previous_outputs(out: &Path) -> std::collections::BTreeSet<String> {
    std::fs::read_to_string(out.join(MARKER))
        .map(|t| {
            t.lines()
                .filter(|l| !l.starts_with('#') && !l.is_empty())
                .map(String::from)
                .collect()
        })
        .unwrap_or_default()
}

/// What below `out` no previous build wrote (relative, `/`-separated): files, symlinks, and
/// whole folders that hold nothing of ours and nothing the new build writes.
fn user_files(
    out: &Path,
    ours: &std::collections::BTreeSet<String>,
    new: &std::collections::BTreeSet<&str>,
) -> Vec<String> {
    fn walk(
        base: &Path,
        dir: &Path,
        ours: &std::collections::BTreeSet<String>,
        new: &std::collections::BTreeSet<&str>,
        acc: &mut Vec<String>,
    ) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let path = e.path();
            let rel = crate::source::relative(base, &path);
            if rel == MARKER {
                continue;
            }
            // Symlinks are items of their own, never followed.
            let is_dir = std::fs::symlink_metadata(&path)
                .map(|m| m.is_dir())
                .unwrap_or(false);
            if is_dir {
                let prefix = format!("{rel}/");
                if ours.iter().any(|o| o.starts_with(&prefix))
                    || new.iter().any(|n| n.starts_with(&prefix))
                {
                    walk(base, &path, ours, new, acc);
                } else {
                    acc.push(rel);
                }
            } else if !ours.contains(&rel) {
                acc.push(rel);
            }
        }
    }
    let mut acc = Vec::new();
    walk(out, out, ours, new, &mut acc);
    acc.sort();
    acc
}

fn absolute(p: &Path) -> PathBuf {
    if let Ok(c) = p.canonicalize() {
        return c;
    }
    // Not existing yet: canonicalize the nearest existing ancestor.
    let base = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(p)
    };
    let mut existing = base.clone();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.file_name(), existing.parent()) {
            (Some(n), Some(parent)) => {
                rest.push(n.to_os_string());
                existing = parent.to_path_buf();
            }
            _ => return base,
        }
    }
    let mut out = existing.canonicalize().unwrap_or(existing);
    for n in rest.into_iter().rev() {
        out.push(n);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_foreign_non_empty_folder_and_keeps_it() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("proj");
        std::fs::create_dir_all(&root).unwrap();
        let out = dir.path().join("site");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join("mine.txt"), "keep").unwrap();
        let err = write_dir(&[Output::new("index.html", "x")], &out, &root).unwrap_err();
        assert!(err.0.contains("not created by portalgen"), "{err}");
        assert_eq!(
            std::fs::read_to_string(out.join("mine.txt")).unwrap(),
            "keep"
        );
    }

    #[test]
    fn replaces_previous_build_completely() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("proj");
        std::fs::create_dir_all(&root).unwrap();
        let out = root.join("public");
        write_dir(
            &[
                Output::new("a/index.html", "1"),
                Output::new("old.html", "x"),
            ],
            &out,
            &root,
        )
        .unwrap();
        write_dir(&[Output::new("a/index.html", "2")], &out, &root).unwrap();
        assert_eq!(
            std::fs::read_to_string(out.join("a/index.html")).unwrap(),
            "2"
        );
        assert!(!out.join("old.html").exists());
        assert!(out.join(MARKER).exists());
        let leftovers: Vec<_> = std::fs::read_dir(&root)
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(leftovers.len(), 1, "{leftovers:?}");
    }

    #[test]
    fn keeps_files_the_user_added_to_the_output() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("proj");
        std::fs::create_dir_all(&root).unwrap();
        let out = root.join("public");
        write_dir(
            &[
                Output::new("index.html", "1"),
                Output::new("old/index.html", "x"),
            ],
            &out,
            &root,
        )
        .unwrap();
        std::fs::write(out.join("CNAME"), "docs.example.com").unwrap();
        std::fs::create_dir_all(out.join(".git/objects")).unwrap();
        std::fs::write(out.join(".git/HEAD"), "ref: main").unwrap();
        std::fs::write(out.join("old/notes.txt"), "mine").unwrap();
        write_dir(&[Output::new("index.html", "2")], &out, &root).unwrap();
        assert_eq!(
            std::fs::read_to_string(out.join("CNAME")).unwrap(),
            "docs.example.com"
        );
        assert_eq!(
            std::fs::read_to_string(out.join(".git/HEAD")).unwrap(),
            "ref: main"
        );
        assert_eq!(
            std::fs::read_to_string(out.join("old/notes.txt")).unwrap(),
            "mine"
        );
        assert!(
            !out.join("old/index.html").exists(),
            "a page no longer built is removed"
        );
        assert_eq!(
            std::fs::read_to_string(out.join("index.html")).unwrap(),
            "2"
        );
    }

    #[test]
    fn user_folders_merge_into_generated_ones_and_clashes_change_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("proj");
        std::fs::create_dir_all(&root).unwrap();
        let out = root.join("public");
        write_dir(&[Output::new("index.html", "1")], &out, &root).unwrap();
        std::fs::write(out.join("CNAME"), "docs.example.com").unwrap();
        std::fs::create_dir_all(out.join("guides/extra")).unwrap();
        std::fs::write(out.join("guides/extra/notes.txt"), "mine").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink("/etc", out.join("etc-link")).unwrap();
        // The new build writes into the user's folder: the folder is merged file by file.
        write_dir(
            &[
                Output::new("index.html", "2"),
                Output::new("guides/extra/index.html", "x"),
            ],
            &out,
            &root,
        )
        .unwrap();
        assert_eq!(
            std::fs::read_to_string(out.join("guides/extra/notes.txt")).unwrap(),
            "mine"
        );
        assert_eq!(
            std::fs::read_to_string(out.join("guides/extra/index.html")).unwrap(),
            "x"
        );
        assert_eq!(
            std::fs::read_to_string(out.join("CNAME")).unwrap(),
            "docs.example.com"
        );
        #[cfg(unix)]
        assert!(
            std::fs::symlink_metadata(out.join("etc-link"))
                .unwrap()
                .file_type()
                .is_symlink()
        );
        // A user file on a path the build writes: refused, nothing changes.
        std::fs::write(out.join("about.html"), "hand-written").unwrap();
        let err = write_dir(
            &[
                Output::new("index.html", "3"),
                Output::new("about.html", "gen"),
            ],
            &out,
            &root,
        )
        .unwrap_err();
        assert!(err.0.contains("`about.html`"), "{err}");
        assert_eq!(
            std::fs::read_to_string(out.join("about.html")).unwrap(),
            "hand-written"
        );
        assert_eq!(
            std::fs::read_to_string(out.join("index.html")).unwrap(),
            "2"
        );
        assert_eq!(
            std::fs::read_to_string(out.join("CNAME")).unwrap(),
            "docs.example.com"
        );
    }

    #[test]
    fn write_errors_name_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("proj");
        std::fs::create_dir_all(&root).unwrap();
        // A file where a folder of the output's path must be: no permission trick needed, so
        // this holds when the tests run as root too.
        let blocker = dir.path().join("file");
        std::fs::write(&blocker, "x").unwrap();
        let out = blocker.join("site");
        let err = write_dir(&[Output::new("index.html", "x")], &out, &root).unwrap_err();
        assert!(err.0.contains(&blocker.display().to_string()), "{err}");
    }

    #[test]
    fn refuses_project_root_and_input_folders() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        assert!(check_target(&root, &root).is_err());
        assert!(check_target(&root.join("pages/out"), &root).is_err());
        assert!(check_target(&root.join("public"), &root).is_ok());
    }
}
