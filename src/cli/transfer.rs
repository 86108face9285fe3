//! `kiln put` and `kiln fetch`: ad-hoc file copies to and from hosts, in parallel, through
//! the connectors' `put_file` / `get_file` (one round trip per host each).

use std::path::{Component, Path, PathBuf};

use clap::Args;

use crate::connect::{ConnectError, RemoteFile};

use super::LimitOption;
use super::live::{AdHoc, ConnectArgs, print_results};
use super::outln;

#[derive(Args, Debug)]
pub(super) struct PutArgs {
    /// Targets or inventory files.
    #[arg(value_name = "TARGET", required = true)]
    targets: Vec<String>,
    /// The local file to copy.
    #[arg(long, value_name = "FILE")]
    src: PathBuf,
    /// Where the file goes on every host (an absolute path).
    #[arg(long, value_name = "PATH")]
    dest: String,
    /// The file's mode on the hosts, in octal (default: an existing file's, else the
    /// umask's).
    #[arg(long, value_name = "OCTAL", value_parser = parse_mode)]
    mode: Option<String>,
    #[command(flatten)]
    limit: LimitOption,
    #[command(flatten)]
    connect: ConnectArgs,
}

fn parse_mode(text: &str) -> Result<String, String> {
    let valid = (3..=4).contains(&text.len()) && text.bytes().all(|b| (b'0'..=b'7').contains(&b));
    if valid {
        Ok(text.to_owned())
    } else {
        Err("a mode is 3 or 4 octal digits, such as 0644".into())
    }
}

fn absolute(path: &str) -> Result<(), String> {
    if path.starts_with('/') {
        Ok(())
    } else {
        Err(format!(
            "`{path}` is not an absolute path: a host has no current directory to resolve it in"
        ))
    }
}

pub(super) fn put(args: PutArgs) -> u8 {
    if let Err(why) = absolute(&args.dest) {
        eprintln!("kiln: --dest: {why}");
        return 2;
    }
    let data = match std::fs::read(&args.src) {
        Ok(data) => data,
        Err(e) => {
            eprintln!("kiln: --src: {}: {e}", args.src.display());
            return 1;
        }
    };
    let Some(adhoc) = AdHoc::new(&args.targets, &args.limit, &args.connect) else {
        return 1;
    };
    let results = adhoc.on_every_host(|connection| {
        Ok::<_, ConnectError>(connection.put_file(&args.dest, &data, args.mode.as_deref()))
    });
    print_results(results, |host, written| {
        report(
            host,
            written
                .map(|()| format!("wrote {} ({} bytes)", args.dest, data.len()))
                .map_err(|e| e.to_string()),
        )
    })
}

#[derive(Args, Debug)]
pub(super) struct FetchArgs {
    /// Targets or inventory files.
    #[arg(value_name = "TARGET", required = true)]
    targets: Vec<String>,
    /// The file to fetch from every host (an absolute path).
    #[arg(long, value_name = "PATH")]
    src: String,
    /// Local directory: each host's copy goes to DEST/HOST/SRC, as Ansible's `fetch` does.
    #[arg(long, value_name = "DIR")]
    dest: PathBuf,
    #[command(flatten)]
    limit: LimitOption,
    #[command(flatten)]
    connect: ConnectArgs,
}

pub(super) fn fetch(args: FetchArgs) -> u8 {
    if let Err(why) = absolute(&args.src) {
        eprintln!("kiln: --src: {why}");
        return 2;
    }
    let Some(adhoc) = AdHoc::new(&args.targets, &args.limit, &args.connect) else {
        return 1;
    };
    let results =
        adhoc.on_every_host(|connection| Ok::<_, ConnectError>(connection.get_file(&args.src)));
    print_results(results, |host, fetched| {
        let saved = fetched
            .map_err(|e| e.to_string())
            .and_then(|file| save(&args.dest, host, &args.src, &file));
        report(
            host,
            saved
                .map(|(path, bytes)| format!("{} -> {} ({bytes} bytes)", args.src, path.display())),
        )
    })
}

/// `HOST: WHAT WAS DONE` or `HOST: failed: WHY`; whether it was done.
fn report(host: &str, done: Result<String, String>) -> bool {
    match done {
        Ok(done) => {
            outln!("{host}: {done}");
            true
        }
        Err(error) => {
            outln!("{host}: failed: {error}");
            false
        }
    }
}

/// Writes a host's copy under `dir/HOST/SRC`, with the remote file's permission bits (a
/// `0640` file stays `0640`, a `0600` key `0600`), atomically (`live::fetch::save`).
/// Host names and paths are kept inside `dir`: only their normal components are used (no
/// `..`, no root).
fn save(dir: &Path, host: &str, src: &str, file: &RemoteFile) -> Result<(PathBuf, usize), String> {
    let mut path = dir.join(safe_component(host));
    for component in Path::new(src).components() {
        if let Component::Normal(part) = component {
            path.push(part);
        }
    }
    crate::live::fetch::save(&path, &file.content, file.mode)?;
    Ok((path, file.content.len()))
}

/// A host name as one directory name (`@chroot/srv/x` has slashes).
fn safe_component(host: &str) -> String {
    let name: String = host
        .chars()
        .map(|c| if c == '/' || c == '\0' { '_' } else { c })
        .collect();
    match name.as_str() {
        "" | "." | ".." => format!("_{name}"),
        _ => name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn copies_stay_inside_the_directory() {
        let dir = tempfile::tempdir().unwrap();
        let file = RemoteFile {
            content: b"x".to_vec(),
            mode: 0o644,
        };
        let (path, _) = save(dir.path(), "@chroot/srv/x", "/etc/../../passwd", &file).unwrap();
        assert!(path.starts_with(dir.path()), "{}", path.display());
        assert_eq!(path, dir.path().join("@chroot_srv_x/etc/passwd"));
        let (path, _) = save(dir.path(), "..", "/a", &file).unwrap();
        assert_eq!(path, dir.path().join("_../a"));
    }

    #[test]
    fn a_copy_replaces_the_last_one_with_the_remote_mode_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let saved = |content: &[u8], mode| {
            let file = RemoteFile {
                content: content.to_vec(),
                mode,
            };
            save(dir.path(), "h", "/k", &file).unwrap().0
        };
        let path = saved(b"old", 0o644);
        // A link planted where the copy goes is replaced, not followed.
        std::fs::remove_file(&path).unwrap();
        let elsewhere = dir.path().join("elsewhere");
        std::fs::write(&elsewhere, "untouched").unwrap();
        std::os::unix::fs::symlink(&elsewhere, &path).unwrap();
        saved(b"new", 0o600);
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        assert_eq!(std::fs::read(&elsewhere).unwrap(), b"untouched");
        let mode = std::fs::symlink_metadata(&path)
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o7777, 0o600);
        let names: Vec<_> = std::fs::read_dir(dir.path().join("h")).unwrap().collect();
        assert_eq!(names.len(), 1, "no temporary left: {names:?}");
    }

    #[test]
    fn modes_are_octal() {
        assert!(parse_mode("0644").is_ok());
        assert!(parse_mode("755").is_ok());
        assert!(parse_mode("0855").is_err());
        assert!(parse_mode("u+x").is_err());
    }
}
