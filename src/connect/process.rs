//! Running a script through a local process that forwards it somewhere: `sh` itself,
//! `chroot PATH sh`, `docker exec -i NAME sh`, `podman exec -i NAME sh`. The script goes to
//! the process's standard input; both output streams are drained concurrently (by two
//! threads) so a chatty command can never deadlock the run.

use std::io::{Read, Write};
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use super::{ConnectError, Conversation, Input, Stream};

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
    let mut child = command
        .spawn()
        .map_err(|e| ConnectError::new(format!("cannot run {program}: {e}"), true))?;
    let (sender, receiver) = mpsc::channel::<(Stream, Vec<u8>)>();
    let mut readers = Vec::new();
    for (stream, pipe) in [
        (
            Stream::Stdout,
            child
                .stdout
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
        ),
        (
            Stream::Stderr,
            child
                .stderr
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
        ),
    ] {
        let Some(mut pipe) = pipe else { continue };
        let sender = sender.clone();
        readers.push(std::thread::spawn(move || {
            let mut buffer = [0u8; 8192];
            while let Ok(n) = pipe.read(&mut buffer) {
                if n == 0 || sender.send((stream, buffer[..n].to_vec())).is_err() {
                    break;
                }
            }
        }));
    }
    drop(sender);
    // The script is written from its own thread: a script larger than the pipe buffer
    // would otherwise block while the child blocks on a full output pipe. Standard input
    // closes when the writer's channel does.
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let (to_writer, parts) = mpsc::channel::<Vec<u8>>();
    let writer = std::thread::spawn(move || -> std::io::Result<()> {
        for part in parts {
            stdin.write_all(&part)?;
        }
        Ok(())
    });
    let mut to_writer = Some(to_writer);
    let mut feed = |conversation: &mut dyn Conversation| {
        while let Some(sender) = &to_writer {
            match conversation.input() {
                Input::Send(part) => {
                    // A writer that stopped (the script exited) is reported below.
                    let _ = sender.send(part);
                }
                Input::Wait => break,
                Input::Close => to_writer = None,
            }
        }
    };
    feed(conversation);
    let deadline = timeout.map(|t| Instant::now() + t);
    loop {
        let (stream, chunk) = match deadline {
            None => match receiver.recv() {
                Ok(next) => next,
                Err(_) => break,
            },
            Some(deadline) => {
                match receiver.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                    Ok(next) => next,
                    Err(RecvTimeoutError::Disconnected) => break,
                    Err(RecvTimeoutError::Timeout) => {
                        let group = child.id() as libc::pid_t;
                        // SAFETY: kill(2) has no memory effects; the group is the one this
                        // function made for the child (`process_group(0)` above).
                        unsafe { libc::kill(-group, libc::SIGKILL) };
                        let _ = child.wait();
                        return Err(ConnectError::new(
                            format!(
                                "{program}: the script did not finish within the command timeout ({} s) and was killed",
                                timeout.unwrap_or_default().as_secs()
                            ),
                            false,
                        ));
                    }
                }
            }
        };
        conversation.output(stream, &chunk);
        feed(conversation);
    }
    drop(to_writer);
    for reader in readers {
        let _ = reader.join();
    }
    let written = writer.join().unwrap_or(Ok(()));
    let status = child
        .wait()
        .map_err(|e| ConnectError::new(format!("{program}: {e}"), false))?;
    if let Err(error) = written
        && status.success()
    {
        return Err(ConnectError::new(
            format!("could not send the script to {program}: {error}"),
            true,
        ));
    }
    Ok(status.code().unwrap_or(128 + 9))
}
