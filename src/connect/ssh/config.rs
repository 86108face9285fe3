//! `ssh_config` files, read the way OpenSSH reads them: `Keyword value` or `Keyword=value`
//! lines, keywords case-insensitive, values split on blanks with `"..."` quoting; `Host`
//! blocks whose patterns (`*`, `?`, `!negated`, several per line) are matched against the
//! name given on the command line; for every keyword the FIRST value obtained wins (so
//! specific `Host` blocks go first and `Host *` last), except `IdentityFile`, which
//! accumulates. `Include` (with wildcards, relative paths from `~/.ssh` or `/etc/ssh`) is
//! followed. `Match` supports `all`, `host`, `originalhost`, `user` and `localuser`; a `Match`
//! with any other criterion (`exec`, `canonical`, `final`, `localnetwork`, `tagged`) never
//! matches. Keywords kiln does not use are read and ignored, as OpenSSH would not be.
//!
//! The user's file is `~/.ssh/config` (or `--ssh-config`, which, like `ssh -F`, replaces
//! both files); then `/etc/ssh/ssh_config` fills what it left unset.

use std::path::{Path, PathBuf};

/// The keywords kiln uses, resolved for one host. `None` / empty: not set by any file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HostConfig {
    pub host_name: Option<String>,
    pub user: Option<String>,
    pub port: Option<u16>,
    /// As written (`~` and `%` tokens not yet expanded), in file order.
    pub identity_files: Vec<String>,
    pub identities_only: Option<bool>,
    /// `IdentityAgent`: `none`, `SSH_AUTH_SOCK`, or a socket path.
    pub identity_agent: Option<String>,
    /// `ProxyJump` as written; `none` is returned as `Some("none")`.
    pub proxy_jump: Option<String>,
    /// `ProxyCommand` as written (not supported: connecting refuses it rather than
    /// silently going around it).
    pub proxy_command: Option<String>,
    pub user_known_hosts_files: Option<Vec<String>>,
    pub global_known_hosts_files: Option<Vec<String>>,
    /// `yes`, `ask`, `accept-new`, `no` or `off`, lowercased.
    pub strict_host_key_checking: Option<String>,
    pub hash_known_hosts: Option<bool>,
    /// `HostKeyAlias`: the name the host key is filed under instead of the host's.
    pub host_key_alias: Option<String>,
    pub connect_timeout: Option<u64>,
    pub password_authentication: Option<bool>,
}

/// One parsed configuration: its blocks in file order (included files spliced in).
#[derive(Clone, Debug, Default)]
pub struct SshConfig {
    blocks: Vec<Block>,
}

#[derive(Clone, Debug)]
struct Block {
    /// All must hold: an included file's blocks also carry the including block's.
    criteria: Vec<Criteria>,
    directives: Vec<Directive>,
}

#[derive(Clone, Debug)]
enum Criteria {
    /// `Host` patterns.
    Host(Vec<String>),
    /// `Match` criteria: (negated, keyword lowercased, pattern list).
    Match(Vec<(bool, String, Option<String>)>),
}

#[derive(Clone, Debug)]
struct Directive {
    keyword: String,
    args: Vec<String>,
}

const MAX_INCLUDE_DEPTH: usize = 16;

impl SshConfig {
    /// The configuration for a run: `explicit` alone if given (like `ssh -F`), else
    /// `~/.ssh/config` then `/etc/ssh/ssh_config`, each only if it exists.
    pub fn load(explicit: Option<&Path>) -> Result<SshConfig, String> {
        if let Some(path) = explicit {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read ssh config {}: {e}", path.display()))?;
            let base = home_dir()
                .map(|h| h.join(".ssh"))
                .unwrap_or_else(|| PathBuf::from("."));
            return SshConfig::parse(&text, &path.display().to_string(), &base);
        }
        let mut config = SshConfig::default();
        if let Some(home) = home_dir() {
            let user = home.join(".ssh").join("config");
            if let Ok(text) = std::fs::read_to_string(&user) {
                config.blocks.extend(
                    SshConfig::parse(&text, &user.display().to_string(), &home.join(".ssh"))?
                        .blocks,
                );
            }
        }
        let system = Path::new("/etc/ssh/ssh_config");
        if let Ok(text) = std::fs::read_to_string(system) {
            config.blocks.extend(
                SshConfig::parse(&text, "/etc/ssh/ssh_config", Path::new("/etc/ssh"))?.blocks,
            );
        }
        Ok(config)
    }

    /// Parses one file's text. `name` is for messages; relative `Include`s are under `base`.
    pub fn parse(text: &str, name: &str, base: &Path) -> Result<SshConfig, String> {
        let mut blocks = Vec::new();
        parse_into(text, name, base, &[], 0, &mut blocks)?;
        Ok(SshConfig { blocks })
    }

    /// What applies to `host` (the name as given: an alias or an address), `user` being the
    /// user given on the command line or in the inventory, if any.
    pub fn resolve(&self, host: &str, user: Option<&str>) -> HostConfig {
        let mut resolved = HostConfig::default();
        let original = host.to_ascii_lowercase();
        for block in &self.blocks {
            let matched = block.criteria.iter().all(|criteria| match criteria {
                Criteria::Host(patterns) => {
                    match_list(patterns.iter().map(String::as_str), &original)
                }
                Criteria::Match(criteria) => {
                    let host_name = resolved
                        .host_name
                        .as_deref()
                        .map(|h| expand_host_name(h, host));
                    let target = host_name.as_deref().unwrap_or(host).to_ascii_lowercase();
                    let remote_user = user
                        .map(str::to_owned)
                        .or_else(|| resolved.user.clone())
                        .or_else(local_user)
                        .unwrap_or_default();
                    criteria.iter().all(|(negated, keyword, patterns)| {
                        let value = match keyword.as_str() {
                            "all" => return !negated,
                            "host" => target.clone(),
                            "originalhost" => original.clone(),
                            "user" => remote_user.clone(),
                            "localuser" => local_user().unwrap_or_default(),
                            _ => return false,
                        };
                        let patterns = patterns.as_deref().unwrap_or("");
                        match_list(patterns.split(','), &value) != *negated
                    })
                }
            });
            if !matched {
                continue;
            }
            for directive in &block.directives {
                apply(&mut resolved, directive);
            }
        }
        if let Some(name) = &resolved.host_name {
            resolved.host_name = Some(expand_host_name(name, host));
        }
        resolved
    }
}

fn apply(resolved: &mut HostConfig, directive: &Directive) {
    let first = directive.args.first().cloned();
    let flag = || {
        first
            .as_deref()
            .map(|v| matches!(v.to_ascii_lowercase().as_str(), "yes" | "true"))
    };
    match directive.keyword.as_str() {
        "hostname" => set(&mut resolved.host_name, first.clone()),
        "user" => set(&mut resolved.user, first.clone()),
        // Validated at parse time.
        "port" => set(
            &mut resolved.port,
            first.as_deref().and_then(|p| p.parse().ok()),
        ),
        "identityfile" => resolved.identity_files.extend(first.clone()),
        "identitiesonly" => set(&mut resolved.identities_only, flag()),
        "identityagent" => set(&mut resolved.identity_agent, first.clone()),
        "proxyjump" => set(&mut resolved.proxy_jump, first.clone()),
        "proxycommand" => set(&mut resolved.proxy_command, Some(directive.args.join(" "))),
        "userknownhostsfile" => set(
            &mut resolved.user_known_hosts_files,
            Some(directive.args.clone()),
        ),
        "globalknownhostsfile" => set(
            &mut resolved.global_known_hosts_files,
            Some(directive.args.clone()),
        ),
        "stricthostkeychecking" => set(
            &mut resolved.strict_host_key_checking,
            first.as_deref().map(str::to_ascii_lowercase),
        ),
        "hashknownhosts" => set(&mut resolved.hash_known_hosts, flag()),
        "hostkeyalias" => set(&mut resolved.host_key_alias, first.clone()),
        "connecttimeout" => set(
            &mut resolved.connect_timeout,
            first.as_deref().and_then(|p| p.parse().ok()),
        ),
        "passwordauthentication" => set(&mut resolved.password_authentication, flag()),
        _ => {}
    }
}

fn set<T>(slot: &mut Option<T>, value: Option<T>) {
    if slot.is_none() {
        *slot = value;
    }
}

fn parse_into(
    text: &str,
    name: &str,
    base: &Path,
    outer: &[Criteria],
    depth: usize,
    blocks: &mut Vec<Block>,
) -> Result<(), String> {
    let within = |criteria: Criteria| {
        let mut all = outer.to_vec();
        all.push(criteria);
        all
    };
    let mut current = Block {
        criteria: outer.to_vec(),
        directives: Vec::new(),
    };
    for (number, line) in text.lines().enumerate() {
        let place = format!("{name}:{}", number + 1);
        let Some((keyword, args)) = split_line(line).map_err(|e| format!("{place}: {e}"))? else {
            continue;
        };
        match keyword.as_str() {
            "host" => {
                if args.is_empty() {
                    return Err(format!("{place}: `Host` needs at least one pattern"));
                }
                next_block(&mut current, within(Criteria::Host(args)), blocks);
            }
            "match" => {
                let criteria = parse_match(&args).map_err(|e| format!("{place}: {e}"))?;
                next_block(&mut current, within(criteria), blocks);
            }
            "include" => {
                if depth >= MAX_INCLUDE_DEPTH {
                    return Err(format!("{place}: `Include` nested too deeply"));
                }
                if args.is_empty() {
                    return Err(format!("{place}: `Include` needs a file"));
                }
                // The included files' lines are under the includer's criteria; what
                // follows the `Include` is a block of its own again.
                let criteria = current.criteria.clone();
                next_block(&mut current, criteria.clone(), blocks);
                include(&args, base, &criteria, depth, blocks)?;
            }
            _ => current.directives.push(directive(&place, keyword, args)?),
        }
    }
    blocks.push(current);
    Ok(())
}

fn parse_match(args: &[String]) -> Result<Criteria, String> {
    let mut criteria = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let (negated, keyword) = match arg.strip_prefix('!') {
            Some(rest) => (true, rest.to_ascii_lowercase()),
            None => (false, arg.to_ascii_lowercase()),
        };
        let value = match keyword.as_str() {
            "all" | "canonical" | "final" => None,
            _ => Some(
                args.next()
                    .ok_or_else(|| format!("`Match {keyword}` needs a value"))?
                    .clone(),
            ),
        };
        criteria.push((negated, keyword, value));
    }
    if criteria.is_empty() {
        return Err("`Match` needs a criterion".into());
    }
    Ok(Criteria::Match(criteria))
}

/// A line as (lowercased keyword, arguments); `None` for blank and comment lines.
fn split_line(line: &str) -> Result<Option<(String, Vec<String>)>, String> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return Ok(None);
    }
    let end = line
        .find(|c: char| c.is_whitespace() || c == '=')
        .unwrap_or(line.len());
    let keyword = line[..end].to_ascii_lowercase();
    let mut rest = line[end..].trim_start();
    if let Some(after) = rest.strip_prefix('=') {
        rest = after.trim_start();
    }
    let mut args = Vec::new();
    let mut chars = rest.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let Some(&first) = chars.peek() else { break };
        if first == '#' {
            break;
        }
        let mut arg = String::new();
        if first == '"' || first == '\'' {
            chars.next();
            loop {
                match chars.next() {
                    Some(c) if c == first => break,
                    Some('\\') if chars.peek() == Some(&first) => arg.push(first),
                    Some(c) => arg.push(c),
                    None => return Err("unterminated quote".into()),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() {
                    break;
                }
                arg.push(c);
                chars.next();
            }
        }
        args.push(arg);
    }
    Ok(Some((keyword, args)))
}

/// Whether `value` matches a pattern list: some positive pattern matches and no negated one
/// does (OpenSSH's `match_pattern_list`), case-insensitively.
fn match_list<'a>(patterns: impl Iterator<Item = &'a str>, value: &str) -> bool {
    let value = value.to_ascii_lowercase();
    let mut matched = false;
    for pattern in patterns {
        let pattern = pattern.trim().to_ascii_lowercase();
        if let Some(negated) = pattern.strip_prefix('!') {
            if wildcard(negated.as_bytes(), value.as_bytes()) {
                return false;
            }
        } else if wildcard(pattern.as_bytes(), value.as_bytes()) {
            matched = true;
        }
    }
    matched
}

/// `*` (any run) and `?` (one character) wildcard matching.
pub fn wildcard(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == b'?' || pattern[p] == text[t]) {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == b'*' {
            backtrack = Some((p, t));
            p += 1;
        } else if let Some((star, matched)) = backtrack {
            p = star + 1;
            t = matched + 1;
            backtrack = Some((star, matched + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|c| *c == b'*')
}

/// Paths matching `pattern`, whose components may hold `*` and `?`; sorted, like glob(3).
fn glob(pattern: &Path) -> Vec<PathBuf> {
    let mut found = vec![PathBuf::from("/")];
    let mut relative = true;
    for component in pattern.components() {
        use std::path::Component;
        match component {
            Component::RootDir => relative = false,
            Component::Normal(part) => {
                let part = part.to_string_lossy();
                let mut next = Vec::new();
                for dir in &found {
                    let dir = if relative && dir == Path::new("/") {
                        PathBuf::new()
                    } else {
                        dir.clone()
                    };
                    if part.contains(['*', '?']) {
                        let Ok(entries) = std::fs::read_dir(if dir.as_os_str().is_empty() {
                            Path::new(".")
                        } else {
                            &dir
                        }) else {
                            continue;
                        };
                        let mut names: Vec<String> = entries
                            .flatten()
                            .map(|e| e.file_name().to_string_lossy().into_owned())
                            .filter(|name| !name.starts_with('.') || part.starts_with('.'))
                            .filter(|name| wildcard(part.as_bytes(), name.as_bytes()))
                            .collect();
                        names.sort();
                        next.extend(names.into_iter().map(|name| dir.join(name)));
                    } else {
                        next.push(dir.join(part.as_ref()));
                    }
                }
                found = next;
                relative = false;
            }
            other => {
                for dir in &mut found {
                    dir.push(other.as_os_str());
                }
            }
        }
    }
    found.into_iter().filter(|p| p.exists()).collect()
}

/// `%h` in `HostName` is the name given; `%%` a percent sign.
fn expand_host_name(value: &str, host: &str) -> String {
    expand_tokens(value, &[('h', host)])
}

/// Replaces `%X` tokens from `tokens` and `%%`; other `%X` are left as written.
pub fn expand_tokens(value: &str, tokens: &[(char, &str)]) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('%') => out.push('%'),
            Some(token) => match tokens.iter().find(|(t, _)| *t == token) {
                Some((_, value)) => out.push_str(value),
                None => {
                    out.push('%');
                    out.push(token);
                }
            },
            None => out.push('%'),
        }
    }
    out
}

/// Ends the block `current`, adding it to `blocks`; a new one with `criteria` starts.
fn next_block(current: &mut Block, criteria: Vec<Criteria>, blocks: &mut Vec<Block>) {
    let next = Block {
        criteria,
        directives: Vec::new(),
    };
    blocks.push(std::mem::replace(current, next));
}

/// Parses the files an `Include` names (`args`: paths or globs, relative to `base`) into
/// `blocks`, under `criteria`; a file that cannot be read is skipped.
fn include(
    args: &[String],
    base: &Path,
    criteria: &[Criteria],
    depth: usize,
    blocks: &mut Vec<Block>,
) -> Result<(), String> {
    for arg in args {
        let pattern = expand_tilde(arg);
        let pattern = if Path::new(&pattern).is_absolute() {
            PathBuf::from(pattern)
        } else {
            base.join(pattern)
        };
        for path in glob(&pattern) {
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            parse_into(
                &text,
                &path.display().to_string(),
                base,
                criteria,
                depth + 1,
                blocks,
            )?;
        }
    }
    Ok(())
}

/// A directive, its value checked when kiln reads it as a number.
fn directive(place: &str, keyword: String, args: Vec<String>) -> Result<Directive, String> {
    if args.is_empty() {
        return Err(format!("{place}: `{keyword}` needs a value"));
    }
    match keyword.as_str() {
        "port" if !args[0].parse::<u16>().is_ok_and(|p| p > 0) => {
            Err(format!("{place}: `{}` is not a port", args[0]))
        }
        "connecttimeout" if args[0].parse::<u64>().is_err() => {
            Err(format!("{place}: `{}` is not a number of seconds", args[0]))
        }
        _ => Ok(Directive { keyword, args }),
    }
}

/// `~` and `~/...` as the home directory; anything else as written.
pub fn expand_tilde(value: &str) -> String {
    match (value.strip_prefix('~'), home_dir()) {
        (Some(rest), Some(home)) if rest.is_empty() || rest.starts_with('/') => {
            format!("{}{rest}", home.display())
        }
        _ => value.to_owned(),
    }
}

pub fn home_dir() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
}

/// The local user's name: `$USER`, `$LOGNAME`, else the passwd entry of this process's
/// owner.
pub fn local_user() -> Option<String> {
    for name in ["USER", "LOGNAME"] {
        if let Ok(value) = std::env::var(name)
            && !value.is_empty()
        {
            return Some(value);
        }
    }
    use std::os::unix::fs::MetadataExt;
    let uid = std::fs::metadata("/proc/self").ok()?.uid().to_string();
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let fields: Vec<&str> = line.split(':').collect();
        (fields.len() > 2 && fields[2] == uid).then(|| fields[0].to_owned())
    })
}

/// One jump host of `ProxyJump`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Jump {
    pub user: Option<String>,
    pub host: String,
    pub port: Option<u16>,
}

/// `ProxyJump`'s value: `none`, or comma-separated `[user@]host[:port]` or
/// `ssh://[user@]host[:port]`, in the order they are gone through.
pub fn parse_jumps(value: &str) -> Result<Vec<Jump>, String> {
    if value.eq_ignore_ascii_case("none") {
        return Ok(Vec::new());
    }
    value
        .split(',')
        .map(|hop| {
            let hop = hop.trim();
            let uri = if hop.starts_with("ssh://") {
                hop.to_owned()
            } else {
                format!("ssh://{hop}")
            };
            match crate::inventory::Target::parse(&uri) {
                Some(Ok(crate::inventory::Target::Ssh {
                    user,
                    address,
                    port,
                })) => Ok(Jump {
                    user,
                    host: address,
                    port,
                }),
                Some(Err(e)) => Err(format!("bad ProxyJump host `{hop}`: {e}")),
                _ => Err(format!("bad ProxyJump host `{hop}`")),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(text: &str) -> SshConfig {
        SshConfig::parse(text, "test", Path::new("/nonexistent")).unwrap()
    }

    #[test]
    fn wildcards() {
        assert!(wildcard(b"*", b""));
        assert!(wildcard(b"web*", b"web1"));
        assert!(wildcard(b"*.example.com", b"a.b.example.com"));
        assert!(!wildcard(b"*.example.com", b"example.com"));
        assert!(wildcard(b"db?", b"db1"));
        assert!(!wildcard(b"db?", b"db12"));
        assert!(wildcard(b"a*b*c", b"aXXbYYbc"));
        assert!(!wildcard(b"a*b*c", b"aXXbYYb"));
    }

    #[test]
    fn host_patterns_and_first_value_wins() {
        let c = config(
            "# global part applies to every host\n\
             Compression yes\n\
             Host web? !web9 bastion\n\
             \x20 HostName %h.internal\n\
             \x20 User deploy\n\
             \x20 IdentityFile ~/.ssh/web\n\
             Host web1\n\
             \x20 User other\n\
             \x20 Port 2222\n\
             Host *\n\
             \x20 User fallback\n\
             \x20 Port 22\n\
             \x20 IdentityFile ~/.ssh/all\n",
        );
        let web1 = c.resolve("web1", None);
        assert_eq!(web1.host_name.as_deref(), Some("web1.internal"));
        // The first value obtained wins: `Host web?` comes before `Host web1`.
        assert_eq!(web1.user.as_deref(), Some("deploy"));
        assert_eq!(web1.port, Some(2222));
        // IdentityFile accumulates, in order.
        assert_eq!(web1.identity_files, ["~/.ssh/web", "~/.ssh/all"]);
        // Negated pattern.
        let web9 = c.resolve("web9", None);
        assert_eq!(web9.host_name, None);
        assert_eq!(web9.user.as_deref(), Some("fallback"));
        assert_eq!(web9.port, Some(22));
        // Several patterns on one line; matching is case-insensitive.
        assert_eq!(c.resolve("BASTION", None).user.as_deref(), Some("deploy"));
        assert_eq!(c.resolve("db1", None).identity_files, ["~/.ssh/all"]);
    }

    #[test]
    fn syntax() {
        let c = config(
            "Host=a\n\
             \x20 HostName = \"with space\"  # trailing comment\n\
             \x20 UserKnownHostsFile /x/one /x/two\n\
             \x20 StrictHostKeyChecking Accept-New\n\
             \x20 ConnectTimeout=5\n\
             \x20 proxyjump u@j1:2200,j2\n",
        );
        let a = c.resolve("a", None);
        assert_eq!(a.host_name.as_deref(), Some("with space"));
        assert_eq!(
            a.user_known_hosts_files,
            Some(vec!["/x/one".into(), "/x/two".into()])
        );
        assert_eq!(a.strict_host_key_checking.as_deref(), Some("accept-new"));
        assert_eq!(a.connect_timeout, Some(5));
        assert_eq!(a.proxy_jump.as_deref(), Some("u@j1:2200,j2"));
        assert!(
            SshConfig::parse("Port nope\n", "t", Path::new("/"))
                .unwrap_err()
                .contains("t:1")
        );
        assert!(SshConfig::parse("Host\n", "t", Path::new("/")).is_err());
        assert!(SshConfig::parse("User \"open\n", "t", Path::new("/")).is_err());
    }

    #[test]
    fn match_blocks() {
        let c = config(
            "Host short\n  HostName long.example.com\n\
             Match host *.example.com\n  User ex\n\
             Match originalhost short user root\n  Port 2022\n\
             Match exec \"true\"\n  IdentityFile never\n\
             Match all\n  IdentityFile always\n",
        );
        let short = c.resolve("short", Some("root"));
        assert_eq!(short.user.as_deref(), Some("ex"));
        assert_eq!(short.port, Some(2022));
        assert_eq!(short.identity_files, ["always"]);
        assert_eq!(c.resolve("short", Some("bob")).port, None);
    }

    #[test]
    fn includes() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("conf.d")).unwrap();
        std::fs::write(dir.path().join("conf.d/a.conf"), "Host a\n  User from-a\n").unwrap();
        std::fs::write(dir.path().join("conf.d/b.conf"), "Port 2200\n").unwrap();
        let c = SshConfig::parse(
            "Host x\n  Include conf.d/*.conf\n  User from-x\nHost *\n  User star\n",
            "main",
            dir.path(),
        )
        .unwrap();
        // b.conf's unconditional line is inside `Host x`: it applies to x only.
        let x = c.resolve("x", None);
        assert_eq!(x.port, Some(2200));
        assert_eq!(x.user.as_deref(), Some("from-x"));
        assert_eq!(c.resolve("a", None).user.as_deref(), Some("star"));
        assert_eq!(c.resolve("y", None).port, None);
    }

    #[test]
    fn proxy_jump_values() {
        assert_eq!(parse_jumps("none").unwrap(), []);
        assert_eq!(
            parse_jumps("bastion").unwrap(),
            [Jump {
                user: None,
                host: "bastion".into(),
                port: None
            }]
        );
        assert_eq!(
            parse_jumps("ops@j1:2200, ssh://j2,[::1]:22").unwrap(),
            [
                Jump {
                    user: Some("ops".into()),
                    host: "j1".into(),
                    port: Some(2200)
                },
                Jump {
                    user: None,
                    host: "j2".into(),
                    port: None
                },
                Jump {
                    user: None,
                    host: "::1".into(),
                    port: Some(22)
                },
            ]
        );
        assert!(parse_jumps("j1:99999").is_err());
        assert!(parse_jumps("j1,").is_err());
    }

    #[test]
    fn tokens() {
        assert_eq!(
            expand_tokens("~/.ssh/%h_%r%%%x", &[('h', "web"), ('r', "root")]),
            "~/.ssh/web_root%%x"
        );
    }
}
