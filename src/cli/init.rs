//! `portalgen init DIR`: writes the bundled example project (embedded in the binary) into an
//! empty or new folder. Never touches a folder that already has files.

use std::path::PathBuf;

use super::{EXIT_FAILURE, EXIT_OK};

include!(concat!(env!("OUT_DIR"), "/example.rs"));

#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// Folder to create the project in (must be empty or not exist).
    pub dir: PathBuf,
}

pub fn run(args: InitArgs) -> u8 {
    let dir = &args.dir;
    if dir.exists() {
        if !dir.is_dir() {
            eprintln!("error: `{}` exists and is not a folder", dir.display());
            return EXIT_FAILURE;
        }
        let non_empty = std::fs::read_dir(dir)
            .map(|mut d| d.next().is_some())
            .unwrap_or(true);
        if non_empty {
            eprintln!(
                "error: `{}` is not empty; portalgen init only writes into an empty or new folder, so nothing was changed",
                dir.display()
            );
            return EXIT_FAILURE;
        }
    }
    for (rel, bytes) in EXAMPLE {
        let path = dir.join(rel);
        let result = path
            .parent()
            .map(std::fs::create_dir_all)
            .unwrap_or(Ok(()))
            .and_then(|_| std::fs::write(&path, bytes));
        if let Err(e) = result {
            eprintln!("error: cannot write `{}`: {e}", path.display());
            return EXIT_FAILURE;
        }
    }
    eprintln!(
        "Created a portal project in {} ({} files).\nNext: portalgen serve {}   (preview)  or  portalgen build {}",
        dir.display(),
        EXAMPLE.len(),
        dir.display(),
        dir.display()
    );
    EXIT_OK
}
