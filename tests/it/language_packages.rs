//! `npm.packages`, `gem.packages`, `cargo.packages`, `pipx.packages`, `snap.packages` and
//! `flatpak.packages` applied by the real binary on this host (`-i @local`).
//!
//! npm is real: it installs a package made with `npm pack` from a registry of the test's
//! own on loopback (`support::http`), into a directory of the test, its cache and home in
//! the test's directory too. cargo is real: it builds a tiny crate from vendored sources
//! that replace crates.io in a `CARGO_HOME` of the test's own. gem is real in the Debian
//! root (`support::debian`, Debian's ruby installed there), from a gem source the test
//! builds there. snap and flatpak cannot run
//! here (no snapd, no D-Bus), and pipx would need PyPI: those are stand-ins on `PATH`
//! (`support::fakes`; cargo too, where a test looks at its commands' words), shell
//! scripts that keep what they hold in a file (`NAME VERSION` a line), list it as the real
//! tool prints its listing, and log every call, so the tests see the commands kiln runs.

use std::path::Path;
use std::sync::{Arc, Mutex};

use crate::chroot::{converge, emit_file, text};
use crate::support::debian::Root;
use crate::support::fakes::Fakes;
use crate::support::http::Server;
use crate::support::kiln::{self, Output, Test};
use crate::support::need::{Need, require};

/// A stand-in package manager: `$FAKE/<tool>` holds its packages, `$FAKE/<tool>.log` its
/// calls. `list` prints them in the tool's format (the `printf` format and header given),
/// `install` and `remove` add and drop the words that are not options (`name@1.0`,
/// `name==1.0` or `name`, at version 1.0). `$FAKE/<tool>.fail` makes every install fail, saying so.
fn fake(
    tool: &str,
    list_words: &str,
    header: &str,
    format: &str,
    install: &str,
    remove: &str,
) -> String {
    format!(
        r#"#!/bin/sh
state=$FAKE/{tool}
echo "{tool} $*" >> "$state.log"
touch "$state"
case " $* " in
*" {list_words} "*) {header} while read -r n v; do printf '{format}' "$n" "$v"; done < "$state" ;;
*" {install} "*)
  [ ! -e "$state.fail" ] || {{ echo "{tool}: cannot install" >&2; exit 1; }}
  for a; do case $a in -* | {install} | install | flathub) ;; *==*) echo "${{a%%==*}} ${{a#*==}}" >> "$state" ;; ?*@*) echo "${{a%@*}} ${{a##*@}}" >> "$state" ;; *) echo "$a 1.0" >> "$state" ;; esac; done ;;
*" {remove} "*)
  for a; do case $a in -* | {remove}) ;; *) grep -v "^$a " "$state" > "$state.new"; mv "$state.new" "$state" ;; esac; done ;;
esac
"#
    )
}

/// The stand-ins.
const TOOLS: [&str; 4] = ["snap", "flatpak", "cargo", "pipx"];

/// snap, flatpak, cargo and pipx as stand-ins.
fn fakes() -> Fakes {
    Fakes::new(&[
        (
            "snap",
            fake(
                "snap",
                "list",
                "echo 'Name Version Rev Tracking Publisher Notes';",
                "%s %s 1 latest/stable canonical -\\n",
                "install",
                "remove",
            ),
        ),
        (
            "flatpak",
            fake("flatpak", "list", "", "%s\\t%s\\n", "install", "uninstall"),
        ),
        (
            "cargo",
            fake(
                "cargo",
                "--list",
                "",
                "%s v%s:\\n    bin\\n",
                "install",
                "uninstall",
            ),
        ),
        (
            "pipx",
            fake("pipx", "list", "", "%s %s\\n", "install", "uninstall"),
        ),
    ])
}

/// What the stand-in `tool` holds, sorted.
fn holds(fakes: &Fakes, tool: &str) -> String {
    let text = fakes.read(tool);
    let mut lines: Vec<&str> = text.lines().collect();
    lines.sort_unstable();
    lines.join("\n")
}

/// Plan, apply, apply again ([`Fakes::converges`]), with every stand-in's packages.
fn converges(fakes: &Fakes, manifest: &str) {
    fakes.converges(manifest, &TOOLS);
}

/// snap (a stand-in: snapd cannot run here): each snap installed with its own command, with
/// `--classic` and the channel; one `snap list` a probe; then removed.
#[test]
fn snap_installs_each_snap_with_its_channel() {
    let fakes = fakes();
    std::fs::write(fakes.dir().join("snap"), "core22 20240111\n").unwrap();
    converges(
        &fakes,
        "[[op]]\nop = \"snap.packages\"\npackages = [\"core22\", \"lxd\"]\nclassic = true\nchannel = \"5.21/stable\"\n",
    );
    assert_eq!(holds(&fakes, "snap"), "core22 20240111\nlxd 1.0");
    let installs: Vec<String> = fakes
        .calls("snap")
        .lines()
        .filter(|l| !l.ends_with(" list"))
        .map(str::to_owned)
        .collect();
    assert_eq!(
        installs,
        ["snap install --classic --channel=5.21/stable lxd"]
    );

    converges(
        &fakes,
        "[[op]]\nop = \"snap.packages\"\npackages = [\"lxd\"]\npresent = false\n",
    );
    assert_eq!(holds(&fakes, "snap"), "core22 20240111");
}

/// flatpak (a stand-in: no D-Bus, no remote here): the missing applications in one
/// install from the remote, listed with `--app --columns=application,version`.
#[test]
fn flatpak_installs_from_its_remote() {
    let fakes = fakes();
    converges(
        &fakes,
        "[[op]]\nop = \"flatpak.packages\"\npackages = [\"org.videolan.VLC\", \"org.gimp.GIMP\"]\nremote = \"flathub\"\n",
    );
    assert_eq!(
        holds(&fakes, "flatpak"),
        "org.gimp.GIMP 1.0\norg.videolan.VLC 1.0"
    );
    let calls = fakes.calls("flatpak");
    assert!(
        calls.contains(
            "flatpak install --noninteractive -y flathub org.videolan.VLC org.gimp.GIMP\n"
        ),
        "{calls}"
    );
    assert!(
        calls.contains("flatpak list --app --columns=application,version\n"),
        "{calls}"
    );
}

/// cargo and pipx (stand-ins: crates.io and PyPI are not on loopback): a pinned version
/// that differs from the installed one is installed again, one that matches is left.
#[test]
fn cargo_and_pipx_install_pinned_versions() {
    let fakes = fakes();
    std::fs::write(fakes.dir().join("cargo"), "ripgrep 13.0.0\n").unwrap();
    std::fs::write(fakes.dir().join("pipx"), "black 24.2.0\n").unwrap();
    converges(
        &fakes,
        "[[op]]\nop = \"cargo.packages\"\npackages = [\"ripgrep@14.1.0\", \"just\"]\nextra_args = [\"--locked\"]\n",
    );
    let calls = fakes.calls("cargo");
    assert!(
        calls.contains("cargo install --locked ripgrep@14.1.0 just\n"),
        "{calls}"
    );
    converges(
        &fakes,
        "[[op]]\nop = \"pipx.packages\"\npackages = [\"black==24.2.0\", \"httpie==3.2.2\"]\n",
    );
    let calls = fakes.calls("pipx");
    assert!(
        calls.contains("pipx install --force httpie==3.2.2\n") && !calls.contains("black"),
        "{calls}"
    );
}

/// An install that fails fails the op, with the tool's own message.
#[test]
fn a_failed_install_fails_the_op() {
    let fakes = fakes();
    std::fs::write(fakes.dir().join("pipx.fail"), "").unwrap();
    fakes
        .run(
            "[[op]]\nop = \"pipx.packages\"\npackages = [\"httpie\"]\n",
            false,
        )
        .assert_status(1)
        .assert_stdout_contains("failed        pipx.packages httpie")
        .assert_stdout_contains("pipx: cannot install");
    assert_eq!(holds(&fakes, "pipx"), "");
}

/// npm, for real: a package made with `npm pack`, served with its metadata by a registry of
/// the test's own on loopback, installed into a project directory (`directory`), then
/// upgraded by `latest` when the registry has a newer version, then removed; each apply
/// twice, the second changing nothing.
#[test]
fn npm_installs_from_a_loopback_registry() {
    let temp = tempfile::tempdir().unwrap();
    let tarball = |version: &str| -> Vec<u8> {
        let source = temp.path().join(format!("src-{version}"));
        std::fs::create_dir_all(&source).unwrap();
        std::fs::write(
            source.join("package.json"),
            format!(r#"{{"name": "kiln-demo", "version": "{version}", "main": "index.js"}}"#),
        )
        .unwrap();
        std::fs::write(source.join("index.js"), "module.exports = 1;\n").unwrap();
        let out = std::process::Command::new("npm")
            .args(["pack", "--silent", "--pack-destination"])
            .arg(temp.path())
            .current_dir(&source)
            .env("npm_config_cache", temp.path().join("cache"))
            .output()
            .expect("npm");
        assert!(out.status.success(), "{out:?}");
        std::fs::read(temp.path().join(format!("kiln-demo-{version}.tgz"))).unwrap()
    };
    let versions: Arc<Mutex<Vec<Published>>> =
        Arc::new(Mutex::new(vec![("1.0.0".to_owned(), tarball("1.0.0"))]));
    let registry = {
        let versions = versions.clone();
        Server::start(move |request| {
            let versions = versions.lock().unwrap();
            if request.path == "/kiln-demo" {
                (
                    "200 OK",
                    packument(
                        &versions,
                        &format!("http://{}", request.header("host").unwrap_or_default()),
                    )
                    .into_bytes(),
                )
            } else if let Some((_, bytes)) = versions
                .iter()
                .find(|(v, _)| request.path == format!("/kiln-demo/-/kiln-demo-{v}.tgz"))
            {
                ("200 OK", bytes.clone())
            } else {
                ("404 Not Found", b"{}".to_vec())
            }
        })
    };
    let project = temp.path().join("project");
    std::fs::create_dir_all(&project).unwrap();
    let apply = |manifest: &str| -> Output {
        std::fs::write(project.join("main.toml"), manifest).unwrap();
        Test::new()
            .current_dir(&project)
            .args(["apply", ".", "-i", "@local", "-y", "-e"])
            .arg(format!("app={}", temp.path().join("app").display()))
            .env("HOME", temp.path().display().to_string())
            .env(
                "npm_config_cache",
                temp.path().join("cache").display().to_string(),
            )
            .env("npm_config_registry", registry.url("/"))
            .env("npm_config_update_notifier", "false")
            .env("npm_config_audit", "false")
            .env("npm_config_fund", "false")
            .run()
    };
    let installed = || -> String {
        std::fs::read_to_string(temp.path().join("app/node_modules/kiln-demo/package.json"))
            .map(|text| {
                let json: serde_json::Value = serde_json::from_str(&text).unwrap();
                json["version"].as_str().unwrap().to_owned()
            })
            .unwrap_or_default()
    };
    let twice = |manifest: &str| {
        let first = apply(manifest);
        first.assert_status(0).assert_stdout_contains("1 changed");
        apply(manifest)
            .assert_status(0)
            .assert_stdout_contains("(1 ok, 0 changed");
    };

    let present =
        "[[op]]\nop = \"npm.packages\"\npackages = [\"kiln-demo\"]\ndirectory = \"{{ app }}\"\n";
    twice(present);
    assert_eq!(installed(), "1.0.0");

    versions
        .lock()
        .unwrap()
        .push(("1.1.0".to_owned(), tarball("1.1.0")));
    apply(present)
        .assert_status(0)
        .assert_stdout_contains("(1 ok, 0 changed");
    twice(&format!("{present}latest = true\n"));
    assert_eq!(installed(), "1.1.0");

    twice(&format!("{present}present = false\n"));
    assert_eq!(installed(), "");
}

/// A version of `kiln-demo` in the test's registry, and its tarball.
type Published = (String, Vec<u8>);

/// The registry's metadata of `kiln-demo` (a "packument"): each version and its tarball.
fn packument(versions: &[Published], base: &str) -> String {
    let entries: Vec<String> = versions
        .iter()
        .map(|(v, _)| {
            format!(
                r#""{v}": {{"name": "kiln-demo", "version": "{v}", "main": "index.js", "dist": {{"tarball": "{base}/kiln-demo/-/kiln-demo-{v}.tgz"}}}}"#
            )
        })
        .collect();
    let latest = &versions.last().unwrap().0;
    format!(
        r#"{{"name": "kiln-demo", "dist-tags": {{"latest": "{latest}"}}, "versions": {{{}}}}}"#,
        entries.join(", ")
    )
}

/// cargo, for real: a tiny crate built by `cargo install` from a directory of vendored
/// crates that replaces crates.io (`[source]` in a `CARGO_HOME` of the test's own, so
/// nothing is fetched and nothing lands outside the test's directory); pinned, then
/// pinned to a newer version (installed over it), then removed; each apply twice.
#[test]
fn cargo_installs_from_vendored_sources() {
    let temp = tempfile::tempdir().unwrap();
    let vendor = temp.path().join("vendor");
    let publish = |version: &str| {
        let dir = vendor.join(format!("kiln-demo-{version}"));
        std::fs::create_dir_all(dir.join("src")).unwrap();
        std::fs::write(
            dir.join("Cargo.toml"),
            format!(
                "[package]\nname = \"kiln-demo\"\nversion = \"{version}\"\nedition = \"2021\"\n"
            ),
        )
        .unwrap();
        std::fs::write(
            dir.join("src/main.rs"),
            format!("fn main() {{ println!(\"{version}\"); }}\n"),
        )
        .unwrap();
        std::fs::write(
            dir.join(".cargo-checksum.json"),
            r#"{"files":{},"package":null}"#,
        )
        .unwrap();
    };
    publish("0.1.0");
    let home = temp.path().join("cargo-home");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::write(
        home.join("config.toml"),
        format!(
            "[net]\noffline = true\n[source.crates-io]\nreplace-with = \"vendored\"\n[source.vendored]\ndirectory = \"{}\"\n",
            vendor.display()
        ),
    )
    .unwrap();
    // The cargo (and rustc) running these tests.
    let toolchain = Path::new(env!("CARGO")).parent().unwrap().to_owned();
    let project = temp.path().join("project");
    std::fs::create_dir_all(&project).unwrap();
    let apply = |manifest: &str| -> Output {
        std::fs::write(project.join("main.toml"), manifest).unwrap();
        Test::new()
            .current_dir(&project)
            .args(["apply", ".", "-i", "@local", "-y"])
            .env("PATH", format!("{}:{}", toolchain.display(), kiln::PATH))
            .env("CARGO_HOME", home.display().to_string())
            .env(
                "CARGO_TARGET_DIR",
                temp.path().join("target").display().to_string(),
            )
            .run()
    };
    let twice = |manifest: &str| {
        apply(manifest)
            .assert_status(0)
            .assert_stdout_contains("1 changed");
        apply(manifest)
            .assert_status(0)
            .assert_stdout_contains("(1 ok, 0 changed");
    };
    let installed = || {
        std::process::Command::new(home.join("bin/kiln-demo"))
            .output()
            .map(|out| String::from_utf8_lossy(&out.stdout).into_owned())
            .unwrap_or_default()
    };

    twice("[[op]]\nop = \"cargo.packages\"\npackages = [\"kiln-demo@0.1.0\"]\n");
    assert_eq!(installed(), "0.1.0\n");
    publish("0.2.0");
    twice("[[op]]\nop = \"cargo.packages\"\npackages = [\"kiln-demo@0.2.0\"]\n");
    assert_eq!(installed(), "0.2.0\n");
    twice("[[op]]\nop = \"cargo.packages\"\npackages = [\"kiln-demo\"]\npresent = false\n");
    assert_eq!(installed(), "");
}

/// Builds the gem `kiln_demo` at VERSION (`$1`) with `gem build` and publishes it in a
/// gem source of the root's own, `/srv/gems` (`gem generate_index`), which `/etc/gemrc`
/// makes the only source: nothing talks to rubygems.org.
const PUBLISH_GEM: &str = r#"set -e
mkdir -p "/srv/src/$1/lib" /srv/gems/gems
cd "/srv/src/$1"
echo "module KilnDemo; VERSION = '$1'; end" > lib/kiln_demo.rb
cat > kiln_demo.gemspec <<EOF
Gem::Specification.new do |s|
  s.name = "kiln_demo"; s.version = "$1"; s.summary = "demo"; s.authors = ["kiln"]
  s.files = ["lib/kiln_demo.rb"]; s.license = "MIT"
end
EOF
gem build -q kiln_demo.gemspec >/dev/null 2>&1
mv "kiln_demo-$1.gem" /srv/gems/gems/
gem generate_index -q --directory /srv/gems
printf -- '---\n:sources:\n- file:///srv/gems/\n' > /etc/gemrc
"#;

/// gem, for real, in the Debian root (Debian's `ruby`, installed there): a gem built in the
/// test, installed from a gem source of the root's own; then `latest` upgrades it when a
/// newer version is published (`gem outdated`); then removed, every version. Each script
/// converges: `--check` changes nothing, the second apply changes nothing.
#[test]
fn gem_installs_from_a_local_source_in_the_debian_root() {
    require!(Need::DebianRoot, Need::Shellcheck);
    let root = Root::new();
    root.sh_ok(
        "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ruby >/dev/null",
    );
    root.write("/srv/publish-gem", PUBLISH_GEM.as_bytes(), 0o755);
    root.sh_ok("/srv/publish-gem 1.0.0");
    // `gem list` prints an empty line when nothing matches.
    let versions = || root.sh_ok("gem list --local kiln_demo").trim().to_owned();
    let script = |manifest: &str| {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("main.toml"), manifest).unwrap();
        emit_file(&dir.path().join("main.toml"))
    };
    let present = "[[op]]\nop = \"gem.packages\"\npackages = [\"kiln_demo\"]\n";

    converge(&root, &script(present), || {
        assert!(!versions().contains("kiln_demo"));
    });
    assert_eq!(versions(), "kiln_demo (1.0.0)");

    root.sh_ok("/srv/publish-gem 1.1.0");
    let latest = script(&format!("{present}latest = true\n"));
    let (_, upgrade) = converge(&root, &latest, || {});
    assert!(upgrade.status.success(), "{}", text(&upgrade));
    assert_eq!(versions(), "kiln_demo (1.1.0, 1.0.0)");

    converge(
        &root,
        &script("[[op]]\nop = \"gem.packages\"\npackages = [\"kiln_demo\"]\npresent = false\n"),
        || {},
    );
    assert_eq!(versions(), "");
}
