//! The rpm family's keys and package files against the real rpm (Debian's `rpm` package),
//! in a database of the test's own: `rpm` on the run's `PATH` is the real one with
//! `--dbpath` set to a directory of the test, so keys are imported into it and packages
//! queried from it, never this machine's. dnf, yum and zypper cannot run here: each is a
//! fake on `PATH` that records its call and hands the file to the real rpm (`rpm -U
//! --justdb`, which records the package in that database without writing its files), so
//! what the probe reads afterwards is rpm's own answer. The key is one gpg makes in the
//! test, the package one `rpmbuild` builds; the URL cases are served from a loopback HTTP
//! server of the test. Each manifest is applied locally (`kiln apply`), twice.
//!
//! The repository files are the op fixtures' (`fixtures/ops/dnf.repo/`, ...).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::http::Server;
use crate::support::kiln::{PATH, Test};
use crate::support::need::{Need, require};

/// A test's rpm world: a private database, the fakes, a key and packages.
struct Rpm {
    dir: tempfile::TempDir,
}

impl Rpm {
    /// The database (initialised) and `bin/` with `rpm` (the real one on that database)
    /// and the fakes `dnf`, `yum` and `zypper`, which record their call in `calls`.
    fn new() -> Rpm {
        let dir = tempfile::tempdir().unwrap();
        let rpm = Rpm { dir };
        std::fs::create_dir_all(rpm.path("bin")).unwrap();
        std::fs::create_dir_all(rpm.path("db")).unwrap();
        let db = rpm.path("db").display().to_string();
        rpm.executable(
            "bin/rpm",
            &format!("#!/bin/sh\nexec /usr/bin/rpm --dbpath '{db}' \"$@\"\n"),
        );
        let calls = rpm.path("calls").display().to_string();
        for manager in ["dnf", "yum", "zypper"] {
            rpm.executable(
                &format!("bin/{manager}"),
                &format!(
                    "#!/bin/sh\necho \"{manager} $*\" >> '{calls}'\nfor file; do :; done\nexec rpm -U --justdb --nodeps --oldpackage \"$file\"\n"
                ),
            );
        }
        rpm.rpm(&["--initdb"]);
        rpm
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn executable(&self, rel: &str, text: &str) {
        use std::os::unix::fs::PermissionsExt;
        std::fs::write(self.path(rel), text).unwrap();
        std::fs::set_permissions(self.path(rel), std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    /// `rpm args...` on the test's database: (success, standard output).
    fn rpm(&self, args: &[&str]) -> (bool, String) {
        let output = Command::new(self.path("bin/rpm"))
            .args(args)
            .output()
            .unwrap();
        (
            output.status.success(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
        )
    }

    /// Whether the database holds `package` (a name, or a name and version).
    fn has(&self, package: &str) -> bool {
        self.rpm(&["-q", package]).0
    }

    /// The fakes' calls, one a line.
    fn calls(&self) -> String {
        std::fs::read_to_string(self.path("calls")).unwrap_or_default()
    }

    /// A new key, armored, in `name`; its fingerprint.
    fn key(&self, name: &str) -> String {
        let home = self.path(&format!("{name}-gnupg"));
        std::fs::create_dir_all(&home).unwrap();
        let home = home.display().to_string();
        let gpg = |args: &[&str]| {
            let output = Command::new("gpg")
                .args(["--homedir", &home, "--batch", "--quiet"])
                .args(args)
                .current_dir(self.dir.path())
                .output()
                .unwrap();
            assert!(output.status.success(), "gpg {args:?}: {output:?}");
            String::from_utf8_lossy(&output.stdout).into_owned()
        };
        gpg(&[
            "--passphrase",
            "",
            "--quick-gen-key",
            "kiln test <tests@kiln.invalid>",
            "rsa2048",
            "sign",
            "never",
        ]);
        gpg(&["--armor", "--output", name, "--export"]);
        gpg(&["--with-colons", "--list-keys"])
            .lines()
            .find_map(|line| {
                line.strip_prefix("fpr:")
                    .map(|r| r.trim_matches(':').to_owned())
            })
            .expect("the new key's fingerprint")
    }

    /// `kiln-test-VERSION-1.noarch.rpm`, built with rpmbuild (no files); its path.
    fn package(&self, version: &str) -> PathBuf {
        build_rpm(self.dir.path(), "kiln-test", version, None)
    }

    /// `kiln apply` of `manifest` (in the test's directory) with the test's rpm and fakes
    /// first on `PATH`: (exit status, changed count, the output).
    fn apply(&self, manifest: &str) -> (i32, u64, String) {
        std::fs::write(self.path("main.toml"), manifest).unwrap();
        let output = Test::new()
            .current_dir(self.dir.path())
            .env("PATH", format!("{}:{PATH}", self.path("bin").display()))
            .args(["apply", ".", "-y", "--format", "json"])
            .run();
        let changed = output.json()["hosts"][0]["changed"].as_u64().unwrap_or(0);
        (output.status, changed, output.transcript())
    }
}

/// `NAME-VERSION-1.noarch.rpm`, built with rpmbuild in `dir` (no files; `requires` its
/// `Requires`); its path, under `dir/out/noarch/`.
pub(crate) fn build_rpm(dir: &Path, name: &str, version: &str, requires: Option<&str>) -> PathBuf {
    let spec = dir.join(format!("{name}-{version}.spec"));
    let requires = requires
        .map(|r| format!("Requires: {r}\n"))
        .unwrap_or_default();
    std::fs::write(
        &spec,
        format!(
            "Name: {name}\nVersion: {version}\nRelease: 1\nSummary: a package the kiln tests build\n\
             License: MIT\nBuildArch: noarch\n{requires}%description\nA package the kiln tests build.\n%files\n"
        ),
    )
    .unwrap();
    let topdir = format!("_topdir {}", dir.join("rpmbuild").display());
    let rpmdir = format!("_rpmdir {}", dir.join("out").display());
    let output = Command::new("rpmbuild")
        .args(["-bb", "--quiet", "--define", &topdir, "--define", &rpmdir])
        .arg(&spec)
        .output()
        .unwrap();
    assert!(output.status.success(), "rpmbuild: {output:?}");
    dir.join(format!("out/noarch/{name}-{version}-1.noarch.rpm"))
}

/// The `k_step` lines of `manifest`'s script, as `kiln emit` writes them.
pub(crate) fn emitted_steps(manifest: &str) -> String {
    let output = Test::new()
        .file("main.toml", manifest)
        .args(["emit", "main.toml"])
        .run();
    output.assert_status(0);
    let steps: Vec<&str> = output
        .stdout
        .lines()
        .filter(|line| line.starts_with("k_step "))
        .collect();
    steps.join("\n")
}

fn sha256(path: &Path) -> String {
    let output = Command::new("sha256sum").arg(path).output().unwrap();
    String::from_utf8_lossy(&output.stdout)
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned()
}

/// The lowerings: each family's key, and the package file from a URL (the controller's
/// file travels in the script, as `apt.deb`'s does).
#[test]
fn lowerings() {
    let mut manifest = String::new();
    for family in ["dnf", "yum", "zypper"] {
        manifest.push_str(&format!(
            "[[op]]\nop = \"{family}.key\"\nkey = \"https://example.org/key.asc\"\nfingerprint = \"FF8A D134 4597 106E CE81  3B91 8A38 72BF 3228 467C\"\n\n"
        ));
    }
    manifest.push_str(
        "[[op]]\nop = \"dnf.key\"\nkey = \"/etc/pki/rpm-gpg/RPM-GPG-KEY-EPEL-9\"\nfingerprint = \"FF8AD1344597106ECE813B918A3872BF3228467C\"\npresent = false\n\n",
    );
    for family in ["dnf", "yum", "zypper"] {
        manifest.push_str(&format!(
            "[[op]]\nop = \"{family}.rpm\"\nurl = \"https://example.org/tool-1.2-1.x86_64.rpm\"\nsha256 = \"E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855\"\n\n"
        ));
    }
    insta::assert_snapshot!("rpm_sources_lowerings", emitted_steps(&manifest));
}

#[test]
fn a_key_from_a_file_and_a_package_from_the_controller() {
    require!(Need::RpmTools);
    let rpm = Rpm::new();
    let fingerprint = rpm.key("key.asc");
    let id = fingerprint[32..].to_ascii_lowercase();
    let package = rpm.package("1.0");
    let manifest = |present: bool| {
        format!(
            "[[op]]\nop = \"dnf.key\"\nkey = \"{}\"\nfingerprint = \"{fingerprint}\"\npresent = {present}\n\n\
             [[op]]\nop = \"dnf.rpm\"\nsrc = \"{}\"\n",
            rpm.path("key.asc").display(),
            package.display()
        )
    };
    let (status, changed, output) = rpm.apply(&manifest(true));
    assert_eq!((status, changed), (0, 2), "{output}");
    assert!(
        rpm.has(&format!("gpg-pubkey-{id}")),
        "the key is not in rpm's database"
    );
    assert!(rpm.has("kiln-test-1.0-1.noarch"));
    assert_eq!(rpm.calls().lines().count(), 1, "{}", rpm.calls());
    assert!(
        rpm.calls().starts_with("dnf install -y "),
        "{}",
        rpm.calls()
    );
    // Again: rpm says both hold, so nothing runs.
    let (status, changed, output) = rpm.apply(&manifest(true));
    assert_eq!((status, changed), (0, 0), "{output}");
    assert_eq!(rpm.calls().lines().count(), 1);
    // The key removed, once.
    assert_eq!(rpm.apply(&manifest(false)).1, 1);
    assert!(!rpm.has(&format!("gpg-pubkey-{id}")));
    assert_eq!(rpm.apply(&manifest(false)).1, 0);
}

#[test]
fn a_key_and_a_newer_package_from_urls() {
    require!(Need::RpmTools, Need::Downloaders);
    let rpm = Rpm::new();
    let fingerprint = rpm.key("key.asc");
    let id = fingerprint[32..].to_ascii_lowercase();
    let old = rpm.package("1.0");
    let new = rpm.package("2.0");
    let (key, served) = (
        std::fs::read(rpm.path("key.asc")).unwrap(),
        std::fs::read(&new).unwrap(),
    );
    let server = Server::start(move |request| match request.path.as_str() {
        "/key.asc" => ("200 OK", key.clone()),
        "/kiln-test.rpm" => ("200 OK", served.clone()),
        _ => ("404 Not Found", Vec::new()),
    });
    // 1.0 is installed: the file's 2.0 is another NEVRA, so yum installs it.
    assert!(rpm.rpm(&["-U", "--justdb", &old.display().to_string()]).0);
    let manifest = format!(
        "[[op]]\nop = \"zypper.key\"\nkey = \"{}\"\nfingerprint = \"{fingerprint}\"\n\n\
         [[op]]\nop = \"yum.rpm\"\nurl = \"{}\"\nsha256 = \"{}\"\n",
        server.url("key.asc"),
        server.url("kiln-test.rpm"),
        sha256(&new)
    );
    let (status, changed, output) = rpm.apply(&manifest);
    assert_eq!((status, changed), (0, 2), "{output}");
    assert!(rpm.has(&format!("gpg-pubkey-{id}")));
    assert!(rpm.has("kiln-test-2.0-1") && !rpm.has("kiln-test-1.0-1"));
    assert!(
        rpm.calls().starts_with("yum install -y "),
        "{}",
        rpm.calls()
    );
    let (status, changed, output) = rpm.apply(&manifest);
    assert_eq!((status, changed), (0, 0), "{output}");
}

#[test]
fn a_key_with_another_fingerprint_is_never_imported() {
    require!(Need::RpmTools);
    let rpm = Rpm::new();
    let fingerprint = rpm.key("key.asc");
    let other = rpm.key("other.asc");
    assert_ne!(fingerprint, other);
    let (status, _, output) = rpm.apply(&format!(
        "[[op]]\nop = \"yum.key\"\nkey = \"{}\"\nfingerprint = \"{fingerprint}\"\n",
        rpm.path("other.asc").display()
    ));
    assert_ne!(status, 0, "{output}");
    assert!(output.contains("is not the key"), "{output}");
    assert!(!rpm.has("gpg-pubkey"), "a key was imported");
}

#[test]
fn zypper_installs_a_package_from_the_controller() {
    require!(Need::RpmTools);
    let rpm = Rpm::new();
    let package = rpm.package("1.0");
    let manifest = format!(
        "[[op]]\nop = \"zypper.rpm\"\nsrc = \"{}\"\n",
        package.display()
    );
    let (status, changed, output) = rpm.apply(&manifest);
    assert_eq!((status, changed), (0, 1), "{output}");
    assert!(rpm.has("kiln-test-1.0-1.noarch"));
    assert!(
        rpm.calls().starts_with("zypper --non-interactive install "),
        "{}",
        rpm.calls()
    );
    assert_eq!(rpm.apply(&manifest).1, 0);
    assert_eq!(rpm.calls().lines().count(), 1);
}
