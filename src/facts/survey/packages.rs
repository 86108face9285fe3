//! `packages`: installed packages and their versions, from the package manager's database
//! tool, in the format `survey.sh` asks each for.

use serde_json::{Map, Value};

use crate::facts::output::Section;

/// Package → its installed versions (two for a package installed for two architectures in
/// different versions, or an RPM installed twice, as kernels are).
pub(super) fn packages(section: &Section<'_>) -> Value {
    let mut packages: Map<String, Value> = Map::new();
    for line in &section.lines {
        let Some((name, version)) = entry(section.source, line) else {
            continue;
        };
        let versions = packages
            .entry(name.to_owned())
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(versions) = versions
            && !versions.iter().any(|v| v == version.as_str())
        {
            versions.push(Value::from(version));
        }
    }
    Value::Object(packages)
}

/// One line's package and version, or `None` for a line that lists no installed package.
fn entry<'a>(source: &str, line: &'a str) -> Option<(&'a str, String)> {
    let fields: Vec<&str> = line.split_whitespace().collect();
    match (source, &fields[..]) {
        // `${db:Status-Abbrev} ${Package} ${Version} ${Architecture}`: `ii ` is installed;
        // the status's second letter is the state (`rc`: removed, its configuration kept).
        ("dpkg", [status, name, version, ..]) => {
            (status.as_bytes().get(1) == Some(&b'i')).then(|| (*name, (*version).to_owned()))
        }
        // `%{NAME} %{EPOCH}:%{VERSION}-%{RELEASE} %{ARCH}`; no epoch is `(none)`.
        ("rpm", [name, version, ..]) => {
            let version = version.strip_prefix("(none):").unwrap_or(version);
            Some((*name, version.to_owned()))
        }
        // `NAME-VERSION-rRELEASE` (`apk info -v`), then more fields with `apk list -I`;
        // the name may hold dashes, the version does not.
        ("apk", [package, ..]) => {
            let mut parts = package.rsplitn(3, '-');
            let (release, version, name) = (parts.next()?, parts.next()?, parts.next()?);
            let numbered =
                release.starts_with('r') && version.starts_with(|c: char| c.is_ascii_digit());
            numbered.then(|| (name, format!("{version}-{release}")))
        }
        ("pacman", [name, version]) => Some((*name, (*version).to_owned())),
        _ => None,
    }
}
