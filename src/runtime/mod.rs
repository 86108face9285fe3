//! The shell runtime: the POSIX `sh` functions emitted scripts call (`k_step`, `k_write`,
//! `k_edit`, ...), split by concern into the `.sh` files of this directory ([`PARTS`]); the
//! typed calls into it ([`call`]); and the status line they report with ([`status`]).
//!
//! # The contract
//!
//! Rust never writes a runtime name: [`call`] has one function per entry point, which
//! writes its name and its arguments (a test holds `src/` to that). An op's step is, when it
//! can be, one call of its entry point (`k_directory`, `k_put`, `k_edit`, `k_packages`,
//! `k_service`, `k_user`, ...), which takes what to do as its first argument, the verb: `ok`
//! (whether the op's state holds), `act` (make it hold) or `diff` (show what `act` would
//! change), then named options (`--path P`, `--mode M`, flags alone) and, after `--`, a list
//! (packages, commands). `k_step` runs an op's step: it puts the verb in, so the script reads
//! `k_step 3 'files.line /etc/hosts' --origin main.toml:7 -- k_edit --path /etc/hosts -- k_line
//! --line '...'`. Options are read with `case` and `shift` only: no process, no subshell.
//! Helpers the entry points share (`k_write`, `k_attrs`, `k_split`) keep positional
//! arguments, each named in the helper's comment.
//!
//! # What a script carries
//!
//! A script carries only the runtime it uses: [`Runtime::for_code`] takes the shell a
//! script is made of (its steps, its preamble and epilogue), finds every runtime name it
//! mentions (`k_` followed by letters, digits and `_`), adds what those definitions mention,
//! and so on, and returns those definitions in the runtime's order. A name mentioned in a
//! comment or a value is carried too (a few bytes too many, never one function too few).
//! Code that reaches another user's shell through `k_as` gets its own runtime the same way,
//! made of what that code mentions (`KILN_LIB`). A script made of many pieces (one per op)
//! asks each piece once what it mentions ([`Runtime::mentioned_by`], a [`Uses`] set), joins
//! the sets, and makes the text once per distinct set ([`Runtime::text_of`]).
//!
//! A definition travels with its comment's first sentence as a summary (and the comment's
//! shellcheck directives); the whole comment is here, in the `.sh` files, where a reader
//! of a script finds it by the function's name.
//!
//! # The files
//!
//! Each `.sh` file starts with a comment saying what it owns, then a blank line; then one
//! definition per paragraph (paragraphs are separated by one blank line, none inside): the
//! comment documenting it (usage `k_name ARG...`, what it prints or sets, its exit status),
//! then either a function, `k_name() {` or `k_name() (`, or an awk program, `k_awk_name='`.
//! Every name is defined exactly once across the files (a shell keeps the last definition,
//! which would change what every earlier caller runs); a test checks it, and that each
//! function has its own tests under every shell (`tests/runtime.rs`).
//!
//! # Naming
//!
//! POSIX `sh` has no local variables: every variable a function sets is seen by every other
//! function, so names say whose they are.
//!
//! - `k_NAME()`: a runtime function; `k_awk_NAME`: an awk program, which functions pass to
//!   `awk` (with other programs it builds on, `"$k_awk_edit$k_awk_line"`).
//! - `k_FUNCTION_WHAT`: what the function `k_FUNCTION` keeps for itself (`k_edit_path`,
//!   `k_fetch_timeout`), or leaves for its caller, as its comment says (`k_stat_mode`,
//!   `k_split_dir`, `k_tmp_beside_file`, `k_hard_target_path`). A caller reads a result
//!   right after the call: the next call of that function overwrites it.
//! - The run's state, set by `k_begin` and `k_step` and read everywhere: `k_mode`
//!   (`apply` or `check`), `k_detailed`, `k_halt` (1 once an op failed), the counts `k_ok`,
//!   `k_changed`, `k_failed`, `k_ignored`, `k_skipped`, `k_notrun`, and the step being run:
//!   `k_step_index`, `k_step_label`, `k_step_origin`; with `--report`, the report's path
//!   `k_report`, the status lines recorded for it `k_report_ops`, and the run's start
//!   `k_report_start` (`report.sh`).
//! - Shared by all: `k_uid` (`id -u`, asked by the first function that needs it, once
//!   when steps run in the script's shell), `k_text` (a text step's content, set by its
//!   data function `k_data_N` in the script's shell: `k_step --text`), `k_tmpd` (the run's private
//!   directory, made by `k_private`), `k_facts` (the fact probe's output, for `when`),
//!   `k_pip` (the pip command of `pip.packages`).
//! - `K_WHAT`: a value handed to `awk` in its environment, set on the `awk` command alone
//!   (or exported by a function that runs in a subshell, `k_line`).
//! - `KILN_WHAT`: set by kiln around the runtime: `KILN_MARK` (a live run's marker, which
//!   starts the lines kiln reads), `KILN_LIB` (the runtime for another user's shell),
//!   `KILN_BECOME_PASS` (the become password of a live run, never exported),
//!   `KILN_DNF_CONFIG` (the dnf configuration a bundle's `run` exports, `k_rpm_manager`).
//! - What the emitter writes per op (`N` its index, `hN` a handler's): `k_op_N` (its parts as
//!   a function of the verb, when it is not one call), `k_data_N` (what it reads on standard
//!   input, or for text the `k_text` it sets), `k_when_N` (its `when`, decided on the host),
//!   `k_changed_when_N` and `k_failed_when_N` (its judges, `k_result`); for an op run as another user,
//!   their definitions in `k_op_N_def` and `k_data_N_def`, which `k_step` sends that user's
//!   shell. A name ending in `_def` is such a definition, never a function's variable.
//! - Handlers notified: `k_notified_ids`, their ids one a line.
//! - Registered results: `k_register_N_WHAT` (`changed`, `failed`, `skipped`, `rc`,
//!   `stdout`, `stderr`), what the step of op `N` did, set by `k_register` and exported for
//!   the commands of later steps.

pub mod call;
pub mod status;

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::shell::quote;

use status::{STATUS_LINE, StatusLine};

/// One file of the runtime.
#[derive(Clone, Copy, Debug)]
pub struct Part {
    /// The file's name without `.sh`.
    pub name: &'static str,
    pub text: &'static str,
}

macro_rules! parts {
    ($($name:literal),* $(,)?) => {
        &[$(Part { name: $name, text: include_str!(concat!($name, ".sh")) }),*]
    };
}

/// The runtime's files, in the order their definitions are written into a script.
pub const PARTS: &[Part] = parts![
    "status",
    "content",
    "private",
    "report",
    "files",
    "links",
    "trees",
    "downloads",
    "archives",
    "commands",
    "results",
    "git",
    "edits",
    "edit_programs",
    "groups",
    "filters",
    "packages",
    "language_packages",
    "services",
    "containers",
    "firewalls",
    "accounts",
    "databases",
    "keys",
    "selinux",
    "system",
    "waits",
    "become",
    "facts",
    "detect",
];

/// One definition of the runtime: a function or an awk program.
#[derive(Clone, Debug)]
pub struct Definition {
    /// `k_write`, `k_awk_edit`.
    pub name: String,
    /// The file it is in ([`Part::name`]).
    pub part: &'static str,
    /// Whether it is a function (else an awk program held in a variable).
    pub function: bool,
    /// Its comment and definition, as written into scripts.
    pub text: String,
    /// The definitions its code (not its comment) mentions, by index.
    uses: Vec<usize>,
}

/// The runtime, parsed: every definition, and what each one uses.
#[derive(Debug)]
pub struct Runtime {
    definitions: Vec<Definition>,
    by_name: HashMap<String, usize>,
}

/// The runtime scripts carry, parsed once, with kiln's status line.
pub fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        Runtime::parse(PARTS, &STATUS_LINE)
            .unwrap_or_else(|error| panic!("kiln's shell runtime is malformed: {error}"))
    })
}

/// The runtime definitions `code` uses (see [`Runtime::for_code`]).
pub fn for_code(code: &str) -> String {
    runtime().for_code(code)
}

impl Runtime {
    /// Parses `parts` (written as the module doc says), with the status line `status`
    /// filled into `k_say`. Fails on a file that is not so written, or a name defined twice.
    pub fn parse(parts: &[Part], status: &StatusLine) -> Result<Runtime, String> {
        let mut definitions = Vec::new();
        let mut by_name = HashMap::new();
        for part in parts {
            let mut paragraphs = part.text.split("\n\n");
            let header = paragraphs.next().unwrap_or_default();
            if header.lines().any(|line| !line.starts_with('#')) {
                return Err(format!(
                    "{}.sh must start with a comment, then a blank line",
                    part.name
                ));
            }
            for paragraph in paragraphs {
                let paragraph = paragraph.trim_end_matches('\n');
                let (name, function) = defined_name(paragraph).ok_or_else(|| {
                    format!(
                        "{}.sh: a paragraph that is not a comment then one definition:\n{paragraph}",
                        part.name
                    )
                })?;
                if let Some(&earlier) = by_name.get(&name) {
                    let earlier: &Definition = &definitions[earlier];
                    return Err(format!(
                        "{name} is defined twice: in {}.sh and in {}.sh",
                        earlier.part, part.name
                    ));
                }
                by_name.insert(name.clone(), definitions.len());
                definitions.push(Definition {
                    text: fill_status(&summarized(paragraph), status),
                    name,
                    part: part.name,
                    function,
                    uses: Vec::new(),
                });
            }
        }
        let uses: Vec<Vec<usize>> = definitions
            .iter()
            .map(|definition| {
                let code = code_of(&definition.text);
                let mut uses: Vec<usize> = mentioned(&code)
                    .filter_map(|name| by_name.get(name).copied())
                    .collect();
                uses.sort_unstable();
                uses.dedup();
                uses
            })
            .collect();
        for (definition, uses) in definitions.iter_mut().zip(uses) {
            definition.uses = uses;
        }
        Ok(Runtime {
            definitions,
            by_name,
        })
    }

    /// Every definition, in the runtime's order.
    pub fn definitions(&self) -> &[Definition] {
        &self.definitions
    }

    /// The definitions `code` mentions, and those they use, transitively: their text, in the
    /// runtime's order, one after the other.
    pub fn for_code(&self, code: &str) -> String {
        self.text_of(&self.mentioned_by(code))
    }

    /// The definitions `code` mentions by name (not yet those they use): what a piece of a
    /// script asks of the runtime, to be joined with the other pieces' ([`Uses::add`]) and
    /// made into text once for the whole script ([`Runtime::text_of`]).
    pub fn mentioned_by(&self, code: &str) -> Uses {
        let mut uses = Uses::default();
        for index in mentioned(code).filter_map(|name| self.by_name.get(name).copied()) {
            uses.insert(index);
        }
        uses
    }

    /// The text of the definitions in `uses` and of those they use, transitively, in the
    /// runtime's order.
    pub fn text_of(&self, uses: &Uses) -> String {
        let mut wanted = vec![false; self.definitions.len()];
        let mut todo: Vec<usize> = uses.iter().collect();
        while let Some(index) = todo.pop() {
            if !std::mem::replace(&mut wanted[index], true) {
                todo.extend(&self.definitions[index].uses);
            }
        }
        let mut text = String::new();
        for (definition, _) in self.definitions.iter().zip(wanted).filter(|(_, w)| *w) {
            text.push_str(&definition.text);
            text.push('\n');
        }
        text
    }

    /// The whole runtime (for tests, and code that may call any of it).
    pub fn all(&self) -> String {
        let mut text = String::new();
        for definition in &self.definitions {
            text.push_str(&definition.text);
            text.push('\n');
        }
        text
    }
}

/// A set of the runtime's definitions, by their place in the runtime: what a piece of a
/// script mentions. Small (a bit per definition) and cheap to join, so each op's set is
/// worked out once and a script's runtime is made once per distinct set.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Uses {
    bits: Vec<u64>,
}

impl Uses {
    fn insert(&mut self, index: usize) {
        let word = index / 64;
        if self.bits.len() <= word {
            self.bits.resize(word + 1, 0);
        }
        self.bits[word] |= 1 << (index % 64);
    }

    /// Adds what `other` uses.
    pub fn add(&mut self, other: &Uses) {
        if self.bits.len() < other.bits.len() {
            self.bits.resize(other.bits.len(), 0);
        }
        for (mine, theirs) in self.bits.iter_mut().zip(&other.bits) {
            *mine |= theirs;
        }
    }

    pub fn is_empty(&self) -> bool {
        self.bits.iter().all(|word| *word == 0)
    }

    fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.bits.iter().enumerate().flat_map(|(word, bits)| {
            (0..64)
                .filter(move |bit| bits & (1 << bit) != 0)
                .map(move |bit| word * 64 + bit)
        })
    }
}

/// A definition as scripts carry it: its comment's first sentence (a reader's summary; the
/// whole comment stays in `src/runtime/*.sh`, which the script's header names) and the
/// shellcheck directives among the comment's lines, then its code. Without it every script
/// would carry tens of KB of comments.
fn summarized(paragraph: &str) -> String {
    let comment: Vec<&str> = paragraph
        .lines()
        .take_while(|line| line.starts_with('#'))
        .collect();
    let code = &paragraph.lines().skip(comment.len()).collect::<Vec<_>>();
    let (directives, prose): (Vec<&str>, Vec<&str>) = comment
        .iter()
        .partition(|line| line.starts_with("# shellcheck "));
    let prose = prose
        .iter()
        .map(|line| line.trim_start_matches('#').trim())
        .collect::<Vec<_>>()
        .join(" ");
    let mut text = String::new();
    if !prose.is_empty() {
        text.push_str("# ");
        text.push_str(&first_sentence(&prose));
        text.push('\n');
    }
    for line in directives.iter().chain(code) {
        text.push_str(line);
        text.push('\n');
    }
    text.pop();
    text
}

/// A summary's length at most, in characters.
const SUMMARY_MAX: usize = 100;

/// `prose` up to the end of its first sentence, cut at a word past [`SUMMARY_MAX`] (`...`).
fn first_sentence(prose: &str) -> String {
    let end = prose
        .match_indices(". ")
        .map(|(at, _)| at + 1)
        .next()
        .unwrap_or(prose.len());
    let sentence = &prose[..end];
    if sentence.chars().count() <= SUMMARY_MAX {
        return sentence.to_owned();
    }
    let mut cut = String::new();
    for word in sentence.split(' ') {
        if cut.chars().count() + word.chars().count() >= SUMMARY_MAX {
            break;
        }
        if !cut.is_empty() {
            cut.push(' ');
        }
        cut.push_str(word);
    }
    cut.push_str(" ...");
    cut
}

/// The name a paragraph defines, and whether it is a function: its first line that is not
/// a comment must be the definition, and no other line may start one.
fn defined_name(paragraph: &str) -> Option<(String, bool)> {
    let mut lines = paragraph.lines().skip_while(|line| line.starts_with('#'));
    let first = lines.next()?;
    let (name, function) = definition_line(first)?;
    if lines.any(|line| definition_line(line).is_some()) {
        return None;
    }
    Some((name.to_owned(), function))
}

/// `k_name() {`, `k_name() (` (a function) or `k_name='` (an awk program).
fn definition_line(line: &str) -> Option<(&str, bool)> {
    let end = name_end(line);
    let name = &line[..end];
    if !name.starts_with("k_") {
        return None;
    }
    let rest = &line[end..];
    if rest.starts_with("() {") || rest.starts_with("() (") {
        Some((name, true))
    } else if rest.starts_with("='") {
        Some((name, false))
    } else {
        None
    }
}

fn name_end(text: &str) -> usize {
    text.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(text.len())
}

/// A definition's text without its comment lines: what its code mentions.
fn code_of(text: &str) -> String {
    text.lines()
        .filter(|line| !line.trim_start().starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every `k_NAME` in `text` that is not part of a longer name.
fn mentioned(text: &str) -> impl Iterator<Item = &str> {
    text.match_indices("k_").filter_map(move |(at, _)| {
        let before = text[..at].chars().next_back();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
            return None;
        }
        Some(&text[at..at + name_end(&text[at..])])
    })
}

/// `k_say`'s text with the status line's printf format and arguments filled in.
fn fill_status(text: &str, status: &StatusLine) -> String {
    text.replace("@STATUS_FORMAT@", &quote(&status.printf_format()))
        .replace("@STATUS_ARGUMENTS@", &status.printf_arguments())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn carries_what_the_code_uses_and_what_that_uses() {
        let text = runtime().for_code("k_write /etc/x '' '' ''");
        let defined: Vec<&str> = text
            .lines()
            .filter_map(definition_line)
            .map(|(name, _)| name)
            .collect();
        assert_eq!(
            defined,
            [
                "k_err",
                "k_tmp_beside",
                "k_random",
                "k_fill",
                "k_rename",
                "k_stat",
                "k_attrs",
                "k_split",
                "k_keep_attrs",
                "k_umask_mode",
                "k_write",
                "k_owned_alike",
                "k_write_tmp",
                "k_tmp_for",
                "k_write_tmp_umask_made",
            ]
        );
        assert_eq!(runtime().for_code("echo k_writer"), "");
    }
}
