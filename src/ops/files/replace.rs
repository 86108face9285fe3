//! `files.replace`: replace every match of a regex in a file, like Ansible's `replace` and
//! pyinfra's `files.replace`.

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::opdef::OpArgs;
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::ops::common::{EDIT_BACKUP, EDIT_GROUP, EDIT_MODE, EDIT_OWNER};
use crate::regex::{Regex, Replacement};
use crate::runtime::call::{self, Edit, Missing, Replace};
use crate::steps::attrs::Attrs;
use crate::steps::edit::{self, Values};
use crate::steps::validator;

pub(crate) const DEF: OpDef = OpDef::new(
    "files.replace",
    "Replace every match of a regular expression in a file.",
    Network::Never,
    lower,
)
.main_arg("path")
.args(&[
    arg("path", Path, "The file to edit.").required(),
    arg("regexp", Regex, "The regex to search for; it is matched within each line.").required(),
    arg("replace", Str, "The replacement text; `\\1` to `\\9`, `\\g<N>` and `\\g<name>` insert the regex's groups, `\\0` the whole match and `\\t` a tab, as in Python. Empty deletes the matches. A replacement the regex would match again fails before anything is written.").required(),
    arg("after", Regex, "Replace only in the text after the first match of this regex; if it does not match, nothing is replaced. It must match within one line, without `^`/`$`."),
    arg("before", Regex, "Replace only in the text before the last match of this regex (with `after`: the first match after it); if it does not match, nothing is replaced. It must match within one line, without `^`/`$`."),
    arg("ignore_case", Bool, "Match `regexp` without regard to case.").default(Default::Bool(false)),
    EDIT_BACKUP,
    EDIT_MODE,
    EDIT_OWNER,
    EDIT_GROUP,
    validator::ARG,
])
.validate(validate);

fn validate(args: &OpArgs, diagnostics: &mut Diagnostics) {
    validator::check(args, diagnostics);
    edit::check_as_written(args, check, diagnostics);
}

/// What must hold, as written and again once templates are rendered.
fn check(values: &Values, diagnostics: &mut Diagnostics) {
    edit::single_line(
        values,
        "regexp",
        "it is matched within one line at a time",
        diagnostics,
    );
    if let Some((text, span)) = values.get("replace")
        && (text.contains('\n') || text.contains('\r'))
    {
        diagnostics.push(
            Diagnostic::new(Code::InvalidValue, span, "`replace` contains a line break")
                .label("a match within one line is replaced by text within that line")
                .help("use `files.block` or `files.line` to add lines"),
        );
    } else if let Some((text, span)) = values.get("replace") {
        edit::no_nul("replace", text, span, diagnostics);
    }
    let ignore_case = values.args.flag(&DEF, "ignore_case");
    edit::references(values, "replace", "regexp", ignore_case, diagnostics);
    if let Some((text, span)) = values.get("regexp")
        && let Ok(regex) = Regex::parse(text, ignore_case)
        && regex.matches_empty()
    {
        diagnostics.push(
            Diagnostic::new(Code::InvalidRegex, span, "`regexp` can match empty text")
                .label("an empty match would insert `replace` between characters on every run")
                .help("make the pattern match at least one character, e.g. `x+` instead of `x*`"),
        );
    }
    for name in ["after", "before"] {
        bound(values, name, diagnostics);
    }
    if ignore_case
        && let Some((text, span)) = values.get("regexp")
        && Regex::parse(text, false).is_ok()
        && let Err(refusal) = Regex::parse(text, true)
    {
        diagnostics.push(edit::regex_diagnostic("regexp", &refusal, span));
    }
}

/// `after` / `before`: Ansible searches them in the whole file (`re.DOTALL`, without
/// `re.MULTILINE`); kiln searches line by line, which finds the same match only for a
/// pattern that cannot reach past a line nor match nothing. Others are refused.
fn bound(values: &Values, name: &str, diagnostics: &mut Diagnostics) {
    edit::single_line(
        values,
        name,
        "it is matched within one line at a time",
        diagnostics,
    );
    let Some((text, span)) = values.get(name) else {
        return;
    };
    let Ok(regex) = Regex::parse(text, false) else {
        return;
    };
    let problem = if regex.matches_empty() {
        Some("it can match empty text, which is found at the start of the file")
    } else {
        regex.whole_file_difference()
    };
    if let Some(problem) = problem {
        diagnostics.push(
            Diagnostic::new(
                Code::InvalidRegex,
                span,
                format!("`{name}` would not find what Ansible's replace finds"),
            )
            .label(format!("`{name}` is searched in the whole file: {problem}"))
            .help("write a pattern for text within one line, e.g. `<VirtualHost \\*:80>` or `\\[server\\]`, with `[ \\t]` for a blank"),
        );
    }
}

/// The matcher program of the regex `name`, or the empty word when it is not given.
fn program_of(input: &LowerInput, name: &str, ignore_case: bool) -> Result<String, Diagnostic> {
    let span = input.span(name);
    match edit::compile(input, name, ignore_case)? {
        None => Ok(String::new()),
        Some(regex) => regex
            .program()
            .map_err(|r| edit::regex_diagnostic(name, &r, span)),
    }
}

/// Lowered to `k_replace` (see `steps::edit`): every match in each line, without its line
/// ending, is replaced as Python's `re.sub` does (leftmost-first matches, not overlapping),
/// so `^` only matches at the start of a line. In `replace`, `\0`..`\9`, `\g<N>` and
/// `\g<name>` insert groups and `\\` a backslash; every other character, `&` included,
/// is itself. A missing file is an error. A replacement that the regex matches again
/// (`1\.0` → `1.0.0`) never settles: the edit finds out before writing, and fails.
/// With `after` / `before`, only the text between the end of the first match of `after`
/// and the start of the first match of `before` after it is edited, as a text of its own
/// (`^` matches where it starts, as in Ansible, which edits it as a separate string).
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    edit::recheck(input.args, check)?;
    let ignore_case = input.flag("ignore_case");
    let span = input.span("regexp");
    let regex = edit::compile(input, "regexp", ignore_case)?
        .ok_or_else(|| Diagnostic::new(Code::InvalidRegex, span, "`regexp` is empty"))?;
    let program = regex
        .program()
        .map_err(|r| edit::regex_diagnostic("regexp", &r, span))?;
    let replacement = Replacement::parse(input.str("replace"), &regex)
        .map_err(|r| edit::regex_diagnostic("replace", &r, input.span("replace")))?;
    let after = program_of(input, "after", false)?;
    let before = program_of(input, "before", false)?;
    let validate = validator::command(input);
    Ok(edit::edit_step(&Edit {
        path: input.str("path"),
        missing: Missing::Fail,
        attributes: Attrs::of(input).for_call(),
        backup: input.flag("backup"),
        validate: validate.as_deref(),
        edit: call::replace(&Replace {
            program: &program,
            replacement: &replacement.encode(),
            after: &after,
            before: &before,
        }),
    }))
}
