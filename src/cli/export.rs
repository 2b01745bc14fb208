//! `portalgen export`: the gateway configuration as decK YAML, to stdout, a file (`-o`) or a
//! folder (`--out-dir`); for `--flavor konnect` also the Konnect catalog beside it
//! (`konnect.yaml` for kongctl, `konnect-packages.json`). The plan (and its problems) comes
//! from the check; this command only writes it: every file or none.

use std::path::{Component, Path, PathBuf};

use super::report::{self, exit_code};
use super::{CommonArgs, EXIT_OK};
use crate::diagnostics::Format;
use crate::export::{self, Flavor, OutputFile};
use crate::pipeline;

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Target gateway (default: `gateway.flavor` of portal.yaml, else konnect).
    #[arg(long, value_name = "FLAVOR", value_parser = flavor_parser())]
    pub flavor: Option<Flavor>,
    /// Write the decK file to FILE instead of stdout (konnect: the catalog files beside it).
    #[arg(short, long, value_name = "FILE", conflicts_with = "out_dir")]
    pub out: Option<PathBuf>,
    /// Write every file of the export into DIR (`kong.yaml`; konnect: `konnect.yaml` and
    /// `konnect-packages.json` too).
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
}

/// `--flavor konnect|kong` (of `check` too).
pub(super) fn flavor_parser() -> impl clap::builder::TypedValueParser<Value = Flavor> {
    use clap::builder::TypedValueParser as _;
    clap::builder::PossibleValuesParser::new(Flavor::NAMES)
        .map(|s| Flavor::parse(&s).unwrap_or_default())
}

/// Where the files go: the folder, the decK file's name, and whether they are written.
struct Target {
    dir: PathBuf,
    deck_name: String,
    write: bool,
}

fn target(args: &ExportArgs) -> Result<Target, String> {
    if let Some(dir) = &args.out_dir {
        return Ok(Target {
            dir: dir.clone(),
            deck_name: "kong.yaml".into(),
            write: true,
        });
    }
    let Some(file) = &args.out else {
        return Ok(Target {
            dir: PathBuf::from("."),
            deck_name: "kong.yaml".into(),
            write: false,
        });
    };
    let name = file
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| format!("`{}` is not a file name", file.display()))?
        .to_string();
    let dir = match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    Ok(Target {
        dir,
        deck_name: name,
        write: true,
    })
}

/// The path from folder `from` to `to` (both absolute), with `/` separators.
fn relative(from: &Path, to: &Path) -> String {
    let a: Vec<Component<'_>> = from.components().collect();
    let b: Vec<Component<'_>> = to.components().collect();
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    if common == 0 {
        // No common root (another drive): kongctl needs relative paths, so say it plainly.
        return to.display().to_string();
    }
    let mut parts: Vec<String> = vec!["..".into(); a.len() - common];
    parts.extend(
        b[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    if parts.is_empty() {
        ".".into()
    } else {
        parts.join("/")
    }
}

/// Write every file or none: each goes to a temporary name first; then the files a folder
/// already holds are set aside, the new ones renamed into place, and the old ones removed. A
/// failure on the way puts the old files back.
fn write_all(dir: &Path, files: &[OutputFile]) -> Result<(), String> {
    let target = |f: &OutputFile| dir.join(&f.name);
    let tmp = |f: &OutputFile| dir.join(format!(".{}.portalgen-tmp", f.name));
    let old = |f: &OutputFile| dir.join(format!(".{}.portalgen-old", f.name));
    let failed =
        |f: &OutputFile, e: std::io::Error| format!("cannot write `{}`: {e}", target(f).display());
    if let Some(f) = files.iter().find(|f| target(f).is_dir()) {
        return Err(format!(
            "cannot write `{}`: a folder of that name is in the way",
            target(f).display()
        ));
    }
    let remove_temps = || {
        for f in files {
            let _ = std::fs::remove_file(tmp(f));
        }
    };
    for f in files {
        if let Err(e) = std::fs::write(tmp(f), &f.content) {
            remove_temps();
            return Err(failed(f, e));
        }
    }
    // Set the current files aside, then move the new ones in.
    let mut aside: Vec<&OutputFile> = Vec::new();
    let mut placed: Vec<&OutputFile> = Vec::new();
    let mut result = Ok(());
    for f in files {
        if target(f).exists() {
            if let Err(e) = std::fs::rename(target(f), old(f)) {
                result = Err(failed(f, e));
                break;
            }
            aside.push(f);
        }
    }
    if result.is_ok() {
        for f in files {
            if let Err(e) = std::fs::rename(tmp(f), target(f)) {
                result = Err(failed(f, e));
                break;
            }
            placed.push(f);
        }
    }
    if result.is_err() {
        for f in placed {
            let _ = std::fs::remove_file(target(f));
        }
        for f in aside {
            let _ = std::fs::rename(old(f), target(f));
        }
        remove_temps();
        return result;
    }
    for f in aside {
        let _ = std::fs::remove_file(old(f));
    }
    Ok(())
}

pub fn run(args: ExportArgs) -> u8 {
    let format = args.common.format;
    let target = match target(&args) {
        Ok(t) => t,
        Err(e) => return report::fatal(&e, format),
    };
    // The export plan of the flavor is part of the check: its problems are in `diags`.
    let checked = match pipeline::check_for(&args.common.project, args.flavor) {
        Ok(c) => c,
        Err(fatal) => return report::fatal(&fatal.0, format),
    };
    let konnect = checked.export.catalog.is_some();
    if konnect && [export::KONGCTL_FILE, export::PACKAGES_FILE].contains(&target.deck_name.as_str())
    {
        report::print(&checked.diags, &checked.sources, format);
        return report::fatal(
            &format!(
                "the decK file cannot be called `{}`: the Konnect catalog is written under that name beside it",
                target.deck_name
            ),
            format,
        );
    }
    let mut diags = checked.diags;
    report::apply_strict(&mut diags, args.common.strict);
    let code = exit_code(&diags, args.common.strict);
    report::print(&diags, &checked.sources, format);
    let files = if code == EXIT_OK {
        if target.write
            && let Err(e) = std::fs::create_dir_all(&target.dir)
        {
            return report::fatal(
                &format!("cannot create `{}`: {e}", target.dir.display()),
                format,
            );
        }
        let dir = match target.dir.canonicalize() {
            Ok(d) => d,
            Err(e) => {
                return report::fatal(
                    &format!("cannot open `{}`: {e}", target.dir.display()),
                    format,
                );
            }
        };
        let project = relative(&dir, &checked.portal.root);
        match export::files(
            &checked.portal,
            &checked.export,
            &target.deck_name,
            &project,
        ) {
            Ok(f) => Some(f),
            Err(e) => return report::fatal(&e, format),
        }
    } else {
        None
    };
    if let (Some(files), true) = (&files, target.write)
        && let Err(e) = write_all(&target.dir, files)
    {
        return report::fatal(&e, format);
    }
    let path_of = |name: &str| target.dir.join(name).display().to_string();
    match format {
        // One JSON document on stdout, always: the files ride inside it (the decK file also
        // as `configuration` when it is not written to a file).
        Format::Json => {
            let deck = files.as_ref().map(|f| &f[0]);
            report::print_json(&serde_json::json!({
                "version": 1,
                "diagnostics": report::diagnostics_json(&diags),
                "output": deck.filter(|_| target.write).map(|f| path_of(&f.name)),
                "configuration": deck.filter(|_| !target.write).map(|f| f.content.clone()),
                "files": files.iter().flatten().map(|f| serde_json::json!({
                    "name": f.name,
                    "path": target.write.then(|| path_of(&f.name)),
                    "content": f.content,
                })).collect::<Vec<_>>(),
            }))
        }
        _ => match &files {
            None => eprintln!(
                "error: the configuration was not exported because the project has errors"
            ),
            Some(files) if target.write => {
                eprintln!(
                    "Wrote the gateway configuration to {}",
                    path_of(&files[0].name)
                );
                if let Some(catalog) = &checked.export.catalog {
                    eprintln!(
                        "Wrote the Konnect catalog to {} and {}",
                        path_of(export::KONGCTL_FILE),
                        path_of(export::PACKAGES_FILE)
                    );
                    notes(&checked.portal, catalog);
                }
            }
            Some(files) => {
                print!("{}", files[0].content);
                if konnect {
                    eprintln!(
                        "note: the Konnect catalog ({}, {}) is written with -o FILE or --out-dir DIR, or carried by --format json",
                        export::KONGCTL_FILE,
                        export::PACKAGES_FILE
                    );
                }
            }
        },
    }
    code
}

/// Defaults the catalog fell back on, said once after writing it.
fn notes(portal: &crate::model::Portal, catalog: &export::konnect::Catalog) {
    let named = portal.config.konnect.control_plane.is_some()
        || crate::validate::konnect::manifest_control_plane(portal).is_some();
    if !named {
        eprintln!(
            "note: the APIs are linked to control plane `{}` (decK's default); name yours with `konnect.control_plane` in portal.yaml",
            catalog.control_plane
        );
    }
    if catalog.portal.is_none() {
        eprintln!(
            "note: nothing is published: portal.yaml names no Konnect Dev Portal (`konnect.portal`)"
        );
    }
}
