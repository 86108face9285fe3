//! `server.sudoers`: manage a drop-in file in `/etc/sudoers.d`, checked with `visudo` before
//! it is installed.

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::opdef::OpArgs;
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::steps::attrs::Attrs;
use crate::steps::content::{WriteFile, write_file};

pub(crate) const DEF: OpDef = OpDef::new(
    "server.sudoers",
    "Ensure a drop-in file in `/etc/sudoers.d` has the given rules (checked with `visudo` first), or is absent.",
    Network::Never,
    lower,
)
.main_arg("filename")
.args(&[
    arg("filename", Str, "The file's name in `/etc/sudoers.d`; sudo ignores names that contain `.` or end in `~`.").required(),
    arg("content", Str, "The whole file. Either this or `rules` is required when `present` is true."),
    arg("rules", STR_LIST, "sudoers lines, one per entry (e.g. `deploy ALL=(root) NOPASSWD: /usr/bin/systemctl restart app`). sudo runs a rule's commands without a shell; values a template inserts are sudoers text as written (a `,` in one adds a command), so insert only values you trust."),
    arg("present", Bool, "Whether the file should exist.").default(Default::Bool(true)),
    arg("validate", Bool, "Check the new file with `visudo -cf` and refuse to install it if it is invalid.").default(Default::Bool(true)),
])
.rules(&[
    Rule::Conflicts("content", "rules"),
    Rule::RequiredIf("present", &["content", "rules"]),
])
.validate(validate);

fn validate(args: &OpArgs, diagnostics: &mut Diagnostics) {
    // A templated name is checked once it is rendered.
    if let Some(filename) = args.get("filename")
        && let Some(text) = filename.value.as_str()
        && !text.contains("{{")
        && (text.is_empty() || text.contains(['.', '/']) || text.ends_with('~'))
    {
        diagnostics.push(
            Diagnostic::new(
                Code::InvalidValue,
                filename.span,
                "sudo would never read this file",
            )
            .label(
                "a sudoers.d file name must be non-empty, with no `.` or `/`, and not end in `~`",
            )
            .help("use a plain name such as `\"deploy\"` or `\"90-deploy\"`"),
        );
    }
}

/// `/etc/sudoers.d/NAME`, mode 0440, owned by root, written atomically. With `validate`,
/// the new content goes to a temporary file in the same directory (its name has a `.`, so
/// sudo never reads it), `visudo -cf` must accept it, and only then is it renamed over the
/// file: a broken rule never locks anyone out of sudo.
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    let dest = format!("/etc/sudoers.d/{}", input.str("filename"));
    if !input.flag("present") {
        let mut step = Step {
            verify: true,
            ..Step::default()
        };
        step.probe.code("[ ! -e ").arg(&dest).code(" ]");
        step.act.code("rm -f -- ").arg(&dest);
        step.diff.code("printf 'remove %s\\n' ").arg(&dest);
        return Ok(step);
    }
    let content = match input.args.str("content") {
        Some(content) if content.is_empty() || content.ends_with('\n') => content.to_owned(),
        // sudo wants the last line ended.
        Some(content) => format!("{content}\n"),
        None => input
            .strings("rules")
            .iter()
            .map(|rule| format!("{rule}\n"))
            .collect(),
    };
    let attrs = Attrs {
        mode: "0440".into(),
        owner: "root".into(),
        group: String::new(),
    };
    let check: &[&str] = if input.flag("validate") {
        &["visudo", "-c", "-q", "-f"]
    } else {
        &[]
    };
    Ok(write_file(&WriteFile {
        dest: &dest,
        content: content.as_bytes(),
        attrs,
        backup: false,
        create_parent_dirs: false,
        keep: false,
        check,
    }))
}
