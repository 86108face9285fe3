//! What a live run learned about each host, parsed from the script's marked status lines.

use serde::Serialize;

/// One op's outcome on one host.
#[derive(Clone, Debug, Serialize)]
pub struct OpOutcome {
    /// `1`, `2`, ... for ops; `h1`, ... for handlers.
    pub index: String,
    /// `ok`, `changed`, `would-change`, `failed`, `failed-ignored`, `skipped`.
    pub status: String,
    pub label: String,
    pub origin: String,
    /// What the op printed: the diff in a plan, command output in an apply.
    pub detail: String,
}

/// One host's result.
#[derive(Clone, Debug, Default, Serialize)]
pub struct HostReport {
    pub host: String,
    pub target: String,
    /// `ok`, `changed`, `failed` or `unreachable`.
    pub status: String,
    pub ops: Vec<OpOutcome>,
    pub ok: usize,
    pub changed: usize,
    pub failed: usize,
    pub skipped: usize,
    /// Commands run on the host (SSH channels): constant per host, whatever the op count.
    pub round_trips: usize,
    /// Why the host failed as a whole (unreachable, a script that could not be made).
    pub error: Option<String>,
    /// Standard error of the runs (what failing commands said).
    pub stderr: String,
}

impl HostReport {
    pub fn failed(&self) -> bool {
        self.status == "failed" || self.status == "unreachable"
    }
}

/// Splits a run's standard output into op outcomes. Lines starting with `marker` are status
/// lines (`STATUS INDEX LABEL [ORIGIN]`); other lines are detail: in check mode they follow
/// the status line they belong to (the diff), in apply mode they come before it (the act's
/// output).
pub fn parse(stdout: &str, marker: &str, check_mode: bool) -> Vec<OpOutcome> {
    let mut outcomes: Vec<OpOutcome> = Vec::new();
    let mut pending = String::new();
    for line in stdout.lines() {
        let Some(status_line) = line.strip_prefix(marker) else {
            if check_mode && let Some(last) = outcomes.last_mut() {
                last.detail
                    .push_str(line.strip_prefix("    ").unwrap_or(line));
                last.detail.push('\n');
            } else {
                pending.push_str(line);
                pending.push('\n');
            }
            continue;
        };
        if status_line.starts_with("kiln: ") {
            continue;
        }
        let mut words = status_line.split_whitespace();
        let (Some(status), Some(index)) = (words.next(), words.next()) else {
            continue;
        };
        let rest = status_line
            .splitn(3, char::is_whitespace)
            .nth(2)
            .unwrap_or_default()
            .trim_start()
            .trim_start_matches(index)
            .trim();
        let (label, origin) = match rest.rfind("  [") {
            Some(at) if rest.ends_with(']') => (
                rest[..at].trim().to_owned(),
                rest[at + 3..rest.len() - 1].to_owned(),
            ),
            _ => (rest.to_owned(), String::new()),
        };
        outcomes.push(OpOutcome {
            index: index.to_owned(),
            status: status.to_owned(),
            label,
            origin,
            detail: if check_mode {
                String::new()
            } else {
                std::mem::take(&mut pending)
            },
        });
    }
    outcomes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_check_and_apply_output() {
        let mark = "\u{1e}k7\u{1e}";
        let check = format!(
            "{mark}ok              1  files.directory /srv  [main.toml:1]\n\
             {mark}would-change    2  files.put /etc/motd  [main.toml:5]\n    --- /etc/motd\n    +++ /etc/motd (desired)\n\
             {mark}kiln: 1 ok, 1 would change, 0 failed, 0 skipped\n"
        );
        let outcomes = parse(&check, mark, true);
        assert_eq!(outcomes.len(), 2);
        assert_eq!(outcomes[1].status, "would-change");
        assert_eq!(outcomes[1].label, "files.put /etc/motd");
        assert_eq!(outcomes[1].origin, "main.toml:5");
        assert_eq!(
            outcomes[1].detail,
            "--- /etc/motd\n+++ /etc/motd (desired)\n"
        );
        let apply = format!(
            "hello from the command\n{mark}changed         3  server.shell echo  [m.toml:9]\n"
        );
        let outcomes = parse(&apply, mark, false);
        assert_eq!(outcomes[0].detail, "hello from the command\n");
        assert_eq!(outcomes[0].index, "3");
    }
}
