//! The SSH connector against a real OpenSSH server on 127.0.0.1 (`support/sshd.rs`: a
//! private sshd per test, in a temp dir, stopped by its PID). Needs root, openssh-server
//! (which brings ssh-keygen, ssh-agent and ssh-add), and util-linux's `setsid` and
//! `script`; CI has them all. A test that leaves a remote process running (a timeout, a
//! dropped connection) kills it by the PID the script recorded.
//!
//! Untested here: password authentication that SUCCEEDS (it would need a user with a known
//! password, and tests must not add users or change root's password); the refused path
//! and the "server takes no passwords" path are tested. An encrypted key is tested without
//! a terminal (skipped, and the error says so) and with one (a pseudo-terminal from
//! `script(1)` answering the prompt).

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::support::background;
use crate::support::need::{Need, require};
use crate::support::sshd::{self, Sshd};
use kiln::connect::ssh::SshConnector;
use kiln::connect::ssh::config::{Jump, SshConfig, parse_jumps};
use kiln::connect::{
    ConnectError, ConnectErrorKind, Connector, Conversation, HostKeyPolicy, Input, SshOptions,
    Stream,
};

/// What a run printed and returned.
struct Ran {
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    status: i32,
}

fn run(connector: &mut SshConnector, script: &str, args: &[&str]) -> Result<Ran, ConnectError> {
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let status = connector.run(script, args, &mut |stream, chunk| match stream {
        Stream::Stdout => stdout.extend_from_slice(chunk),
        Stream::Stderr => stderr.extend_from_slice(chunk),
    })?;
    Ok(Ran {
        stdout,
        stderr,
        status,
    })
}

fn connect(sshd: &Sshd, options: &SshOptions) -> Result<SshConnector, ConnectError> {
    SshConnector::connect(Some("root"), "127.0.0.1", Some(sshd.port), options)
}

fn connect_err(sshd: &Sshd, options: &SshOptions) -> ConnectError {
    match connect(sshd, options) {
        Ok(_) => panic!("the connection should have been refused"),
        Err(e) => e,
    }
}

/// A script that records its PID in `pids`, runs `then`, and becomes a `sleep 30` that
/// [`kill_recorded`] ends.
fn leaves_a_process(pids: &Path, then: &str) -> String {
    format!(
        "echo started\necho $$ > {}\n{then}\nexec sleep 30\n",
        kiln::shell::quote(pids.to_str().unwrap())
    )
}

/// Ends what a [`leaves_a_process`] script left running, by its PIDs.
fn kill_recorded(pids: &Path) {
    let text = std::fs::read_to_string(pids).unwrap_or_default();
    for pid in text.split_whitespace() {
        let _ = Command::new("kill").args(["-KILL", pid]).status();
    }
}

fn assert_contains(text: &str, needles: &[&str]) {
    for needle in needles {
        assert!(text.contains(needle), "expected `{needle}` in:\n{text}");
    }
}

#[test]
fn runs_a_script_with_arguments_output_and_status() {
    require!(Need::Root, Need::Sshd);
    let sshd = Sshd::start();
    let mut ssh = connect(&sshd, &sshd.options()).expect("connects");
    let ran = run(
        &mut ssh,
        "printf '[%s]\\n' \"$@\"\necho to-stderr >&2\nexit 7\n",
        &["plain", "two words", "it's", "$HOME `x`", ""],
    )
    .unwrap();
    assert_eq!(
        String::from_utf8(ran.stdout).unwrap(),
        "[plain]\n[two words]\n[it's]\n[$HOME `x`]\n[]\n"
    );
    assert_eq!(ran.stderr, b"to-stderr\n");
    assert_eq!(ran.status, 7);
    // The same connection runs more scripts; a signal shows as 128 + its number.
    assert_eq!(run(&mut ssh, "exit 0", &[]).unwrap().status, 0);
    assert_eq!(run(&mut ssh, "kill -9 $$", &[]).unwrap().status, 137);
    assert_eq!(ssh.round_trips(), 3);
    assert_eq!(sshd.logins(), 1);
}

#[test]
fn five_megabyte_script_with_output_while_it_is_sent() {
    require!(Need::Root, Need::Sshd);
    let sshd = Sshd::start();
    let mut ssh = connect(&sshd, &sshd.options()).unwrap();
    // ~5 MB of script; every line prints as it runs, so the host talks while the rest of
    // the script is still being written.
    let mut script = String::new();
    let mut expected = String::new();
    let mut n = 0;
    while script.len() < 5_000_000 {
        let line = format!("line {n:07} {}", "x".repeat(80));
        script.push_str(&format!("printf '%s\\n' '{line}'\n"));
        expected.push_str(&line);
        expected.push('\n');
        n += 1;
    }
    script.push_str("echo done >&2\n");
    let started = Instant::now();
    let ran = run(&mut ssh, &script, &[]).unwrap();
    assert_eq!(ran.status, 0);
    assert_eq!(ran.stderr, b"done\n");
    assert_eq!(ran.stdout.len(), expected.len());
    assert!(
        ran.stdout == expected.as_bytes(),
        "the output differs from what the script prints"
    );
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn five_megabytes_of_output_on_both_streams() {
    require!(Need::Root, Need::Sshd);
    let sshd = Sshd::start();
    let mut ssh = connect(&sshd, &sshd.options()).unwrap();
    let script = "i=0\nwhile [ $i -lt 20 ]; do\n  head -c 250000 /dev/zero | tr '\\0' o\n  head -c 100000 /dev/zero | tr '\\0' e >&2\n  i=$((i+1))\ndone\n";
    let ran = run(&mut ssh, script, &[]).unwrap();
    assert_eq!(ran.status, 0);
    assert_eq!(ran.stdout.len(), 5_000_000);
    assert!(ran.stdout.iter().all(|b| *b == b'o'));
    assert_eq!(ran.stderr.len(), 2_000_000);
    assert!(ran.stderr.iter().all(|b| *b == b'e'));
}

#[test]
fn a_script_that_exits_before_reading_all_of_itself() {
    require!(Need::Root, Need::Sshd);
    let sshd = Sshd::start();
    let mut ssh = connect(&sshd, &sshd.options()).unwrap();
    let script = format!(
        "echo early\nexit 3\n{}",
        "# padding padding padding\n".repeat(200_000)
    );
    let ran = run(&mut ssh, &script, &[]).unwrap();
    assert_eq!((ran.stdout.as_slice(), ran.status), (&b"early\n"[..], 3));
    // The connection is still usable.
    assert_eq!(run(&mut ssh, "echo again", &[]).unwrap().stdout, b"again\n");
}

/// A script sent whole, which has ended once its output shows `END` (as a live run's
/// summary line ends it).
struct EndsAtMark {
    script: Option<String>,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

impl Conversation for EndsAtMark {
    fn input(&mut self) -> Input {
        self.script
            .take()
            .map_or(Input::Close, |script| Input::Send(script.into_bytes()))
    }

    fn output(&mut self, stream: Stream, chunk: &[u8]) {
        match stream {
            Stream::Stdout => self.stdout.extend_from_slice(chunk),
            Stream::Stderr => self.stderr.extend_from_slice(chunk),
        }
    }

    fn ended(&self) -> bool {
        self.stdout.ends_with(b"END\n")
    }
}

/// A command the script leaves in the background holds the channel open (OpenSSH closes
/// it when the output streams close): once the script's end has shown, the run ends with
/// the exit status all the same, at once for a failure, within the grace for a success,
/// with what the script wrote after its end mark; the command keeps running, and the
/// connection serves the next run.
#[test]
fn a_run_ends_with_its_script_while_a_background_command_holds_the_channel() {
    require!(Need::Root, Need::Sshd, Need::UtilLinux);
    let sshd = Sshd::start();
    let mut ssh = connect(&sshd, &sshd.options()).unwrap();
    let pid_file = sshd.path("daemon.pid");
    for exit in [0, 3] {
        let _ = std::fs::remove_file(&pid_file);
        let mut conversation = EndsAtMark {
            script: Some(format!(
                "setsid sh -c 'echo $$ > \"$0\"; exec sleep 30' {} &\n\
                 echo END\necho last words >&2\nexit {exit}\n",
                kiln::shell::quote(pid_file.to_str().unwrap())
            )),
            stdout: Vec::new(),
            stderr: Vec::new(),
        };
        let started = Instant::now();
        let status = ssh.converse(&[], &mut conversation);
        let took = started.elapsed();
        let pid = background::read_when_written(&pid_file);
        let running = background::sleeping(&pid);
        background::kill(&[pid]);
        assert!(took < Duration::from_secs(3), "the run took {took:?}");
        assert_eq!(status.unwrap(), exit);
        assert_eq!(conversation.stderr, b"last words\n");
        assert!(running, "the command keeps running");
    }
    assert_eq!(run(&mut ssh, "echo again", &[]).unwrap().stdout, b"again\n");
    assert_eq!(ssh.round_trips(), 3);
}

#[test]
fn round_trips_count_channels() {
    require!(Need::Root, Need::Sshd);
    let sshd = Sshd::start();
    let mut ssh = connect(&sshd, &sshd.options()).unwrap();
    assert_eq!(ssh.round_trips(), 0);
    for i in 0..3 {
        let ran = run(&mut ssh, "echo \"$1\"", &[&i.to_string()]).unwrap();
        assert_eq!(ran.stdout, format!("{i}\n").as_bytes());
    }
    assert_eq!(ssh.round_trips(), 3);
    assert_eq!(sshd.logins(), 1, "one session for all runs");
}

#[test]
fn ten_hosts_in_parallel() {
    require!(Need::Root, Need::Sshd);
    let sshd = Sshd::start();
    let options = sshd.options();
    let results: Vec<Result<Vec<u8>, String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..10)
            .map(|i| {
                let options = &options;
                let sshd = &sshd;
                scope.spawn(move || {
                    let mut ssh = connect(sshd, options).map_err(|e| e.to_string())?;
                    let a = run(&mut ssh, "echo \"host $1\"", &[&i.to_string()])
                        .map_err(|e| e.to_string())?;
                    let b = run(&mut ssh, "head -c 200000 /dev/zero", &[])
                        .map_err(|e| e.to_string())?;
                    assert_eq!(b.stdout.len(), 200_000);
                    Ok(a.stdout)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for (i, result) in results.into_iter().enumerate() {
        assert_eq!(result.unwrap(), format!("host {i}\n").as_bytes());
    }
    assert_eq!(sshd.logins(), 10);
}

#[test]
fn unknown_host_key_is_refused_with_its_fingerprint() {
    require!(Need::Root, Need::Sshd);
    let sshd = Sshd::start();
    std::fs::write(&sshd.known_hosts, "").unwrap();
    let error = connect_err(&sshd, &sshd.options());
    assert_eq!(error.kind, ConnectErrorKind::HostKey);
    let port = sshd.port.to_string();
    assert_contains(
        &error.message,
        &[
            "not known",
            "ED25519",
            &sshd.host_fingerprint("ed25519"),
            &format!(
                "ssh-keyscan -p {port} 127.0.0.1 >> {}",
                sshd.known_hosts.display()
            ),
            "--ssh-accept-new",
        ],
    );
    assert_eq!(std::fs::read_to_string(&sshd.known_hosts).unwrap(), "");
}

#[test]
fn accept_new_adds_the_key_then_strict_accepts_it() {
    require!(Need::Root, Need::Sshd);
    let sshd = Sshd::start();
    // A known_hosts that does not exist yet, in a directory that does not either.
    let file = sshd.path("new/known_hosts");
    let options = SshOptions {
        host_keys: HostKeyPolicy::AcceptNew,
        known_hosts: Some(file.clone()),
        ..sshd.options()
    };
    let mut ssh = connect(&sshd, &options).expect("accept-new connects");
    assert_eq!(run(&mut ssh, "echo ok", &[]).unwrap().stdout, b"ok\n");
    let text = std::fs::read_to_string(&file).unwrap();
    assert_eq!(
        text,
        format!(
            "[127.0.0.1]:{} ssh-ed25519 {}\n",
            sshd.port,
            sshd.host_key("ed25519")
        )
    );
    // Accepting again adds nothing; strict checking now knows the host.
    drop(connect(&sshd, &options).unwrap());
    assert_eq!(std::fs::read_to_string(&file).unwrap(), text);
    let strict = SshOptions {
        known_hosts: Some(file),
        ..sshd.options()
    };
    connect(&sshd, &strict).expect("the added key is accepted");
}

#[test]
fn changed_host_key_is_refused_even_with_accept_new() {
    require!(Need::Root, Need::Sshd);
    let mut sshd = Sshd::start();
    let old = sshd.host_fingerprint("ed25519");
    sshd.restart_with_new_host_key();
    let new = sshd.host_fingerprint("ed25519");
    assert_ne!(old, new);
    for policy in [HostKeyPolicy::Strict, HostKeyPolicy::AcceptNew] {
        let options = SshOptions {
            host_keys: policy,
            ..sshd.options()
        };
        let error = connect_err(&sshd, &options);
        assert_eq!(error.kind, ConnectErrorKind::HostKey);
        assert_contains(
            &error.message,
            &[
                "REMOTE HOST IDENTIFICATION HAS CHANGED",
                &old,
                &new,
                "ssh-keygen -R",
            ],
        );
    }
    // The file was not touched; with checking off the connection goes through.
    assert_eq!(
        std::fs::read_to_string(&sshd.known_hosts)
            .unwrap()
            .lines()
            .count(),
        1
    );
    let off = SshOptions {
        host_keys: HostKeyPolicy::Off,
        ..sshd.options()
    };
    let mut ssh = connect(&sshd, &off).unwrap();
    assert_eq!(run(&mut ssh, "echo off", &[]).unwrap().stdout, b"off\n");
}

#[test]
fn checking_off_needs_no_known_hosts() {
    require!(Need::Root, Need::Sshd);
    let sshd = Sshd::start();
    let options = SshOptions {
        host_keys: HostKeyPolicy::Off,
        known_hosts: Some(sshd.path("absent_known_hosts")),
        ..sshd.options()
    };
    let mut ssh = connect(&sshd, &options).unwrap();
    assert_eq!(run(&mut ssh, "echo ok", &[]).unwrap().status, 0);
    assert!(!sshd.path("absent_known_hosts").exists());
}

#[test]
fn hashed_known_hosts_and_other_key_types() {
    require!(Need::Root, Need::Sshd);
    let sshd = Sshd::start();
    // Hashed by OpenSSH itself (`ssh-keygen -H`, what `HashKnownHosts yes` writes).
    let status = Command::new("ssh-keygen")
        .arg("-H")
        .arg("-f")
        .arg(&sshd.known_hosts)
        .output()
        .unwrap();
    assert!(status.status.success());
    assert!(
        std::fs::read_to_string(&sshd.known_hosts)
            .unwrap()
            .starts_with("|1|")
    );
    connect(&sshd, &sshd.options()).expect("a hashed entry is found");

    // Known by its ECDSA key only: the client must ask for that type (the server has an
    // ED25519 key too, which is the type preferred otherwise).
    let ecdsa = sshd.path("known_hosts_ecdsa");
    std::fs::write(
        &ecdsa,
        format!(
            "[127.0.0.1]:{} ecdsa-sha2-nistp256 {}\n",
            sshd.port,
            sshd.host_key("ecdsa")
        ),
    )
    .unwrap();
    let options = SshOptions {
        known_hosts: Some(ecdsa),
        ..sshd.options()
    };
    connect(&sshd, &options).expect("the ECDSA key is asked for and matches");

    // A hashed entry with a changed key still shows the old fingerprint.
    let mut sshd = sshd;
    let old = sshd.host_fingerprint("ed25519");
    sshd.restart_with_new_host_key();
    let error = connect_err(&sshd, &sshd.options());
    assert_contains(
        &error.message,
        &["HAS CHANGED", &old, &sshd.host_fingerprint("ed25519")],
    );
}

#[test]
fn wrong_key_without_password_is_a_clear_auth_error() {
    require!(Need::Root, Need::Sshd);
    let sshd = Sshd::start();
    let stranger = sshd.path("stranger");
    sshd::keygen(&stranger, "ed25519", "");
    let missing = sshd.path("no_such_key");
    let options = SshOptions {
        identities: vec![stranger.clone(), missing.clone()],
        ..sshd.options()
    };
    let error = connect_err(&sshd, &options);
    assert_eq!(error.kind, ConnectErrorKind::Auth);
    assert_contains(
        &error.message,
        &[
            "permission denied for user `root`",
            &format!("key {}: not accepted", stranger.display()),
            &format!("key {}: cannot read it", missing.display()),
            "password: none given",
        ],
    );
}

#[test]
fn password_auth_refused_and_not_offered() {
    require!(Need::Root, Need::Sshd);
    let sshd = Sshd::start();
    let stranger = sshd.path("stranger");
    sshd::keygen(&stranger, "ed25519", "");
    let options = SshOptions {
        identities: vec![stranger.clone()],
        // sshd never lets root in with a password here (`PermitRootLogin
        // prohibit-password`), so this exercises the password exchange without any real
        // password.
        password: Some("not-the-password".into()),
        ..sshd.options()
    };
    let error = connect_err(&sshd, &options);
    assert_eq!(error.kind, ConnectErrorKind::Auth);
    assert_contains(&error.message, &["password: refused"]);

    let no_passwords = Sshd::start_with("PasswordAuthentication no");
    let options = SshOptions {
        identities: vec![stranger],
        password: Some("x".into()),
        ..no_passwords.options()
    };
    let error = connect_err(&no_passwords, &options);
    assert_contains(&error.message, &["the server does not accept passwords"]);
}

/// The parts of `encrypted_key_*` that run in a child process: in a new session without a
/// controlling terminal (`setsid`), or on a pseudo-terminal (`script`). Inert unless the
/// parent test set the environment.
#[test]
#[ignore = "run by encrypted_key_without_and_with_a_terminal in a child process"]
fn child_encrypted_key() {
    let Ok(port) = std::env::var("KILN_TEST_SSH_PORT") else {
        return;
    };
    let var = |name: &str| std::path::PathBuf::from(std::env::var(name).unwrap());
    let options = SshOptions {
        known_hosts: Some(var("KILN_TEST_SSH_KNOWN_HOSTS")),
        config: Some(var("KILN_TEST_SSH_CONFIG")),
        identities: vec![var("KILN_TEST_SSH_KEY")],
        ..SshOptions::default()
    };
    match SshConnector::connect(
        Some("root"),
        "127.0.0.1",
        Some(port.parse().unwrap()),
        &options,
    ) {
        Ok(mut ssh) => {
            let ran = run(&mut ssh, "echo logged-in", &[]).unwrap();
            println!(
                "CHILD-RESULT {}",
                String::from_utf8_lossy(&ran.stdout).trim()
            );
        }
        Err(e) => println!("CHILD-RESULT error: {}", e.message),
    }
}

#[test]
fn encrypted_key_without_and_with_a_terminal() {
    require!(Need::Root, Need::Sshd, Need::UtilLinux);
    let sshd = Sshd::start();
    let key = sshd.path("encrypted");
    sshd::keygen(&key, "ed25519", "open sesame");
    let public = std::fs::read_to_string(sshd.path("encrypted.pub")).unwrap();
    std::fs::write(sshd.path("authorized_keys"), public).unwrap();
    let exe = std::env::current_exe().unwrap();
    let child = |program: &str, args: &[&str], input: &str| {
        let mut command = Command::new(program);
        command
            .args(args)
            .env("KILN_TEST_SSH_PORT", sshd.port.to_string())
            .env("KILN_TEST_SSH_KNOWN_HOSTS", &sshd.known_hosts)
            .env("KILN_TEST_SSH_CONFIG", &sshd.ssh_config)
            .env("KILN_TEST_SSH_KEY", &key)
            .env_remove("SSH_AUTH_SOCK")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let mut process = command.spawn().unwrap();
        use std::io::{Read, Write};
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let mut stdout = process.stdout.take().unwrap();
        let reader = {
            let seen = seen.clone();
            std::thread::spawn(move || {
                let mut buffer = [0u8; 4096];
                while let Ok(n) = stdout.read(&mut buffer) {
                    if n == 0 {
                        break;
                    }
                    seen.lock().unwrap().extend_from_slice(&buffer[..n]);
                }
            })
        };
        let mut stdin = process.stdin.take().unwrap();
        if !input.is_empty() {
            // Type only once the prompt is up (the terminal then no longer echoes).
            let deadline = Instant::now() + Duration::from_secs(30);
            while !String::from_utf8_lossy(&seen.lock().unwrap()).contains("Enter passphrase") {
                if Instant::now() > deadline || process.try_wait().unwrap().is_some() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = stdin.write_all(input.as_bytes());
        }
        let mut stderr = String::new();
        let _ = process.stderr.take().unwrap().read_to_string(&mut stderr);
        process.wait().unwrap();
        drop(stdin);
        reader.join().unwrap();
        let stdout = String::from_utf8_lossy(&seen.lock().unwrap()).into_owned();
        stdout + &stderr
    };
    let test_args = [
        "--exact",
        "ssh::child_encrypted_key",
        "--ignored",
        "--nocapture",
        "--test-threads=1",
    ];

    // No terminal: the key is skipped, and the error says why.
    let mut args = vec!["-w", exe.to_str().unwrap()];
    args.extend(test_args);
    let output = child("setsid", &args, "");
    assert_contains(
        &output,
        &[
            "CHILD-RESULT error:",
            &format!("key {}: encrypted, and there is no terminal", key.display()),
        ],
    );

    // A terminal: the passphrase is asked on it, once, and works.
    let command = format!(
        "{} {}",
        kiln::shell::quote(exe.to_str().unwrap()),
        test_args.join(" ")
    );
    let output = child("script", &["-qec", &command, "/dev/null"], "open sesame\n");
    assert_contains(
        &output,
        &["Enter passphrase for key", "CHILD-RESULT logged-in"],
    );
    assert_eq!(output.matches("Enter passphrase").count(), 1, "{output}");
    assert!(
        !output.contains("open sesame"),
        "the passphrase was echoed:\n{output}"
    );

    // A wrong passphrase is reported as such.
    let output = child("script", &["-qec", &command, "/dev/null"], "guess\n");
    assert_contains(
        &output,
        &[&format!("key {}: wrong passphrase", key.display())],
    );
}

/// The ssh-agent part of `agent_keys_are_tried_first`, in a child process whose
/// environment has `SSH_AUTH_SOCK` and a `HOME` without keys.
#[test]
#[ignore = "run by agent_keys_are_tried_first in a child process"]
fn child_agent() {
    let Ok(port) = std::env::var("KILN_TEST_SSH_PORT") else {
        return;
    };
    let var = |name: &str| std::path::PathBuf::from(std::env::var(name).unwrap());
    let options = SshOptions {
        known_hosts: Some(var("KILN_TEST_SSH_KNOWN_HOSTS")),
        config: Some(var("KILN_TEST_SSH_CONFIG")),
        ..SshOptions::default()
    };
    let mut ssh = SshConnector::connect(
        Some("root"),
        "127.0.0.1",
        Some(port.parse().unwrap()),
        &options,
    )
    .expect("the agent's key logs in");
    let ran = run(&mut ssh, "echo via-agent", &[]).unwrap();
    println!(
        "CHILD-RESULT {}",
        String::from_utf8_lossy(&ran.stdout).trim()
    );
}

#[test]
fn agent_keys_are_tried_first() {
    require!(Need::Root, Need::Sshd);
    let sshd = Sshd::start();
    let socket = sshd.path("agent.sock");
    let mut agent = Command::new("ssh-agent")
        .arg("-D")
        .arg("-a")
        .arg(&socket)
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("ssh-agent (openssh-client)");
    let deadline = Instant::now() + Duration::from_secs(5);
    while !socket.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let added = Command::new("ssh-add")
        .arg(&sshd.client_key)
        .env("SSH_AUTH_SOCK", &socket)
        .output()
        .unwrap();
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let output = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "ssh::child_agent",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("KILN_TEST_SSH_PORT", sshd.port.to_string())
        .env("KILN_TEST_SSH_KNOWN_HOSTS", &sshd.known_hosts)
        .env("KILN_TEST_SSH_CONFIG", &sshd.ssh_config)
        .env("SSH_AUTH_SOCK", &socket)
        .env("HOME", sshd.path("home"))
        .output()
        .unwrap();
    let _ = agent.kill();
    let _ = agent.wait();
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    assert_contains(&text, &["CHILD-RESULT via-agent"]);
}

#[test]
fn ssh_config_supplies_host_user_port_and_key() {
    require!(Need::Root, Need::Sshd);
    let sshd = Sshd::start();
    std::fs::write(
        &sshd.ssh_config,
        format!(
            "Host web-* !web-9\n  HostName 127.0.0.1\n  User root\n  Port {port}\n  IdentityFile {key}\n\
             Host *\n  Port 1\n  User nobody\n  ConnectTimeout 3\n",
            port = sshd.port,
            key = sshd.client_key.display()
        ),
    )
    .unwrap();
    let options = SshOptions {
        identities: Vec::new(),
        ..sshd.options()
    };
    let mut ssh =
        SshConnector::connect(None, "web-1", None, &options).expect("the config's values are used");
    assert_eq!(run(&mut ssh, "id -un", &[]).unwrap().stdout, b"root\n");
    // The command line wins over the config: port 1 has no server.
    let error = match SshConnector::connect(None, "web-1", Some(1), &options) {
        Ok(_) => panic!("port 1 should not answer"),
        Err(e) => e,
    };
    assert_contains(&error.message, &["root@127.0.0.1:1", "cannot connect"]);
}

#[test]
fn ssh_config_parsing() {
    let config = SshConfig::parse(
        "Host db? app\n  HostName %h.internal\n  User ops\n  IdentityFile ~/.ssh/a\n\
         Host db1\n  User dbadmin\n  Port 2200\n\
         Host *\n  User default\n  IdentityFile ~/.ssh/b\n  ProxyJump bastion,ops@gw:2222\n",
        "test",
        Path::new("/nonexistent"),
    )
    .unwrap();
    let db1 = config.resolve("db1", None);
    assert_eq!(db1.host_name.as_deref(), Some("db1.internal"));
    assert_eq!(db1.user.as_deref(), Some("ops"), "the first value wins");
    assert_eq!(db1.port, Some(2200));
    assert_eq!(db1.identity_files, ["~/.ssh/a", "~/.ssh/b"]);
    let other = config.resolve("other", None);
    assert_eq!(
        (other.host_name, other.user.as_deref()),
        (None, Some("default"))
    );
    assert_eq!(
        parse_jumps(other.proxy_jump.as_deref().unwrap()).unwrap(),
        [
            Jump {
                user: None,
                host: "bastion".into(),
                port: None
            },
            Jump {
                user: Some("ops".into()),
                host: "gw".into(),
                port: Some(2222)
            }
        ]
    );
}

#[test]
fn proxy_jump_through_one_and_two_hosts() {
    require!(Need::Root, Need::Sshd);
    let sshd = Sshd::start();
    std::fs::write(
        &sshd.ssh_config,
        format!(
            "Host target\n  ProxyJump jump\n\
             Host target2\n  ProxyJump jump,root@127.0.0.1:{port}\n\
             Host unreachable\n  ProxyJump root@127.0.0.1:{closed}\n\
             Host proxied\n  ProxyCommand nc %h %p\n\
             Host target target2 jump 127.0.0.1\n  HostName 127.0.0.1\n  Port {port}\n  User root\n  IdentityFile {key}\n",
            port = sshd.port,
            key = sshd.client_key.display(),
            closed = sshd::free_port(),
        ),
    )
    .unwrap();
    let options = SshOptions {
        identities: Vec::new(),
        ..sshd.options()
    };
    let failure = |host: &str| match SshConnector::connect(None, host, Some(sshd.port), &options) {
        Ok(_) => panic!("{host} should not connect"),
        Err(e) => e.message,
    };
    assert_contains(
        &failure("unreachable"),
        &["refused", "the jump host on the way to root@unreachable"],
    );
    assert_contains(
        &failure("proxied"),
        &["ProxyCommand (`nc %h %p`)", "use ProxyJump"],
    );

    let mut ssh = SshConnector::connect(None, "target", None, &options)
        .expect("connects through the jump host");
    assert_eq!(
        sshd.logins(),
        2,
        "the jump host, then the target through it"
    );
    let ran = run(&mut ssh, "echo through; head -c 1000000 /dev/zero", &[]).unwrap();
    assert_eq!(&ran.stdout[..8], b"through\n");
    assert_eq!(ran.stdout.len(), 8 + 1_000_000);
    // A big script travels through the bridge too.
    let script = format!(
        "{}echo end\n",
        ": padding padding padding padding\n".repeat(60_000)
    );
    assert_eq!(run(&mut ssh, &script, &[]).unwrap().stdout, b"end\n");
    assert_eq!(ssh.round_trips(), 2);
    drop(ssh);
    // Both sessions end: the target's, then the jump host's (its bridge thread sees the
    // target session go and disconnects).
    let deadline = Instant::now() + Duration::from_secs(5);
    while sshd.log_text().matches("Received disconnect").count() < 2 {
        assert!(Instant::now() < deadline, "{}", sshd.log_text());
        std::thread::sleep(Duration::from_millis(50));
    }

    let mut ssh = SshConnector::connect(None, "target2", None, &options)
        .expect("connects through two jump hosts");
    assert_eq!(sshd.logins(), 5);
    assert_eq!(
        run(&mut ssh, "echo two hops", &[]).unwrap().stdout,
        b"two hops\n"
    );
}

#[test]
fn connect_timeout_and_refused_port() {
    // A socket that is listened on but never accepted from: the kernel completes the TCP
    // handshake, and the SSH banner never comes.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let options = SshOptions {
        host_keys: HostKeyPolicy::Off,
        config: Some(Path::new("/dev/null").to_owned()),
        connect_timeout: Some(Duration::from_secs(1)),
        ..SshOptions::default()
    };
    let started = Instant::now();
    let error = match SshConnector::connect(Some("root"), "127.0.0.1", Some(port), &options) {
        Ok(_) => panic!("nothing answers there"),
        Err(e) => e,
    };
    let took = started.elapsed();
    assert_eq!(error.kind, ConnectErrorKind::Timeout);
    assert!(error.before_run());
    assert_contains(&error.message, &["timed out after 1s"]);
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_secs(5),
        "took {took:?}"
    );

    let closed = sshd::free_port();
    let error = match SshConnector::connect(Some("root"), "127.0.0.1", Some(closed), &options) {
        Ok(_) => panic!("nothing listens there"),
        Err(e) => e,
    };
    assert_eq!(error.kind, ConnectErrorKind::Unreachable);
    assert_contains(&error.message, &["cannot connect to 127.0.0.1", "refused"]);
    drop(silent);
}

#[test]
fn command_timeout_closes_the_connection() {
    require!(Need::Root, Need::Sshd);
    let sshd = Sshd::start();
    let options = SshOptions {
        command_timeout: Some(Duration::from_secs(1)),
        ..sshd.options()
    };
    let mut ssh = connect(&sshd, &options).unwrap();
    let pids = sshd.path("home/pids");
    let started = Instant::now();
    let error = run(&mut ssh, &leaves_a_process(&pids, ""), &[])
        .err()
        .expect("times out");
    assert!(started.elapsed() < Duration::from_secs(5));
    // Like `ssh` without a terminal, closing the connection does not stop the remote
    // command.
    kill_recorded(&pids);
    assert_eq!(error.kind, ConnectErrorKind::CommandTimeout);
    assert!(!error.before_run());
    assert_contains(
        &error.message,
        &["did not finish within the command timeout"],
    );
    let error = run(&mut ssh, "echo again", &[])
        .err()
        .expect("the connection is closed");
    assert_eq!(error.kind, ConnectErrorKind::Closed);
    assert_contains(&error.message, &["closed earlier"]);
}

#[test]
fn a_connection_dropped_mid_run_is_an_error() {
    require!(Need::Root, Need::Sshd);
    let sshd = Sshd::start();
    let mut ssh = connect(&sshd, &sshd.options()).unwrap();
    // The session's sshd process is the parent of `sh -s`: killing it drops the
    // connection while the script runs.
    let pids = sshd.path("home/pids");
    let started = Instant::now();
    let error = run(&mut ssh, &leaves_a_process(&pids, "kill -9 $PPID"), &[])
        .err()
        .expect("the connection is gone");
    kill_recorded(&pids);
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(error.kind, ConnectErrorKind::Lost, "{}", error.message);
    assert_contains(&error.message, &["connection lost"]);
}

#[test]
fn keepalives_keep_a_quiet_script_alive_and_find_a_frozen_host() {
    require!(Need::Root, Need::Sshd);
    let sshd = Sshd::start();
    let options = SshOptions {
        keepalive: Duration::from_secs(1),
        ..sshd.options()
    };
    let mut ssh = connect(&sshd, &options).unwrap();
    // Silent for longer than three keepalive intervals: the server answers the
    // keepalives, so the run goes on.
    let ran = run(&mut ssh, "sleep 5; echo awake", &[]).unwrap();
    assert_eq!(ran.stdout, b"awake\n");

    // The session's sshd process frozen (SIGSTOP): the TCP connection stays up but nothing
    // answers, which only the keepalives can tell.
    let pids = sshd.path("home/pids");
    // The frozen sshd process is recorded too, to be killed after.
    let script = leaves_a_process(
        &pids,
        &format!(
            "echo $PPID >> {quoted}; sleep 1; kill -STOP $PPID",
            quoted = kiln::shell::quote(pids.to_str().unwrap())
        ),
    );
    let started = Instant::now();
    let error = run(&mut ssh, &script, &[])
        .err()
        .expect("the frozen host is given up on");
    let took = started.elapsed();
    kill_recorded(&pids);
    assert_eq!(error.kind, ConnectErrorKind::Lost);
    assert_contains(&error.message, &["no answer from the host"]);
    assert!(took < Duration::from_secs(15), "took {took:?}");
}
