//! Logging in, in OpenSSH's order: the keys of ssh-agent, then the identity files (`-i` /
//! `--ssh-key`, then the config's `IdentityFile`s; OpenSSH's defaults `~/.ssh/id_ed25519`,
//! `id_ecdsa`, `id_rsa` only when neither gave any, as `ssh` does), then a password if one
//! was given. An encrypted key's passphrase is asked on the terminal (`/dev/tty`, never
//! echoed, never logged) once per key for the whole run, however many hosts use the key;
//! without a terminal the key is skipped with a note. When everything fails the error lists
//! what was tried and why each failed.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ssh2::{ErrorCode, KeyboardInteractivePrompt, Prompt, Session};

use super::config::{HostConfig, expand_tilde, expand_tokens, home_dir, local_user};
use super::digest::base64_decode;
use crate::connect::{ConnectError, ConnectErrorKind};

const ERROR_FILE: i32 = -16;
const ERROR_TIMEOUT: i32 = -9;
/// Errors after which the session is gone: socket send/receive, disconnect, timeout.
const FATAL: &[i32] = &[-7, -13, -43, -30, ERROR_TIMEOUT, -1];

/// What to log in with, gathered from the options and the config.
pub(super) struct Credentials<'a> {
    pub user: &'a str,
    /// `user@host:port`, for messages.
    pub label: &'a str,
    pub identities: &'a [PathBuf],
    pub config: &'a HostConfig,
    /// For `%h`, `%p`, `%r`, `%n` in `IdentityFile`.
    pub host: &'a str,
    pub port: u16,
    pub original_host: &'a str,
    pub password: Option<&'a str>,
}

pub(super) fn authenticate(session: &Session, login: &Credentials) -> Result<(), ConnectError> {
    let user = login.user;
    let methods = match session.auth_methods(user) {
        Ok(methods) => methods.to_owned(),
        // No list: the `none` method was accepted, or the connection broke.
        Err(_) if session.authenticated() => return Ok(()),
        Err(e) => {
            return Err(ConnectError::new(
                ConnectErrorKind::Auth,
                format!(
                    "ssh: {}: could not start authentication: {}",
                    login.label,
                    e.message()
                ),
            ));
        }
    };
    let offers = |method: &str| methods.split(',').any(|m| m == method);
    let mut attempts = Attempts {
        session,
        login,
        tried: Vec::new(),
        broken: false,
    };
    if offers("publickey") {
        let key_files = identity_files(login);
        if attempts.agent(&key_files) || attempts.key_files(key_files) {
            return Ok(());
        }
    } else {
        attempts
            .tried
            .push("public keys: the server does not accept them".into());
    }
    if !attempts.broken && attempts.password(&offers) {
        return Ok(());
    }
    let tried = attempts.tried;
    Err(ConnectError::new(
        ConnectErrorKind::Auth,
        format!(
            "ssh: {}: permission denied for user `{user}` (the server accepts: {methods}); tried: {}",
            login.label,
            if tried.is_empty() {
                "nothing".to_owned()
            } else {
                tried.join("; ")
            }
        ),
    ))
}

/// One login, method after method: each step says whether it logged in, and notes why
/// not in `tried`.
struct Attempts<'a> {
    session: &'a Session,
    login: &'a Credentials<'a>,
    /// What was tried, and why it did not do.
    tried: Vec<String>,
    /// The server closed the connection: nothing more can be tried.
    broken: bool,
}

impl Attempts<'_> {
    /// The agent's keys (those `IdentitiesOnly` allows, given the key files).
    fn agent(&mut self, key_files: &[(PathBuf, bool)]) -> bool {
        let allowed = agent_keys_allowed(self.login, key_files);
        let (mut agent, identities) = match agent(self.session, self.login.config) {
            AgentState::Disabled(why) => {
                self.tried.push(why);
                return false;
            }
            AgentState::Failed(why) => {
                self.tried.push(format!("ssh-agent: {why}"));
                return false;
            }
            AgentState::Ready(agent, identities) => (agent, identities),
        };
        let identities: Vec<_> = identities
            .into_iter()
            .filter(|id| {
                allowed
                    .as_ref()
                    .is_none_or(|allowed| allowed.contains(&id.blob().to_vec()))
            })
            .collect();
        if identities.is_empty() {
            self.tried.push("ssh-agent: no usable key".into());
        }
        for identity in identities {
            let what = format!("ssh-agent key `{}`", identity.comment());
            match agent.userauth(self.login.user, &identity) {
                Ok(()) if self.session.authenticated() => return true,
                Ok(()) => self.tried.push(format!("{what}: not accepted")),
                Err(e) => {
                    if failure(&what, "not accepted", &e, &mut self.tried) {
                        self.broken = true;
                        break;
                    }
                }
            }
        }
        let _ = agent.disconnect();
        false
    }

    /// The private key files, each `(path, given explicitly)`: a missing default one is
    /// skipped quietly.
    fn key_files(&mut self, key_files: Vec<(PathBuf, bool)>) -> bool {
        for (path, explicit) in key_files {
            if self.broken {
                break;
            }
            if self.key_file(&path, explicit) {
                return true;
            }
        }
        false
    }

    fn key_file(&mut self, path: &Path, explicit: bool) -> bool {
        let shown = path.display().to_string();
        let text = match std::fs::read(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => return false,
            Err(e) => {
                self.tried.push(format!("key {shown}: cannot read it: {e}"));
                return false;
            }
        };
        let passphrase = if is_encrypted(&String::from_utf8_lossy(&text)) {
            match passphrase_for(path) {
                Ok(passphrase) => Some(passphrase),
                Err(why) => {
                    self.tried.push(format!("key {shown}: {why}"));
                    return false;
                }
            }
        } else {
            None
        };
        let user = self.login.user;
        match self
            .session
            .userauth_pubkey_file(user, None, path, passphrase.as_deref())
        {
            Ok(()) if self.session.authenticated() => return true,
            Ok(()) => self.tried.push(format!("key {shown}: not accepted")),
            Err(e) if e.code() == ErrorCode::Session(ERROR_FILE) => {
                if passphrase.is_some() {
                    forget_passphrase(path, "wrong passphrase");
                    self.tried.push(format!("key {shown}: wrong passphrase"));
                } else {
                    self.tried.push(format!(
                        "key {shown}: not a private key libssh2 can read ({})",
                        e.message()
                    ));
                }
            }
            Err(e) => {
                self.broken = failure(&format!("key {shown}"), "not accepted", &e, &mut self.tried)
            }
        }
        false
    }

    /// The password, by the `password` method or `keyboard-interactive`, whichever the
    /// server `offers`.
    fn password(&mut self, offers: &dyn Fn(&str) -> bool) -> bool {
        let (session, user) = (self.session, self.login.user);
        let tried = &mut self.tried;
        match self.login.password {
            Some(_) if self.login.config.password_authentication == Some(false) => tried
                .push("password: disabled by `PasswordAuthentication no` in the ssh config".into()),
            Some(password) if offers("password") => match session.userauth_password(user, password)
            {
                Ok(()) if session.authenticated() => return true,
                Ok(()) => tried.push("password: refused".into()),
                Err(e) => {
                    failure("password", "refused", &e, tried);
                }
            },
            Some(password) if offers("keyboard-interactive") => {
                let mut answer = PasswordAnswer {
                    password,
                    rounds: 0,
                };
                match session.userauth_keyboard_interactive(user, &mut answer) {
                    Ok(()) if session.authenticated() => return true,
                    Ok(()) => tried.push("password (keyboard-interactive): refused".into()),
                    Err(e) => {
                        failure("password (keyboard-interactive)", "refused", &e, tried);
                    }
                }
            }
            Some(_) => tried.push("password: the server does not accept passwords".into()),
            None if offers("password") || offers("keyboard-interactive") => {
                tried.push("password: none given".into())
            }
            None => {}
        }
        false
    }
}

/// Notes why `what` failed; `true` when the connection is gone (nothing more can be tried).
fn failure(what: &str, refused: &str, error: &ssh2::Error, tried: &mut Vec<String>) -> bool {
    if let ErrorCode::Session(code) = error.code()
        && FATAL.contains(&code)
    {
        tried.push(format!(
            "{what}: the server closed the connection ({}; too many keys offered? see sshd's MaxAuthTries)",
            error.message()
        ));
        return true;
    }
    tried.push(format!("{what}: {refused}"));
    false
}

enum AgentState {
    Disabled(String),
    Failed(String),
    Ready(ssh2::Agent, Vec<ssh2::PublicKey>),
}

fn agent(session: &Session, config: &HostConfig) -> AgentState {
    let socket = match config.identity_agent.as_deref() {
        Some(none) if none.eq_ignore_ascii_case("none") => {
            return AgentState::Disabled("ssh-agent: not used (`IdentityAgent none`)".into());
        }
        Some(path) if path != "SSH_AUTH_SOCK" => Some(PathBuf::from(expand_tilde(path))),
        _ => None,
    };
    if socket.is_none() && std::env::var_os("SSH_AUTH_SOCK").is_none_or(|s| s.is_empty()) {
        return AgentState::Disabled("ssh-agent: none running (SSH_AUTH_SOCK is not set)".into());
    }
    let mut agent = match session.agent() {
        Ok(agent) => agent,
        Err(e) => return AgentState::Failed(e.message().to_owned()),
    };
    if let Some(socket) = &socket
        && let Err(e) = agent.set_identity_path(socket)
    {
        return AgentState::Failed(e.message().to_owned());
    }
    if let Err(e) = agent.connect() {
        return AgentState::Failed(format!("cannot connect to it: {}", e.message()));
    }
    if let Err(e) = agent.list_identities() {
        return AgentState::Failed(format!("cannot list its keys: {}", e.message()));
    }
    match agent.identities() {
        Ok(identities) => AgentState::Ready(agent, identities),
        Err(e) => AgentState::Failed(format!("cannot list its keys: {}", e.message())),
    }
}

/// The identity files to try, each with whether it was named explicitly (a missing default
/// is skipped silently, a missing named file is reported).
fn identity_files(login: &Credentials) -> Vec<(PathBuf, bool)> {
    let home = home_dir()
        .map(|h| h.display().to_string())
        .unwrap_or_default();
    let local = local_user().unwrap_or_default();
    let port = login.port.to_string();
    let tokens = [
        ('d', home.as_str()),
        ('u', local.as_str()),
        ('h', login.host),
        ('p', port.as_str()),
        ('r', login.user),
        ('n', login.original_host),
    ];
    let mut files: Vec<(PathBuf, bool)> =
        login.identities.iter().map(|p| (p.clone(), true)).collect();
    for file in &login.config.identity_files {
        if file.eq_ignore_ascii_case("none") {
            continue;
        }
        files.push((
            PathBuf::from(expand_tilde(&expand_tokens(file, &tokens))),
            false,
        ));
    }
    if files.is_empty()
        && let Some(home) = home_dir()
    {
        for name in ["id_ed25519", "id_ecdsa", "id_rsa"] {
            files.push((home.join(".ssh").join(name), false));
        }
    }
    let mut seen = Vec::new();
    files.retain(|(path, _)| {
        let fresh = !seen.contains(path);
        seen.push(path.clone());
        fresh
    });
    files
}

/// With `IdentitiesOnly yes`, the agent keys that are also identity files (by their
/// `.pub`); `None`: every agent key may be offered.
fn agent_keys_allowed(login: &Credentials, files: &[(PathBuf, bool)]) -> Option<Vec<Vec<u8>>> {
    if login.config.identities_only != Some(true) {
        return None;
    }
    Some(
        files
            .iter()
            .filter_map(|(path, _)| {
                let mut public = path.clone().into_os_string();
                public.push(".pub");
                let text = std::fs::read_to_string(PathBuf::from(public)).ok()?;
                base64_decode(text.split_whitespace().nth(1)?)
            })
            .collect(),
    )
}

/// Whether a private key file is protected by a passphrase: OpenSSH's format names its
/// cipher (`none` when clear); PEM files say `ENCRYPTED`.
pub(super) fn is_encrypted(text: &str) -> bool {
    const BEGIN: &str = "-----BEGIN OPENSSH PRIVATE KEY-----";
    if let Some(start) = text.find(BEGIN) {
        let body = &text[start + BEGIN.len()..];
        let body: String = body
            .split("-----END")
            .next()
            .unwrap_or("")
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let Some(bytes) = base64_decode(&body) else {
            return false;
        };
        let Some(rest) = bytes.strip_prefix(b"openssh-key-v1\0") else {
            return false;
        };
        return match super::known_hosts::blob_type(rest) {
            Some(cipher) => cipher != "none",
            None => false,
        };
    }
    text.contains("ENCRYPTED")
}

/// Passphrases asked this run, by key file; `Err` remembers why a key cannot be used (no
/// terminal, nothing typed, wrong passphrase) so it is not asked again.
static PASSPHRASES: Mutex<Option<HashMap<PathBuf, Result<String, String>>>> = Mutex::new(None);

fn passphrase_for(path: &Path) -> Result<String, String> {
    // Held while asking: hosts connecting in parallel wait for the one prompt.
    let mut cache = PASSPHRASES.lock().unwrap_or_else(|e| e.into_inner());
    let cache = cache.get_or_insert_with(HashMap::new);
    if let Some(known) = cache.get(path) {
        return known.clone();
    }
    let asked = match rpassword::prompt_password(format!("Enter passphrase for key '{}': ", path.display())) {
        Ok(passphrase) if passphrase.is_empty() => Err("encrypted, and no passphrase was given".to_owned()),
        Ok(passphrase) => Ok(passphrase),
        Err(_) => Err("encrypted, and there is no terminal to ask its passphrase on (add the key to ssh-agent)".to_owned()),
    };
    cache.insert(path.to_owned(), asked.clone());
    asked
}

fn forget_passphrase(path: &Path, why: &str) {
    let mut cache = PASSPHRASES.lock().unwrap_or_else(|e| e.into_inner());
    cache
        .get_or_insert_with(HashMap::new)
        .insert(path.to_owned(), Err(why.to_owned()));
}

/// Answers keyboard-interactive password prompts (what PAM-only servers offer instead of
/// `password`) with the given password, for a few rounds at most.
struct PasswordAnswer<'a> {
    password: &'a str,
    rounds: usize,
}

impl KeyboardInteractivePrompt for PasswordAnswer<'_> {
    fn prompt<'b>(
        &mut self,
        _user: &str,
        _instructions: &str,
        prompts: &[Prompt<'b>],
    ) -> Vec<String> {
        self.rounds += 1;
        prompts
            .iter()
            .map(|p| {
                if !p.echo && self.rounds <= 2 {
                    self.password.to_owned()
                } else {
                    String::new()
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_encrypted_keys() {
        // The opening of `ssh-keygen -t ed25519 -N ''` and `-N secret` key files.
        let clear = "-----BEGIN OPENSSH PRIVATE KEY-----\n\
            b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n\
            -----END OPENSSH PRIVATE KEY-----\n";
        let encrypted = "-----BEGIN OPENSSH PRIVATE KEY-----\n\
            b3BlbnNzaC1rZXktdjEAAAAACmFlczI1Ni1jdHIAAAAGYmNyeXB0AAAAGAAAABDmT5JzDs\n\
            -----END OPENSSH PRIVATE KEY-----\n";
        assert!(!is_encrypted(clear));
        assert!(is_encrypted(encrypted));
        assert!(is_encrypted(
            "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n"
        ));
        assert!(!is_encrypted("-----BEGIN RSA PRIVATE KEY-----\nMIIE\n"));
    }
}
