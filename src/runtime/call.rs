//! Calls into the runtime, typed: one Rust function per entry point, which writes the
//! function's name and its arguments (named `--option VALUE` where a word alone would not
//! say what it is). Nothing outside this module writes a runtime name (`k_...`); a test
//! holds `src/` to that.
//!
//! An op's step is either parts of shell (probe, act, diff) or one [`OpCall`]: a call of a
//! runtime entry point that is told what to do by a verb after its name, `ok` (whether the
//! op's state holds), `act` (make it hold) or `diff` (show what `act` would change).
//! `k_step` puts the verb in: the script reads `k_step 3 'files.line /etc/hosts' ... --
//! k_edit --path /etc/hosts ...`.

use crate::shell::content::format_strings;
use crate::shell::{Sh, quote};

use super::status::escape;

/// A call of a runtime entry point taking a verb (`ok`, `act`, `diff`) after its name.
#[derive(Clone, Debug, PartialEq)]
pub struct OpCall {
    function: &'static str,
    args: Sh,
}

impl OpCall {
    fn new(function: &'static str) -> OpCall {
        OpCall {
            function,
            args: Sh::new(),
        }
    }

    /// The call without its verb, as `k_step` takes it.
    pub fn words(&self) -> Sh {
        let mut sh = Sh::of(self.function);
        sh.push(&self.args);
        sh
    }

    /// The call with the verb `verb`: `ok`, `act`, `diff`, or shell code expanding to one
    /// (`"$1"`).
    pub fn with_verb(&self, verb: &'static str) -> Sh {
        let mut sh = Sh::of(self.function);
        sh.code(" ").code(verb).push(&self.args);
        sh
    }

    /// ` --name 'value'`, unless `value` is empty.
    fn option(&mut self, name: &'static str, value: &str) -> &mut Self {
        option(&mut self.args, name, value);
        self
    }

    /// ` --name 'value'`, even empty.
    fn value(&mut self, name: &'static str, value: &str) -> &mut Self {
        self.args.code(" ").code(name).code(" ").arg(value);
        self
    }

    /// ` --name 'value'` when `value` is given (even empty).
    fn given(&mut self, name: &'static str, value: Option<&str>) -> &mut Self {
        if let Some(value) = value {
            self.value(name, value);
        }
        self
    }

    /// ` --name N` when `number` is given.
    fn number(&mut self, name: &'static str, number: Option<i64>) -> &mut Self {
        if let Some(number) = number {
            self.args.code(" ").code(name).code(" ").int(number);
        }
        self
    }

    /// ` --name` when `on`.
    fn flag(&mut self, name: &'static str, on: bool) -> &mut Self {
        flag(&mut self.args, name, on);
        self
    }

    /// ` --mode MODE --owner USER --group GROUP`, those given.
    fn attributes(&mut self, attributes: &Attributes) -> &mut Self {
        self.option("--mode", attributes.mode)
            .option("--owner", attributes.owner)
            .option("--group", attributes.group)
    }
}

/// A file's mode, owner and group, each empty when not asked for.
#[derive(Clone, Copy, Debug, Default)]
pub struct Attributes<'a> {
    /// Octal (four digits) or symbolic (`u+rwX`).
    pub mode: &'a str,
    pub owner: &'a str,
    pub group: &'a str,
}

/// ` --name 'value'` on `sh`, unless `value` is empty.
fn option(sh: &mut Sh, name: &'static str, value: &str) {
    if !value.is_empty() {
        sh.code(" ").code(name).code(" ").arg(value);
    }
}

/// ` --name` on `sh` when `on`.
fn flag(sh: &mut Sh, name: &'static str, on: bool) {
    if on {
        sh.code(" ").code(name);
    }
}

// --- the run: status.sh -------------------------------------------------------------------

/// The host the script is made for (its inventory name and target), for the run's report.
pub fn host(name: &str, target: &str) -> Sh {
    let mut sh = Sh::of("k_host ");
    sh.arg(name).code(" ").arg(target);
    sh
}

/// The start of a run, with the script's options.
pub fn begin() -> Sh {
    Sh::of("k_begin \"$@\"")
}

/// The summary line, and the script's exit.
pub fn end() -> Sh {
    Sh::of("k_end")
}

/// What `k_step` is told about an op besides its call.
#[derive(Clone, Debug, Default)]
pub struct StepOptions<'a> {
    /// `file:line`.
    pub origin: &'a str,
    /// The ids of the handlers it notifies.
    pub notify: Vec<&'a str>,
    /// What its probe checks, when that must hold after its change.
    pub check: &'a str,
    pub ignore_errors: bool,
    pub retries: i64,
    pub delay: i64,
    /// Whether its `when` is decided on the host ([`when_function`]).
    pub when: bool,
    /// Whether it reads data on standard input ([`data_function`]).
    pub data: bool,
    /// Whether its data function sets `k_text` instead ([`text`]): run in the script's
    /// shell, with no process to feed it.
    pub text: bool,
    /// Its probe and change print nothing (a sensitive op).
    pub quiet: bool,
    /// Check mode says `content differs, hidden` instead of its diff.
    pub hide_diff: bool,
    /// The op runs as another user: how (`sudo`, `su`) and who.
    pub become_: Option<(&'static str, &'a str)>,
    /// Its result is kept for later steps (`k_register`).
    pub register: bool,
    /// It is a command whose result is kept or judged (`k_result`): its output too.
    pub command: bool,
    /// Its `changed_when` and `failed_when` ([`judge_function`]).
    pub changed_when: Option<Judge>,
    pub failed_when: Option<Judge>,
}

/// A command's judge (`changed_when`, `failed_when`): decided when the script is made, or
/// its function, decided on the host.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Judge {
    Const(bool),
    Function,
}

/// Which op of a script: `3`, `3_0` for the first item of a looped op, or `h1` for its
/// first handler.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Index {
    /// The op's place among the ops, from 1.
    Op(usize),
    /// One iteration of a looped op: the op's place among the ops, from 1, and the
    /// iteration's place among the op's iterations on this host, from 0.
    Item(usize, usize),
    /// The handler's place among the handlers, from 1.
    Handler(usize),
}

impl Index {
    fn write(self, sh: &mut Sh) {
        match self {
            Index::Op(n) => sh.int(n as i64),
            Index::Item(n, item) => sh.int(n as i64).code("_").int(item as i64),
            Index::Handler(n) => sh.code("h").int(n as i64),
        };
    }
}

impl std::fmt::Display for Index {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Index::Op(n) => write!(f, "{n}"),
            Index::Item(n, item) => write!(f, "{n}_{item}"),
            Index::Handler(n) => write!(f, "h{n}"),
        }
    }
}

/// `k_step INDEX LABEL --origin ... -- CALL`: runs one op's step (see `status.sh`). The
/// label and origin are escaped to one line, as the status line wants them.
pub fn step(index: Index, label: &str, options: &StepOptions, call: &Sh) -> Sh {
    step_as(Sh::of("k_step "), index, label, options, call)
}

/// `k_fused INDEX LABEL --origin ... -- CALL`: one op of a fused run (see `groups.sh`),
/// announced with [`step`]'s arguments; [`fused_run`] runs them all.
pub fn fused(index: Index, label: &str, options: &StepOptions, call: &Sh) -> Sh {
    step_as(Sh::of("k_fused "), index, label, options, call)
}

/// A step's arguments after `sh`, the function that runs it.
fn step_as(mut sh: Sh, index: Index, label: &str, options: &StepOptions, call: &Sh) -> Sh {
    index.write(&mut sh);
    sh.code(" ").arg(&escape(label));
    option(&mut sh, "--origin", &escape(options.origin));
    for id in &options.notify {
        sh.code(" --notify ").arg(&escape(id));
    }
    option(&mut sh, "--check", options.check);
    flag(&mut sh, "--ignore-errors", options.ignore_errors);
    if options.retries > 0 {
        sh.code(" --retries ").int(options.retries);
        if options.delay > 0 {
            sh.code(" --delay ").int(options.delay);
        }
    }
    if options.when {
        sh.code(" --when ").code("k_when_");
        index.write(&mut sh);
    }
    if options.data {
        sh.code(if options.text { " --text " } else { " --data " })
            .code("k_data_");
        index.write(&mut sh);
    }
    flag(&mut sh, "--register", options.register);
    flag(&mut sh, "--command", options.command);
    for (name, prefix, judge) in [
        ("--changed-when", "k_changed_when_", options.changed_when),
        ("--failed-when", "k_failed_when_", options.failed_when),
    ] {
        match judge {
            // The shell's own `true` and `false` decide a constant.
            Some(Judge::Const(value)) => {
                sh.code(" ")
                    .code(name)
                    .code(if value { " true" } else { " false" });
            }
            Some(Judge::Function) => {
                sh.code(" ").code(name).code(" ").code(prefix);
                index.write(&mut sh);
            }
            None => {}
        }
    }
    flag(&mut sh, "--quiet", options.quiet);
    flag(&mut sh, "--hide-diff", options.hide_diff);
    if let Some((how, user)) = options.become_ {
        sh.code(if how == "su" { " --su " } else { " --sudo " })
            .arg(user);
    }
    sh.code(" -- ").push(call);
    sh
}

/// What a run of fused ops is ([`fused_run`]): the kind of change one runtime call makes for
/// all of them at once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fusion {
    /// Edits of the file at this path (`k_edit` without mode, owner, group or backup).
    Edit(String),
    /// Directories made (`k_directory` of a path alone).
    Directory,
    /// Files removed (`k_file --absent` without `--force`).
    Absent,
}

/// `k_fused_edits`, `k_fused_directories` or `k_fused_absent`: runs the ops announced by
/// [`fused`] since the last run.
pub fn fused_run(fusion: &Fusion) -> Sh {
    Sh::of(match fusion {
        Fusion::Edit(_) => "k_fused_edits",
        Fusion::Directory => "k_fused_directories",
        Fusion::Absent => "k_fused_absent",
    })
}

/// `k_skip INDEX LABEL --origin ORIGIN`: an op whose `when` is false on this host.
pub fn skip(index: Index, label: &str, origin: &str) -> Sh {
    let mut sh = Sh::of("k_skip ");
    index.write(&mut sh);
    sh.code(" ").arg(&escape(label));
    option(&mut sh, "--origin", &escape(origin));
    sh
}

/// `k_notified ID`: whether the handler `id` was notified.
pub fn notified(id: &str) -> Sh {
    let mut sh = Sh::of("k_notified ");
    sh.arg(&escape(id));
    sh
}

/// `k_become_check sudo|su USER`: whether the become password (if any) lets this user run
/// as `user`, checked once before any step.
pub fn become_check(how: &'static str, user: &str) -> Sh {
    let mut sh = Sh::of("k_become_check ");
    sh.code(how).code(" ").arg(user);
    sh
}

/// `k_fail_run`: the run fails before any step ran; every step is reported not-run.
pub fn fail_run() -> Sh {
    Sh::of("k_fail_run")
}

/// The facts only the host knows, gathered once into `k_facts` by the fact probe's own
/// part (`probe`), for `when` conditions decided there.
pub fn gather_facts(probe: &'static str) -> Sh {
    let mut sh = Sh::of("k_gather() {\n");
    sh.code(probe).code("}\nk_facts=$(k_gather)");
    sh
}

/// `k_when_INDEX() { CONDITION; }`: the op's `when`, decided on the host (status 0 true, 1
/// false, 2 undecidable).
pub fn when_function(index: Index, condition: &Sh) -> Sh {
    function(Sh::of("k_when_"), index, condition)
}

/// `k_changed_when_INDEX() { CONDITION; }` (`changed`) or `k_failed_when_INDEX() { ...; }`:
/// a command's judge, decided on the host from its registered result.
pub fn judge_function(index: Index, changed: bool, condition: &Sh) -> Sh {
    let name = if changed {
        "k_changed_when_"
    } else {
        "k_failed_when_"
    };
    function(Sh::of(name), index, condition)
}

/// `k_register INDEX 0 0 1`: the op `index`, skipped here, registers a skipped result.
pub fn register_skipped(index: Index) -> Sh {
    let mut sh = Sh::of("k_register ");
    index.write(&mut sh);
    sh.code(" 0 0 1");
    sh
}

/// `"${k_register_INDEX_FIELD-}"`: a field of the result op `index` registered, as one
/// word. The variable is set by `k_register`, through `eval`: the empty default tells
/// shellcheck so (and reads an op left out of the run, by `--tags`, as never run).
pub fn registered(index: Index, field: &'static str) -> Sh {
    let mut sh = Sh::of("\"${k_register_");
    index.write(&mut sh);
    sh.code("_").code(field).code("-}\"");
    sh
}

/// `[ "${k_register_INDEX_skipped-}" = 0 ]`: whether the op `index` ran (a skipped command has
/// no exit status or output).
pub fn registered_ran(index: Index) -> Sh {
    let mut sh = Sh::of("[ ");
    sh.push(&registered(index, "skipped")).code(" = 0 ]");
    sh
}

/// `k_data_INDEX() { ... }`: what the op reads on standard input (its file's content).
pub fn data_function(index: Index, data: &Sh) -> Sh {
    function(Sh::of("k_data_"), index, data)
}

/// `k_op_INDEX() { BODY }`: an op's step as one function of the verb `$1` (`ok`, `act` or
/// `diff`), for `k_step`.
pub fn op_function(index: Index, body: &Sh) -> Sh {
    function(Sh::of("k_op_"), index, body)
}

/// The name of [`op_function`], as `k_step` takes it.
pub fn op_function_name(index: Index) -> Sh {
    let mut sh = Sh::of("k_op_");
    index.write(&mut sh);
    sh
}

/// `NAMEINDEX() {` BODY `}`: BODY's first line is indented, the rest written as it is (a
/// line break may be inside a quoted value, where spaces added would change it).
fn function(mut name: Sh, index: Index, body: &Sh) -> Sh {
    index.write(&mut name);
    name.code("() {\n  ");
    if body.is_empty() {
        name.code(":");
    } else {
        name.push(body);
    }
    name.code("\n}");
    name
}

/// Before a definition held in a variable: `k_step` reads it through `eval`, which
/// shellcheck cannot see.
const READ_BY_K_STEP: &str = "# shellcheck disable=SC2034 # read by k_step\n";

// --- facts.sh: `when` decided on the host -------------------------------------------------

/// `k_fact_need PATH`: whether the host has the fact (else it says so).
pub fn fact_need(path: &str) -> Sh {
    let mut sh = Sh::of("k_fact_need ");
    sh.arg(path);
    sh
}

/// `"$(k_fact PATH)"`: the fact's value, as one word.
pub fn fact(path: &str) -> Sh {
    let mut sh = Sh::of("\"$(k_fact ");
    sh.arg(path).code(")\"");
    sh
}

/// `k_list_any LIST`: whether the list fact `list` (a word) has an item.
pub fn list_any(list: &Sh) -> Sh {
    let mut sh = Sh::of("k_list_any ");
    sh.push(list);
    sh
}

/// `k_in_list ITEM LIST`: whether the word `item` is an item of the list fact `list`.
pub fn in_list(item: &Sh, list: &Sh) -> Sh {
    let mut sh = Sh::of("k_in_list ");
    sh.push(item).code(" ").push(list);
    sh
}

// --- become.sh ------------------------------------------------------------------------------

/// `KILN_LIB='...'`: the runtime another user's shell gets from `k_as`.
pub fn runtime_for_others(runtime: &str) -> String {
    format!("KILN_LIB={}", quote(runtime))
}

/// `k_data_INDEX_def='...'`: the definition of an op's data function, for the shell of the
/// user the op runs as, which `k_step` hands it.
pub fn data_definition(index: Index, data: &Sh) -> Sh {
    let mut sh = Sh::of(READ_BY_K_STEP);
    sh.code("k_data_");
    index.write(&mut sh);
    sh.code("_def=").quoted(&data_function(index, data));
    sh
}

/// `k_op_INDEX_def='k_op_INDEX() { BODY }'`: the definition of an op function (see
/// [`op_function`]), for the shell of the user the op runs as, which `k_step` hands it.
pub fn op_definition(index: Index, body: &Sh) -> Sh {
    let mut sh = Sh::of(READ_BY_K_STEP);
    sh.code("k_op_");
    index.write(&mut sh);
    sh.code("_def=").quoted(&op_function(index, body));
    sh
}

/// `k_as sudo|su USER 'CODE'`: `code` run in `user`'s shell (see `become.sh`).
pub fn run_as(how: &'static str, user: &str, code: &str) -> Sh {
    let mut sh = Sh::of("k_as ");
    sh.code(how).code(" ").arg(user).code(" ").arg(code);
    sh
}

// --- files.sh -------------------------------------------------------------------------------

/// `k_directory --path PATH ...` (files.directory): a directory with its attributes (with
/// `recursive`, everything in it too), or with `absent` nothing at `path`.
pub fn directory(path: &str, attributes: &Attributes, recursive: bool, absent: bool) -> OpCall {
    let mut call = OpCall::new("k_directory");
    call.value("--path", path)
        .attributes(attributes)
        .flag("--recursive", recursive)
        .flag("--absent", absent);
    call
}

/// What [`put`] writes where.
#[derive(Clone, Copy, Debug, Default)]
pub struct Put<'a> {
    pub dest: &'a str,
    pub attributes: Attributes<'a>,
    /// A copy of the old file first (`FILE.TIMESTAMP~`).
    pub backup: bool,
    /// The destination's directory made first.
    pub parents: bool,
    /// A file or link already there is kept, whatever it holds (only attributes are set).
    pub keep: bool,
    /// A command that must accept the new file (its path appended) before it is installed.
    pub check: &'a [&'a str],
    /// The content is the step's `k_text` ([`text`]), not its standard input.
    pub text: bool,
}

/// `k_put --dest DEST ...` (files.put, files.template, server.sudoers): `dest` holds what
/// the step's data prints, with its attributes.
pub fn put(put: &Put) -> OpCall {
    let mut call = OpCall::new("k_put");
    call.value("--dest", put.dest)
        .attributes(&put.attributes)
        .flag("--backup", put.backup)
        .flag("--parents", put.parents)
        .flag("--keep", put.keep)
        .flag("--text", put.text);
    if !put.check.is_empty() {
        call.args.code(" --");
        for word in put.check {
            call.args.code(" ").arg(word);
        }
    }
    call
}

/// The lines of a script that print `bytes` exactly, one `k_bytes` per line of content
/// (see `shell::content`): what a step reads as its data. Empty content prints nothing.
pub fn content(bytes: &[u8]) -> Sh {
    let mut sh = Sh::new();
    for format in format_strings(bytes) {
        sh.code("k_bytes ").arg(&format).code("\n");
    }
    if bytes.is_empty() {
        sh.code(":");
    }
    sh
}

/// The most content [`text`] holds: the shell compares a file with it a line at a time
/// (`k_same_text`), which is quick for a config file and slow for a large one.
const TEXT_LIMIT: usize = 16 * 1024;

/// `k_text='CONTENT'`, the data of a step whose content is text: printable ASCII, tabs and
/// newlines, at most [`TEXT_LIMIT`] bytes, quoted whole. The step's function compares and
/// writes it with builtins alone (`k_same_text`, `k_text_out`). Any other content (a NUL,
/// which `read` cannot see, a carriage return, a byte that is not ASCII, a big file) is
/// `None`: it is printed by [`content`] and compared by `cmp`.
pub fn text(bytes: &[u8]) -> Option<Sh> {
    let text = std::str::from_utf8(bytes).ok()?;
    let is_text = |b: &u8| matches!(b, b'\t' | b'\n' | 0x20..=0x7e);
    if bytes.len() > TEXT_LIMIT || !bytes.iter().all(is_text) {
        return None;
    }
    let mut sh = Sh::of("k_text=");
    sh.arg(text);
    Some(sh)
}

/// A regular file ([`file`]): `files.file`'s arguments.
#[derive(Clone, Copy, Debug, Default)]
pub struct File<'a> {
    pub path: &'a str,
    pub attributes: Attributes<'a>,
    pub follow: bool,
    pub force: bool,
    pub create: bool,
    pub touch: bool,
    pub absent: bool,
}

/// `k_file --path PATH ...` (files.file).
pub fn file(file: &File) -> OpCall {
    let mut call = OpCall::new("k_file");
    call.value("--path", file.path)
        .attributes(&file.attributes)
        .flag("--follow", file.follow)
        .flag("--force", file.force)
        .flag("--no-create", !file.create)
        .flag("--touch", file.touch)
        .flag("--absent", file.absent);
    call
}

// --- links.sh -------------------------------------------------------------------------------

/// A link ([`link`]): `files.link`'s arguments.
#[derive(Clone, Copy, Debug, Default)]
pub struct Link<'a> {
    pub path: &'a str,
    pub target: &'a str,
    pub symbolic: bool,
    pub force: bool,
    pub owner: &'a str,
    pub group: &'a str,
    pub absent: bool,
}

/// `k_link --path PATH --target TARGET ...` (files.link).
pub fn link(link: &Link) -> OpCall {
    let mut call = OpCall::new("k_link");
    call.value("--path", link.path)
        .option("--target", link.target)
        .flag("--hard", !link.symbolic)
        .flag("--force", link.force)
        .option("--owner", link.owner)
        .option("--group", link.group)
        .flag("--absent", link.absent);
    call
}

// --- the parts of files.sync (files.sh, links.sh, trees.sh) --------------------------------

/// `k_attrs_ok PATH MODE OWNER GROUP`: whether `path` has the attributes given.
pub fn attrs_ok(path: &str, attributes: &Attributes) -> Sh {
    attribute_call("k_attrs_ok ", path, attributes)
}

/// `k_attrs PATH MODE OWNER GROUP`: gives `path` the attributes given.
pub fn attrs(path: &str, attributes: &Attributes) -> Sh {
    attribute_call("k_attrs ", path, attributes)
}

fn attribute_call(function: &'static str, path: &str, attributes: &Attributes) -> Sh {
    let mut sh = Sh::of(function);
    sh.arg(path)
        .code(" ")
        .arg(attributes.mode)
        .code(" ")
        .arg(attributes.owner)
        .code(" ")
        .arg(attributes.group);
    sh
}

/// `k_write DEST MODE OWNER GROUP`: standard input written to `dest`, atomically.
pub fn write(dest: &str, attributes: &Attributes) -> Sh {
    attribute_call("k_write ", dest, attributes)
}

/// What [`clear`] makes room for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryKind {
    Directory,
    File,
    Link,
}

/// `k_clear PATH d|f|l 1|0`: room at `path` for an entry of `kind`; what is in the way is
/// removed only when `replace` (a link of the wrong kind always).
pub fn clear(path: &str, kind: EntryKind, replace: bool) -> Sh {
    let mut sh = Sh::of("k_clear ");
    sh.arg(path).code(match kind {
        EntryKind::Directory => " d",
        EntryKind::File => " f",
        EntryKind::Link => " l",
    });
    sh.code(if replace { " 1" } else { " 0" });
    sh
}

/// `k_cksum_is PATH SUM`: whether `path` is a regular file with the POSIX `cksum` `sum`
/// (CRC and size).
pub fn cksum_is(path: &str, sum: &str) -> Sh {
    let mut sh = Sh::of("k_cksum_is ");
    sh.arg(path).code(" ").arg(sum);
    sh
}

/// `k_link_is PATH TARGET`: whether `path` is a symbolic link to exactly `target`.
pub fn link_is(path: &str, target: &str) -> Sh {
    let mut sh = Sh::of("k_link_is ");
    sh.arg(path).code(" ").arg(target);
    sh
}

/// `k_link_make PATH TARGET 1 0`: `path` made a symbolic link to `target` (a link there
/// replaced, anything else not).
pub fn symlink(path: &str, target: &str) -> Sh {
    let mut sh = Sh::of("k_link_make ");
    sh.arg(path).code(" ").arg(target).code(" 1 0");
    sh
}

/// `k_sync_keep() { BODY }`: the function [`extras`] asks whether an entry is kept.
pub fn keep_function(body: &Sh) -> Sh {
    let mut sh = Sh::of("k_sync_keep() {\n");
    sh.push(body).code("\n}");
    sh
}

/// `k_extras list|remove DIR k_sync_keep`: what is under `dir` and not kept
/// ([`keep_function`]), listed or removed.
pub fn extras(remove: bool, dir: &str) -> Sh {
    let mut sh = Sh::of(if remove {
        "k_extras remove "
    } else {
        "k_extras list "
    });
    sh.arg(dir).code(" k_sync_keep");
    sh
}

// --- downloads.sh ---------------------------------------------------------------------------

/// A download ([`download`]): `files.download`'s arguments.
#[derive(Clone, Copy, Debug, Default)]
pub struct Download<'a> {
    pub url: &'a str,
    pub dest: &'a str,
    /// The SHA-256 the file must have (lower-case hex), or empty.
    pub sha256: &'a str,
    pub attributes: Attributes<'a>,
    pub timeout: Option<i64>,
    pub force: bool,
    /// `Name: value` lines, secret (masked wherever the call is shown).
    pub headers: &'a [String],
}

/// `k_download --url URL --dest DEST ...` (files.download).
pub fn download(download: &Download) -> OpCall {
    let mut call = OpCall::new("k_download");
    call.value("--url", download.url)
        .value("--dest", download.dest)
        .option("--sha256", download.sha256)
        .attributes(&download.attributes);
    call.number("--timeout", download.timeout);
    call.flag("--force", download.force);
    if !download.headers.is_empty() {
        call.args.code(" --");
        for header in download.headers {
            call.args.code(" ").secret(header);
        }
    }
    call
}

/// `k_get --path FILE --sha256 SUM [--force]` (files.get): FILE sent back to the
/// controller unless it has the controller's copy's SUM (empty: there is none).
pub fn get(path: &str, sha256: &str, force: bool) -> OpCall {
    let mut call = OpCall::new("k_get");
    call.value("--path", path).value("--sha256", sha256);
    call.flag("--force", force);
    call
}

// --- archives.sh ----------------------------------------------------------------------------

/// An archive extracted into a directory ([`unarchive`]).
pub struct Unarchive<'a> {
    pub dest: &'a str,
    /// The archive's SHA-256, lower-case hex.
    pub sha256: &'a str,
    /// `tar.gz`, `tar.xz`, `tar.zst` or `zip`.
    pub format: &'a str,
    /// Where the host fetches it; `None`: it is the step's data.
    pub url: Option<&'a str>,
    pub creates: Option<&'a str>,
    pub strip_components: Option<i64>,
    pub attributes: Attributes<'a>,
}

/// `k_unarchive --dest DIR --sha256 SUM --format FORMAT ...` (files.unarchive).
pub fn unarchive(unarchive: &Unarchive) -> OpCall {
    let mut call = OpCall::new("k_unarchive");
    call.value("--dest", unarchive.dest)
        .value("--sha256", unarchive.sha256)
        .value("--format", unarchive.format);
    call.given("--url", unarchive.url)
        .given("--creates", unarchive.creates)
        .number("--strip", unarchive.strip_components);
    call.attributes(&unarchive.attributes);
    call
}

// --- packages.sh ----------------------------------------------------------------------------

/// Which package manager [`packages`] works with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PackageManager {
    Apt,
    Dnf,
    Yum,
    Apk,
    Pacman,
    Zypper,
    Brew,
    Pip,
    Npm,
    Gem,
    Cargo,
    Pipx,
    Snap,
    Flatpak,
    /// The host's, found when the step runs (`package.packages`).
    Auto,
}

impl PackageManager {
    /// The manager's name, as the runtime and its messages call it.
    pub fn word(self) -> &'static str {
        match self {
            PackageManager::Apt => "apt",
            PackageManager::Dnf => "dnf",
            PackageManager::Yum => "yum",
            PackageManager::Apk => "apk",
            PackageManager::Pacman => "pacman",
            PackageManager::Zypper => "zypper",
            PackageManager::Brew => "brew",
            PackageManager::Pip => "pip",
            PackageManager::Npm => "npm",
            PackageManager::Gem => "gem",
            PackageManager::Cargo => "cargo",
            PackageManager::Pipx => "pipx",
            PackageManager::Snap => "snap",
            PackageManager::Flatpak => "flatpak",
            PackageManager::Auto => "auto",
        }
    }
}

/// Packages as wanted ([`packages`]). Lists hold no line break (the runtime splits them
/// into words at line breaks).
pub struct Packages<'a> {
    pub manager: PackageManager,
    pub packages: &'a [&'a str],
    pub absent: bool,
    pub latest: bool,
    pub update: bool,
    /// apt: refresh the lists only when older than this many seconds.
    pub cache_time: i64,
    /// apt: `--no-install-recommends`.
    pub no_recommends: bool,
    /// apk: `--no-cache`.
    pub no_cache: bool,
    /// brew: casks.
    pub cask: bool,
    /// dnf, yum: `--enablerepo=R`, `--disablerepo=R`.
    pub repos: &'a [String],
    /// Extra arguments of every command.
    pub extra: &'a [&'a str],
    /// pip: the pip command, a virtualenv, a requirements file.
    pub pip: &'a str,
    pub virtualenv: &'a str,
    pub requirements: &'a str,
    /// npm: the directory whose packages are meant (else the global ones).
    pub dir: &'a str,
    /// gem: `--user-install`.
    pub user_install: bool,
    /// snap: `--classic`, a channel to install from.
    pub classic: bool,
    pub channel: &'a str,
    /// flatpak: the remote to install from.
    pub remote: &'a str,
}

/// `k_packages --manager MANAGER ... -- PACKAGE...` (the package ops).
pub fn packages(packages: &Packages) -> OpCall {
    let mut call = OpCall::new("k_packages");
    call.args.code(" --manager ").code(packages.manager.word());
    call.flag("--absent", packages.absent)
        .flag("--latest", packages.latest)
        .flag("--update", packages.update);
    if packages.cache_time > 0 {
        call.args.code(" --cache-time ").int(packages.cache_time);
    }
    call.flag("--no-recommends", packages.no_recommends)
        .flag("--no-cache", packages.no_cache)
        .flag("--cask", packages.cask)
        .option("--repos", &packages.repos.join("\n"))
        .option("--extra", &packages.extra.join("\n"))
        .option("--pip", packages.pip)
        .option("--virtualenv", packages.virtualenv)
        .option("--requirements", packages.requirements)
        .option("--dir", packages.dir)
        .flag("--user-install", packages.user_install)
        .flag("--classic", packages.classic)
        .option("--channel", packages.channel)
        .option("--remote", packages.remote);
    if !packages.packages.is_empty() {
        call.args.code(" --");
        for package in packages.packages {
            call.args.code(" ").arg(package);
        }
    }
    call
}

// --- services.sh ----------------------------------------------------------------------------

/// Which init system [`service`] works with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InitSystem<'a> {
    /// systemd; `user`: the user's manager.
    Systemd {
        user: bool,
    },
    Openrc {
        runlevel: &'a str,
    },
    Sysvinit,
    /// The host's, found when the step runs (`service.service`).
    Auto,
}

/// A service as wanted ([`service`]).
pub struct Service<'a> {
    pub init: InitSystem<'a>,
    pub name: &'a str,
    pub running: bool,
    /// Whether it starts at boot (none: left as it is).
    pub enabled: Option<bool>,
    pub restarted: bool,
    pub reloaded: bool,
    /// systemd: `daemon-reload` first.
    pub daemon_reload: bool,
    /// systemd: whether the unit is masked (none: left as it is).
    pub masked: Option<bool>,
    /// systemd: the user whose manager has the unit (`systemctl --user` run as them).
    pub as_user: Option<&'a str>,
}

/// `k_service --init INIT --name NAME ...` (the service ops).
pub fn service(service: &Service) -> OpCall {
    let mut call = OpCall::new("k_service");
    call.args.code(" --init ").code(match service.init {
        InitSystem::Systemd { .. } => "systemd",
        InitSystem::Openrc { .. } => "openrc",
        InitSystem::Sysvinit => "sysvinit",
        InitSystem::Auto => "auto",
    });
    call.value("--name", service.name);
    match service.init {
        InitSystem::Systemd { user } => match service.as_user {
            Some(as_user) => {
                call.value("--as", as_user);
            }
            None => {
                call.flag("--user", user);
            }
        },
        InitSystem::Openrc { runlevel } if runlevel != "default" => {
            call.value("--runlevel", runlevel);
        }
        _ => {}
    }
    call.flag("--stopped", !service.running)
        .flag("--enabled", service.enabled == Some(true))
        .flag("--disabled", service.enabled == Some(false))
        .flag("--masked", service.masked == Some(true))
        .flag("--unmasked", service.masked == Some(false))
        .flag("--restarted", service.restarted)
        .flag("--reloaded", service.reloaded)
        .flag("--daemon-reload", service.daemon_reload);
    call
}

/// Whose systemd manager a unit belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Manager<'a> {
    System,
    /// The user the op runs as (`systemctl --user`).
    OwnUser,
    /// This user's (`systemctl --user` run as them).
    User(&'a str),
}

/// A unit file as [`unit`] writes it.
pub struct Unit<'a> {
    pub name: &'a str,
    /// The directory of unit files it is in.
    pub dir: &'a str,
    /// The drop-in's file name, for a drop-in.
    pub dropin: Option<&'a str>,
    /// `systemd-analyze verify` accepts it before it is installed.
    pub verify: bool,
    /// `daemon-reload` after a change.
    pub reload: bool,
    pub manager: Manager<'a>,
}

/// `k_unit --name UNIT ... -- PUT_OPTION...` (systemd.unit): the unit file written as
/// `write` (a [`put`] call, whose options it takes) writes it.
pub fn unit(unit: &Unit, write: &OpCall) -> OpCall {
    let mut call = OpCall::new("k_unit");
    call.value("--name", unit.name)
        .value("--dir", unit.dir)
        .given("--dropin", unit.dropin)
        .flag("--verify", unit.verify)
        .flag("--reload", unit.reload);
    match unit.manager {
        Manager::System => {}
        Manager::OwnUser => {
            call.flag("--user", true);
        }
        Manager::User(user) => {
            call.value("--as", user);
        }
    }
    call.args.code(" --").push(&write.args);
    call
}

// --- firewalls.sh --------------------------------------------------------------------------

/// `k_nftables --path PATH [--load] -- PUT_OPTION...` (nftables.ruleset): the ruleset file
/// written as `write` (a [`put`] call, whose options it takes, `nft -c -f` its check) writes
/// it, loaded with `nft -f` after a change when `load`.
pub fn nftables(path: &str, load: bool, write: &OpCall) -> OpCall {
    let mut call = OpCall::new("k_nftables");
    call.value("--path", path).flag("--load", load);
    call.args.code(" --").push(&write.args);
    call
}

/// `k_ufw_rule [--delete] -- RULE...` (ufw.rule): the rule `ufw RULE...` adds, there or,
/// with `delete`, not.
pub fn ufw_rule(rule: &[String], delete: bool) -> OpCall {
    let mut call = OpCall::new("k_ufw_rule");
    call.flag("--delete", delete);
    call.args.code(" --");
    for word in rule {
        call.args.code(" ").arg(word);
    }
    call
}

/// `k_ufw_default --direction DIRECTION --policy POLICY` (ufw.default).
pub fn ufw_default(direction: &str, policy: &str) -> OpCall {
    let mut call = OpCall::new("k_ufw_default");
    call.value("--direction", direction)
        .value("--policy", policy);
    call
}

/// `k_ufw_enabled [--disabled] [--logging LEVEL]` (ufw.enabled).
pub fn ufw_enabled(enabled: bool, logging: &str) -> OpCall {
    let mut call = OpCall::new("k_ufw_enabled");
    call.flag("--disabled", !enabled)
        .option("--logging", logging);
    call
}

/// A firewalld service or port as [`firewalld`] keeps it.
pub struct Firewalld<'a> {
    /// `--service` or `--port`.
    pub kind: &'static str,
    /// The service's name, or `PORT/PROTO`.
    pub value: &'a str,
    /// The zone; the default zone when empty.
    pub zone: &'a str,
    pub enabled: bool,
    pub permanent: bool,
    pub immediate: bool,
}

/// `k_firewalld --service NAME|--port PORT/PROTO [--zone ZONE] [--disabled] [--permanent]
/// [--immediate]` (firewalld.service, firewalld.port).
pub fn firewalld(rule: &Firewalld) -> OpCall {
    let mut call = OpCall::new("k_firewalld");
    call.value(rule.kind, rule.value)
        .option("--zone", rule.zone)
        .flag("--disabled", !rule.enabled)
        .flag("--permanent", rule.permanent)
        .flag("--immediate", rule.immediate);
    call
}

/// `k_firewalld_zone --zone ZONE [--absent] [--immediate]` (firewalld.zone).
pub fn firewalld_zone(zone: &str, present: bool, immediate: bool) -> OpCall {
    let mut call = OpCall::new("k_firewalld_zone");
    call.value("--zone", zone)
        .flag("--absent", !present)
        .flag("--immediate", immediate);
    call
}

// --- system.sh ------------------------------------------------------------------------------

/// `k_hostname --name NAME` (server.hostname).
pub fn hostname(name: &str) -> OpCall {
    let mut call = OpCall::new("k_hostname");
    call.value("--name", name);
    call
}

/// `k_timezone --zone ZONE` (server.timezone).
pub fn timezone(zone: &str) -> OpCall {
    let mut call = OpCall::new("k_timezone");
    call.value("--zone", zone);
    call
}

/// `k_reboot --message TEXT --wait SECONDS` (server.reboot).
pub fn reboot(message: &str, wait: i64) -> OpCall {
    let mut call = OpCall::new("k_reboot");
    call.value("--message", message);
    call.args.code(" --wait ").int(wait);
    call
}

/// `k_daemon_reload [--user]` (systemd.daemon_reload).
pub fn daemon_reload(user: bool) -> OpCall {
    let mut call = OpCall::new("k_daemon_reload");
    call.flag("--user", user);
    call
}

/// `k_apt_refresh [--cache-time SECONDS]` (apt.update).
pub fn apt_refresh(cache_time: i64) -> OpCall {
    let mut call = OpCall::new("k_apt_refresh");
    if cache_time > 0 {
        call.args.code(" --cache-time ").int(cache_time);
    }
    call
}

/// `k_apt_upgrade [--dist] [--autoremove]` (apt.upgrade).
pub fn apt_upgrade(dist: bool, autoremove: bool) -> OpCall {
    let mut call = OpCall::new("k_apt_upgrade");
    call.flag("--dist", dist).flag("--autoremove", autoremove);
    call
}

/// An alternative ([`alternatives`]).
pub struct Alternative<'a> {
    pub name: &'a str,
    /// Empty for the name alone (`auto`).
    pub path: &'a str,
    /// Empty: the name's own.
    pub link: &'a str,
    pub priority: Option<i64>,
    /// `selected`, `present`, `auto` or `absent`.
    pub state: &'a str,
}

/// `k_alternatives --name NAME ...` (server.alternatives).
pub fn alternatives(alternative: &Alternative) -> OpCall {
    let mut call = OpCall::new("k_alternatives");
    call.value("--name", alternative.name)
        .option("--path", alternative.path)
        .option("--link", alternative.link)
        .number("--priority", alternative.priority)
        .value("--state", alternative.state);
    call
}

// --- waits.sh, system.sh, accounts.sh: more ops ------------------------------------------

/// What [`wait_for`] waits for.
pub enum Awaited<'a> {
    Port {
        host: &'a str,
        port: i64,
    },
    Path(&'a str),
    /// A shell command.
    Command(&'a str),
}

/// `k_wait_for --port PORT --host HOST ...` (server.wait): until it is there (or with
/// `gone`, no longer).
pub fn wait_for(awaited: &Awaited, gone: bool, delay: i64, timeout: i64, interval: i64) -> OpCall {
    let mut call = OpCall::new("k_wait_for");
    match awaited {
        Awaited::Port { host, port } => {
            call.args.code(" --port ").int(*port);
            call.value("--host", host);
        }
        Awaited::Path(path) => {
            call.value("--path", path);
        }
        Awaited::Command(command) => {
            call.value("--command", command);
        }
    }
    call.flag("--gone", gone);
    if delay > 0 {
        call.args.code(" --delay ").int(delay);
    }
    call.args.code(" --timeout ").int(timeout);
    call.args.code(" --interval ").int(interval);
    call
}

/// `k_modprobe --module MODULE ...` (server.modprobe); `params` are `NAME=VALUE`, without
/// line breaks.
pub fn modprobe(module: &str, params: &[String], persist: bool, absent: bool) -> OpCall {
    let mut call = OpCall::new("k_modprobe");
    call.value("--module", module)
        .option("--params", &params.join("\n"))
        .flag("--persist", persist)
        .flag("--absent", absent);
    call
}

/// `k_group --name GROUP ...` (server.group).
pub fn group(name: &str, gid: Option<i64>, system: bool, absent: bool) -> OpCall {
    let mut call = OpCall::new("k_group");
    call.value("--name", name);
    call.number("--gid", gid);
    call.flag("--system", system).flag("--absent", absent);
    call
}

/// An account as wanted ([`user`]).
#[derive(Default)]
pub struct User<'a> {
    pub name: &'a str,
    pub uid: Option<i64>,
    pub group: Option<&'a str>,
    /// The supplementary groups (none: left as they are), without line breaks.
    pub groups: Option<&'a [&'a str]>,
    /// Among others, not exactly.
    pub append: bool,
    pub home: Option<&'a str>,
    pub shell: Option<&'a str>,
    pub comment: Option<&'a str>,
    /// A crypt(3) hash, secret (masked wherever the call is shown).
    pub password_hash: Option<&'a str>,
    pub system: bool,
    pub create_home: bool,
    pub absent: bool,
}

/// `k_user --name USER ...` (server.user).
pub fn user(user: &User) -> OpCall {
    let mut call = OpCall::new("k_user");
    call.value("--name", user.name);
    call.number("--uid", user.uid).given("--group", user.group);
    if let Some(groups) = user.groups {
        call.value("--groups", &groups.join("\n"))
            .flag("--append", user.append);
    }
    call.given("--home", user.home)
        .given("--shell", user.shell)
        .given("--comment", user.comment);
    if let Some(hash) = user.password_hash {
        call.args.code(" --password-hash ").secret(hash);
    }
    call.flag("--system", user.system)
        .flag("--create-home", user.create_home)
        .flag("--absent", user.absent);
    call
}

/// Where [`apt_key`] gets the key.
pub enum KeySource<'a> {
    Url(&'a str),
    Keyserver(&'a str),
}

/// `k_apt_key --dest FILE ...` (apt.key); `key_id` is an upper-case fingerprint (or its
/// end), or empty.
pub fn apt_key(dest: &str, key_id: &str, source: &KeySource) -> OpCall {
    let mut call = OpCall::new("k_apt_key");
    call.value("--dest", dest).option("--key-id", key_id);
    match source {
        KeySource::Url(url) => call.value("--url", url),
        KeySource::Keyserver(server) => call.value("--keyserver", server),
    };
    call
}

/// A deb822 source ([`apt_sources`]): `apt.sources`'s arguments.
pub struct AptSources<'a> {
    /// The `.sources` file.
    pub file: &'a str,
    /// The key to fetch: the keyring to write, the URL and the upper-case fingerprint.
    pub key: Option<(&'a str, &'a str, &'a str)>,
    pub absent: bool,
    pub update: bool,
}

/// `k_apt_sources --file FILE ...` (apt.sources): the step's text is the file's content.
pub fn apt_sources(sources: &AptSources) -> OpCall {
    let mut call = OpCall::new("k_apt_sources");
    call.value("--file", sources.file);
    if let Some((keyring, url, fingerprint)) = sources.key {
        call.value("--keyring", keyring)
            .value("--key-url", url)
            .value("--fingerprint", fingerprint);
    }
    call.flag("--absent", sources.absent)
        .flag("--update", sources.update);
    call
}

/// Where a package file comes from ([`apt_deb`], [`rpm_file`]).
pub enum PackageFile<'a> {
    /// Downloaded on the host, and checked against its SHA-256 (lower-case hex).
    Url { url: &'a str, sha256: &'a str },
    /// The step's data: the controller's file.
    Data,
}

impl OpCall {
    /// ` --url URL --sha256 SUM` or ` --stdin`: where the runtime's `k_package_file` reads
    /// the package.
    fn package_file(&mut self, source: &PackageFile) -> &mut Self {
        match source {
            PackageFile::Url { url, sha256 } => self.value("--url", url).value("--sha256", sha256),
            PackageFile::Data => self.flag("--stdin", true),
        }
    }
}

/// `k_apt_deb (--url URL --sha256 SUM | --stdin)` (apt.deb).
pub fn apt_deb(source: &PackageFile) -> OpCall {
    let mut call = OpCall::new("k_apt_deb");
    call.package_file(source);
    call
}

/// `k_apt_ppa --uri URI --keyring KEYRING -- K_APT_SOURCES_OPTIONS` (apt.ppa): `sources` as
/// [`apt_sources`] takes them, the stanza made on the host (its suite is the host's codename).
pub fn apt_ppa(uri: &str, sources: &AptSources) -> OpCall {
    let mut call = OpCall::new("k_apt_ppa");
    let keyring = sources.key.map_or("", |(keyring, _, _)| keyring);
    call.value("--uri", uri).value("--keyring", keyring);
    call.args.code(" --").push(&apt_sources(sources).args);
    call
}

/// `k_rpm_key --key URL|PATH --fingerprint FINGERPRINT --id ID [--absent]` (dnf.key,
/// yum.key, zypper.key): `fingerprint` in upper-case hex, `id` its last 8 digits in lower
/// case (rpm's `gpg-pubkey-ID`).
pub fn rpm_key(key: &str, fingerprint: &str, id: &str, absent: bool) -> OpCall {
    let mut call = OpCall::new("k_rpm_key");
    call.value("--key", key)
        .value("--fingerprint", fingerprint)
        .value("--id", id)
        .flag("--absent", absent);
    call
}

/// `k_rpm_file --manager MANAGER (--url URL --sha256 SUM | --stdin)` (dnf.rpm, yum.rpm,
/// zypper.rpm): `manager` is `dnf`, `yum` or `zypper`.
pub fn rpm_file(manager: PackageManager, source: &PackageFile) -> OpCall {
    let mut call = OpCall::new("k_rpm_file");
    call.value("--manager", manager.word()).package_file(source);
    call
}

// --- git.sh -------------------------------------------------------------------------------

/// A checkout ([`git`]): `git.repo`'s arguments.
#[derive(Default)]
pub struct Git<'a> {
    pub repo: &'a str,
    pub dest: &'a str,
    pub branch: Option<&'a str>,
    pub rev: Option<&'a str>,
    pub depth: Option<i64>,
    pub pull: bool,
    pub submodules: bool,
    pub user: Option<&'a str>,
    /// `GIT_SSH_COMMAND`, or empty.
    pub ssh_command: &'a str,
}

/// `k_git --repo REPO --dest DIR ...` (git.repo).
pub fn git(git: &Git) -> OpCall {
    let mut call = OpCall::new("k_git");
    call.value("--repo", git.repo).value("--dest", git.dest);
    call.given("--branch", git.branch)
        .given("--rev", git.rev)
        .number("--depth", git.depth);
    call.flag("--no-pull", !git.pull)
        .flag("--submodules", git.submodules);
    call.given("--user", git.user);
    call.option("--ssh-command", git.ssh_command);
    call
}

/// Which configuration [`git_config`] changes.
pub enum GitConfigScope<'a> {
    System,
    /// The running user's, or `user`'s.
    Global,
    /// The repository's at this path.
    Local(&'a str),
    /// This file.
    File(&'a str),
}

/// `k_git_config --name NAME --value VALUE --where OPTION ...` (git.config); `value` `None`
/// unsets it.
pub fn git_config(
    name: &str,
    value: Option<&str>,
    scope: &GitConfigScope,
    user: Option<&str>,
) -> OpCall {
    let mut call = OpCall::new("k_git_config");
    call.value("--name", name);
    match value {
        Some(value) => call.value("--value", value),
        None => call.flag("--absent", true),
    };
    match scope {
        GitConfigScope::System => call.args.code(" --where --system"),
        GitConfigScope::Global => call.args.code(" --where --global"),
        GitConfigScope::Local(path) => call.args.code(" --where --local --in ").arg(path),
        GitConfigScope::File(path) => call.args.code(" --where --file --in ").arg(path),
    };
    call.given("--user", user);
    call
}

// --- filters.sh: lines in shared files ---------------------------------------------------

/// `k_apt_source --file FILE --line LINE --key KEY ...` (apt.repo).
pub fn apt_source(file: &str, line: &str, key: &str, absent: bool, update: bool) -> OpCall {
    let mut call = OpCall::new("k_apt_source");
    call.value("--file", file)
        .value("--line", line)
        .value("--key", key)
        .flag("--absent", absent)
        .flag("--update", update);
    call
}

/// `k_sysctl --key KEY --value VALUE [--file FILE]` (server.sysctl).
pub fn sysctl(key: &str, value: &str, file: Option<&str>) -> OpCall {
    let mut call = OpCall::new("k_sysctl");
    call.value("--key", key)
        .value("--value", value)
        .given("--file", file);
    call
}

/// `k_filter_file --path FILE -- k_keyed --format limits --key KEY --line LINE`
/// (server.security_limits): the entry KEY (`DOMAIN TYPE ITEM`) is LINE, or with no line
/// absent.
pub fn security_limits(file: &str, key: &str, line: Option<&str>) -> OpCall {
    let mut call = OpCall::new("k_filter_file");
    call.value("--path", file);
    call.args.code(" -- k_keyed --format limits");
    call.value("--key", key).given("--line", line);
    call.flag("--absent", line.is_none());
    call
}

/// A locale ([`locale`]).
pub struct Locale<'a> {
    pub locale: &'a str,
    pub lang: &'a str,
    pub charset: &'a str,
    /// As `locale -a` lists it.
    pub normalized: &'a str,
    pub absent: bool,
}

/// `k_locale --locale LOCALE ...` (server.locale).
pub fn locale(locale: &Locale) -> OpCall {
    let mut call = OpCall::new("k_locale");
    call.value("--locale", locale.locale)
        .value("--lang", locale.lang)
        .value("--charset", locale.charset)
        .value("--normalized", locale.normalized)
        .flag("--absent", locale.absent);
    call
}

/// A mount ([`mount`]).
pub struct Mount<'a> {
    pub path: &'a str,
    /// The mount point as fstab writes it.
    pub point: &'a str,
    /// Its fstab line (empty when absent).
    pub line: &'a str,
    pub src: &'a str,
    pub fstype: &'a str,
    pub opts: &'a str,
    pub mounted: bool,
    pub absent: bool,
}

/// `k_mount --path PATH ...` (server.mount).
pub fn mount(mount: &Mount) -> OpCall {
    let mut call = OpCall::new("k_mount");
    call.value("--path", mount.path)
        .value("--point", mount.point)
        .value("--line", mount.line)
        .value("--src", mount.src)
        .value("--fstype", mount.fstype)
        .value("--opts", mount.opts)
        .flag("--unmounted", !mount.mounted)
        .flag("--absent", mount.absent);
    call
}

/// `k_authorized_keys --user USER --keys KEYS ...` (server.authorized_keys); keys without
/// line breaks.
pub fn authorized_keys(
    user: &str,
    path: Option<&str>,
    keys: &[&str],
    absent: bool,
    exclusive: bool,
) -> OpCall {
    let mut call = OpCall::new("k_authorized_keys");
    call.value("--user", user).given("--path", path);
    call.value("--keys", &keys.join("\n"))
        .flag("--absent", absent)
        .flag("--exclusive", exclusive);
    call
}

/// A crontab entry ([`crontab_entry`]).
pub struct CronEntry<'a> {
    /// Whose crontab (empty: whoever runs the script).
    pub user: &'a str,
    /// The entry's name (its marker comment), or empty.
    pub name: &'a str,
    pub line: &'a str,
    /// What the line runs, which finds an unnamed entry.
    pub job: &'a str,
    pub absent: bool,
}

/// `k_crontab_entry --user USER -- k_cron_entry --name NAME ...` (server.crontab).
pub fn crontab_entry(entry: &CronEntry) -> OpCall {
    let mut call = OpCall::new("k_crontab_entry");
    call.option("--user", entry.user);
    call.args.code(" -- k_cron_entry");
    option(&mut call.args, "--name", entry.name);
    option(&mut call.args, "--line", entry.line);
    option(&mut call.args, "--job", entry.job);
    flag(&mut call.args, "--absent", entry.absent);
    call
}

// --- selinux.sh -----------------------------------------------------------------------------

/// `k_selinux_state --state STATE [--policy POLICY] --config FILE` (selinux.state).
pub fn selinux_state(state: &str, policy: &str, config: &str) -> OpCall {
    let mut call = OpCall::new("k_selinux_state");
    call.value("--state", state)
        .option("--policy", policy)
        .value("--config", config);
    call
}

/// `k_selinux_boolean --name NAME --value on|off [--persistent]` (selinux.boolean).
pub fn selinux_boolean(name: &str, on: bool, persistent: bool) -> OpCall {
    let mut call = OpCall::new("k_selinux_boolean");
    call.value("--name", name)
        .value("--value", if on { "on" } else { "off" })
        .flag("--persistent", persistent);
    call
}

/// A file context rule as wanted ([`selinux_fcontext`]).
pub struct FileContext<'a> {
    /// The path regular expression, as `semanage fcontext` takes it.
    pub target: &'a str,
    /// `a` (all files), `f`, `d`, `c`, `b`, `s`, `l`, `p`.
    pub ftype: &'a str,
    pub setype: &'a str,
    pub seuser: &'a str,
    pub selevel: &'a str,
    pub absent: bool,
    /// A path to relabel after a change (empty: none).
    pub restorecon: &'a str,
}

/// `k_selinux_fcontext --target REGEX --ftype T ...` (selinux.fcontext).
pub fn selinux_fcontext(context: &FileContext) -> OpCall {
    let mut call = OpCall::new("k_selinux_fcontext");
    call.value("--target", context.target)
        .value("--ftype", context.ftype)
        .option("--setype", context.setype)
        .option("--seuser", context.seuser)
        .option("--selevel", context.selevel)
        .flag("--absent", context.absent)
        .option("--restorecon", context.restorecon);
    call
}

// --- keys.sh --------------------------------------------------------------------------------

/// An SSH key pair ([`ssh_keygen`]).
pub struct SshKey<'a> {
    pub path: &'a str,
    /// `ed25519`, `rsa` or `ecdsa`.
    pub kind: &'a str,
    /// In bits; none for ed25519.
    pub size: Option<i64>,
    /// The public key's comment, when one is asked for.
    pub comment: Option<&'a str>,
    pub owner: &'a str,
    pub group: &'a str,
    /// `never`, `fail`, `partial` or `full`.
    pub regenerate: &'a str,
    pub absent: bool,
}

/// `k_ssh_keygen --path PATH --type TYPE ...` (ssh.keygen).
pub fn ssh_keygen(key: &SshKey) -> OpCall {
    let mut call = OpCall::new("k_ssh_keygen");
    call.value("--path", key.path)
        .value("--type", key.kind)
        .number("--size", key.size)
        .given("--comment", key.comment)
        .option("--owner", key.owner)
        .option("--group", key.group)
        .value("--regenerate", key.regenerate)
        .flag("--absent", key.absent);
    call
}

/// A host's known_hosts entries ([`known_hosts`]).
pub struct KnownHosts<'a> {
    /// `host` or `[host]:port`.
    pub name: &'a str,
    /// By default `~/.ssh/known_hosts`.
    pub path: Option<&'a str>,
    /// `TYPE KEY`, each without line breaks.
    pub keys: &'a [String],
    pub keyscan: bool,
    pub hash: bool,
    pub absent: bool,
}

/// `k_known_hosts --name NAME ...` (ssh.known_hosts).
pub fn known_hosts(hosts: &KnownHosts) -> OpCall {
    let mut call = OpCall::new("k_known_hosts");
    call.value("--name", hosts.name)
        .given("--path", hosts.path)
        .option("--keys", &hosts.keys.join("\n"))
        .flag("--keyscan", hosts.keyscan)
        .flag("--hash", hosts.hash)
        .flag("--absent", hosts.absent);
    call
}

// --- containers.sh --------------------------------------------------------------------------

/// `k_docker_image --cli CLI --image REF ...` (docker.image).
pub fn docker_image(cli: &str, image: &str, force: bool, absent: bool) -> OpCall {
    let mut call = OpCall::new("k_docker_image");
    call.value("--cli", cli)
        .value("--image", image)
        .flag("--force", force)
        .flag("--absent", absent);
    call
}

/// A container ([`docker_container`]).
pub struct Container<'a> {
    pub cli: &'a str,
    pub name: &'a str,
    pub image: &'a str,
    /// The hash of its configuration, kept in its label `kiln.config-hash`.
    pub hash: &'a str,
    /// `started`, `stopped`, `present` or `absent`.
    pub state: &'a str,
    /// Whether its environment is read on standard input (the step's data).
    pub env_file: bool,
    /// What `create` is given after its name and label: options, the image, the command.
    pub create: &'a [String],
}

/// `k_docker_container --cli CLI --name NAME ... -- CREATE_OPTION...` (docker.container).
pub fn docker_container(container: &Container) -> OpCall {
    let mut call = OpCall::new("k_docker_container");
    call.value("--cli", container.cli)
        .value("--name", container.name)
        .value("--image", container.image)
        .value("--hash", container.hash)
        .value("--state", container.state)
        .flag("--env-file", container.env_file);
    call.args.code(" --");
    for word in container.create {
        call.args.code(" ").arg(word);
    }
    call
}

/// `k_docker_object --cli CLI --kind KIND --name NAME ...` (docker.network, docker.volume).
pub fn docker_object(cli: &str, kind: &str, name: &str, driver: &str, absent: bool) -> OpCall {
    let mut call = OpCall::new("k_docker_object");
    call.value("--cli", cli)
        .value("--kind", kind)
        .value("--name", name)
        .option("--driver", driver)
        .flag("--absent", absent);
    call
}

// --- edits.sh -------------------------------------------------------------------------------

/// What a missing file means to an edit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Missing {
    /// An empty file, created only if the edit adds something to it.
    Empty,
    /// An error.
    Fail,
    /// An error whose message points at `create = true`.
    FailCreate,
}

/// Where new text goes when nothing in the file says where.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    Start,
    End,
    /// After the last line (the first, with `first`) matching the anchor.
    After,
    /// Before it.
    Before,
}

impl Place {
    fn word(self) -> &'static str {
        match self {
            Place::Start => "bof",
            Place::End => "eof",
            Place::After => "after",
            Place::Before => "before",
        }
    }
}

/// An edit of the file at `path` ([`edit`]).
pub struct Edit<'a> {
    pub path: &'a str,
    pub missing: Missing,
    pub attributes: Attributes<'a>,
    pub backup: bool,
    /// A shell command that must accept the new file (its path as `$1`) before it is
    /// installed (`--validate`).
    pub validate: Option<&'a str>,
    /// What the desired content is made by: [`line`], [`block`] or [`replace`].
    pub edit: EditCall,
}

/// `k_edit --path PATH ... -- EDIT` (files.line, files.block, files.replace).
pub fn edit(edit: &Edit) -> OpCall {
    let mut call = OpCall::new("k_edit");
    call.value("--path", edit.path);
    match edit.missing {
        Missing::Empty => call.args.code(" --missing empty"),
        Missing::Fail => &mut call.args,
        Missing::FailCreate => call.args.code(" --missing fail-create"),
    };
    call.attributes(&edit.attributes)
        .flag("--backup", edit.backup);
    if let Some(command) = edit.validate {
        call.value("--validate", command);
    }
    call.args.code(" -- ").push(&edit.edit.0);
    call
}

/// The call that makes an edit's desired content: [`line`], [`block`], [`replace`] or [`ini`].
#[derive(Clone, Debug, PartialEq)]
pub struct EditCall(Sh);

/// A line in a file ([`line`]). Regular expressions are EREs (`crate::regex`).
pub struct Line<'a> {
    pub line: &'a str,
    /// The line to replace (the last matching, the first with `first`).
    pub regexp: &'a str,
    pub present: bool,
    pub first: bool,
    pub place: Place,
    pub anchor: &'a str,
    /// For back-references: `regexp`'s matcher program and the replacement (encoded).
    pub backrefs: Option<(&'a str, &'a str)>,
}

/// `k_line --line LINE ...` (files.line).
pub fn line(line: &Line) -> EditCall {
    let mut sh = Sh::of("k_line");
    option(&mut sh, "--line", line.line);
    option(&mut sh, "--regexp", line.regexp);
    flag(&mut sh, "--absent", !line.present);
    flag(&mut sh, "--first", line.first);
    place(&mut sh, line.place, line.anchor);
    if let Some((program, replacement)) = line.backrefs {
        sh.code(" --program ").arg(program);
        sh.code(" --replacement ").arg(replacement);
    }
    EditCall(sh)
}

/// ` --where WHERE --anchor ANCHOR`, but for the end (the default) and an empty anchor.
fn place(sh: &mut Sh, place: Place, anchor: &str) {
    if place != Place::End {
        sh.code(" --where ").code(place.word());
    }
    option(sh, "--anchor", anchor);
}

/// A block of lines between marker lines ([`block`]).
pub struct Block<'a> {
    pub begin: &'a str,
    pub end: &'a str,
    pub lines: &'a [&'a str],
    pub present: bool,
    pub first: bool,
    pub blank_before: bool,
    pub blank_after: bool,
    pub place: Place,
    pub anchor: &'a str,
}

/// `k_block --begin MARKER --end MARKER ...` (files.block).
pub fn block(block: &Block) -> EditCall {
    let mut sh = Sh::of("k_block --begin ");
    sh.arg(block.begin).code(" --end ").arg(block.end);
    sh.code(" --count ").int(block.lines.len() as i64);
    sh.code(" --lines ").arg(&block.lines.join("\n"));
    flag(&mut sh, "--absent", !block.present);
    flag(&mut sh, "--first", block.first);
    flag(&mut sh, "--blank-before", block.blank_before);
    flag(&mut sh, "--blank-after", block.blank_after);
    place(&mut sh, block.place, block.anchor);
    EditCall(sh)
}

/// Every match replaced ([`replace`]): matcher programs (`crate::regex`) and an encoded
/// replacement.
pub struct Replace<'a> {
    pub program: &'a str,
    pub replacement: &'a str,
    pub after: &'a str,
    pub before: &'a str,
}

/// `k_replace --program PROGRAM --replacement TEXT ...` (files.replace).
pub fn replace(replace: &Replace) -> EditCall {
    let mut sh = Sh::of("k_replace --program ");
    sh.arg(replace.program)
        .code(" --replacement ")
        .arg(replace.replacement);
    option(&mut sh, "--after", replace.after);
    option(&mut sh, "--before", replace.before);
    EditCall(sh)
}

/// An option or a section of an INI file ([`ini`]).
pub struct Ini<'a> {
    /// Empty: the lines before the first section.
    pub section: &'a str,
    /// Empty: the section itself.
    pub option: &'a str,
    /// `None`: the option written alone (present), or every value (absent).
    pub value: Option<&'a str>,
    pub present: bool,
    /// Whether the option's other lines go (present), or all its lines whatever their
    /// value (absent).
    pub exclusive: bool,
    /// `OPTION=VALUE` rather than `OPTION = VALUE`.
    pub tight: bool,
}

/// `k_ini --section SECTION --option OPTION ...` (files.ini).
pub fn ini(ini: &Ini) -> EditCall {
    let mut sh = Sh::of("k_ini");
    option(&mut sh, "--section", ini.section);
    option(&mut sh, "--option", ini.option);
    match ini.value {
        Some(value) => {
            sh.code(" --value ").arg(value);
        }
        None => flag(&mut sh, "--no-value", ini.present && !ini.option.is_empty()),
    }
    flag(&mut sh, "--absent", !ini.present);
    flag(&mut sh, "--keep-others", !ini.exclusive);
    flag(&mut sh, "--tight", ini.tight);
    EditCall(sh)
}

// --- commands.sh ----------------------------------------------------------------------------

/// What [`run`] runs.
pub enum Commands<'a> {
    /// Shell commands, each in its own `sh -c`.
    Shell(&'a [&'a str]),
    /// A program and its arguments, without a shell.
    Program(&'a [&'a str]),
    /// The step's data, a script named `name`, run by `interpreter` (its program and one
    /// optional argument; `sh` without) with `args`.
    Script {
        name: &'a str,
        interpreter: Option<(&'a str, Option<&'a str>)>,
        args: &'a [&'a str],
    },
}

/// When and how [`run`] runs its commands.
#[derive(Default)]
pub struct Guards<'a> {
    /// They need not run when this path exists,
    pub creates: Option<&'a str>,
    /// or this one is missing,
    pub removes: Option<&'a str>,
    /// or this shell command succeeds,
    pub unless: Option<&'a str>,
    /// or this one fails.
    pub onlyif: Option<&'a str>,
    /// The directory they run in.
    pub chdir: Option<&'a str>,
    /// Their environment's additions (names are shell identifiers, checked by the caller).
    pub env: Vec<(&'a str, &'a str)>,
}

/// `k_run --creates PATH ... -- WORD...` (server.shell, server.command, server.script).
pub fn run(guards: &Guards, commands: &Commands) -> OpCall {
    let mut call = OpCall::new("k_run");
    call.given("--creates", guards.creates)
        .given("--removes", guards.removes)
        .given("--unless", guards.unless)
        .given("--onlyif", guards.onlyif)
        .given("--chdir", guards.chdir);
    for (name, value) in &guards.env {
        call.args.code(" --env ").arg(&format!("{name}={value}"));
    }
    let words = match commands {
        Commands::Shell(commands) => {
            call.flag("--shell", true);
            commands
        }
        Commands::Program(argv) => argv,
        Commands::Script {
            name,
            interpreter,
            args,
        } => {
            call.value("--script", name);
            if let Some((program, argument)) = interpreter {
                call.value("--interpreter", program);
                if let Some(argument) = argument {
                    call.value("--interpreter-arg", argument);
                }
            }
            args
        }
    };
    call.args.code(" --");
    for word in *words {
        call.args.code(" ").arg(word);
    }
    call
}

// --- databases.sh ---------------------------------------------------------------------------

/// A database object's state, probed and made by SQL through a server's client ([`sql`]).
pub struct Sql<'a> {
    /// `psql` or `mysql`.
    pub client: &'a str,
    /// The database to connect to; the client's default when empty.
    pub database: &'a str,
    /// Read-only SQL whose output is [`Sql::want`] when the state holds.
    pub probe: &'a str,
    pub want: &'a str,
    /// Run when the probe prints nothing (the object does not exist), if given.
    pub create: Option<&'a str>,
    /// Run otherwise.
    pub change: &'a str,
    /// What the change does, in words (no secret).
    pub what: &'a str,
}

/// `k_sql --client CLIENT --probe SQL --want TEXT ...` (postgresql.*, mysql.*).
pub fn sql(sql: &Sql) -> OpCall {
    let mut call = OpCall::new("k_sql");
    call.value("--client", sql.client)
        .option("--database", sql.database)
        .value("--probe", sql.probe)
        .value("--want", sql.want)
        .given("--create", sql.create)
        .value("--change", sql.change)
        .value("--what", sql.what);
    call
}
