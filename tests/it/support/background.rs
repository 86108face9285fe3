//! Commands an op leaves running in the background, which hold the run's output streams
//! open after the script has ended: a plain `sleep 30 &`, and a daemon-like `setsid sh -c
//! '...' &` (a session of its own, as daemons start). A live run must end with its script
//! all the same, report the host as the script left it, and leave both running. Each
//! writes its PID to a file, so the test can check on them and end them by PID.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The PID files the commands write, under the directory given to [`manifest`].
pub(crate) const PID_FILES: [&str; 2] = ["sleep.pid", "daemon.pid"];

/// A manifest whose one op starts both commands; they write their PIDs under the
/// variable `pids` (a directory, as the host sees it). With `then_fail`, a second op
/// fails after the first has started them.
pub(crate) fn manifest(then_fail: bool) -> String {
    let mut text = String::from(
        "[[op]]\nop = \"server.shell\"\nonlyif = \"true\"\ncommands = [\n\
         \"sleep 30 & echo $! > {{ pids }}/sleep.pid\",\n\
         \"setsid sh -c 'echo $$ > \\\"$0\\\"; exec sleep 30' {{ pids }}/daemon.pid &\",\n]\n",
    );
    if then_fail {
        text.push_str("\n[[op]]\nop = \"server.shell\"\nonlyif = \"true\"\ncommands = \"false\"\n");
    }
    text
}

/// The PIDs the commands wrote in `dir` (as this machine sees it), once both are written.
pub(crate) fn pids(dir: &Path) -> Vec<String> {
    PID_FILES
        .map(|name| read_when_written(&dir.join(name)))
        .to_vec()
}

/// The first line of `path`, waiting up to 5 s for it to be written.
pub(crate) fn read_when_written(path: &Path) -> String {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        if text.ends_with('\n') {
            return text.trim().to_owned();
        }
        assert!(
            Instant::now() < deadline,
            "{} was never written",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Whether the process `pid` of this machine is a running `sleep`. A process that wrote
/// its PID is given up to 5 s to get from `sh` to the `sleep` it `exec`s.
pub(crate) fn sleeping(pid: &str) -> bool {
    let cmdline = PathBuf::from("/proc").join(pid).join("cmdline");
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let Ok(running) = std::fs::read(&cmdline) else {
            return false;
        };
        if running.starts_with(b"sleep\0") {
            return true;
        }
        if Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Ends the processes `pids` of this machine.
pub(crate) fn kill(pids: &[String]) {
    for pid in pids {
        let _ = std::process::Command::new("kill")
            .args(["-KILL", pid])
            .status();
    }
}

/// Ends the commands whose PIDs are in `dir` (as this machine sees it: a local, chroot or
/// SSH run), and says whether each was still running.
pub(crate) fn end(dir: &Path) -> Vec<bool> {
    let pids = pids(dir);
    let running = pids.iter().map(|pid| sleeping(pid)).collect();
    kill(&pids);
    running
}
