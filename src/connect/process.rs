//! Running a script through a local process that forwards it somewhere: `sh` itself,
//! `chroot PATH sh`, `docker exec -i NAME sh`, `podman exec -i NAME sh`. The script goes to
//! the process's standard input from a thread of its own; both output streams are read as
//! they come, with `poll(2)`, so a chatty command can never deadlock the run.
//!
//! The run ends when the process exits, not when its output pipes close: a command the
//! script starts in the background (`cmd &`, a daemon) inherits the pipes and may hold them
//! open long after the script is done. A thread waits for the exit with `waitid(WNOWAIT)`,
//! which leaves the process unreaped (so its PID, and the process group a timeout kills,
//! cannot be reused meanwhile), and says so by closing its end of a socket pair the loop
//! polls along with the pipes. Then what the pipes already hold is read: everything the
//! process wrote before it exited. What comes later is a background command's, and is
//! dropped: a thread reads the pipes to their end, so a command still writing to them does
//! not die of `SIGPIPE` while kiln runs. The background command itself is left running.

use std::fs::File;
use std::io::{ErrorKind, Read, Write};
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use super::{ConnectError, ConnectErrorKind, Conversation, END_GRACE, Input, Stream};

/// Runs `program args... sh -s -- script_args...`, its script from `conversation` on
/// standard input.
///
/// With a `timeout`, the process gets a process group of its own, and when the time is up
/// the whole group is killed (the script and every command it started). For `docker
/// exec` and `podman exec` that is the client only: what runs inside the container is the
/// container runtime's to end.
pub fn run(
    program: &str,
    program_args: &[String],
    script_args: &[&str],
    timeout: Option<Duration>,
    conversation: &mut dyn Conversation,
) -> Result<i32, ConnectError> {
    let Started {
        mut child,
        exited,
        mut pipes,
    } = start(program, program_args, script_args, timeout)?;
    let stdin = child.stdin.take().expect("stdin is piped");
    let (mut feeder, written) = Feeder::start(stdin);
    feeder.feed(conversation);
    let deadline = timeout.map(|t| Instant::now() + t);
    loop {
        let wait = deadline.map(|d| d.saturating_duration_since(Instant::now()));
        if wait.is_some_and(|w| w.is_zero()) {
            return Err(kill_group(&mut child, program, timeout.unwrap_or_default()));
        }
        let ready = poll(&pipes, Some(&exited), wait);
        if ready.exited {
            break;
        }
        if read_ready(&mut pipes, &ready.pipes, conversation) {
            feeder.feed(conversation);
        }
    }
    read_what_is_left(&mut pipes, conversation);
    drop(feeder);
    let written = match written.recv_timeout(END_GRACE) {
        Ok(result) => result,
        Err(RecvTimeoutError::Timeout) => Err(std::io::Error::new(
            ErrorKind::TimedOut,
            "its standard input is held open and no longer read",
        )),
        Err(RecvTimeoutError::Disconnected) => Ok(()),
    };
    let status = child
        .wait()
        .map_err(|e| ConnectError::new(ConnectErrorKind::Lost, format!("{program}: {e}")))?;
    if let Err(error) = written
        && status.success()
    {
        return Err(ConnectError::new(
            ConnectErrorKind::Start,
            format!("could not send the script to {program}: {error}"),
        ));
    }
    Ok(status.code().unwrap_or(128 + 9))
}

/// A started process: its output pipes, and a socket that turns readable when it exits.
struct Started {
    child: Child,
    exited: UnixStream,
    pipes: [Option<(Stream, File)>; 2],
}

/// Starts `program args... sh -s -- script_args...` with piped standard streams, and the
/// thread that watches for its exit.
fn start(
    program: &str,
    program_args: &[String],
    script_args: &[&str],
    timeout: Option<Duration>,
) -> Result<Started, ConnectError> {
    let mut command = Command::new(program);
    command
        .args(program_args)
        .args(["sh", "-s", "--"])
        .args(script_args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if timeout.is_some() {
        // Without a timeout the script stays in kiln's group, so Ctrl-C reaches it too.
        command.process_group(0);
    }
    let cannot_run = |e: std::io::Error| {
        ConnectError::new(
            ConnectErrorKind::Start,
            format!("cannot run {program}: {e}"),
        )
    };
    let (exited, exit_notice) = UnixStream::pair().map_err(cannot_run)?;
    let mut child = command.spawn().map_err(cannot_run)?;
    let pid = child.id();
    std::thread::spawn(move || {
        wait_for_exit(pid);
        drop(exit_notice);
    });
    let pipes = [
        child
            .stdout
            .take()
            .map(|p| (Stream::Stdout, File::from(OwnedFd::from(p)))),
        child
            .stderr
            .take()
            .map(|p| (Stream::Stderr, File::from(OwnedFd::from(p)))),
    ];
    Ok(Started {
        child,
        exited,
        pipes,
    })
}

/// Writes the script to the process's standard input from a thread of its own: a script
/// larger than the pipe buffer would otherwise block while the process blocks on a full
/// output pipe. Standard input closes when the conversation says so, or when the feeder
/// is dropped.
struct Feeder {
    to_writer: Option<mpsc::Sender<Vec<u8>>>,
}

impl Feeder {
    /// The feeder, and where the writer's result comes once standard input is closed.
    fn start(mut stdin: ChildStdin) -> (Feeder, mpsc::Receiver<std::io::Result<()>>) {
        let (to_writer, parts) = mpsc::channel::<Vec<u8>>();
        let (wrote, written) = mpsc::sync_channel::<std::io::Result<()>>(1);
        std::thread::spawn(move || {
            let _ = wrote.send(parts.iter().try_for_each(|part| stdin.write_all(&part)));
        });
        (
            Feeder {
                to_writer: Some(to_writer),
            },
            written,
        )
    }

    /// Hands the writer what the conversation has to send now.
    fn feed(&mut self, conversation: &mut dyn Conversation) {
        while let Some(sender) = &self.to_writer {
            match conversation.input() {
                Input::Send(part) => {
                    // A writer that stopped (the script exited) is reported by `run`.
                    let _ = sender.send(part);
                }
                Input::Wait => break,
                Input::Close => self.to_writer = None,
            }
        }
    }
}

/// Once the process has exited: reads what it wrote, which is in the pipes, until they
/// are empty (briefly: a background command may keep writing); the rest is dropped.
fn read_what_is_left(pipes: &mut [Option<(Stream, File)>; 2], conversation: &mut dyn Conversation) {
    let until = Instant::now() + END_GRACE;
    while Instant::now() < until {
        let ready = poll(pipes, None, Some(Duration::ZERO));
        if !ready.pipes.contains(&true) {
            break;
        }
        read_ready(pipes, &ready.pipes, conversation);
    }
    for (_, pipe) in pipes.iter_mut().filter_map(Option::take) {
        std::thread::spawn(move || drop_output(pipe));
    }
}

/// Which of the pipes have something to read (or their end), and whether the process
/// has exited.
struct Ready {
    pipes: [bool; 2],
    exited: bool,
}

/// Waits up to `wait` (none: for ever) until a pipe has something to read or `exited`
/// (the socket the exit watcher closes) is readable.
#[expect(unsafe_code, reason = "poll(2) on the child's pipes")]
fn poll(
    pipes: &[Option<(Stream, File)>; 2],
    exited: Option<&UnixStream>,
    wait: Option<Duration>,
) -> Ready {
    // poll(2) skips entries with a negative descriptor: closed pipes, no exit socket.
    let fd = |pipe: &Option<(Stream, File)>| pipe.as_ref().map_or(-1, |(_, p)| p.as_raw_fd());
    let mut fds = [
        fd(&pipes[0]),
        fd(&pipes[1]),
        exited.map_or(-1, |s| s.as_raw_fd()),
    ]
    .map(|fd| libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    });
    let millis = wait.map_or(-1, |w| w.as_millis().min(60_000) as libc::c_int);
    // SAFETY: `fds` is a valid array of three pollfd for the duration of the call.
    let count = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, millis) };
    // An interrupted poll reports nothing ready; the caller polls again.
    let ready = |i: usize| count > 0 && fds[i].revents != 0;
    Ready {
        pipes: [ready(0), ready(1)],
        exited: ready(2),
    }
}

/// Reads once from each ready pipe (which cannot block: poll said it is ready), handing
/// the chunk to `conversation`; a pipe at its end is closed. Returns whether any output
/// came.
fn read_ready(
    pipes: &mut [Option<(Stream, File)>; 2],
    ready: &[bool; 2],
    conversation: &mut dyn Conversation,
) -> bool {
    let mut buffer = [0u8; 64 * 1024];
    let mut output = false;
    for (slot, ready) in pipes.iter_mut().zip(ready) {
        let Some((stream, pipe)) = slot.as_mut().filter(|_| *ready) else {
            continue;
        };
        match pipe.read(&mut buffer) {
            Ok(0) => *slot = None,
            Ok(n) => {
                conversation.output(*stream, &buffer[..n]);
                output = true;
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(_) => *slot = None,
        }
    }
    output
}

/// Returns once the process `pid` has exited, leaving it for `Child::wait` to reap.
#[expect(unsafe_code, reason = "waitid(2) without reaping the child")]
fn wait_for_exit(pid: u32) {
    loop {
        // SAFETY: all-zero bytes are a valid siginfo_t (plain data).
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        // SAFETY: waitid writes only into `info`, which lives across the call.
        let result = unsafe {
            libc::waitid(
                libc::P_PID,
                pid as libc::id_t,
                &mut info,
                libc::WEXITED | libc::WNOWAIT,
            )
        };
        if result == 0 || std::io::Error::last_os_error().kind() != ErrorKind::Interrupted {
            return;
        }
    }
}

/// Reads what a background command still writes to a pipe the run is done with, until
/// the pipe's end.
fn drop_output(mut pipe: File) {
    let mut buffer = [0u8; 8192];
    while let Ok(1..) = pipe.read(&mut buffer) {}
}

/// Kills the script's process group once the command timeout is up.
#[expect(unsafe_code, reason = "kill(2) of the child's process group")]
fn kill_group(child: &mut Child, program: &str, timeout: Duration) -> ConnectError {
    let group = child.id() as libc::pid_t;
    // SAFETY: kill(2) has no memory effects; the group is the one `run` made for the child
    // (`process_group(0)`), and the child is not reaped yet, so the number is still its.
    unsafe { libc::kill(-group, libc::SIGKILL) };
    let _ = child.wait();
    ConnectError::new(
        ConnectErrorKind::CommandTimeout,
        format!(
            "{program}: the script did not finish within the command timeout ({} s) and was killed",
            timeout.as_secs()
        ),
    )
}
