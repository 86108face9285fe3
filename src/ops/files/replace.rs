//! `files.replace`: replace every match of a regex in a file, like Ansible's `replace` and
//! pyinfra's `files.replace`.

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::lower::attrs::Attrs;
use crate::lower::edit::{self, Edit, Missing, Values};
use crate::lower::{LowerInput, Step};
use crate::ops::args::OpArgs;
use crate::ops::def::prelude::*;
use crate::shell::Sh;

pub const DEF: OpDef = OpDef {
    name: "files.replace",
    summary: "Replace every match of a regular expression in a file.",
    main_arg: Some("path"),
    args: &[
        arg("path", Path, "The file to edit.").required(),
        arg("regexp", Regex, "The regex to search for; it is matched within each line.").required(),
        arg("replace", Str, "The replacement text; `\\1` to `\\9` insert the regex's groups and `\\0` the whole match. Empty deletes the matches.").required(),
        arg("ignore_case", Bool, "Match `regexp` without regard to case.").default(Default::Bool(false)),
        arg("backup", Bool, "Keep a timestamped copy of the file before changing it.").default(Default::Bool(false)),
    ],
    rules: &[],
    facts: &[],
    validate: Some(validate),
    lower: Some(lower),
};

fn validate(args: &OpArgs, diagnostics: &mut Diagnostics) {
    check(
        &Values {
            args,
            rendered: false,
        },
        diagnostics,
    );
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
    edit::references(values, "replace", "regexp", diagnostics);
}

/// Lowered to `k_replace` (see `lower::edit`): each line, without its line ending, goes
/// through `sed -E 's/REGEXP/REPLACE/g'`, so groups work as in `sed` and `^` only matches
/// at the start of a line. In `replace`, `\0`..`\9` (and `\g<N>`) insert groups and `\\`
/// a backslash; every other character, `&` included, is itself. A missing file is an
/// error. A replacement that the regex matches again (`a` → `aa`) never settles: the
/// step's verification catches that, and it fails instead of reporting a change on every
/// run.
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    edit::recheck(input.args, check)?;
    let regexp = input.str("regexp");
    let regexp = if input.flag("ignore_case") {
        edit::fold_case(regexp)
    } else {
        regexp.to_owned()
    };
    let script = edit::sed_substitute(&regexp, input.str("replace")).ok_or_else(|| {
        Diagnostic::new(
            Code::Unsupported,
            input.span("regexp"),
            "`regexp` and `replace` use every character kiln could delimit a `sed` command with",
        )
        .label("the replacement is made by `sed`")
    })?;
    let mut call = Sh::of("k_replace ");
    call.arg(&script);
    Ok(edit::edit_step(&Edit {
        path: input.str("path"),
        missing: Missing::Fail,
        attrs: Attrs::of(input),
        backup: input.flag("backup"),
        call,
    }))
}
