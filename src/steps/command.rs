//! Running commands: shared by `server.shell`, `server.command` and `server.script`.
//!
//! Guards become the probe (any guard saying "skip" makes the step ok): `creates` exists,
//! `removes` is missing, `unless` succeeds, `onlyif` fails. With no guard the probe fails,
//! so the command runs on every apply (and `kiln check` warns). Each user command runs in
//! its own `sh -c`, so a syntax error in it fails that op, not the whole script.

use crate::diagnostic::{Code, Diagnostic};
use crate::opdef::ArgValue;
use crate::runtime::call::{self, Commands, Guards};

use super::values::is_identifier;
use crate::opdef::{LowerInput, Step};

/// The step running `commands` under the op's guards, `chdir` and `env`: one call of the
/// runtime's `k_run` (`src/runtime/commands.sh`).
pub(crate) fn run(input: &LowerInput, commands: &Commands) -> Result<Step, Diagnostic> {
    let mut guards = Guards {
        creates: input.args.str("creates"),
        removes: input.args.str("removes"),
        unless: input.args.str("unless"),
        onlyif: input.args.str("onlyif"),
        chdir: input.args.str("chdir"),
        env: Vec::new(),
    };
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
            guards
                .env
                .push((&name.value, value.value.as_str().unwrap_or_default()));
        }
    }
    Ok(Step {
        call: Some(call::run(&guards, commands)),
        ..Step::default()
    })
}
