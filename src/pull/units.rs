//! The systemd service and timer of pull mode: the timer starts the service at boot and
//! then every period after the last run ended; the service runs the fetch script once
//! (`Type=oneshot`, so runs never overlap) as root, in its state directory
//! (`/var/lib/kiln-pull`: the reports), with a private umask.

use std::fmt::Write;

/// What the units run: the fetch script's place on the host and its arguments.
#[derive(Debug)]
pub struct Units<'a> {
    /// Where the fetch script is installed on the host.
    pub script_path: &'a str,
    /// The bundle's location: a directory, an `https://` URL or `git+URL`.
    pub from: &'a str,
    pub host: &'a str,
    /// The allowed-signers file on the host (`ssh-keygen -Y verify -f`).
    pub allowed_signers: &'a str,
    /// The signer's identity in it (`-I`).
    pub identity: &'a str,
    /// The certificate authorities an `https://` location is checked with, instead of the
    /// system's (a file on the host, `curl --cacert`).
    pub ca: Option<&'a str>,
    /// The period between runs, as systemd writes a time span (`30min`, `1h`).
    pub every: &'a str,
    /// How many reports are kept.
    pub keep: u32,
}

impl Units<'_> {
    /// The service unit (`kiln-pull.service`).
    pub fn service(&self) -> String {
        let mut exec = quote(self.script_path);
        for (option, value) in [
            ("--from", self.from),
            ("--host", self.host),
            ("--allowed-signers", self.allowed_signers),
            ("--identity", self.identity),
            ("--state", "/var/lib/kiln-pull"),
            ("--keep", &self.keep.to_string()),
        ] {
            let _ = write!(exec, " {option} {}", quote(value));
        }
        if let Some(ca) = self.ca {
            let _ = write!(exec, " --ca {}", quote(ca));
        }
        format!(
            "[Unit]\nDescription=Apply this host's kiln bundle (pull mode)\n\
             Wants=network-online.target\nAfter=network-online.target\n\n\
             [Service]\nType=oneshot\nExecStart={exec}\nStateDirectory=kiln-pull\n\
             StateDirectoryMode=0700\nUMask=0077\n"
        )
    }

    /// The timer unit (`kiln-pull.timer`).
    pub fn timer(&self) -> String {
        format!(
            "[Unit]\nDescription=Apply this host's kiln bundle every {every}\n\n\
             [Timer]\nOnBootSec=2min\nOnUnitInactiveSec={every}\nRandomizedDelaySec=1min\n\n\
             [Install]\nWantedBy=timers.target\n",
            every = self.every
        )
    }

    /// Why a value cannot go into the units, when one cannot: a line break (a unit file's
    /// value is one line), a location the fetch script does not take (a plain `http://`
    /// URL would carry the bundle's secrets in the clear), `--ca` for a location that is
    /// not fetched over HTTPS, or a period systemd would not read.
    pub fn problem(&self) -> Option<String> {
        let values = [
            self.script_path,
            self.from,
            self.host,
            self.allowed_signers,
            self.identity,
            self.ca.unwrap_or_default(),
        ];
        if let Some(value) = values.iter().find(|v| v.contains(['\n', '\r'])) {
            return Some(format!("{value:?} has a line break"));
        }
        let https = self.from.starts_with("https://");
        if !(https || self.from.starts_with('/') || self.from.starts_with("git+")) {
            return Some(format!(
                "--from: `{}` is not an absolute directory, an https:// URL or git+URL \
                 (the bundle holds the script's secrets: serve it over HTTPS, with --ca for \
                 a private certificate authority)",
                self.from
            ));
        }
        if self.ca.is_some() && !https {
            return Some("--ca: only an https:// --from is checked with it".to_owned());
        }
        let period = self.every.split_whitespace().all(|part| {
            let unit = part.trim_start_matches(|c: char| c.is_ascii_digit());
            unit.len() < part.len() && unit.chars().all(|c| c.is_ascii_lowercase())
        });
        (!period || self.every.trim().is_empty()).then(|| {
            format!(
                "--every: `{}` is not a time span systemd reads (`30min`, `1h`, `1d`)",
                self.every
            )
        })
    }
}

/// `value` as one word of a unit's command line: in double quotes, with `\` and `"`
/// escaped, and `%` (a specifier) and `$` (a variable) doubled.
fn quote(value: &str) -> String {
    let mut out = String::from('"');
    for c in value.chars() {
        match c {
            '\\' | '"' => {
                out.push('\\');
                out.push(c);
            }
            '%' => out.push_str("%%"),
            '$' => out.push_str("$$"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
