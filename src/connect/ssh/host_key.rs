//! Checking the server's host key against `known_hosts`, like OpenSSH.
//!
//! Files: `--known-hosts` if given, else the config's `UserKnownHostsFile` (all of them are
//! read, new keys go to the first), else `~/.ssh/known_hosts` (and `known_hosts2`); the
//! system-wide `GlobalKnownHostsFile` (`/etc/ssh/ssh_known_hosts`) is read too unless a
//! file was given on the command line. A host on port 22 is filed under its name, on
//! another port under `[name]:port`; `HostKeyAlias` replaces the name.

use std::path::{Path, PathBuf};

use ssh2::{CheckResult, KnownHostFileKind, MethodType, Session};

use super::config::{HostConfig, expand_tilde, expand_tokens, home_dir};
use super::digest::fingerprint;
use super::known_hosts::{self, Entry};
use crate::connect::{ConnectError, ConnectErrorKind, HostKeyPolicy};

/// The `known_hosts` files of one host, read once.
pub(super) struct KnownHosts {
    /// Where new keys are added (the first user file).
    pub add_to: Option<PathBuf>,
    /// Every file read, with its text (a missing file reads as empty).
    files: Vec<(PathBuf, String)>,
    /// What the host is filed under: `host` or `[host]:port`.
    pub name: String,
    pub host: String,
    pub port: u16,
    pub hashed: bool,
}

impl KnownHosts {
    pub(super) fn load(
        explicit: Option<&Path>,
        config: &HostConfig,
        host: &str,
        port: u16,
    ) -> KnownHosts {
        let lookup = config
            .host_key_alias
            .clone()
            .unwrap_or_else(|| host.to_owned());
        let home = home_dir()
            .map(|h| h.display().to_string())
            .unwrap_or_default();
        let port_text = port.to_string();
        let tokens = [('d', home.as_str()), ('h', host), ('p', port_text.as_str())];
        let expand = |list: &Vec<String>| -> Vec<PathBuf> {
            list.iter()
                .filter(|f| !f.eq_ignore_ascii_case("none"))
                .map(|f| PathBuf::from(expand_tilde(&expand_tokens(f, &tokens))))
                .collect()
        };
        let (user, global) = match explicit {
            Some(path) => (vec![path.to_owned()], Vec::new()),
            None => {
                let user = match &config.user_known_hosts_files {
                    Some(files) => expand(files),
                    None => home_dir()
                        .map(|h| vec![h.join(".ssh/known_hosts"), h.join(".ssh/known_hosts2")])
                        .unwrap_or_default(),
                };
                let global = match &config.global_known_hosts_files {
                    Some(files) => expand(files),
                    None => vec![
                        PathBuf::from("/etc/ssh/ssh_known_hosts"),
                        PathBuf::from("/etc/ssh/ssh_known_hosts2"),
                    ],
                };
                (user, global)
            }
        };
        let add_to = user.first().cloned();
        let files = user
            .into_iter()
            .chain(global)
            .map(|path| {
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                (path, text)
            })
            .collect();
        KnownHosts {
            add_to,
            files,
            name: known_hosts::entry_name(&lookup, port),
            host: lookup,
            port,
            hashed: config.hash_known_hosts == Some(true),
        }
    }

    /// The entries filed under this host, with the file each comes from.
    fn entries(&self) -> Vec<(&Path, Entry)> {
        self.files
            .iter()
            .flat_map(|(path, text)| {
                known_hosts::matching(text, &self.name)
                    .into_iter()
                    .map(move |entry| (path.as_path(), entry))
            })
            .collect()
    }

    /// Asks the server for a key of a type already on file for it, when there is one (as
    /// OpenSSH orders its `HostKeyAlgorithms`), else in OpenSSH's order of preference.
    pub(super) fn prefer_known_types(&self, session: &Session) {
        let supported = session
            .supported_algs(MethodType::HostKey)
            .unwrap_or_default();
        let mut order: Vec<&str> = Vec::new();
        for (_, entry) in self.entries() {
            if entry.marker.is_none() {
                order.extend(known_hosts::algorithms_for(&entry.key_type));
            }
        }
        order.extend(known_hosts::PREFERRED_ALGORITHMS);
        order.extend(supported.iter().copied());
        let mut preference: Vec<&str> = Vec::new();
        for algorithm in order {
            if supported.contains(&algorithm) && !preference.contains(&algorithm) {
                preference.push(algorithm);
            }
        }
        if !preference.is_empty() {
            let _ = session.method_pref(MethodType::HostKey, &preference.join(","));
        }
    }

    /// Checks the key the server presented; with `AcceptNew`, files an unknown one.
    pub(super) fn verify(
        &self,
        session: &Session,
        policy: HostKeyPolicy,
        label: &str,
    ) -> Result<(), ConnectError> {
        if policy == HostKeyPolicy::Off {
            return Ok(());
        }
        let Some((blob, _)) = session.host_key() else {
            return Err(refused(label, "the server presented no host key"));
        };
        let key = Presented::new(blob.to_vec());
        let entries = self.entries();
        if let Some((path, entry)) = entries
            .iter()
            .find(|(_, e)| e.marker.as_deref() == Some("@revoked") && e.key_blob == key.blob)
        {
            return Err(refused(
                label,
                format!(
                    "the {} host key {} is marked @revoked in {}:{}; refusing to connect",
                    key.shown_type,
                    key.fingerprint,
                    path.display(),
                    entry.line
                ),
            ));
        }
        let usable: Vec<&(&Path, Entry)> =
            entries.iter().filter(|(_, e)| e.marker.is_none()).collect();
        match self.check(session, &key, !usable.is_empty(), label)? {
            CheckResult::Match => Ok(()),
            CheckResult::NotFound => self.unknown(policy, &key, label),
            CheckResult::Mismatch => Err(self.changed(&key, &usable, label)),
            CheckResult::Failure => Err(refused(
                label,
                format!("cannot check the host key against {}", self.files_read()),
            )),
        }
    }

    /// libssh2's verdict on the key, against the files' entries; `on_file`: whether this
    /// host has keys on file (of any type).
    fn check(
        &self,
        session: &Session,
        key: &Presented,
        on_file: bool,
        label: &str,
    ) -> Result<CheckResult, ConnectError> {
        let mut checker = session
            .known_hosts()
            .map_err(|e| refused(label, format!("cannot check the host key: {}", e.message())))?;
        for (_, text) in &self.files {
            for line in known_hosts::libssh2_lines(text) {
                // A line libssh2 cannot take is skipped; `entries` still sees it.
                let _ = checker.read_str(line, KnownHostFileKind::OpenSSH);
            }
        }
        Ok(match checker.check_port(&self.host, self.port, &key.blob) {
            // libssh2 matches any type; a key on file of the same type must also agree.
            CheckResult::NotFound if on_file => CheckResult::Mismatch,
            other => other,
        })
    }

    /// A key not on file: filed with `AcceptNew`, else refused with how to accept it.
    fn unknown(
        &self,
        policy: HostKeyPolicy,
        key: &Presented,
        label: &str,
    ) -> Result<(), ConnectError> {
        if let (HostKeyPolicy::AcceptNew, Some(file)) = (policy, &self.add_to) {
            return known_hosts::append(file, &self.name, &key.blob, self.hashed).map_err(|e| {
                refused(
                    label,
                    format!("cannot add the host key to {}: {e}", file.display()),
                )
            });
        }
        let file = self
            .add_to
            .as_deref()
            .unwrap_or(Path::new("~/.ssh/known_hosts"));
        let port = if self.port == 22 {
            String::new()
        } else {
            format!("-p {} ", self.port)
        };
        Err(refused(
            label,
            format!(
                "the host key of {} is not known: the server presented the {} key \
                 {}, which is not in {}. Check this fingerprint with the host's owner, then \
                 accept it with `ssh-keyscan {port}{} >> {}`, or run with --ssh-accept-new to add unknown \
                 keys on first connection.",
                self.name,
                key.shown_type,
                key.fingerprint,
                self.files_read(),
                self.host,
                shell_word(&file.display().to_string()),
            ),
        ))
    }

    /// A key other than the ones on file (`usable`): refused, saying which are.
    fn changed(&self, key: &Presented, usable: &[&(&Path, Entry)], label: &str) -> ConnectError {
        let Presented {
            key_type,
            shown_type,
            fingerprint: new_fingerprint,
            ..
        } = key;
        let same_type: Vec<_> = usable
            .iter()
            .filter(|(_, e)| &e.key_type == key_type)
            .collect();
        if same_type.is_empty() {
            let known: Vec<String> = usable
                .iter()
                .map(|(p, e)| {
                    format!(
                        "{} at {}:{}",
                        known_hosts::display_type(&e.key_type),
                        p.display(),
                        e.line
                    )
                })
                .collect();
            return refused(
                label,
                format!(
                    "the server presented a {shown_type} host key ({new_fingerprint}), but \
                     {} is known only by other keys ({}); it did not offer one of those. Refused: check \
                     with the host's owner, then add its {shown_type} key to known_hosts.",
                    self.name,
                    known.join(", ")
                ),
            );
        }
        let old: Vec<String> = same_type
            .iter()
            .map(|(p, e)| format!("{} ({}:{})", fingerprint(&e.key_blob), p.display(), e.line))
            .collect();
        let file = same_type[0].0.display().to_string();
        refused(
            label,
            format!(
                "WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED! Someone could be \
                 eavesdropping on you right now (man-in-the-middle attack), or the host key was just \
                 replaced. The {shown_type} key of {} is now {new_fingerprint}; known_hosts has {}. \
                 Refused (a changed key is never accepted, not even with --ssh-accept-new). If the change is \
                 expected, remove the old key with `ssh-keygen -R {} -f {}` and connect again.",
                self.name,
                old.join(", "),
                shell_word(&self.name),
                shell_word(&file),
            ),
        )
    }

    fn files_read(&self) -> String {
        let names: Vec<String> = self
            .files
            .iter()
            .filter(|(p, _)| p.exists() || Some(p) == self.add_to.as_ref())
            .map(|(p, _)| p.display().to_string())
            .collect();
        names.join(", ")
    }
}

/// The key a server presented.
struct Presented {
    blob: Vec<u8>,
    /// Its type as on file (`ssh-ed25519`).
    key_type: String,
    /// Its type as OpenSSH shows it (`ED25519`).
    shown_type: String,
    fingerprint: String,
}

impl Presented {
    fn new(blob: Vec<u8>) -> Presented {
        let key_type = known_hosts::blob_type(&blob).unwrap_or_else(|| "unknown".into());
        Presented {
            shown_type: known_hosts::display_type(&key_type),
            fingerprint: fingerprint(&blob),
            key_type,
            blob,
        }
    }
}

/// The connection refused over the host key: `ssh: LABEL: WHY`.
fn refused(label: &str, why: impl std::fmt::Display) -> ConnectError {
    ConnectError::new(ConnectErrorKind::HostKey, format!("ssh: {label}: {why}"))
}

/// `text` as a shell word, quoted only when it needs to be.
fn shell_word(text: &str) -> String {
    if !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+:@%,=".contains(c))
    {
        text.to_owned()
    } else {
        crate::shell::quote(text)
    }
}
