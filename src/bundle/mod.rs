//! `kiln bundle`: one archive per host that a host with no network and no controller can
//! check and run. `HOST.tar` holds, under `HOST/`:
//!
//! - `run`, the entry point ([`RUN`]): it checks every file against `SHA256SUMS`, refuses
//!   to run on a mismatch, then runs `script.sh` with its own arguments, with apt or dnf
//!   reading the bundle's `packages/` only (for dnf, `run` exports `KILN_DNF_CONFIG`, a dnf
//!   configuration of its own whose one repository is `packages/`, which the runtime's
//!   dnf and yum commands read instead of the host's: `k_rpm_manager`);
//! - `script.sh`, the host's script as `kiln emit` writes it;
//! - `packages/`, when the script installs apt or dnf packages: the debs and their
//!   dependency closure, fetched on the controller ([`apt`]), and their `Packages` index;
//!   or the rpms and their closure ([`dnf`]) and their `repodata/`;
//! - `README.md`, the exact commands that verify and run the bundle;
//! - `audit.md` and `audit.html`, the audit report of the script (`crate::audit`): what a
//!   reviewer reads and signs off;
//! - `SHA256SUMS` ([`sums`]) of all of these, and `SHA256SUMS.sig` when signed ([`sign`]).
//!
//! Invariant: the same inputs give the same bytes ([`tar`]: sorted entries, one fixed time,
//! `SOURCE_DATE_EPOCH` or 0, fixed owners and modes, no path of the controller). Every file
//! is its owner's only (the script may carry secrets): directories and programs 0700, the
//! rest 0600.

mod apt;
mod dnf;
mod packages;
mod sign;
mod sums;
mod tar;

use std::path::Path;

pub(crate) use apt::{architecture, fetch as fetch_apt};
pub(crate) use dnf::fetch as fetch_dnf;
pub(crate) use dnf::release;
pub(crate) use packages::{Wanted, packages};

use sums::{SIGNATURE, SUMS};

/// The bundle's entry point, the same in every bundle.
const RUN: &str = include_str!("run.sh");

/// Files by name with their content: a bundle's `packages/`.
pub(crate) type Files = Vec<(String, Vec<u8>)>;

/// What a host's bundle is made of.
pub(crate) struct Contents<'a> {
    pub host: &'a str,
    pub script: &'a [u8],
    /// The audit report of the script (`crate::audit`), as Markdown and HTML.
    pub audit: Option<&'a (String, String)>,
    /// The files of `packages/` (debs and `Packages`, or rpms and `repodata/...`), if the
    /// script installs any.
    pub packages: Files,
    /// The private key that signs `SHA256SUMS`.
    pub sign_key: Option<&'a Path>,
    /// The modification time of every entry.
    pub mtime: u64,
}

/// The archive of `contents`.
pub(crate) fn build(contents: &Contents) -> Result<Vec<u8>, String> {
    let readme = readme(contents.host, contents.sign_key.is_some());
    let mut files: Vec<(String, u32, &[u8])> = vec![
        ("README.md".to_owned(), 0o600, readme.as_bytes()),
        ("run".to_owned(), 0o700, RUN.as_bytes()),
        ("script.sh".to_owned(), 0o700, contents.script),
    ];
    if let Some((markdown, html)) = contents.audit {
        files.push(("audit.md".to_owned(), 0o600, markdown.as_bytes()));
        files.push(("audit.html".to_owned(), 0o600, html.as_bytes()));
    }
    files.extend(
        contents
            .packages
            .iter()
            .map(|(name, data)| (format!("packages/{name}"), 0o600, data.as_slice())),
    );
    let listed: Vec<(String, &[u8])> = files
        .iter()
        .map(|(path, _, data)| (path.clone(), *data))
        .collect();
    let list = sums::list(&listed);
    let signature = match contents.sign_key {
        Some(key) => Some(sign::sign(&list, key)?),
        None => None,
    };
    files.push((SUMS.to_owned(), 0o600, list.as_bytes()));
    if let Some(signature) = &signature {
        files.push((SIGNATURE.to_owned(), 0o600, signature));
    }
    let host = contents.host;
    let mut entries = vec![directory(&format!("{host}/"))];
    let mut directories: Vec<String> = contents
        .packages
        .iter()
        .filter_map(|(name, _)| Some(format!("packages/{}", name.rsplit_once('/')?.0)))
        .collect();
    if !contents.packages.is_empty() {
        directories.push("packages".to_owned());
    }
    directories.dedup();
    entries.extend(
        directories
            .iter()
            .map(|d| directory(&format!("{host}/{d}/"))),
    );
    entries.extend(files.into_iter().map(|(path, mode, data)| tar::Entry {
        path: format!("{host}/{path}"),
        mode,
        data: data.to_vec(),
    }));
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    tar::write(&entries, contents.mtime)
}

fn directory(path: &str) -> tar::Entry {
    tar::Entry {
        path: path.to_owned(),
        mode: 0o700,
        data: Vec::new(),
    }
}

/// The bundle's README: what it is and the exact commands that verify and run it.
fn readme(host: &str, signed: bool) -> String {
    let dir = crate::shell::quote(host);
    let tar = crate::shell::quote(&format!("{host}.tar"));
    let verify = if signed {
        format!(
            "    ssh-keygen -Y verify -f ALLOWED_SIGNERS -I IDENTITY -n {} -s {SIGNATURE} < {SUMS}\n",
            sign::NAMESPACE
        )
    } else {
        "    # (this bundle is not signed: make it with `kiln bundle --sign-key KEY` to check who made it)\n".to_owned()
    };
    format!(
        "# kiln bundle for {host}\n\n\
         Everything the host needs to converge, with no network: `script.sh` (the host's\n\
         script, as `kiln emit` writes it), `packages/` (the packages it installs, if any),\n\
         and `run`, which checks every file against `{SUMS}` and runs nothing on a mismatch.\n\n\
         Unpack, check the signature ({SIGNATURE}, over {SUMS}; ALLOWED_SIGNERS is an OpenSSH\n\
         allowed-signers file naming the signer's key as IDENTITY), check the files, then run as root:\n\n\
         \x20   tar -xf {tar}\n\
         \x20   cd {dir}\n\
         {verify}\
         \x20   sha256sum -c --strict {SUMS}\n\
         \x20   sh ./run --check                # what would change\n\
         \x20   sh ./run --report report.json   # converge, and write the run's JSON report\n\n\
         On the controller, `kiln bundle verify {tar} --allowed-signers ALLOWED_SIGNERS` checks the same.\n"
    )
}

/// What `kiln bundle verify` found in an intact bundle.
pub(crate) struct Verified {
    pub host: String,
    pub files: usize,
    pub signer: String,
}

/// Checks the bundle `archive`: every file against `SHA256SUMS` (none missing, none
/// unlisted), and its signature against the allowed-signers file `allowed`. `Err` lists
/// every problem.
pub(crate) fn verify(
    archive: &[u8],
    allowed: &Path,
    identity: Option<&str>,
) -> Result<Verified, Vec<String>> {
    let files = tar::read(archive).map_err(|why| vec![why])?;
    let host = match files.first().and_then(|(path, _)| path.split_once('/')) {
        Some((host, _)) => host.to_owned(),
        None => return Err(vec!["the archive holds no bundle".into()]),
    };
    let mut problems = Vec::new();
    let mut listed = Vec::new();
    let (mut list, mut signature) = (None, None);
    for (path, data) in &files {
        match path.strip_prefix(&format!("{host}/")) {
            Some(SUMS) => list = Some(String::from_utf8_lossy(data).into_owned()),
            Some(SIGNATURE) => signature = Some(data.as_slice()),
            Some(rel) => listed.push((rel.to_owned(), data.as_slice())),
            None => problems.push(format!("{path}: outside the bundle's directory {host}/")),
        }
    }
    let Some(list) = list else {
        problems.push(format!("{host}/{SUMS}: missing"));
        return Err(problems);
    };
    problems.extend(sums::check(&list, &listed));
    let signer = match signature {
        Some(signature) => sign::verify(&list, signature, allowed, identity),
        None => Err(format!(
            "{SIGNATURE}: missing (the bundle is not signed: make it with `--sign-key`)"
        )),
    };
    match signer {
        Ok(signer) if problems.is_empty() => Ok(Verified {
            host,
            files: listed.len(),
            signer,
        }),
        Ok(_) => Err(problems),
        Err(why) => {
            problems.push(why);
            Err(problems)
        }
    }
}

/// Runs `command`; its standard output, or why it failed.
fn run(command: &mut std::process::Command, what: &str) -> Result<Vec<u8>, String> {
    let output = command
        .output()
        .map_err(|e| format!("cannot run {what}: {e}"))?;
    if output.status.success() {
        return Ok(output.stdout);
    }
    Err(format!(
        "{what} failed: {}",
        String::from_utf8_lossy(&output.stderr).trim()
    ))
}
