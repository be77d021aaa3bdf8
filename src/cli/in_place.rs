//! `--in-place`: replaces a file's content atomically (a temporary file in
//! the same folder, renamed over it), as a careful editor does: through a
//! symlink to the file it points at, keeping mode, owner and group. A
//! read-only file, or one with other hard links that a rename would leave
//! behind, is refused with nothing written.

use std::io::Write;
use std::path::Path;

use super::CliError;

/// Writes `edited` over `name`, whose content meshctl read as `original`.
pub fn replace(name: &str, original: &str, edited: &str) -> Result<(), CliError> {
    if original == edited {
        return Ok(());
    }
    if name == "-" {
        return Err(CliError(format!(
            "{name}: --in-place needs a file; the input came from stdin"
        )));
    }
    let fail = |e: std::io::Error| CliError(format!("{name}: {e}"));
    // The file a symlink points at gets the edit; the link stays a link.
    let path = std::fs::canonicalize(name).map_err(fail)?;
    let meta = std::fs::metadata(&path).map_err(fail)?;
    if !meta.is_file() {
        return Err(CliError(format!("{name}: --in-place needs a regular file")));
    }
    if meta.permissions().readonly() {
        return Err(CliError(format!(
            "{name} is read-only; nothing written (make it writable, or drop --in-place and redirect the output)"
        )));
    }
    refuse_other_links(name, &meta)?;
    let changed = || -> Result<bool, CliError> {
        Ok(std::fs::read(&path).map_err(fail)? != original.as_bytes())
    };
    let refuse = || {
        CliError(format!(
            "{name} changed since meshctl read it; nothing written (run shift again)"
        ))
    };
    if changed()? {
        return Err(refuse());
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .map_err(|e| CliError(format!("{name}: cannot create a temporary file: {e}")))?;
    tmp.write_all(edited.as_bytes()).map_err(fail)?;
    tmp.as_file().sync_all().map_err(fail)?;
    std::fs::set_permissions(tmp.path(), meta.permissions()).map_err(fail)?;
    keep_owner(name, tmp.path(), &meta)?;
    if changed()? {
        return Err(refuse());
    }
    tmp.persist(&path)
        .map_err(|e| CliError(format!("{name}: cannot replace the file: {}", e.error)))?;
    Ok(())
}

/// A rename gives the path a new file; other hard links would keep the old
/// weights, so a file with several links is refused.
#[cfg(unix)]
fn refuse_other_links(name: &str, meta: &std::fs::Metadata) -> Result<(), CliError> {
    use std::os::unix::fs::MetadataExt;
    match meta.nlink() {
        0 | 1 => Ok(()),
        links => Err(CliError(format!(
            "{name} has {links} hard links, which replacing it would leave with the old weights; nothing written (drop --in-place and redirect the output into the file: `> {name}` keeps the links)"
        ))),
    }
}

#[cfg(not(unix))]
fn refuse_other_links(_: &str, _: &std::fs::Metadata) -> Result<(), CliError> {
    Ok(())
}

/// Gives the new file the owner and group of the old one; refuses when that
/// is not allowed and the owner would change.
#[cfg(unix)]
fn keep_owner(name: &str, tmp: &Path, meta: &std::fs::Metadata) -> Result<(), CliError> {
    use std::os::unix::fs::MetadataExt;
    let (uid, gid) = (meta.uid(), meta.gid());
    if let Err(e) = std::os::unix::fs::chown(tmp, Some(uid), Some(gid)) {
        let now = std::fs::metadata(tmp).map_err(|e| CliError(format!("{name}: {e}")))?;
        if (now.uid(), now.gid()) != (uid, gid) {
            return Err(CliError(format!(
                "{name} belongs to {uid}:{gid}, which meshctl cannot keep ({e}); nothing written"
            )));
        }
    }
    Ok(())
}

#[cfg(not(unix))]
fn keep_owner(_: &str, _: &Path, _: &std::fs::Metadata) -> Result<(), CliError> {
    Ok(())
}
