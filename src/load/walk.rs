//! Turns the user's paths into the list of files to read: directories are
//! walked in name order, through symlinks (a link back to a folder being
//! walked is a loop and is skipped), leaving out hidden files and folders
//! (`.meshctl.yaml`, `.pre-commit-config.yaml`, `.github/`).

use std::io;
use std::path::{Path, PathBuf};

use walkdir::{DirEntry, WalkDir};

/// Extensions read when walking a directory.
const MANIFEST_EXTENSIONS: &[&str] = &["yaml", "yml", "json"];

/// Files below `path` (or `path` itself, whatever its name).
pub fn collect(path: &Path, out: &mut Vec<PathBuf>) -> io::Result<()> {
    if !std::fs::metadata(path)?.is_dir() {
        out.push(path.to_path_buf());
        return Ok(());
    }
    let walker = WalkDir::new(path)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_hidden(e));
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) if e.loop_ancestor().is_some() => continue,
            Err(e) => return Err(e.into()),
        };
        if entry.file_type().is_file() && is_manifest(entry.path()) {
            out.push(entry.into_path());
        }
    }
    Ok(())
}

fn is_hidden(entry: &DirEntry) -> bool {
    entry.file_name().to_string_lossy().starts_with('.')
}

pub(super) fn is_manifest(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        MANIFEST_EXTENSIONS
            .iter()
            .any(|m| e.eq_ignore_ascii_case(m))
    })
}
