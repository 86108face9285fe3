//! Live runs through the real binary with the process connectors (this machine, chroots):
//! plan, apply, facts, exec, put and fetch, per-host failure isolation, constant round
//! trips; and on a hostile host: commands left in the background, passwords in kiln's
//! environment, another user watching fetched copies.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::support::kiln::{self, Output, Test};
use crate::support::need::{Need, require};
use crate::support::{background, snoop};

fn kiln(dir: &Path, args: &[&str]) -> Output {
    Test::new()
        .current_dir(dir)
        .args(args.iter().copied())
        .run()
}

/// A project in a temporary directory: `main.toml` holds `manifest`, and the ops write
/// under `root` (passed with `-e root_var`).
struct Project {
    temp: tempfile::TempDir,
    root: std::path::PathBuf,
    root_var: String,
}

impl Project {
    fn new(manifest: &str) -> Project {
        let temp = tempfile::tempdir().unwrap();
        let root = temp.path().join("root");
        std::fs::create_dir_all(&root).unwrap();
        std::fs::write(temp.path().join("main.toml"), manifest).unwrap();
        let root_var = format!("root={}", root.display());
        Project {
            temp,
            root,
            root_var,
        }
    }
}

/// A manifest of `n` file ops under `{{ root }}`.
fn manifest(n: usize) -> String {
    let mut text = String::new();
    for i in 0..n {
        text.push_str(&format!(
            "[[op]]\nop = \"files.put\"\ndest = \"{{{{ root }}}}/f{i}\"\ncontent = \"{i}\\n\"\n\n"
        ));
    }
    text
}

#[test]
fn plan_then_apply_on_this_machine() {
    let Project {
        temp,
        root,
        root_var,
    } = Project::new(&manifest(3));

    let plan = kiln(
        temp.path(),
        &[
            "plan", ".", "-i", "@local", "-e", &root_var, "--format", "json",
        ],
    );
    plan.assert_status(0);
    let report = plan.json();
    assert_eq!(report["hosts"][0]["changed"], 3);
    assert_eq!(report["hosts"][0]["status"], "would-change");
    assert_eq!(report["hosts"][0]["ops"][0]["status"], "would-change");
    assert!(
        report["hosts"][0]["ops"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("+0"),
        "the plan has a diff"
    );
    assert_eq!(
        std::fs::read_dir(&root).unwrap().count(),
        0,
        "a plan changes nothing"
    );

    let refused = kiln(
        temp.path(),
        &["apply", ".", "-i", "@local", "-e", &root_var],
    );
    assert_eq!(refused.status, 1, "without a terminal, apply needs -y");
    assert_eq!(std::fs::read_dir(&root).unwrap().count(), 0);

    let apply = kiln(
        temp.path(),
        &[
            "apply", ".", "-i", "@local", "-e", &root_var, "-y", "--format", "json",
        ],
    );
    apply.assert_status(0);
    assert_eq!(apply.json()["hosts"][0]["changed"], 3);
    assert_eq!(std::fs::read_to_string(root.join("f2")).unwrap(), "2\n");

    let again = kiln(
        temp.path(),
        &[
            "apply", ".", "-i", "@local", "-e", &root_var, "-y", "--format", "json",
        ],
    );
    let again = again.json();
    assert_eq!(again["hosts"][0]["changed"], 0);
    assert_eq!(again["hosts"][0]["ok"], 3);
}

/// The number of commands run on a host does not grow with the number of ops.
#[test]
fn round_trips_are_constant() {
    let mut counts = Vec::new();
    for ops in [10, 1000] {
        let Project { temp, root_var, .. } = Project::new(&manifest(ops));
        let apply = kiln(
            temp.path(),
            &[
                "apply", ".", "-i", "@local", "-e", &root_var, "-y", "--format", "json",
            ],
        );
        let report = apply.json();
        assert_eq!(report["hosts"][0]["changed"], ops);
        counts.push(report["hosts"][0]["round_trips"].as_u64().unwrap());
    }
    assert_eq!(
        counts[0], counts[1],
        "round trips for 10 and 1000 ops: {counts:?}"
    );
    assert_eq!(counts[0], 1, "apply -y is one round trip: {counts:?}");
}

/// A host's facts are gathered (the fact probe run, which asks `uname -snrm` once) only when
/// the manifest reads them: not for ops that read none, even when the manifest's text says
/// `facts`; once for a `when` over them, in the plan's single round trip.
#[test]
fn facts_are_gathered_only_for_a_manifest_that_reads_them() {
    let gathered = |manifest: &str| {
        let Project { temp, root_var, .. } = Project::new(manifest);
        // `uname` on the PATH logs its arguments, then is the real one.
        let shims = temp.path().join("shims");
        std::fs::create_dir(&shims).unwrap();
        let log = temp.path().join("uname.log");
        let shim = shims.join("uname");
        let real = ["/usr/bin/uname", "/bin/uname"]
            .into_iter()
            .find(|p| Path::new(p).exists())
            .expect("uname is installed");
        std::fs::write(
            &shim,
            format!(
                "#!/bin/sh\nprintf '%s\\n' \"$*\" >>'{}'\nexec {real} \"$@\"\n",
                log.display()
            ),
        )
        .unwrap();
        std::fs::set_permissions(&shim, std::fs::Permissions::from_mode(0o755)).unwrap();
        let path = format!("{}:{}", shims.display(), kiln::PATH);
        let report = Test::new()
            .current_dir(temp.path())
            .args([
                "plan", ".", "-i", "@local", "-e", &root_var, "--format", "json",
            ])
            .env("PATH", path)
            .run()
            .json();
        assert_eq!(report["hosts"][0]["status"], "would-change", "{report}");
        assert_eq!(report["hosts"][0]["round_trips"], 1, "{report}");
        let log = std::fs::read_to_string(&log).unwrap_or_default();
        log.lines().filter(|line| *line == "-snrm").count()
    };
    let no_facts = format!("# no facts are read here\n{}", manifest(2));
    assert_eq!(gathered(&no_facts), 0);
    let when = format!("{}when = \"facts.arch != ''\"\n", manifest(1));
    assert_eq!(gathered(&when), 1);
}

/// One host failing (here, an unreachable chroot) does not stop the others; the exit
/// status says something failed.
#[test]
fn a_failing_host_does_not_stop_the_others() {
    let Project {
        temp,
        root,
        root_var,
    } = Project::new(&manifest(2));
    let output = kiln(
        temp.path(),
        &[
            "apply",
            ".",
            "-i",
            "@local",
            "-i",
            "@chroot/nonexistent/kiln-root",
            "-e",
            &root_var,
            "-y",
            "--format",
            "json",
        ],
    );
    assert_eq!(output.status, 1);
    let report = output.json();
    let hosts = report["hosts"].as_array().unwrap();
    let local = hosts.iter().find(|h| h["host"] == "@local").unwrap();
    let chroot = hosts.iter().find(|h| h["host"] != "@local").unwrap();
    assert_eq!(local["changed"], 2, "{local}");
    assert_eq!(chroot["status"], "failed", "{chroot}");
    assert!(root.join("f1").exists());
}

#[test]
fn facts_and_exec() {
    let temp = tempfile::tempdir().unwrap();
    let facts = kiln(temp.path(), &["facts", "@local", "--json"]);
    facts.assert_status(0);
    let facts = facts.json();
    assert!(
        facts["os"]["family"]
            .as_str()
            .is_some_and(|f| !f.is_empty()),
        "{facts}"
    );
    assert!(facts["arch"].is_string());

    let exec = kiln(
        temp.path(),
        &["exec", "@local", "--", "echo", "hello from", "$(id -un)"],
    );
    exec.assert_status(0);
    let text = &exec.stdout;
    assert!(
        text.contains("@local: exit 0") && text.contains("hello from"),
        "{text}"
    );

    let failing = kiln(temp.path(), &["exec", "@local", "--", "exit 3"]);
    assert_eq!(failing.status, 1);
    assert!(failing.stdout.contains("exit 3"));
}

/// `--fail-percent`: once too many hosts have failed, hosts not yet started are left alone.
#[test]
fn fail_percent_stops_starting_hosts() {
    let Project {
        temp,
        root,
        root_var,
    } = Project::new(&manifest(1));
    let output = kiln(
        temp.path(),
        &[
            "apply",
            ".",
            "-i",
            "@chroot/nonexistent/a",
            "-i",
            "@chroot/nonexistent/b",
            "-i",
            "@local",
            "-e",
            &root_var,
            "-y",
            "--parallel",
            "1",
            "--fail-percent",
            "0",
            "--format",
            "json",
        ],
    );
    assert_eq!(output.status, 1);
    let report = output.json();
    let statuses: Vec<&str> = report["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["failed", "skipped", "skipped"], "{report}");
    assert!(
        !root.join("f0").exists(),
        "the host after the limit was not started"
    );
}

/// `--serial 1`: a rolling change, one host after the other (each host's op logs its start
/// and end in a shared file; batches never overlap).
#[test]
fn serial_runs_hosts_in_batches() {
    let temp = tempfile::tempdir().unwrap();
    let log = temp.path().join("log");
    let mut inventory = String::new();
    for name in ["a", "b", "c"] {
        inventory.push_str(&format!("[hosts.{name}]\nconnector = \"local\"\n\n"));
    }
    std::fs::write(temp.path().join("inventory.toml"), inventory).unwrap();
    let manifest = format!(
        "[[op]]\nop = \"server.shell\"\nonlyif = \"true\"\n\
         commands = \"echo start {{{{ host.name }}}} >> {log}; sleep 0.3; echo end {{{{ host.name }}}} >> {log}\"\n",
        log = log.display()
    );
    // Each host's start and end next to each other: one host at a time.
    let one_at_a_time = |output: &Output| {
        output.assert_status(0);
        let lines: Vec<String> = std::fs::read_to_string(&log)
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect();
        assert_eq!(
            lines,
            ["start a", "end a", "start b", "end b", "start c", "end c"]
        );
    };
    std::fs::write(temp.path().join("main.toml"), manifest).unwrap();
    let output = kiln(
        temp.path(),
        &["apply", ".", "-y", "--serial", "1", "--format", "json"],
    );
    one_at_a_time(&output);
    let bad = kiln(temp.path(), &["apply", ".", "-y", "--serial", "lots"]);
    assert_eq!(bad.status, 2);

    // The same from the manifest: an op asking for `serial = 1`.
    std::fs::remove_file(&log).unwrap();
    let manifest = std::fs::read_to_string(temp.path().join("main.toml")).unwrap() + "serial = 1\n";
    std::fs::write(temp.path().join("main.toml"), manifest).unwrap();
    let output = kiln(temp.path(), &["apply", ".", "-y", "--format", "json"]);
    one_at_a_time(&output);
}

/// A sudo password given once (here through KILN_BECOME_PASSWORD; `-K` asks on a terminal)
/// reaches sudo on standard input, ahead of a step's data when it has some, and appears in
/// no output. The `sudo` is a stand-in that insists on the password (`fixtures/become/sudo`).
#[test]
fn sudo_with_a_password() {
    let Project {
        temp,
        root,
        root_var,
    } = Project::new(
        "[[op]]\nop = \"files.put\"\ndest = \"{{ root }}/fed\"\ncontent = \"data\\n\"\nsudo_user = \"kiln-tester\"\n\n\
         [[op]]\nop = \"server.shell\"\ncommands = \"touch {{ root }}/unfed\"\ncreates = \"{{ root }}/unfed\"\nsudo_user = \"kiln-tester\"\n",
    );
    let fake = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/become");
    let path = format!("{}:{}", fake.display(), kiln::PATH);
    let log = temp.path().join("sudo.log");
    let run = |password: Option<&str>| {
        let mut test = Test::new()
            .current_dir(temp.path())
            .args([
                "apply", ".", "-i", "@local", "-e", &root_var, "-y", "-vv", "--format", "json",
            ])
            .env("PATH", &path)
            .env("FAKE_SUDO_PASSWORD", "s3cr3t 'pass'")
            .env("FAKE_SUDO_LOG", log.display().to_string());
        if let Some(password) = password {
            test = test.env("KILN_BECOME_PASSWORD", password);
        }
        test.run()
    };

    run(None)
        .assert_status(1)
        .assert_stdout_contains("a password is required");

    run(Some("nope")).assert_status(1);
    assert!(!root.join("fed").exists());

    let right = run(Some("s3cr3t 'pass'"));
    right.assert_status(0);
    assert_eq!(
        std::fs::read_to_string(root.join("fed")).unwrap(),
        "data\n",
        "data follows the password"
    );
    assert!(root.join("unfed").exists());
    let everything = format!("{}{}", right.stdout, right.stderr);
    assert!(
        !everything.contains("s3cr3t"),
        "the password is never shown:\n{everything}"
    );
    assert!(std::fs::read_to_string(&log).unwrap().lines().count() >= 2);
}

/// On a terminal the run shows a live view (hosts done, and the op each host is on); in a
/// pipe, plain lines, one per host, without a single escape sequence. Each op's time is in
/// the JSON report.
#[test]
fn live_view_on_a_terminal_plain_lines_elsewhere_and_op_timings() {
    require!(Need::UtilLinux);
    let Project {
        temp,
        root,
        root_var,
    } = Project::new(
        "[[op]]\nop = \"server.shell\"\ncommands = \"sleep 0.6\"\ncreates = \"{{ root }}/{{ host.name }}-slept\"\n\n\
         [[op]]\nop = \"files.put\"\ndest = \"{{ root }}/{{ host.name }}-slept\"\ncontent = \"\"\n",
    );
    std::fs::write(
        temp.path().join("inventory.toml"),
        "[hosts.alpha]\nconnector = \"local\"\n\n[hosts.beta]\nconnector = \"local\"\n",
    )
    .unwrap();

    let terminal = Test::new()
        .current_dir(temp.path())
        .args(["apply", ".", "-y", "-e", &root_var])
        .on_terminal()
        .run();
    let screen = &terminal.assert_status(0).stdout;
    for shown in [
        "connecting",
        "applying",
        "/2 hosts",
        "[1/2] server.shell sleep 0.6",
        "alpha: changed (0 ok, 2 changed",
        "beta: changed (0 ok, 2 changed",
        "2 hosts, 0 failed",
    ] {
        assert!(
            screen.contains(shown),
            "`{shown}` not on the terminal:\n{screen}"
        );
    }
    assert!(screen.contains("\u{1b}["), "the live view redraws lines");

    std::fs::remove_dir_all(&root).unwrap();
    std::fs::create_dir_all(&root).unwrap();
    let plain = kiln(temp.path(), &["apply", ".", "-y", "-e", &root_var]);
    let stderr = &plain.assert_status(0).stderr;
    assert!(
        !stderr.contains('\u{1b}'),
        "escape sequences in a pipe:\n{stderr}"
    );
    assert!(
        stderr.contains("alpha: changed (0 ok, 2 changed"),
        "{stderr}"
    );
    assert!(!stderr.contains("[1/2]"), "{stderr}");

    std::fs::remove_dir_all(&root).unwrap();
    std::fs::create_dir_all(&root).unwrap();
    let report = kiln(
        temp.path(),
        &["apply", ".", "-y", "-e", &root_var, "--format", "json"],
    )
    .json();
    let host = &report["hosts"][0];
    let sleep = host["ops"][0]["seconds"].as_f64().unwrap();
    let put = host["ops"][1]["seconds"].as_f64().unwrap();
    assert!((0.6..5.0).contains(&sleep), "the sleep took {sleep} s");
    assert!(put < 0.6, "the put took {put} s");
    assert!(host["seconds"].as_f64().unwrap() >= sleep);
}

/// `kiln put` writes any bytes exactly, with the mode asked for, atomically (no temporary
/// file left); `kiln fetch` brings a file back to DIR/HOST/PATH; a missing file fails its
/// host with the host's own message.
#[test]
fn put_and_fetch_files() {
    let temp = tempfile::tempdir().unwrap();
    let bytes: Vec<u8> = (0..=255u8).rev().chain(*b"\n'$(x)`\r\nlast").collect();
    std::fs::write(temp.path().join("local.bin"), &bytes).unwrap();
    let dest = temp.path().join("remote dir/copy.bin");
    std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
    let dest_text = dest.to_str().unwrap();

    let put = kiln(
        temp.path(),
        &[
            "put",
            "@local",
            "--src",
            "local.bin",
            "--dest",
            dest_text,
            "--mode",
            "0640",
        ],
    );
    let said = &put.stdout;
    assert_eq!(put.status, 0, "{said}");
    assert!(
        said.contains(&format!(
            "@local: wrote {dest_text} ({} bytes)",
            bytes.len()
        )),
        "{said}"
    );
    assert_eq!(std::fs::read(&dest).unwrap(), bytes);
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&dest).unwrap().permissions().mode() & 0o7777,
        0o640
    );
    assert_eq!(
        std::fs::read_dir(dest.parent().unwrap()).unwrap().count(),
        1,
        "no temporary left"
    );

    let fetch = kiln(
        temp.path(),
        &["fetch", "@local", "--src", dest_text, "--dest", "fetched"],
    );
    fetch.assert_status(0);
    let copy = temp
        .path()
        .join("fetched/@local")
        .join(dest.strip_prefix("/").unwrap());
    assert_eq!(std::fs::read(copy).unwrap(), bytes);

    let missing = kiln(
        temp.path(),
        &[
            "fetch",
            "@local",
            "--src",
            "/nonexistent/kiln-file",
            "--dest",
            "fetched",
        ],
    );
    assert_eq!(missing.status, 1);
    let said = &missing.stdout;
    assert!(
        said.contains("@local: failed: ") && said.contains("No such file"),
        "{said}"
    );

    let relative = kiln(
        temp.path(),
        &["put", "@local", "--src", "local.bin", "--dest", "x"],
    );
    assert_eq!(relative.status, 2);
    assert!(relative.stderr.contains("not an absolute path"));
}

/// A host whose script cannot be made (a fact it lacks) fails alone, and the human output
/// shows the whole diagnostic, pointing at the template.
#[test]
fn a_host_without_a_script_says_why_in_full() {
    let Project { temp, root_var, .. } = Project::new(
        "[[op]]\nop = \"files.put\"\ndest = \"{{ root }}/x\"\ncontent = \"{{ facts.nope.deeper }}\"\n",
    );
    let output = kiln(
        temp.path(),
        &["apply", ".", "-i", "@local", "-e", &root_var, "-y"],
    );
    assert_eq!(output.status, 1);
    let text = &output.stdout;
    for shown in [
        "cannot make the script for this host\n",
        "`facts.nope` is undefined",
        "main.toml:4:",
        "@local                   failed: cannot make the script for this host\n",
    ] {
        assert!(text.contains(shown), "`{shown}` missing:\n{text}");
    }
}

/// `--command-timeout` holds for the process connectors too: the script and the commands
/// it started are killed when the time is up, and the host is reported failed.
#[test]
fn command_timeout_kills_a_local_script_and_its_commands() {
    let temp = tempfile::tempdir().unwrap();
    // A sleep nobody else runs, so its process can be looked for afterwards.
    let marker = format!("30.{}", std::process::id());
    let started = std::time::Instant::now();
    let output = kiln(
        temp.path(),
        &[
            "exec",
            "@local",
            "--command-timeout",
            "1",
            "--",
            &format!("sleep {marker}; echo never"),
        ],
    );
    let elapsed = started.elapsed();
    let text = &output.stdout;
    assert_eq!(output.status, 1, "{text}");
    assert!(
        text.contains("did not finish within the command timeout (1 s)"),
        "{text}"
    );
    assert!(!text.contains("never"));
    assert!(elapsed < std::time::Duration::from_secs(10), "{elapsed:?}");
    std::thread::sleep(std::time::Duration::from_millis(200));
    let left: Vec<String> = std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| std::fs::read(e.ok()?.path().join("cmdline")).ok())
        .map(|c| String::from_utf8_lossy(&c).replace('\0', " "))
        .filter(|c| c.contains(&format!("sleep {marker}")))
        .collect();
    assert!(left.is_empty(), "still running: {left:?}");
}

/// An op that leaves commands running in the background (`support/background.rs`), which
/// hold the script's output open: the run ends with the script all the same, in well under
/// the 30 s they run, the host is reported as the script left it (changed; failed when a
/// later op fails), and the commands keep running. The same for `kiln exec`.
#[test]
fn a_run_ends_when_its_script_does_despite_background_commands() {
    require!(Need::UtilLinux);
    let temp = tempfile::tempdir().unwrap();
    let pids = format!("pids={}", temp.path().display());
    for (then_fail, status) in [(false, "changed"), (true, "failed")] {
        std::fs::write(
            temp.path().join("main.toml"),
            background::manifest(then_fail),
        )
        .unwrap();
        let started = Instant::now();
        let output = kiln(
            temp.path(),
            &[
                "apply", ".", "-i", "@local", "-e", &pids, "-y", "--format", "json",
            ],
        );
        let took = started.elapsed();
        let running = background::end(temp.path());
        assert!(took < Duration::from_secs(5), "the run took {took:?}");
        assert_eq!(running, [true, true], "the commands keep running");
        let report = output.json();
        assert_eq!(report["hosts"][0]["status"], status, "{report}");
        assert_eq!(report["hosts"][0]["changed"], 1, "{report}");
        assert_eq!(output.status, i32::from(then_fail));
    }

    let pid_file = temp.path().join("exec.pid");
    let started = Instant::now();
    let exec = kiln(
        temp.path(),
        &[
            "exec",
            "@local",
            "--",
            &format!(
                "setsid sh -c 'echo $$ > {}; exec sleep 30' & echo started",
                pid_file.display()
            ),
        ],
    );
    let took = started.elapsed();
    let pid = background::read_when_written(&pid_file);
    let running = background::sleeping(&pid);
    background::kill(&[pid]);
    assert!(took < Duration::from_secs(5), "exec took {took:?}");
    assert_eq!(exec.stdout, "@local: exit 0\n  started\n");
    assert!(running, "the daemon keeps running");
}

/// The passwords kiln reads from its environment reach no process it starts: not an
/// inventory program, not the script's shell, not an op's command (its environment, and
/// the script shell's as `/proc` shows it). Neither the names nor the values appear.
#[test]
fn passwords_in_the_environment_reach_no_command() {
    let temp = tempfile::tempdir().unwrap();
    let seen = temp.path().join("seen");
    std::fs::create_dir(&seen).unwrap();
    let program = temp.path().join("inventory.sh");
    std::fs::write(
        &program,
        format!(
            "#!/bin/sh\nenv > {}/inventory-env\n\
             echo '{{\"hosts\": {{\"box\": {{\"connector\": \"local\"}}}}}}'\n",
            seen.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::write(
        temp.path().join("main.toml"),
        "[[op]]\nop = \"server.shell\"\nonlyif = \"true\"\ncommands = [\n\
         \"env > {{ seen }}/op-env\",\n\
         \"cat /proc/self/environ > {{ seen }}/op-environ\",\n\
         \"cat /proc/$PPID/environ > {{ seen }}/script-environ\",\n]\n",
    )
    .unwrap();
    let (ssh, become_) = ("ssh-pw-4f1c9a", "become-pw-7d2e0b");
    let output = Test::new()
        .current_dir(temp.path())
        .args([
            "apply",
            ".",
            "-i",
            "./inventory.sh",
            "-y",
            "--format",
            "json",
            "-e",
        ])
        .arg(format!("seen={}", seen.display()))
        .env("KILN_SSH_PASSWORD", ssh)
        .env("KILN_BECOME_PASSWORD", become_)
        .run();
    let report = output.json();
    assert_eq!(report["hosts"][0]["status"], "changed", "{report}");
    let mut files: Vec<String> = std::fs::read_dir(&seen)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(
        files,
        ["inventory-env", "op-env", "op-environ", "script-environ"]
    );
    for file in files {
        let text = String::from_utf8_lossy(&std::fs::read(seen.join(&file)).unwrap()).into_owned();
        assert!(
            text.contains("PATH="),
            "{file} holds an environment:\n{text}"
        );
        for secret in ["KILN_SSH_PASSWORD", "KILN_BECOME_PASSWORD", ssh, become_] {
            assert!(!text.contains(secret), "{secret} in {file}:\n{text}");
        }
    }
}

/// `kiln fetch` keeps the remote file's permission bits (a 0640 file stays 0640, a 0600
/// key 0600), and the copy is never readable by another user of this machine, not even
/// for a moment: an unprivileged snoop reading every file under the destination while
/// the files are fetched (again and again) never reads a byte of them. No temporary file
/// is left, and a fetch that fails after the host started answering (a directory: its
/// mode comes, `cat` fails) leaves nothing.
#[test]
fn fetch_keeps_the_mode_and_no_one_else_reads_the_copy() {
    require!(Need::Root, Need::UtilLinux);
    let temp = tempfile::tempdir().unwrap();
    let fetched = temp.path().join("fetched");
    snoop::fetch_unseen(
        temp.path(),
        &fetched,
        5,
        |src| {
            kiln(
                temp.path(),
                &["fetch", "@local", "--src", src, "--dest", "fetched"],
            )
        },
        |src| vec![fetched.join("@local").join(src.trim_start_matches('/'))],
    );
    let directory = temp.path().join("a directory");
    std::fs::create_dir(&directory).unwrap();
    let failed = kiln(
        temp.path(),
        &[
            "fetch",
            "@local",
            "--src",
            directory.to_str().unwrap(),
            "--dest",
            "fetched",
        ],
    );
    let said = &failed.stdout;
    assert_eq!(failed.status, 1, "{said}");
    assert!(said.contains("Is a directory"), "{said}");
    let copies = fetched
        .join("@local")
        .join(temp.path().strip_prefix("/").unwrap());
    let mut names: Vec<String> = std::fs::read_dir(copies)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["group-readable", "key"],
        "nothing else, no temporary"
    );
}

/// `kiln apply`'s report with the project's root shown as `/ROOT`, and its exit status.
fn applied(project: &Project, args: &[&str]) -> (i32, String) {
    let mut all = vec!["apply", ".", "-i", "@local", "-e", &project.root_var, "-y"];
    all.extend_from_slice(args);
    let output = kiln(project.temp.path(), &all);
    let text = output
        .stdout
        .replace(&project.root.display().to_string(), "/ROOT");
    (output.status, text)
}

/// A failed op's report shows its own output only (not an earlier op's), on both
/// streams; an op that applied and still fails its check says so; ops after the failure
/// are listed not-run and counted; the JSON report has each op's output and note.
#[test]
fn a_failed_op_reports_its_own_output_and_the_ops_it_kept_from_running() {
    let project = Project::new(
        "[[op]]\nop = \"server.shell\"\ncommands = \"echo noise-out; echo noise-err >&2; touch {{ root }}/noise\"\ncreates = \"{{ root }}/noise\"\n\n\
         [[op]]\nop = \"server.shell\"\ncommands = \"echo own-out; echo own-err >&2; exit 3\"\nonlyif = \"true\"\n\n\
         [[op]]\nop = \"files.file\"\npath = \"{{ root }}/after\"\n",
    );
    let (status, text) = applied(&project, &[]);
    assert_eq!(status, 1, "{text}");
    assert_eq!(
        text,
        "\n@local (@local)\n\
         \x20 failed        server.shell echo own-out; echo own-err >&2; exit 3  [main.toml:6]\n\
         \x20     own-out\n\
         \x20     standard error:\n\
         \x20       own-err\n\
         \x20 not-run       files.file /ROOT/after  [main.toml:11]\n\
         \n@local                   failed (0 ok, 1 changed, 1 failed, 0 skipped, 1 not run)\n\
         1 hosts, 1 failed\n"
    );
    std::fs::remove_file(project.root.join("noise")).unwrap();
    let (_, json) = applied(&project, &["--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    let host = &report["hosts"][0];
    let ops: Vec<[&str; 5]> = host["ops"]
        .as_array()
        .unwrap()
        .iter()
        .map(|op| ["index", "status", "detail", "stderr", "note"].map(|k| op[k].as_str().unwrap()))
        .collect();
    assert_eq!(
        ops,
        [
            ["1", "changed", "noise-out\n", "noise-err\n", ""],
            ["2", "failed", "own-out\n", "own-err\n", ""],
            ["3", "not-run", "", "", ""],
        ],
        "{host}"
    );
    assert_eq!(
        [&host["failed"], &host["skipped"], &host["not_run"]],
        [1, 0, 1],
        "{host}"
    );
    assert_eq!(host["stderr"], "", "no output outside the ops");
}

/// An op that applied without error and whose check still fails says what it checks,
/// live as in the script.
#[test]
fn an_op_failing_its_check_after_applying_says_what_it_checks() {
    let project = Project::new(
        "[[define]]\nop = \"site.flag\"\nprobe = \"test -e {{ path }}\"\napply = \"touch {{ path }}.elsewhere\"\n\n\
         [define.params]\npath = { type = \"path\", required = true }\n\n\
         [[op]]\nop = \"site.flag\"\npath = \"{{ root }}/flag\"\n",
    );
    let (status, text) = applied(&project, &[]);
    assert_eq!(status, 1, "{text}");
    assert_eq!(
        text,
        "\n@local (@local)\n\
         \x20 failed        site.flag /ROOT/flag  [main.toml:9]\n\
         \x20     applied, but the check after it still fails: its probe succeeds: test -e '/ROOT/flag'\n\
         \x20     touch '/ROOT/flag'.elsewhere\n\
         \n@local                   failed (0 ok, 0 changed, 1 failed, 0 skipped)\n\
         1 hosts, 1 failed\n"
    );
    let (_, json) = applied(&project, &["--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        report["hosts"][0]["ops"][0]["note"],
        "applied, but the check after it still fails: its probe succeeds: test -e '/ROOT/flag'"
    );
}

/// A plan shows an op that needs an earlier op's change as a change depending on it, not
/// as the error it meets on the host as it is; the same op with no earlier change would
/// fail, and the plan says so (the host is not applied).
#[test]
fn a_plan_tells_dependent_changes_from_ops_that_would_fail() {
    require!(Need::UtilLinux);
    let line =
        "[[op]]\nop = \"files.line\"\npath = \"{{ root }}/conf\"\nline = \"b\"\ncreate = false\n";
    let dependent = Project::new(&format!(
        "[[op]]\nop = \"files.put\"\ndest = \"{{{{ root }}}}/conf\"\ncontent = \"a\\n\"\n\n{line}"
    ));
    let alone = Project::new(line);
    let plan = |project: &Project, format: &str| {
        let output = kiln(
            project.temp.path(),
            &[
                "plan",
                ".",
                "-i",
                "@local",
                "-e",
                &project.root_var,
                "--format",
                format,
            ],
        );
        let text = output
            .stdout
            .replace(&project.root.display().to_string(), "/ROOT");
        (output.status, text)
    };
    assert_eq!(
        plan(&dependent, "human"),
        (
            0,
            "\n@local (@local)\n\
             \x20 would-change  files.put /ROOT/conf  [main.toml:1]\n\
             \x20     --- /ROOT/conf\n\
             \x20     +++ /ROOT/conf (desired)\n\
             \x20     @@ -0,0 +1 @@\n\
             \x20     +a\n\
             \x20 would-change  files.line /ROOT/conf  [main.toml:6]\n\
             \x20     depends on an earlier change: /ROOT/conf does not exist (create = true creates it)\n\
             \x20 0 ok, 2 to change, 0 skipped\n\
             \n@local                   would-change (0 ok, 2 to change, 0 failed, 0 skipped)\n\
             1 hosts, 0 failed\n"
                .to_owned()
        )
    );
    assert_eq!(
        plan(&alone, "human"),
        (
            1,
            "\n@local (@local)\n\
             \x20 would-fail    files.line /ROOT/conf  [main.toml:1]\n\
             \x20     /ROOT/conf does not exist (create = true creates it)\n\
             \x20 0 ok, 0 to change, 1 would fail, 0 skipped\n\
             \n@local                   failed (0 ok, 0 changed, 1 failed, 0 skipped)\n\
             1 hosts, 1 failed\n"
                .to_owned()
        )
    );
    let (_, json) = plan(&dependent, "json");
    let op = &serde_json::from_str::<serde_json::Value>(&json).unwrap()["hosts"][0]["ops"][1];
    assert_eq!(
        [&op["status"], &op["note"], &op["detail"]],
        [
            "would-change",
            "depends on an earlier change: /ROOT/conf does not exist (create = true creates it)",
            ""
        ]
    );
    let (_, json) = plan(&alone, "json");
    let host = &serde_json::from_str::<serde_json::Value>(&json).unwrap()["hosts"][0];
    assert_eq!(
        [&host["status"], &host["ops"][0]["status"]],
        ["failed", "would-fail"],
        "{host}"
    );
    assert_eq!(host["failed"], 1, "would-fail counts as failed: {host}");

    // Confirmed on a terminal (`script` runs kiln on a pseudo-terminal), the apply leaves
    // out the host whose plan would fail, though it has another change to make.
    std::fs::write(
        alone.temp.path().join("main.toml"),
        format!(
            "{line}
[[op]]
op = \"files.file\"\npath = \"{{{{ root }}}}/other\"\n"
        ),
    )
    .unwrap();
    let confirmed = Test::new()
        .current_dir(alone.temp.path())
        .args(["apply", ".", "-i", "@local", "-e", &alone.root_var])
        .on_terminal()
        .stdin("y\n")
        .run();
    let screen = &confirmed.stdout;
    assert!(screen.contains("Apply these changes?"), "{screen}");
    assert_eq!(confirmed.status, 1, "{screen}");
    assert!(!alone.root.join("other").exists(), "{screen}");
}
