//! `server.script`: upload a local script and run it, guarded so it runs only when needed
//! (Ansible's `script`, pyinfra's `server.script`).

use crate::diagnostic::{Code, Diagnostic};
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::ops::common::{CHDIR, CREATES, ENV, ONLYIF, REMOVES, UNLESS};
use crate::shell::Sh;
use crate::shell::content::byte_lines;
use crate::steps::command;

pub const DEF: OpDef = OpDef::new(
    "server.script",
    "Upload a local script to the host and run it, optionally guarded so it runs only when needed.",
    lower,
)
.main_arg("src")
.args(&[
    arg(
        "src",
        LocalPath,
        "The local script, carried inside the emitted script and run with the interpreter its `#!` line names (`sh` without one).",
    )
    .required(),
    arg(
        "args",
        STR_LIST,
        "Arguments passed to the script, one per entry.",
    ),
    CREATES,
    REMOVES,
    UNLESS,
    ONLYIF,
    CHDIR,
    ENV,
])
.rules(&[Rule::GuardedBy(&["creates", "removes", "unless", "onlyif"])]);

/// The script travels byte-exact in the emitted script (the step's data), is written into
/// the run's private directory (`k_private`: mode 0700, a name no one can predict, removed
/// when the run ends), and runs under the guards, `chdir` and `env` of `lower::command`. Its
/// interpreter is the one its `#!` line names, called explicitly (so a `noexec` temporary
/// directory does not matter), else `sh`. The copy is removed whether the script succeeds
/// or not.
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    let src = input.str("src");
    let path = input.base_dir.join(src);
    let bytes = std::fs::read(&path).map_err(|error| {
        Diagnostic::new(
            Code::InvalidPath,
            input.span("src"),
            format!("cannot read {}: {error}", path.display()),
        )
        .label("this script")
        .help("`src` is relative to the manifest that names it")
    })?;
    let mut run = Sh::new();
    match shebang(&bytes) {
        Some((interpreter, argument)) => {
            run.arg(&interpreter);
            if let Some(argument) = argument {
                run.code(" ").arg(&argument);
            }
        }
        None => {
            run.code("sh");
        }
    }
    run.code(" \"$k_script\"");
    let args = input.strings("args");
    for arg in &args {
        run.code(" ").arg(arg);
    }
    let mut step = command::run(input, &[run])?;

    for line in byte_lines(&bytes) {
        step.data.push(&line).code("\n");
    }
    if bytes.is_empty() {
        step.data.code(":");
    }
    let mut act = Sh::of("if k_private && k_script=$k_tmpd/script && cat > \"$k_script\"; then\n");
    act.push(&step.act).code(
        "\nk_rc=$?\n\
         else k_rc=1; fi\n\
         rm -f -- \"$k_script\"; [ \"$k_rc\" = 0 ]",
    );
    step.act = act;

    let mut shown = src.to_owned();
    for arg in &args {
        shown.push(' ');
        shown.push_str(&crate::shell::quote(arg));
    }
    step.diff = Sh::of("printf 'would run: %s\\n' ");
    step.diff.arg(&shown);
    Ok(step)
}

/// The interpreter of a `#!` line and its one optional argument (as the kernel reads it:
/// everything after the interpreter is one argument).
fn shebang(bytes: &[u8]) -> Option<(String, Option<String>)> {
    let rest = bytes.strip_prefix(b"#!")?;
    let end = rest.iter().position(|b| *b == b'\n').unwrap_or(rest.len());
    let line = String::from_utf8_lossy(&rest[..end]);
    let line = line.trim_end_matches('\r').trim();
    let (interpreter, argument) = match line.split_once([' ', '\t']) {
        Some((interpreter, argument)) => (interpreter, Some(argument.trim())),
        None => (line, None),
    };
    if interpreter.is_empty() {
        return None;
    }
    Some((
        interpreter.to_owned(),
        argument.filter(|a| !a.is_empty()).map(str::to_owned),
    ))
}

#[cfg(test)]
mod tests {
    use super::shebang;

    #[test]
    fn shebangs() {
        assert_eq!(shebang(b"echo hi\n"), None);
        assert_eq!(shebang(b"#!\n"), None);
        assert_eq!(
            shebang(b"#!/bin/bash\r\n"),
            Some(("/bin/bash".into(), None))
        );
        assert_eq!(
            shebang(b"#! /usr/bin/env python3 -u \nprint()"),
            Some(("/usr/bin/env".into(), Some("python3 -u".into())))
        );
    }
}
