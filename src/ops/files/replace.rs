//! `files.replace`: replace every match of a regex in a file, like Ansible's `replace` and
//! pyinfra's `files.replace`.

use crate::ops::def::prelude::*;

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
    validate: None,
    lower: None,
};
