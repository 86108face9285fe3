//! The `docker` and `podman` connectors against real containers.
//!
//! No image can be pulled here, so the container image is the cached Debian root of the
//! chroot tests (`support/debian.rs`) imported into podman, and the containers run with
//! the options that work on this kind of machine (`TESTBEDS.md`): runc, cgroupfs, the host
//! network. Podman keeps everything of this test (images, containers, runtime state) in the
//! test's own temporary directory under `/tmp` (`--root`, `--runroot`, the `vfs` driver, no events
//! log), through `podman` and `docker` stand-ins put first on `PATH` that call the real
//! podman with those options. The connectors run exactly what they run anywhere
//! (`podman exec -i NAME sh -s`, `docker exec -i ...`); the `docker` CLI is not available
//! here, and podman speaks its command line. Containers are removed by the names this test
//! made up; the directory goes with the test.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::kiln::{self, Output, Test};
use crate::support::need::{Need, require};
use crate::support::{background, debian};

const IMAGE: &str = "localhost/kiln-test-debian";

/// Podman with its storage in a temporary directory, and the containers started in it.
struct Podman {
    dir: tempfile::TempDir,
    containers: Vec<String>,
}

impl Podman {
    /// Imports the Debian root as an image.
    fn new() -> Podman {
        let tar = debian::tarball();
        // In /tmp, not under the target directory: podman refuses a runroot path longer
        // than 50 characters, and a checkout's path can be any length.
        let dir = tempfile::Builder::new()
            .prefix("kiln-podman-")
            .tempdir_in("/tmp")
            .unwrap();
        let podman = Podman {
            dir,
            containers: Vec::new(),
        };
        std::fs::create_dir_all(podman.bin()).unwrap();
        // crun and rlimits fail in this kind of VM; runc without default ulimits works.
        std::fs::write(
            podman.dir.path().join("containers.conf"),
            "[containers]\ndefault_ulimits = []\n",
        )
        .unwrap();
        let shim = format!(
            "#!/bin/sh\n# kiln tests: podman with its storage in the test's directory\n\
             CONTAINERS_CONF='{dir}/containers.conf' exec /usr/bin/podman --root '{dir}/storage' \
             --runroot '{dir}/run' --storage-driver vfs --runtime runc --cgroup-manager cgroupfs \
             --events-backend none \"$@\"\n",
            dir = podman.dir.path().display()
        );
        for name in ["podman", "docker"] {
            let path = podman.bin().join(name);
            std::fs::write(&path, &shim).unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        podman.ok(&["import", "-q", &tar.display().to_string(), IMAGE]);
        podman
    }

    fn bin(&self) -> PathBuf {
        self.dir.path().join("bin")
    }

    /// `PATH` with the stand-ins first.
    fn path(&self) -> String {
        format!("{}:{}", self.bin().display(), kiln::PATH)
    }

    fn podman(&self, args: &[&str]) -> std::process::Output {
        Command::new(self.bin().join("podman"))
            .args(args)
            .output()
            .unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let output = self.podman(args);
        assert!(
            output.status.success(),
            "podman {args:?}:\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// Starts a container that sleeps until removed; its name is made up here.
    fn start(&mut self, suffix: &str) -> String {
        let name = format!("kiln-test-{}-{suffix}", std::process::id());
        self.ok(&[
            "run",
            "-d",
            "--name",
            &name,
            "--network",
            "host",
            IMAGE,
            "sleep",
            "3600",
        ]);
        self.containers.push(name.clone());
        name
    }

    /// Reads a file inside a container.
    fn read(&self, container: &str, path: &str) -> String {
        self.ok(&["exec", container, "cat", path])
    }
}

impl Drop for Podman {
    fn drop(&mut self) {
        for name in &self.containers {
            let _ = self.podman(&["rm", "-f", "-t", "0", name]);
        }
        debian::unmount_under(self.dir.path());
    }
}

/// Ends the commands an op left running in `container` (`support/background.rs`) by the
/// PIDs they wrote there, and says whether each was still running.
fn end_background(podman: &Podman, container: &str) -> Vec<bool> {
    let wait_then_read =
        "i=0; while [ ! -s \"$1\" ] && [ $i -lt 50 ]; do i=$((i + 1)); sleep 0.1; done; cat \"$1\"";
    background::PID_FILES
        .iter()
        .map(|file| {
            let path = format!("/tmp/{file}");
            let read = ["exec", container, "sh", "-c", wait_then_read, "sh", &path];
            let pid = podman.ok(&read).trim().to_owned();
            let kill = podman.podman(&["exec", container, "kill", "-KILL", &pid]);
            kill.status.success()
        })
        .collect()
}

fn kiln(podman: &Podman, dir: &Path, args: &[&str]) -> Output {
    Test::new()
        .current_dir(dir)
        .args(args.iter().copied())
        .env("PATH", podman.path())
        .run()
}

/// The quickstart example applied to a podman and a docker container at once: the end
/// state read back from inside each container, a second apply that changes nothing, the
/// facts of a container, and `exec` as the inventory's user (`exec -u`). Then an op that
/// leaves commands running in the background: the run ends with the container's shell
/// (podman itself ends an exec session then, and kiln ends the run when `podman exec`
/// exits, whatever still holds the streams), and the commands keep running.
#[test]
fn docker_and_podman_connectors_apply_the_quickstart() {
    require!(Need::DebianRoot, Need::Podman);
    let mut podman = Podman::new();
    let first = podman.start("podman");
    let second = podman.start("docker");
    let project = tempfile::tempdir().unwrap();
    std::fs::write(
        project.path().join("inventory.toml"),
        format!(
            "[hosts.box-podman]\nconnector = \"podman\"\naddress = \"{first}\"\n\n\
             [hosts.box-docker]\nconnector = \"docker\"\naddress = \"{second}\"\n\n\
             [hosts.box-nobody]\nconnector = \"podman\"\naddress = \"{first}\"\nuser = \"nobody\"\n"
        ),
    )
    .unwrap();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/quickstart");
    let example = example.to_str().unwrap();
    let inventory = project.path().join("inventory.toml");
    let inventory = inventory.to_str().unwrap();
    let apply = |limit: &str| {
        kiln(
            &podman,
            project.path(),
            &[
                "apply",
                example,
                "-i",
                inventory,
                "--limit",
                limit,
                "-e",
                "root=/srv/demo",
                "-y",
                "--format",
                "json",
            ],
        )
    };

    let output = apply("box-podman,box-docker");
    output.assert_status(0);
    let report = output.json();
    let hosts = report["hosts"].as_array().unwrap();
    assert_eq!(hosts.len(), 2, "{report}");
    for host in hosts {
        assert_eq!(host["status"], "changed", "{host}");
        assert_eq!(host["failed"], 0, "{host}");
    }
    for (container, host) in [(&first, "box-podman"), (&second, "box-docker")] {
        assert_eq!(
            podman.read(container, "/srv/demo/etc/motd"),
            format!("Hello from kiln on {host}!\n")
        );
    }

    let again = apply("box-podman,box-docker").json();
    for host in again["hosts"].as_array().unwrap() {
        assert_eq!(
            host["status"], "ok",
            "the second apply changes nothing: {host}"
        );
        assert_eq!(host["changed"], 0, "{host}");
    }

    let facts = kiln(
        &podman,
        project.path(),
        &["facts", &format!("@podman/{first}"), "--json"],
    );
    let facts = facts.assert_status(0).json();
    assert_eq!(facts["os"]["id"], "debian", "{facts}");
    assert_eq!(facts["pkg"]["manager"], "apt", "{facts}");

    let exec = kiln(
        &podman,
        project.path(),
        &["exec", inventory, "--", "id -un"],
    );
    let text = &exec.assert_status(0).stdout;
    for (host, user) in [
        ("box-podman", "root"),
        ("box-docker", "root"),
        ("box-nobody", "nobody"),
    ] {
        assert!(
            text.contains(&format!("{host}: exit 0\n  {user}\n")),
            "{host} runs as {user}:\n{text}"
        );
    }

    std::fs::write(
        project.path().join("main.toml"),
        background::manifest(false),
    )
    .unwrap();
    let started = std::time::Instant::now();
    let output = kiln(
        &podman,
        project.path(),
        &[
            "apply",
            ".",
            "-i",
            inventory,
            "--limit",
            "box-podman",
            "-e",
            "pids=/tmp",
            "-y",
            "--format",
            "json",
        ],
    );
    let took = started.elapsed();
    let running = end_background(&podman, &first);
    assert!(
        took < std::time::Duration::from_secs(5),
        "the run took {took:?}"
    );
    assert_eq!(running, [true, true], "the commands keep running");
    let report = output.json();
    assert_eq!(report["hosts"][0]["status"], "changed", "{report}");
}
