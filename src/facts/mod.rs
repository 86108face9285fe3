//! Host facts: what a host is (OS family and version, architecture, init system, package
//! manager, users, addresses, packages, services, ...), gathered by one read-only POSIX
//! probe per host, [`probe`], and custom facts a manifest declares ([`Custom`]).
//!
//! The probe has two parts. `gather.sh` prints the host facts as `key=value` lines,
//! computing in shell every derived one (such as the OS family), so that an emitted script
//! that gathers facts on the host ([`PROBE`], for `when`) sees exactly what kiln sees;
//! it starts few processes, since every such script runs it. `survey.sh` prints the raw
//! output of the sources of the structured facts, which kiln parses ([`survey`]); then
//! come the custom facts' commands. [`parse`] turns the whole into the JSON tree templates
//! and `when` conditions see as `facts` (`facts.os.family`, `facts.packages`, ...).
//!
//! Every built-in fact is in [`FACTS`], with its type: the `when` translation
//! (`bind::when`) needs it to decide on the host as minijinja decides with the parsed
//! facts (`'12' == 12` is false), and refuses the facts scripts do not gather.

mod custom;
mod output;
mod survey;
mod table;

use serde_json::{Map, Value, json};

pub use custom::{Custom, PARSE_KINDS, Parse};
pub use table::{FACTS, Fact, FactType, Kind, fact_type, not_on_host};

use output::Output;

/// The built-in probe, a POSIX shell script: the host detection of the scripts' runtime
/// (`src/runtime/detect.sh`), then [`PROBE`], then the survey of structured facts.
pub const GATHER: &str = concat!(
    include_str!("../runtime/detect.sh"),
    "\n",
    include_str!("gather.sh"),
    include_str!("survey.sh")
);

/// The probe's part that prints the host facts, `gather.sh`: what a script that gathers
/// facts runs, with the runtime's host detection among the runtime it carries.
pub const PROBE: &str = include_str!("gather.sh");

/// The whole probe for a manifest: [`GATHER`], then each custom fact's command.
pub fn probe(custom: &[Custom]) -> String {
    let mut probe = GATHER.to_owned();
    for fact in custom {
        probe.push_str(&fact.probe());
    }
    probe
}

/// Facts as a JSON object.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Facts(pub Value);

/// Parses the probe's output, with the custom facts it ran. Unknown keys are kept (as
/// strings); values lose the ASCII white space around them (as `k_fact` does on the
/// host); lists are split, integers parsed (kept as strings when they are not integers).
/// A custom fact whose output does not parse (JSON, a regex that matches no line) is
/// absent, as a fact the host does not have.
pub fn parse(output: &str, custom: &[Custom]) -> Facts {
    let output = Output::split(output);
    let mut root = Map::new();
    for (key, value) in &output.pairs {
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
    for (path, value) in survey::facts(&output) {
        insert(&mut root, path, value);
    }
    for (name, text) in &output.custom {
        let value = custom
            .iter()
            .find(|c| c.name == *name)
            .and_then(|c| c.value(text));
        if let Some(value) = value {
            insert(&mut root, &format!("custom.{name}"), value);
        }
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
pub fn local(custom: &[Custom]) -> std::io::Result<Facts> {
    let output = std::process::Command::new("sh")
        .arg("-c")
        .arg(probe(custom))
        .stdin(std::process::Stdio::null())
        .output()?;
    Ok(parse(&String::from_utf8_lossy(&output.stdout), custom))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_probe_output() {
        let facts = parse(
            "os.id=ubuntu\nos.family=debian\nos.version=24.04\nos.version_minor=4\narch=x86_64\nuser.uid=0\nusers=root,daemon,\n",
            &[],
        );
        assert_eq!(facts.0["os"]["family"], "debian");
        assert_eq!(facts.0["os"]["version"], "24.04");
        assert_eq!(facts.0["os"]["version_minor"], 4);
        assert_eq!(facts.0["user"]["uid"], 0);
        assert_eq!(facts.0["users"], json!(["root", "daemon"]));
    }

    /// The probe's family and version detection, run for real on sample os-release files.
    #[test]
    fn families_and_versions() {
        for (os_release, family, major, minor) in [
            (
                "ID=rocky\nID_LIKE=\"rhel centos fedora\"\nVERSION_ID=\"9.4\"\n",
                "redhat",
                json!(9),
                json!(4),
            ),
            (
                "ID=ubuntu\nID_LIKE=debian\nVERSION_ID=\"24.04\"\n",
                "debian",
                json!(24),
                json!(4),
            ),
            (
                "ID=alpine\nVERSION_ID=3.20.3\n",
                "alpine",
                json!(3),
                json!(20),
            ),
            (
                "ID=debian\nVERSION_ID=\"12\"\n",
                "debian",
                json!(12),
                Value::Null,
            ),
            (
                "ID=arch\nBUILD_ID=rolling\n",
                "arch",
                Value::Null,
                Value::Null,
            ),
            (
                "ID=nixos\nVERSION_ID=\"24.05\"\n",
                "nixos",
                json!(24),
                json!(5),
            ),
        ] {
            let dir = std::env::temp_dir().join(format!(
                "kiln-facts-{}-{family}-{major}",
                std::process::id()
            ));
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
            let facts = parse(&String::from_utf8_lossy(&output.stdout), &[]);
            assert_eq!(facts.0["os"]["family"], family, "{os_release}");
            assert_eq!(facts.0["os"]["version_major"], major, "{os_release}");
            assert_eq!(facts.0["os"]["version_minor"], minor, "{os_release}");
        }
    }

    #[test]
    fn gathers_this_machine() {
        let facts = local(&[]).unwrap();
        assert!(facts.0["arch"].as_str().is_some_and(|a| !a.is_empty()));
        assert!(
            facts.0["os"]["family"]
                .as_str()
                .is_some_and(|f| !f.is_empty())
        );
        assert!(facts.0["cpu"]["count"].as_i64().is_some_and(|n| n > 0));
        assert!(facts.0["mounts"].as_array().is_some_and(|m| !m.is_empty()));
    }

    /// A custom command that does not parse, or that exits, costs its own fact only: the
    /// facts after it and the built-in ones are still gathered.
    #[test]
    fn a_broken_custom_command_costs_its_own_fact_only() {
        let custom = |name: &str, command: &str| Custom {
            name: name.into(),
            command: crate::shell::UserShell(command.into()),
            parse: Parse::Raw,
        };
        let facts = local(&[
            custom("broken", "if then ( fi"),
            custom("leaves", "echo gone; exit 3"),
            custom("after", "echo here"),
        ])
        .unwrap();
        assert_eq!(
            facts.0["custom"]["after"], "here",
            "{:?}",
            facts.0["custom"]
        );
        assert_eq!(facts.0["custom"]["leaves"], "gone");
        assert!(facts.0["os"]["family"].is_string());
    }
}
