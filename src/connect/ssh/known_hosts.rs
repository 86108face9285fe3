//! Reading and appending `known_hosts` files, for what libssh2's own check does not tell:
//! which key types a host is known with (so the handshake asks for one of those, as OpenSSH
//! does, instead of failing on a host known by its ED25519 key that libssh2 would otherwise
//! ask an ECDSA key of), the fingerprints of the keys on file when a key has changed, and
//! `@revoked` keys. libssh2 makes the verdict itself (`Session::known_hosts`); it is given
//! only the lines it can parse (one bad line makes its file reader stop).

use std::io::Write;
use std::path::Path;
use std::sync::Mutex;

use super::digest::{base64_decode, base64_encode, hmac_sha1};

/// A `known_hosts` line that names a host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Entry {
    /// `@revoked` or `@cert-authority`, if the line has a marker.
    pub marker: Option<String>,
    /// The key type written on the line (`ssh-ed25519`, `ecdsa-sha2-nistp256`...).
    pub key_type: String,
    pub key_blob: Vec<u8>,
    /// 1-based line number.
    pub line: usize,
}

/// The name a host is filed under: `host` on port 22, `[host]:port` otherwise.
pub(super) fn entry_name(host: &str, port: u16) -> String {
    if port == 22 {
        host.to_owned()
    } else {
        format!("[{host}]:{port}")
    }
}

/// The lines of `text` whose host field matches `name` (from [`entry_name`]).
pub(super) fn matching(text: &str, name: &str) -> Vec<Entry> {
    let mut found = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let mut fields = line.split_whitespace();
        let Some(mut first) = fields.next() else {
            continue;
        };
        if first.starts_with('#') {
            continue;
        }
        let mut marker = None;
        if first.starts_with('@') {
            marker = Some(first.to_owned());
            let Some(next) = fields.next() else { continue };
            first = next;
        }
        let (Some(key_type), Some(key)) = (fields.next(), fields.next()) else {
            continue;
        };
        let Some(key_blob) = base64_decode(key) else {
            continue;
        };
        if host_field_matches(first, name) {
            found.push(Entry {
                marker,
                key_type: key_type.to_owned(),
                key_blob,
                line: index + 1,
            });
        }
    }
    found
}

/// Whether a `known_hosts` host field (`|1|salt|hash`, or comma-separated patterns with `*`,
/// `?` and `!`) names `name`.
pub(super) fn host_field_matches(field: &str, name: &str) -> bool {
    if let Some(hashed) = field.strip_prefix("|1|") {
        let Some((salt, hash)) = hashed.split_once('|') else {
            return false;
        };
        let (Some(salt), Some(hash)) = (base64_decode(salt), base64_decode(hash)) else {
            return false;
        };
        return hmac_sha1(&salt, name.as_bytes()).as_slice() == hash.as_slice();
    }
    let name = name.to_ascii_lowercase();
    let mut matched = false;
    for pattern in field.split(',') {
        let pattern = pattern.to_ascii_lowercase();
        match pattern.strip_prefix('!') {
            Some(negated) if super::config::wildcard(negated.as_bytes(), name.as_bytes()) => {
                return false;
            }
            Some(_) => {}
            None if super::config::wildcard(pattern.as_bytes(), name.as_bytes()) => matched = true,
            None => {}
        }
    }
    matched
}

/// The key types libssh2 can read from a `known_hosts` line.
const LIBSSH2_TYPES: &[&str] = &[
    "ssh-ed25519",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "ssh-rsa",
    "ssh-dss",
];

/// The lines of `text` libssh2 understands: no marker, a key type it knows.
pub(super) fn libssh2_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines().filter(|line| {
        let mut fields = line.split_whitespace();
        match (fields.next(), fields.next()) {
            (Some(host), Some(key_type)) => {
                !host.starts_with('#')
                    && !host.starts_with('@')
                    && LIBSSH2_TYPES.contains(&key_type)
            }
            _ => false,
        }
    })
}

/// The key type named inside a key blob (its first SSH string).
pub(super) fn blob_type(blob: &[u8]) -> Option<String> {
    let len = u32::from_be_bytes(blob.get(..4)?.try_into().ok()?) as usize;
    String::from_utf8(blob.get(4..4 + len)?.to_vec()).ok()
}

/// The name OpenSSH shows for a key type: `ED25519`, `ECDSA`, `RSA`, `DSA`.
pub(super) fn display_type(key_type: &str) -> String {
    match key_type {
        "ssh-ed25519" => "ED25519".into(),
        t if t.starts_with("ecdsa-") => "ECDSA".into(),
        "ssh-rsa" => "RSA".into(),
        "ssh-dss" => "DSA".into(),
        other => other.to_owned(),
    }
}

/// The host key algorithms that can present a key of `key_type`.
pub(super) fn algorithms_for(key_type: &str) -> &'static [&'static str] {
    match key_type {
        "ssh-ed25519" => &["ssh-ed25519"],
        "ecdsa-sha2-nistp256" => &["ecdsa-sha2-nistp256"],
        "ecdsa-sha2-nistp384" => &["ecdsa-sha2-nistp384"],
        "ecdsa-sha2-nistp521" => &["ecdsa-sha2-nistp521"],
        "ssh-rsa" => &["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"],
        "ssh-dss" => &["ssh-dss"],
        _ => &[],
    }
}

/// OpenSSH's order of preference for host key algorithms (certificates aside).
pub(super) const PREFERRED_ALGORITHMS: &[&str] = &[
    "ssh-ed25519",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "rsa-sha2-512",
    "rsa-sha2-256",
    "ssh-rsa",
];

/// Appends are serialized: hosts connected in parallel may add keys to the same file.
static APPEND: Mutex<()> = Mutex::new(());

/// Adds `name key_type key` to `path` (created with its directory if missing), hashed
/// (`|1|salt|hash`, like OpenSSH's `HashKnownHosts yes`) or plain; does nothing if `path`
/// already has this very entry (another thread added it).
pub(super) fn append(
    path: &Path,
    name: &str,
    key_blob: &[u8],
    hashed: bool,
) -> std::io::Result<()> {
    let _guard = APPEND.lock().unwrap_or_else(|e| e.into_inner());
    let key_type = blob_type(key_blob).unwrap_or_else(|| "unknown".into());
    let existing = std::fs::read_to_string(path).unwrap_or_default();
    if matching(&existing, name)
        .iter()
        .any(|e| e.marker.is_none() && e.key_blob == key_blob)
    {
        return Ok(());
    }
    if let Some(dir) = path.parent()
        && !dir.as_os_str().is_empty()
        && !dir.exists()
    {
        std::fs::create_dir_all(dir)?;
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    let host_field = if hashed {
        let mut salt = [0u8; 20];
        std::fs::File::open("/dev/urandom")
            .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut salt))?;
        format!(
            "|1|{}|{}",
            base64_encode(&salt),
            base64_encode(&hmac_sha1(&salt, name.as_bytes()))
        )
    } else {
        name.to_owned()
    };
    let mut line = String::new();
    if !existing.is_empty() && !existing.ends_with('\n') {
        line.push('\n');
    }
    line.push_str(&format!(
        "{host_field} {key_type} {}\n",
        base64_encode(key_blob)
    ));
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    file.write_all(line.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";

    #[test]
    fn names() {
        assert_eq!(entry_name("web", 22), "web");
        assert_eq!(entry_name("127.0.0.1", 2222), "[127.0.0.1]:2222");
    }

    #[test]
    fn plain_patterns() {
        assert!(host_field_matches("web,10.0.0.1", "10.0.0.1"));
        assert!(host_field_matches(
            "*.example.com,!bad.example.com",
            "a.example.com"
        ));
        assert!(!host_field_matches(
            "*.example.com,!bad.example.com",
            "bad.example.com"
        ));
        assert!(host_field_matches("[127.0.0.1]:2222", "[127.0.0.1]:2222"));
        assert!(!host_field_matches("127.0.0.1", "[127.0.0.1]:2222"));
        assert!(host_field_matches("WEB", "web"));
    }

    #[test]
    fn hashed_names() {
        // From `ssh-keygen -H` on a file with a line for `[127.0.0.1]:2222`: salt and
        // HMAC-SHA1 of the name, both base64.
        let salt = b"0123456789abcdefghij";
        let field = format!(
            "|1|{}|{}",
            base64_encode(salt),
            base64_encode(&hmac_sha1(salt, b"[127.0.0.1]:2222"))
        );
        assert!(host_field_matches(&field, "[127.0.0.1]:2222"));
        assert!(!host_field_matches(&field, "127.0.0.1"));
    }

    #[test]
    fn reads_entries() {
        let text = format!(
            "# comment\n\n[127.0.0.1]:2222 ssh-ed25519 {KEY}\nother ssh-ed25519 {KEY}\n\
             @revoked [127.0.0.1]:2222 ssh-ed25519 {KEY}\n@cert-authority * ssh-ed25519 {KEY}\n\
             [127.0.0.1]:2222 sk-ssh-ed25519@openssh.com {KEY}\nbroken\n"
        );
        let found = matching(&text, "[127.0.0.1]:2222");
        assert_eq!(found.len(), 4);
        assert_eq!(found[0].line, 3);
        assert_eq!(found[0].key_type, "ssh-ed25519");
        assert_eq!(
            blob_type(&found[0].key_blob).as_deref(),
            Some("ssh-ed25519")
        );
        assert_eq!(found[1].marker.as_deref(), Some("@revoked"));
        assert_eq!(found[2].marker.as_deref(), Some("@cert-authority"));
        assert_eq!(libssh2_lines(&text).count(), 2);
    }

    #[test]
    fn appends() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/known_hosts");
        let blob = base64_decode(KEY).unwrap();
        append(&path, "[h]:2", &blob, false).unwrap();
        append(&path, "[h]:2", &blob, false).unwrap();
        append(&path, "h3", &blob, true).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 2);
        assert!(text.starts_with(&format!("[h]:2 ssh-ed25519 {KEY}\n")));
        assert_eq!(matching(&text, "h3").len(), 1);
        assert!(text.lines().nth(1).unwrap().starts_with("|1|"));
    }
}
