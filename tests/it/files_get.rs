//! `files.get`: a host's file copied to the controller during a live run, through the real
//! binary and the local connector (this machine is the host): any bytes, once (a second
//! apply finds the copy as the host has it), again after the host's file changed, with the
//! copy private to its owner (a sensitive op's too); a missing file fails the op with the host's message; two
//! hosts naming one copy fail the second; `kiln emit` refuses the op.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::support::kiln::{Output, Test};

const MANIFEST: &str = "[[op]]
op = \"files.get\"
src = \"{{ root }}/data.bin\"
dest = \"copies/{{ host.name }}/data.bin\"

[[op]]
op = \"files.get\"
src = \"{{ root }}/empty\"
dest = \"copies/{{ host.name }}/empty\"
sensitive = true
";

fn kiln(dir: &Path, args: &[&str]) -> Output {
    Test::new()
        .current_dir(dir)
        .args(args.iter().copied())
        .run()
}

/// The ops' statuses in a JSON report of one host.
fn statuses(report: &serde_json::Value) -> Vec<String> {
    report["hosts"][0]["ops"]
        .as_array()
        .unwrap()
        .iter()
        .map(|op| op["status"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn a_host_file_is_copied_to_the_controller_once_and_again_when_it_changes() {
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path().join("root");
    std::fs::create_dir(&root).unwrap();
    let bytes: Vec<u8> = (0..=255u8)
        .chain(*b"\n'$(x)`\r\nno final newline")
        .collect();
    std::fs::write(root.join("data.bin"), &bytes).unwrap();
    std::fs::write(root.join("empty"), b"").unwrap();
    std::fs::write(temp.path().join("main.toml"), MANIFEST).unwrap();
    let root_var = format!("root={}", root.display());
    let apply = [
        "apply", ".", "-i", "@local", "-e", &root_var, "-y", "--format", "json",
    ];
    let copy = temp.path().join("copies/@local/data.bin");

    let plan = kiln(
        temp.path(),
        &[
            "plan", ".", "-i", "@local", "-e", &root_var, "--format", "json",
        ],
    );
    assert_eq!(statuses(&plan.json()), ["would-change", "would-change"]);
    assert!(!copy.exists(), "a plan copies nothing");

    let first = kiln(temp.path(), &apply);
    assert_eq!(
        statuses(&first.json()),
        ["changed", "changed"],
        "{}",
        first.stdout
    );
    assert_eq!(std::fs::read(&copy).unwrap(), bytes);
    assert_eq!(
        std::fs::read(temp.path().join("copies/@local/empty")).unwrap(),
        b""
    );
    let mode = std::fs::metadata(&copy).unwrap().permissions().mode();
    assert_eq!(mode & 0o7777, 0o600, "the copy is its owner's only");
    let entries: Vec<_> = std::fs::read_dir(temp.path().join("copies/@local"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(entries.len(), 2, "no temporary file is left: {entries:?}");

    let second = kiln(temp.path(), &apply);
    assert_eq!(statuses(&second.json()), ["ok", "ok"], "{}", second.stdout);

    std::fs::write(root.join("data.bin"), b"changed on the host\n").unwrap();
    let third = kiln(temp.path(), &apply);
    assert_eq!(
        statuses(&third.json()),
        ["changed", "ok"],
        "{}",
        third.stdout
    );
    assert_eq!(std::fs::read(&copy).unwrap(), b"changed on the host\n");

    std::fs::remove_file(root.join("data.bin")).unwrap();
    let missing = kiln(temp.path(), &apply);
    let report = missing.json();
    assert_eq!(statuses(&report)[0], "failed", "{}", missing.stdout);
    let stderr = report["hosts"][0]["ops"][0]["stderr"].as_str().unwrap();
    assert!(
        stderr.contains("data.bin: not a readable file on the host"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read(&copy).unwrap(),
        b"changed on the host\n",
        "a failed copy keeps the last one"
    );
}

#[test]
fn two_hosts_copying_to_one_file_fail_the_second() {
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path().join("root");
    std::fs::create_dir(&root).unwrap();
    std::fs::write(root.join("data.bin"), b"one file\n").unwrap();
    std::fs::write(
        temp.path().join("main.toml"),
        "[[op]]\nop = \"files.get\"\nsrc = \"{{ root }}/data.bin\"\ndest = \"copy.bin\"\n",
    )
    .unwrap();
    std::fs::write(
        temp.path().join("inventory.toml"),
        "[hosts.alpha]\nconnector = \"local\"\n\n[hosts.beta]\nconnector = \"local\"\n",
    )
    .unwrap();
    let root_var = format!("root={}", root.display());
    let output = kiln(
        temp.path(),
        &["apply", ".", "-e", &root_var, "-y", "--format", "json"],
    );
    assert_eq!(output.status, 1, "{}", output.stdout);
    let report = output.json();
    let mut statuses: Vec<&str> = report["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|host| host["status"].as_str().unwrap())
        .collect();
    statuses.sort_unstable();
    assert_eq!(statuses, ["changed", "failed"], "{}", output.stdout);
    assert!(
        output.stdout.contains("copy.bin was written by host ")
            && output.stdout.contains("put `{{ host.name }}` in `dest`"),
        "{}",
        output.stdout
    );
    assert_eq!(
        std::fs::read(temp.path().join("copy.bin")).unwrap(),
        b"one file\n"
    );
}

#[test]
fn an_emitted_script_has_no_controller_to_copy_to() {
    let temp = tempfile::tempdir().unwrap();
    std::fs::write(temp.path().join("main.toml"), MANIFEST).unwrap();
    let output = kiln(temp.path(), &["emit", ".", "-i", "@local", "-e", "root=/r"]);
    output.assert_status(1);
    for said in [
        "kiln::unsupported",
        "`files.get` copies a file to the controller, and an emitted script runs without one",
        "needs a live run",
        "main.toml:1:1",
    ] {
        assert!(
            output.stderr.contains(said),
            "`{said}` not said:\n{}",
            output.stderr
        );
    }
    assert!(output.stdout.is_empty(), "no script: {}", output.stdout);
}
