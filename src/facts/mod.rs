//! Host facts: what a host is (OS family and version, architecture, init system, package
//! manager, users, ...), gathered by one read-only POSIX probe, [`GATHER`].
//!
//! The probe prints `key=value` lines; [`parse`] turns them into the JSON tree templates and
//! `when` conditions see as `facts` (`facts.os.family`, `facts.pkg.manager`, ...). Every
//! derived fact (such as the OS family) is computed by the probe itself, so an emitted
//! script that gathers facts on the host sees exactly what kiln sees.
//!
//! Every fact has a type ([`FACTS`]): the `when` translation (`bind::when`) needs it to
//! decide on the host as minijinja decides with the parsed facts (`'12' == 12` is false).

use serde_json::{Map, Value, json};

/// The fact probe, a POSIX shell script: the host detection of the scripts' runtime
/// (`src/runtime/detect.sh`), then [`PROBE`].
pub const GATHER: &str = concat!(
    include_str!("../runtime/detect.sh"),
    "\n",
    include_str!("gather.sh")
);

/// The probe's own part, `gather.sh`: what a script that gathers facts runs, with the
/// runtime's host detection among the runtime it carries.
pub const PROBE: &str = include_str!("gather.sh");

/// The type of a fact's value once parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FactType {
    Str,
    /// An integer (the probe prints it in decimal, without sign or leading zeros).
    Int,
    /// Comma-separated by the probe, a list of strings once parsed.
    List,
}

/// Every fact the probe prints: its dotted path, its type, and whether every host has it
/// (the others are printed only when the host says: `os.*` from `/etc/os-release`, a
/// package manager, readable account files).
pub const FACTS: &[(&str, FactType, bool)] = &[
    ("os.id", FactType::Str, false),
    ("os.id_like", FactType::Str, false),
    ("os.version", FactType::Str, false),
    ("os.name", FactType::Str, false),
    ("os.codename", FactType::Str, false),
    ("os.system", FactType::Str, true),
    ("os.family", FactType::Str, true),
    ("arch", FactType::Str, true),
    ("kernel", FactType::Str, true),
    ("hostname", FactType::Str, true),
    ("user.name", FactType::Str, true),
    ("user.uid", FactType::Int, true),
    ("init.system", FactType::Str, true),
    ("pkg.manager", FactType::Str, false),
    ("users", FactType::List, false),
    ("groups", FactType::List, false),
];

/// The type of the fact at `path`, and whether every host has it.
pub fn fact_type(path: &str) -> Option<(FactType, bool)> {
    FACTS
        .iter()
        .find(|(p, _, _)| *p == path)
        .map(|(_, ty, always)| (*ty, *always))
}

/// Facts as a JSON object.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Facts(pub Value);

/// Parses the probe's output. Unknown keys are kept (as strings); values lose the ASCII
/// white space around them (as `k_fact` does on the host); lists are split, integers
/// parsed (kept as strings when they are not integers).
pub fn parse(output: &str) -> Facts {
    let mut root = Map::new();
    for line in output.lines() {
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let value = value.trim_matches(|c: char| c.is_ascii_whitespace());
        let value = match fact_type(key).map(|(ty, _)| ty) {
            Some(FactType::List) => json!(
                value
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
            ),
            Some(FactType::Int) => value
                .parse::<i64>()
                .map_or_else(|_| json!(value), |n| json!(n)),
            _ => json!(value),
        };
        insert(&mut root, key, value);
    }
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
            "os.id=ubuntu\nos.family=debian\nos.version=24.04\narch=x86_64\nuser.uid=0\nusers=root,daemon,\n",
        );
        assert_eq!(facts.0["os"]["family"], "debian");
        assert_eq!(facts.0["os"]["version"], "24.04");
        assert_eq!(facts.0["user"]["uid"], 0);
        assert_eq!(facts.0["users"], json!(["root", "daemon"]));
    }

    /// The probe's family detection, run for real on sample os-release files.
    #[test]
    fn families() {
        for (os_release, family) in [
            ("ID=rocky\nID_LIKE=\"rhel centos fedora\"\n", "redhat"),
            ("ID=ubuntu\nID_LIKE=debian\n", "debian"),
            ("ID=alpine\n", "alpine"),
            ("ID=nixos\n", "nixos"),
        ] {
            let dir =
                std::env::temp_dir().join(format!("kiln-facts-{}-{family}", std::process::id()));
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join("os-release"), os_release).unwrap();
            let script = GATHER.replace(
                "/etc/os-release",
                &dir.join("os-release").display().to_string(),
            );
            let output = std::process::Command::new("sh")
                .arg("-c")
                .arg(script)
                .output()
                .unwrap();
            std::fs::remove_dir_all(&dir).unwrap();
            let facts = parse(&String::from_utf8_lossy(&output.stdout));
            assert_eq!(facts.0["os"]["family"], family, "{os_release}");
        }
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
