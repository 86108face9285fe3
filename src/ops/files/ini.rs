//! `files.ini`: set, add or remove an option or a section in an INI file, keeping its
//! comments, blank lines and order, like Ansible's `community.general.ini_file`.
//!
//! An edit like `files.line`'s (see `steps::edit`): one `k_edit` call whose edit is
//! `k_ini`, an awk program of the runtime, so the probe, the atomic write, the diff,
//! `backup` and `validate` are the other edits'. Where it differs from `ini_file` is in
//! `src/docs/ansible_edits.md`.

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::opdef::OpArgs;
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::ops::common::{EDIT_BACKUP, EDIT_GROUP, EDIT_MODE, EDIT_OWNER};
use crate::runtime::call::{self, Edit, Ini, Missing};
use crate::steps::attrs::Attrs;
use crate::steps::edit::{self, Values};
use crate::steps::validator;

pub(crate) const DEF: OpDef = OpDef::new(
    "files.ini",
    "Set, add or remove an option or a section in an INI file, keeping its comments, blank lines and order.",
    Network::Never,
    lower,
)
.main_arg("path")
.args(&[
    arg("path", Path, "The INI file.").required(),
    arg("section", Str, "The section (`[section]`); without it, the lines before the first section."),
    arg("option", Str, "The option; without it, the op is about the section itself (present: it exists; absent: it is removed whole)."),
    arg("value", Str, "The option's value. Required for a present `option` unless `allow_no_value`; for an absent one with `exclusive = false`, only lines with this value are removed."),
    arg("present", Bool, "Whether the option (or the section) should be in the file.").default(Default::Bool(true)),
    arg("exclusive", Bool, "Present: remove the option's other lines in the section (false keeps them and adds the value as one more line). Absent: remove all of the option's lines whatever their value.").default(Default::Bool(true)),
    arg("no_extra_spaces", Bool, "Write `option=value` instead of `option = value`.").default(Default::Bool(false)),
    arg("allow_no_value", Bool, "Allow an option without `value`, written as the option's name alone (`skip-name-resolve`).").default(Default::Bool(false)),
    arg("create", Bool, "Create the file (and its directory) if it does not exist; false fails instead.").default(Default::Bool(true)),
    EDIT_BACKUP,
    EDIT_MODE,
    EDIT_OWNER,
    EDIT_GROUP,
    validator::ARG,
])
.validate(validate);

fn validate(args: &OpArgs, diagnostics: &mut Diagnostics) {
    validator::check(args, diagnostics);
    let given = |name| args.get(name).is_some();
    if args.flag(&DEF, "present")
        && given("option")
        && !given("value")
        && !args.flag(&DEF, "allow_no_value")
        && let Some(option) = args.get("option")
    {
        diagnostics.push(
            Diagnostic::new(
                Code::MissingArgument,
                option.span,
                "`option` without a `value`",
            )
            .label("a present option needs the value to set")
            .help("add `value = \"...\"`, or `allow_no_value = true` for an option written alone"),
        );
    }
    if !args.flag(&DEF, "present")
        && !given("section")
        && !given("option")
        && let Some(present) = args.get("present")
    {
        diagnostics.push(
            Diagnostic::new(
                Code::InvalidValue,
                present.span,
                "this would remove every line before the first section",
            )
            .label("neither `section` nor `option` says what to remove")
            .help("name the `option` to remove, or the `section` to remove whole"),
        );
    }
    edit::check_as_written(args, check, diagnostics);
}

/// What must also hold once templates are rendered: each value is (part of) one line.
fn check(values: &Values, diagnostics: &mut Diagnostics) {
    for name in ["section", "option", "value"] {
        edit::single_line(values, name, "an INI entry is one line", diagnostics);
    }
}

/// Lowered to `k_ini` through `k_edit` (see the module doc): the option's line in the
/// section is rewritten where it is (a commented-out `#option = ...` too, as Ansible),
/// else added after the section's last line that is neither blank nor a comment; a missing
/// section is added at the end of the file.
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    edit::recheck(input.args, check)?;
    let present = input.flag("present");
    let missing = if !present || input.flag("create") {
        Missing::Empty
    } else {
        Missing::FailCreate
    };
    let validate = validator::command(input);
    Ok(edit::edit_step(&Edit {
        path: input.str("path"),
        missing,
        attributes: Attrs::of(input).for_call(),
        backup: input.flag("backup"),
        validate: validate.as_deref(),
        edit: call::ini(&Ini {
            section: input.str("section"),
            option: input.str("option"),
            value: input.args.str("value"),
            present,
            exclusive: input.flag("exclusive"),
            tight: input.flag("no_extra_spaces"),
        }),
    }))
}
