//! Running commands: shared by `server.shell`, `server.command` and `server.script`.
//!
//! Guards become the probe (any guard saying "skip" makes the step ok): `creates` exists,
//! `removes` is missing, `unless` succeeds, `onlyif` fails. With no guard the probe fails,
//! so the command runs on every apply (and `kiln check` warns). Each user command runs in
//! its own `sh -c`, so a syntax error in it fails that op, not the whole script.

use crate::diagnostic::{Code, Diagnostic};
use crate::opdef::ArgValue;
use crate::shell::Sh;

use super::values::is_identifier;
use crate::opdef::{LowerInput, Step};

/// The step for running `commands` (each a complete shell invocation) under the op's
/// guards, `chdir` and `env`.
pub fn run(input: &LowerInput, commands: &[Sh]) -> Result<Step, Diagnostic> {
    let mut step = Step::default();
    let mut guards: Vec<Sh> = Vec::new();
    if let Some(path) = input.args.str("creates") {
        let mut g = Sh::of("[ -e ");
        g.arg(path).code(" ]");
        guards.push(g);
    }
    if let Some(path) = input.args.str("removes") {
        let mut g = Sh::of("[ ! -e ");
        g.arg(path).code(" ]");
        guards.push(g);
    }
    if let Some(shell) = input.args.str("unless") {
        let mut g = Sh::of("sh -c ");
        g.arg(shell).code(" >/dev/null 2>&1");
        guards.push(g);
    }
    if let Some(shell) = input.args.str("onlyif") {
        let mut g = Sh::of("! sh -c ");
        g.arg(shell).code(" >/dev/null 2>&1");
        guards.push(g);
    }
    if guards.is_empty() {
        step.probe.code("false");
    }
    for (i, guard) in guards.iter().enumerate() {
        if i > 0 {
            step.probe.code(" || ");
        }
        step.probe.code("{ ").push(guard).code("; }");
    }

    step.act.code("(\n");
    if let Some(dir) = input.args.str("chdir") {
        step.act.code("  cd -- ").arg(dir).code(" || exit 1\n");
    }
    if let Some(env) = input.args.get("env")
        && let ArgValue::Map(entries) = &env.value
    {
        for (name, value) in entries {
            if !is_identifier(&name.value) {
                return Err(Diagnostic::new(
                    Code::InvalidValue,
                    name.span,
                    format!("`{}` is not an environment variable name", name.value),
                )
                .label("not a shell identifier")
                .help("names are letters, digits and `_`, not starting with a digit"));
            }
            step.act.code("  export ");
            // The name was just checked to be an identifier; it cannot carry shell syntax.
            step.act
                .arg(&name.value)
                .code("=")
                .arg(value.value.as_str().unwrap_or_default())
                .code("\n");
        }
    }
    for command in commands {
        step.act.code("  ").push(command).code(" || exit $?\n");
    }
    step.act.code(")");
    step.diff.code("printf 'would run: %s\\n'");
    for command in commands {
        step.diff.code(" ").arg(command.display());
    }
    Ok(step)
}
