//! `apt.sources`, `apt.ppa` and `apt.deb` against a real apt, in the Debian root (`support::debian`,
//! so as root): a repository made in the test (two packages built with `dpkg-deb`, one
//! depending on the other, indexed by `dpkg-scanpackages`, its `Release` signed with a key
//! gpg makes in the test) is served from a loopback HTTP server of the test
//! (`support::http`), with the key, armored, beside it. Each scenario is emitted, run with
//! `--check`, applied, and applied again (which must change nothing), as in `chroot.rs`.
//! `apt.ppa` gets its key from that server as a keyserver, and its suite from an
//! `/etc/os-release` of Ubuntu's written into the root (Launchpad itself is not reached:
//! `update = false`).
//!
//! The root gets gpg and curl from the Debian mirror its apt uses (package-registry
//! traffic): `apt.sources` needs gpg to check a key's fingerprint, and a downloader.

use std::path::Path;
use std::process::Command;

use crate::chroot::{converge, dpkg_installed, emit_file, text};
use crate::support::debian::Root;
use crate::support::http::Server;
use crate::support::kiln::Test;
use crate::support::need::{Need, require};

/// Runs `program args...` in `dir`, which must succeed; its standard output.
pub(crate) fn run(dir: &Path, program: &str, args: &[&str]) -> String {
    let output = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
    assert!(
        output.status.success(),
        "{program} {args:?} failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Builds `NAME_VERSION_all.deb` in `dir` with `dpkg-deb`: one file,
/// `/usr/share/kiln-test/NAME`, and `depends` as its `Depends`.
pub(crate) fn build_deb(dir: &Path, name: &str, version: &str, depends: Option<&str>) -> String {
    let depends = depends
        .map(|d| format!("Depends: {d}\n"))
        .unwrap_or_default();
    build_deb_with(dir, name, version, &depends)
}

/// [`build_deb`] with `fields` (control lines, each ending in a newline) in its control
/// file: `Recommends: ...\n`.
pub(crate) fn build_deb_with(dir: &Path, name: &str, version: &str, fields: &str) -> String {
    let tree = dir.join(format!("{name}-tree"));
    std::fs::create_dir_all(tree.join("DEBIAN")).unwrap();
    std::fs::create_dir_all(tree.join("usr/share/kiln-test")).unwrap();
    std::fs::write(tree.join("usr/share/kiln-test").join(name), version).unwrap();
    std::fs::write(
        tree.join("DEBIAN/control"),
        format!(
            "Package: {name}\nVersion: {version}\nArchitecture: all\nMaintainer: kiln tests <tests@kiln.invalid>\n\
             {fields}Description: a package the kiln tests build\n"
        ),
    )
    .unwrap();
    let deb = format!("{name}_{version}_all.deb");
    run(
        dir,
        "dpkg-deb",
        &[
            "--root-owner-group",
            "--build",
            &tree.display().to_string(),
            &deb,
        ],
    );
    deb
}

pub(crate) fn sha256(path: &Path) -> String {
    run(Path::new("/"), "sha256sum", &[&path.display().to_string()])
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned()
}

/// A signed flat repository in `dir/repo` holding `debs`, and the key, armored, in
/// `dir/key.asc`; its fingerprint.
fn signed_repository(dir: &Path, debs: &[&str]) -> String {
    let repo = dir.join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    for deb in debs {
        std::fs::copy(dir.join(deb), repo.join(deb)).unwrap();
    }
    let packages = run(&repo, "dpkg-scanpackages", &["--multiversion", "."]);
    std::fs::write(repo.join("Packages"), &packages).unwrap();
    let release = format!(
        "Origin: kiln-test\nLabel: kiln-test\nSuite: kiln-test\nCodename: kiln-test\nDate: {}Architectures: all\nSHA256:\n {} {} Packages\n",
        run(dir, "date", &["-R", "-u"]),
        sha256(&repo.join("Packages")),
        packages.len()
    );
    std::fs::write(repo.join("Release"), release).unwrap();
    let home = dir.join("gnupg");
    std::fs::create_dir_all(&home).unwrap();
    let home = home.display().to_string();
    let gpg = |args: &[&str]| {
        let mut all = vec!["--homedir", &home, "--batch", "--quiet"];
        all.extend_from_slice(args);
        run(dir, "gpg", &all)
    };
    gpg(&[
        "--passphrase",
        "",
        "--quick-gen-key",
        "kiln test <tests@kiln.invalid>",
        "ed25519",
        "sign",
        "never",
    ]);
    gpg(&["--armor", "--output", "key.asc", "--export"]);
    gpg(&["--output", "repo/InRelease", "--clearsign", "repo/Release"]);
    gpg(&["--with-colons", "--list-keys"])
        .lines()
        .find_map(|line| {
            line.strip_prefix("fpr:")
                .map(|rest| rest.trim_matches(':').to_owned())
        })
        .expect("the new key's fingerprint")
}

/// Serves the files under `dir` (404 for others).
pub(crate) fn serve(dir: &Path) -> Server {
    let dir = dir.to_path_buf();
    Server::start(move |request| {
        let rel = request.path.trim_start_matches('/').replace("/./", "/");
        match std::fs::read(dir.join(rel)) {
            Ok(bytes) if !request.path.contains("..") => ("200 OK", bytes),
            _ => ("404 Not Found", Vec::new()),
        }
    })
}

/// A root with gpg and curl, which `apt.sources` runs on the host.
fn root_with_gpg() -> Root {
    let root = Root::new();
    root.sh_ok(
        "DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends gpg curl >/dev/null",
    );
    root
}

#[test]
fn a_signed_source_and_debs_with_dependencies() {
    require!(Need::DebianRoot, Need::Shellcheck, Need::AptRepoTools);
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    let lib = build_deb(dir, "kiln-lib", "1.0", None);
    let app = build_deb(dir, "kiln-app", "1.0", Some("kiln-lib (>= 1.0)"));
    let solo = build_deb(dir, "kiln-solo", "2.0", None);
    let fingerprint = signed_repository(dir, &[&lib, &app]);
    let server = serve(dir);
    let root = root_with_gpg();
    let manifest = dir.join("main.toml");
    std::fs::write(
        &manifest,
        format!(
            r#"
[[op]]
op = "apt.sources"
filename = "kiln-test"
uris = ["{repo}"]
suites = ["./"]
signed_by = "{key}"
fingerprint = "{fingerprint}"

[[op]]
op = "apt.deb"
url = "{app_url}"
sha256 = "{app_sha}"

[[op]]
op = "apt.deb"
src = "{solo}"
"#,
            repo = server.url("repo"),
            key = server.url("key.asc"),
            app_url = server.url(&format!("repo/{app}")),
            app_sha = sha256(&dir.join(&app)),
        ),
    )
    .unwrap();
    let script = emit_file(&manifest);
    converge(&root, &script, || {
        assert!(
            !root
                .at("/etc/apt/sources.list.d/kiln-test.sources")
                .exists()
        );
        assert!(!root.at("/etc/apt/keyrings/kiln-test.gpg").exists());
        assert!(!dpkg_installed(&root, "kiln-app") && !dpkg_installed(&root, "kiln-solo"));
    });
    assert_eq!(
        root.read("/etc/apt/sources.list.d/kiln-test.sources"),
        format!(
            "Types: deb\nURIs: {}\nSuites: ./\nSigned-By: /etc/apt/keyrings/kiln-test.gpg\n",
            server.url("repo")
        )
    );
    // The armored download is installed binary (an OpenPGP packet, not `-----BEGIN`).
    let keyring = std::fs::read(root.at("/etc/apt/keyrings/kiln-test.gpg")).unwrap();
    assert!(
        !keyring.is_empty() && keyring[0] & 0x80 != 0,
        "not a binary keyring"
    );
    for package in ["kiln-app", "kiln-lib", "kiln-solo"] {
        assert!(dpkg_installed(&root, package), "{package} is not installed");
    }
    // The dependency came from the source: apt read its signed index, from this server.
    assert_eq!(root.read("/usr/share/kiln-test/kiln-lib"), "1.0");
    assert!(
        server
            .requests()
            .iter()
            .any(|r| r.path.ends_with("/InRelease")),
        "apt never asked for the index: {:?}",
        server.requests()
    );
    // Removed: the file and the keyring it fetched go, and nothing else.
    std::fs::write(
        &manifest,
        format!(
            "[[op]]\nop = \"apt.sources\"\nfilename = \"kiln-test\"\nuris = [\"{}\"]\nsuites = [\"./\"]\nsigned_by = \"{}\"\nfingerprint = \"{fingerprint}\"\npresent = false\n",
            server.url("repo"),
            server.url("key.asc")
        ),
    )
    .unwrap();
    converge(&root, &emit_file(&manifest), || {
        assert!(
            root.at("/etc/apt/sources.list.d/kiln-test.sources")
                .exists()
        );
    });
    assert!(
        !root
            .at("/etc/apt/sources.list.d/kiln-test.sources")
            .exists()
    );
    assert!(!root.at("/etc/apt/keyrings/kiln-test.gpg").exists());
    assert!(root.at("/etc/apt/keyrings").is_dir());
}

#[test]
fn a_key_with_another_fingerprint_writes_nothing() {
    require!(Need::DebianRoot, Need::Shellcheck, Need::AptRepoTools);
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    let lib = build_deb(dir, "kiln-lib", "1.0", None);
    let fingerprint = signed_repository(dir, &[&lib]);
    let other: String = fingerprint.chars().rev().collect();
    let server = serve(dir);
    let root = root_with_gpg();
    let manifest = dir.join("main.toml");
    std::fs::write(
        &manifest,
        format!(
            "[[op]]\nop = \"apt.sources\"\nfilename = \"kiln-test\"\nuris = [\"{}\"]\nsuites = [\"./\"]\nsigned_by = \"{}\"\nfingerprint = \"{other}\"\n",
            server.url("repo"),
            server.url("key.asc")
        ),
    )
    .unwrap();
    let output = root.run_script(&emit_file(&manifest), &[]);
    assert!(
        !output.status.success(),
        "the apply succeeded:\n{}",
        text(&output)
    );
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("is not the key"),
        "{}",
        text(&output)
    );
    assert!(
        !root
            .at("/etc/apt/sources.list.d/kiln-test.sources")
            .exists()
    );
    assert!(!root.at("/etc/apt/keyrings/kiln-test.gpg").exists());
}

/// `apt.ppa`'s lowering: `k_apt_sources`'s options after its own; present and removed.
#[test]
fn ppa_lowering() {
    insta::assert_snapshot!(
        "apt_ppa_lowering",
        crate::rpm_sources::emitted_steps(
            "[[op]]\nop = \"apt.ppa\"\nppa = \"ppa:deadsnakes/ppa\"\nfingerprint = \"F23C 5A6C F475 9775 95C8  9F51 BA69 3236 6A75 5776\"\n\n\
             [[op]]\nop = \"apt.ppa\"\nppa = \"ondrej/php\"\nfingerprint = \"14AA40EC0831756756D7F66C4F4EA0AAE5267A6C\"\nkeyserver = \"https://keys.example.org/\"\nupdate = false\n\n\
             [[op]]\nop = \"apt.ppa\"\nppa = \"ppa:old/gone\"\nfingerprint = \"14AA40EC0831756756D7F66C4F4EA0AAE5267A6C\"\npresent = false\n"
        )
    );
}

#[test]
fn a_ppa_on_ubuntu_only_with_its_key_from_the_keyserver() {
    require!(Need::DebianRoot, Need::Shellcheck, Need::AptRepoTools);
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    let lib = build_deb(dir, "kiln-lib", "1.0", None);
    let fingerprint = signed_repository(dir, &[&lib]);
    let key = std::fs::read(dir.join("key.asc")).unwrap();
    let lookup = format!("/pks/lookup?op=get&search=0x{fingerprint}");
    let server = Server::start(move |request| {
        if request.path == lookup {
            ("200 OK", key.clone())
        } else {
            ("404 Not Found", Vec::new())
        }
    });
    let root = root_with_gpg();
    let manifest = dir.join("main.toml");
    std::fs::write(
        &manifest,
        format!(
            "[[op]]\nop = \"apt.ppa\"\nppa = \"ppa:kiln-tests/tools\"\nfingerprint = \"{fingerprint}\"\nkeyserver = \"{}\"\nupdate = false\n",
            server.url("")
        ),
    )
    .unwrap();
    // With the host's facts, kiln refuses a Debian host before making a script.
    let emitted = Test::new()
        .current_dir(dir)
        .args(["emit", "main.toml", "-i", "@local", "--facts"])
        .arg(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("fixtures/chroot/facts-debian.json")
                .display()
                .to_string(),
        )
        .run();
    emitted
        .assert_status(1)
        .assert_stderr_contains("this host is debian, not Ubuntu");
    // Without them, the script decides on the host: refused there, with nothing written.
    let emitted = Test::new()
        .current_dir(dir)
        .args(["emit", "main.toml", "-i", "@local"])
        .run();
    emitted.assert_status(0);
    let script = emitted.stdout.clone();
    let file = "/etc/apt/sources.list.d/kiln-tests-ubuntu-tools.sources";
    let keyring = "/etc/apt/keyrings/kiln-tests-ubuntu-tools.gpg";
    let refused = root.run_script(&script, &[]);
    assert!(!refused.status.success(), "{}", text(&refused));
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("this host is debian, not Ubuntu"),
        "{}",
        text(&refused)
    );
    assert!(!root.at(file).exists() && !root.at(keyring).exists());
    root.write(
        "etc/os-release",
        b"NAME=\"Ubuntu\"\nVERSION_ID=\"24.04\"\nID=ubuntu\nID_LIKE=debian\nVERSION_CODENAME=noble\nUBUNTU_CODENAME=noble\n",
        0o644,
    );
    converge(&root, &script, || assert!(!root.at(file).exists()));
    assert_eq!(
        root.read(file),
        format!(
            "Types: deb\nURIs: https://ppa.launchpadcontent.net/kiln-tests/tools/ubuntu\nSuites: noble\nComponents: main\nSigned-By: {keyring}\n"
        )
    );
    let installed = std::fs::read(root.at(keyring)).unwrap();
    assert!(
        !installed.is_empty() && installed[0] & 0x80 != 0,
        "not a binary keyring"
    );
}
