//! Readers (issue 10, item 3): another user watches the directories private files are
//! written into and opens everything that appears there, the moment it appears, keeping
//! what it opened (an open file stays readable after a `chmod` makes it private). Today
//! the temporary file beside the destination is made under the default umask, filled, and
//! only then given its mode: the reader got a `mode = "0600"` file's content in most runs.
//! It must never read a byte of it.

use std::collections::BTreeMap;
use std::time::Duration;

use super::attacker::{Attack, Event};
use super::host::{Host, PUB, READABLE, TmpDir};
use super::{Kernel, emit};
use crate::support::kiln::Test;
use crate::support::need::{Need, require};
use crate::support::shells::{SHELLS, shell_name};
use crate::support::tree::mode;

/// Runs per shell (today the reader wins about 7 in 10).
const RUNS: usize = 10;

/// A private key's worth of content no other file has: 64 lines of 64 characters.
fn secret() -> String {
    let nonce = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
        ^ u128::from(std::process::id());
    (0..64)
        .map(|line| format!("{:<63}\n", format!("KILN-PRIVATE-{nonce:032x}-{line:02}")))
        .collect()
}

/// A private file written by a script: where, and what it must hold after the run.
struct Private {
    dest: String,
    content: String,
    mode: &'static str,
}

/// The reader's take over the runs: bytes read, per destination, and in how many runs.
#[derive(Default)]
struct Taken {
    /// Destination -> (runs in which it leaked, bytes read, a sample).
    leaks: BTreeMap<String, (usize, usize, String)>,
    runs: usize,
}

impl Taken {
    /// Adds one run's events: each file read counts for the destination it stands beside
    /// (a temporary file's name ends with the destination's name).
    fn add(&mut self, events: &[Event], privates: &[Private]) {
        self.runs += 1;
        let mut this_run: BTreeMap<&str, (usize, String)> = BTreeMap::new();
        for event in events {
            let Event::Read {
                file,
                bytes,
                sample,
            } = event
            else {
                continue;
            };
            let (dir, name) = file.rsplit_once('/').unwrap();
            let dest = privates
                .iter()
                .find(|p| {
                    let (d, n) = p.dest.rsplit_once('/').unwrap();
                    d == dir && name.ends_with(n)
                })
                .map_or(file.as_str(), |p| p.dest.as_str());
            let entry = this_run.entry(dest).or_insert((0, sample.clone()));
            entry.0 += bytes;
        }
        for (dest, (bytes, sample)) in this_run {
            let leak = self.leaks.entry(dest.to_owned()).or_default();
            leak.0 += 1;
            leak.1 += bytes;
            leak.2 = sample;
        }
    }

    #[track_caller]
    fn assert_nothing(&self) {
        let report: Vec<String> = self
            .leaks
            .iter()
            .map(|(dest, (runs, bytes, sample))| {
                format!(
                    "{dest}: read {bytes} bytes in {runs} of {} runs (e.g. {sample:?})",
                    self.runs
                )
            })
            .collect();
        assert!(
            report.is_empty(),
            "another user read private content:\n{}",
            report.join("\n")
        );
    }
}

/// `files.put` of a 0600 file into a directory the attacker can read and into one it can
/// write, `files.template` likewise, and a `files.line` edit of a 0640 file (`/etc/shadow`
/// is one): under every shell, the reader gets nothing.
#[test]
fn file_ops_never_show_private_content() {
    require!(Need::Root, Need::UtilLinux, Need::Shells);
    Kernel::read();
    let host = Host::new();
    let secret = secret();
    let shadow = format!("{READABLE}/shadow");
    let privates = [
        Private {
            dest: format!("{READABLE}/key"),
            content: secret.clone(),
            mode: "0600",
        },
        Private {
            dest: format!("{PUB}/key"),
            content: secret.clone(),
            mode: "0600",
        },
        Private {
            dest: format!("{READABLE}/template"),
            content: secret.clone(),
            mode: "0600",
        },
        Private {
            dest: shadow.clone(),
            content: format!("{secret}kiln-added\n"),
            mode: "0640",
        },
    ];
    let content = serde_json::Value::from(secret.as_str());
    let manifest = format!(
        "[[op]]\nop = \"files.put\"\ndest = \"{}\"\ncontent = {content}\nmode = \"0600\"\n\n\
         [[op]]\nop = \"files.put\"\ndest = \"{}\"\ncontent = {content}\nmode = \"0600\"\n\n\
         [[op]]\nop = \"files.template\"\nsrc = \"key.j2\"\ndest = \"{}\"\nmode = \"0600\"\n\n\
         [[op]]\nop = \"files.line\"\npath = \"{shadow}\"\nline = \"kiln-added\"\n",
        privates[0].dest, privates[1].dest, privates[2].dest
    );
    let script = host.script("script.sh", &emit(&manifest, &[("key.j2", &secret)]));
    let mut taken = Taken::default();
    let mut failed = Vec::new();
    for shell in SHELLS {
        for _ in 0..RUNS {
            host.clear(READABLE);
            host.clear(PUB);
            host.write(&shadow, secret.as_bytes(), 0o640);
            let run = host.start(shell, &script, &[], TmpDir::Sticky);
            let attacker = host.attack(&Attack::Read {
                dirs: vec![READABLE.into(), PUB.into()],
            });
            let run = run.release(Duration::from_secs(30));
            taken.add(&attacker.stop(), &privates);
            for private in &privates {
                let path = host.outside(&private.dest);
                let got = std::fs::read_to_string(&path).unwrap_or_default();
                let mode = mode(&path);
                if !run.ok() || got != private.content || mode != private.mode {
                    failed.push(format!(
                        "{}: {} has mode {mode}, {} bytes: {}",
                        shell_name(shell),
                        private.dest,
                        got.len(),
                        run.show()
                    ));
                }
            }
        }
    }
    taken.assert_nothing();
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

/// `kiln put --mode 0600` to this machine (`@local`, whose `sh` runs the runtime library's
/// `k_write`): the reader gets nothing.
#[test]
fn kiln_put_never_shows_private_content() {
    require!(Need::Root, Need::UtilLinux, Need::Shells);
    Kernel::read();
    let host = Host::new();
    let secret = secret();
    let dest = format!("{READABLE}/put-key");
    let privates = [Private {
        dest: dest.clone(),
        content: secret.clone(),
        mode: "0600",
    }];
    // kiln runs outside the namespace: the same directory, by its outside path.
    let outside = host.outside(&dest);
    let mut taken = Taken::default();
    for _ in 0..RUNS {
        host.clear(READABLE);
        let attacker = host.attack(&Attack::Read {
            dirs: vec![READABLE.into()],
        });
        let put = Test::new()
            .file("key", &secret)
            .args(["put", "@local", "--src", "key", "--dest"])
            .arg(outside.to_str().unwrap())
            .args(["--mode", "0600"])
            .run();
        taken.add(&attacker.stop(), &privates);
        put.assert_status(0);
        assert_eq!(std::fs::read_to_string(&outside).unwrap(), secret);
        assert_eq!(mode(&outside), "0600");
    }
    taken.assert_nothing();
}

/// `ssh.keygen` into a directory the attacker can read and into one it can write: the
/// reader, which also looks into every directory that appears there (where the key is
/// made), never reads a byte of a private key; it may read the public ones.
#[test]
fn ssh_keygen_never_shows_the_private_key() {
    require!(Need::Root, Need::UtilLinux, Need::Shells);
    Kernel::read();
    let host = Host::new();
    let keys = [format!("{READABLE}/id"), format!("{PUB}/id")];
    let manifest: String = keys
        .iter()
        .map(|key| format!("[[op]]\nop = \"ssh.keygen\"\npath = \"{key}\"\n\n"))
        .collect();
    let script = host.script("script.sh", &emit(&manifest, &[]));
    let privates: Vec<Private> = keys
        .iter()
        .map(|dest| Private {
            dest: dest.clone(),
            content: String::new(),
            mode: "0600",
        })
        .collect();
    let mut taken = Taken::default();
    let mut failed = Vec::new();
    for shell in SHELLS {
        for _ in 0..RUNS {
            host.clear(READABLE);
            host.clear(PUB);
            let run = host.start(shell, &script, &[], TmpDir::Sticky);
            let attacker = host.attack(&Attack::Read {
                dirs: vec![READABLE.into(), PUB.into()],
            });
            let run = run.release(Duration::from_secs(30));
            // A public key is public: only what is not one counts.
            let events: Vec<Event> = attacker
                .stop()
                .into_iter()
                .filter(|event| !matches!(event, Event::Read { sample, .. } if sample.starts_with("ssh-ed25519 ")))
                .collect();
            taken.add(&events, &privates);
            for key in &keys {
                let path = host.outside(key);
                let got = std::fs::read_to_string(&path).unwrap_or_default();
                if !run.ok()
                    || !got.starts_with("-----BEGIN OPENSSH PRIVATE KEY-----")
                    || mode(&path) != "0600"
                {
                    failed.push(format!("{}: {key}: {}", shell_name(shell), run.show()));
                }
            }
        }
    }
    taken.assert_nothing();
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}
