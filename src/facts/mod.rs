//! Host facts: what a host is (OS family and version, architecture, init system, package
//! manager, users, ...), gathered by one read-only POSIX probe, [`GATHER`].
//!
//! The probe prints `key=value` lines; [`parse`] turns them into the JSON tree templates and
//! `when` conditions see as `facts` (`facts.os.family`, `facts.pkg.manager`, ...). Every
//! derived fact (such as the OS family) is computed by the probe itself, so an emitted
//! script that gathers facts on the host sees exactly what kiln sees.

use serde_json::{Map, Value, json};

/// The fact probe, a POSIX shell script: `detect.sh` (shared with the scripts' runtime
/// library), then `gather.sh`.
pub const GATHER: &str = concat!(include_str!("detect.sh"), include_str!("gather.sh"));

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
