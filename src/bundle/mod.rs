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
//! - `audit.md` and `audit.html`, the audit report of the script (`crate::audit`), with
//!   the packages `packages/` carries ([`carried`]): what a reviewer reads and signs off;
//! - `SHA256SUMS` ([`sums`]) of all of these, and `SHA256SUMS.sig` when signed ([`sign`]).
//!
//! Invariant: the same inputs give the same bytes ([`tar`]: sorted entries, one fixed time,
//! `SOURCE_DATE_EPOCH` or 0, fixed owners and modes, no path of the controller). Every file
//! is its owner's only (the script may carry secrets): directories and programs 0700, the
//! rest 0600.

mod apt;
mod carried;
mod dnf;
mod offline;
mod packages;
mod sign;
mod sums;
mod tar;

use std::path::Path;

pub(crate) use apt::{architecture, fetch as fetch_apt};
pub(crate) use carried::carried;
pub(crate) use dnf::fetch as fetch_dnf;
pub(crate) use dnf::release;
pub(crate) use offline::refuse_network;
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
    let mut files: Vec<(String, &[u8])> = vec![
        ("README.md".to_owned(), readme.as_bytes()),
        ("run".to_owned(), RUN.as_bytes()),
        ("script.sh".to_owned(), contents.script),
    ];
    if let Some((markdown, html)) = contents.audit {
        files.push(("audit.md".to_owned(), markdown.as_bytes()));
        files.push(("audit.html".to_owned(), html.as_bytes()));
    }
    files.extend(
        contents
            .packages
            .iter()
            .map(|(name, data)| (format!("packages/{name}"), data.as_slice())),
    );
    let list = sums::list(&files);
    let signature = match contents.sign_key {
        Some(key) => Some(sign::sign(&list, key)?),
        None => None,
    };
    files.push((SUMS.to_owned(), list.as_bytes()));
    if let Some(signature) = &signature {
        files.push((SIGNATURE.to_owned(), signature));
    }
    // The bundle's directory, and `packages/` with each directory in it (`repodata/`).
    let mut directories = std::collections::BTreeSet::from([String::new()]);
    for (name, _) in &contents.packages {
        directories.insert("packages/".to_owned());
        for (at, _) in name.match_indices('/') {
            directories.insert(format!("packages/{}/", &name[..at]));
        }
    }
    let mut entries: Vec<tar::Entry> = directories
        .into_iter()
        .map(|path| (path, &[][..]))
        .chain(files)
        .map(|(path, data)| tar::Entry {
            mode: mode(&path),
            path: format!("{}/{path}", contents.host),
            data: data.to_vec(),
        })
        .collect();
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    tar::write(&entries, contents.mtime)
}

/// The mode of the bundle's member at `path` (relative to its directory; a directory's
/// ends with `/`, the bundle's own is empty): directories and the programs 0700, the rest
/// 0600, all root's. `kiln bundle verify` refuses any other: extracted by root, a member
/// another user may write could be changed after `run` checked it.
fn mode(path: &str) -> u32 {
    if path.is_empty() || path.ends_with('/') || path == "run" || path == "script.sh" {
        0o700
    } else {
        0o600
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
    let members = tar::read(archive).map_err(|why| vec![why])?;
    let host = match members.first().map(|m| m.entry.path.split_once('/')) {
        Some(Some((host, _))) => host.to_owned(),
        _ => return Err(vec!["the archive holds no bundle".into()]),
    };
    let mut problems = Vec::new();
    let mut listed = Vec::new();
    let (mut list, mut signature) = (None, None);
    let mut seen = std::collections::BTreeSet::new();
    for tar::Member { entry, uid, gid } in &members {
        let path = &entry.path;
        if !seen.insert(path) {
            problems.push(format!("{path}: in the archive twice"));
        }
        let Some(rel) = path.strip_prefix(&format!("{host}/")) else {
            problems.push(format!("{path}: outside the bundle's directory {host}/"));
            continue;
        };
        if (*uid, *gid, entry.mode) != (0, 0, mode(rel)) {
            problems.push(format!(
                "{path}: owner {uid}:{gid} and mode {:04o}, where a bundle's are 0:0 and {:04o} \
                 (extracted by root, another user could change it after it was checked)",
                entry.mode,
                mode(rel)
            ));
        }
        match rel {
            SUMS => list = Some(String::from_utf8_lossy(&entry.data).into_owned()),
            SIGNATURE => signature = Some(entry.data.as_slice()),
            _ if path.ends_with('/') => {}
            _ => listed.push((rel.to_owned(), entry.data.as_slice())),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The unsigned bundle of a host `h` whose script is `echo hi`.
    fn members() -> Vec<tar::Member> {
        let contents = Contents {
            host: "h",
            script: b"echo hi\n",
            audit: None,
            packages: Vec::new(),
            sign_key: None,
            mtime: 0,
        };
        tar::read(&build(&contents).unwrap()).unwrap()
    }

    fn rewritten(members: Vec<tar::Member>) -> Vec<u8> {
        let mut archive = Vec::new();
        for member in members {
            // ustar offers no way to write another owner: patch the header tar::write made.
            let mut one = tar::write(std::slice::from_ref(&member.entry), 0).unwrap();
            one[108..115].copy_from_slice(format!("{:07o}", member.uid).as_bytes());
            one[148..156].fill(b' ');
            let sum: u64 = one[..512].iter().map(|&b| u64::from(b)).sum();
            one[148..155].copy_from_slice(format!("{sum:06o}\0").as_bytes());
            archive.extend_from_slice(&one[..one.len() - 1024]);
        }
        archive.resize(archive.len() + 1024, 0);
        archive
    }

    fn problems(archive: &[u8]) -> Vec<String> {
        let unused = Path::new("/nonexistent/allowed_signers");
        verify(archive, unused, None).err().unwrap()
    }

    #[test]
    fn an_intact_unsigned_bundle_has_no_problem_but_its_missing_signature() {
        assert_eq!(
            problems(&rewritten(members())),
            ["SHA256SUMS.sig: missing (the bundle is not signed: make it with `--sign-key`)"]
        );
    }

    #[test]
    fn a_member_another_user_owns_or_may_write_or_found_twice_is_a_problem() {
        let mut members = members();
        let script = members
            .iter()
            .position(|m| m.entry.path == "h/script.sh")
            .unwrap();
        members[script].uid = 65534;
        let readme = members
            .iter_mut()
            .find(|m| m.entry.path == "h/README.md")
            .unwrap();
        readme.entry.mode = 0o666;
        let again = members[script].clone();
        members.push(again);
        let found = problems(&rewritten(members));
        for expected in [
            "h/script.sh: owner 65534:0 and mode 0700, where a bundle's are 0:0 and 0700",
            "h/README.md: owner 0:0 and mode 0666, where a bundle's are 0:0 and 0600",
            "h/script.sh: in the archive twice",
        ] {
            assert!(
                found.iter().any(|p| p.starts_with(expected)),
                "{expected:?} not in {found:#?}"
            );
        }
    }
}
