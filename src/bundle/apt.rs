//! Fetching apt packages on the controller for a host that has no network: a throwaway apt
//! configuration in a temporary directory (its own state, cache and source list, the
//! host's architecture, and an empty dpkg status, so that apt fetches the whole dependency
//! closure, not what the controller happens to have installed), `apt-get install
//! --download-only` (with `--print-uris` first: apt leaves the debs of a `file:` source where
//! they are), and the `Packages` index of what it fetched (`dpkg-scanpackages`),
//! which makes the bundle's `packages/` a flat repository. The packages of ops with
//! `no_recommends` are resolved in a run of their own, without Recommends (whatever the
//! controller's `APT::Install-Recommends`), the others with them, as each op installs them
//! on the host: the bundle holds the union.
//!
//! Nothing of the controller's apt is changed: apt reads the controller's `apt.conf.d` and
//! trusted keys, but every directory it writes to is the temporary one. Programs run
//! without a shell, so the sources and package names are never shell text.

use std::process::Command;

use super::run;

/// The debs of `packages` and of their dependencies (Recommends too), and of
/// `no_recommends` and of their dependencies (without Recommends), for the dpkg architecture
/// `arch`, from `sources` (sources.list lines), and their `Packages` index: (file name,
/// content), sorted by name.
pub(crate) fn fetch(
    packages: &[String],
    no_recommends: &[String],
    sources: &[String],
    arch: &str,
) -> Result<super::Files, String> {
    if sources.is_empty() {
        return Err(
            "the manifest installs apt packages: give the sources to fetch them from with `--apt-source 'deb [trusted=yes] URL SUITE COMPONENT'`".into(),
        );
    }
    let work = tempfile::tempdir().map_err(|e| format!("a temporary directory: {e}"))?;
    let dir = work.path();
    let text = |e: std::io::Error| format!("preparing apt's directory: {e}");
    for sub in [
        "state/lists/partial",
        "cache/archives/partial",
        "parts",
        "repo",
    ] {
        std::fs::create_dir_all(dir.join(sub)).map_err(text)?;
    }
    std::fs::write(dir.join("status"), "").map_err(text)?;
    let mut list = sources.join("\n");
    list.push('\n');
    std::fs::write(dir.join("sources.list"), list).map_err(text)?;
    let at = |sub: &str| dir.join(sub).display().to_string();
    let options = [
        format!("Dir::State={}", at("state")),
        format!("Dir::State::status={}", at("status")),
        format!("Dir::Cache={}", at("cache")),
        format!("Dir::Etc::sourcelist={}", at("sources.list")),
        "Dir::Etc::sourceparts=-".to_owned(),
        format!("Dir::Etc::preferencesparts={}", at("parts")),
        format!("Dir::Etc::preferences={}", at("parts/none")),
        format!("APT::Architecture={arch}"),
        format!("APT::Architectures={arch}"),
        "APT::Sandbox::User=root".to_owned(),
        "Debug::NoLocking=true".to_owned(),
    ];
    let apt = |args: &[&str]| {
        let mut command = Command::new("apt-get");
        command.arg("-q");
        for option in &options {
            command.arg("-o").arg(option);
        }
        command.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        run(&mut command, "apt-get")
    };
    apt(&["update"])?;
    let mut uris = String::new();
    for (list, recommends) in [(packages, "true"), (no_recommends, "false")] {
        if list.is_empty() {
            continue;
        }
        let recommends = format!("APT::Install-Recommends={recommends}");
        let mut install = vec![
            "-o",
            &recommends,
            "install",
            "-y",
            "--print-uris",
            "-qq",
            "--",
        ];
        install.extend(list.iter().map(String::as_str));
        uris.push_str(&String::from_utf8_lossy(&apt(&install)?));
        install[4] = "--download-only";
        apt(&install)?;
    }
    let mut files: super::Files = Vec::new();
    for line in uris.lines() {
        // `'URI' FILE SIZE HASH`: apt leaves a `file:` source's debs where they are, and
        // puts the others in its cache, under FILE.
        let mut words = line.split_whitespace();
        let (Some(uri), Some(name)) = (words.next(), words.next()) else {
            continue;
        };
        if files.iter().any(|(fetched, _)| fetched == name) {
            continue;
        }
        let cached = dir.join("cache/archives").join(name);
        let path = match uri.trim_matches('\'').strip_prefix("file:") {
            Some(path) if !cached.exists() => std::path::PathBuf::from(percent_decoded(path)),
            _ => cached,
        };
        let data = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        std::fs::write(dir.join("repo").join(name), &data).map_err(text)?;
        files.push((name.to_owned(), data));
    }
    let index = run(
        Command::new("dpkg-scanpackages")
            .args(["--multiversion", "."])
            .current_dir(dir.join("repo")),
        "dpkg-scanpackages (of dpkg-dev)",
    )?;
    files.push(("Packages".to_owned(), index));
    files.sort();
    Ok(files)
}

/// `text` with its `%XX` escapes (as apt writes a URI) decoded.
fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = text
            .get(i + 1..i + 3)
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The dpkg architecture of a host: from its facts' `arch` (`uname -m`), else (the host is
/// this machine, `@local`) this machine's (`dpkg --print-architecture`).
pub(crate) fn architecture(machine: Option<&str>) -> Result<String, String> {
    let Some(machine) = machine else {
        let out = run(
            Command::new("dpkg").arg("--print-architecture"),
            "dpkg --print-architecture",
        )?;
        return Ok(String::from_utf8_lossy(&out).trim().to_owned());
    };
    let arch = match machine {
        "x86_64" | "amd64" => "amd64",
        "aarch64" | "arm64" => "arm64",
        "armv7l" | "armv6l" | "armhf" => "armhf",
        "i386" | "i486" | "i586" | "i686" => "i386",
        "ppc64le" | "ppc64el" => "ppc64el",
        "s390x" => "s390x",
        "riscv64" => "riscv64",
        other => return Err(format!("no Debian architecture is known for `{other}`")),
    };
    Ok(arch.to_owned())
}
