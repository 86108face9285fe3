//! What a live run learned about each host, parsed from the script's marked status lines;
//! and the document kiln writes of a run (`--format json`), which a script writes of its own
//! run too (`--report`, `src/runtime/report.sh`) and `kiln report` reads back.

use serde::{Deserialize, Serialize};

use super::HostError;
use crate::bind::Secrets;
use crate::connect::ConnectError;
use crate::runtime::status::STATUS_LINE;

/// A run's report as read back: every host's, in the order they were written (kiln writes
/// it with `cli::live::report_json`).
#[derive(Clone, Debug, Default, Deserialize)]
pub(crate) struct RunReport {
    pub hosts: Vec<HostReport>,
}

/// One op's outcome on one host.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct OpOutcome {
    /// `1`, `2`, ... for ops; `h1`, ... for handlers.
    pub index: String,
    /// `ok`, `changed`, `would-change`, `would-fail` (a plan: the op would fail as the host
    /// is), `failed`, `failed-ignored`, `skipped` (its `when` was false) or `not-run` (an
    /// earlier op failed).
    pub status: String,
    pub label: String,
    pub origin: String,
    /// What the op printed on standard output: the diff in a plan, command output in an
    /// apply (and, after a failed check, what still differs).
    pub detail: String,
    /// What the op printed on standard error, and nothing printed before or after it.
    pub stderr: String,
    /// What the script said of the outcome: why an op that applied failed ("applied, but
    /// the check after it still fails: ..."), what a planned change depends on, why it
    /// would fail. Empty when there is nothing to say.
    pub note: String,
    /// How long the op took, as seen from kiln (its probe, and its act and verify when it
    /// changed something): from the host announcing the op to the host reporting it.
    pub seconds: f64,
    /// The file a `files.get` op sent back, to be written on the controller.
    #[serde(skip)]
    pub fetched: Option<Fetched>,
}

/// A file the host sent back in marked lines (`k_get`): the SHA-256 it announced and the
/// bytes that followed; `damaged` when a line was not hex.
#[derive(Clone, Debug, Default)]
pub(crate) struct Fetched {
    pub sha256: String,
    pub bytes: Vec<u8>,
    pub damaged: bool,
}

impl Fetched {
    /// Appends the bytes of one `data` line: hex pairs separated by blanks.
    fn data(&mut self, hex: &str) {
        for pair in hex.split_ascii_whitespace() {
            match u8::from_str_radix(pair, 16) {
                Ok(byte) if pair.len() == 2 => self.bytes.push(byte),
                _ => self.damaged = true,
            }
        }
    }
}

/// One host's result.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct HostReport {
    pub host: String,
    pub target: String,
    /// `ok`, `changed` (`would-change` in a plan), `failed`, `unreachable`, or `skipped`
    /// (not started: too many hosts failed).
    pub status: String,
    pub ops: Vec<OpOutcome>,
    pub ok: usize,
    pub changed: usize,
    pub failed: usize,
    /// Ops whose `when` was false.
    pub skipped: usize,
    /// Ops not run because an earlier one failed.
    pub not_run: usize,
    /// Commands run on the host (SSH channels): constant per host, whatever the op count.
    pub round_trips: usize,
    /// Wall time of the host's last run (the plan's or the apply's script), in seconds.
    pub seconds: f64,
    /// Why the host failed as a whole (unreachable, a script that could not be made).
    pub error: Option<String>,
    /// Standard error of the runs printed outside any op (each op's own is in its
    /// outcome).
    pub stderr: String,
}

impl HostReport {
    pub(crate) fn failed(&self) -> bool {
        self.status == "failed" || self.status == "unreachable"
    }

    /// The host failed as a whole, for `error`'s reason.
    pub(crate) fn fail(&mut self, error: HostError) {
        self.status = error.status().into();
        self.error = Some(error.to_string());
    }

    /// Takes the ops' outcomes of a run, and counts them by status.
    pub(crate) fn count(&mut self, ops: Vec<OpOutcome>) {
        self.ops = ops;
        let count = |statuses: &[&str]| {
            self.ops
                .iter()
                .filter(|o| statuses.contains(&o.status.as_str()))
                .count()
        };
        self.ok = count(&["ok"]);
        self.changed = count(&["changed", "would-change"]);
        self.failed = count(&["failed", "would-fail"]);
        self.skipped = count(&["skipped"]);
        self.not_run = count(&["not-run"]);
    }

    /// The host's status after a run whose connector returned `result` and whose
    /// conversation ended with `error`, in check mode (`check`) or for real; its ops
    /// counted already.
    pub(crate) fn settle(
        &mut self,
        result: Result<i32, ConnectError>,
        error: Option<HostError>,
        check: bool,
    ) {
        let status = match (result, error) {
            (Err(lost), _) => return self.fail(HostError::Lost(lost)),
            (Ok(_), Some(error)) => return self.fail(error),
            // An op the controller failed after the script (`files.get`'s copy).
            (Ok(0), None) if self.failed > 0 => "failed",
            (Ok(0), None) if self.changed > 0 && check => "would-change",
            (Ok(0), None) if self.changed > 0 => "changed",
            (Ok(0), None) => "ok",
            // Failed ops say why the script failed; otherwise the host must.
            (Ok(code), None) if self.failed == 0 => {
                let stderr = self.stderr.clone();
                return self.fail(HostError::Exited { code, stderr });
            }
            (Ok(_), None) => "failed",
        };
        self.status = status.into();
    }

    /// Replaces every secret in what the host printed (ops' labels and output, standard
    /// error, the error) with `***`.
    pub(crate) fn mask(&mut self, secrets: &Secrets) {
        if secrets.is_empty() {
            return;
        }
        for op in &mut self.ops {
            op.label = secrets.mask(&op.label);
            op.detail = secrets.mask(&op.detail);
            op.stderr = secrets.mask(&op.stderr);
            op.note = secrets.mask(&op.note);
        }
        self.stderr = secrets.mask(&self.stderr);
        self.error = self.error.as_deref().map(|error| secrets.mask(error));
    }
}

/// Seconds, to the millisecond (what a report needs, and stable to read).
pub(crate) fn seconds(duration: std::time::Duration) -> f64 {
    (duration.as_secs_f64() * 1000.0).round() / 1000.0
}

/// Reads a run's standard output as it arrives and makes op outcomes of it. Lines starting
/// with the run's marker are the script's own: `begin INDEX LABEL` when an op starts, then
/// its status line when it is done (`runtime::status`, parsed with the definition the
/// script printed it with), `stderr TEXT` for a line the op printed
/// on standard error, an indented line for a note on the op just reported. Other lines
/// are what commands printed. Everything between an op's `begin` and the next one is that
/// op's: command output before its status line, its diff (check mode) or what still
/// differs (a failed check) after it, then its standard error. The summary line
/// (`kiln: ...`) ends the script: what follows is a background command's, and is dropped.
pub(crate) struct OutputReader<'a> {
    marker: &'a str,
    /// Bytes of an unfinished line.
    partial: Vec<u8>,
    /// Output of the op running (begun, not yet reported): standard output and error.
    pending: String,
    pending_stderr: String,
    /// The file the running op is sending back (`files.get`).
    pending_fetch: Option<Fetched>,
    /// Whether an op has begun and not yet reported its status.
    running: bool,
    started: Option<std::time::Instant>,
    pub outcomes: Vec<OpOutcome>,
    /// Whether the summary line was read.
    ended: bool,
}

impl<'a> OutputReader<'a> {
    pub(crate) fn new(marker: &'a str) -> Self {
        OutputReader {
            marker,
            partial: Vec::new(),
            pending: String::new(),
            pending_stderr: String::new(),
            pending_fetch: None,
            running: false,
            started: None,
            outcomes: Vec::new(),
            ended: false,
        }
    }

    /// Whether the script's summary line, its last, was read.
    pub(crate) fn ended(&self) -> bool {
        self.ended
    }

    /// Takes a chunk of output; calls `begun` with the index and label of every op that
    /// starts in it.
    pub(crate) fn feed(&mut self, chunk: &[u8], begun: &mut dyn FnMut(&str, &str)) {
        self.partial.extend_from_slice(chunk);
        let Some(last_newline) = self.partial.iter().rposition(|&b| b == b'\n') else {
            return;
        };
        let rest = self.partial.split_off(last_newline + 1);
        let complete = std::mem::replace(&mut self.partial, rest);
        for line in String::from_utf8_lossy(&complete).lines() {
            self.line(line, begun);
        }
    }

    /// The outcomes, once the output has ended (an unfinished last line is read too).
    pub(crate) fn finish(mut self) -> Vec<OpOutcome> {
        let rest = std::mem::take(&mut self.partial);
        for line in String::from_utf8_lossy(&rest).lines() {
            self.line(line, &mut |_, _| {});
        }
        self.outcomes
    }

    /// The op reported last, while no other has begun: what comes now is still its own.
    fn reported(&mut self) -> Option<&mut OpOutcome> {
        if self.running {
            return None;
        }
        self.outcomes.last_mut()
    }

    fn line(&mut self, line: &str, begun: &mut dyn FnMut(&str, &str)) {
        if self.ended {
            return;
        }
        let Some(own) = line.strip_prefix(self.marker) else {
            match self.reported() {
                Some(last) => {
                    push_line(&mut last.detail, line.strip_prefix("    ").unwrap_or(line))
                }
                None => push_line(&mut self.pending, line),
            }
            return;
        };
        if own.starts_with("kiln: ") {
            self.ended = true;
            return;
        }
        if let Some(text) = own.strip_prefix("stderr ") {
            match self.reported() {
                Some(last) => push_line(&mut last.stderr, text),
                None => push_line(&mut self.pending_stderr, text),
            }
            return;
        }
        if let Some(sha256) = own.strip_prefix("get ") {
            self.pending_fetch = Some(Fetched {
                sha256: sha256.to_owned(),
                ..Fetched::default()
            });
            return;
        }
        if let Some(hex) = own.strip_prefix("data") {
            if let Some(fetched) = &mut self.pending_fetch {
                fetched.data(hex);
            }
            return;
        }
        if let Some(note) = own.strip_prefix("    ") {
            if let Some(last) = self.reported() {
                if !last.note.is_empty() {
                    last.note.push('\n');
                }
                last.note.push_str(note);
            }
            return;
        }
        if let Some(begin) = own.strip_prefix("begin ") {
            self.running = true;
            self.started = Some(std::time::Instant::now());
            let (index, label) = begin.split_once(' ').unwrap_or((begin, ""));
            begun(index, label);
            return;
        }
        let Some(status) = STATUS_LINE.parse(own) else {
            return;
        };
        self.running = false;
        self.outcomes.push(OpOutcome {
            index: status.index,
            status: status.status,
            label: status.label,
            origin: status.origin,
            detail: std::mem::take(&mut self.pending),
            stderr: std::mem::take(&mut self.pending_stderr),
            note: String::new(),
            seconds: self.started.take().map_or(0.0, |t| seconds(t.elapsed())),
            fetched: self.pending_fetch.take(),
        });
    }
}

/// Appends `line` and its newline to `text`.
fn push_line(text: &mut String, line: &str) {
    text.push_str(line);
    text.push('\n');
}

/// The outcomes of a whole run's standard output.
#[cfg(test)]
fn parse(stdout: &str, marker: &str) -> Vec<OpOutcome> {
    let mut reader = OutputReader::new(marker);
    reader.feed(stdout.as_bytes(), &mut |_, _| {});
    reader.finish()
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
        let outcomes = parse(&check, mark);
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
        let outcomes = parse(&apply, mark);
        assert_eq!(outcomes[0].detail, "hello from the command\n");
        assert_eq!(outcomes[0].index, "3");
    }

    #[test]
    fn reads_lines_split_across_chunks_and_times_ops() {
        let mark = "\u{1e}k7\u{1e}";
        let output = format!(
            "{mark}begin 1 server.shell sleep\nslept\n{mark}changed         1  server.shell sleep  [m.toml:1]\n{mark}skipped         2  files.put /x  [m.toml:4]"
        );
        let mut reader = OutputReader::new(mark);
        let mut begun = Vec::new();
        for (i, chunk) in output.as_bytes().chunks(5).enumerate() {
            if i == 8 {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            reader.feed(chunk, &mut |index, label| {
                begun.push(format!("{index} {label}"))
            });
        }
        let outcomes = reader.finish();
        assert_eq!(begun, ["1 server.shell sleep"]);
        assert_eq!(outcomes.len(), 2, "the unfinished last line is read too");
        assert_eq!(outcomes[0].detail, "slept\n");
        assert!(outcomes[0].seconds >= 0.02, "{}", outcomes[0].seconds);
        assert_eq!(outcomes[1].status, "skipped");
        assert_eq!(outcomes[1].seconds, 0.0, "a skipped op never began");
    }

    #[test]
    fn the_summary_line_ends_the_output() {
        let mark = "\u{1e}k7\u{1e}";
        let mut reader = OutputReader::new(mark);
        reader.feed(
            format!("{mark}would-change    1  files.put /x  [m.toml:1]\n    +x\n").as_bytes(),
            &mut |_, _| {},
        );
        assert!(!reader.ended());
        reader.feed(
            format!("{mark}kiln: 0 ok, 1 would change, 0 failed, 0 skipped\nlater, from the background\n")
                .as_bytes(),
            &mut |_, _| {},
        );
        assert!(reader.ended());
        let outcomes = reader.finish();
        assert_eq!(
            outcomes[0].detail, "+x\n",
            "later output is not the op's diff"
        );
    }

    /// Each op gets what was printed while it ran, and nothing of the ops before it: its
    /// output, its marked standard error, its note; ops not run are outcomes too.
    #[test]
    fn each_op_gets_its_own_output_only() {
        let mark = "\u{1e}k7\u{1e}";
        let output = format!(
            "{mark}begin 1 apt.packages curl\nReading package lists...\n{mark}changed         1  apt.packages curl  [m.toml:1]\n\
             {mark}stderr debconf: delaying package configuration\n\
             {mark}begin 2 site.thing x\nacting\n{mark}failed          2  site.thing x  [m.toml:5]\n\
             {mark}    applied, but the check after it still fails: its probe succeeds: test -e /x\n\
             {mark}stderr no such file\n\
             {mark}not-run         3  files.put /y  [m.toml:9]\n\
             {mark}kiln: 0 ok, 1 changed, 1 failed, 0 skipped, 1 not run\n"
        );
        let outcomes = parse(&output, mark);
        let seen: Vec<[&str; 5]> = outcomes
            .iter()
            .map(|o| [&o.index, &o.status, &o.detail, &o.stderr, &o.note].map(String::as_str))
            .collect();
        assert_eq!(
            seen,
            [
                [
                    "1",
                    "changed",
                    "Reading package lists...\n",
                    "debconf: delaying package configuration\n",
                    ""
                ],
                [
                    "2",
                    "failed",
                    "acting\n",
                    "no such file\n",
                    "applied, but the check after it still fails: its probe succeeds: test -e /x"
                ],
                ["3", "not-run", "", "", ""],
            ]
        );
    }
}
