//! The attacker: an unprivileged process (`nobody`, through `setpriv`) that runs one attack
//! inside the hostile host until the test closes its standard input.
//!
//! It is this test binary run again (the `security::attacker` entry point, `--exact
//! security::attacker --ignored`), so that its loops run at native speed: the races of
//! issue 10 are open for microseconds, and a shell loop forking `ln` for every try would
//! lose most of them. The attack is given in the environment (`KILN_ATTACK`, an [`Attack`] as JSON); what the
//! attacker achieves it prints on standard output, one [`Event`] per line after the
//! [`EVENT`] mark (the test harness prints lines of its own there too).

use std::collections::BTreeMap;
use std::ffi::CString;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

const EVENT: &str = "kiln-attacker:";

/// The name of the attacker's entry point among the tests of this binary.
const ENTRY_POINT: &str = "security::attacker";

#[derive(Serialize, Deserialize, Debug)]
pub(super) enum Attack {
    /// Keeps a symbolic link to `target` at each of `links`: made at once, and made again
    /// the moment whoever removed it looks away.
    Links { links: Vec<String>, target: String },
    /// [`Attack::Links`] to a FIFO the attacker makes at `fifo`: whoever opens it to write
    /// is read to the end, and whoever opens it next to read gets `payload`.
    Fifo {
        links: Vec<String>,
        fifo: String,
        payload: String,
    },
    /// Opens every entry of `dirs` (and of the directories in them) the moment it appears
    /// and reads all it can, for as long as it runs (an open file stays readable after a `chmod` makes it private).
    Read { dirs: Vec<String> },
}

#[derive(Serialize, Deserialize, Debug)]
pub(super) enum Event {
    /// The attack is in place.
    Ready,
    /// A root process wrote `bytes` into the FIFO, then read the payload from it.
    Answered { bytes: usize },
    /// `bytes` bytes read from `file` (`sample`: the first of them).
    Read {
        file: String,
        bytes: usize,
        sample: String,
    },
}

/// The attacker's side: runs the attack in `KILN_ATTACK` (nothing when it is unset).
pub(super) fn run() {
    let Ok(spec) = std::env::var("KILN_ATTACK") else {
        return;
    };
    let attack: Attack = serde_json::from_str(&spec).expect("KILN_ATTACK is an Attack");
    let stop = Arc::new(AtomicBool::new(false));
    let worker = {
        let stop = stop.clone();
        std::thread::spawn(move || match attack {
            Attack::Links { links, target } => keep_links(&links, &target, &stop),
            Attack::Fifo {
                links,
                fifo,
                payload,
            } => {
                make_fifo(&fifo);
                let path = PathBuf::from(&fifo);
                std::thread::spawn(move || answer(&path, &payload));
                keep_links(&links, &fifo, &stop);
            }
            Attack::Read { dirs } => read_all(&dirs, &stop),
        })
    };
    // The test ends the attack by closing standard input.
    let _ = std::io::copy(&mut std::io::stdin(), &mut std::io::sink());
    stop.store(true, Ordering::SeqCst);
    worker.join().expect("the attack thread");
    // The FIFO's thread may be blocked in open(2) for good.
    std::process::exit(0);
}

fn say(event: &Event) {
    let line = format!("{EVENT}{}\n", serde_json::to_string(event).unwrap());
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(line.as_bytes());
    let _ = stdout.flush();
}

fn keep_links(links: &[String], target: &str, stop: &AtomicBool) {
    let plant = || {
        for link in links {
            let _ = std::os::unix::fs::symlink(target, link);
        }
    };
    plant();
    say(&Event::Ready);
    while !stop.load(Ordering::Relaxed) {
        plant();
    }
}

#[expect(unsafe_code, reason = "mkfifo(3)")]
fn make_fifo(fifo: &str) {
    let _ = std::fs::remove_file(fifo);
    let path = CString::new(Path::new(fifo).as_os_str().as_bytes()).unwrap();
    // SAFETY: mkfifo(3) with a valid C string.
    let made = unsafe { libc::mkfifo(path.as_ptr(), 0o600) };
    assert_eq!(
        made,
        0,
        "mkfifo {fifo}: {}",
        std::io::Error::last_os_error()
    );
}

/// Reads what a writer puts into the FIFO, then answers the next reader with `payload`.
fn answer(fifo: &Path, payload: &str) {
    loop {
        let mut got = Vec::new();
        // Opening the read end waits for a writer; it is closed before the write end is
        // opened, which then waits for the next reader (not this one).
        match std::fs::File::open(fifo) {
            Ok(mut from_writer) => {
                let _ = from_writer.read_to_end(&mut got);
            }
            Err(_) => return,
        }
        let Ok(mut reader) = std::fs::OpenOptions::new().write(true).open(fifo) else {
            return;
        };
        let _ = reader.write_all(payload.as_bytes());
        drop(reader);
        say(&Event::Answered { bytes: got.len() });
    }
}

fn read_all(dirs: &[String], stop: &AtomicBool) {
    // Every file opened so far, by directory entry and inode, and how far it was read.
    let mut open: BTreeMap<(PathBuf, u64), std::fs::File> = BTreeMap::new();
    let mut first = true;
    loop {
        let last = stop.load(Ordering::Relaxed);
        // The directories, and those in them (where a temporary directory would be).
        let mut watched: Vec<PathBuf> = dirs.iter().map(PathBuf::from).collect();
        for dir in dirs {
            let Ok(entries) = std::fs::read_dir(dir) else {
                continue;
            };
            watched.extend(
                entries
                    .flatten()
                    .filter(|entry| entry.file_type().is_ok_and(|t| t.is_dir()))
                    .map(|entry| entry.path()),
            );
        }
        for dir in &watched {
            let Ok(entries) = std::fs::read_dir(dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let key = (entry.path(), std::os::unix::fs::DirEntryExt::ino(&entry));
                if open.contains_key(&key) {
                    continue;
                }
                if let Ok(file) = std::fs::OpenOptions::new()
                    .read(true)
                    .custom_flags(libc::O_NONBLOCK)
                    .open(&key.0)
                {
                    open.insert(key, file);
                }
            }
        }
        for ((path, _), file) in &mut open {
            let mut buf = [0u8; 65536];
            while let Ok(n) = file.read(&mut buf) {
                if n == 0 {
                    break;
                }
                say(&Event::Read {
                    file: path.display().to_string(),
                    bytes: n,
                    sample: String::from_utf8_lossy(&buf[..n.min(48)]).into_owned(),
                });
            }
        }
        if first {
            say(&Event::Ready);
            first = false;
        }
        if last {
            return;
        }
    }
}

/// The test's side: a running attacker.
pub(super) struct Attacker {
    child: Child,
    stdin: Option<ChildStdin>,
    events: Receiver<Event>,
}

impl Attacker {
    /// Runs `command` (the attacker's program, as `nobody`) with the attack, and waits
    /// until it says it is in place.
    pub(super) fn start(mut command: Command, attack: &Attack) -> Attacker {
        let mut child = command
            .args(["--exact", ENTRY_POINT, "--ignored", "--nocapture", "-q"])
            .env_clear()
            .env("KILN_ATTACK", serde_json::to_string(attack).unwrap())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the attacker");
        let stdout = child.stdout.take().unwrap();
        let (send, events) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(json) = line.strip_prefix(EVENT) {
                    let event: Event = serde_json::from_str(json).expect("an attacker's event");
                    if send.send(event).is_err() {
                        break;
                    }
                }
            }
        });
        let stdin = child.stdin.take();
        let attacker = Attacker {
            child,
            stdin,
            events,
        };
        match attacker.events.recv_timeout(Duration::from_secs(30)) {
            Ok(Event::Ready) => attacker,
            other => panic!("the attacker did not start: {other:?}"),
        }
    }

    /// Ends the attack and returns everything it achieved.
    pub(super) fn stop(mut self) -> Vec<Event> {
        drop(self.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut events = Vec::new();
        loop {
            match self
                .events
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            {
                Ok(event) => events.push(event),
                Err(RecvTimeoutError::Disconnected) => break,
                Err(RecvTimeoutError::Timeout) => {
                    let _ = self.child.kill();
                    break;
                }
            }
        }
        let _ = self.child.wait();
        events
    }
}

impl Drop for Attacker {
    fn drop(&mut self) {
        // A test that fails half-way still ends its attacker, by its PID.
        if self.stdin.is_some() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
