//! Package, service, account, git and file-edit ops, run for real in a Debian root (`chroot`, so
//! these tests need root; CI runs as root). See `support/debian.rs` for the root: built
//! once per machine with debootstrap and cached under `target/kiln-testbeds/`, extracted
//! fresh for every test and removed after it.
//!
//! Each scenario is a manifest emitted with `kiln emit` for `@local` with the facts of a
//! Debian 12 host (`fixtures/chroot/facts-debian.json`, so `when` conditions have facts),
//! checked with `shellcheck -s sh`, copied into the root and run there with `/bin/sh`,
//! which on Debian is dash: `--check` first (which must change nothing), then an apply,
//! then a second apply that must report no change.
//!
//! apt talks to the Debian mirror this machine's apt uses (package-registry traffic). No
//! systemd runs in a chroot, so the service tests put a FAKE `systemctl` on `PATH`
//! (`fixtures/chroot/systemctl`: it records calls and keeps unit state in files) and fake
//! SysV init scripts (`fixtures/chroot/init.d-service`) managed with the real `update-rc.d`.
//! Ops that would touch the machine itself through the kernel (sysctl, mount, modprobe,
//! hostname, reboot, a port wait) are lowering snapshots (`fixtures/chroot/lowering/`,
//! `tests/it/snapshots/chroot/`), emitted and shellchecked like the rest, as are the package
//! managers and init systems other than Debian's.
//!
//! The scenarios run under dash only (the root's `/bin/sh`); the library functions they
//! add (filters, package helpers) also run under every shell of the matrix, outside the
//! root, in `library_helpers_under_every_shell`.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::support::debian::Root;
use crate::support::kiln::Test;
use crate::support::need::{Need, require};
use crate::support::{background, shells, sshd, tree};

pub(crate) fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/chroot")
}

/// `kiln emit` of `manifest` (TOML) for `@local`, with Debian facts; the script must pass
/// `shellcheck -s sh`.
fn emit(manifest: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.toml"), manifest).unwrap();
    emit_file(&dir.path().join("main.toml"))
}

pub(crate) fn emit_file(manifest: &Path) -> String {
    let output = Test::new()
        .current_dir(manifest.parent().unwrap())
        .arg("emit")
        .arg(manifest.file_name().unwrap().to_string_lossy())
        .args(["-i", "@local", "--facts"])
        .arg(fixtures().join("facts-debian.json").display().to_string())
        .run();
    output.assert_status(0);
    shellcheck(&output.stdout, &manifest.display().to_string());
    output.stdout.clone()
}

fn shellcheck(script: &str, name: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("script.sh");
    std::fs::write(&path, script).unwrap();
    let output = Command::new("shellcheck")
        .args(["-s", "sh"])
        .arg(&path)
        .output()
        .unwrap_or_else(|e| panic!("cannot run shellcheck: {e} (.ci/run installs it)"));
    assert!(
        output.status.success(),
        "the script for {name} fails shellcheck:\n{}",
        String::from_utf8_lossy(&output.stdout)
    );
}

pub(crate) fn text(output: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}--- stderr\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// (ok, changed, failed, skipped) of a run.
pub(crate) fn counts(output: &Output) -> (u32, u32, u32, u32) {
    shells::summary(&String::from_utf8_lossy(&output.stdout))
}

/// The status word of each op's line, in order (`ok`, `changed`, `would-change`, ...).
fn statuses(output: &Output) -> Vec<String> {
    const STATUSES: &[&str] = &[
        "ok",
        "changed",
        "would-change",
        "failed",
        "failed-ignored",
        "skipped",
    ];
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|l| {
            let mut words = l.split_whitespace();
            let status = words.next()?;
            let index = words.next()?;
            (STATUSES.contains(&status) && index.trim_start_matches('h').parse::<u32>().is_ok())
                .then(|| status.to_owned())
        })
        .collect()
}

/// Runs `script` in `root`: `--check`, then `after_check` (which asserts that it changed
/// nothing), an apply that must succeed and change what `--check` said it would, and a
/// second apply that must succeed and change nothing. Returns (check, first apply).
pub(crate) fn converge(root: &Root, script: &str, after_check: impl FnOnce()) -> (Output, Output) {
    let check = root.run_script(script, &["--check"]);
    assert!(check.status.success(), "--check failed:\n{}", text(&check));
    after_check();
    let first = root.run_script(script, &[]);
    assert!(
        first.status.success(),
        "the first apply failed:\n{}",
        text(&first)
    );
    assert_eq!(
        counts(&check).1,
        counts(&first).1,
        "--check and the apply disagree:\n{}\n{}",
        text(&check),
        text(&first)
    );
    let second = root.run_script(script, &[]);
    let (_, changed, failed, _) = counts(&second);
    assert!(
        second.status.success() && changed == 0 && failed == 0,
        "the second apply was not a no-op:\n{}\n(first apply:\n{})",
        text(&second),
        text(&first)
    );
    (check, first)
}

pub(crate) fn dpkg_installed(root: &Root, package: &str) -> bool {
    let out = root.sh(&format!(
        "dpkg-query -W -f='${{Status}}' {package} 2>/dev/null"
    ));
    String::from_utf8_lossy(&out.stdout).ends_with("ok installed")
}

#[test]
fn apt_and_generic_packages() {
    require!(Need::DebianRoot, Need::Shellcheck);
    let root = Root::new();
    // Old lists, so `apt.update` with a cache time has something to do.
    root.sh_ok("touch -d '3 days ago' /var/lib/apt/lists");
    let install = emit(
        r#"
[[op]]
op = "apt.update"
cache_time = "1h"

[[op]]
op = "apt.packages"
packages = ["tree"]
latest = true
no_recommends = true
when = "facts.os.family == 'debian'"

[[op]]
op = "package.packages"
packages = ["less"]

[[op]]
op = "dnf.packages"
packages = ["tree"]
when = "facts.os.family == 'redhat'"

[[op]]
op = "apt.repo"
src = "deb [trusted=yes] file:/srv/kiln-repo ./"
filename = "kiln-test"
update = false
"#,
    );
    let (check, first) = converge(&root, &install, || {
        assert!(!dpkg_installed(&root, "tree") && !dpkg_installed(&root, "less"));
        assert!(!root.at("/etc/apt/sources.list.d/kiln-test.list").exists());
        root.sh_ok("[ -n \"$(find /var/lib/apt/lists -maxdepth 0 -mmin +60)\" ]");
    });
    assert_eq!(
        statuses(&check),
        [
            "would-change",
            "would-change",
            "would-change",
            "skipped",
            "would-change"
        ],
        "{}",
        text(&check)
    );
    let check_out = String::from_utf8_lossy(&check.stdout);
    assert!(check_out.contains("    install tree"), "{check_out}");
    assert!(check_out.contains("    install less"), "{check_out}");
    assert!(
        check_out.contains("+deb [trusted=yes] file:/srv/kiln-repo ./"),
        "{check_out}"
    );
    assert_eq!(
        statuses(&first),
        ["changed", "changed", "changed", "skipped", "changed"],
        "{}",
        text(&first)
    );
    assert!(dpkg_installed(&root, "tree") && dpkg_installed(&root, "less"));
    assert_eq!(
        root.read("/etc/apt/sources.list.d/kiln-test.list"),
        "deb [trusted=yes] file:/srv/kiln-repo ./\n"
    );
    // The lists were refreshed (their directory touched just now).
    root.sh_ok("[ -n \"$(find /var/lib/apt/lists -maxdepth 0 -mmin -30)\" ]");

    // A full upgrade's probe and diff, checked only: what a mirror has to upgrade today
    // is not this test's business.
    let upgrade = emit("[[op]]\nop = \"apt.upgrade\"\n");
    let check = root.run_script(&upgrade, &["--check"]);
    assert!(check.status.success(), "{}", text(&check));

    let remove = emit(
        r#"
[[op]]
op = "apt.packages"
packages = ["tree"]
present = false

[[op]]
op = "package.packages"
packages = ["less"]
present = false

[[op]]
op = "apt.repo"
src = "deb  [trusted=yes]  file:/srv/kiln-repo ./"
filename = "kiln-test"
present = false
update = false
"#,
    );
    let (check, first) = converge(&root, &remove, || {
        assert!(dpkg_installed(&root, "tree") && dpkg_installed(&root, "less"));
    });
    let check_out = String::from_utf8_lossy(&check.stdout);
    assert!(check_out.contains("    remove tree"), "{check_out}");
    assert_eq!(counts(&first).1, 3, "{}", text(&first));
    assert!(!dpkg_installed(&root, "tree") && !dpkg_installed(&root, "less"));
    assert_eq!(root.read("/etc/apt/sources.list.d/kiln-test.list"), "");
}

/// `update` with `latest` (the probe refreshes the lists, then finds the packages newest:
/// the second run changes nothing), on `apt.packages` and `package.packages`.
#[test]
fn update_with_latest_converges() {
    require!(Need::DebianRoot, Need::Shellcheck);
    let root = Root::new();
    let script = emit(
        r#"
[[op]]
op = "apt.packages"
packages = ["tree"]
update = true
latest = true
no_recommends = true

[[op]]
op = "package.packages"
packages = ["less"]
update = true
latest = true
"#,
    );
    let (_, first) = converge(&root, &script, || {
        assert!(!dpkg_installed(&root, "tree") && !dpkg_installed(&root, "less"));
    });
    assert_eq!(statuses(&first), ["changed", "changed"], "{}", text(&first));
    assert!(dpkg_installed(&root, "tree") && dpkg_installed(&root, "less"));
}

/// A list computed by a template stays a list (issue 11): two package lists chosen and
/// joined by one `{{ expression }}` install as two packages, not as the text of a list
/// (which apt read as a glob), and the second apply changes nothing.
#[test]
fn list_variables_stay_lists_in_package_lists() {
    require!(Need::DebianRoot, Need::Shellcheck);
    let root = Root::new();
    let script = emit(
        r#"
[vars]
base = ["tree"]
extra = ["less"]
web = false
packages = "{{ base + extra if not web else base }}"

[[op]]
op = "apt.packages"
packages = "{{ packages }}"
no_recommends = true
"#,
    );
    let (_, first) = converge(&root, &script, || {
        assert!(!dpkg_installed(&root, "tree") && !dpkg_installed(&root, "less"));
    });
    assert_eq!(statuses(&first), ["changed"], "{}", text(&first));
    assert!(dpkg_installed(&root, "tree") && dpkg_installed(&root, "less"));
}

/// A package that stays wrong after the act: the failure names it.
#[test]
fn a_failed_package_act_names_the_package() {
    require!(Need::DebianRoot, Need::Shellcheck);
    let root = Root::new();
    // An `apt-get` that succeeds without installing anything.
    root.write("/usr/local/bin/apt-get", b"#!/bin/sh\nexit 0\n", 0o755);
    let script = emit("[[op]]\nop = \"apt.packages\"\npackages = [\"tree\"]\n");
    let run = root.run_script(&script, &[]);
    assert_eq!(counts(&run).2, 1, "{}", text(&run));
    assert!(
        String::from_utf8_lossy(&run.stderr)
            .contains("kiln: not installed, or not at the pinned version, after the install: tree"),
        "{}",
        text(&run)
    );
}

/// `pip.packages` with `extra_args = ["--break-system-packages"]` (which Debian 12's pip
/// requires outside a virtualenv) converges: the dry run that checks a requirements file
/// gets the same arguments as the install. Debian's own python3-pip is installed into the
/// root; the packages come from wheels made there (`fixtures/chroot/mkwheel.py`), the only
/// index pip is given (`/etc/pip.conf`), so nothing talks to PyPI.
#[test]
fn pip_with_extra_args_converges() {
    require!(Need::DebianRoot, Need::Shellcheck);
    let root = Root::new();
    root.sh_ok(
        "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-pip >/dev/null",
    );
    let mkwheel = std::fs::read(fixtures().join("mkwheel.py")).unwrap();
    root.write("/srv/mkwheel.py", &mkwheel, 0o644);
    root.write(
        "/etc/pip.conf",
        b"[global]\nno-index = true\nfind-links = /srv/wheels\n",
        0o644,
    );
    root.write("/srv/requirements.txt", b"kilnreq\n", 0o644);
    root.sh_ok(
        "mkdir /srv/wheels && for w in kilndemo kilnreq; do python3 /srv/mkwheel.py /srv/wheels $w 1.0; done",
    );
    let manifest = r#"
[[op]]
op = "pip.packages"
packages = ["kilndemo"]
requirements = "/srv/requirements.txt"
latest = true
extra_args = ["--break-system-packages"]
"#;
    let script = emit(manifest);
    let pip_show =
        |name: &str| root.sh(&format!("pip3 show {name} 2>/dev/null | grep '^Version: '"));
    let (_, first) = converge(&root, &script, || {
        assert!(!pip_show("kilndemo").status.success());
    });
    assert_eq!(statuses(&first), ["changed"], "{}", text(&first));
    assert!(String::from_utf8_lossy(&pip_show("kilnreq").stdout).contains("1.0"));

    // A newer version in the index: `latest` upgrades it, then is settled again.
    root.sh_ok("python3 /srv/mkwheel.py /srv/wheels kilndemo 1.1");
    let (_, upgrade) = converge(&root, &script, || {});
    assert_eq!(statuses(&upgrade), ["changed"], "{}", text(&upgrade));
    assert!(String::from_utf8_lossy(&pip_show("kilndemo").stdout).contains("1.1"));
}

/// sshd_config hardening as Ansible's users write it, applied to the root's real
/// `/etc/ssh/sshd_config` (openssh-server's): `\s` and `\b` in `files.line` (which must not
/// touch the comments that merely mention the keywords), a `files.replace` of the port, a
/// `files.block` of ciphers after the `Include` line with an empty line kept before it. The
/// file is exactly the expected one, `sshd -t` in the root accepts it, `sshd -T` reads the
/// new values, and the second apply changes nothing.
#[test]
fn sshd_config_hardening_with_python_regexes() {
    require!(Need::DebianRoot, Need::Shellcheck);
    let root = Root::new();
    let original = root.read("/etc/ssh/sshd_config");
    let script = emit(
        r##"
[[op]]
op = "files.line"
path = "/etc/ssh/sshd_config"
regexp = '^#?\s*PermitRootLogin\b'
line = "PermitRootLogin no"

[[op]]
op = "files.line"
path = "/etc/ssh/sshd_config"
regexp = '^#?\s*PasswordAuthentication\s'
line = "PasswordAuthentication no"

[[op]]
op = "files.replace"
path = "/etc/ssh/sshd_config"
regexp = '^#?Port\s+\d+$'
replace = 'Port 2222'
mode = "0600"

[[op]]
op = "files.block"
path = "/etc/ssh/sshd_config"
marker = "# {mark} kiln ciphers"
insert_after = '^Include\s'
first_match = true
prepend_newline = true
append_newline = true
block = """
Ciphers aes256-gcm@openssh.com,chacha20-poly1305@openssh.com
MACs hmac-sha2-512-etm@openssh.com
KexAlgorithms curve25519-sha256
"""
"##,
    );
    let (_, first) = converge(&root, &script, || {
        assert_eq!(root.read("/etc/ssh/sshd_config"), original);
    });
    assert_eq!(statuses(&first), ["changed"; 4], "{}", text(&first));
    let include = "Include /etc/ssh/sshd_config.d/*.conf\n";
    let mut expected = original.clone();
    for (from, to) in [
        (
            "\n#PermitRootLogin prohibit-password\n",
            "\nPermitRootLogin no\n",
        ),
        (
            "\n#PasswordAuthentication yes\n",
            "\nPasswordAuthentication no\n",
        ),
        ("\n#Port 22\n", "\nPort 2222\n"),
        // The line after `Include` is empty already: only one is put before the block.
        (
            include,
            &format!(
                "{include}\n# BEGIN kiln ciphers\nCiphers aes256-gcm@openssh.com,chacha20-poly1305@openssh.com\nMACs hmac-sha2-512-etm@openssh.com\nKexAlgorithms curve25519-sha256\n# END kiln ciphers\n"
            ),
        ),
    ] {
        assert_eq!(expected.matches(from).count(), 1, "{from:?} in sshd_config");
        expected = expected.replace(from, to);
    }
    assert_eq!(root.read("/etc/ssh/sshd_config"), expected);
    let mode = std::fs::metadata(root.at("/etc/ssh/sshd_config"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o7777, 0o600, "the mode `files.replace` sets");
    root.sh_ok("mkdir -p /run/sshd && /usr/sbin/sshd -t -f /etc/ssh/sshd_config");
    let effective = root.sh_ok("/usr/sbin/sshd -T -f /etc/ssh/sshd_config");
    for setting in [
        "port 2222",
        "permitrootlogin no",
        "passwordauthentication no",
        "ciphers aes256-gcm@openssh.com,chacha20-poly1305@openssh.com",
        "kexalgorithms curve25519-sha256",
    ] {
        assert!(
            effective.lines().any(|l| l == setting),
            "sshd -T lacks `{setting}`:\n{effective}"
        );
    }
}

/// Writes the fake `systemctl` and a fake SysV service into the root.
fn fake_services(root: &Root) {
    let systemctl = std::fs::read(fixtures().join("systemctl")).unwrap();
    root.write("/usr/local/bin/systemctl", &systemctl, 0o755);
    let init = std::fs::read_to_string(fixtures().join("init.d-service")).unwrap();
    for name in ["kilnd", "kilnd-b"] {
        root.write(
            &format!("/etc/init.d/{name}"),
            init.replace("NAME", name).as_bytes(),
            0o755,
        );
    }
}

/// [`fake_services`], and what a running systemd would have: `/run/systemd/system` (what
/// `k_init_system` looks for), cron running and enabled.
fn fake_systemd(root: &Root) {
    fake_services(root);
    std::fs::create_dir_all(root.at("/run/systemd/system")).unwrap();
    root.write("/var/lib/fake-systemd/cron.active", b"", 0o644);
    root.write("/var/lib/fake-systemd/cron.enabled", b"", 0o644);
}

#[test]
fn systemd_and_generic_services_with_a_fake_systemctl() {
    require!(Need::DebianRoot, Need::Shellcheck);
    let root = Root::new();
    fake_systemd(&root);
    // nginx's unit file changed since it was loaded.
    root.write("/var/lib/fake-systemd/nginx.needs-reload", b"", 0o644);
    let script = emit(
        r#"
[[op]]
op = "systemd.service"
service = "nginx"
enabled = true
daemon_reload = true
notify = ["restart nginx"]

[[op]]
op = "systemd.service"
service = "cron.service"
running = false
enabled = false

[[op]]
op = "service.service"
service = "app"
enabled = true

[[op]]
op = "systemd.service"
service = "podman-app"
user_mode = true

[[handler]]
id = "restart nginx"
op = "systemd.service"
service = "nginx"
restarted = true
"#,
    );
    let state = |root: &Root| -> Vec<String> {
        let mut files: Vec<String> = std::fs::read_dir(root.at("/var/lib/fake-systemd"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n != "calls")
            .collect();
        files.sort();
        files
    };
    let before = state(&root);
    let (check, first) = converge(&root, &script, || assert_eq!(state(&root), before));
    let check_out = String::from_utf8_lossy(&check.stdout);
    assert!(
        check_out.contains("would run: systemctl daemon-reload"),
        "{check_out}"
    );
    assert!(
        check_out.contains("would run: systemctl stop 'cron.service'"),
        "{check_out}"
    );
    assert_eq!(
        statuses(&first),
        ["changed", "changed", "changed", "changed", "changed"],
        "{}",
        text(&first)
    );
    assert_eq!(
        state(&root),
        [
            "app.active",
            "app.enabled",
            "daemon-reloads",
            "nginx.active",
            "nginx.enabled",
            "nginx.restarts",
            "user"
        ]
    );
    // The handler ran once (the second apply changed nothing, so notified nothing).
    assert_eq!(
        root.read("/var/lib/fake-systemd/nginx.restarts"),
        "restart\n"
    );
    assert!(
        root.at("/var/lib/fake-systemd/user/podman-app.active")
            .exists()
    );
    let calls = root.read("/var/lib/fake-systemd/calls");
    let check_calls: Vec<&str> = calls
        .lines()
        .take_while(|l| !l.starts_with("daemon-reload"))
        .collect();
    assert!(
        check_calls
            .iter()
            .all(|c| c.contains("is-") || c.starts_with("show")),
        "--check changed a service: {check_calls:?}"
    );
}

/// systemd.unit, masked units, a timer and another user's unit, against the FAKE systemctl
/// (no systemd runs in a chroot): unit files are written and systemd is reloaded only when
/// one changed; `systemd-analyze verify` is tested on this machine (`ops::systemd_unit`,
/// `runtime::services::k_unit`), not in the root, which lacks it.
#[test]
fn systemd_units_masks_timers_and_user_units_with_a_fake_systemctl() {
    require!(Need::DebianRoot, Need::Shellcheck);
    let root = Root::new();
    fake_systemd(&root);
    // `nobody` runs its own `systemctl --user` calls: the fake's files must be its to write.
    root.write("/var/lib/fake-systemd/calls", b"", 0o666);
    root.sh_ok(
        "mkdir -p /var/lib/fake-systemd/user && chown 65534:65534 /var/lib/fake-systemd/user",
    );
    // A user unit's directory is never made by the op.
    std::fs::create_dir_all(root.at("/etc/systemd/user")).unwrap();
    let script = emit(
        r#"
[[op]]
op = "systemd.unit"
unit = "kiln-app.service"
content = "[Unit]\nDescription=kiln app\n\n[Service]\nExecStart=/bin/sleep 3600\n"

[[op]]
op = "systemd.unit"
unit = "kiln-app.service"
dropin = "limits"
content = "[Service]\nLimitNOFILE=4096\n"

[[op]]
op = "systemd.unit"
unit = "kiln-backup.timer"
content = "[Timer]\nOnCalendar=daily\n\n[Install]\nWantedBy=timers.target\n"

[[op]]
op = "systemd.service"
service = "kiln-backup.timer"
enabled = true

[[op]]
op = "systemd.service"
service = "cron"
masked = true

[[op]]
op = "systemd.unit"
unit = "agent.service"
user = "nobody"
dir = "/etc/systemd/user"
content = "[Service]\nExecStart=/bin/sleep 3600\n"

[[op]]
op = "systemd.service"
service = "agent"
user = "nobody"
enabled = true
"#,
    );
    let reloads = |root: &Root| {
        std::fs::read_to_string(root.at("/var/lib/fake-systemd/daemon-reloads"))
            .unwrap_or_default()
            .lines()
            .count()
    };
    let (check, first) = converge(&root, &script, || {
        assert!(!root.at("/etc/systemd/system/kiln-app.service").exists());
        assert_eq!(reloads(&root), 0);
        assert!(!root.at("/var/lib/fake-systemd/cron.masked").exists());
    });
    let check_out = String::from_utf8_lossy(&check.stdout);
    for said in [
        "would run: systemctl daemon-reload",
        "would run: systemctl mask 'cron'",
        "would run: systemctl stop 'cron'",
        "would run: systemctl --user daemon-reload (as 'nobody')",
        "would run: systemctl --user enable 'agent' (as 'nobody')",
    ] {
        assert!(check_out.contains(said), "{said}: {check_out}");
    }
    assert_eq!(statuses(&first), ["changed"; 7], "{}", text(&first));
    assert_eq!(
        root.read("/etc/systemd/system/kiln-app.service.d/limits.conf"),
        "[Service]\nLimitNOFILE=4096\n"
    );
    // One reload per unit file changed, and none by the second apply, which changed nothing.
    assert_eq!(reloads(&root), 3);
    for present in [
        "kiln-backup.timer.active",
        "kiln-backup.timer.enabled",
        "cron.masked",
        "user/agent.active",
        "user/agent.enabled",
    ] {
        assert!(
            root.at(&format!("/var/lib/fake-systemd/{present}"))
                .exists(),
            "{present}"
        );
    }
    assert!(!root.at("/var/lib/fake-systemd/cron.active").exists());
    let callers = root.read("/var/lib/fake-systemd/user/callers");
    assert!(
        callers
            .lines()
            .all(|l| l.starts_with("nobody /run/user/65534 unix:path=/run/user/65534/bus ")),
        "{callers}"
    );
    assert!(callers.contains(" enable agent"), "{callers}");
    assert_eq!(
        callers.matches(" daemon-reload").count(),
        1,
        "nobody's manager reloaded once, after its unit was written: {callers}"
    );
    // Unmasking comes before starting: the fake refuses to start a masked unit.
    let unmask = emit(
        r#"
[[op]]
op = "systemd.service"
service = "cron"
masked = false
"#,
    );
    let (_, first) = converge(&root, &unmask, || {
        assert!(root.at("/var/lib/fake-systemd/cron.masked").exists());
    });
    assert_eq!(statuses(&first), ["changed"], "{}", text(&first));
    assert!(root.at("/var/lib/fake-systemd/cron.active").exists());
}

#[test]
fn sysvinit_and_generic_services_with_update_rc_d() {
    require!(Need::DebianRoot, Need::Shellcheck);
    let root = Root::new();
    fake_services(&root);
    // No /run/systemd/system: `service.service` finds SysV init.
    let script = emit(
        r#"
[[op]]
op = "sysvinit.service"
service = "kilnd"
enabled = true

[[op]]
op = "service.service"
service = "kilnd-b"
running = true
enabled = false

[[op]]
op = "sysvinit.service"
service = "kilnd"
reloaded = true
when = "false"
"#,
    );
    let (check, first) = converge(&root, &script, || {
        assert!(!root.at("/var/lib/fake-sysv").exists());
        root.sh_ok("! ls /etc/rc2.d/S??kilnd* 2>/dev/null");
    });
    assert_eq!(counts(&check).1, 2, "{}", text(&check));
    assert_eq!(
        statuses(&first),
        ["changed", "changed", "skipped"],
        "{}",
        text(&first)
    );
    assert!(root.at("/var/lib/fake-sysv/kilnd.running").exists());
    assert!(root.at("/var/lib/fake-sysv/kilnd-b.running").exists());
    root.sh_ok("ls /etc/rc2.d/S??kilnd && ! ls /etc/rc2.d/S??kilnd-b 2>/dev/null");
}

#[test]
fn users_groups_keys_sudoers_crontab_timezone() {
    require!(Need::DebianRoot, Need::Shellcheck);
    let root = Root::new();
    // Someone else's line in root's crontab, which must survive.
    root.sh_ok("printf '0 1 * * * /bin/true keep-me\\n' | crontab -");
    let k1 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGtpbG4tdGVzdC1rZXktb25l one@kiln";
    let k2 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGtpbG4tdGVzdC1rZXktdHdv two@kiln";
    let hash = "$6$kiln$Qk0lvuf4k3dkLGcEo6uB7n3xG8rFNSgW0m4c/oUo0y9X2y6PA4uC1o7YvUuE8fWkJrKX.VV0tkT5cZ7W0d3Ra/";
    let first_manifest = format!(
        r#"
[[op]]
op = "server.group"
group = "deploy"
gid = 1500

[[op]]
op = "server.group"
group = "kiln-extra"
system = true

[[op]]
op = "server.user"
user = "deploy"
uid = 1500
group = "deploy"
supplementary_groups = ["kiln-extra"]
home = "/home/deploy"
shell = "/bin/bash"
comment = "Deploy user"
password = "{hash}"

[[op]]
op = "server.user"
user = "temp"

[[op]]
op = "server.authorized_keys"
user = "deploy"
keys = ["{k1}", "{k2}"]

[[op]]
op = "server.sudoers"
filename = "deploy"
rules = ["deploy ALL=(root) NOPASSWD: /usr/bin/true"]

[[op]]
op = "server.crontab"
command = "/usr/local/bin/backup --all"
cron_name = "backup"
minute = "15"
hour = "3"
user = "deploy"
env = {{ MAILTO = "ops@example.org" }}

[[op]]
op = "server.crontab"
command = "echo it's hourly"
special_time = "hourly"

[[op]]
op = "server.timezone"
timezone = "Europe/Paris"
"#
    );
    let script = emit(&first_manifest);
    let passwd = root.read("/etc/passwd");
    let crontab = root.sh_ok("crontab -l");
    let (_, first) = converge(&root, &script, || {
        assert_eq!(root.read("/etc/passwd"), passwd);
        assert_eq!(root.sh_ok("crontab -l"), crontab);
        assert!(!root.at("/etc/sudoers.d/deploy").exists());
        assert_eq!(
            root.sh_ok("readlink /etc/localtime"),
            "/usr/share/zoneinfo/Etc/UTC\n"
        );
    });
    assert_eq!(counts(&first).1, 9, "{}", text(&first));
    assert_eq!(
        root.sh_ok("getent passwd deploy"),
        "deploy:x:1500:1500:Deploy user:/home/deploy:/bin/bash\n"
    );
    assert_eq!(root.sh_ok("id -Gn deploy"), "deploy kiln-extra\n");
    assert_eq!(
        root.sh_ok("getent shadow deploy | cut -d: -f2"),
        format!("{hash}\n")
    );
    assert!(root.at("/home/deploy").is_dir());
    assert_eq!(
        root.read("/home/deploy/.ssh/authorized_keys"),
        format!("{k1}\n{k2}\n")
    );
    assert_eq!(
        root.sh_ok("stat -c '%a %U' /home/deploy/.ssh /home/deploy/.ssh/authorized_keys"),
        "700 deploy\n600 deploy\n"
    );
    assert_eq!(
        root.read("/etc/sudoers.d/deploy"),
        "deploy ALL=(root) NOPASSWD: /usr/bin/true\n"
    );
    assert_eq!(
        root.sh_ok("stat -c '%a %U' /etc/sudoers.d/deploy"),
        "440 root\n"
    );
    root.sh_ok("visudo -c -q");
    assert_eq!(
        root.sh_ok("crontab -u deploy -l"),
        "# kiln: backup\n15 3 * * * MAILTO='ops@example.org' /usr/local/bin/backup --all\n"
    );
    assert_eq!(
        root.sh_ok("crontab -l"),
        "0 1 * * * /bin/true keep-me\n@hourly echo it's hourly\n"
    );
    assert_eq!(
        root.sh_ok("readlink /etc/localtime"),
        "/usr/share/zoneinfo/Europe/Paris\n"
    );
    assert_eq!(root.read("/etc/timezone"), "Europe/Paris\n");

    // Changes: modify, remove, edit in place.
    let k1_renamed = k1.replace("one@kiln", "first@kiln");
    let second_manifest = format!(
        r#"
[[op]]
op = "server.user"
user = "deploy"
shell = "/bin/sh"
supplementary_groups = []

[[op]]
op = "server.user"
user = "temp"
present = false

[[op]]
op = "server.group"
group = "kiln-extra"
present = false

[[op]]
op = "server.authorized_keys"
user = "deploy"
keys = ["{k1_renamed}"]
exclusive = true

[[op]]
op = "server.crontab"
command = "/usr/local/bin/backup --all"
cron_name = "backup"
minute = "45"
hour = "4"
user = "deploy"
env = {{ MAILTO = "ops@example.org" }}

[[op]]
op = "server.crontab"
command = "echo it's hourly"
special_time = "hourly"
present = false

[[op]]
op = "server.sudoers"
filename = "deploy"
present = false

# Through sudo, as deploy: deploy's own crontab (the script's library crosses sudo).
[[op]]
op = "server.crontab"
command = "echo as-deploy"
special_time = "weekly"
sudo_user = "deploy"
"#
    );
    let script = emit(&second_manifest);
    let passwd = root.read("/etc/passwd");
    let (_, first) = converge(&root, &script, || {
        assert_eq!(root.read("/etc/passwd"), passwd)
    });
    assert_eq!(counts(&first).1, 8, "{}", text(&first));
    assert_eq!(
        root.sh_ok("getent passwd deploy"),
        "deploy:x:1500:1500:Deploy user:/home/deploy:/bin/sh\n"
    );
    assert_eq!(root.sh_ok("id -Gn deploy"), "deploy\n");
    root.sh_ok("! getent passwd temp && ! getent group kiln-extra");
    assert_eq!(
        root.read("/home/deploy/.ssh/authorized_keys"),
        format!("{k1_renamed}\n")
    );
    assert_eq!(
        root.sh_ok("crontab -u deploy -l"),
        "# kiln: backup\n45 4 * * * MAILTO='ops@example.org' /usr/local/bin/backup --all\n@weekly echo as-deploy\n"
    );
    assert_eq!(root.sh_ok("crontab -l"), "0 1 * * * /bin/true keep-me\n");
    assert!(!root.at("/etc/sudoers.d/deploy").exists());

    // A rule visudo refuses is never installed, and the op fails.
    let bad = emit(
        r#"
[[op]]
op = "server.sudoers"
filename = "bad"
rules = ["deploy ALL=(root NOPASSWD /usr/bin/true"]
"#,
    );
    let run = root.run_script(&bad, &[]);
    assert_eq!(run.status.code(), Some(1), "{}", text(&run));
    assert_eq!(
        root.sh_ok("ls -A /etc/sudoers.d"),
        "README\n",
        "{}",
        text(&run)
    );
}

/// A crontab entry's command is shell that cron runs with `sh`: a value a template inserts
/// is one quoted word there, as in `server.shell` (the value below once landed in root's
/// crontab as code), and an environment value is one word too. A `%` reaches the command
/// (cron would have cut the command there): the line has `\%`, and a second run finds it.
/// No cron daemon runs here: each entry's command is taken from the line the way cron
/// reads it ([`cron_command`]) and run with `sh -c` in the root, as cron would.
#[test]
fn crontab_values_stay_data_and_percent_signs_reach_the_command() {
    require!(Need::DebianRoot, Need::Shellcheck);
    let root = Root::new();
    let script = emit(
        r#"
[vars]
dir = "/srv; touch /tmp/PWNED #"

[[op]]
op = "server.crontab"
command = "echo {{ dir }} > /tmp/args"
cron_name = "args"

[[op]]
op = "server.crontab"
command = "date +%F > /tmp/date"
cron_name = "date"
hour = "3"

[[op]]
op = "server.crontab"
command = "printenv LABEL > /tmp/label"
env = { LABEL = "100% {{ dir }}" }
special_time = "daily"
"#,
    );
    converge(&root, &script, || {
        assert_eq!(root.sh_ok("crontab -l 2>/dev/null || true"), "")
    });
    let crontab = root.sh_ok("crontab -l");
    for line in crontab.lines().filter(|l| !l.starts_with('#')) {
        let field = if line.starts_with('@') {
            line.split_once(' ').unwrap().1
        } else {
            line.splitn(6, ' ').nth(5).unwrap()
        };
        let Some(command) = cron_command(field) else {
            panic!("cron would cut `{line}` short at a `%`:\n{crontab}");
        };
        root.sh_ok(&command);
        assert!(
            !root.at("/tmp/PWNED").exists(),
            "a value ran as code: `{line}`"
        );
    }
    assert_eq!(
        crontab,
        "# kiln: args\n\
         * * * * * echo '/srv; touch /tmp/PWNED #' > /tmp/args\n\
         # kiln: date\n\
         * 3 * * * date +\\%F > /tmp/date\n\
         @daily LABEL='100\\% /srv; touch /tmp/PWNED #' printenv LABEL > /tmp/label\n"
    );
    assert_eq!(root.read("/tmp/args"), "/srv; touch /tmp/PWNED #\n");
    let date = root.read("/tmp/date");
    assert!(
        date.len() == 11 && date.as_bytes()[4] == b'-' && date.as_bytes()[7] == b'-',
        "`date +%F` printed {date:?}"
    );
    assert_eq!(root.read("/tmp/label"), "100% /srv; touch /tmp/PWNED #\n");
}

/// The command cron runs for a crontab entry's command field, or `None` when cron would
/// cut it short. vixie cron and cronie (`do_command.c`, `child_process`) end the command at
/// the first `%` no `\` escapes (the rest, each `%` made a newline, becomes its standard
/// input); `\%` stands for `%`, and any other `\` is kept along with the character after it.
fn cron_command(field: &str) -> Option<String> {
    let mut command = String::new();
    let mut chars = field.chars();
    while let Some(c) = chars.next() {
        match c {
            '%' => return None,
            '\\' => match chars.next() {
                Some('%') => command.push('%'),
                Some(next) => {
                    command.push('\\');
                    command.push(next);
                }
                None => command.push('\\'),
            },
            _ => command.push(c),
        }
    }
    Some(command)
}

#[test]
fn git_repo_clones_and_follows() {
    require!(Need::DebianRoot, Need::Shellcheck);
    let root = Root::new();
    // A bare repository with `main` (two commits, the first tagged v1) and `dev`, and a
    // copy owned by the user that clones it (git refuses repositories owned by others).
    root.sh_ok(
        "set -e
        export HOME=/root GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.org GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.org
        git init -q -b main /tmp/work && cd /tmp/work
        echo one > f && git add f && git commit -q -m one && git tag v1
        echo two > f && git commit -q -am two
        git checkout -q -b dev && echo dev > f && git commit -q -am dev && git checkout -q main
        git clone -q --bare /tmp/work /srv/git/app.git
        useradd -m gituser
        cp -a /srv/git/app.git /srv/git/mine.git && chown -R gituser /srv/git/mine.git",
    );
    let script = emit(
        r#"
[[op]]
op = "git.repo"
repo = "/srv/git/app.git"
dest = "/srv/app"
branch = "dev"

[[op]]
op = "git.repo"
repo = "/srv/git/app.git"
dest = "/srv/app-v1"
rev = "v1"

[[op]]
op = "git.repo"
repo = "file:///srv/git/mine.git"
dest = "/home/gituser/app"
user = "gituser"
depth = 1
"#,
    );
    let (_, first) = converge(&root, &script, || assert!(!root.at("/srv/app").exists()));
    assert_eq!(counts(&first).1, 3, "{}", text(&first));
    let head = |dir: &str| root.sh_ok(&format!("git -C {dir} rev-parse HEAD"));
    let rev =
        |repo: &str, rev: &str| root.sh_ok(&format!("git -C {repo} rev-parse {rev}^{{commit}}"));
    assert_eq!(head("/srv/app"), rev("/srv/git/app.git", "dev"));
    assert_eq!(head("/srv/app-v1"), rev("/srv/git/app.git", "v1"));
    assert_eq!(root.sh_ok("stat -c %U /home/gituser/app/f"), "gituser\n");
    assert_eq!(root.read("/home/gituser/app/f"), "two\n");

    // New commits upstream: the branch followers move, the pinned revision stays.
    root.sh_ok(
        "set -e
        export HOME=/root GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.org GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.org
        cd /tmp/work && git checkout -q dev && echo dev2 > f && git commit -q -am dev2
        git checkout -q main && echo three > f && git commit -q -am three
        git push -q /srv/git/app.git dev main
        chown -R root /srv/git/mine.git && git push -q /srv/git/mine.git main
        chown -R gituser /srv/git/mine.git",
    );
    let before = head("/srv/app");
    let (check, first) = converge(&root, &script, || assert_eq!(head("/srv/app"), before));
    assert_eq!(
        statuses(&check),
        ["would-change", "ok", "would-change"],
        "{}",
        text(&check)
    );
    assert_eq!(
        statuses(&first),
        ["changed", "ok", "changed"],
        "{}",
        text(&first)
    );
    assert_eq!(head("/srv/app"), rev("/srv/git/app.git", "dev"));
    assert_eq!(root.read("/home/gituser/app/f"), "three\n");
}

/// `git.config` with the real git, in each configuration it writes: the system's, a user's
/// own (`~/.gitconfig`, made theirs), a repository's; unset again.
#[test]
fn git_config_system_global_local() {
    require!(Need::DebianRoot, Need::Shellcheck);
    let root = Root::new();
    root.sh_ok("set -e; useradd -m gcuser; git init -q /srv/repo");
    let script = emit(
        r#"
[[op]]
op = "git.config"
key = "init.defaultBranch"
value = "main"

[[op]]
op = "git.config"
key = "user.email"
value = "gc@example.org"
scope = "global"
user = "gcuser"

[[op]]
op = "git.config"
key = "core.autocrlf"
value = "input"
scope = "local"
repo = "/srv/repo"

[[op]]
op = "git.config"
key = "core.bare"
present = false
scope = "local"
repo = "/srv/repo"
"#,
    );
    let (_, first) = converge(&root, &script, || {
        assert!(!root.at("/home/gcuser/.gitconfig").exists())
    });
    assert_eq!(
        statuses(&first),
        ["changed", "changed", "changed", "changed"],
        "{}",
        text(&first)
    );
    assert_eq!(
        root.sh_ok("git config --system --get init.defaultBranch"),
        "main\n"
    );
    assert_eq!(
        root.sh_ok("su gcuser -c 'git config --global --get user.email'"),
        "gc@example.org\n"
    );
    assert_eq!(root.sh_ok("stat -c %U /home/gcuser/.gitconfig"), "gcuser\n");
    assert_eq!(
        root.sh_ok("git -C /srv/repo config --local --get core.autocrlf"),
        "input\n"
    );
    assert_eq!(
        root.sh_ok("git -C /srv/repo config --local --get core.bare || echo unset"),
        "unset\n"
    );
}

#[test]
fn server_wait_for_a_path_and_a_command() {
    require!(Need::DebianRoot, Need::Shellcheck);
    let root = Root::new();
    let script = emit(
        r#"
[[op]]
op = "server.shell"
commands = ["(sleep 2; : > /tmp/kiln-ready) >/dev/null 2>&1 &"]
creates = "/tmp/kiln-ready"

[[op]]
op = "server.wait"
path = "/tmp/kiln-ready"
timeout = "20s"

[[op]]
op = "server.wait"
command = "test -d /tmp"
timeout = "5s"

[[op]]
op = "server.wait"
path = "/tmp/never"
present = false
"#,
    );
    let started = std::time::Instant::now();
    let (_, first) = converge(&root, &script, || {
        assert!(!root.at("/tmp/kiln-ready").exists())
    });
    assert_eq!(
        statuses(&first),
        ["changed", "changed", "ok", "ok"],
        "{}",
        text(&first)
    );
    assert!(started.elapsed().as_secs() >= 2);

    let timeout = emit(
        r#"
[[op]]
op = "server.wait"
command = "false"
timeout = "2s"
"#,
    );
    let run = root.run_script(&timeout, &[]);
    assert_eq!(run.status.code(), Some(1), "{}", text(&run));
    assert!(
        String::from_utf8_lossy(&run.stderr).contains("giving up"),
        "{}",
        text(&run)
    );
}

/// `server.alternatives` with Debian's real `update-alternatives`: a new name with two
/// alternatives, one selected (manual mode); then automatic mode picks the higher
/// priority; then that one removed, the name falls back to the other.
#[test]
fn alternatives_with_update_alternatives() {
    require!(Need::DebianRoot, Need::Shellcheck);
    let root = Root::new();
    for name in ["hello-a", "hello-b"] {
        root.write(
            &format!("usr/local/lib/{name}"),
            format!("#!/bin/sh\necho {name}\n").as_bytes(),
            0o755,
        );
    }
    let op = |path: &str, priority: i32, state: &str| {
        format!(
            "[[op]]\nop = \"server.alternatives\"\ngeneric_name = \"hello\"\nlink = \"/usr/local/bin/hello\"\n\
             path = \"/usr/local/lib/{path}\"\npriority = {priority}\nstate = \"{state}\"\n\n"
        )
    };
    let hello = || root.sh_ok("/usr/local/bin/hello");
    let query = || root.sh_ok("update-alternatives --query hello | grep -E '^(Status|Value):'");
    let selected = emit(&(op("hello-a", 10, "selected") + &op("hello-b", 20, "present")));
    converge(&root, &selected, || {
        assert!(!root.at("etc/alternatives/hello").exists());
    });
    assert_eq!(hello(), "hello-a\n");
    assert_eq!(query(), "Status: manual\nValue: /usr/local/lib/hello-a\n");

    let auto =
        emit("[[op]]\nop = \"server.alternatives\"\ngeneric_name = \"hello\"\nstate = \"auto\"\n");
    converge(&root, &auto, || assert_eq!(hello(), "hello-a\n"));
    assert_eq!(hello(), "hello-b\n");

    let absent = emit(&op("hello-b", 20, "absent"));
    converge(&root, &absent, || assert_eq!(hello(), "hello-b\n"));
    assert_eq!(hello(), "hello-a\n");
    assert_eq!(query(), "Status: auto\nValue: /usr/local/lib/hello-a\n");
}

/// The ops that cannot run here (they would change this machine's kernel state, or need
/// another OS), and the options the real runs above do not use: their lowering, as
/// snapshots of the emitted script from its first op on. Each script passes shellcheck.
#[test]
fn lowering_snapshots() {
    require!(Need::Shellcheck);
    let dir = fixtures().join("lowering");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    cases.sort();
    assert!(!cases.is_empty());
    for case in cases {
        let script = emit_file(&case);
        let start = script.find("k_begin \"$@\"\n").expect("k_begin") + "k_begin \"$@\"\n".len();
        let name = case.file_stem().unwrap().to_string_lossy().into_owned();
        insta::with_settings!({ snapshot_path => "snapshots/chroot", prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(name.as_str(), &script[start..]);
        });
    }
}

/// The runtime's filters and package helpers under every shell of the matrix (the chroot
/// runs dash only): the runtime the calls use, then calls on files in a temporary
/// directory.
#[test]
fn library_helpers_under_every_shell() {
    require!(Need::Shells);
    let calls = r#"
d=$1
printf '# mounts\nUUID=1 / ext4 defaults 0 1\n/dev/sdb1   /data  xfs  noatime 0 2\n/dev/sdb2 /data xfs defaults 0 0\n' > "$d/fstab"
k_filter_file act --path "$d/fstab" -- k_keyed --format fstab --key /data --line '/dev/sdc1 /data ext4 defaults 0 2'
k_filter_file ok --path "$d/fstab" -- k_keyed --format fstab --key /data --line '/dev/sdc1 /data ext4 defaults 0 2' && echo fstab-ok
printf 'vm.swappiness=60\n -net/ipv4/ip_forward = 0' > "$d/sysctl.conf"
k_filter_file act --path "$d/sysctl.conf" -- k_keyed --format sysctl --key net.ipv4.ip_forward --line 'net.ipv4.ip_forward = 1'
k_filter_file act --path "$d/sysctl.conf" -- k_keyed --format sysctl --key kernel.pid_max --line 'kernel.pid_max = 65536'
k_filter_file ok --path "$d/missing" -- k_keyed --format words --key 'deb x y' --line 'deb x y' --absent && [ ! -e "$d/missing" ] && echo absent-ok
printf '# en_US ISO-8859-1\n# en_US.UTF-8 UTF-8\nfr_FR.UTF-8 UTF-8\n' > "$d/locale.gen"
k_filter_file act --path "$d/locale.gen" -- k_locale_gen --line 'en_US.UTF-8 UTF-8'
k_filter_file act --path "$d/locale.gen" -- k_locale_gen --line 'fr_FR.UTF-8 UTF-8' --absent
printf 'ssh-rsa AAAAkeep other\ncommand="x" ssh-ed25519 AAAAone old-comment\n\n# note\n' > "$d/keys"
k_filter_file act --path "$d/keys" --mode 0600 -- k_auth_keys --keys "$(printf 'ssh-ed25519 AAAAone new\nssh-ed25519 AAAAtwo two')"
cp "$d/keys" "$d/keys-exclusive"
k_filter_file act --path "$d/keys-exclusive" -- k_auth_keys --keys 'ssh-ed25519 AAAAtwo two' --exclusive
printf 'MAILTO=x\n# kiln: backup\n0 1 * * * old-backup\n@daily  echo hi\n*/5 * * * * echo hi\n' > "$d/cron"
k_filter_file act --path "$d/cron" -- k_cron_entry --name backup --line '15 3 * * * backup' --job backup
k_filter_file act --path "$d/cron" -- k_cron_entry --job 'echo hi' --absent
k_filter_file act --path "$d/cron" -- k_cron_entry --name 'new one' --line '@reboot start' --job start
has() { case $1 in a*) return 0 ;; esac; return 1; }
k_pkgs 1 has printf '[%s]' -- 'a b' 'x y' '*' 'ab' && echo
k_pkgs_ok 1 has 'a' 'ab' && echo all-installed
k_pkgs_show 0 has '' 'a b' 'x y'
"#;
    let expected = "fstab-ok\nabsent-ok\n[x y][*]\nall-installed\nremove a b\n";
    let files: &[(&str, &str)] = &[
        (
            "fstab",
            "# mounts\nUUID=1 / ext4 defaults 0 1\n/dev/sdc1 /data ext4 defaults 0 2\n",
        ),
        (
            "sysctl.conf",
            "vm.swappiness=60\nnet.ipv4.ip_forward = 1\nkernel.pid_max = 65536\n",
        ),
        (
            "locale.gen",
            "# en_US ISO-8859-1\nen_US.UTF-8 UTF-8\n# fr_FR.UTF-8 UTF-8\n",
        ),
        (
            "keys",
            "ssh-rsa AAAAkeep other\n\n# note\nssh-ed25519 AAAAone new\nssh-ed25519 AAAAtwo two\n",
        ),
        ("keys-exclusive", "\n# note\nssh-ed25519 AAAAtwo two\n"),
        (
            "cron",
            "MAILTO=x\n# kiln: backup\n15 3 * * * backup\n# kiln: new one\n@reboot start\n",
        ),
    ];
    let lib = format!("set -u\n{}", kiln::runtime::for_code(calls));
    for shell in shells::SHELLS {
        let dir = tempfile::tempdir().unwrap();
        let script_path = dir.path().join("t.sh");
        std::fs::write(&script_path, format!("{lib}{calls}")).unwrap();
        let work = dir.path().join("work");
        std::fs::create_dir(&work).unwrap();
        let output = shells::run_script(shell, &script_path, &[work.to_str().unwrap()], dir.path());
        let sh = shells::shell_name(shell);
        assert_eq!(
            String::from_utf8_lossy(&output.stdout),
            expected,
            "under {sh}:\n{}",
            text(&output)
        );
        for (name, content) in files {
            assert_eq!(
                std::fs::read_to_string(work.join(name)).unwrap(),
                *content,
                "{name} under {sh}"
            );
        }
        assert_eq!(tree::mode(&work.join("keys")), "0600", "under {sh}");
    }
}

/// A live run as an unprivileged user of the root (the chroot connector with an inventory
/// `user`, so `chroot --userspec`), becoming root through the root's real `sudo` (a
/// password and a sudoers rule) and real `su` (root's password), each password given once
/// through KILN_BECOME_PASSWORD. Wrong and missing passwords fail the host and change
/// nothing; the password shows in no output and is left in no file of the root.
#[test]
fn live_sudo_and_su_with_passwords() {
    require!(Need::DebianRoot);
    let root = Root::new();
    let sudo_password = "dep 'pw' $HOME";
    let su_password = "r00t \"pw\"";
    root.sh_ok(&format!(
        "useradd -m -s /bin/sh deploy && printf '%s\\n' {} {} | chpasswd \
         && echo 'deploy ALL=(ALL) ALL' > /etc/sudoers.d/deploy && chmod 440 /etc/sudoers.d/deploy \
         && echo \"127.0.1.1 $(uname -n)\" >> /etc/hosts",
        shell_word(&format!("deploy:{sudo_password}")),
        shell_word(&format!("root:{su_password}")),
    ));
    let project = tempfile::tempdir().unwrap();
    std::fs::write(
        project.path().join("inventory.toml"),
        format!(
            "[hosts.box]\nconnector = \"chroot\"\naddress = \"{}\"\nuser = \"deploy\"\n",
            root.path().display()
        ),
    )
    .unwrap();
    let apply = |manifest: &str, password: Option<&str>| {
        std::fs::write(project.path().join("main.toml"), manifest).unwrap();
        let mut test = Test::new()
            .current_dir(project.path())
            .args(["apply", ".", "-y", "-vv", "--format", "json"]);
        if let Some(password) = password {
            test = test.env("KILN_BECOME_PASSWORD", password);
        }
        let output = test.run();
        let everything = format!("{}{}", output.stdout, output.stderr);
        for secret in [sudo_password, su_password] {
            assert!(
                !everything.contains(secret),
                "a password shows:\n{everything}"
            );
        }
        (
            Some(output.status),
            output.json()["hosts"][0].clone(),
            everything,
        )
    };
    let who = "id -un > /etc/kiln-who-{how}";
    let manifest = |how: &str, become_: &str| {
        format!(
            "[[op]]\nop = \"files.put\"\ndest = \"/etc/kiln-{how}\"\ncontent = \"through {how}\\n\"\n{become_}\n\n\
             [[op]]\nop = \"server.shell\"\ncommands = \"{}\"\ncreates = \"/etc/kiln-who-{how}\"\n{become_}\n",
            who.replace("{how}", how)
        )
    };

    // Without becoming anyone, the connection's user cannot write /etc.
    let (code, host, _) = apply(&manifest("plain", ""), None);
    assert_eq!(code, Some(1));
    assert_eq!(host["status"], "failed");
    assert!(!root.at("/etc/kiln-plain").exists());

    for (how, become_, password) in [
        ("sudo", "sudo = true", sudo_password),
        ("su", "su_user = \"root\"", su_password),
    ] {
        let manifest = manifest(how, become_);
        let (code, host, everything) = apply(&manifest, None);
        assert_eq!(code, Some(1), "{how} without a password:\n{everything}");
        assert!(!root.at(&format!("/etc/kiln-{how}")).exists());
        assert_eq!(host["status"], "failed");
        // A wrong password is tried once, up front, and stops the run before any step:
        // every op is reported not-run.
        let (code, host, everything) = apply(&manifest, Some("wrong password"));
        assert_eq!(code, Some(1), "{how} with a wrong password:\n{everything}");
        assert!(!root.at(&format!("/etc/kiln-{how}")).exists());
        let statuses: Vec<&str> = host["ops"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|op| op["status"].as_str())
            .collect();
        assert_eq!(statuses, ["not-run", "not-run"], "{everything}");
        assert!(
            host["error"]
                .as_str()
                .is_some_and(|e| e.contains(&format!("{how} refused the become password"))),
            "{everything}"
        );

        let (code, host, everything) = apply(&manifest, Some(password));
        assert_eq!(code, Some(0), "{how} with its password:\n{everything}");
        assert_eq!(host["changed"], 2, "{everything}");
        assert_eq!(
            root.read(&format!("/etc/kiln-{how}")),
            format!("through {how}\n"),
            "the file's data follows the password"
        );
        assert_eq!(
            root.sh_ok(&format!("stat -c %U /etc/kiln-{how}")).trim(),
            "root"
        );
        assert_eq!(root.read(&format!("/etc/kiln-who-{how}")), "root\n");
        let (code, host, everything) = apply(&manifest, Some(password));
        assert_eq!(code, Some(0), "{everything}");
        assert_eq!(host["changed"], 0, "the second apply changes nothing");
    }

    // `kiln exec --become`, through the same sudo and su.
    let exec = |extra: &[&str], password: Option<&str>| {
        let mut test = Test::new()
            .current_dir(project.path())
            .args(["exec", "inventory.toml"])
            .args(extra.iter().copied())
            .args(["--", "id -un"]);
        if let Some(password) = password {
            test = test.env("KILN_BECOME_PASSWORD", password);
        }
        let output = test.run();
        let text = format!("{}{}", output.stdout, output.stderr);
        for secret in [sudo_password, su_password] {
            assert!(!text.contains(secret), "a password shows:\n{text}");
        }
        (Some(output.status), text)
    };
    assert_eq!(exec(&[], None), (Some(0), "box: exit 0\n  deploy\n".into()));
    assert_eq!(
        exec(&["-b"], Some(sudo_password)),
        (Some(0), "box: exit 0\n  root\n".into())
    );
    assert_eq!(
        exec(&["--become-method", "su"], Some(su_password)).1,
        "box: exit 0\n  deploy\n",
        "a method alone does not become anyone"
    );
    assert_eq!(
        exec(&["-b", "--become-method", "su"], Some(su_password)),
        (Some(0), "box: exit 0\n  root\n".into())
    );
    let (code, text) = exec(&["--become-user", "root"], Some("wrong"));
    assert_eq!(code, Some(1));
    assert!(text.contains("sudo refused the become password"), "{text}");

    // Nothing on the host holds a password: not a file, not a temporary left behind.
    for secret in [sudo_password, su_password] {
        let found = Command::new("grep")
            .args(["-rlF", "--exclude-dir=proc", secret])
            .arg(root.path())
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&found.stdout),
            "",
            "files holding a password"
        );
    }
}

/// `text` as one single-quoted shell word (for test setup commands only).
fn shell_word(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// Over SSH with a password, as a user that exists only in the root: the root's own
/// OpenSSH server runs chrooted into it on a loopback port (no keys: password only), and
/// the ops become root through the root's real sudo with the user's password. A missing
/// or wrong SSH password leaves the host unreachable and nothing changed; neither password
/// shows in any output.
#[test]
fn ssh_password_login_then_sudo_with_a_password() {
    require!(Need::DebianRoot, Need::Sshd);
    let root = Root::new();
    let password = "ssh 'n' sudo $pw";
    root.sh_ok(&format!(
        "useradd -m -s /bin/sh deploy && printf '%s\\n' {} | chpasswd \
         && echo 'deploy ALL=(ALL) ALL' > /etc/sudoers.d/deploy && chmod 440 /etc/sudoers.d/deploy",
        shell_word(&format!("deploy:{password}")),
    ));
    let server = sshd::Sshd::start_in_root(root.path());
    let project = tempfile::tempdir().unwrap();
    std::fs::write(
        project.path().join("inventory.toml"),
        format!(
            "[hosts.box]\naddress = \"127.0.0.1\"\nport = {}\nuser = \"deploy\"\n",
            server.port
        ),
    )
    .unwrap();
    std::fs::write(
        project.path().join("main.toml"),
        "[[op]]\nop = \"files.put\"\ndest = \"/etc/kiln-over-ssh\"\ncontent = \"{{ host.name }}\\n\"\nsudo = true\n\n\
         [[op]]\nop = \"files.put\"\ndest = \"/home/deploy/mine\"\ncontent = \"mine\\n\"\n",
    )
    .unwrap();
    let apply = |ssh_password: Option<&str>| {
        // No key and no agent of this machine's may log in (a clean environment, and a
        // `HOME` of the project's): a password only.
        let mut test = Test::new()
            .current_dir(project.path())
            .args(["apply", ".", "-y", "--format", "json", "--known-hosts"])
            .arg(server.known_hosts.display().to_string())
            .arg("--ssh-config")
            .arg(server.ssh_config.display().to_string())
            .env("HOME", project.path().display().to_string())
            .env("KILN_BECOME_PASSWORD", password);
        if let Some(ssh_password) = ssh_password {
            test = test.env("KILN_SSH_PASSWORD", ssh_password);
        }
        let output = test.run();
        let everything = format!("{}{}", output.stdout, output.stderr);
        assert!(
            !everything.contains(password),
            "the password shows:\n{everything}"
        );
        (Some(output.status), output.json()["hosts"][0].clone())
    };

    let (code, host) = apply(None);
    assert_eq!(code, Some(1));
    assert_eq!(host["status"], "unreachable", "{host}");
    assert!(
        host["error"]
            .as_str()
            .unwrap()
            .contains("password: none given"),
        "{host}"
    );
    let (code, host) = apply(Some("not it"));
    assert_eq!(code, Some(1));
    assert_eq!(host["status"], "unreachable", "{host}");
    assert!(!root.at("/etc/kiln-over-ssh").exists());

    let (code, host) = apply(Some(password));
    assert_eq!(code, Some(0), "{host}");
    assert_eq!(host["changed"], 2, "{host}");
    assert_eq!(host["round_trips"], 1, "{host}");
    assert_eq!(root.read("/etc/kiln-over-ssh"), "box\n");
    assert_eq!(
        root.sh_ok("stat -c %U:%G /etc/kiln-over-ssh /home/deploy/mine"),
        "root:root\ndeploy:deploy\n"
    );
    assert!(
        server.log_text().contains("Accepted password for deploy"),
        "{}",
        server.log_text()
    );
    let (code, host) = apply(Some(password));
    assert_eq!(code, Some(0), "{host}");
    assert_eq!(
        host["changed"], 0,
        "the second apply changes nothing: {host}"
    );
}

/// A live run on a chroot host whose op leaves commands running in the background
/// (`support/background.rs`, with the root's own `setsid` and `sleep`) ends with its
/// script, in well under the 30 s they run; the host is changed, the commands keep running.
#[test]
fn a_live_run_ends_when_its_script_does_despite_background_commands() {
    require!(Need::DebianRoot);
    let root = Root::new();
    let project = tempfile::tempdir().unwrap();
    std::fs::write(
        project.path().join("inventory.toml"),
        format!(
            "[hosts.box]\nconnector = \"chroot\"\naddress = \"{}\"\n",
            root.path().display()
        ),
    )
    .unwrap();
    std::fs::write(
        project.path().join("main.toml"),
        background::manifest(false),
    )
    .unwrap();
    let started = std::time::Instant::now();
    let output = Test::new()
        .current_dir(project.path())
        .args(["apply", ".", "-y", "--format", "json", "-e", "pids=/tmp"])
        .run();
    let took = started.elapsed();
    let running = background::end(&root.at("/tmp"));
    assert!(
        took < std::time::Duration::from_secs(5),
        "the run took {took:?}"
    );
    assert_eq!(running, [true, true], "the commands keep running");
    let report = output.json();
    assert_eq!(report["hosts"][0]["status"], "changed", "{report}");
}

/// `examples/ssh-hardening`, a role ported line for line, applied live to the Debian root
/// (`@chroot/…`): its custom fact reads OpenSSH 9.2, so the `version` test picks the modern
/// key exchange; the looped `files.line` edits and the template are each checked by
/// `sshd -t -f %s` before they are installed; the registered count of weak moduli makes
/// the next op remove them; the handler reloads sshd once. A second apply, from the KDL
/// spelling, changes nothing, and the registered count (now 0) skips the removal.
#[test]
fn ssh_hardening_example_converges_and_sshd_accepts_it() {
    require!(Need::DebianRoot);
    let root = Root::new();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/ssh-hardening");
    let target = format!("@chroot{}", root.path().display());
    let apply = |spelling: &str| {
        let output = Test::new()
            .current_dir(&example)
            .args(["apply", spelling, "-i", &target, "-y", "--format", "json"])
            .run();
        output.assert_status(0);
        output.json()["hosts"][0].clone()
    };
    let weak = "awk '$5 < 3071' /etc/ssh/moduli | wc -l";
    assert_ne!(root.sh_ok(weak).trim(), "0", "bookworm ships weak moduli");

    let first = apply("main.toml");
    assert_eq!(first["failed"], 0, "{first}");
    let ops = first["ops"].as_array().unwrap();
    let status = |label: &str| {
        let op = ops
            .iter()
            .find(|op| op["label"].as_str().unwrap().contains(label));
        op.unwrap_or_else(|| panic!("no op `{label}` in {first}"))["status"].clone()
    };
    assert_eq!(status("(item=PasswordAuthentication no)"), "changed");
    // Debian's sshd_config says this already.
    assert_eq!(status("(item=KbdInteractiveAuthentication no)"), "ok");
    assert_eq!(status("50-crypto.conf"), "changed");
    assert_eq!(status("moduli.new"), "changed");
    assert_eq!(status("handler \"reload sshd\""), "changed");
    assert_eq!(root.sh_ok(weak).trim(), "0");
    let crypto = root.read("/etc/ssh/sshd_config.d/50-crypto.conf");
    assert!(
        crypto.starts_with("# Managed by kiln: the algorithms for OpenSSH 9.2.\nKexAlgorithms sntrup761x25519-sha512@openssh.com,"),
        "{crypto}"
    );
    let effective = root.sh_ok("/usr/sbin/sshd -T -f /etc/ssh/sshd_config");
    for setting in [
        "permitrootlogin without-password",
        "passwordauthentication no",
        "x11forwarding no",
        "maxauthtries 3",
        "logingracetime 30",
        "kexalgorithms sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-sha256@libssh.org,diffie-hellman-group16-sha512,diffie-hellman-group18-sha512",
        "macs hmac-sha2-512-etm@openssh.com,hmac-sha2-256-etm@openssh.com,umac-128-etm@openssh.com",
    ] {
        assert!(
            effective.lines().any(|l| l == setting),
            "sshd -T lacks `{setting}`:\n{effective}"
        );
    }

    let config = root.read("/etc/ssh/sshd_config");
    let second = apply("main.kdl");
    assert_eq!(
        (&second["status"], &second["changed"], &second["failed"]),
        (&"ok".into(), &0.into(), &0.into()),
        "the second apply changes nothing: {second}"
    );
    let removal = second["ops"]
        .as_array()
        .unwrap()
        .iter()
        .find(|op| op["label"].as_str().unwrap().contains("moduli.new"));
    assert_eq!(removal.unwrap()["status"], "skipped", "{second}");
    assert_eq!(root.read("/etc/ssh/sshd_config"), config);
}
