//! Fetching dnf (and yum) packages on the controller for a host that has no network: dnf
//! with a throwaway configuration in a temporary directory (an empty installroot, so that
//! dnf fetches the whole dependency closure, not what the controller happens to have; its
//! own configuration, cache and repositories, those of `--dnf-repo` only; the host's release
//! and architecture), `install --downloadonly`, then the repository metadata of what it
//! fetched (`createrepo_c`), which makes the bundle's `packages/` a repository dnf and yum
//! read.
//!
//! Invariant: the metadata is the same bytes from the same packages. `createrepo_c` writes
//! each package's file time and the time it ran: the packages are dated `mtime` before
//! they are indexed, and `--revision mtime --set-timestamp-to-revision` dates the metadata;
//! `--no-database` leaves out the sqlite files, which are never the same twice.
//!
//! Nothing of the controller's dnf is read or changed: every directory dnf reads or writes
//! is the temporary one. Programs run without a shell, so the URLs and package names are
//! never shell text. The packages' signatures are not checked on the controller (as apt's
//! `[trusted=yes]`): the bundle's signature covers them from there on.

use std::process::Command;

use super::run;

/// The rpms of `packages` and of their dependencies (weak ones too, as dnf installs them)
/// for the host whose `uname -m` is `machine` (else this machine's) and whose dnf release
/// is `release` (`$releasever`), from the repositories at `repos` (base URLs), and their
/// metadata under `repodata/`, dated `mtime`: (file name, content), sorted by name.
pub(crate) fn fetch(
    packages: &[String],
    repos: &[String],
    machine: Option<&str>,
    release: Option<&str>,
    mtime: u64,
) -> Result<super::Files, String> {
    if repos.is_empty() {
        return Err(
            "the manifest installs dnf packages: give the repositories to fetch them from with `--dnf-repo URL`".into(),
        );
    }
    let mut config = "[main]\ngpgcheck=0\ninstall_weak_deps=1\n".to_owned();
    for (n, url) in repos.iter().enumerate() {
        if url.is_empty() || url.chars().any(char::is_whitespace) {
            return Err(format!("--dnf-repo `{url}` is not a URL"));
        }
        config.push_str(&format!("\n[kiln-{n}]\nname=kiln-{n}\nbaseurl={url}\n"));
    }
    let work = tempfile::tempdir().map_err(|e| format!("a temporary directory: {e}"))?;
    let dir = work.path();
    let text = |e: std::io::Error| format!("preparing dnf's directory: {e}");
    for sub in ["root", "repos", "cache", "repo"] {
        std::fs::create_dir_all(dir.join(sub)).map_err(text)?;
    }
    std::fs::write(dir.join("dnf.conf"), config).map_err(text)?;
    let at = |sub: &str| dir.join(sub).display().to_string();
    let mut command = Command::new("dnf");
    command
        .args(["-y", "-q", "--noplugins"])
        .arg(format!("--installroot={}", at("root")))
        .arg(format!("--config={}", at("dnf.conf")))
        .arg(format!("--setopt=reposdir={}", at("repos")))
        .arg(format!("--setopt=cachedir={}", at("cache")))
        .arg(format!(
            "--forcearch={}",
            machine.unwrap_or(std::env::consts::ARCH)
        ));
    if let Some(release) = release {
        command.arg(format!("--releasever={release}"));
    }
    command
        .args(["install", "--downloadonly"])
        .arg(format!("--downloaddir={}", at("repo")))
        .arg("--")
        .args(packages);
    run(&mut command, "dnf")?;
    let time = std::time::UNIX_EPOCH + std::time::Duration::from_secs(mtime);
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir.join("repo")).map_err(text)? {
        let path = entry.map_err(text)?.path();
        std::fs::File::options()
            .write(true)
            .open(&path)
            .and_then(|file| file.set_modified(time))
            .map_err(text)?;
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        files.push((name.into_owned(), std::fs::read(&path).map_err(text)?));
    }
    let revision = mtime.to_string();
    run(
        Command::new("createrepo_c")
            .args(["-q", "--no-database", "--set-timestamp-to-revision"])
            .args(["--revision", &revision, "--workers", "1"])
            .arg(dir.join("repo")),
        "createrepo_c",
    )?;
    for entry in std::fs::read_dir(dir.join("repo/repodata")).map_err(text)? {
        let entry = entry.map_err(text)?;
        let name = format!("repodata/{}", entry.file_name().to_string_lossy());
        files.push((name, std::fs::read(entry.path()).map_err(text)?));
    }
    files.sort();
    Ok(files)
}

/// The `$releasever` of a host with these facts: its OS's major version (`9` on Rocky
/// Linux 9.3, `40` on Fedora 40), else its whole version.
pub(crate) fn release(facts: &serde_json::Value) -> Option<String> {
    let os = facts.get("os")?;
    match os.get("version_major") {
        Some(major) if major.is_u64() => Some(major.to_string()),
        _ => os.get("version")?.as_str().map(str::to_owned),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn the_release_is_the_major_version_else_the_version() {
        let rocky = json!({"os": {"version": "9.3", "version_major": 9}});
        assert_eq!(super::release(&rocky).as_deref(), Some("9"));
        let other = json!({"os": {"version": "12"}});
        assert_eq!(super::release(&other).as_deref(), Some("12"));
        assert_eq!(super::release(&json!({})), None);
    }
}
