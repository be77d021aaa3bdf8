//! Turns the user's paths into the list of files to read.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// Extensions read when walking a directory.
const MANIFEST_EXTENSIONS: &[&str] = &["yaml", "yml", "json"];

/// Files below `path` (or `path` itself), sorted, skipping hidden files and
/// folders (`.meshctl.yaml`, `.pre-commit-config.yaml`, `.github/`).
pub fn collect(path: &Path, out: &mut Vec<PathBuf>) -> io::Result<()> {
    let meta = fs::metadata(path)?;
    if !meta.is_dir() {
        out.push(path.to_path_buf());
        return Ok(());
    }
    let mut entries: Vec<_> = fs::read_dir(path)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name();
        let hidden = name.to_string_lossy().starts_with('.');
        let file_type = entry.file_type()?;
        let child = entry.path();
        if file_type.is_dir() {
            if !hidden {
                collect(&child, out)?;
            }
        } else if !hidden && is_manifest(&child) && (file_type.is_file() || child.is_file()) {
            out.push(child);
        }
    }
    Ok(())
}

fn is_manifest(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        MANIFEST_EXTENSIONS
            .iter()
            .any(|m| e.eq_ignore_ascii_case(m))
    })
}
