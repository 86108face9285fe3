//! One run of a host's script as one conversation with one `sh -s` on the host.
//!
//! When the host's script is not made yet and the manifest needs facts, the fact probe is
//! sent first; its output is read up to an end mark; the script is made with those facts
//! and sent on the same standard input, to the same shell. So gathering facts and planning
//! (or applying, with `-y`) is one round trip, not two. Once the script is sent, standard
//! input is closed and the shell ends with the script.
//!
//! The script is preceded by its run's marker (`KILN_MARK`, which tells status lines from
//! command output) and, when there is one, the become password: both are variables set in
//! the script's own text, which only ever lives in the shell's memory on the host: never an
//! argument (visible in `ps`), never exported, never written to a file.
//!
//! The script's summary line ends the run for the connector (`Conversation::ended`): a
//! command the script left running in the background may hold the output open, and what
//! it writes later is not the script's.

use crate::connect::{Conversation, Input, Stream};
use crate::facts::Facts;
use crate::shell::quote;

use super::HostError;
use super::report::{OpOutcome, OutputReader};

/// The host's script and its number of ops, or why it cannot be made.
pub(super) type Made = Result<(String, usize), String>;

/// The line that gives a script the become password, if there is one (see `k_as`).
pub(super) fn become_head(password: Option<&str>) -> String {
    password.map_or_else(String::new, |p| format!("KILN_BECOME_PASS={}\n", quote(p)))
}

/// Makes the host's script from its facts, if it has any.
pub(super) struct Maker<'a> {
    pub make: &'a dyn Fn(Option<&Facts>) -> Made,
    pub needs_facts: bool,
    /// The manifest's custom facts, gathered with the built-in ones.
    pub custom_facts: &'a [crate::facts::Custom],
}

enum Stage {
    /// Nothing sent yet.
    Start,
    /// The fact probe is sent; its output, collected until the end mark.
    Facts(Vec<u8>),
    /// The script is made and waits to be sent.
    Ready,
    /// The script is sent; what comes now is its output.
    Sent,
    /// Nothing more to send.
    Closed,
}

pub(super) struct HostRun<'a> {
    stage: Stage,
    /// The line the fact probe ends with.
    facts_end: String,
    /// What precedes the script: its marker and the become password.
    head: String,
    /// The host's script, made in an earlier run (the plan's, before the apply).
    script: Option<&'a str>,
    maker: Maker<'a>,
    made: Option<(String, usize)>,
    ops_total: usize,
    reader: OutputReader<'a>,
    stderr: Vec<u8>,
    error: Option<HostError>,
    op_started: &'a dyn Fn(&str, usize, &str),
}

/// What a run learned.
pub(super) struct Outcome {
    /// The script made in this run, and its number of ops.
    pub made: Option<(String, usize)>,
    pub ops: Vec<OpOutcome>,
    pub stderr: String,
    /// Why the host failed other than by its script's exit status.
    pub error: Option<HostError>,
}

impl<'a> HostRun<'a> {
    /// A run marked `mark` of `script` if it is made already (with `ops_total` ops), else
    /// of the one `maker` makes. `op_started` hears of every op as it starts: its index,
    /// the number of ops, its label.
    pub(super) fn new(
        mark: &'a str,
        become_password: Option<&str>,
        script: Option<&'a str>,
        ops_total: usize,
        maker: Maker<'a>,
        op_started: &'a dyn Fn(&str, usize, &str),
    ) -> Self {
        let password = become_head(become_password);
        HostRun {
            stage: Stage::Start,
            facts_end: format!("{mark}facts-end"),
            head: format!("KILN_MARK={}\n{password}", quote(mark)),
            script,
            maker,
            made: None,
            ops_total,
            reader: OutputReader::new(mark),
            stderr: Vec::new(),
            error: None,
            op_started,
        }
    }

    fn marked(&self, script: &str) -> Vec<u8> {
        let mut text = Vec::with_capacity(self.head.len() + script.len());
        text.extend_from_slice(self.head.as_bytes());
        text.extend_from_slice(script.as_bytes());
        text
    }

    /// Makes the script: ready to send, or the reason it cannot be.
    fn make(&mut self, facts: Option<&Facts>) {
        match (self.maker.make)(facts) {
            Ok((script, ops)) => {
                self.ops_total = ops;
                self.made = Some((script, ops));
                self.stage = Stage::Ready;
            }
            Err(why) => {
                self.error = Some(HostError::NoScript(why));
                self.stage = Stage::Closed;
            }
        }
    }

    fn script_output(&mut self, chunk: &[u8]) {
        let (total, op_started) = (self.ops_total, self.op_started);
        self.reader
            .feed(chunk, &mut |index, label| op_started(index, total, label));
    }

    pub(super) fn finish(self) -> Outcome {
        let error = match self.stage {
            Stage::Facts(_) => Some(HostError::FactsCut),
            _ => self.error,
        };
        Outcome {
            made: self.made,
            ops: self.reader.finish(),
            stderr: String::from_utf8_lossy(&self.stderr).into_owned(),
            error,
        }
    }
}

impl Conversation for HostRun<'_> {
    fn input(&mut self) -> Input {
        if let Stage::Start = self.stage {
            if let Some(script) = self.script {
                self.stage = Stage::Sent;
                return Input::Send(self.marked(script));
            }
            if self.maker.needs_facts {
                self.stage = Stage::Facts(Vec::new());
                // In a subshell, so the probe leaves nothing behind in the script's shell;
                // reading nothing, so it cannot wait on the script still to come.
                return Input::Send(
                    format!(
                        "(\n{}\n) </dev/null\nprintf '\\n%s\\n' {}\n",
                        crate::facts::probe(self.maker.custom_facts),
                        quote(&self.facts_end)
                    )
                    .into_bytes(),
                );
            }
            self.make(None);
        }
        match self.stage {
            Stage::Facts(_) => Input::Wait,
            Stage::Ready => {
                self.stage = Stage::Sent;
                let script = self.made.as_ref().map_or("", |(s, _)| s.as_str());
                Input::Send(self.marked(script))
            }
            Stage::Start | Stage::Sent | Stage::Closed => {
                self.stage = Stage::Closed;
                Input::Close
            }
        }
    }

    fn ended(&self) -> bool {
        self.reader.ended()
    }

    fn output(&mut self, stream: Stream, chunk: &[u8]) {
        if stream == Stream::Stderr {
            self.stderr.extend_from_slice(chunk);
            return;
        }
        let Stage::Facts(collected) = &mut self.stage else {
            self.script_output(chunk);
            return;
        };
        collected.extend_from_slice(chunk);
        let end = format!("\n{}\n", self.facts_end);
        let Some(at) = collected
            .windows(end.len())
            .position(|w| w == end.as_bytes())
        else {
            return;
        };
        let rest = collected.split_off(at + end.len());
        let facts = crate::facts::parse(
            &String::from_utf8_lossy(&collected[..at]),
            self.maker.custom_facts,
        );
        self.make(Some(&facts));
        if !rest.is_empty() {
            self.script_output(&rest);
        }
    }
}
