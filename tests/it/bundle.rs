//! `kiln bundle` and `kiln bundle verify`: a host's archive with its script and the apt
//! packages it installs. A flat repository made in the test (two packages built with
//! `dpkg-deb`, one depending on the other, `apt_repository::build_deb`) is served from a
//! loopback HTTP server; the controller's apt fetches from it into a throwaway
//! configuration. The archive must be the same bytes when made again later, verify with
//! the signer's key, and fail to verify with a byte changed in the script, in a file's
//! payload or in a package; in a fresh Debian root with no network, `run` installs the
//! packages and converges, and refuses to run a tampered bundle.

use std::path::Path;
use std::process::{Command, Output};

use crate::apt_repository::{build_deb, build_deb_with, run, serve, sha256};
use crate::chroot::{counts, dpkg_installed, fixtures, text};
use crate::rpm_sources::build_rpm;
use crate::support::debian::Root;
use crate::support::http::Server;
use crate::support::kiln::{PATH, Test};
use crate::support::need::{Need, require};

const PAYLOAD: &str = "payload of the bundle test";

/// A work directory with the repository (kiln-app depends on kiln-lib; kiln-solo) served
/// by the returned server, a manifest refreshing apt's lists (`apt.update`: in a bundle,
/// from its own packages), installing kiln-app (`apt.packages`) and kiln-solo
/// (`package.packages`, apt by the host's facts) and writing a file, an inventory of
/// one host, `vault`, and an Ed25519 key with its allowed-signers file (`ops`).
fn project(dir: &Path) -> Server {
    apt_project(
        dir,
        &[
            build_deb(dir, "kiln-lib", "1.0", None),
            build_deb(dir, "kiln-app", "1.0", Some("kiln-lib (>= 1.0)")),
            build_deb(dir, "kiln-solo", "2.0", None),
        ],
        &format!(
            "[[op]]\nop = \"apt.update\"\ncache_time = \"1h\"\n\n\
             [[op]]\nop = \"apt.packages\"\npackages = [\"kiln-app\"]\n\n\
             [[op]]\nop = \"package.packages\"\npackages = [\"kiln-solo\"]\n\n\
             [[op]]\nop = \"files.put\"\ndest = \"/etc/kiln-bundle\"\ncontent = \"{PAYLOAD}\\n\"\n"
        ),
    )
}

/// A work directory with `debs` (built in `dir`) in a flat repository, `dir/repo`, served
/// by the returned server, `manifest` as `main.toml`, and the host and key of [`signed`].
fn apt_project(dir: &Path, debs: &[String], manifest: &str) -> Server {
    let repo = dir.join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    for deb in debs {
        std::fs::rename(dir.join(deb), repo.join(deb)).unwrap();
    }
    let packages = run(&repo, "dpkg-scanpackages", &["."]);
    std::fs::write(repo.join("Packages"), packages).unwrap();
    std::fs::write(dir.join("main.toml"), manifest).unwrap();
    signed(dir);
    serve(dir)
}

/// In `dir`: an inventory of one host, `vault`, and an Ed25519 key, `key`, with its
/// allowed-signers file, `allowed` (`ops`).
fn signed(dir: &Path) {
    std::fs::write(
        dir.join("inventory.toml"),
        "[hosts.vault]\naddress = \"10.0.0.9\"\n",
    )
    .unwrap();
    run(
        dir,
        "ssh-keygen",
        &["-q", "-t", "ed25519", "-N", "", "-f", "key"],
    );
    let public = std::fs::read_to_string(dir.join("key.pub")).unwrap();
    std::fs::write(dir.join("allowed"), format!("ops {public}")).unwrap();
}

/// `kiln bundle` of the project in `dir` into `dir/out`, signed; the bundle's bytes.
fn bundle(dir: &Path, server: &Server, out: &str) -> Vec<u8> {
    let source = format!("deb [trusted=yes] {} ./", server.url("repo"));
    bundle_from(
        dir,
        &fixtures().join("facts-debian.json"),
        &["--apt-source", &source],
        out,
    )
}

/// `kiln bundle` of the project in `dir`, for a host with the facts `facts`, with the
/// packages from `sources` (`--apt-source LINE`, `--dnf-repo URL`), into `dir/out`,
/// signed; the bundle's bytes.
fn bundle_from(dir: &Path, facts: &Path, sources: &[&str], out: &str) -> Vec<u8> {
    Test::new()
        .current_dir(dir)
        .args(["bundle", "main.toml", "-i", "inventory.toml", "--facts"])
        .arg(facts.display().to_string())
        .args(sources.iter().copied())
        .args(["--sign-key", "key", "-o", out])
        .run()
        .assert_status(0)
        .assert_stderr(&format!("wrote {out}/vault.tar\n"));
    std::fs::read(dir.join(out).join("vault.tar")).unwrap()
}

/// `kiln bundle verify` of `bundle` (written to `dir/check.tar`), with the project's
/// allowed signers.
fn verify(dir: &Path, bundle: &[u8]) -> crate::support::kiln::Output {
    std::fs::write(dir.join("check.tar"), bundle).unwrap();
    Test::new()
        .current_dir(dir)
        .args([
            "bundle",
            "verify",
            "check.tar",
            "--allowed-signers",
            "allowed",
        ])
        .run()
}

/// `bundle` with the byte after the last `needle` changed.
fn tampered(bundle: &[u8], needle: &[u8]) -> Vec<u8> {
    // The last occurrence: members are sorted, and `script.sh` comes after the audit
    // report, which shows the same file content.
    let at = bundle
        .windows(needle.len())
        .rposition(|w| w == needle)
        .unwrap_or_else(|| panic!("{:?} is not in the bundle", String::from_utf8_lossy(needle)))
        + needle.len();
    let mut copy = bundle.to_vec();
    copy[at] ^= 1;
    copy
}

/// The bundle `make` writes into `dir/OUT/vault.tar`, made twice more than a second apart
/// (`first`, `second`): the same bytes (`cmp`), every entry root's and dated 0, no path of
/// `dir` inside. The first bundle and its `tar -tvf` listing.
fn built_twice(dir: &Path, make: impl Fn(&str) -> Vec<u8>) -> (Vec<u8>, String) {
    let first = make("first");
    std::thread::sleep(std::time::Duration::from_millis(1100));
    make("second");
    let status = Command::new("cmp")
        .arg(dir.join("first/vault.tar"))
        .arg(dir.join("second/vault.tar"))
        .status()
        .unwrap();
    assert!(status.success(), "two builds differ");
    let listing = run(dir, "tar", &["-tvf", "first/vault.tar"]);
    assert!(
        listing
            .lines()
            .all(|l| l.contains("root/root") && l.contains("1970-01-01")),
        "{listing}"
    );
    assert!(!String::from_utf8_lossy(&first).contains(&dir.display().to_string()));
    (first, listing)
}

#[test]
fn the_same_inputs_give_the_same_bytes_and_a_changed_byte_fails_verification() {
    require!(Need::AptRepoTools, Need::Sshd);
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    let server = project(dir);
    let (first, listing) = built_twice(dir, |out| bundle(dir, &server, out));
    for member in [
        "vault/README.md",
        "vault/audit.html",
        "vault/audit.md",
        "vault/SHA256SUMS",
        "vault/SHA256SUMS.sig",
        "vault/packages/Packages",
        "vault/packages/kiln-app_1.0_all.deb",
        "vault/packages/kiln-lib_1.0_all.deb",
        "vault/packages/kiln-solo_2.0_all.deb",
        "vault/run",
        "vault/script.sh",
    ] {
        assert!(listing.contains(member), "{member} missing:\n{listing}");
    }
    verify(dir, &first).assert_status(0).assert_stdout(
        "check.tar: the bundle of vault, 9 files, all as listed in SHA256SUMS, signed by ops\n",
    );
    // The README's commands, run as written, check the signature with OpenSSH alone.
    run(dir, "tar", &["-xf", "first/vault.tar"]);
    let readme = std::fs::read_to_string(dir.join("vault/README.md")).unwrap();
    let command = "ssh-keygen -Y verify -f ALLOWED_SIGNERS -I IDENTITY -n kiln-bundle -s SHA256SUMS.sig < SHA256SUMS";
    assert!(readme.contains(command), "{readme}");
    // The audit report names the exact packages carried, dependencies too, with digests.
    let audit = std::fs::read_to_string(dir.join("vault/audit.md")).unwrap();
    for deb in [
        "kiln-app_1.0_all.deb",
        "kiln-lib_1.0_all.deb",
        "kiln-solo_2.0_all.deb",
    ] {
        let digest = sha256(&dir.join("vault/packages").join(deb));
        let (name, rest) = deb.split_once('_').unwrap();
        let version = rest.split('_').next().unwrap();
        let line = format!("- `{name}` `{version}` (`all`): `{deb}`, SHA-256 `{digest}`");
        assert!(audit.contains(&line), "{line} not in:\n{audit}");
    }
    let command = command
        .replace("ALLOWED_SIGNERS", "../allowed")
        .replace("IDENTITY", "ops");
    run(&dir.join("vault"), "sh", &["-c", &command]);
    for (what, needle) in [
        ("the script", &b"Generated by kiln"[..]),
        ("a payload", PAYLOAD.as_bytes()),
        ("a package", b"data.tar"),
    ] {
        let output = verify(dir, &tampered(&first, needle));
        assert_eq!(output.status, 1, "a changed byte in {what} verified");
        output.assert_stderr_contains("its SHA-256 differs from SHA256SUMS's");
    }
    // Another key's signature is refused too.
    std::fs::remove_file(dir.join("key")).unwrap();
    run(
        dir,
        "ssh-keygen",
        &["-q", "-t", "ed25519", "-N", "", "-f", "key"],
    );
    let other = bundle(dir, &server, "other");
    verify(dir, &other)
        .assert_status(1)
        .assert_stderr_contains("SHA256SUMS.sig: made by no key of allowed");
}

#[test]
fn another_package_manager_is_refused_at_its_op() {
    Test::new()
        .file(
            "main.toml",
            "[[op]]\nop = \"apk.packages\"\npackages = [\"nginx\"]\n",
        )
        .args(["bundle", "main.toml", "-i", "@local", "-o", "out"])
        .run()
        .assert_status(1)
        .assert_stderr(
            "kiln::unsupported

  × `apk.packages` installs with apk, whose packages a bundle cannot carry: kiln fetches them on
  │ the controller with apt or dnf (which Debian ships), and no apk, pacman or zypper there
  │ resolves a host's packages
   ╭─[main.toml:1:1]
 1 │ [[op]]
   · ───┬──
   ·    ╰── its packages would need the network on the host
 2 │ op = \"apk.packages\"
   ╰────
  help: use `apt.packages` on Debian/Ubuntu hosts or `dnf.packages` on Fedora/RHEL hosts, give
        their facts with `--facts`, or leave the op out with `--skip-tags`
",
        );
    // `package.packages` installs with the host's manager, which only its facts say.
    Test::new()
        .file(
            "main.toml",
            "[[op]]\nop = \"package.packages\"\npackages = [\"nginx\"]\n",
        )
        .args(["bundle", "main.toml", "-i", "@local", "-o", "out"])
        .run()
        .assert_status(1)
        .assert_stderr_contains(
            "the package manager of @local is unknown, so its packages cannot be fetched",
        );
    // A host has one package manager: a script that installs with both is refused.
    Test::new()
        .file(
            "main.toml",
            "[[op]]\nop = \"apt.packages\"\npackages = [\"curl\"]\n\n\
             [[op]]\nop = \"dnf.packages\"\npackages = [\"nginx\"]\n",
        )
        .args(["bundle", "main.toml", "-i", "@local", "-o", "out", "--facts"])
        .arg(fixtures().join("facts-debian.json").display().to_string())
        .run()
        .assert_status(1)
        .assert_stderr_contains(
            "@local: its script installs both apt and dnf packages, and a host has one package manager",
        );
    // `enablerepo` names a repository of the host's, which dnf would not find in the
    // bundle's configuration ("Unknown repo"): refused at the argument.
    Test::new()
        .file(
            "main.toml",
            "[[op]]\nop = \"dnf.packages\"\npackages = [\"nginx\"]\nenablerepo = [\"epel\"]\n",
        )
        .args(["bundle", "main.toml", "-i", "@local", "-o", "out"])
        .run()
        .assert_status(1)
        .assert_stderr_contains("`enablerepo` names repositories of the host's")
        .assert_stderr_contains("╭─[main.toml:4:14]");
    // Packages are fetched for the host's architecture, which only its facts say (this
    // machine's is a fact of `@local` alone): no guess.
    Test::new()
        .file(
            "main.toml",
            "[[op]]\nop = \"apt.packages\"\npackages = [\"curl\"]\n",
        )
        .file("inventory.toml", "[hosts.vault]\n")
        .args(["bundle", "main.toml", "-i", "inventory.toml", "-o", "out"])
        .run()
        .assert_status(1)
        .assert_stderr_contains("kiln: vault: its architecture is unknown");
}

#[test]
fn source_date_epoch_dates_the_entries_and_the_identity_is_checked() {
    require!(Need::Sshd);
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    std::fs::write(
        dir.join("main.toml"),
        "[[op]]\nop = \"files.put\"\ndest = \"/etc/x\"\ncontent = \"x\"\n",
    )
    .unwrap();
    std::fs::write(dir.join("inventory.toml"), "[hosts.vault]\n").unwrap();
    run(
        dir,
        "ssh-keygen",
        &["-q", "-t", "ed25519", "-N", "", "-f", "key"],
    );
    let public = std::fs::read_to_string(dir.join("key.pub")).unwrap();
    std::fs::write(dir.join("allowed"), format!("ops {public}")).unwrap();
    let make = |out: &str, sign: bool| {
        Test::new()
            .current_dir(dir)
            .env("SOURCE_DATE_EPOCH", "1700000000")
            .args(["bundle", "main.toml", "-i", "inventory.toml", "-o", out])
            .args(if sign {
                vec!["--sign-key", "key"]
            } else {
                Vec::new()
            })
            .run()
            .assert_status(0);
    };
    make("signed", true);
    make("unsigned", false);
    let listing = run(dir, "tar", &["--utc", "-tvf", "signed/vault.tar"]);
    assert!(
        listing.lines().all(|l| l.contains("2023-11-14 22:13")),
        "{listing}"
    );
    // No packages: no packages/ directory.
    assert!(!listing.contains("packages"), "{listing}");
    let verify_as = |bundle: &str, identity: &str| {
        Test::new()
            .current_dir(dir)
            .args(["bundle", "verify", bundle, "--allowed-signers", "allowed"])
            .args(["--identity", identity])
            .run()
    };
    verify_as("signed/vault.tar", "ops").assert_status(0);
    verify_as("signed/vault.tar", "someone")
        .assert_status(1)
        .assert_stderr_contains("not a good signature of SHA256SUMS by someone");
    verify_as("unsigned/vault.tar", "ops")
        .assert_status(1)
        .assert_stderr_contains("SHA256SUMS.sig: missing");
    // A key ssh-keygen cannot sign with: said, and no bundle written.
    Test::new()
        .current_dir(dir)
        .args(["bundle", "main.toml", "-i", "inventory.toml", "-o", "bad"])
        .args(["--sign-key", "missing"])
        .run()
        .assert_status(1)
        .assert_stderr_contains("kiln: vault: signing with missing (ssh-keygen) failed: ");
    assert!(!dir.join("bad").exists());
}

/// `run` runs nothing when another user could change the bundle between its check and its
/// use: unpacked in a directory `nobody` owns (who could swap the bundle's directory), with
/// a member anyone may write, or with one `nobody` owns (what root's `tar -x` makes of a
/// header naming that owner: `kiln bundle verify` refuses such an archive). Each time
/// `nobody` first does it for real (the attack works on such a bundle), then `run` refuses
/// and runs nothing. Unpacked in a directory of root's, `nobody` cannot, and the bundle runs.
#[test]
fn run_refuses_a_bundle_another_user_could_change() {
    require!(Need::Root, Need::UtilLinux);
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    // `nobody` may walk to the bundles: only their own modes and owners keep it out.
    run(dir, "chmod", &["0755", "."]);
    let dest = dir.join("written");
    let planted = dir.join("planted");
    std::fs::write(
        dir.join("main.toml"),
        format!(
            "[[op]]\nop = \"files.put\"\ndest = {:?}\ncontent = \"x\\n\"\n",
            dest.display().to_string()
        ),
    )
    .unwrap();
    // What the attacker appends to the script: a file of its choosing, made as root.
    let attack = format!("echo 'touch {}' >> script.sh", planted.display());
    let as_nobody = |cwd: &Path, script: &str| {
        Command::new("setpriv")
            .args([
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                "sh",
                "-c",
            ])
            .arg(script)
            .current_dir(cwd)
            .status()
            .unwrap()
            .success()
    };
    std::fs::write(dir.join("inventory.toml"), "[hosts.vault]\n").unwrap();
    Test::new()
        .current_dir(dir)
        .args(["bundle", "main.toml", "-i", "inventory.toml", "-o", "out"])
        .run()
        .assert_status(0);
    let unpack_in = |parent: &str| {
        let at = dir.join(parent);
        std::fs::create_dir(&at).unwrap();
        run(
            &at,
            "tar",
            &["-xf", &dir.join("out/vault.tar").display().to_string()],
        );
        at.join("vault")
    };
    let run_bundle = |bundle: &Path| Command::new("sh").arg(bundle.join("run")).output().unwrap();
    let refused = |bundle: &Path, culprit: &str| {
        let output = run_bundle(bundle);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{stderr}");
        assert!(
            stderr.contains("another user could change it after it is checked: nothing was run")
                && stderr.contains(culprit),
            "{culprit} not named: {stderr}"
        );
        assert!(
            !dest.exists() && !planted.exists(),
            "the script ran: {stderr}"
        );
    };

    let shared = unpack_in("shared");
    run(dir, "chown", &["65534", "shared"]);
    assert!(
        as_nobody(&dir.join("shared"), "mv vault swapped && mv swapped vault"),
        "nobody cannot swap the bundle in its own directory"
    );
    refused(&shared, &dir.join("shared").display().to_string());

    let writable = unpack_in("writable");
    run(dir, "chmod", &["0755", "writable/vault"]);
    run(&writable, "chmod", &["o+w", "script.sh"]);
    assert!(
        as_nobody(&writable, &attack),
        "nobody cannot write script.sh"
    );
    refused(&writable, "./script.sh");

    let owned = unpack_in("owned");
    run(dir, "chmod", &["0755", "owned/vault"]);
    run(&owned, "chown", &["65534", "script.sh"]);
    assert!(
        as_nobody(&owned, &attack),
        "nobody cannot write its script.sh"
    );
    refused(&owned, "./script.sh");

    let private = unpack_in("private");
    assert!(
        !as_nobody(&private, &attack),
        "nobody wrote a private bundle"
    );
    let output = run_bundle(&private);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(std::fs::read_to_string(&dest).unwrap(), "x\n");
    assert!(!planted.exists());
}

/// Unpacks `archive` into `/bundle` of `root`.
fn unpack(root: &Root, archive: &[u8]) {
    std::fs::create_dir_all(root.at("/bundle")).unwrap();
    std::fs::write(root.at("/bundle/vault.tar"), archive).unwrap();
    root.sh_ok("cd /bundle && tar -xf vault.tar");
}

/// Runs `sh /bundle/vault/run args...` in `root` with no network (a new, empty network
/// namespace) and a clean environment.
fn run_offline(root: &Root, args: &[&str]) -> Output {
    Command::new("unshare")
        .arg("--net")
        .arg("chroot")
        .arg(root.path())
        .args(["/usr/bin/env", "-i", &format!("PATH={PATH}"), "HOME=/root"])
        .args(["/bin/sh", "/bundle/vault/run"])
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn a_bundle_installs_its_packages_and_converges_with_no_network() {
    require!(
        Need::DebianRoot,
        Need::AptRepoTools,
        Need::Sshd,
        Need::UtilLinux
    );
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    let server = project(dir);
    let archive = bundle(dir, &server, "out");
    // A changed byte in the script, a payload or a package: nothing runs, nothing is
    // installed or written; the same root then takes the intact bundle.
    let root = Root::new();
    for needle in [&b"Generated by kiln"[..], PAYLOAD.as_bytes(), b"data.tar"] {
        unpack(&root, &tampered(&archive, needle));
        let refused = run_offline(&root, &[]);
        assert_eq!(refused.status.code(), Some(1), "{}", text(&refused));
        assert!(
            String::from_utf8_lossy(&refused.stderr)
                .contains("do not match SHA256SUMS: nothing was run"),
            "{}",
            text(&refused)
        );
        assert!(!dpkg_installed(&root, "kiln-lib") && !root.at("/etc/kiln-bundle").exists());
    }
    unpack(&root, &archive);
    let requests = server.requests().len();
    let lists_dated = root.sh_ok("stat -c %Y /var/lib/apt/lists");
    let check = run_offline(&root, &["--check"]);
    assert!(check.status.success(), "{}", text(&check));
    assert!(!dpkg_installed(&root, "kiln-app"));
    let first = run_offline(&root, &[]);
    assert!(first.status.success(), "{}", text(&first));
    assert_eq!(
        counts(&check).1,
        counts(&first).1,
        "{}\n{}",
        text(&check),
        text(&first)
    );
    for package in ["kiln-app", "kiln-lib", "kiln-solo"] {
        assert!(dpkg_installed(&root, package), "{package} is not installed");
    }
    assert_eq!(root.read("/etc/kiln-bundle"), format!("{PAYLOAD}\n"));
    let second = run_offline(&root, &["--report", "/root/report.json"]);
    let (_, changed, failed, _) = counts(&second);
    assert!(
        second.status.success() && changed == 0 && failed == 0,
        "the second run was not a no-op:\n{}",
        text(&second)
    );
    // `run` hands `--report` to the script: the run's result, carried back as JSON.
    let report: serde_json::Value =
        serde_json::from_str(&root.read("/root/report.json")).expect("the report is JSON");
    let host = &report["hosts"][0];
    assert_eq!(host["host"], "vault", "{report}");
    assert_eq!(host["status"], "ok", "{report}");
    assert_eq!(host["changed"], 0, "{report}");
    assert_eq!(
        server.requests().len(),
        requests,
        "the host reached the server"
    );
    // apt read the bundle's index into a directory of its own, not the host's lists, and
    // `apt.update`'s refresh from the bundle dated its own lists, not the host's.
    let lists = root.sh_ok("ls /var/lib/apt/lists");
    assert!(!lists.contains("repo"), "{lists}");
    assert_eq!(root.sh_ok("stat -c %Y /var/lib/apt/lists"), lists_dated);
}

/// A 64-digit digest for the manifests below (never checked: nothing is downloaded).
const DIGEST: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One op of each kind whose script would reach the network from the host, as its
/// definition decides (`opdef::Network`), with the arguments (TOML lines; `DIGEST` is
/// replaced) that make it do so.
const REACHES_THE_NETWORK: &[(&str, &str)] = &[
    (
        "apt.deb",
        "url = \"https://example.com/a.deb\"\nsha256 = \"DIGEST\"",
    ),
    (
        "apt.key",
        "dest = \"/etc/apt/keyrings/a.asc\"\nurl = \"https://example.com/a.asc\"",
    ),
    (
        "apt.ppa",
        "ppa = \"ppa:deadsnakes/ppa\"\nfingerprint = \"F23C5A6CF475977595C89F51BA6932366A755776\"",
    ),
    (
        "apt.sources",
        "filename = \"a\"\nuris = [\"http://deb.example.com/debian\"]\nsuites = [\"bookworm\"]\ncomponents = [\"main\"]\nupdate = false\nsigned_by = \"https://example.com/a.asc\"\nfingerprint = \"F23C5A6CF475977595C89F51BA6932366A755776\"",
    ),
    ("apt.upgrade", ""),
    ("brew.packages", "packages = [\"jq\"]"),
    ("cargo.packages", "packages = [\"ripgrep\"]"),
    (
        "dnf.key",
        "key = \"https://example.com/a.asc\"\nfingerprint = \"F23C5A6CF475977595C89F51BA6932366A755776\"",
    ),
    (
        "dnf.rpm",
        "url = \"https://example.com/a.rpm\"\nsha256 = \"DIGEST\"",
    ),
    (
        "docker.container",
        "container = \"web\"\nimage = \"nginx:1.27\"",
    ),
    ("docker.image", "image = \"nginx:1.27\""),
    (
        "files.download",
        "url = \"https://example.com/a\"\ndest = \"/opt/a\"\nsha256 = \"DIGEST\"",
    ),
    (
        "files.unarchive",
        "url = \"https://example.com/a.tar.gz\"\nsha256 = \"DIGEST\"\ndest = \"/opt/a\"",
    ),
    ("flatpak.packages", "packages = [\"org.videolan.VLC\"]"),
    ("gem.packages", "packages = [\"rake\"]"),
    (
        "git.repo",
        "repo = \"https://example.com/a.git\"\ndest = \"/srv/a\"",
    ),
    (
        "git.repo",
        "repo = \"git@example.com:a.git\"\ndest = \"/srv/a\"",
    ),
    ("npm.packages", "packages = [\"typescript\"]"),
    ("pip.packages", "packages = [\"requests\"]"),
    ("pipx.packages", "packages = [\"black\"]"),
    ("server.wait", "port = 5432\nhost = \"db.example.com\""),
    ("snap.packages", "packages = [\"hello\"]"),
    (
        "ssh.known_hosts",
        "host = \"git.example.com\"\nkeyscan = true",
    ),
    (
        "yum.key",
        "key = \"http://example.com/a.asc\"\nfingerprint = \"F23C5A6CF475977595C89F51BA6932366A755776\"",
    ),
    (
        "yum.rpm",
        "url = \"https://example.com/a.rpm\"\nsha256 = \"DIGEST\"",
    ),
    (
        "zypper.key",
        "key = \"https://example.com/a.asc\"\nfingerprint = \"F23C5A6CF475977595C89F51BA6932366A755776\"",
    ),
    (
        "zypper.rpm",
        "url = \"https://example.com/a.rpm\"\nsha256 = \"DIGEST\"",
    ),
];

/// Ops that need no network with these arguments, among them the argument-dependent ones
/// of [`REACHES_THE_NETWORK`] written the other way (`a.deb` and `a.tar.gz` are files of
/// the project).
const OFFLINE: &[(&str, &str)] = &[
    ("apt.deb", "src = \"a.deb\""),
    (
        "apt.ppa",
        "ppa = \"ppa:deadsnakes/ppa\"\nfingerprint = \"F23C5A6CF475977595C89F51BA6932366A755776\"\npresent = false",
    ),
    (
        "apt.repo",
        "src = \"deb http://deb.example.com/debian bookworm main\"",
    ),
    (
        "apt.sources",
        "filename = \"a\"\nuris = [\"http://deb.example.com/debian\"]\nsuites = [\"bookworm\"]\ncomponents = [\"main\"]",
    ),
    ("apt.update", "cache_time = \"1h\""),
    (
        "apt.sources",
        "filename = \"a\"\nuris = [\"http://deb.example.com/debian\"]\nsuites = [\"bookworm\"]\ncomponents = [\"main\"]\nupdate = false\nsigned_by = \"/usr/share/keyrings/a.gpg\"",
    ),
    (
        "dnf.key",
        "key = \"/etc/pki/a.asc\"\nfingerprint = \"F23C5A6CF475977595C89F51BA6932366A755776\"",
    ),
    (
        "dnf.repo",
        "repoid = \"a\"\nbaseurl = [\"https://example.com/a\"]",
    ),
    (
        "docker.container",
        "container = \"web\"\nstate = \"absent\"",
    ),
    ("docker.image", "image = \"nginx:1.27\"\npresent = false"),
    ("files.unarchive", "src = \"a.tar.gz\"\ndest = \"/opt/a\""),
    ("git.repo", "repo = \"/srv/a.git\"\ndest = \"/srv/a\""),
    (
        "git.repo",
        "repo = \"file:///srv/a.git\"\ndest = \"/srv/a\"",
    ),
    ("pip.packages", "packages = [\"requests\"]\npresent = false"),
    ("server.command", "argv = [\"true\"]\ncreates = \"/etc/a\""),
    ("server.wait", "port = 5432"),
    (
        "ssh.known_hosts",
        "host = \"git.example.com\"\nkey = \"git.example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKtmVh0eMOXBPAZVeQdfwT3/DqNRg3wp6KoUJG9fIVAc\"",
    ),
];

/// `kiln bundle` of a manifest whose one op is `op` with `args`, for `@local`, into `out`.
fn bundle_one(op: &str, args: &str) -> crate::support::kiln::Output {
    let args = args.replace("DIGEST", DIGEST);
    Test::new()
        .file("main.toml", format!("[[op]]\nop = \"{op}\"\n{args}\n"))
        .file("a.deb", "a package")
        .file("a.tar.gz", "an archive")
        .args(["bundle", "main.toml", "-i", "@local", "-o", "out"])
        .run()
}

#[test]
fn an_op_that_reaches_the_network_is_refused_at_the_op_and_no_bundle_is_written() {
    for (op, args) in REACHES_THE_NETWORK {
        let output = bundle_one(op, args);
        let context = format!("{op} with {args:?}:\n{}", output.stderr);
        assert_eq!(output.status, 1, "{context}");
        assert!(
            output
                .stderr
                .contains(&format!("`{op}` reaches the network from the host"))
                && output.stderr.contains("╭─[main.toml:1:1]"),
            "{context}"
        );
        assert!(!output.tempdir.path().join("out").exists(), "{context}");
    }
    for (op, args) in OFFLINE {
        let output = bundle_one(op, args);
        let context = format!("{op} with {args:?}:\n{}", output.stderr);
        assert_eq!(output.status, 0, "{context}");
        assert!(
            output.tempdir.path().join("out/@local.tar").is_file(),
            "{context}"
        );
    }
}

/// Decided for every host, from its arguments as bound for it: one host's refusal leaves
/// no archive for the others; a host whose `when` skips the op is not refused.
#[test]
fn a_network_op_of_one_host_leaves_no_bundle_for_any() {
    let manifest = "[[op]]\nop = \"files.put\"\ndest = \"/etc/a\"\ncontent = \"a\"\n\n\
                    [[op]]\nop = \"files.download\"\nurl = \"https://example.com/a\"\n\
                    dest = \"/opt/a\"\nsha256 = \"DIGEST\"\nwhen = \"not offline\"\n"
        .replace("DIGEST", DIGEST);
    let inventory = "[hosts.a]\naddress = \"10.0.0.1\"\nvars = { offline = true }\n\n\
                     [hosts.b]\naddress = \"10.0.0.2\"\nvars = { offline = false }\n";
    let refused = Test::new()
        .file("main.toml", &manifest)
        .file("inventory.toml", inventory)
        .args(["bundle", "main.toml", "-i", "inventory.toml", "-o", "out"])
        .run();
    refused
        .assert_status(1)
        .assert_stderr_contains("`files.download` reaches the network from the host (always)")
        .assert_stderr_contains("╭─[main.toml:6:1]");
    assert!(!refused.tempdir.path().join("out").exists());
    Test::new()
        .file("main.toml", &manifest)
        .file("inventory.toml", inventory)
        .args([
            "bundle",
            "main.toml",
            "-i",
            "inventory.toml",
            "-o",
            "out",
            "-l",
            "a",
        ])
        .run()
        .assert_status(0)
        .assert_stderr("wrote out/a.tar\n");
}

#[test]
fn no_recommends_leaves_the_recommends_out_of_the_closure() {
    require!(Need::AptRepoTools, Need::Sshd);
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    let server = apt_project(
        dir,
        &[
            build_deb_with(dir, "kiln-lean", "1.0", "Recommends: kiln-extra\n"),
            build_deb(dir, "kiln-extra", "1.0", None),
            build_deb_with(dir, "kiln-full", "1.0", "Recommends: kiln-bonus\n"),
            build_deb(dir, "kiln-bonus", "1.0", None),
        ],
        "[[op]]\nop = \"apt.packages\"\npackages = [\"kiln-lean\"]\nno_recommends = true\n\n\
         [[op]]\nop = \"apt.packages\"\npackages = [\"kiln-full\"]\n",
    );
    bundle(dir, &server, "out");
    let listing = run(dir, "tar", &["-tf", "out/vault.tar"]);
    for member in ["kiln-lean", "kiln-full", "kiln-bonus"] {
        assert!(
            listing.contains(&format!("vault/packages/{member}_1.0_all.deb")),
            "{member} missing:\n{listing}"
        );
    }
    assert!(!listing.contains("kiln-extra"), "{listing}");
}

/// A dnf repository, `dir/rpms` (kiln-app requires kiln-lib; `createrepo_c`), served by
/// the returned server; a manifest installing kiln-app (`dnf.packages`) and writing a
/// file; the host and key of [`signed`]; and `facts-dnf.json`, the Debian root's facts
/// with dnf as its package manager.
fn dnf_project(dir: &Path) -> Server {
    let rpms = dir.join("rpms");
    std::fs::create_dir_all(&rpms).unwrap();
    for rpm in [
        build_rpm(dir, "kiln-lib", "1.0", None),
        build_rpm(dir, "kiln-app", "1.0", Some("kiln-lib >= 1.0")),
    ] {
        std::fs::rename(&rpm, rpms.join(rpm.file_name().unwrap())).unwrap();
    }
    run(dir, "createrepo_c", &["-q", "rpms"]);
    std::fs::write(
        dir.join("main.toml"),
        format!(
            "[[op]]\nop = \"dnf.packages\"\npackages = [\"kiln-app\"]\n\n\
             [[op]]\nop = \"files.put\"\ndest = \"/etc/kiln-bundle\"\ncontent = \"{PAYLOAD}\\n\"\n"
        ),
    )
    .unwrap();
    let debian = std::fs::read_to_string(fixtures().join("facts-debian.json")).unwrap();
    let mut facts: serde_json::Value = serde_json::from_str(&debian).unwrap();
    facts["pkg"]["manager"] = "dnf".into();
    std::fs::write(dir.join("facts-dnf.json"), facts.to_string()).unwrap();
    signed(dir);
    serve(dir)
}

/// `kiln bundle` of the [`dnf_project`] in `dir` into `dir/out`; the bundle's bytes.
fn dnf_bundle(dir: &Path, server: &Server, out: &str) -> Vec<u8> {
    let repo = server.url("rpms");
    bundle_from(
        dir,
        &dir.join("facts-dnf.json"),
        &["--dnf-repo", &repo],
        out,
    )
}

#[test]
fn a_dnf_bundle_holds_the_closure_and_the_same_inputs_give_the_same_bytes() {
    require!(Need::DnfRepoTools, Need::Sshd);
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    let server = dnf_project(dir);
    let (first, listing) = built_twice(dir, |out| dnf_bundle(dir, &server, out));
    for member in [
        "vault/packages/kiln-app-1.0-1.noarch.rpm",
        "vault/packages/kiln-lib-1.0-1.noarch.rpm",
        "vault/packages/repodata/repomd.xml",
        "-primary.xml.gz",
    ] {
        assert!(listing.contains(member), "{member} missing:\n{listing}");
    }
    // No sqlite (never the same twice).
    assert!(!listing.contains("sqlite"), "{listing}");
    // The audit report names each rpm as its header does, with its digest.
    run(dir, "tar", &["-xf", "first/vault.tar"]);
    let audit = std::fs::read_to_string(dir.join("vault/audit.md")).unwrap();
    for name in ["kiln-app", "kiln-lib"] {
        let rpm = format!("{name}-1.0-1.noarch.rpm");
        let digest = sha256(&dir.join("vault/packages").join(&rpm));
        let line = format!("- `{name}` `1.0-1` (`noarch`): `{rpm}`, SHA-256 `{digest}`");
        assert!(audit.contains(&line), "{line} not in:\n{audit}");
    }
    verify(dir, &first)
        .assert_status(0)
        .assert_stdout_contains("all as listed in SHA256SUMS, signed by ops");
    let output = verify(dir, &tampered(&first, b"\xed\xab\xee\xdb"));
    assert_eq!(output.status, 1, "a changed byte in a package verified");
}

#[test]
fn a_dnf_bundle_installs_its_packages_and_converges_with_no_network() {
    require!(
        Need::DebianRoot,
        Need::DnfRepoTools,
        Need::Sshd,
        Need::UtilLinux
    );
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    let server = dnf_project(dir);
    let archive = dnf_bundle(dir, &server, "out");
    // A host whose dnf is real: Debian's dnf and rpm (rpm's database in ~/.rpmdb).
    let root = Root::with_packages(&["dnf", "rpm"]);
    unpack(&root, &archive);
    let requests = server.requests().len();
    let installed = |root: &Root| {
        root.sh("HOME=/root rpm -q kiln-app kiln-lib")
            .status
            .success()
    };
    let check = run_offline(&root, &["--check"]);
    assert!(check.status.success(), "{}", text(&check));
    assert!(!installed(&root));
    let first = run_offline(&root, &[]);
    assert!(first.status.success(), "{}", text(&first));
    assert_eq!(
        counts(&check).1,
        counts(&first).1,
        "{}\n{}",
        text(&check),
        text(&first)
    );
    assert!(installed(&root), "{}", text(&first));
    assert_eq!(root.read("/etc/kiln-bundle"), format!("{PAYLOAD}\n"));
    let second = run_offline(&root, &[]);
    let (_, changed, failed, _) = counts(&second);
    assert!(
        second.status.success() && changed == 0 && failed == 0,
        "the second run was not a no-op:\n{}",
        text(&second)
    );
    assert_eq!(
        server.requests().len(),
        requests,
        "the host reached the server"
    );
    // dnf read the bundle's repository with a cache of its own, not the host's.
    let cache = root.sh_ok("ls -A /var/cache/dnf 2>/dev/null; true");
    assert!(!cache.contains("kiln-bundle"), "{cache}");
}
