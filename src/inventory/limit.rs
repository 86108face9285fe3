//! `--limit`: which hosts of the inventory a run works on, as Ansible and pyinfra users
//! write it: comma-separated host or group names, `*` and `?` wildcards, and `!` in front
//! of a pattern to leave its hosts out.

use super::{Host, Inventory};

impl Inventory {
    /// Keeps only the hosts `patterns` selects. A pattern that matches no host and no group
    /// is an error (a typo must not silently make the run smaller), with a suggestion.
    pub fn limit(&mut self, patterns: &str) -> Result<(), String> {
        let mut include = Vec::new();
        let mut exclude = Vec::new();
        for pattern in patterns.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (list, pattern) = match pattern.strip_prefix('!') {
                Some(rest) => (&mut exclude, rest),
                None => (&mut include, pattern),
            };
            if !self.hosts.iter().any(|host| selects(pattern, host)) {
                let names = self
                    .hosts
                    .iter()
                    .map(|h| h.name.as_str())
                    .chain(self.group_names());
                let hint = crate::diagnostic::did_you_mean(pattern, names)
                    .map(|best| format!(" (did you mean `{best}`?)"))
                    .unwrap_or_default();
                return Err(format!(
                    "`{pattern}` matches no host and no group of the inventory{hint}"
                ));
            }
            list.push(pattern);
        }
        if include.is_empty() && exclude.is_empty() {
            return Err("no host or group given".into());
        }
        self.hosts.retain(|host| {
            (include.is_empty() || include.iter().any(|p| selects(p, host)))
                && !exclude.iter().any(|p| selects(p, host))
        });
        Ok(())
    }
}

/// Whether `pattern` names the host, or a group it is in.
fn selects(pattern: &str, host: &Host) -> bool {
    matches(pattern.as_bytes(), host.name.as_bytes())
        || host
            .groups
            .iter()
            .any(|g| matches(pattern.as_bytes(), g.as_bytes()))
}

/// Shell-style matching with `*` (any run) and `?` (any one character), iteratively, so
/// a long pattern costs linear time and no stack.
fn matches(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(b'*') => {
                star = Some((p, t));
                p += 1;
            }
            Some(&c) if c == b'?' || c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::Target;

    fn host(name: &str, groups: &[&str]) -> Host {
        Host {
            name: name.into(),
            target: Target::Local,
            groups: groups.iter().map(|g| g.to_string()).collect(),
            vars: Vec::new(),
        }
    }

    fn inventory() -> Inventory {
        Inventory {
            hosts: vec![
                host("web1", &["all", "web"]),
                host("web2", &["all", "web"]),
                host("db1", &["all", "db"]),
            ],
            groups: vec!["all".into(), "db".into(), "web".into()],
        }
    }

    fn names(inventory: &Inventory) -> Vec<&str> {
        inventory.hosts.iter().map(|h| h.name.as_str()).collect()
    }

    #[test]
    fn selects_by_name_group_wildcard_and_exclusion() {
        for (patterns, expected) in [
            ("web1", vec!["web1"]),
            ("db", vec!["db1"]),
            ("web*", vec!["web1", "web2"]),
            ("w?b2,db1", vec!["web2", "db1"]),
            ("all,!web2", vec!["web1", "db1"]),
            ("!db", vec!["web1", "web2"]),
        ] {
            let mut inventory = inventory();
            inventory.limit(patterns).unwrap();
            assert_eq!(names(&inventory), expected, "{patterns}");
        }
    }

    #[test]
    fn a_pattern_matching_nothing_is_an_error() {
        let error = inventory().limit("web3,wbe1").unwrap_err();
        assert!(error.contains("`web3`"), "{error}");
        assert!(
            inventory()
                .limit("dbb")
                .unwrap_err()
                .contains("did you mean `db")
        );
        assert!(inventory().limit(" , ").is_err());
    }

    #[test]
    fn wildcards_match_like_the_shell() {
        assert!(matches(b"*", b""));
        assert!(matches(b"a*b*c", b"axxbyyc"));
        assert!(!matches(b"a*b*c", b"axxbyy"));
        assert!(matches(b"*.example.org", b"web.example.org"));
        assert!(!matches(b"?", b""));
        assert!(!matches(
            &[b'*'; 1000].iter().chain(b"x").copied().collect::<Vec<_>>(),
            &[b'a'; 1000]
        ));
    }
}
