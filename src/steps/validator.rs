//! `validate`: a command that must accept a file's new content before it replaces the old
//! one (Ansible's `validate`), shared by the ops that write a file.
//!
//! The command names the candidate file `%s`, which it must contain (Ansible requires it
//! too). It runs as `sh -c COMMAND sh CANDIDATE` with each `%s` replaced by `"$1"`, so the
//! candidate's path is one quoted word whatever it is: in an apply the temporary beside the
//! file, which is renamed over the file only if the command succeeds (else the file stays
//! as it was, and the op fails with what the command printed); in check mode a copy in the
//! run's private directory, which no other user can read (`k_candidate`), so a plan says
//! `would fail validation` too.

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, OpArgs};

/// The `validate` argument.
pub(crate) const ARG: ArgDef = arg(
    "validate",
    Shell,
    "A command that must accept the new content before it replaces the file, `%s` standing for the candidate file (`sshd -t -f %s`); it runs in check mode too.",
);

/// What stands for the candidate file in the command.
const PLACEHOLDER: &str = "%s";

/// Reports a `validate` command without `%s`.
pub(crate) fn check(args: &OpArgs, diagnostics: &mut Diagnostics) {
    let Some(command) = args.get("validate") else {
        return;
    };
    if command
        .value
        .as_str()
        .is_some_and(|text| !text.contains(PLACEHOLDER))
    {
        diagnostics.push(
            Diagnostic::new(
                Code::InvalidValue,
                command.span,
                "this command does not name the file it validates",
            )
            .label("no `%s`")
            .help("write `%s` where the candidate file's path goes, e.g. `visudo -cf %s` or `nginx -t -c %s`"),
        );
    }
}

/// The op's `validate` command as it runs, the candidate's path its `$1` (each `%s`
/// replaced by `"$1"`), for `k_edit --validate`; none without one.
pub(crate) fn command(input: &LowerInput) -> Option<String> {
    input
        .args
        .str("validate")
        .map(|command| command.replace(PLACEHOLDER, "\"$1\""))
}

/// The words that run the op's `validate` command with the candidate's path appended (as
/// `k_write_valid` and `k_candidate_valid` run them); none without one.
pub(crate) fn words(input: &LowerInput) -> Vec<String> {
    command(input).map_or_else(Vec::new, |command| {
        vec!["sh".to_owned(), "-c".to_owned(), command, "sh".to_owned()]
    })
}
