//! Connectors: how kiln reaches a host to run a script on it.
//!
//! A [`Connector`] runs a POSIX `sh` script on its host (the script travels on standard
//! input to `sh -s`, so nothing is written to the host's disk to run it), streaming the
//! output back as it comes. One file per connector; [`connector`] makes a host's from its
//! target (`inventory::Target`: from the inventory or the target syntax).
//!
//! Every run is one round trip (one SSH channel, one process); live runs use a constant
//! number of them per host, whatever the number of ops, and [`Connector::round_trips`]
//! counts them for the report.
//!
//! A run ends when the host's shell does, even when a command it started in the background
//! (`cmd &`, a daemon) still holds the output streams open: process connectors watch the
//! process exit, SSH watches for the script's end in its output ([`Conversation::ended`])
//! and its exit status. What the background command writes after that is dropped; the
//! command itself is left running.

pub mod local;
pub mod process;
pub mod ssh;
mod transfer;

use std::fmt;

use crate::inventory::Target;

use local::{Place, ProcessConnector};
pub use transfer::{RemoteFile, TransferError};

/// Which output stream a chunk came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

/// Why a connector could not do what it was asked: the host was not reached, or the
/// connection broke. A script that ran and failed is not an error: its exit status is.
/// Callers decide on its [`ConnectErrorKind`]; the message is what users read.
#[derive(Debug)]
pub struct ConnectError {
    pub kind: ConnectErrorKind,
    pub message: String,
}

/// What went wrong when a host was connected to or run on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnectErrorKind {
    /// The target cannot be used as given: the ssh config or the target says what kiln
    /// does not do (a `ProxyCommand`, a jump host loop, no user to log in as).
    Config,
    /// The host could not be reached: no address, a refused connection, a failed
    /// handshake, a jump host that cannot reach it.
    Unreachable,
    /// The host did not answer within the connect timeout.
    Timeout,
    /// The host's key is unknown, changed, revoked, or cannot be checked.
    HostKey,
    /// No way of logging in was accepted.
    Auth,
    /// The host was reached, but the script could not be started (no channel, `sh` not
    /// started, a local program missing, the script not sent).
    Start,
    /// The connection was closed by an earlier failure; nothing more runs on it.
    Closed,
    /// The script ran longer than the command timeout and was stopped.
    CommandTimeout,
    /// The connection broke while the script ran.
    Lost,
}

impl ConnectError {
    pub fn new(kind: ConnectErrorKind, message: impl Into<String>) -> Self {
        ConnectError {
            kind,
            message: message.into(),
        }
    }

    /// Whether the failure happened before anything ran on the host.
    pub fn before_run(&self) -> bool {
        !matches!(
            self.kind,
            ConnectErrorKind::CommandTimeout | ConnectErrorKind::Lost
        )
    }

    /// The same error, its message changed by `change` (to say where it happened).
    pub fn map_message(self, change: impl FnOnce(String) -> String) -> Self {
        ConnectError {
            kind: self.kind,
            message: change(self.message),
        }
    }
}

impl fmt::Display for ConnectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConnectError {}

/// What to send a running script next.
pub enum Input {
    /// More of the script.
    Send(Vec<u8>),
    /// Nothing yet: ask again when more output has arrived.
    Wait,
    /// The script is complete: close its standard input.
    Close,
}

/// One run of `sh -s` whose script may arrive in parts, each part made from what the
/// earlier ones printed: a live run sends the fact probe, reads the facts, and sends the
/// script made with them, all in one round trip. The connector asks for input before the
/// run starts and after every chunk of output, until told to close.
pub trait Conversation {
    fn input(&mut self) -> Input;
    fn output(&mut self, stream: Stream, chunk: &[u8]);
    /// Whether the script's end has shown in its output (a live run's summary line). A
    /// connector that cannot see the host's shell exit (SSH, where the channel stays open
    /// as long as a background command holds the output streams) then waits for the
    /// streams' end no longer than [`END_GRACE`].
    fn ended(&self) -> bool {
        false
    }
}

/// How long the end of a run still waits on output streams that a command left running
/// in the background may hold open: for what the shell wrote before it exited (process
/// connectors), or for the channel's end or the exit status after the script's end (SSH).
pub const END_GRACE: std::time::Duration = std::time::Duration::from_secs(1);

/// A whole script sent at once, its output handed to a function.
struct WholeScript<'a> {
    script: Option<&'a str>,
    output: &'a mut dyn FnMut(Stream, &[u8]),
}

impl Conversation for WholeScript<'_> {
    fn input(&mut self) -> Input {
        match self.script.take() {
            Some(script) => Input::Send(script.as_bytes().to_vec()),
            None => Input::Close,
        }
    }

    fn output(&mut self, stream: Stream, chunk: &[u8]) {
        (self.output)(stream, chunk);
    }
}

/// A connection to one host.
pub trait Connector: Send {
    /// Runs `sh -s -- ARGS...` with its script from `conversation`, handing it every chunk
    /// of standard output and error as it arrives. Returns the exit status.
    fn converse(
        &mut self,
        args: &[&str],
        conversation: &mut dyn Conversation,
    ) -> Result<i32, ConnectError>;

    /// Runs `script` with `sh -s -- ARGS...`, calling `output` with every chunk of its
    /// standard output and error as it arrives. Returns the exit status.
    fn run(
        &mut self,
        script: &str,
        args: &[&str],
        output: &mut dyn FnMut(Stream, &[u8]),
    ) -> Result<i32, ConnectError> {
        self.converse(
            args,
            &mut WholeScript {
                script: Some(script),
                output,
            },
        )
    }

    /// Writes `data` to the file at `path` on the host, atomically, with `mode` (octal;
    /// none: an existing file's mode, else the umask's). One round trip.
    fn put_file(
        &mut self,
        path: &str,
        data: &[u8],
        mode: Option<&str>,
    ) -> Result<(), TransferError> {
        transfer::put(self, path, data, mode)
    }

    /// The file at `path` on the host: its content and permission bits. One round trip.
    fn get_file(&mut self, path: &str) -> Result<RemoteFile, TransferError> {
        transfer::get(self, path)
    }

    /// How many round trips (runs, SSH channels) this connection has made.
    fn round_trips(&self) -> usize;
}

/// A connection to `target`, the way the target says (this machine, a chroot, a container,
/// SSH); for SSH, connected and logged in already, with `options`.
pub fn connector(
    target: &Target,
    options: &SshOptions,
) -> Result<Box<dyn Connector>, ConnectError> {
    let process = |place: Place, user: &Option<String>| -> Box<dyn Connector> {
        Box::new(ProcessConnector::new(
            place,
            user.clone(),
            options.command_timeout,
        ))
    };
    Ok(match target {
        Target::Local => process(Place::Local, &None),
        Target::Chroot { path, user } => process(Place::Chroot(path.clone()), user),
        Target::Docker { container, user } => process(Place::Docker(container.clone()), user),
        Target::Podman { container, user } => process(Place::Podman(container.clone()), user),
        Target::Ssh {
            user,
            address,
            port,
        } => Box::new(ssh::SshConnector::connect(
            user.as_deref(),
            address,
            *port,
            options,
        )?),
    })
}

/// How strictly an SSH server's host key is checked against `known_hosts`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum HostKeyPolicy {
    /// Unknown and changed keys are refused (OpenSSH's `StrictHostKeyChecking yes`).
    #[default]
    Strict,
    /// Unknown keys are added to `known_hosts`; changed keys are refused (`accept-new`).
    AcceptNew,
    /// No check at all (`--ssh-insecure`).
    Off,
}

/// How long to wait for a host to answer when neither the command line nor the ssh config
/// says.
pub const DEFAULT_CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// SSH settings from the command line; `~/.ssh/config` and the inventory fill the rest.
#[derive(Clone, Debug)]
pub struct SshOptions {
    pub host_keys: HostKeyPolicy,
    /// `known_hosts` file (default `~/.ssh/known_hosts`).
    pub known_hosts: Option<std::path::PathBuf>,
    /// `ssh_config` file (default `~/.ssh/config`; none when it does not exist).
    pub config: Option<std::path::PathBuf>,
    /// Extra private key files to try (`-i`), before the config's and the defaults.
    pub identities: Vec<std::path::PathBuf>,
    /// Password for password authentication (asked once on a terminal, never logged).
    pub password: Option<String>,
    /// How long to wait for a host to answer (none: the ssh config's `ConnectTimeout`,
    /// else [`DEFAULT_CONNECT_TIMEOUT`]).
    pub connect_timeout: Option<std::time::Duration>,
    /// Longest time one script may run, on every connector, not only SSH (none: no limit).
    pub command_timeout: Option<std::time::Duration>,
    pub keepalive: std::time::Duration,
}

impl Default for SshOptions {
    fn default() -> Self {
        SshOptions {
            host_keys: HostKeyPolicy::Strict,
            known_hosts: None,
            config: None,
            identities: Vec::new(),
            password: None,
            connect_timeout: None,
            command_timeout: None,
            keepalive: std::time::Duration::from_secs(30),
        }
    }
}
