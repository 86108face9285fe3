//! Secrets in arguments (issue 10, item 5): every user sees every process's arguments
//! (`ps`, `/proc/PID/cmdline`), so a secret must never be one. Scripts run under
//! `strace -f -e trace=execve` as each shell of the matrix (`--check`, an apply, and a
//! second apply that only probes), and no secret may appear in any program's arguments,
//! nor in any file left in the test's directory or `TMPDIR` but its destination.
//!
//! The tools these ops need and this machine lacks (or must not run for real) are
//! stand-ins on `PATH`, written for this test: `sudo` (demands the password on standard
//! input with `-S`, refuses `-n`, and runs the command as root) and the account tools
//! (`getent`, `useradd`, `usermod`, `chpasswd`, keeping their database in files of the
//! test's). The stand-ins hold no secret themselves (sudo knows the password's SHA-256) and
//! never put one in an argument of their own.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use super::emit;
use crate::support::http::Server;
use crate::support::need::{Need, require};
use crate::support::shells::{SHELLS, shell_name};
use kiln::shell::quote;

/// One secret-carrying script, traced under every shell.
struct Case {
    dir: tempfile::TempDir,
    script: PathBuf,
    /// The strings that must not show.
    secrets: Vec<String>,
    /// Files that are meant to hold a secret (the ops' destinations).
    destinations: Vec<PathBuf>,
}

impl Case {
    /// A case for `manifest`, in which `{dir}` is the case's directory. `head` goes before
    /// the script (as a live run puts the become password there).
    fn new(manifest: &str, head: &str, secrets: &[&str]) -> Case {
        let dir = tempfile::Builder::new()
            .prefix("kiln-argv-")
            .tempdir()
            .unwrap();
        for sub in ["bin", "world", "tmp", "etc", "logs"] {
            std::fs::create_dir(dir.path().join(sub)).unwrap();
        }
        let manifest = manifest.replace("{dir}", dir.path().to_str().unwrap());
        let script = dir.path().join("script.sh");
        std::fs::write(&script, format!("{head}{}", emit(&manifest, &[]))).unwrap();
        Case {
            dir,
            script,
            secrets: secrets.iter().map(|s| s.to_string()).collect(),
            destinations: Vec::new(),
        }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Writes an executable stand-in into the case's `bin`.
    fn tool(&self, name: &str, script: &str) {
        use std::os::unix::fs::PermissionsExt;
        let path = self.path(&format!("bin/{name}"));
        std::fs::write(&path, script).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    /// Runs the script under `shell` with `args`, traced, and returns the run and every
    /// program started (the `execve` lines of the trace).
    fn traced(&self, shell: &[&str], args: &[&str], log: &str) -> (Output, String) {
        let log = self.path(&format!("logs/{log}"));
        let output = Command::new("strace")
            .args(["-f", "-qq", "-e", "trace=execve", "-s", "1000000", "-o"])
            .arg(&log)
            .args(shell)
            .arg(&self.script)
            .args(args)
            .current_dir(self.path("world"))
            .env_clear()
            .env("PATH", self.search_path())
            .env("LC_ALL", "C.UTF-8")
            .env("TMPDIR", self.path("tmp"))
            .output()
            .expect("run strace");
        let trace = std::fs::read_to_string(&log).unwrap();
        let execs = trace
            .lines()
            .filter(|line| line.contains("execve("))
            .collect::<Vec<_>>()
            .join("\n");
        (output, execs)
    }

    fn search_path(&self) -> String {
        format!(
            "{}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            self.path("bin").display()
        )
    }

    /// Runs `--check`, an apply and a second apply under every shell, after `reset`; after
    /// each apply, `applied` says what is wrong with the result, if anything. Fails with
    /// every secret seen in arguments or files, and every wrong result.
    fn assert_hidden(&self, reset: &dyn Fn(), applied: &dyn Fn() -> Option<String>) {
        // A program found on `PATH` is tried at each directory: one report for all.
        let mut seen = std::collections::BTreeSet::new();
        for shell in SHELLS {
            reset();
            for (round, args) in [&["--check"][..], &[], &[]].iter().enumerate() {
                let name = format!("{} {args:?} (run {})", shell_name(shell), round + 1);
                let (output, execs) = self.traced(shell, args, &format!("{round}.log"));
                for line in execs.lines() {
                    for secret in self.secrets.iter().filter(|s| line.contains(s.as_str())) {
                        seen.insert(format!(
                            "{name}: {secret:?} in the arguments of {}",
                            program(line)
                        ));
                    }
                }
                for file in self.files_left() {
                    let bytes = std::fs::read(&file).unwrap_or_default();
                    let text = String::from_utf8_lossy(&bytes);
                    for secret in self.secrets.iter().filter(|s| text.contains(s.as_str())) {
                        seen.insert(format!("{name}: {secret:?} left in {}", file.display()));
                    }
                }
                let text = format!(
                    "{}{}",
                    String::from_utf8_lossy(&output.stdout),
                    String::from_utf8_lossy(&output.stderr)
                );
                if !output.status.success() {
                    seen.insert(format!("{name}: failed ({}):\n{text}", output.status));
                } else if !args.is_empty() {
                    continue;
                } else if let Some(wrong) = applied() {
                    seen.insert(format!("{name}: {wrong}\n{text}"));
                }
            }
        }
        let seen: Vec<String> = seen.into_iter().collect();
        assert!(seen.is_empty(), "{}", seen.join("\n"));
    }

    /// Every file in the case's directory (its `TMPDIR` included) but the script, which
    /// carries the secrets it writes, the traces, the stand-ins and the destinations.
    fn files_left(&self) -> Vec<PathBuf> {
        let mut files = Vec::new();
        let skipped = [self.script.clone(), self.path("logs"), self.path("bin")];
        walk(self.dir.path(), &mut |path| {
            if !skipped.iter().any(|s| path.starts_with(s))
                && !self.destinations.iter().any(|d| d == path)
            {
                files.push(path.to_path_buf());
            }
        });
        files
    }
}

fn walk(dir: &Path, found: &mut dyn FnMut(&Path)) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() && !path.is_symlink() {
            walk(&path, found);
        } else {
            found(&path);
        }
    }
}

/// The name of the program an `execve` line of the trace starts.
fn program(line: &str) -> &str {
    let path = line
        .split("execve(\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or(line);
    path.rsplit('/').next().unwrap_or(path)
}

/// The `sudo` stand-in: refuses `-n`; with `-S`, reads a password from standard input
/// (one line, leaving the rest to the command) and compares its SHA-256; then runs the
/// command, as root, whoever `-u` names. Without `password_sha256`, it needs no password.
fn fake_sudo(case: &Case, password_sha256: Option<&str>) {
    let check = match password_sha256 {
        Some(sum) => format!(
            "[ \"$ask\" = 1 ] || {{ echo 'sudo: a password is required' >&2; exit 1; }}\n\
             IFS= read -r password || exit 1\n\
             sum=$(sha256sum <<EOF\n$password\nEOF\n)\n\
             [ \"$sum\" = {} ] || {{ echo 'sudo: incorrect password' >&2; exit 1; }}\n",
            quote(&format!("{sum}  -"))
        ),
        None => String::new(),
    };
    case.tool(
        "sudo",
        &format!(
            "#!/bin/sh\n# A stand-in for sudo(8), written by tests/it/security/argv.rs.\n\
             ask=1\n\
             while [ $# -gt 0 ]; do\n\
               case $1 in\n\
               -n) ask=0 ;;\n\
               -S|-H) ;;\n\
               -p|-u|-g) shift ;;\n\
               --) shift; break ;;\n\
               *) break ;;\n\
               esac\n\
               shift\n\
             done\n\
             {check}exec \"$@\"\n"
        ),
    );
}

/// The SHA-256, in hex, of `text` and a newline (what the sudo stand-in reads).
fn sha256_line(text: &str) -> String {
    let mut child = Command::new("sha256sum")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(
        child.stdin.as_mut().unwrap(),
        format!("{text}\n").as_bytes(),
    )
    .unwrap();
    let out = child.wait_with_output().unwrap();
    String::from_utf8(out.stdout).unwrap()[..64].to_owned()
}

/// (a) The become password (which a live run puts at the head of the script, as
/// `src/live/host_run.rs` does) and the body of an op run through sudo (here a line a file
/// must have): today mksh runs `printf` as a program, with the password as its argument,
/// and every shell hands the op's body to sudo as one `sh -c` argument.
#[test]
fn become_password_and_op_body_stay_out_of_arguments() {
    require!(Need::Root, Need::Strace, Need::Shells);
    let password = "kiln-become-pw-3e7b1d";
    let line = "kiln-line-under-sudo-9c2f44";
    let mut case = Case::new(
        &format!(
            "[[op]]\nop = \"files.line\"\npath = \"{{dir}}/world/key\"\nline = \"{line}\"\ncreate = true\nmode = \"0600\"\nsudo_user = \"nobody\"\n\n\
             [[op]]\nop = \"server.shell\"\ncommands = [\"touch {{dir}}/world/became\"]\ncreates = \"{{dir}}/world/became\"\nsudo_user = \"nobody\"\n"
        ),
        &format!("KILN_BECOME_PASS={}\n", quote(password)),
        &[password, line],
    );
    fake_sudo(&case, Some(&sha256_line(password)));
    let key = case.path("world/key");
    let became = case.path("world/became");
    case.destinations.push(key.clone());
    case.assert_hidden(
        &|| {
            let _ = std::fs::remove_file(&key);
            let _ = std::fs::remove_file(&became);
        },
        &|| {
            let got = std::fs::read_to_string(&key).unwrap_or_default();
            (got != format!("{line}\n") || !became.exists())
                .then(|| format!("the ops run through sudo did not happen (key: {got:?})"))
        },
    );
}

/// (b) A download's headers (`Authorization`), sent to this test's own server: today they
/// are curl's `-H` arguments.
#[test]
fn download_headers_stay_out_of_arguments() {
    require!(Need::Root, Need::Strace, Need::Shells, Need::Downloaders);
    let token = "Bearer kiln-token-51d0a7";
    let server = Server::start(move |request| match request.header("authorization") {
        Some(value) if value == token => ("200 OK", b"downloaded\n".to_vec()),
        _ => ("401 Unauthorized", b"no\n".to_vec()),
    });
    let mut case = Case::new(
        &format!(
            "[[op]]\nop = \"files.download\"\nurl = \"{}\"\ndest = \"{{dir}}/world/file\"\nforce = true\nheaders = {{ Authorization = \"{token}\" }}\n",
            server.url("file")
        ),
        "",
        &["kiln-token-51d0a7"],
    );
    let file = case.path("world/file");
    case.destinations.push(file.clone());
    case.assert_hidden(
        &|| {
            let _ = std::fs::remove_file(&file);
        },
        &|| {
            let got = std::fs::read(&file).unwrap_or_default();
            (got != b"downloaded\n").then(|| format!("the download got {got:?}"))
        },
    );
    assert!(
        server
            .requests()
            .iter()
            .all(|r| r.header("authorization") == Some(token)),
        "a request came without the header"
    );
}

/// (c) A user's password hash: today `useradd -p HASH`, and on the next run mksh's
/// external `printf` gets the host's shadow entry to cut its hash out.
#[test]
fn password_hashes_stay_out_of_arguments() {
    require!(Need::Root, Need::Strace, Need::Shells);
    // A well-formed SHA-512 crypt hash (kiln refuses anything else) with a marker in it.
    let marker = "kilnhash0f6e2a8c4b";
    let hash = format!("$6$kilnsalt${marker}{}", "x".repeat(86 - marker.len()));
    let mut case = Case::new(
        &format!(
            "[[op]]\nop = \"server.user\"\nuser = \"kilnuser\"\npassword = \"{hash}\"\ncreate_home = false\n"
        ),
        "",
        &[marker],
    );
    fake_accounts(&case);
    let shadow = case.path("etc/shadow");
    case.destinations.push(shadow.clone());
    let passwd = case.path("etc/passwd");
    case.assert_hidden(
        &|| {
            for db in [&passwd, &shadow] {
                std::fs::write(db, "root:x:0:0:root:/root:/bin/sh\n").unwrap();
            }
        },
        &|| {
            let got = std::fs::read_to_string(&shadow).unwrap_or_default();
            (!got.contains(&format!("\nkilnuser:{hash}:")))
                .then(|| format!("the shadow stand-in is {got:?}"))
        },
    );
}

/// Account tools for a host that must not be changed: `getent passwd|shadow|group NAME`
/// reads, `useradd` (`-p HASH`), `usermod -p HASH` and `chpasswd` (`NAME:HASH` lines on
/// standard input, with or without `-e`) write, the case's `etc/passwd` and `etc/shadow`.
/// Values reach awk in its environment, never as arguments.
fn fake_accounts(case: &Case) {
    let etc = quote(case.path("etc").to_str().unwrap());
    let set_hash = "K_NAME=$1 K_HASH=$2 awk -F: -v OFS=: \
                    '$1 == ENVIRON[\"K_NAME\"] { $2 = ENVIRON[\"K_HASH\"] } { print }' \
                    \"$etc/shadow\" > \"$etc/shadow.new\" && mv \"$etc/shadow.new\" \"$etc/shadow\"";
    let head = format!(
        "#!/bin/sh\n# A stand-in account tool, written by tests/it/security/argv.rs.\netc={etc}\nset_hash() {{ {set_hash}; }}\n"
    );
    case.tool(
        "getent",
        &format!(
            "{head}[ -f \"$etc/$1\" ] || exit 2\nK_NAME=$2 awk -F: '$1 == ENVIRON[\"K_NAME\"] {{ print; f = 1 }} END {{ exit !f }}' \"$etc/$1\"\n"
        ),
    );
    let options = "hash='!'\nwhile [ $# -gt 1 ]; do\n  case $1 in\n  -p) hash=$2; shift ;;\n  -[gGdscuKe]) shift ;;\n  esac\n  shift\ndone\n";
    case.tool(
        "useradd",
        &format!(
            "{head}{options}cat >> \"$etc/passwd\" <<EOF\n$1:x:1000:1000::/home/$1:/bin/sh\nEOF\ncat >> \"$etc/shadow\" <<EOF\n$1:$hash:19000:0:99999:7:::\nEOF\n"
        ),
    );
    case.tool(
        "usermod",
        &format!("{head}{options}[ \"$hash\" = '!' ] || set_hash \"$1\" \"$hash\"\n"),
    );
    case.tool(
        "chpasswd",
        &format!("{head}while IFS=: read -r name hash; do set_hash \"$name\" \"$hash\"; done\n"),
    );
}

/// (d) A secret file's content (`files.put`, mode 0600): today mksh writes it with
/// `printf` run as a program, the content in its arguments.
#[test]
fn file_content_stays_out_of_arguments() {
    require!(Need::Root, Need::Strace, Need::Shells);
    let content = "kiln-file-secret-7a61c3";
    let mut case = Case::new(
        &format!(
            "[[op]]\nop = \"files.put\"\ndest = \"{{dir}}/world/key\"\ncontent = \"{content}\\n\"\nmode = \"0600\"\n"
        ),
        "",
        &[content],
    );
    let key = case.path("world/key");
    case.destinations.push(key.clone());
    case.assert_hidden(
        &|| {
            let _ = std::fs::remove_file(&key);
        },
        &|| {
            let got = std::fs::read_to_string(&key).unwrap_or_default();
            (got != format!("{content}\n")).then(|| format!("the key is {got:?}"))
        },
    );
}

/// (e) A secret variable, used in a file's content (through a template) and handed to a
/// command in its environment (`env`, the way to give a command a secret: a command line
/// is every user's to read in `ps`, whatever kiln does).
#[test]
fn secret_variables_stay_out_of_arguments() {
    require!(Need::Root, Need::Strace, Need::Shells);
    let token = "kiln-secret-var-5d0e94";
    let mut case = Case::new(
        &format!(
            "[secrets]\ntoken = \"{token}\"\n\n\
             [[op]]\nop = \"files.put\"\ndest = \"{{dir}}/world/token\"\ncontent = \"t={{{{ token }}}}\\n\"\nmode = \"0600\"\n\n\
             [[op]]\nop = \"server.shell\"\ncommands = 'echo \"$TOKEN\" > {{dir}}/world/echoed'\nenv = {{ TOKEN = \"{{{{ token }}}}\" }}\ncreates = \"{{dir}}/world/echoed\"\n"
        ),
        "",
        &[token],
    );
    let file = case.path("world/token");
    let echoed = case.path("world/echoed");
    case.destinations.push(file.clone());
    case.destinations.push(echoed.clone());
    case.assert_hidden(
        &|| {
            let _ = std::fs::remove_file(&file);
            let _ = std::fs::remove_file(&echoed);
        },
        &|| {
            let got = std::fs::read_to_string(&file).unwrap_or_default();
            let said = std::fs::read_to_string(&echoed).unwrap_or_default();
            (got != format!("t={token}\n") || said != format!("{token}\n"))
                .then(|| format!("the file is {got:?}, the command wrote {said:?}"))
        },
    );
}

/// (f) A container's environment made from a secret (`docker.container`'s `env`): the CLI
/// gets it in a private file (`--env-file`), never as `-e NAME=VALUE`. The `docker`
/// stand-in keeps its one container in files of the case (`c`: `HASH IMAGE RUNNING`) and
/// copies the environment file it is given (`env`).
#[test]
fn container_environment_stays_out_of_arguments() {
    require!(Need::Root, Need::Strace, Need::Shells);
    let token = "kiln-container-env-7c21f0";
    let mut case = Case::new(
        &format!(
            "[secrets]\ntoken = \"{token}\"\n\n\
             [[op]]\nop = \"docker.container\"\ncontainer = \"web\"\nimage = \"app:1\"\nenv = {{ TOKEN = \"{{{{ token }}}}\" }}\n"
        ),
        "",
        &[token],
    );
    let (state, env) = (case.path("world/c"), case.path("world/env"));
    case.tool(
        "docker",
        &format!(
            "#!/bin/sh\nS='{world}'\ncase $1 in\n\
             container) [ -e \"$S/c\" ] && cat \"$S/c\" ;;\n\
             image) exit 1 ;;\n\
             create) printf '%s IMG false\\n' \"${{5#kiln.config-hash=}}\" > \"$S/c\"; [ \"$6\" = --env-file ] && cp \"$7\" \"$S/env\" ;;\n\
             start) read -r h i r < \"$S/c\"; echo \"$h $i true\" > \"$S/c\" ;;\n\
             esac\n",
            world = case.path("world").display()
        ),
    );
    case.destinations.push(env.clone());
    case.assert_hidden(
        &|| {
            let _ = std::fs::remove_file(&state);
            let _ = std::fs::remove_file(&env);
        },
        &|| {
            let got = std::fs::read_to_string(&env).unwrap_or_default();
            let container = std::fs::read_to_string(&state).unwrap_or_default();
            (got != format!("TOKEN={token}\n") || !container.ends_with(" IMG true\n"))
                .then(|| format!("the environment file is {got:?}, the container {container:?}"))
        },
    );
}

/// With sudo, the op's body reaches the other user's shell on standard input or in a
/// private file, not as one `sh -c` argument: an op whose body (the 40 KiB runtime library
/// and a 96 KiB block a file must have) is over the kernel's limit for one argument
/// (128 KiB) still runs (today: `Argument list too long`). Each value stays under the limit:
/// the block reaches `awk` as one environment variable, which has the same limit.
#[test]
fn become_runs_op_bodies_over_the_argument_limit() {
    require!(Need::Root, Need::Strace, Need::Shells);
    let lines: Vec<String> = (0..96)
        .map(|i| format!("{i:04}{}", "x".repeat(1019)))
        .collect();
    let case = Case::new(
        &format!(
            "[[op]]\nop = \"files.block\"\npath = \"{{dir}}/world/big\"\ncreate = true\nblock = \"{}\"\nsudo_user = \"nobody\"\n",
            lines.join("\\n")
        ),
        "",
        &[],
    );
    fake_sudo(&case, None);
    let big = case.path("world/big");
    for shell in SHELLS {
        let _ = std::fs::remove_file(&big);
        let output = Command::new(shell[0])
            .args(&shell[1..])
            .arg(&case.script)
            .current_dir(case.path("world"))
            .env_clear()
            .env("PATH", case.search_path())
            .env("LC_ALL", "C.UTF-8")
            .env("TMPDIR", case.path("tmp"))
            .output()
            .unwrap();
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(output.status.success(), "{}: {said}", shell_name(shell));
        let got = std::fs::read_to_string(&big).unwrap_or_default();
        assert!(
            got.lines().filter(|l| l.ends_with('x')).count() == lines.len(),
            "{}: the block is not all there ({} bytes)",
            shell_name(shell),
            got.len()
        );
    }
}
