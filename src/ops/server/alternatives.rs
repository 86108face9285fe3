//! `server.alternatives`: an alternative of a name in the alternatives system
//! (`update-alternatives`), like Ansible's `alternatives`.

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, OpArgs, Step};
use crate::runtime::call::{self, Alternative};
use crate::steps::values::{int, not_an_option};

pub(crate) const DEF: OpDef = OpDef::new(
    "server.alternatives",
    "Ensure a path is an alternative of a name (`update-alternatives`), and is the one it points to, or that the name is in automatic mode, or that the path is not one of its alternatives.",
    Network::Never,
    lower,
)
.main_arg("generic_name")
.args(&[
    arg("generic_name", Str, "The generic name, e.g. `editor` (its entry in `/etc/alternatives`).").required(),
    arg("path", Path, "The alternative, e.g. `/usr/bin/vim.basic`. Required unless `state` is `auto`."),
    arg("link", Path, "The generic name's link, e.g. `/usr/bin/editor`: needed for a name that does not exist yet; a different one moves the link."),
    arg("priority", Int { min: -2_147_483_648, max: 2_147_483_647 }, "The alternative's priority (automatic mode picks the highest).").default(Default::Int(50)),
    arg("state", Enum(&["selected", "present", "auto", "absent"]), "`selected`: the path is an alternative and the name points to it (manual mode, unless it already does); `present`: the path is an alternative; `auto`: the name is in automatic mode (the path, when given, present too); `absent`: the path is not an alternative.").default(Default::Str("selected")),
])
.validate(validate);

fn validate(args: &OpArgs, diagnostics: &mut Diagnostics) {
    let state = args
        .get("state")
        .and_then(|s| s.value.as_str())
        .unwrap_or("selected");
    if state != "auto"
        && !args.contains("path")
        && let Some(name) = args.get("generic_name")
    {
        diagnostics.push(
            Diagnostic::new(
                Code::MissingArgument,
                name.span,
                format!("`path` is required when `state` is `{state}`"),
            )
            .label("which alternative?")
            .help("give `path`, or `state = \"auto\"` to let the priorities choose"),
        );
    }
}

/// One call of `k_alternatives` (`src/runtime/system.sh`), which reads the name's state with
/// `update-alternatives --query` and runs only the steps that state lacks.
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    let name = input.str("generic_name");
    not_an_option(input, "generic_name", name)?;
    if name.is_empty() || name.contains(['/', ' ', '\n']) {
        return Err(Diagnostic::new(
            Code::InvalidValue,
            input.span("generic_name"),
            "not an alternatives name",
        )
        .label("a name is one word, with no `/`")
        .help("e.g. `editor`, the name of its entry in `/etc/alternatives`"));
    }
    Ok(Step {
        call: Some(call::alternatives(&Alternative {
            name,
            path: input.args.str("path").unwrap_or_default(),
            link: input.args.str("link").unwrap_or_default(),
            priority: int(input, "priority"),
            state: input.str("state"),
        })),
        verify: true,
        ..Step::default()
    })
}
