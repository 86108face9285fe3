//! `selinux.boolean`: an SELinux boolean on or off, like Ansible's
//! `ansible.posix.seboolean`.

use crate::diagnostic::{Code, Diagnostic};
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::runtime::call;

pub(crate) const DEF: OpDef = OpDef::new(
    "selinux.boolean",
    "Ensure an SELinux boolean is on or off (`setsebool`), optionally across reboots.",
    Network::Never,
    lower,
)
.main_arg("boolean")
.args(&[
    arg(
        "boolean",
        Str,
        "The boolean, e.g. `httpd_can_network_connect` (Ansible's `name`: in kiln, `name` is every op's description).",
    )
    .required(),
    arg("state", Bool, "Whether the boolean is on.").required(),
    arg(
        "persistent",
        Bool,
        "Keep the value across reboots too (`setsebool -P`).",
    )
    .default(Default::Bool(false)),
]);

/// One call of `k_selinux_boolean` (`src/runtime/selinux.sh`): `getsebool` is the probe.
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    let name = input.str("boolean");
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(Diagnostic::new(
            Code::InvalidValue,
            input.span("boolean"),
            "not an SELinux boolean's name",
        )
        .label("a boolean's name is letters, digits and `_`")
        .help("e.g. `httpd_can_network_connect` (`getsebool -a` lists them)"));
    }
    Ok(Step {
        call: Some(call::selinux_boolean(
            name,
            input.flag("state"),
            input.flag("persistent"),
        )),
        verify: true,
        ..Step::default()
    })
}
