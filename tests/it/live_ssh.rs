//! Live runs over real SSH: a private OpenSSH server on loopback serves ten logical hosts
//! (each with its own root directory), which `kiln apply` works on in parallel; commands
//! left in the background, and another user watching fetched copies.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::support::kiln::{Output, Test};

use crate::support::need::{Need, require};
use crate::support::sshd::{self, Sshd, write_inventory};
use crate::support::{background, snoop};

fn kiln(dir: &Path, sshd: &Sshd, args: &[&str]) -> Output {
    Test::new()
        .current_dir(dir)
        .args(args.iter().copied())
        .arg("--known-hosts")
        .arg(sshd.known_hosts.display().to_string())
        .arg("--ssh-config")
        .arg(sshd.ssh_config.display().to_string())
        .arg("--ssh-key")
        .arg(sshd.client_key.display().to_string())
        .run()
}

#[test]
fn quickstart_on_ten_hosts_in_parallel() {
    require!(Need::Root, Need::Sshd);
    let sshd = Sshd::start();
    let temp = tempfile::tempdir().unwrap();
    let project = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/quickstart");
    let inventory_path = write_inventory(&sshd, temp.path(), 10, "");
    let inv = inventory_path.display().to_string();
    let main = project.join("main.toml").display().to_string();

    let apply = kiln(
        temp.path(),
        &sshd,
        &["apply", &main, "-i", &inv, "-y", "--format", "json"],
    );
    apply.assert_status(0);
    let first = apply.json();
    let hosts = first["hosts"].as_array().unwrap();
    assert_eq!(hosts.len(), 10);
    for (n, host) in hosts.iter().enumerate() {
        assert_eq!(host["status"], "changed", "{host}");
        assert_eq!(host["failed"], 0, "{host}");
        let root = temp.path().join(format!("host{n}"));
        let motd = std::fs::read_to_string(root.join("etc/motd")).unwrap();
        assert_eq!(
            motd,
            format!("Hello from kiln on web{n}!\n"),
            "the end state is on disk"
        );
        assert!(root.join("usr/local/bin/hello").exists());
    }

    let again = kiln(
        temp.path(),
        &sshd,
        &["apply", &main, "-i", &inv, "-y", "--format", "json"],
    )
    .json();
    for host in again["hosts"].as_array().unwrap() {
        assert_eq!(host["changed"], 0, "a second apply changes nothing: {host}");
        assert_eq!(host["status"], "ok");
    }
}

/// The SSH channels a host costs do not grow with the number of ops: one for the plan
/// (facts gathered, then the script made with them and run in check mode, on the same
/// channel), one for `apply -y` (the same, for real), with 10 file ops or 1,000.
#[test]
fn channels_per_host_are_constant() {
    require!(Need::Root, Need::Sshd);
    let sshd = Sshd::start();
    let mut channels = Vec::new();
    for ops in [10, 1000] {
        let temp = tempfile::tempdir().unwrap();
        // The first op uses the host's facts, so every run gathers them.
        let mut manifest = String::from(
            "[[op]]\nop = \"files.put\"\ndest = \"{{ root }}/os\"\ncontent = \"{{ facts.os.family }}\\n\"\n\n",
        );
        for i in 1..ops {
            manifest.push_str(&format!("[[op]]\nop = \"files.put\"\ndest = \"{{{{ root }}}}/f{i}\"\ncontent = \"{i}\\n\"\n\n"));
        }
        std::fs::write(temp.path().join("main.toml"), manifest).unwrap();
        write_inventory(&sshd, temp.path(), 2, "");
        let plan = kiln(temp.path(), &sshd, &["plan", ".", "--format", "json"]).json();
        let apply = kiln(
            temp.path(),
            &sshd,
            &["apply", ".", "-y", "--format", "json"],
        )
        .json();
        for host in apply["hosts"].as_array().unwrap() {
            assert_eq!(host["changed"], ops, "{host}");
        }
        assert_eq!(
            std::fs::read_to_string(temp.path().join("host0/os")).unwrap(),
            format!("{}\n", local_os_family()),
            "the facts reached the script"
        );
        channels.push((
            plan["hosts"][0]["round_trips"].as_u64().unwrap(),
            apply["hosts"][0]["round_trips"].as_u64().unwrap(),
        ));
    }
    assert_eq!(
        channels[0], channels[1],
        "channels for 10 and 1000 ops: {channels:?}"
    );
    assert_eq!(channels[0], (1, 1), "{channels:?}");
}

/// An unreachable host fails alone: the others are applied, the exit status says failure.
#[test]
fn an_unreachable_host_fails_alone() {
    require!(Need::Root, Need::Sshd);
    let sshd = Sshd::start();
    let temp = tempfile::tempdir().unwrap();
    std::fs::write(
        temp.path().join("main.toml"),
        "[[op]]\nop = \"files.file\"\npath = \"{{ root }}/done\"\n",
    )
    .unwrap();
    let closed = sshd::free_port();
    let extra = format!(
        "[hosts.down]\naddress = \"127.0.0.1\"\nport = {closed}\nvars = {{ root = \"/nonexistent\" }}\n"
    );
    write_inventory(&sshd, temp.path(), 3, &extra);
    let output = kiln(
        temp.path(),
        &sshd,
        &["apply", ".", "-y", "--format", "json"],
    );
    assert_eq!(output.status, 1);
    let report = output.json();
    for host in report["hosts"].as_array().unwrap() {
        if host["host"] == "down" {
            assert_eq!(host["status"], "unreachable", "{host}");
            assert!(
                host["error"].as_str().unwrap().contains("127.0.0.1"),
                "{host}"
            );
        } else {
            assert_eq!(host["status"], "changed", "{host}");
        }
    }
    assert!(temp.path().join("host2/done").exists());
}

/// A command failing on one host fails that host only.
#[test]
fn a_failing_command_fails_its_host_only() {
    require!(Need::Root, Need::Sshd);
    let sshd = Sshd::start();
    let temp = tempfile::tempdir().unwrap();
    let manifest = "[[op]]\nop = \"server.shell\"\ncommands = \"test {{ host.name }} != web1\"\nonlyif = \"true\"\n\n\
                    [[op]]\nop = \"files.file\"\npath = \"{{ root }}/after\"\n";
    std::fs::write(temp.path().join("main.toml"), manifest).unwrap();
    write_inventory(&sshd, temp.path(), 3, "");
    let output = kiln(
        temp.path(),
        &sshd,
        &["apply", ".", "-y", "--format", "json"],
    );
    assert_eq!(output.status, 1);
    let report = output.json();
    for host in report["hosts"].as_array().unwrap() {
        let failed = host["host"] == "web1";
        assert_eq!(
            host["status"],
            if failed { "failed" } else { "changed" },
            "{host}"
        );
    }
    assert!(!temp.path().join("host1/after").exists());
    assert!(temp.path().join("host0/after").exists() && temp.path().join("host2/after").exists());
}

/// The connection drops in the middle of an apply (the host's sshd session is killed from
/// inside an op: the command's `sh -c` is a child of the script's shell, whose parent is the
/// session): the host is reported failed, no file is left half-written, and a rerun
/// converges.
#[test]
fn a_dropped_connection_leaves_no_partial_file() {
    require!(Need::Root, Need::Sshd);
    let sshd = Sshd::start();
    let temp = tempfile::tempdir().unwrap();
    let big: String = (0..20_000).map(|i| format!("line {i}\n")).collect();
    let manifest = format!(
        "[[op]]\nop = \"files.put\"\ndest = \"{{{{ root }}}}/big\"\ncontent = \"\"\"{big}\"\"\"\n\n\
         [[op]]\nop = \"server.shell\"\ncreates = \"{{{{ root }}}}/dropped\"\n\
         commands = \"touch {{{{ root }}}}/dropped && kill -9 $(ps -o ppid= -p $PPID)\"\n\n\
         [[op]]\nop = \"files.put\"\ndest = \"{{{{ root }}}}/after\"\ncontent = \"\"\"{big}\"\"\"\n"
    );
    std::fs::write(temp.path().join("main.toml"), manifest).unwrap();
    write_inventory(&sshd, temp.path(), 1, "");
    let root = temp.path().join("host0");

    let first = kiln(
        temp.path(),
        &sshd,
        &["apply", ".", "-y", "--format", "json"],
    );
    first.assert_status(1);
    let report = first.json();
    assert_eq!(report["hosts"][0]["status"], "failed", "{report}");
    let error = report["hosts"][0]["error"].as_str().unwrap_or_default();
    assert!(
        error.contains("connection") || error.contains("exited"),
        "{report}"
    );
    assert!(root.join("dropped").exists(), "the drop happened");
    assert_eq!(
        std::fs::read_to_string(root.join("big")).unwrap(),
        big,
        "written whole, before the drop"
    );
    assert!(!root.join("after").exists(), "nothing ran after the drop");

    let second = kiln(
        temp.path(),
        &sshd,
        &["apply", ".", "-y", "--format", "json"],
    )
    .json();
    assert_eq!(second["hosts"][0]["status"], "changed", "{second}");
    assert_eq!(std::fs::read_to_string(root.join("after")).unwrap(), big);
    let names: Vec<String> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().all(|n| !n.starts_with(".kiln")),
        "no temporary file left: {names:?}"
    );
    let third = kiln(
        temp.path(),
        &sshd,
        &["apply", ".", "-y", "--format", "json"],
    )
    .json();
    assert_eq!(third["hosts"][0]["changed"], 0, "{third}");
}

/// This machine's OS family, as `kiln facts` finds it (the SSH hosts are this machine).
fn local_os_family() -> String {
    let facts = Test::new().args(["facts", "@local", "--json"]).run().json();
    facts["os"]["family"].as_str().unwrap().to_owned()
}

/// `kiln put` and `kiln fetch` over SSH, to and from three hosts at once, one channel each.
#[test]
fn put_and_fetch_over_ssh() {
    require!(Need::Root, Need::Sshd);
    let sshd = Sshd::start();
    let temp = tempfile::tempdir().unwrap();
    write_inventory(&sshd, temp.path(), 3, "");
    let content: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 256) as u8).collect();
    std::fs::write(temp.path().join("payload"), &content).unwrap();
    let dest = temp.path().join("shared-dest");
    let dest = dest.to_str().unwrap();
    let logins = sshd.logins();
    let put = kiln(
        temp.path(),
        &sshd,
        &["put", "inventory.toml", "--src", "payload", "--dest", dest],
    );
    let said = &put.stdout;
    assert_eq!(put.status, 0, "{said}");
    assert_eq!(said.matches(": wrote ").count(), 3, "{said}");
    assert_eq!(std::fs::read(dest).unwrap(), content);

    let fetch = kiln(
        temp.path(),
        &sshd,
        &["fetch", "inventory.toml", "--src", dest, "--dest", "back"],
    );
    fetch.assert_status(0);
    for host in ["web0", "web1", "web2"] {
        let copy = temp
            .path()
            .join("back")
            .join(host)
            .join(dest.trim_start_matches('/'));
        assert_eq!(std::fs::read(&copy).unwrap(), content, "{host}");
    }
    assert_eq!(sshd.logins() - logins, 6, "one login per host and command");
}

/// `files.get` over SSH: three hosts each send their own 200 kB file back in their run's
/// output (no extra login), each to its own copy; a second apply copies nothing.
#[test]
fn files_get_over_ssh() {
    require!(Need::Root, Need::Sshd);
    let sshd = Sshd::start();
    let temp = tempfile::tempdir().unwrap();
    write_inventory(&sshd, temp.path(), 3, "");
    let content = |n: u32| -> Vec<u8> { (0..200_000u32).map(|i| (i * 7 + n) as u8).collect() };
    for n in 0..3 {
        let host = temp.path().join(format!("host{n}"));
        std::fs::write(host.join("data.bin"), content(n)).unwrap();
    }
    std::fs::write(
        temp.path().join("main.toml"),
        "[[op]]\nop = \"files.get\"\nsrc = \"{{ root }}/data.bin\"\ndest = \"back/{{ host.name }}.bin\"\n",
    )
    .unwrap();
    let logins = sshd.logins();
    let apply = [
        "apply",
        ".",
        "-i",
        "inventory.toml",
        "-y",
        "--format",
        "json",
    ];
    let first = kiln(temp.path(), &sshd, &apply);
    assert_eq!(first.status, 0, "{}", first.stdout);
    assert_eq!(first.json()["hosts"][0]["changed"], 1, "{}", first.stdout);
    for n in 0..3 {
        let copy = temp.path().join(format!("back/web{n}.bin"));
        assert!(std::fs::read(&copy).unwrap() == content(n), "web{n}'s copy");
    }
    assert_eq!(sshd.logins() - logins, 3, "one login per host");
    let second = kiln(temp.path(), &sshd, &apply);
    let report = second.json();
    for host in report["hosts"].as_array().unwrap() {
        assert_eq!(host["status"], "ok", "{host}");
    }
}

/// An op that leaves commands running in the background (`support/background.rs`) keeps
/// the SSH channel open (OpenSSH closes it when the output streams close): the run ends
/// all the same once the script's summary line and its exit status are in, in well under
/// the 30 s they run; the host is reported as the script left it (changed; failed when a
/// later op fails), and the commands keep running.
#[test]
fn a_run_ends_when_its_script_does_despite_background_commands() {
    require!(Need::Root, Need::Sshd, Need::UtilLinux);
    let sshd = Sshd::start();
    let temp = tempfile::tempdir().unwrap();
    write_inventory(&sshd, temp.path(), 1, "");
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
            &sshd,
            &["apply", ".", "-e", &pids, "-y", "--format", "json"],
        );
        let took = started.elapsed();
        let running = background::end(temp.path());
        assert!(took < Duration::from_secs(5), "the run took {took:?}");
        assert_eq!(running, [true, true], "the commands keep running");
        let report = output.json();
        assert_eq!(report["hosts"][0]["status"], status, "{report}");
        assert_eq!(report["hosts"][0]["changed"], 1, "{report}");
        assert_eq!(report["hosts"][0]["round_trips"], 1, "{report}");
        assert_eq!(output.status, i32::from(then_fail));
    }
}

/// `kiln fetch` over SSH keeps the remote file's permission bits, and an unprivileged
/// snoop reading every file under the destination while the files are fetched never
/// reads a byte of them.
#[test]
fn fetch_over_ssh_keeps_the_mode_and_no_one_else_reads_the_copy() {
    require!(Need::Root, Need::Sshd, Need::UtilLinux);
    let sshd = Sshd::start();
    let temp = tempfile::tempdir().unwrap();
    write_inventory(&sshd, temp.path(), 2, "");
    let back = temp.path().join("back");
    snoop::fetch_unseen(
        temp.path(),
        &back,
        3,
        |src| {
            kiln(
                temp.path(),
                &sshd,
                &["fetch", "inventory.toml", "--src", src, "--dest", "back"],
            )
        },
        |src| {
            ["web0", "web1"]
                .iter()
                .map(|host| back.join(host).join(src.trim_start_matches('/')))
                .collect()
        },
    );
}

/// `--shard K/N` (issue 16): four shard processes at once over 40 hosts cover every host
/// exactly once, with plan, apply and emit alike, and their JSON reports merged with `kiln
/// report merge` are a single run's (hosts, statuses, changed counts); a K/N out of range
/// is a usage error.
#[test]
fn four_shards_cover_forty_hosts_once_and_merge_into_one_run() {
    require!(Need::Root, Need::Sshd);
    let sshd = Sshd::start();
    let temp = tempfile::tempdir().unwrap();
    let inventory = write_inventory(&sshd, temp.path(), 40, "");
    let inv = inventory.display().to_string();
    std::fs::write(
        temp.path().join("main.toml"),
        "[[op]]\nop = \"files.put\"\ndest = \"{{ root }}/motd\"\ncontent = \"hello {{ host }}\\n\"\n",
    )
    .unwrap();
    // host -> (status, changed), from a report.
    let outcomes = |report: &serde_json::Value| {
        report["hosts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| {
                let outcome = (h["status"].to_string(), h["changed"].as_u64().unwrap());
                (h["host"].as_str().unwrap().to_owned(), outcome)
            })
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    let reset = || {
        for n in 0..40 {
            let root = temp.path().join(format!("host{n}"));
            std::fs::remove_dir_all(&root).unwrap();
            std::fs::create_dir_all(&root).unwrap();
        }
    };
    let single = kiln(
        temp.path(),
        &sshd,
        &["apply", "main.toml", "-i", &inv, "-y", "--format", "json"],
    );
    single.assert_status(0);
    let single = outcomes(&single.json());
    assert_eq!(single.len(), 40);
    reset();

    let shards: Vec<Output> = std::thread::scope(|scope| {
        let runs: Vec<_> = (1..=4)
            .map(|k| {
                let (sshd, inv, dir) = (&sshd, &inv, temp.path());
                scope.spawn(move || {
                    let shard = format!("{k}/4");
                    let args = ["apply", "main.toml", "-i", inv, "-y", "--format", "json"];
                    kiln(dir, sshd, &[&args[..], &["--shard", &shard]].concat())
                })
            })
            .collect();
        runs.into_iter().map(|run| run.join().unwrap()).collect()
    });
    let mut seen = std::collections::BTreeMap::new();
    for (k, shard) in shards.iter().enumerate() {
        shard.assert_status(0);
        let hosts = outcomes(&shard.json());
        assert!(!hosts.is_empty(), "shard {} of 4 has no host", k + 1);
        for host in hosts.keys() {
            assert!(
                seen.insert(host.clone(), k + 1).is_none(),
                "{host} in two shards"
            );
            let motd = temp.path().join(format!("host{}/motd", &host[3..]));
            assert!(motd.exists(), "{host} applied by shard {}", k + 1);
        }
        std::fs::write(
            temp.path().join(format!("shard{}.json", k + 1)),
            &shard.stdout,
        )
        .unwrap();
    }
    assert_eq!(seen.len(), 40, "every host in a shard");

    // (No connection options: merging reads files only.)
    let merged = Test::new()
        .current_dir(temp.path())
        .args(["report", "merge", "--format", "json"])
        .args((1..=4).map(|k| format!("shard{k}.json")))
        .run();
    merged.assert_status(0);
    assert_eq!(outcomes(&merged.json()), single);

    // Plan and emit take the same hosts as apply.
    for k in 1..=4 {
        let shard = format!("{k}/4");
        let plan = kiln(
            temp.path(),
            &sshd,
            &[
                "plan",
                "main.toml",
                "-i",
                &inv,
                "--format",
                "json",
                "--shard",
                &shard,
            ],
        );
        let planned: Vec<String> = outcomes(&plan.json()).into_keys().collect();
        let applied: Vec<String> = seen
            .iter()
            .filter(|&(_, &s)| s == k)
            .map(|(host, _)| host.clone())
            .collect();
        assert_eq!(planned, applied, "plan --shard {shard}");
        // The commands that make scripts without connecting take the same hosts too.
        for (command, extension) in [("emit", ".sh"), ("audit", ".md"), ("bundle", ".tar")] {
            let out = format!("{command}{k}");
            Test::new()
                .current_dir(temp.path())
                .args([
                    command,
                    "main.toml",
                    "-i",
                    &inv,
                    "-o",
                    &out,
                    "--shard",
                    &shard,
                ])
                .run()
                .assert_status(0);
            let mut made: Vec<String> = std::fs::read_dir(temp.path().join(&out))
                .unwrap()
                .filter_map(|e| {
                    let name = e.unwrap().file_name().to_string_lossy().into_owned();
                    name.strip_suffix(extension).map(str::to_owned)
                })
                .collect();
            made.sort();
            assert_eq!(made, applied, "{command} --shard {shard}");
        }
    }

    for bad in ["0/4", "5/4", "1/0", "two/4"] {
        let out = kiln(
            temp.path(),
            &sshd,
            &["plan", "main.toml", "-i", &inv, "--shard", bad],
        );
        out.assert_status(2).assert_stderr_contains("--shard <K/N>");
    }
}
