//! The SSH connector: one `ssh2::Session` (libssh2) per host, set up the way OpenSSH would
//! set it up, and one channel per [`Connector::run`].
//!
//! Connecting: `~/.ssh/config` (see [`config`]) fills what the target and the command line
//! left unset (values given on the command line or in the inventory win over the config,
//! the config over the defaults: the local user, port 22); TCP connect with the connect
//! timeout (the config's `ConnectTimeout` applies when `--connect-timeout` was left at its
//! default); handshake; host key checked against `known_hosts` ([`host_key`]); login
//! ([`auth`]); keepalives every `options.keepalive`.
//!
//! Jump hosts (`ProxyJump`): the jump host is connected first (with its own config, and its
//! own `ProxyJump` when it is the first hop, exactly like `ssh -J`), a `direct-tcpip`
//! channel is opened through it to the target, and the target's session runs over that
//! channel. libssh2 needs a socket for a session, so the channel is bridged to one end of a
//! `UnixStream::pair()` by a thread that owns the jump session and copies both ways; the
//! target session gets the other end. A socketpair rather than a loopback `TcpListener`:
//! nothing else on the machine can connect to it, no port is allocated, nothing to accept.
//! The thread ends when either side closes (the target session dropped, or the jump
//! connection lost, which the target session then sees as a lost connection).
//!
//! Running: `exec("sh -s -- ARGS")` with every argument quoted, then ONE thread drives the
//! channel with the session non-blocking: it writes the next piece of the script, reads
//! whatever stdout and stderr have (calling the output callback per chunk), and, when
//! nothing moved, waits with `poll(2)` on the session's socket for the directions libssh2
//! says it is blocked on. Writing and reading interleave, so a multi-megabyte script and a
//! remote that talks a lot while it is still being fed cannot deadlock on the channel
//! windows. The run ends when both output streams end, or, once the script's end has shown
//! in its output ([`Conversation::ended`]: a live run's summary line), when the host has
//! reported a failure (and sent nothing more for a moment) or [`END_GRACE`] has passed:
//! OpenSSH sends the exit status when the shell exits but closes the channel only when its
//! output streams close, which a command left in the background can hold back for ever.
//! The channel is then closed from this side. Timeouts: `options.command_timeout` (the
//! connection is then closed and the connector unusable), and a host that answers nothing
//! — not even the keepalives sent every `options.keepalive` — for three keepalive
//! intervals is a lost connection (OpenSSH's `ServerAliveCountMax` 3).

mod auth;
pub mod config;
mod digest;
mod host_key;
mod known_hosts;

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

use ssh2::{BlockDirections, Channel, ErrorCode, Session};

use self::config::{HostConfig, Jump, SshConfig, local_user, parse_jumps};
use self::host_key::KnownHosts;
use super::ConnectErrorKind::{
    self, Closed, CommandTimeout, Config, Lost, Start, Timeout, Unreachable,
};
use super::{
    ConnectError, Connector, Conversation, END_GRACE, HostKeyPolicy, Input, SshOptions, Stream,
};

const ERROR_EAGAIN: i32 = -37;
const ERROR_TIMEOUT: i32 = -9;
/// Jump hosts chained through `ProxyJump` in configs, at most (a loop guard).
const MAX_JUMPS: usize = 8;
/// The most bytes handed to libssh2 per write (its own packet limit is ~32 KB).
const CHUNK: usize = 32 * 1024;
/// How long the channel must have been quiet before a run that ended with a failure
/// status is over: the host may send the status before the last of the output.
const QUIET: Duration = Duration::from_millis(100);

/// A connection to one host over SSH.
pub struct SshConnector {
    /// `None` once the connection was closed after a timeout or a failure.
    session: Option<Session>,
    /// The session's socket (a TCP socket, or the socketpair end of a jump bridge).
    fd: RawFd,
    /// `user@host:port`, for messages.
    label: String,
    round_trips: usize,
    keepalive: Duration,
    command_timeout: Option<Duration>,
    /// Why the session was closed, for later `run`s.
    closed: Option<String>,
}

/// An established, authenticated session.
struct Open {
    session: Session,
    fd: RawFd,
    label: String,
}

impl SshConnector {
    /// Connects to `address` (a host name, an address or a `Host` alias of the ssh config)
    /// as `user` on `port`, authenticates, and returns the connection. `user` and `port` win
    /// over the config.
    pub fn connect(
        user: Option<&str>,
        address: &str,
        port: Option<u16>,
        options: &SshOptions,
    ) -> Result<SshConnector, ConnectError> {
        let config = SshConfig::load(options.config.as_deref())
            .map_err(|e| ConnectError::new(Config, format!("ssh: {e}")))?;
        let open = open(user, address, port, options, &config, None, 0)?;
        Ok(SshConnector {
            session: Some(open.session),
            fd: open.fd,
            label: open.label,
            round_trips: 0,
            keepalive: options.keepalive,
            command_timeout: options.command_timeout,
            closed: None,
        })
    }

    /// Closes the session (after a timeout or a failure): later runs fail at once.
    fn close(&mut self, why: &str) {
        if let Some(session) = self.session.take() {
            disconnect(&session, why);
        }
        self.closed = Some(why.to_owned());
    }
}

impl Drop for SshConnector {
    fn drop(&mut self) {
        if let Some(session) = self.session.take() {
            disconnect(&session, "done");
        }
    }
}

/// Says goodbye to the server (briefly: a dead server must not hold us up).
fn disconnect(session: &Session, why: &str) {
    session.set_blocking(true);
    session.set_timeout(1000);
    let _ = session.disconnect(None, why, None);
}

fn label(user: &str, host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("{user}@[{host}]:{port}")
    } else {
        format!("{user}@{host}:{port}")
    }
}

/// Where and how one host is connected to: the target, the command line and the ssh
/// config, resolved.
struct Endpoint {
    /// The name the target gave (a `Host` alias of the config, or the host itself).
    alias: String,
    /// The host name or address to connect to.
    host: String,
    user: String,
    port: u16,
    /// `user@host:port` (`alias (user@host:port)`, `... via JUMP`), for messages.
    label: String,
    timeout: Duration,
    policy: HostKeyPolicy,
    /// The jump hosts to go through, last one nearest the host.
    jumps: Vec<Jump>,
    config: HostConfig,
}

/// Connects to `alias` (through `jumps` if given, else through its config's `ProxyJump`).
fn open(
    user: Option<&str>,
    alias: &str,
    port: Option<u16>,
    options: &SshOptions,
    config: &SshConfig,
    jumps: Option<&[Jump]>,
    depth: usize,
) -> Result<Open, ConnectError> {
    let mut endpoint = Endpoint::resolve(user, alias, port, options, config, jumps)?;
    let mut session = Session::new().map_err(|e| endpoint.error(Unreachable, e.message()))?;
    let fd = endpoint.socket(&mut session, options, config, depth)?;
    endpoint.log_in(&mut session, options)?;
    session.set_timeout(0);
    session.set_keepalive(
        true,
        options.keepalive.as_secs().min(u64::from(u32::MAX)) as u32,
    );
    Ok(Open {
        session,
        fd,
        label: endpoint.label,
    })
}

impl Endpoint {
    /// The endpoint of `alias`: the values given (`user`, `port`, `options`) win over the
    /// ssh config, the config over the defaults.
    fn resolve(
        user: Option<&str>,
        alias: &str,
        port: Option<u16>,
        options: &SshOptions,
        config: &SshConfig,
        jumps: Option<&[Jump]>,
    ) -> Result<Endpoint, ConnectError> {
        let host_config: HostConfig = config.resolve(alias, user);
        let host = host_config
            .host_name
            .clone()
            .unwrap_or_else(|| alias.to_owned());
        let Some(user) = user
            .map(str::to_owned)
            .or_else(|| host_config.user.clone())
            .or_else(local_user)
        else {
            return Err(ConnectError::new(
                Config,
                format!(
                    "ssh: {alias}: cannot tell which user to log in as (no user in the target, the ssh config or $USER)"
                ),
            ));
        };
        let port = port.or(host_config.port).unwrap_or(22);
        let mut label = label(&user, &host, port);
        if alias != host {
            label = format!("{alias} ({label})");
        }
        let mut endpoint = Endpoint {
            alias: alias.to_owned(),
            timeout: connect_timeout(options, &host_config),
            policy: host_key_policy(options, &host_config),
            host,
            user,
            port,
            label,
            jumps: Vec::new(),
            config: host_config,
        };
        endpoint.jumps = endpoint.jumps(jumps)?;
        Ok(endpoint)
    }

    /// An error about this endpoint: `ssh: LABEL: WHY`.
    fn error(&self, kind: ConnectErrorKind, why: impl std::fmt::Display) -> ConnectError {
        ConnectError::new(kind, format!("ssh: {}: {why}", self.label))
    }

    /// The jump hosts: `given` (the rest of a `ProxyJump` chain), else the config's
    /// `ProxyJump`; a `ProxyCommand` without either is refused.
    fn jumps(&self, given: Option<&[Jump]>) -> Result<Vec<Jump>, ConnectError> {
        let config = &self.config;
        if given.is_none()
            && config.proxy_jump.is_none()
            && let Some(command) = &config.proxy_command
            && !command.eq_ignore_ascii_case("none")
        {
            return Err(self.error(
                Config,
                format!(
                    "the ssh config gives a ProxyCommand (`{command}`), which kiln does not run; \
                     use ProxyJump for jump hosts"
                ),
            ));
        }
        match (given, &config.proxy_jump) {
            (Some(jumps), _) => Ok(jumps.to_vec()),
            (None, Some(value)) => parse_jumps(value).map_err(|e| self.error(Config, e)),
            (None, None) => Ok(Vec::new()),
        }
    }

    /// Gives `session` its socket: a TCP connection to the host, or a channel through the
    /// jump hosts (connected first). Returns the socket's descriptor.
    fn socket(
        &mut self,
        session: &mut Session,
        options: &SshOptions,
        config: &SshConfig,
        depth: usize,
    ) -> Result<RawFd, ConnectError> {
        let Some((last, before)) = self.jumps.split_last() else {
            let stream = tcp_connect(&self.host, self.port, self.timeout)
                .map_err(|(kind, why)| self.error(kind, why))?;
            let fd = stream.as_raw_fd();
            session.set_tcp_stream(stream);
            return Ok(fd);
        };
        if depth >= MAX_JUMPS {
            return Err(self.error(
                Config,
                format!("more than {MAX_JUMPS} jump hosts (a ProxyJump loop?)"),
            ));
        }
        let through = (!before.is_empty()).then_some(before);
        let jump = open(
            last.user.as_deref(),
            &last.host,
            last.port,
            options,
            config,
            through,
            depth + 1,
        )
        .map_err(|e| {
            e.map_message(|m| format!("{m} (the jump host on the way to {})", self.label))
        })?;
        self.label = format!("{} via {}", self.label, jump.label);
        let stream = bridge(jump, &self.host, self.port, self.timeout)
            .map_err(|why| self.error(Unreachable, why))?;
        let fd = stream.as_raw_fd();
        session.set_tcp_stream(stream);
        Ok(fd)
    }

    /// The SSH handshake, the host key check and the login.
    fn log_in(&self, session: &mut Session, options: &SshOptions) -> Result<(), ConnectError> {
        let known_hosts = KnownHosts::load(
            options.known_hosts.as_deref(),
            &self.config,
            &self.host,
            self.port,
        );
        if self.policy != HostKeyPolicy::Off {
            known_hosts.prefer_known_types(session);
        }
        session.set_blocking(true);
        session.set_timeout(millis(self.timeout));
        if let Err(e) = session.handshake() {
            return Err(if e.code() == ErrorCode::Session(ERROR_TIMEOUT) {
                self.error(
                    Timeout,
                    format!(
                        "timed out after {}s waiting for the SSH handshake (is an SSH server listening there?)",
                        self.timeout.as_secs_f64()
                    ),
                )
            } else {
                self.error(
                    Unreachable,
                    format!("SSH handshake failed: {}", e.message()),
                )
            });
        }
        known_hosts.verify(session, self.policy, &self.label)?;
        auth::authenticate(
            session,
            &auth::Credentials {
                user: &self.user,
                label: &self.label,
                identities: &options.identities,
                config: &self.config,
                host: &self.host,
                port: self.port,
                original_host: &self.alias,
                password: options.password.as_deref(),
            },
        )
    }
}

/// How long to wait for the host: the command line's, then the ssh config's (where 0
/// means "none given"), else the default.
fn connect_timeout(options: &SshOptions, config: &HostConfig) -> Duration {
    options
        .connect_timeout
        .or(config
            .connect_timeout
            .filter(|seconds| *seconds > 0)
            .map(Duration::from_secs))
        .unwrap_or(super::DEFAULT_CONNECT_TIMEOUT)
}

/// The host key policy: the command line's, made laxer only by the config's
/// `StrictHostKeyChecking` when the command line left it strict.
fn host_key_policy(options: &SshOptions, config: &HostConfig) -> HostKeyPolicy {
    match (
        options.host_keys,
        config.strict_host_key_checking.as_deref(),
    ) {
        (HostKeyPolicy::Strict, Some("accept-new")) => HostKeyPolicy::AcceptNew,
        (HostKeyPolicy::Strict, Some("no" | "off")) => HostKeyPolicy::Off,
        (policy, _) => policy,
    }
}

/// A duration as libssh2's timeout, in milliseconds (at least 1: 0 is "no timeout").
fn millis(duration: Duration) -> u32 {
    duration.as_millis().clamp(1, u128::from(u32::MAX)) as u32
}

/// A TCP connection to the first address of `host` that answers within `timeout`; or
/// why none did: the last address's reason, a timeout if it timed out.
fn tcp_connect(
    host: &str,
    port: u16,
    timeout: Duration,
) -> Result<TcpStream, (ConnectErrorKind, String)> {
    let addresses: Vec<_> = (host, port)
        .to_socket_addrs()
        .map_err(|e| (Unreachable, format!("cannot resolve {host}: {e}")))?
        .collect();
    let mut last = (Unreachable, format!("{host} has no address"));
    for address in addresses {
        match TcpStream::connect_timeout(&address, timeout) {
            Ok(stream) => {
                let _ = stream.set_nodelay(true);
                return Ok(stream);
            }
            Err(e) if e.kind() == ErrorKind::TimedOut => {
                last = (
                    Timeout,
                    format!(
                        "timed out after {}s connecting to {address}",
                        timeout.as_secs_f64()
                    ),
                )
            }
            Err(e) => last = (Unreachable, format!("cannot connect to {address}: {e}")),
        }
    }
    Err(last)
}

/// Opens a `direct-tcpip` channel from the jump session to `host:port` and bridges it to a
/// socketpair from a thread (see the module documentation); returns our end.
fn bridge(jump: Open, host: &str, port: u16, timeout: Duration) -> Result<UnixStream, String> {
    jump.session.set_blocking(true);
    jump.session.set_timeout(millis(timeout));
    let channel = jump
        .session
        .channel_direct_tcpip(host, port, None)
        .map_err(|e| {
            format!(
                "the jump host {} cannot open a connection to {host}:{port}: {}",
                jump.label,
                e.message()
            )
        })?;
    jump.session.set_timeout(0);
    let (ours, theirs) =
        UnixStream::pair().map_err(|e| format!("cannot create a socket pair: {e}"))?;
    ours.set_nonblocking(true)
        .map_err(|e| format!("cannot create a socket pair: {e}"))?;
    std::thread::Builder::new()
        .name(format!("kiln-ssh-jump {}", jump.label))
        .spawn(move || pump(jump, channel, ours))
        .map_err(|e| format!("cannot start the jump host thread: {e}"))?;
    Ok(theirs)
}

/// Copies between the socketpair end and the jump channel until either side closes.
fn pump(jump: Open, mut channel: Channel, mut local: UnixStream) {
    let session = &jump.session;
    session.set_blocking(false);
    let mut bridge = Bridge {
        up: Vec::new(),
        down: Vec::new(),
        buffer: vec![0u8; CHUNK],
        local_eof: false,
        remote_eof: false,
        shut: false,
    };
    while let Ok((moved_up, blocked_window)) = bridge.move_up(&mut local, &mut channel) {
        if bridge.local_eof && bridge.up.is_empty() {
            // The target session is gone: let its last words (its disconnect message)
            // reach the target before the jump session goes.
            drain_and_close(session, jump.fd, &mut channel);
            break;
        }
        let Ok(moved_down) = bridge.move_down(&mut channel, &mut local) else {
            break;
        };
        if moved_up
            || moved_down
            || channel.read_window().available > 0
            || blocked_window.is_some_and(|w| channel.write_window().remaining > w)
        {
            continue;
        }
        let _ = session.keepalive_send();
        bridge.wait(session, jump.fd, &local);
    }
    drop(channel);
    disconnect(session, "done");
}

/// What a jump bridge holds between the target session's socket (`local`) and the jump
/// channel.
struct Bridge {
    /// From the target session, to the channel.
    up: Vec<u8>,
    /// From the channel, to the target session.
    down: Vec<u8>,
    buffer: Vec<u8>,
    local_eof: bool,
    remote_eof: bool,
    /// The target session was told the channel ended.
    shut: bool,
}

impl Bridge {
    /// Reads from the target session and writes to the channel. Returns whether anything
    /// moved and, when the channel took nothing, its send window; `Err` when a side broke.
    fn move_up(
        &mut self,
        local: &mut UnixStream,
        channel: &mut Channel,
    ) -> Result<(bool, Option<u32>), ()> {
        let mut moved = false;
        if !self.local_eof && self.up.len() < 4 * CHUNK {
            match local.read(&mut self.buffer) {
                Ok(0) => (self.local_eof, moved) = (true, true),
                Ok(n) => {
                    self.up.extend_from_slice(&self.buffer[..n]);
                    moved = true;
                }
                Err(e)
                    if e.kind() == ErrorKind::WouldBlock || e.kind() == ErrorKind::Interrupted => {}
                Err(_) => return Err(()),
            }
        }
        if self.up.is_empty() {
            return Ok((moved, None));
        }
        // After a WouldBlock libssh2 wants the same bytes again: `up` only grows at its
        // end, so its start is what was offered.
        match channel.write(&self.up[..self.up.len().min(CHUNK)]) {
            Ok(0) => Ok((moved, Some(channel.write_window().remaining))),
            Ok(n) => {
                self.up.drain(..n);
                Ok((true, None))
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                Ok((moved, Some(channel.write_window().remaining)))
            }
            Err(_) => Err(()),
        }
    }

    /// Reads from the channel and writes to the target session; tells it the channel's
    /// end once everything before has reached it. Returns whether anything moved; `Err`
    /// when a side broke.
    fn move_down(&mut self, channel: &mut Channel, local: &mut UnixStream) -> Result<bool, ()> {
        let mut moved = false;
        if !self.remote_eof && self.down.len() < 4 * CHUNK {
            match channel.read(&mut self.buffer) {
                Ok(0) => (self.remote_eof, moved) = (true, true),
                Ok(n) => {
                    self.down.extend_from_slice(&self.buffer[..n]);
                    moved = true;
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                Err(_) => return Err(()),
            }
        }
        if !self.down.is_empty() {
            match local.write(&self.down) {
                Ok(n) => {
                    self.down.drain(..n);
                    moved |= n > 0;
                }
                Err(e)
                    if e.kind() == ErrorKind::WouldBlock || e.kind() == ErrorKind::Interrupted => {}
                Err(_) => return Err(()),
            }
        }
        if self.remote_eof && self.down.is_empty() && !self.shut {
            // The target went away: the target session sees the end of its stream.
            let _ = local.shutdown(std::net::Shutdown::Write);
            self.shut = true;
        }
        Ok(moved)
    }

    /// Nothing moved: waits (a second at most) for either socket to be ready in a
    /// direction the bridge can use.
    #[expect(unsafe_code, reason = "poll(2) on the channel and the stream")]
    fn wait(&self, session: &Session, fd: RawFd, local: &UnixStream) {
        let outbound = matches!(
            session.block_directions(),
            BlockDirections::Outbound | BlockDirections::Both
        );
        let mut fds = [
            libc::pollfd {
                fd: local.as_raw_fd(),
                events: if self.local_eof { 0 } else { libc::POLLIN }
                    | if self.down.is_empty() {
                        0
                    } else {
                        libc::POLLOUT
                    },
                revents: 0,
            },
            libc::pollfd {
                fd,
                events: libc::POLLIN | if outbound { libc::POLLOUT } else { 0 },
                revents: 0,
            },
        ];
        // SAFETY: `fds` is a valid array of two pollfd for the duration of the call.
        unsafe { libc::poll(fds.as_mut_ptr(), 2, 1000) };
    }
}

/// Sends EOF on the jump channel and waits (2 s at most) for the far end to close it: the
/// jump host then has delivered everything sent through it.
fn drain_and_close(session: &Session, fd: RawFd, channel: &mut Channel) {
    let deadline = Instant::now() + Duration::from_secs(2);
    let mut buffer = [0u8; 4096];
    let mut eof_sent = false;
    while Instant::now() < deadline {
        if !eof_sent {
            match channel.send_eof() {
                Ok(()) => eof_sent = true,
                Err(e) if e.code() == ErrorCode::Session(ERROR_EAGAIN) => {}
                Err(_) => return,
            }
        }
        match channel.read(&mut buffer) {
            Ok(0) if eof_sent => break,
            Ok(_) => continue,
            Err(e) if e.kind() == ErrorKind::WouldBlock => {}
            Err(_) => return,
        }
        wait_socket(session, fd, Duration::from_millis(100));
    }
    let _ = channel.close();
}

/// Waits until the session's socket can move data in a direction libssh2 is blocked on,
/// or `timeout` passes. Returns whether anything arrived.
#[expect(unsafe_code, reason = "poll(2) on the session's socket")]
fn wait_socket(session: &Session, fd: RawFd, timeout: Duration) -> bool {
    let outbound = matches!(
        session.block_directions(),
        BlockDirections::Outbound | BlockDirections::Both
    );
    let mut fds = [libc::pollfd {
        fd,
        events: libc::POLLIN | if outbound { libc::POLLOUT } else { 0 },
        revents: 0,
    }];
    let millis = timeout.as_millis().clamp(1, 1000) as libc::c_int;
    // SAFETY: `fds` is a valid array of one pollfd for the duration of the call.
    let ready = unsafe { libc::poll(fds.as_mut_ptr(), 1, millis) };
    ready > 0 && fds[0].revents & (libc::POLLIN | libc::POLLHUP | libc::POLLERR) != 0
}

/// Why a run stopped early: before the script started (`Start`: no channel, exec
/// refused), the connection broke (`Lost`), or the script overran the command timeout
/// (`CommandTimeout`); and what happened, without the host's label.
struct Failure(ConnectErrorKind, String);

impl Connector for SshConnector {
    fn converse(
        &mut self,
        args: &[&str],
        conversation: &mut dyn Conversation,
    ) -> Result<i32, ConnectError> {
        let Some(session) = self.session.as_ref() else {
            return Err(ConnectError::new(
                Closed,
                format!(
                    "ssh: {}: the connection was closed earlier ({})",
                    self.label,
                    self.closed.as_deref().unwrap_or("closed")
                ),
            ));
        };
        self.round_trips += 1;
        let mut command = String::from("sh -s --");
        for arg in args {
            command.push(' ');
            command.push_str(&crate::shell::quote(arg));
        }
        let mut run = Run {
            session,
            fd: self.fd,
            deadline: self.command_timeout.map(|t| Instant::now() + t),
            keepalive: self.keepalive,
            last_heard: Instant::now(),
        };
        match run.run(&command, conversation) {
            Ok(code) => Ok(code),
            Err(Failure(kind, message)) => {
                let message = format!("ssh: {}: {message}", self.label);
                self.close(&message);
                Err(ConnectError::new(kind, message))
            }
        }
    }

    fn round_trips(&self) -> usize {
        self.round_trips
    }
}

/// The connection broke while doing `what`.
fn lost(what: &str, error: &dyn std::fmt::Display) -> Failure {
    Failure(Lost, format!("connection lost while {what}: {error}"))
}

/// The script on its way to the host: the part being sent and how much of it has been.
#[derive(Default)]
struct Outgoing {
    part: Vec<u8>,
    written: usize,
    /// The conversation has nothing more to send.
    complete: bool,
    eof_sent: bool,
}

impl Outgoing {
    /// Once everything before is sent, takes the conversation's next part (the buffer
    /// becomes the part, without copying it).
    fn refill(&mut self, conversation: &mut dyn Conversation) {
        while self.written == self.part.len() && !self.complete {
            match conversation.input() {
                Input::Send(part) => (self.part, self.written) = (part, 0),
                Input::Wait => break,
                Input::Close => self.complete = true,
            }
        }
    }

    /// Writes what the channel takes now, then the end of the input once it is complete.
    /// Returns whether anything moved, and the send window when a write could not
    /// proceed: if reading the output brings a window adjustment, writing can go on
    /// without waiting.
    fn send(&mut self, channel: &mut Channel) -> (bool, Option<u32>) {
        if self.written < self.part.len() {
            let end = self.part.len().min(self.written + CHUNK);
            // After a WouldBlock libssh2 wants the same bytes again: they are.
            match channel.write(&self.part[self.written..end]) {
                Ok(0) => (false, Some(channel.write_window().remaining)),
                Ok(n) => {
                    self.written += n;
                    (true, None)
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => {
                    (false, Some(channel.write_window().remaining))
                }
                // The channel no longer takes data: the script ended before reading all
                // of itself, or the connection broke, which reading the output finds out
                // (and reports) next.
                Err(_) => {
                    (self.written, self.complete, self.eof_sent) = (self.part.len(), true, true);
                    (true, None)
                }
            }
        } else if self.complete && !self.eof_sent {
            match channel.send_eof() {
                Err(e) if e.code() == ErrorCode::Session(ERROR_EAGAIN) => (false, None),
                _ => {
                    self.eof_sent = true;
                    (true, None)
                }
            }
        } else {
            (false, None)
        }
    }
}

/// The script's output streams, read as they come.
struct Incoming {
    buffer: Vec<u8>,
    stdout_done: bool,
    stderr_done: bool,
}

impl Incoming {
    fn new() -> Incoming {
        Incoming {
            buffer: vec![0u8; CHUNK],
            stdout_done: false,
            stderr_done: false,
        }
    }

    /// Both streams have ended.
    fn done(&self) -> bool {
        self.stdout_done && self.stderr_done
    }

    /// Reads what both streams have, handing it to `conversation`. Returns whether
    /// anything moved (output or a stream's end), and whether output came.
    fn receive(
        &mut self,
        channel: &mut Channel,
        conversation: &mut dyn Conversation,
    ) -> Result<(bool, bool), Failure> {
        let buffer = &mut self.buffer;
        let (mut moved, mut heard) = (false, false);
        let mut stderr = channel.stderr();
        for (stream, done) in [
            (Stream::Stdout, &mut self.stdout_done),
            (Stream::Stderr, &mut self.stderr_done),
        ] {
            while !*done {
                let read = match stream {
                    Stream::Stdout => channel.read(buffer),
                    Stream::Stderr => stderr.read(buffer),
                };
                match read {
                    // (A stream's end may show up while reading the other one.)
                    Ok(0) => (*done, moved) = (true, true),
                    Ok(n) => {
                        (moved, heard) = (true, true);
                        conversation.output(stream, &buffer[..n]);
                    }
                    Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                    Err(e) => return Err(lost("reading the output", &e)),
                }
            }
        }
        Ok((moved, heard))
    }
}

/// One script run on one channel.
struct Run<'a> {
    session: &'a Session,
    fd: RawFd,
    deadline: Option<Instant>,
    keepalive: Duration,
    /// When the server was last heard from (any data on the socket).
    last_heard: Instant,
}

impl Run<'_> {
    fn run(&mut self, command: &str, conversation: &mut dyn Conversation) -> Result<i32, Failure> {
        let session = self.session;
        session.set_blocking(false);
        let mut channel = self
            .retry(|| session.channel_session())
            .map_err(|e| Failure(Start, format!("cannot open a channel: {e}")))?;
        self.retry(|| channel.exec(command))
            .map_err(|e| Failure(Start, format!("cannot start `sh -s`: {e}")))?;
        let mut outgoing = Outgoing::default();
        let mut incoming = Incoming::new();
        // When the script's end showed in its output.
        let mut ended: Option<Instant> = None;
        while !incoming.done() {
            if ended.is_none() && conversation.ended() {
                ended = Some(Instant::now());
            }
            if let Some(at) = ended
                && (at.elapsed() >= END_GRACE
                    || (failed(&channel) && self.last_heard.elapsed() >= QUIET))
            {
                // A command started in the background holds the output streams (so the
                // channel) open: the run is over all the same.
                return Ok(self.abandon(channel));
            }
            outgoing.refill(conversation);
            let (sent, blocked_window) = outgoing.send(&mut channel);
            let (received, heard) = incoming.receive(&mut channel, conversation)?;
            if heard {
                self.last_heard = Instant::now();
            }
            let moved = sent || received;
            if moved
                || channel.read_window().available > 0
                || blocked_window.is_some_and(|w| channel.write_window().remaining > w)
            {
                continue;
            }
            self.idle(ended.map(|at| (at + END_GRACE).min(Instant::now() + QUIET)))?;
        }
        self.retry(|| channel.wait_close())
            .map_err(|e| lost("waiting for the script to end", &e))?;
        let status = exit_status(&channel);
        let _ = self.retry(|| channel.close());
        Ok(status)
    }

    /// Closes a channel whose streams a background command holds open, after the script
    /// ended, and returns the script's exit status: from the host if it arrived (a 0 that
    /// did not arrive cannot be told from one that did: libssh2 does not say), else 0. The
    /// host closes its side when it sees ours; the background command keeps running (its
    /// later output is dropped, and writing more gets it `SIGPIPE`, as with `ssh`).
    fn abandon(&mut self, mut channel: Channel) -> i32 {
        let status = exit_status(&channel);
        let until = Instant::now() + END_GRACE;
        while let Err(e) = channel.close() {
            let now = Instant::now();
            if e.code() != ErrorCode::Session(ERROR_EAGAIN) || now >= until {
                break;
            }
            wait_socket(self.session, self.fd, until - now);
        }
        status
    }

    /// Nothing moved: keepalive, deadlines, then wait for the socket (until `wake` at the
    /// latest).
    fn idle(&mut self, wake: Option<Instant>) -> Result<(), Failure> {
        let now = Instant::now();
        if let Some(deadline) = self.deadline
            && now >= deadline
        {
            return Err(Failure(
                CommandTimeout,
                "the script did not finish within the command timeout; the connection was closed"
                    .into(),
            ));
        }
        if !self.keepalive.is_zero() {
            let _ = self.session.keepalive_send();
            let silent = now.duration_since(self.last_heard);
            if silent > self.keepalive * 3 + Duration::from_secs(1) {
                return Err(Failure(
                    Lost,
                    format!(
                        "connection lost: no answer from the host for {}s, not even to keepalives",
                        silent.as_secs()
                    ),
                ));
            }
        }
        let until = self
            .deadline
            .into_iter()
            .chain(wake)
            .min()
            .map_or(Duration::from_secs(1), |d| d.saturating_duration_since(now));
        if wait_socket(self.session, self.fd, until) {
            self.last_heard = Instant::now();
        }
        Ok(())
    }

    /// Calls a libssh2 operation until it stops saying "would block".
    fn retry<T>(
        &mut self,
        mut operation: impl FnMut() -> Result<T, ssh2::Error>,
    ) -> Result<T, String> {
        loop {
            match operation() {
                Err(e) if e.code() == ErrorCode::Session(ERROR_EAGAIN) => {
                    self.idle(None).map_err(|Failure(_, why)| why)?
                }
                other => return other.map_err(|e| e.message().to_owned()),
            }
        }
    }
}

/// The exit status the host sent for the channel (`128 + N` for a signal), 0 if none.
fn exit_status(channel: &Channel) -> i32 {
    match channel.exit_signal().ok().and_then(|s| s.exit_signal) {
        Some(signal) => 128 + signal_number(&signal),
        None => channel.exit_status().unwrap_or(0),
    }
}

/// Whether the host reported the script failed: a non-zero exit status, or a signal.
fn failed(channel: &Channel) -> bool {
    exit_status(channel) != 0
}

/// The number of a signal named as SSH names them (`TERM`, `KILL`...).
fn signal_number(name: &str) -> i32 {
    match name.trim_start_matches("SIG") {
        "HUP" => 1,
        "INT" => 2,
        "QUIT" => 3,
        "ILL" => 4,
        "ABRT" => 6,
        "FPE" => 8,
        "KILL" => 9,
        "USR1" => 10,
        "SEGV" => 11,
        "USR2" => 12,
        "PIPE" => 13,
        "ALRM" => 14,
        "TERM" => 15,
        _ => 9,
    }
}
