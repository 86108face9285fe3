//! Planted names: another user plants links, to a root-owned victim or to a FIFO of its
//! own, at the names scripts write to, before and while they run (issue 10, items 1 and 2,
//! and the temporary files beside destinations of item 3).
//!
//! The attacker keeps its links in place from before the script starts to after it ends,
//! re-making each one the moment the script removes it, at the names today's runtime
//! library derives from the script's PID. After every run the victim must be as it was
//! (content, mode, owner), the run must have done its job (a planted name must not stop
//! it either), and a dry run (`--check`) must have left every directory as it found it.

use std::collections::BTreeMap;
use std::time::Duration;

use super::attacker::{Attack, Event};
use super::host::{Finished, Host, LAIR, PUB, TmpDir, VAULT, VICTIM};
use super::{Kernel, emit};
use crate::support::http::Server;
use crate::support::need::{Need, require};
use crate::support::shells::{SHELLS, shell_name};
use crate::support::tree::{Entry, mode, read_tree, tree_diff};

/// `server.script` runs per shell and `TMPDIR` (today's code loses more than half).
const SCRIPT_RUNS: usize = 4;
/// Runs per shell and `TMPDIR` of the symbolic-mode race, half of them `--check` (each
/// run computes a symbolic mode two to four times; today's code loses most runs).
const MODE_RUNS: usize = 4;
/// How long a run may take before it counts as blocked.
const LIMIT: Duration = Duration::from_secs(30);

/// Issue 10, item 1: `server.script` wrote its body to `$TMPDIR/.kiln-script.$$` after
/// removing that name, under `set -C`, which does not refuse a FIFO: the attacker planted a
/// link to its FIFO there, read the body and answered root's `sh` with its own code.
#[test]
fn server_script_never_runs_another_users_code() {
    require!(Need::Root, Need::UtilLinux, Need::Shells);
    let kernel = Kernel::read();
    let host = Host::new();
    let job_ran = format!("{VAULT}/job-ran");
    let manifest =
        format!("[[op]]\nop = \"server.script\"\nsrc = \"job.sh\"\ncreates = \"{VAULT}/never\"\n");
    let job = format!("#!/bin/sh\necho ran > {job_ran}\n");
    let script = host.script("script.sh", &emit(&manifest, &[("job.sh", &job)]));
    let owned = format!("{LAIR}/owned");
    let mut lost = Vec::new();
    let mut total = 0;
    for tmp in TmpDir::ALL {
        if tmp.sticky() && kernel.hides_sticky_links("server.script in a sticky TMPDIR") {
            continue;
        }
        for shell in SHELLS {
            for _ in 0..SCRIPT_RUNS {
                total += 1;
                let run = host.start(shell, &script, &[], tmp);
                let attacker = host.attack(&Attack::Fifo {
                    links: vec![format!("{}/.kiln-script.{}", tmp.path(), run.pid())],
                    fifo: format!("{LAIR}/fifo"),
                    payload: format!("id > {owned}\n"),
                });
                let run = run.release(LIMIT);
                let events = attacker.stop();
                let what = format!("{} with TMPDIR {tmp:?}", shell_name(shell));
                if let Ok(id) = std::fs::read_to_string(host.outside(&owned)) {
                    lost.push(format!("{what}: the attacker's code ran: {}", id.trim()));
                    std::fs::remove_file(host.outside(&owned)).unwrap();
                } else if events.iter().any(|e| matches!(e, Event::Answered { .. })) {
                    lost.push(format!("{what}: root wrote the script into the FIFO"));
                } else if !run.ok() || std::fs::remove_file(host.outside(&job_ran)).is_err() {
                    lost.push(format!("{what}: the job did not run: {}", run.show()));
                }
            }
        }
    }
    assert_never_lost(&lost, total);
}

/// What one attacked run did, and what it must not have done.
struct Attacked {
    run: Finished,
    /// The victim harmed, or (for `--check`) a directory changed.
    harm: Vec<String>,
}

/// Runs `script` under `shell` with `args`, `TMPDIR` at `tmp`, while the attacker keeps
/// links to the victim at `names(PID)`. A harmed victim is reported and put back.
fn attacked(
    host: &Host,
    shell: &[&str],
    script: &str,
    args: &[&str],
    tmp: TmpDir,
    names: &dyn Fn(u32) -> Vec<String>,
) -> Attacked {
    let pending = host.start(shell, script, args, tmp);
    let links = names(pending.pid());
    let attacker = host.attack(&Attack::Links {
        links: links.clone(),
        target: VICTIM.into(),
    });
    let dry = args.contains(&"--check");
    let before = dry.then(|| tree(host, &links));
    let run = pending.release(LIMIT);
    attacker.stop();
    let mut harm = Vec::new();
    if let Some(before) = before {
        let after = tree(host, &links);
        if after != before {
            harm.push(format!(
                "--check changed files:\n{}",
                tree_diff(&before, &after)
            ));
        }
    }
    if let Some(victim) = host.victim_harm() {
        harm.push(victim);
        host.restore_victim();
    }
    Attacked { run, harm }
}

/// Everything in the host's `/tmp` and what `/etc` gained, but the attacker's `links`.
fn tree(host: &Host, links: &[String]) -> BTreeMap<String, Entry> {
    let mut tree = read_tree(&host.outside("/tmp"));
    for (path, entry) in read_tree(&host.outside("/etc/")) {
        tree.insert(format!("/etc/{path}"), entry);
    }
    for link in links {
        tree.remove(link.trim_start_matches("/tmp/"));
    }
    tree
}

/// Fails with every run the attacker won, out of `total`.
#[track_caller]
fn assert_never_lost(lost: &[String], total: usize) {
    assert!(
        lost.is_empty(),
        "the attacker won {} of {total} runs:\n{}",
        lost.len(),
        lost.join("\n")
    );
}

/// `crontab` for a host without cron: `-l` prints the table, `-` installs standard input;
/// the table is one file of root's. (`server.crontab` needs no more of it.)
fn fake_crontab(host: &Host) {
    host.tool(
        "crontab",
        &format!(
            "#!/bin/sh\n# A stand-in for crontab(1): the test machine has no cron.\n\
             table={}\n\
             for arg in \"$@\"; do\n\
               case $arg in\n\
               -l) [ -f \"$table\" ] || {{ echo 'no crontab for root' >&2; exit 1; }}; exec cat \"$table\" ;;\n\
               -) exec cat > \"$table\" ;;\n\
               esac\n\
             done\n",
            kiln::shell::quote(&format!("{VAULT}/crontab"))
        ),
    );
}

/// Issue 10, item 2: `server.crontab`'s diff (so `--check` and `kiln plan`) wrote the
/// desired table to `${TMPDIR:-/tmp}/.kiln-crontab.$$`, following whatever was there.
#[test]
fn crontab_check_writes_nothing_through_planted_links() {
    require!(Need::Root, Need::UtilLinux, Need::Shells);
    let kernel = Kernel::read();
    let host = Host::new();
    fake_crontab(&host);
    let script = host.script(
        "script.sh",
        &emit(
            "[[op]]\nop = \"server.crontab\"\ncommand = \"echo kiln-test\"\nhour = \"3\"\n",
            &[],
        ),
    );
    let mut lost = Vec::new();
    let mut total = 0;
    for tmp in TmpDir::ALL {
        if tmp.sticky() && kernel.hides_sticky_links("--check with a sticky TMPDIR") {
            continue;
        }
        for shell in SHELLS {
            total += 1;
            let names = |pid: u32| {
                vec![
                    format!("{}/.kiln-crontab.{pid}", tmp.path()),
                    format!("/tmp/.kiln-crontab.{pid}"),
                ]
            };
            let done = attacked(&host, shell, &script, &["--check"], tmp, &names);
            let what = format!("{} --check with TMPDIR {tmp:?}", shell_name(shell));
            if !done.harm.is_empty() {
                lost.push(format!("{what}: {}", done.harm.join("; ")));
            } else if !done.run.ok() || !done.run.stdout.contains("+* 3 * * * echo kiln-test") {
                lost.push(format!("{what}: no diff: {}", done.run.show()));
            }
        }
    }
    assert_never_lost(&lost, total);
}

/// Issue 10, item 2: a symbolic mode (`u=rw,go=r`) was computed on a scratch file
/// `${TMPDIR:-/tmp}/.kiln-mode.$$`, made after an `rm -rf` of that name (or a directory
/// made there), then `chmod`ed twice: in the race, the victim was emptied and made 0644.
/// Probes compute it, so `--check` did it too.
#[test]
fn symbolic_modes_touch_nothing_through_planted_links() {
    require!(Need::Root, Need::UtilLinux, Need::Shells);
    // The scratch name in /tmp (sticky) is attacked whatever TMPDIR is.
    if Kernel::read().hides_sticky_links("symbolic modes (a scratch file in /tmp)") {
        return;
    }
    let host = Host::new();
    let manifest = format!(
        "[[op]]\nop = \"files.file\"\npath = \"{PUB}/file\"\nmode = \"u=rw,go=r\"\n\n\
         [[op]]\nop = \"files.directory\"\npath = \"{PUB}/dir\"\nmode = \"u=rwx,go=rx\"\n"
    );
    let script = host.script("script.sh", &emit(&manifest, &[]));
    let mut lost = Vec::new();
    let mut total = 0;
    for tmp in TmpDir::ALL {
        for shell in SHELLS {
            for round in 0..MODE_RUNS {
                total += 1;
                host.clear(PUB);
                host.write(&format!("{PUB}/file"), b"", 0o600);
                let args: &[&str] = if round % 2 == 0 { &[] } else { &["--check"] };
                let names = |pid: u32| {
                    vec![
                        format!("{}/.kiln-mode.{pid}", tmp.path()),
                        format!("/tmp/.kiln-mode.{pid}"),
                    ]
                };
                let done = attacked(&host, shell, &script, args, tmp, &names);
                let what = format!("{} {args:?} with TMPDIR {tmp:?}", shell_name(shell));
                let mode = mode(&host.outside(&format!("{PUB}/file")));
                if !done.harm.is_empty() {
                    lost.push(format!("{what}: {}", done.harm.join("; ")));
                } else if !done.run.ok() || (args.is_empty() && mode != "0644") {
                    lost.push(format!("{what}: file mode {mode}: {}", done.run.show()));
                }
            }
        }
    }
    assert_never_lost(&lost, total);
}

/// One op that writes a file beside its destination: its manifest (with `{dest}`), the
/// destination's content before (none: absent) and after.
struct Beside {
    op: &'static str,
    manifest: &'static str,
    dest: &'static str,
    before: Option<&'static str>,
    after: &'static str,
}

const BESIDE: &[Beside] = &[
    Beside {
        op: "files.put",
        manifest: "dest = \"{dest}\"\ncontent = \"put\\n\"\nmode = \"0600\"\n",
        dest: "/tmp/w/pub/put",
        before: None,
        after: "put\n",
    },
    Beside {
        op: "files.template",
        manifest: "src = \"template.j2\"\ndest = \"{dest}\"\n",
        dest: "/tmp/w/pub/template",
        before: Some("old\n"),
        after: "template\n",
    },
    Beside {
        op: "files.line",
        manifest: "path = \"{dest}\"\nline = \"added\"\n",
        dest: "/tmp/w/pub/line",
        before: Some("kept\n"),
        after: "kept\nadded\n",
    },
    Beside {
        op: "files.block",
        manifest: "path = \"{dest}\"\nblock = \"inside\"\n",
        dest: "/tmp/w/pub/block",
        before: Some("kept\n"),
        after: "kept\n# BEGIN MANAGED BY KILN\ninside\n# END MANAGED BY KILN\n",
    },
    Beside {
        op: "files.replace",
        manifest: "path = \"{dest}\"\nregexp = \"old\"\nreplace = \"new\"\n",
        dest: "/tmp/w/pub/replace",
        before: Some("old\n"),
        after: "new\n",
    },
    Beside {
        op: "files.download",
        manifest: "url = \"{url}\"\ndest = \"{dest}\"\n",
        dest: "/tmp/w/pub/download",
        before: None,
        after: "downloaded\n",
    },
    Beside {
        op: "server.sudoers",
        manifest: "filename = \"kiln-test\"\nrules = [\"root ALL=(ALL) ALL\"]\n",
        dest: "/etc/sudoers.d/kiln-test",
        before: None,
        after: "root ALL=(ALL) ALL\n",
    },
];

/// Issue 10, items 2 and 3: files written beside their destination went through
/// `.kiln.$$.NAME` (`files.put`, `files.template`, every edit, `kiln put`),
/// `.kiln-edit.$$.NAME` (`files.line`, `files.block`, `files.replace`),
/// `.kiln-download.$$.NAME` (`files.download`) and `.kiln-new.$$.NAME` (`server.sudoers`,
/// whose `/etc/sudoers.d` is made writable by all here), in a directory the attacker can
/// write to. None may be followed, and none may stop the run (today a name already there
/// fails the op on `parameter not set`).
#[test]
fn writes_beside_destinations_ignore_planted_links() {
    require!(Need::Root, Need::UtilLinux, Need::Shells);
    if Kernel::read().hides_sticky_links("files written into a sticky directory") {
        return;
    }
    let host = Host::with_etc();
    host.tool(
        "visudo",
        "#!/bin/sh\n# A stand-in for visudo(8) (no sudo on the test machine): every file is valid.\nexit 0\n",
    );
    let server = Server::start(|_| ("200 OK", b"downloaded\n".to_vec()));
    let mut lost = Vec::new();
    let mut total = 0;
    for case in BESIDE {
        let manifest = format!(
            "[[op]]\nop = \"{}\"\n{}",
            case.op,
            case.manifest
                .replace("{dest}", case.dest)
                .replace("{url}", &server.url("file"))
        );
        let script = host.script(
            "script.sh",
            &emit(&manifest, &[("template.j2", "template\n")]),
        );
        let (dir, name) = case.dest.rsplit_once('/').unwrap();
        let names = |pid: u32| {
            let mut names: Vec<String> = [".kiln", ".kiln-edit", ".kiln-download", ".kiln-new"]
                .iter()
                .map(|prefix| format!("{dir}/{prefix}.{pid}.{name}"))
                .collect();
            names.push(format!("{dir}/.kiln.{pid}..kiln-new.{pid}.{name}"));
            names
        };
        for shell in SHELLS {
            for args in [&["--check"][..], &[]] {
                total += 1;
                let dest = host.outside(case.dest);
                host.remove(case.dest);
                if let Some(before) = case.before {
                    host.write(case.dest, before.as_bytes(), 0o644);
                }
                let done = attacked(&host, shell, &script, args, TmpDir::Sticky, &names);
                let mut wrong = done.harm;
                let got = std::fs::read(&dest).ok();
                if !done.run.ok() {
                    wrong.push(done.run.show());
                } else if args.is_empty() && got.as_deref() != Some(case.after.as_bytes()) {
                    wrong.push(format!("{} is {got:?}", case.dest));
                }
                if !wrong.is_empty() {
                    let what = format!("{} {args:?}, {}", shell_name(shell), case.op);
                    lost.push(format!("{what}: {}", wrong.join("; ")));
                }
            }
        }
    }
    assert_never_lost(&lost, total);
}
