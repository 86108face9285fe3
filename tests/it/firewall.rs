//! Firewall ops against the real tools, never this machine's own firewall: `nft` runs in a
//! network namespace of the test's own (`unshare --net`), UFW in the Debian root entered
//! through `unshare --net --mount` (UFW is installed there from the Debian mirror, and its
//! kernel parameters file is emptied, so it sets none). Each namespace ends with the test's
//! shell. firewalld needs its daemon on D-Bus, which no test runs: its ops run against a
//! FAKE `firewall-cmd` on `PATH` (`fixtures/firewalld/firewall-cmd`, state in files, calls
//! recorded). And the lockout check: enabling a firewall that drops the SSH port kiln connects
//! through is an error, a rule that denies it a warning.

use std::path::Path;
use std::process::{Command, Output};

use std::os::unix::fs::PermissionsExt;

use crate::support::debian::{self, Root};
use crate::support::kiln::Test;
use crate::support::need::{Need, require};
use crate::support::shells::{self, SHELLS, shell_name, summary};

/// A ruleset that drops what comes in but SSH (and loopback).
const RULESET: &str = "flush ruleset
table inet filter {
  chain input {
    type filter hook input priority 0; policy drop;
    iif lo accept
    tcp dport 22 accept
  }
}
";

fn nftables_manifest(path: &Path, ruleset: &str) -> String {
    format!(
        "[[op]]\nop = \"nftables.ruleset\"\npath = \"{}\"\ncontent = \"\"\"\n{ruleset}\"\"\"\n",
        path.display()
    )
}

/// `sh -c script` in a network namespace of its own, which ends with it.
fn in_own_network(script: &str) -> Output {
    Command::new("unshare")
        .args(["--net", "sh", "-c", &format!("exec 2>&1; {script}")])
        .output()
        .expect("unshare runs (util-linux)")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Under every shell, in a fresh namespace each: check mode changes nothing, an apply
/// writes and loads the ruleset, a second apply changes nothing, and the namespace holds
/// the ruleset; a ruleset that `nft -c` refuses leaves the file as it was.
#[test]
fn nftables_ruleset_is_checked_written_and_loaded_once() {
    require!(Need::Root, Need::UtilLinux, Need::Nftables, Need::Shells);
    let work = tempfile::tempdir().unwrap();
    let conf = work.path().join("nftables.conf");
    let script = work.path().join("script.sh");
    let emitted = shells::emit(
        work.path(),
        &nftables_manifest(&conf, RULESET),
        "@local",
        work.path(),
    );
    std::fs::write(&script, &emitted).unwrap();
    shells::shellcheck(&script);
    for shell in SHELLS {
        let _ = std::fs::remove_file(&conf);
        let run = format!("{} '{}'", shell.join(" "), script.display());
        let output = in_own_network(&format!(
            "{run} --check; echo =====; nft list ruleset; echo =====; {run}; echo =====; {run}; echo =====; nft list ruleset"
        ));
        let out = text(&output);
        let parts: Vec<&str> = out.split("=====\n").collect();
        let name = shell_name(shell);
        assert_eq!(parts.len(), 5, "{name}:\n{out}");
        assert_eq!(summary(parts[0]), (0, 1, 0, 0), "{name}: check\n{out}");
        assert_eq!(parts[1], "", "{name}: check mode loaded a ruleset\n{out}");
        assert_eq!(
            summary(parts[2]),
            (0, 1, 0, 0),
            "{name}: first apply\n{out}"
        );
        assert_eq!(
            summary(parts[3]),
            (1, 0, 0, 0),
            "{name}: second apply\n{out}"
        );
        assert!(
            parts[4].contains("policy drop;") && parts[4].contains("tcp dport 22 accept"),
            "{name}: the namespace's ruleset\n{out}"
        );
        assert_eq!(std::fs::read_to_string(&conf).unwrap(), RULESET, "{name}");
    }

    // A syntax error: refused in check mode and in an apply, the file keeps its bytes.
    let broken = RULESET.replace("iif lo accept", "iif lo acept");
    let emitted = shells::emit(
        work.path(),
        &nftables_manifest(&conf, &broken),
        "@local",
        work.path(),
    );
    std::fs::write(&script, &emitted).unwrap();
    let run = format!("sh '{}'", script.display());
    let output = in_own_network(&format!(
        "{run} --check; echo =====; {run}; echo =====; nft list ruleset"
    ));
    let out = text(&output);
    let parts: Vec<&str> = out.split("=====\n").collect();
    assert_eq!(
        summary(parts[0]).2,
        1,
        "check mode passed a broken ruleset:\n{out}"
    );
    assert!(
        parts[1].contains("the new content is invalid, not installed"),
        "{out}"
    );
    assert_eq!(summary(parts[1]).2, 1, "{out}");
    assert_eq!(parts[2], "", "a broken ruleset was loaded:\n{out}");
    assert_eq!(std::fs::read_to_string(&conf).unwrap(), RULESET);
}

/// A Debian root with UFW, which sets no kernel parameter (its sysctl file emptied: the
/// namespace's parameters are per namespace, but the test needs none).
fn root_with_ufw() -> Root {
    let root = Root::new();
    root.sh_ok(
        "DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ufw >/dev/null \
         && : > /etc/ufw/kiln-no-sysctl.conf \
         && sed -i 's|^IPT_SYSCTL=.*|IPT_SYSCTL=/etc/ufw/kiln-no-sysctl.conf|' /etc/default/ufw",
    );
    root
}

/// `script` run by the root's `sh` in a network and mount namespace of its own (with
/// `/proc` mounted in the root, privately), which ends with it.
fn in_root_own_network(root: &Root, script: &str) -> Output {
    std::fs::write(root.at("/kiln-firewall-test.sh"), script).unwrap();
    let enter = format!(
        "exec 2>&1; mount -t proc proc '{root}/proc' && exec chroot '{root}' /usr/bin/env -i PATH={path} LC_ALL=C sh /kiln-firewall-test.sh",
        root = root.path().display(),
        path = debian::PATH,
    );
    Command::new("unshare")
        .args([
            "--net",
            "--mount",
            "--propagation",
            "private",
            "sh",
            "-c",
            &enter,
        ])
        .output()
        .expect("unshare runs (util-linux)")
}

const UFW_MANIFEST: &str = r#"
[[op]]
op = "ufw.default"
direction = "incoming"
policy = "reject"

[[op]]
op = "ufw.default"
direction = "outgoing"
policy = "allow"

[[op]]
op = "ufw.rule"
rule = "limit"
port = "22"
proto = "tcp"
comment = "kiln way in"

[[op]]
op = "ufw.rule"
rule = "allow"
from_ip = "10.0.0.0/8"
port = "5432"
proto = "tcp"

[[op]]
op = "ufw.rule"
rule = "deny"
port = "23"
delete = true

[[op]]
op = "ufw.enabled"
logging = "medium"
"#;

/// UFW in the Debian root, in a namespace of its own: a rule there beforehand (port 23) is
/// deleted, the others added, UFW enabled; a second apply changes nothing, and `ufw
/// status verbose` shows the result.
#[test]
fn ufw_rules_defaults_and_state_in_a_network_namespace() {
    require!(Need::DebianRoot, Need::UtilLinux, Need::Shellcheck);
    let root = root_with_ufw();
    let work = tempfile::tempdir().unwrap();
    let script = shells::emit(work.path(), UFW_MANIFEST, "@local", work.path());
    std::fs::write(work.path().join("script.sh"), &script).unwrap();
    shells::shellcheck(&work.path().join("script.sh"));
    std::fs::write(root.at("/kiln-test.sh"), &script).unwrap();
    let output = in_root_own_network(
        &root,
        "ufw deny 23 >/dev/null; sh /kiln-test.sh --check; echo =====; ufw status; echo =====; \
         sh /kiln-test.sh; echo =====; sh /kiln-test.sh; echo =====; ufw status verbose",
    );
    let out = text(&output);
    let parts: Vec<&str> = out.split("=====\n").collect();
    assert_eq!(parts.len(), 5, "{out}");
    assert_eq!(summary(parts[0]), (1, 5, 0, 0), "check:\n{out}");
    assert!(
        parts[0].contains("would run: ufw 'delete' 'deny' 'from' 'any' 'to' 'any' 'port' '23'"),
        "{out}"
    );
    assert_eq!(
        parts[1], "Status: inactive\n",
        "check mode enabled UFW:\n{out}"
    );
    assert_eq!(summary(parts[2]), (1, 5, 0, 0), "first apply:\n{out}");
    assert_eq!(summary(parts[3]), (6, 0, 0, 0), "second apply:\n{out}");
    let status: Vec<&str> = parts[4].lines().map(str::trim_end).collect();
    assert_eq!(
        status,
        [
            "Status: active",
            "Logging: on (medium)",
            "Default: reject (incoming), allow (outgoing), deny (routed)",
            "New profiles: skip",
            "",
            "To                         Action      From",
            "--                         ------      ----",
            "22/tcp                     LIMIT IN    Anywhere                   # kiln way in",
            "5432/tcp                   ALLOW IN    10.0.0.0/8",
            "22/tcp (v6)                LIMIT IN    Anywhere (v6)              # kiln way in",
            "",
        ],
        "{out}"
    );
}

const FIREWALLD_MANIFEST: &str = r#"
[[op]]
op = "firewalld.zone"
zone = "app"

[[op]]
op = "firewalld.service"
service = "ssh"
zone = "app"

[[op]]
op = "firewalld.port"
port = "5432/tcp"
zone = "app"
immediate = false

[[op]]
op = "firewalld.service"
service = "dhcpv6-client"
state = "disabled"
"#;

/// firewalld's ops against the FAKE `firewall-cmd` (see the module doc), under every
/// shell: check mode changes nothing, one apply makes exactly the calls needed (the zone,
/// then each service and port in each configuration that lacks it), a second apply none.
#[test]
fn firewalld_services_ports_and_zones_against_a_fake_firewall_cmd() {
    require!(Need::Shells, Need::Shellcheck);
    let work = tempfile::tempdir().unwrap();
    let bin = work.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let fake = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/firewalld/firewall-cmd");
    std::fs::copy(&fake, bin.join("firewall-cmd")).unwrap();
    std::fs::set_permissions(
        bin.join("firewall-cmd"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    let script = work.path().join("script.sh");
    std::fs::write(
        &script,
        shells::emit(work.path(), FIREWALLD_MANIFEST, "@local", work.path()),
    )
    .unwrap();
    shells::shellcheck(&script);
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    for shell in SHELLS {
        let state = tempfile::tempdir().unwrap();
        let firewalld =
            |name: &str| std::fs::read_to_string(state.path().join(name)).unwrap_or_default();
        std::fs::write(
            state.path().join("firewalld.permanent"),
            "public service=dhcpv6-client\n",
        )
        .unwrap();
        std::fs::write(
            state.path().join("firewalld.runtime"),
            "public service=dhcpv6-client\n",
        )
        .unwrap();
        let run = |args: &[&str]| {
            let output = Command::new(shell[0])
                .args(&shell[1..])
                .arg(&script)
                .args(args)
                .current_dir(state.path())
                .env("PATH", &path)
                .output()
                .unwrap();
            (
                summary(&String::from_utf8_lossy(&output.stdout)),
                text(&output),
            )
        };
        let name = shell_name(shell);
        let (check, out) = run(&["--check"]);
        assert_eq!(check, (0, 4, 0, 0), "{name}: check\n{out}");
        assert_eq!(
            firewalld("firewalld.calls"),
            "",
            "{name}: check mode changed firewalld"
        );
        let (first, out) = run(&[]);
        assert_eq!(first, (0, 4, 0, 0), "{name}: first apply\n{out}");
        let (second, out) = run(&[]);
        assert_eq!(second, (4, 0, 0, 0), "{name}: second apply\n{out}");
        assert_eq!(
            firewalld("firewalld.calls"),
            "firewall-cmd --permanent --new-zone=app
firewall-cmd --reload
firewall-cmd --permanent --zone=app --add-service=ssh
firewall-cmd --zone=app --add-service=ssh
firewall-cmd --permanent --zone=app --add-port=5432/tcp
firewall-cmd --permanent --remove-service=dhcpv6-client
firewall-cmd --remove-service=dhcpv6-client
",
            "{name}"
        );
        assert_eq!(
            firewalld("firewalld.permanent"),
            "app service=ssh\napp port=5432/tcp\n",
            "{name}"
        );
        assert_eq!(
            firewalld("firewalld.runtime"),
            "app service=ssh\n",
            "{name}"
        );
    }
}

/// The lockout check, with the inventory's SSH port: enabling UFW or a dropping ruleset
/// without an accept for the port is an error at the op; `force` or an allowing rule lets
/// it through; a rule that denies the port is a warning.
#[test]
fn enabling_a_firewall_that_drops_the_ssh_port_is_refused() {
    let inventory = "[hosts.db]\naddress = \"db.example\"\nport = 2222\n";
    let emit = |manifest: &str| {
        Test::new()
            .file("main.toml", manifest)
            .file("inventory.toml", inventory)
            .args(["emit", ".", "-o", "out"])
            .run()
    };
    let enabled = "[[op]]\nop = \"ufw.rule\"\nrule = \"allow\"\nport = \"22\"\n\n[[op]]\nop = \"ufw.enabled\"\n";
    let output = emit(enabled);
    output.assert_status(1);
    assert_eq!(
        output.stderr,
        "kiln::firewall-lockout

  × this enables a firewall that would drop port 2222, which kiln connects through
   ╭─[main.toml:6:1]
 5 │ 
 6 │ [[op]]
   · ───┬──
   ·    ╰── no `ufw.rule` allows it
 7 │ op = \"ufw.enabled\"
   ╰────
  help: add `ufw.rule` with `rule = \"allow\"` (or `\"limit\"`), `port = \"2222\"` and `proto = \"tcp\"`
        before this op, or write `force = true` when another way in is certain
"
    );
    emit(&enabled.replace("\"22\"", "\"2200:2300\"")).assert_status(0);
    emit(&format!("{enabled}force = true\n")).assert_status(0);

    let ruleset = |accept: &str| {
        format!(
            "[[op]]\nop = \"nftables.ruleset\"\ncontent = \"\"\"\ntable inet f {{\n  chain input {{\n    type filter hook input priority 0; policy drop;\n    {accept}\n  }}\n}}\n\"\"\"\n"
        )
    };
    let output = emit(&ruleset("tcp dport 22 accept"));
    output.assert_status(1);
    output.assert_stderr_contains("its input policy is `drop`, and no rule accepts the port");
    output.assert_stderr_contains("add `tcp dport 2222 accept` to the input chain");
    emit(&ruleset("tcp dport { 80, 2222 } accept")).assert_status(0);
    // A ruleset from a template is checked as rendered for the host.
    let from_src = |accept: &str| {
        Test::new()
            .file(
                "main.toml",
                "[[op]]\nop = \"nftables.ruleset\"\nsrc = \"rules.nft.j2\"\n",
            )
            .file("inventory.toml", inventory)
            .file(
                "rules.nft.j2",
                format!("table inet f {{\n  chain input {{\n    type filter hook input priority 0; policy drop;\n    tcp dport {accept} accept\n  }}\n}}\n"),
            )
            .args(["emit", ".", "-o", "out"])
            .run()
    };
    from_src("22")
        .assert_status(1)
        .assert_stderr_contains("kiln::firewall-lockout");
    from_src("{{ 2000 + 222 }}").assert_status(0);

    for denying in [
        "[[op]]\nop = \"ufw.rule\"\nrule = \"deny\"\nport = \"2222\"\nproto = \"tcp\"\n",
        "[[op]]\nop = \"firewalld.port\"\nport = \"2000-3000/tcp\"\nstate = \"disabled\"\n",
    ] {
        let output = emit(denying);
        output.assert_status(0);
        output.assert_stderr_contains(
            "⚠ this rule denies port 2222, which kiln connects to db through",
        );
    }
    // A rule for another port is no warning.
    emit("[[op]]\nop = \"firewalld.port\"\nport = \"22/tcp\"\nstate = \"disabled\"\n")
        .assert_status(0)
        .assert_stderr("wrote out/db.sh\n");
}
