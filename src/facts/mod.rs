//! Host facts: what a host is (OS family and version, architecture, init system, package
//! manager, users, ...), gathered by one read-only POSIX probe, [`GATHER`].
//!
//! The probe prints `key=value` lines; [`parse`] turns them into the JSON tree templates and
//! `when` conditions see as `facts` (`facts.os.family`, `facts.pkg.manager`, ...).

use serde_json::{Map, Value, json};

/// The fact probe, a POSIX shell script.
pub const GATHER: &str = include_str!("gather.sh");

/// Facts as a JSON object.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Facts(pub Value);

/// Parses the probe's output. Unknown keys are kept; lists (`users`, `groups`) are split.
pub fn parse(output: &str) -> Facts {
    let mut root = Map::new();
    for line in output.lines() {
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let value = match key {
            "users" | "groups" => json!(
                value
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
            ),
            "user.uid" => value
                .parse::<i64>()
                .map_or_else(|_| json!(value), |n| json!(n)),
            _ => json!(value.trim()),
        };
        insert(&mut root, key, value);
    }
    let family = family(
        root.get("os")
            .and_then(|os| os.get("id"))
            .and_then(Value::as_str)
            .unwrap_or(""),
        root.get("os")
            .and_then(|os| os.get("id_like"))
            .and_then(Value::as_str)
            .unwrap_or(""),
        root.get("os")
            .and_then(|os| os.get("system"))
            .and_then(Value::as_str)
            .unwrap_or(""),
    );
    insert(&mut root, "os.family", json!(family));
    Facts(Value::Object(root))
}

fn insert(root: &mut Map<String, Value>, dotted: &str, value: Value) {
    let mut parts = dotted.split('.').peekable();
    let mut map = root;
    while let Some(part) = parts.next() {
        if parts.peek().is_none() {
            map.insert(part.to_owned(), value);
            return;
        }
        let entry = map.entry(part.to_owned()).or_insert_with(|| json!({}));
        if !entry.is_object() {
            *entry = json!({});
        }
        map = entry.as_object_mut().expect("just made an object");
    }
}

/// The OS family, as Ansible's `os_family` (lower case): `debian`, `redhat`, `alpine`,
/// `arch`, `suse`, `darwin`, `freebsd`, or the distribution id itself.
fn family(id: &str, id_like: &str, system: &str) -> String {
    const FAMILIES: &[(&str, &[&str])] = &[
        (
            "debian",
            &["debian", "ubuntu", "raspbian", "linuxmint", "pop", "kali"],
        ),
        (
            "redhat",
            &[
                "rhel",
                "centos",
                "fedora",
                "rocky",
                "almalinux",
                "amzn",
                "ol",
            ],
        ),
        ("alpine", &["alpine"]),
        ("arch", &["arch", "manjaro", "endeavouros"]),
        (
            "suse",
            &[
                "opensuse",
                "opensuse-leap",
                "opensuse-tumbleweed",
                "sles",
                "suse",
            ],
        ),
    ];
    for word in std::iter::once(id).chain(id_like.split_whitespace()) {
        if let Some((family, _)) = FAMILIES.iter().find(|(_, ids)| ids.contains(&word)) {
            return (*family).to_owned();
        }
    }
    match system {
        "Darwin" => "darwin".into(),
        "FreeBSD" => "freebsd".into(),
        _ if !id.is_empty() => id.to_owned(),
        _ => system.to_lowercase(),
    }
}

/// Gathers this machine's facts by running the probe with `sh`.
pub fn local() -> std::io::Result<Facts> {
    let output = std::process::Command::new("sh")
        .arg("-c")
        .arg(GATHER)
        .output()?;
    Ok(parse(&String::from_utf8_lossy(&output.stdout)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_probe_output() {
        let facts = parse(
            "os.id=ubuntu\nos.id_like=debian\nos.version=24.04\narch=x86_64\nuser.uid=0\nusers=root,daemon,\n",
        );
        assert_eq!(facts.0["os"]["family"], "debian");
        assert_eq!(facts.0["os"]["version"], "24.04");
        assert_eq!(facts.0["user"]["uid"], 0);
        assert_eq!(facts.0["users"], json!(["root", "daemon"]));
    }

    #[test]
    fn families() {
        assert_eq!(family("rocky", "rhel centos fedora", "Linux"), "redhat");
        assert_eq!(family("alpine", "", "Linux"), "alpine");
        assert_eq!(family("", "", "Darwin"), "darwin");
        assert_eq!(family("nixos", "", "Linux"), "nixos");
    }

    #[test]
    fn gathers_this_machine() {
        let facts = local().unwrap();
        assert!(facts.0["arch"].as_str().is_some_and(|a| !a.is_empty()));
        assert!(
            facts.0["os"]["family"]
                .as_str()
                .is_some_and(|f| !f.is_empty())
        );
    }
}
