//! `server.modprobe`: load (or unload) a kernel module, optionally at every boot, like
//! Ansible's `modprobe`.

use crate::diagnostic::{Code, Diagnostic};
use crate::opdef::ArgValue;
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::runtime::call;

pub(crate) const DEF: OpDef = OpDef::new(
    "server.modprobe",
    "Ensure a kernel module is loaded or unloaded, and optionally loaded at boot.",
    Network::Never,
    lower,
)
.main_arg("module")
.args(&[
    arg("module", Str, "The kernel module's name.").required(),
    arg("present", Bool, "Whether the module should be loaded.").default(Default::Bool(true)),
    arg("persist", Bool, "Also load the module at boot (through `/etc/modules-load.d/<module>.conf`), or stop loading it at boot when `present` is false.").default(Default::Bool(true)),
    arg("params", STR_MAP, "Module parameters (`name = \"value\"`), passed to `modprobe` and, with `persist`, written to `/etc/modprobe.d/<module>.conf`."),
]);

/// Probe: `/sys/module/NAME` exists (or `modules.builtin` lists it), and with `persist`,
/// `/etc/modules-load.d/NAME.conf` names it and `/etc/modprobe.d/NAME.conf` has its
/// `options` line (when `params` are given). Act: `modprobe` (`modprobe -r`), then the
/// files, written atomically. The parameters of a module that is already loaded are not
/// changed: that needs it unloaded, which kiln does not do behind your back.
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    let module = input.str("module");
    if module.is_empty() || module.contains(|c: char| c.is_whitespace() || c == '/') {
        return Err(Diagnostic::new(
            Code::InvalidValue,
            input.span("module"),
            "not a kernel module name",
        )
        .label("a module name has no spaces or `/`")
        .help("e.g. `br_netfilter`"));
    }
    let mut params: Vec<String> = Vec::new();
    if let Some(given) = input.args.get("params")
        && let ArgValue::Map(entries) = &given.value
    {
        for (name, value) in entries {
            let value = value.value.as_str().unwrap_or_default();
            if name.value.contains(|c: char| c.is_whitespace() || c == '=')
                || value.contains(['\n', '\r'])
            {
                return Err(Diagnostic::new(
                    Code::InvalidValue,
                    name.span,
                    "not a module parameter",
                )
                .label("a parameter name has no spaces or `=`, its value no line break"));
            }
            params.push(format!("{}={value}", name.value));
        }
    }
    Ok(Step {
        call: Some(call::modprobe(
            module,
            &params,
            input.flag("persist"),
            !input.flag("present"),
        )),
        verify: true,
        ..Step::default()
    })
}
