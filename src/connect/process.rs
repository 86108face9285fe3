//! Running a script through a local process that forwards it somewhere: `sh` itself,
//! `chroot PATH sh`, `docker exec -i NAME sh`, `podman exec -i NAME sh`. The script goes to
//! the process's standard input; both output streams are drained concurrently (by two
//! threads) so a chatty command can never deadlock the run.

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;

use super::{ConnectError, Stream};

/// Runs `program args... sh -s -- script_args...` with `script` on standard input.
pub fn run(
    program: &str,
    program_args: &[String],
    script: &str,
    script_args: &[&str],
    output: &mut dyn FnMut(Stream, &[u8]),
) -> Result<i32, ConnectError> {
    let mut child = Command::new(program)
        .args(program_args)
        .args(["sh", "-s", "--"])
        .args(script_args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
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
    // would otherwise block while the child blocks on a full output pipe.
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let script = script.to_owned();
    let writer = std::thread::spawn(move || stdin.write_all(script.as_bytes()));
    for (stream, chunk) in receiver {
        output(stream, &chunk);
    }
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
