//! Reports read back from files: a live run's `--format json`, a script's `--report`, or
//! one `kiln report merge` wrote (all one schema, [`RunReport`]). Merged, every host is in
//! exactly one file: a host in two is an error naming both, never a silent choice between
//! two runs of it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::report::RunReport;

/// Reads every file of `paths` and merges their hosts, in the order of the files and of the
/// hosts in each; an error (saying which file, and where in it) when one cannot be read or
/// is not a report, or when a host is in two.
pub(crate) fn merge(paths: &[PathBuf]) -> Result<RunReport, String> {
    let mut merged = RunReport::default();
    let mut read_from: HashMap<String, &Path> = HashMap::new();
    for path in paths {
        for host in read(path)?.hosts {
            if let Some(first) = read_from.insert(host.host.clone(), path) {
                return Err(format!(
                    "host `{}` is in both {} and {}: each host's report must come from one run \
                     (were two shards given the same K/N, or one file twice?)",
                    host.host,
                    first.display(),
                    path.display()
                ));
            }
            merged.hosts.push(host);
        }
    }
    Ok(merged)
}

/// One report file.
fn read(path: &Path) -> Result<RunReport, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|error| format!("{}: cannot read it: {error}", path.display()))?;
    serde_json::from_str(&text).map_err(|error| {
        format!(
            "{}:{}:{}: not a kiln report: {error} (expected the JSON of `kiln apply --format json`, \
             of a script's `--report` or of `kiln report merge --format json`)",
            path.display(),
            error.line(),
            error.column()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    const HOST: &str = r#"{"host": "H", "target": "@local", "status": "ok", "ops": [], "ok": 0,
        "changed": 0, "failed": 0, "skipped": 0, "not_run": 0, "round_trips": 0, "seconds": 0,
        "error": null, "stderr": ""}"#;

    fn report(hosts: &[&str]) -> String {
        let hosts: Vec<String> = hosts
            .iter()
            .map(|h| HOST.replace("\"H\"", &format!("{h:?}")))
            .collect();
        format!("{{\"hosts\": [{}]}}", hosts.join(","))
    }

    #[test]
    fn merges_files_in_order_and_refuses_a_host_twice() {
        let dir = tempfile::tempdir().unwrap();
        let a = write(dir.path(), "a.json", &report(&["web1", "web2"]));
        let b = write(dir.path(), "b.json", &report(&["db1"]));
        let merged = merge(&[a.clone(), b.clone()]).unwrap();
        let names: Vec<&str> = merged.hosts.iter().map(|h| h.host.as_str()).collect();
        assert_eq!(names, ["web1", "web2", "db1"]);
        let c = write(dir.path(), "c.json", &report(&["web2"]));
        let error = merge(&[a.clone(), b, c.clone()]).unwrap_err();
        assert!(error.contains("`web2`"), "{error}");
        assert!(error.contains(&a.display().to_string()), "{error}");
        assert!(error.contains(&c.display().to_string()), "{error}");
    }

    #[test]
    fn says_where_a_file_is_not_a_report() {
        let dir = tempfile::tempdir().unwrap();
        let bad = write(dir.path(), "bad.json", "{\"hosts\": [\n  {\"host\": 3}\n]}");
        let error = merge(std::slice::from_ref(&bad)).unwrap_err();
        assert!(
            error.starts_with(&format!("{}:2:", bad.display())),
            "{error}"
        );
        assert!(error.contains("expected the JSON of"), "{error}");
        let missing = dir.path().join("missing.json");
        assert!(merge(&[missing]).unwrap_err().contains("cannot read it"));
    }
}
