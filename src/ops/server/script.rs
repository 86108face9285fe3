//! `server.script`: upload a local script and run it, guarded so it runs only when needed
//! (Ansible's `script`, pyinfra's `server.script`).

use crate::diagnostic::Diagnostic;
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::ops::common::{CHDIR, CREATES, ENV, ONLYIF, REMOVES, UNLESS};
use crate::runtime::call::{self, Commands};
use crate::steps::command;

pub(crate) const DEF: OpDef = OpDef::new(
    "server.script",
    "Upload a local script to the host and run it, optionally guarded so it runs only when needed.",
    Network::Never,
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
.rules(&[Rule::GuardedBy(&["creates", "removes", "unless", "onlyif", "changed_when"])]);

/// The script travels byte-exact in the emitted script (the step's data), is written into
/// the run's private directory (`k_private`: mode 0700, a name no one can predict, removed
/// when the run ends), and runs under the guards, `chdir` and `env` of `steps::command`
/// (`k_run --script`). Its interpreter is the one its `#!` line names, called explicitly
/// (so a `noexec` temporary directory does not matter), else `sh`. The copy is removed
/// whether the script succeeds or not.
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    let src = input.str("src");
    let bytes = input.local_file("src", "this script")?;
    let interpreter = shebang(&bytes);
    let args = input.strings("args");
    let mut step = command::run(
        input,
        &Commands::Script {
            name: src,
            interpreter: interpreter
                .as_ref()
                .map(|(program, argument)| (program.as_str(), argument.as_deref())),
            args: &args,
        },
    )?;
    step.data = call::content(&bytes);
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
