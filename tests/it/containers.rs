//! The `docker` and `podman` connectors against real containers, and the `docker.*` ops
//! (and `examples/container-host`) against podman's docker-compatible CLI.
//!
//! No image can be pulled here, so the container image is the cached Debian root of the
//! chroot tests (`support/debian.rs`) imported into podman, and the containers run with
//! the options that work on this kind of machine (`TESTBEDS.md`): runc, cgroupfs, the host
//! network. Podman keeps everything of this test (images, containers, runtime state) in the
//! test's own temporary directory under `/tmp` (`--root`, `--runroot`, the `vfs` driver, no events
//! log), through `podman` and `docker` stand-ins put first on `PATH` that call the real
//! podman with those options. The connectors run exactly what they run anywhere
//! (`podman exec -i NAME sh -s`, `docker exec -i ...`); the `docker` CLI is not available
//! here, and podman speaks its command line. Containers, networks and volumes are removed
//! by the names the test made up; the directory goes with the test. The tests of the ops
//! run podman in a network namespace of their own (`Podman::own_network`), so the bridges
//! and firewall rules of the networks and published ports they make never touch this
//! machine's.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::kiln::{self, Output, Test};
use crate::support::need::{Need, require};
use crate::support::netns::NetworkNamespace;
use crate::support::{background, debian};

const IMAGE: &str = "localhost/kiln-test-debian";

/// Podman with its storage in a temporary directory, and the containers started in it.
struct Podman {
    dir: tempfile::TempDir,
    containers: Vec<String>,
    /// Networks and volumes a test made, as (`network` or `volume`, name), removed after
    /// the containers.
    objects: Vec<(&'static str, String)>,
    /// The network namespace podman runs in, with [`Podman::own_network`]: held until the
    /// podman is dropped, after its containers and networks are removed.
    _network: Option<NetworkNamespace>,
}

impl Podman {
    /// Imports the Debian root as an image.
    fn new() -> Podman {
        Podman::make(None)
    }

    /// As [`Podman::new`], with every podman command run in a network namespace of the
    /// test's own (held by a `sleep` this test started, ended by its PID): the bridges and
    /// firewall rules of the networks and published ports the docker ops make are made
    /// there, never on this machine.
    fn own_network() -> Podman {
        Podman::make(Some(NetworkNamespace::new()))
    }

    fn make(network: Option<NetworkNamespace>) -> Podman {
        let tar = debian::tarball();
        // In /tmp, not under the target directory: podman refuses a runroot path longer
        // than 50 characters, and a checkout's path can be any length.
        let dir = tempfile::Builder::new()
            .prefix("kiln-podman-")
            .tempdir_in("/tmp")
            .unwrap();
        let enter = match &network {
            Some(namespace) => format!("nsenter -t {} -n ", namespace.pid()),
            None => String::new(),
        };
        let podman = Podman {
            dir,
            containers: Vec::new(),
            objects: Vec::new(),
            _network: network,
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
             CONTAINERS_CONF='{dir}/containers.conf' exec {enter}/usr/bin/podman --root '{dir}/storage' \
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

    /// A name for a container, network or volume the test makes (through kiln), removed
    /// when the test ends.
    fn name(&mut self, kind: &'static str) -> String {
        let name = format!("kiln-test-{}-{kind}", std::process::id());
        match kind {
            "network" | "volume" => self.objects.push((kind, name.clone())),
            _ => self.containers.push(name.clone()),
        }
        name
    }

    /// `podman inspect --format FORMAT NAME`, trimmed.
    fn inspect(&self, name: &str, format: &str) -> String {
        self.ok(&["inspect", "--format", format, name])
            .trim()
            .to_owned()
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
        for (kind, name) in &self.objects {
            let _ = self.podman(&[kind, "rm", "-f", name]);
        }
        debian::unmount_under(self.dir.path());
        // The namespace's holder ends when `_network` is dropped, after this.
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

/// The `docker.*` ops through the `docker` stand-in (podman), in a network namespace of the
/// test's own: an image already in the store (present, nothing pulled), a network, a volume
/// and a container on them with a published port, an environment with a secret, a restart
/// policy and a label, all read back with `podman inspect`. A second apply changes nothing
/// and keeps the container (same id); a changed environment makes a new one; `stopped`
/// stops it in place. An image that cannot be pulled fails with the CLI's reason; then
/// `absent` removes what the test made.
#[test]
fn docker_ops_manage_images_networks_volumes_and_containers() {
    require!(Need::DebianRoot, Need::Podman, Need::UtilLinux);
    let mut podman = Podman::own_network();
    let (app, network, volume) = (
        podman.name("app"),
        podman.name("network"),
        podman.name("volume"),
    );
    let project = tempfile::tempdir().unwrap();
    std::fs::write(
        project.path().join("main.toml"),
        format!(
            "[secrets]\ntoken = \"s3cr3t-token\"\n\n\
             [vars]\ngreeting = \"hello world\"\nstate = \"started\"\n\n\
             [[op]]\nop = \"docker.image\"\nimage = \"{IMAGE}\"\n\n\
             [[op]]\nop = \"docker.network\"\nnetwork = \"{network}\"\n\n\
             [[op]]\nop = \"docker.volume\"\nvolume = \"{volume}\"\n\n\
             [[op]]\nop = \"docker.container\"\ncontainer = \"{app}\"\nimage = \"{IMAGE}\"\n\
             command = [\"sleep\", \"3600\"]\nports = [\"18080:80\"]\n\
             volumes = [\"{volume}:/data\"]\nnetworks = [\"{network}\"]\n\
             restart_policy = \"unless-stopped\"\nlabels = {{ app = \"web\" }}\n\
             env = {{ GREETING = \"{{{{ greeting }}}}\", TOKEN = \"{{{{ token }}}}\" }}\n\
             state = \"{{{{ state }}}}\"\n"
        ),
    )
    .unwrap();
    let apply = |extra: &[&str]| {
        let mut args = vec!["apply", ".", "-i", "@local", "-y", "--format", "json"];
        args.extend(extra);
        kiln(&podman, project.path(), &args)
    };

    let first = apply(&[]);
    first.assert_status(0);
    assert!(!first.stdout.contains("s3cr3t"), "{}", first.stdout);
    assert_eq!(first.json()["hosts"][0]["changed"], 3, "{}", first.stdout);
    let id = podman.inspect(&app, "{{.Id}}");
    assert_eq!(podman.inspect(&app, "{{.State.Running}}"), "true");
    assert_eq!(
        podman.inspect(&app, "{{json .NetworkSettings.Ports}}"),
        r#"{"80/tcp":[{"HostIp":"","HostPort":"18080"}]}"#
    );
    let env = podman.inspect(&app, "{{json .Config.Env}}");
    assert!(env.contains("\"GREETING=hello world\""), "{env}");
    assert!(env.contains("\"TOKEN=s3cr3t-token\""), "{env}");
    assert_eq!(
        podman.inspect(&app, "{{range .Mounts}}{{.Name}}:{{.Destination}}{{end}}"),
        format!("{volume}:/data")
    );
    assert_eq!(
        podman.inspect(
            &app,
            "{{range $name, $_ := .NetworkSettings.Networks}}{{$name}}{{end}}"
        ),
        network
    );
    assert_eq!(
        podman.inspect(
            &app,
            "{{.HostConfig.RestartPolicy.Name}} {{.Config.Labels.app}}"
        ),
        "unless-stopped web"
    );

    let again = apply(&[]);
    let report = again.json();
    assert_eq!(report["hosts"][0]["status"], "ok", "{report}");
    assert_eq!(podman.inspect(&app, "{{.Id}}"), id, "not recreated");

    let plan = kiln(
        &podman,
        project.path(),
        &["plan", ".", "-i", "@local", "-e", "greeting=bonjour"],
    );
    // The op's values include a secret, so its plan shows no diff (`docs/manifest.md`).
    plan.assert_status(0)
        .assert_stdout_contains(&format!("would-change  docker.container {app}"))
        .assert_stdout_contains("content differs, hidden");
    assert!(!plan.stdout.contains("s3cr3t"), "{}", plan.stdout);
    assert_eq!(
        podman.inspect(&app, "{{.Id}}"),
        id,
        "a plan changes nothing"
    );
    apply(&["-e", "greeting=bonjour"]).assert_status(0);
    let recreated = podman.inspect(&app, "{{.Id}}");
    assert_ne!(recreated, id, "a changed environment makes a new container");
    assert!(
        podman
            .inspect(&app, "{{json .Config.Env}}")
            .contains("\"GREETING=bonjour\"")
    );
    assert_eq!(podman.inspect(&app, "{{.State.Running}}"), "true");

    apply(&["-e", "greeting=bonjour", "-e", "state=stopped"]).assert_status(0);
    assert_eq!(podman.inspect(&app, "{{.State.Running}}"), "false");
    assert_eq!(
        podman.inspect(&app, "{{.Id}}"),
        recreated,
        "stopped in place"
    );

    let missing = format!("localhost/kiln-test-{}-missing:1", std::process::id());
    let pull_project = project.path().join("pull");
    std::fs::create_dir(&pull_project).unwrap();
    std::fs::write(
        pull_project.join("main.toml"),
        format!("[[op]]\nop = \"docker.image\"\nimage = \"{missing}\"\n"),
    )
    .unwrap();
    let pull = kiln(
        &podman,
        project.path(),
        &["apply", "pull", "-i", "@local", "-y"],
    );
    pull.assert_status(1)
        .assert_stdout_contains(&format!("cannot pull the image {missing} with docker"));

    std::fs::write(
        project.path().join("main.toml"),
        format!(
            "[[op]]\nop = \"docker.container\"\ncontainer = \"{app}\"\nstate = \"absent\"\n\n\
             [[op]]\nop = \"docker.network\"\nnetwork = \"{network}\"\npresent = false\n\n\
             [[op]]\nop = \"docker.volume\"\nvolume = \"{volume}\"\npresent = false\n"
        ),
    )
    .unwrap();
    let removed = apply(&[]);
    assert_eq!(
        removed.json()["hosts"][0]["changed"],
        3,
        "{}",
        removed.stdout
    );
    for name in [&app, &network, &volume] {
        assert!(
            !podman.podman(&["inspect", name]).status.success(),
            "{name} is gone"
        );
    }
    assert_eq!(apply(&[]).json()["hosts"][0]["status"], "ok");
}

/// How the docker ops lower (no container runs: `kiln emit`): one runtime call each, the
/// container's create options as words after `--`, its environment as the step's data
/// (never an argument), and the hash of its configuration.
#[test]
fn docker_ops_lower_to_one_call_each() {
    let output = Test::new()
        .file(
            "main.toml",
            "[[op]]\nop = \"docker.image\"\nimage = \"nginx:1.27\"\nforce = true\n\n\
             [[op]]\nop = \"docker.network\"\nnetwork = \"front\"\ndriver = \"bridge\"\n\n\
             [[op]]\nop = \"docker.volume\"\nvolume = \"data\"\npresent = false\ncli = \"podman\"\n\n\
             [[op]]\nop = \"docker.container\"\ncontainer = \"web\"\nimage = \"nginx:1.27\"\n\
             command = [\"nginx\", \"-g\", \"daemon off;\"]\nports = [\"127.0.0.1:8080:80\"]\n\
             volumes = [\"data:/srv\"]\nnetworks = [\"front\"]\nrestart_policy = \"always\"\n\
             labels = { team = \"web\" }\nenv = { GREETING = \"it's me\" }\n",
        )
        .args(["emit", "main.toml", "-i", "@local"])
        .run();
    output.assert_status(0);
    let script = &output.stdout;
    let start = script.find("k_begin \"$@\"\n").expect("script has k_begin");
    insta::with_settings!({ snapshot_path => "snapshots/ops", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("docker__lowered", &script[start..]);
    });
}

/// `examples/container-host` applied to podman (the `docker` stand-in), in a network
/// namespace of the test's own: the app runs on its network, with its config file (rendered
/// from the template on this machine, in a temporary directory) read back from inside the
/// container. A second apply changes nothing and keeps the container; a new greeting
/// changes only the file, so the handler restarts the same container, which then reads it.
#[test]
fn container_host_example_runs_its_app_with_its_config() {
    require!(Need::DebianRoot, Need::Podman, Need::UtilLinux);
    let mut podman = Podman::own_network();
    let (app, network) = (podman.name("app"), podman.name("network"));
    let project = tempfile::tempdir().unwrap();
    let config_dir = project.path().join("conf");
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/container-host");
    let vars = [
        format!("app={app}"),
        format!("app_network={network}"),
        format!("image={IMAGE}"),
        format!("config_dir={}", config_dir.display()),
    ];
    let apply = |greeting: &str| {
        let mut args = vec![
            "apply".to_owned(),
            example.display().to_string(),
            "-i".to_owned(),
            "@local".to_owned(),
            "-y".to_owned(),
            "--format".to_owned(),
            "json".to_owned(),
            "-e".to_owned(),
            format!("greeting={greeting}"),
        ];
        for var in &vars {
            args.extend(["-e".to_owned(), var.clone()]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        kiln(&podman, project.path(), &args).json()
    };
    let config = |greeting: &str| {
        format!(
            "# {app}'s config, written by kiln.\ngreeting = \"{greeting}\"\nworkers = 2\n\
             app_network = \"{network}\"\n"
        )
    };

    let first = apply("Hello");
    assert_eq!(first["hosts"][0]["status"], "changed", "{first}");
    assert_eq!(first["hosts"][0]["failed"], 0, "{first}");
    assert_eq!(podman.read(&app, "/etc/app/app.conf"), config("Hello"));
    assert_eq!(podman.inspect(&app, "{{.State.Running}}"), "true");
    assert_eq!(
        podman.inspect(
            &app,
            "{{range $name, $_ := .NetworkSettings.Networks}}{{$name}}{{end}}"
        ),
        network
    );
    assert!(
        podman
            .inspect(&app, "{{json .Config.Env}}")
            .contains("\"APP_CONFIG=/etc/app/app.conf\"")
    );
    let id = podman.inspect(&app, "{{.Id}}");
    let started = podman.inspect(&app, "{{.State.StartedAt}}");

    let again = apply("Hello");
    assert_eq!(again["hosts"][0]["status"], "ok", "{again}");
    assert_eq!(podman.inspect(&app, "{{.Id}}"), id);

    let changed = apply("Bonjour");
    assert_eq!(
        changed["hosts"][0]["changed"], 2,
        "the file and the handler: {changed}"
    );
    assert_eq!(podman.read(&app, "/etc/app/app.conf"), config("Bonjour"));
    assert_eq!(
        podman.inspect(&app, "{{.Id}}"),
        id,
        "restarted, not recreated"
    );
    assert_ne!(
        podman.inspect(&app, "{{.State.StartedAt}}"),
        started,
        "restarted"
    );
}
