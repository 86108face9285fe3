//! Where a host is and how kiln reaches it, and the command-line target syntax.

use std::fmt;
use std::path::PathBuf;

/// How to reach a host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// This machine, through `sh`.
    Local,
    Ssh {
        user: Option<String>,
        address: String,
        port: Option<u16>,
    },
    /// A running container; commands run as `user` (`docker exec -u`) when given.
    Docker {
        container: String,
        user: Option<String>,
    },
    Podman {
        container: String,
        user: Option<String>,
    },
    /// A directory with a root file system; commands run as `user` (`chroot --userspec`,
    /// the name looked up inside the root) when given.
    Chroot { path: PathBuf, user: Option<String> },
}

impl Target {
    /// The port of the SSH connection the controller runs through: an SSH target's, else
    /// 22, also for targets reached otherwise, whose scripts may be emitted for SSH hosts
    /// (the firewall lockout check, `bind::lockout`).
    pub fn ssh_port(&self) -> u16 {
        match self {
            Target::Ssh {
                port: Some(port), ..
            } => *port,
            _ => 22,
        }
    }

    /// Parses a command-line target: `@local`, `ssh://[user@]host[:port]`, `@docker/NAME`,
    /// `@podman/NAME`, `@chroot/PATH`. `None` if `text` is not in target syntax.
    pub fn parse(text: &str) -> Option<Result<Target, String>> {
        if text == "@local" {
            return Some(Ok(Target::Local));
        }
        if let Some(rest) = text.strip_prefix("ssh://") {
            return Some(parse_ssh(rest));
        }
        for (prefix, make) in [
            ("@docker/", Target::docker as fn(&str) -> Target),
            ("@podman/", Target::podman),
            ("@chroot/", Target::chroot),
        ] {
            if let Some(rest) = text.strip_prefix(prefix) {
                return Some(if rest.is_empty() {
                    Err(format!("`{prefix}` needs a name after the slash"))
                } else {
                    Ok(make(rest))
                });
            }
        }
        if text.starts_with('@') {
            return Some(Err(format!("unknown target kind `{text}`")));
        }
        None
    }

    fn docker(name: &str) -> Target {
        Target::Docker {
            container: name.to_owned(),
            user: None,
        }
    }

    fn podman(name: &str) -> Target {
        Target::Podman {
            container: name.to_owned(),
            user: None,
        }
    }

    /// `@chroot/srv/root` is the chroot at `/srv/root`: the slash after `@chroot` is the root.
    fn chroot(path: &str) -> Target {
        Target::Chroot {
            path: PathBuf::from(format!("/{}", path.trim_start_matches('/'))),
            user: None,
        }
    }

    pub fn connector(&self) -> &'static str {
        match self {
            Target::Local => "local",
            Target::Ssh { .. } => "ssh",
            Target::Docker { .. } => "docker",
            Target::Podman { .. } => "podman",
            Target::Chroot { .. } => "chroot",
        }
    }
}

fn parse_ssh(rest: &str) -> Result<Target, String> {
    let (user, host_port) = match rest.rsplit_once('@') {
        Some((user, hp)) if !user.is_empty() => (Some(user.to_owned()), hp),
        Some(_) => return Err("empty user before `@`".into()),
        None => (None, rest),
    };
    let (address, port) = split_port(host_port)?;
    if address.is_empty() {
        return Err("no host name".into());
    }
    Ok(Target::Ssh {
        user,
        address,
        port,
    })
}

/// `host`, `host:22`, `[::1]:22`.
fn split_port(text: &str) -> Result<(String, Option<u16>), String> {
    let (address, port) = if let Some(rest) = text.strip_prefix('[') {
        let (address, after) = rest.split_once(']').ok_or("unclosed `[` in IPv6 address")?;
        (address, after.strip_prefix(':'))
    } else {
        match text.rsplit_once(':') {
            Some((address, port)) => (address, Some(port)),
            None => (text, None),
        }
    };
    let port = match port {
        Some(p) => Some(
            p.parse::<u16>()
                .ok()
                .filter(|p| *p > 0)
                .ok_or_else(|| format!("`{p}` is not a port"))?,
        ),
        None => None,
    };
    Ok((address.to_owned(), port))
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Local => f.write_str("@local"),
            Target::Ssh {
                user,
                address,
                port,
            } => {
                f.write_str("ssh://")?;
                if let Some(user) = user {
                    write!(f, "{user}@")?;
                }
                if address.contains(':') {
                    write!(f, "[{address}]")?;
                } else {
                    f.write_str(address)?;
                }
                if let Some(port) = port {
                    write!(f, ":{port}")?;
                }
                Ok(())
            }
            Target::Docker { container, user } => {
                write!(f, "@docker/{container}")?;
                write_user(f, user.as_deref())
            }
            Target::Podman { container, user } => {
                write!(f, "@podman/{container}")?;
                write_user(f, user.as_deref())
            }
            Target::Chroot { path, user } => {
                write!(f, "@chroot{}", path.display())?;
                write_user(f, user.as_deref())
            }
        }
    }
}

/// The target syntax has no user for containers and chroots (the inventory gives one), so
/// it is shown after the target.
fn write_user(f: &mut fmt::Formatter<'_>, user: Option<&str>) -> fmt::Result {
    match user {
        Some(user) => write!(f, " as {user}"),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_targets() {
        assert_eq!(Target::parse("@local"), Some(Ok(Target::Local)));
        assert_eq!(
            Target::parse("ssh://deploy@web1:2222"),
            Some(Ok(Target::Ssh {
                user: Some("deploy".into()),
                address: "web1".into(),
                port: Some(2222)
            }))
        );
        assert_eq!(
            Target::parse("ssh://[::1]:22"),
            Some(Ok(Target::Ssh {
                user: None,
                address: "::1".into(),
                port: Some(22)
            }))
        );
        assert_eq!(
            Target::parse("@chroot/srv/root"),
            Some(Ok(Target::Chroot {
                path: "/srv/root".into(),
                user: None,
            }))
        );
        assert_eq!(
            Target::parse("@docker/web"),
            Some(Ok(Target::Docker {
                container: "web".into(),
                user: None,
            }))
        );
        assert!(matches!(Target::parse("ssh://web:99999"), Some(Err(_))));
        assert!(matches!(Target::parse("@docker/"), Some(Err(_))));
        assert!(matches!(Target::parse("@lxc/x"), Some(Err(_))));
        assert_eq!(Target::parse("inventory.toml"), None);
    }

    #[test]
    fn display_round_trips() {
        for text in [
            "@local",
            "ssh://deploy@web1:2222",
            "ssh://[::1]:22",
            "@chroot/srv/root",
            "@podman/db",
        ] {
            assert_eq!(Target::parse(text).unwrap().unwrap().to_string(), text);
        }
    }
}
