//! Manifests as they are in a git revision, read with `git ls-tree` and
//! `git cat-file` (no checkout): `meshctl diff --base REV PATHS`.

use std::io::{self, Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use super::LoadError;
use super::walk::is_manifest;

fn git_error(what: &str, detail: &str) -> LoadError {
    LoadError {
        path: what.to_string(),
        error: io::Error::other(detail.trim().to_string()),
    }
}

fn git(args: &[&str]) -> Result<Vec<u8>, LoadError> {
    let out = Command::new("git")
        .args(args)
        .output()
        .map_err(|error| LoadError {
            path: "git".into(),
            error,
        })?;
    if !out.status.success() {
        return Err(git_error(
            &format!("git {}", args.join(" ")),
            &String::from_utf8_lossy(&out.stderr),
        ));
    }
    Ok(out.stdout)
}

/// True for a path none of whose parts is hidden, as a directory walk
/// leaves hidden files and folders out.
fn visible(path: &str) -> bool {
    !path
        .split('/')
        .any(|part| part.starts_with('.') && part != "." && part != "..")
}

/// The manifest files below `paths` in revision `rev`, named `REV:path`,
/// in path order.
pub fn files_at(rev: &str, paths: &[String]) -> Result<Vec<(String, Vec<u8>)>, LoadError> {
    let mut names = Vec::new();
    for path in paths {
        let listed = git(&["ls-tree", "-r", "-z", "--name-only", rev, "--", path])?;
        let found: Vec<String> = listed
            .split(|&b| b == 0)
            .filter(|n| !n.is_empty())
            .map(|n| String::from_utf8_lossy(n).into_owned())
            .collect();
        if found.is_empty() {
            return Err(git_error(
                &format!("{rev}:{path}"),
                "no such file or directory in that revision",
            ));
        }
        let single = found.len() == 1 && Path::new(&found[0]) == Path::new(path);
        names.extend(
            found
                .into_iter()
                .filter(|n| single || (visible(n) && is_manifest(Path::new(n)))),
        );
    }
    contents(rev, names)
}

/// Reads blobs through one `git cat-file --batch`.
fn contents(rev: &str, names: Vec<String>) -> Result<Vec<(String, Vec<u8>)>, LoadError> {
    let spawn_error = |error| LoadError {
        path: "git cat-file".into(),
        error,
    };
    let mut child = Command::new("git")
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(spawn_error)?;
    let mut request = String::new();
    for name in &names {
        request.push_str(&format!("{rev}:./{name}\n"));
    }
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let writer = std::thread::spawn(move || stdin.write_all(request.as_bytes()));
    let mut output = Vec::new();
    child
        .stdout
        .take()
        .expect("stdout is piped")
        .read_to_end(&mut output)
        .map_err(spawn_error)?;
    child.wait().map_err(spawn_error)?;
    writer
        .join()
        .unwrap_or_else(|_| Err(io::Error::other("writer stopped")))
        .map_err(spawn_error)?;
    let mut files = Vec::new();
    let mut rest = output.as_slice();
    for name in names {
        let line_end = rest
            .iter()
            .position(|&b| b == b'\n')
            .ok_or_else(|| git_error(&format!("{rev}:{name}"), "git cat-file ended early"))?;
        let header = String::from_utf8_lossy(&rest[..line_end]).into_owned();
        rest = &rest[line_end + 1..];
        let size: usize = match header.split(' ').collect::<Vec<_>>().as_slice() {
            [_, "blob", size] => size.parse().unwrap_or(0),
            _ => return Err(git_error(&format!("{rev}:{name}"), &header)),
        };
        let Some(blob) = rest.get(..size) else {
            return Err(git_error(
                &format!("{rev}:{name}"),
                "git cat-file ended early",
            ));
        };
        files.push((format!("{rev}:{name}"), blob.to_vec()));
        rest = rest.get(size + 1..).unwrap_or_default();
    }
    Ok(files)
}
