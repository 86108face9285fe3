//! Keys and trust against the real tools: `ssh.keygen` with OpenSSH's ssh-keygen (keys
//! made, kept, and replaced as `regenerate` says) and `ssh.known_hosts` with ssh-keyscan
//! against an OpenSSH server on loopback that the test starts, whose entries ssh then
//! trusts. Each manifest is applied locally (`kiln apply`, `@local`), twice.

use std::path::Path;
use std::process::Command;

use crate::support::kiln::Test;
use crate::support::need::{Need, require};
use crate::support::sshd::Sshd;

/// `kiln apply` of `manifest` in `project`: (exit status, changed count).
fn apply(project: &Path, manifest: &str) -> (i32, u64) {
    std::fs::write(project.join("main.toml"), manifest).unwrap();
    let output = Test::new()
        .current_dir(project)
        .args(["apply", ".", "-y", "--format", "json"])
        .run();
    let changed = output.json()["hosts"][0]["changed"].as_u64().unwrap_or(0);
    (output.status, changed)
}

/// What `ssh-keygen -l` says of the key at `path`: bits and type, e.g. `2048 (RSA)`.
fn key_of(path: &Path) -> String {
    let output = Command::new("ssh-keygen")
        .arg("-lf")
        .arg(path)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let fields: Vec<&str> = text.split_whitespace().collect();
    format!("{} {}", fields[0], fields[fields.len() - 1])
}

#[test]
fn ssh_keygen_makes_a_key_once_and_replaces_it_as_asked() {
    require!(Need::Sshd);
    let project = tempfile::tempdir().unwrap();
    let key = project.path().join("id");
    let manifest = |kind: &str, size: u32, regenerate: &str| {
        format!(
            "[[op]]\nop = \"ssh.keygen\"\npath = \"{}\"\ntype = \"{kind}\"\nsize = {size}\n\
             comment = \"deploy@web\"\nregenerate = \"{regenerate}\"\n",
            key.display()
        )
    };
    assert_eq!(
        apply(
            project.path(),
            &manifest("rsa", 2048, "partial_idempotence")
        ),
        (0, 1)
    );
    assert_eq!(key_of(&key), "2048 (RSA)");
    let first = std::fs::read(&key).unwrap();
    assert_eq!(
        apply(
            project.path(),
            &manifest("rsa", 2048, "partial_idempotence")
        ),
        (0, 0)
    );
    assert_eq!(
        std::fs::read(&key).unwrap(),
        first,
        "a second apply keeps the key"
    );
    // Another size: `fail` refuses and keeps the key; the default replaces it.
    assert_eq!(apply(project.path(), &manifest("rsa", 3072, "fail")).0, 1);
    assert_eq!(std::fs::read(&key).unwrap(), first);
    assert_eq!(
        apply(
            project.path(),
            &manifest("ecdsa", 384, "partial_idempotence")
        ),
        (0, 1)
    );
    assert_eq!(key_of(&key), "384 (ECDSA)");
    let public = std::fs::read_to_string(project.path().join("id.pub")).unwrap();
    assert!(
        public.starts_with("ecdsa-sha2-nistp384 ") && public.ends_with(" deploy@web\n"),
        "{public}"
    );
    // A key that cannot be read: only full_idempotence replaces it.
    std::fs::write(&key, "broken\n").unwrap();
    assert_eq!(
        apply(
            project.path(),
            &manifest("ecdsa", 384, "partial_idempotence")
        )
        .0,
        1
    );
    assert_eq!(
        apply(project.path(), &manifest("ecdsa", 384, "full_idempotence")),
        (0, 1)
    );
    assert_eq!(key_of(&key), "384 (ECDSA)");
    let leftovers: Vec<_> = std::fs::read_dir(project.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(".kiln"))
        .collect();
    assert!(leftovers.is_empty(), "left beside the key: {leftovers:?}");
}

#[test]
fn known_hosts_keyscan_of_a_loopback_server_is_trusted_by_ssh() {
    require!(Need::Root, Need::Sshd);
    let sshd = Sshd::start();
    let project = tempfile::tempdir().unwrap();
    let known_hosts = project.path().join("known_hosts");
    let name = format!("[127.0.0.1]:{}", sshd.port);
    let manifest = format!(
        "[[op]]\nop = \"ssh.known_hosts\"\nhost = \"{name}\"\npath = \"{}\"\nkeyscan = true\nhash_host = true\n",
        known_hosts.display()
    );
    assert_eq!(apply(project.path(), &manifest), (0, 1));
    let text = std::fs::read_to_string(&known_hosts).unwrap();
    assert!(
        text.lines().all(|line| line.starts_with("|1|")),
        "hashed:\n{text}"
    );
    assert!(
        text.contains(&sshd.host_key("ed25519")),
        "the server's key:\n{text}"
    );
    let found = Command::new("ssh-keygen")
        .args(["-F", &name, "-f"])
        .arg(&known_hosts)
        .output()
        .unwrap();
    assert!(found.status.success(), "ssh-keygen -F finds {name}");
    assert_eq!(
        apply(project.path(), &manifest),
        (0, 0),
        "a second apply changes nothing"
    );
    // ssh trusts the server through the file, checking strictly.
    let login = Command::new("ssh")
        .arg("-F")
        .arg(&sshd.ssh_config)
        .arg("-i")
        .arg(&sshd.client_key)
        .arg("-o")
        .arg(format!("UserKnownHostsFile={}", known_hosts.display()))
        .args([
            "-o",
            "StrictHostKeyChecking=yes",
            "-o",
            "BatchMode=yes",
            "-p",
        ])
        .arg(sshd.port.to_string())
        .args(["root@127.0.0.1", "true"])
        .output()
        .unwrap();
    assert!(
        login.status.success(),
        "ssh: {}",
        String::from_utf8_lossy(&login.stderr)
    );
    // Absent: the hashed entries go.
    let absent = format!(
        "[[op]]\nop = \"ssh.known_hosts\"\nhost = \"{name}\"\npath = \"{}\"\npresent = false\n",
        known_hosts.display()
    );
    assert_eq!(apply(project.path(), &absent), (0, 1));
    assert_eq!(std::fs::read_to_string(&known_hosts).unwrap(), "");
}
