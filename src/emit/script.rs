//! A host's script from its ops' texts, written straight to a writer: a header (generator,
//! host, sources, usage), the runtime the script uses (and, when steps run as another user,
//! the runtime their code uses, in `KILN_LIB`), the run's start (become checks, facts
//! gathered on the host), each op's text, the handlers', the summary.
//!
//! The runtime comes before the steps, so what the script uses is known first: each op's
//! text says what it mentions ([`OpText`]), and the runtime's text for a set of functions is
//! made once per run and shared by every script that uses that set ([`Runtimes`]).

use std::collections::{BTreeSet, HashMap};
use std::io::{self, Write};
use std::sync::{Arc, Mutex, PoisonError};

use super::{OpText, fuse};
use crate::inventory::Host;
use crate::runtime::call::{self, Fusion};
use crate::runtime::{Uses, runtime};

/// The runtime texts made so far in this run, by the set of definitions they hold: for
/// the script's own shell, and for other users' (`KILN_LIB='...'`).
#[derive(Default)]
pub(crate) struct Runtimes {
    here: Mutex<HashMap<Uses, Arc<str>>>,
    elsewhere: Mutex<HashMap<Uses, Arc<str>>>,
}

impl Runtimes {
    fn here(&self, uses: &Uses) -> Arc<str> {
        made_once(&self.here, uses, || runtime().text_of(uses))
    }

    fn elsewhere(&self, uses: &Uses) -> Arc<str> {
        made_once(&self.elsewhere, uses, || {
            call::runtime_for_others(&runtime().text_of(uses))
        })
    }
}

/// The text for `uses` in `made`, made by `make` the first time.
fn made_once(
    made: &Mutex<HashMap<Uses, Arc<str>>>,
    uses: &Uses,
    make: impl FnOnce() -> String,
) -> Arc<str> {
    if let Some(text) = made
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(uses)
    {
        return Arc::clone(text);
    }
    // Made outside the lock: another host's script may be asking for another set.
    let text: Arc<str> = Arc::from(make());
    made.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .entry(uses.clone())
        .or_insert(text)
        .clone()
}

/// What a script is made of besides its ops: its host, the manifest files (named in the
/// header) and the runtime texts made so far.
pub(crate) struct Frame<'a> {
    pub(crate) host: &'a Host,
    pub(crate) files: &'a [String],
    pub(crate) runtimes: &'a Runtimes,
    /// Whether runs of like ops are fused ([`super::fuse`]).
    pub(crate) fuse: bool,
}

/// Writes the script of `ops` then `handlers` (their texts, in order) to `out`.
pub(crate) fn write(
    out: &mut dyn Write,
    frame: &Frame,
    ops: &[&OpText],
    handlers: &[&OpText],
) -> io::Result<()> {
    let all = || ops.iter().chain(handlers);
    let becomes: BTreeSet<(&str, &str)> = all()
        .filter_map(|op| op.become_.as_ref())
        .map(|(how, user)| (*how, user.as_str()))
        .collect();
    let mut start = format!(
        "{}\n{}\n",
        call::host(&frame.host.name, &frame.host.target.to_string()).text(),
        call::begin().text()
    );
    // Whom the script becomes: a become password is checked once, up front.
    for &(how, user) in &becomes {
        start.push_str(&format!(
            "{} || {}\n",
            call::become_check(how, user).text(),
            call::fail_run().text()
        ));
    }
    if all().any(|op| op.runtime_when) {
        // Some conditions need facts only the host knows: gather them once, up front.
        start.push_str(&format!(
            "{}\n",
            call::gather_facts(crate::facts::PROBE).text()
        ));
    }
    let end = format!("\n{}\n", call::end().text());
    let mut here = runtime().mentioned_by(&start);
    here.add(&runtime().mentioned_by(&end));
    let mut elsewhere = Uses::default();
    let kinds: Vec<Option<&Fusion>> = ops
        .iter()
        .map(|op| op.fused.as_ref().filter(|_| frame.fuse).map(|f| &f.fusion))
        .collect();
    let runs = fuse::runs(&kinds);
    for run in &runs {
        for op in &ops[run.range.clone()] {
            match (&run.fusion, &op.fused) {
                (Some(_), Some(fused)) => here.add(&fused.here),
                _ => here.add(&op.here),
            }
            elsewhere.add(&op.elsewhere);
        }
        if let Some(fusion) = run.fusion {
            here.add(&runtime().mentioned_by(call::fused_run(fusion).text()));
        }
    }
    for op in handlers {
        here.add(&op.here);
        elsewhere.add(&op.elsewhere);
    }
    header(out, frame)?;
    out.write_all(b"set -u\n")?;
    out.write_all(frame.runtimes.here(&here).as_bytes())?;
    if !becomes.is_empty() {
        writeln!(out, "{}", frame.runtimes.elsewhere(&elsewhere))?;
    }
    out.write_all(start.as_bytes())?;
    for run in &runs {
        for op in &ops[run.range.clone()] {
            match (&run.fusion, &op.fused) {
                (Some(_), Some(fused)) => out.write_all(fused.text.as_bytes())?,
                _ => out.write_all(op.text.as_bytes())?,
            }
        }
        if let Some(fusion) = run.fusion {
            writeln!(out, "{}", call::fused_run(fusion).text())?;
        }
    }
    for op in handlers {
        out.write_all(op.text.as_bytes())?;
    }
    out.write_all(end.as_bytes())
}

fn header(out: &mut dyn Write, frame: &Frame) -> io::Result<()> {
    writeln!(
        out,
        "#!/bin/sh\n\
         # Functions are called by name, by the runtime (SC2317); file contents and\n\
         # commands are data in single quotes (SC2016, SC1003); modes are read from `ls -ld`,\n\
         # the only POSIX way (SC2012).\n\
         # shellcheck disable=SC2317,SC2016,SC1003,SC2012\n\
         #\n# Generated by kiln {} for host {} ({}). Do not edit: change the manifest.\n# Sources: {}\n\
         # Each op is one step line (its index, label, origin, what it checks, its call),\n\
         # under its arguments when the line does not show them all. The runtime functions\n\
         # below carry a one-line summary; their full comments are in kiln's source,\n\
         # src/runtime/*.sh.",
        env!("CARGO_PKG_VERSION"),
        frame.host.name,
        frame.host.target,
        frame.files.join(", ")
    )?;
    out.write_all(
        b"#\n# Usage: sh SCRIPT [--check] [--detailed-exitcodes] [--report PATH]\n\
         #   --check                report what would change, change nothing\n\
         #   --detailed-exitcodes   exit 2 when something changed (or would change)\n\
         #   --report PATH          at the end, write the run's JSON report to PATH (0600)\n\
         # Exit status: 0 success, 1 an operation failed, 2 see above, 64 bad usage.\n\
         # Prints one status line per operation: ok, changed, would-change, would-fail,\n\
         # failed, failed-ignored, skipped or not-run (after a failure), then a summary.\n\n",
    )
}
