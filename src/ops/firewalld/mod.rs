//! firewalld's services, ports and zones, through `firewall-cmd`, as Ansible's
//! `ansible.posix.firewalld` keeps them.
//!
//! A service or a port is asked for in each configuration the op names: the permanent one
//! (`permanent`, on by default) and the running one (`immediate`, on by default too: where
//! Ansible changes the running configuration only when `permanent` is false or `immediate`
//! is true, kiln's default keeps both, which is what a role means by "open this port").
//! `firewall-cmd --query-*` is the probe, `--add-*` and `--remove-*` the act, each only in
//! the configuration that differs. firewalld needs its daemon on D-Bus: the tests run the
//! ops against a fake `firewall-cmd` (`tests/it/firewall.rs`).

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, OpArgs, Step};
use crate::runtime::call::{self, Firewalld};
use crate::steps::values::not_an_option;

pub(super) mod port;
pub(super) mod service;
pub(super) mod zone;

/// The zone of a service or port.
const ZONE: ArgDef = arg(
    "zone",
    Str,
    "The zone (`public`, `internal`, ...); firewalld's default zone when not given.",
);

/// Whether the service or port is enabled.
const STATE: ArgDef = arg(
    "state",
    Enum(&["enabled", "disabled"]),
    "`enabled`: traffic to it is accepted in the zone; `disabled`: it is not.",
)
.default(Default::Str("enabled"));

/// In the permanent configuration.
const PERMANENT: ArgDef = arg(
    "permanent",
    Bool,
    "Keep the change in firewalld's permanent configuration (it survives a reload and a reboot).",
)
.default(Default::Bool(true));

/// In the running configuration.
const IMMEDIATE: ArgDef = arg(
    "immediate",
    Bool,
    "Make the change in the running configuration too, at once.",
)
.default(Default::Bool(true));

/// The step of a service (`kind` `--service`) or a port (`--port`), whose value is the
/// argument `name`.
fn lower_rule(input: &LowerInput, kind: &'static str, name: &str) -> Result<Step, Diagnostic> {
    let value = input.str(name);
    not_an_option(input, name, value)?;
    let zone = input.str("zone");
    not_an_option(input, "zone", zone)?;
    Ok(Step {
        call: Some(call::firewalld(&Firewalld {
            kind,
            value,
            zone,
            enabled: input.str("state") == "enabled",
            permanent: input.flag("permanent"),
            immediate: input.flag("immediate"),
        })),
        verify: true,
        ..Step::default()
    })
}

/// Refuses `permanent = false` with `immediate = false`: an op that changes nothing.
fn some_configuration(args: &OpArgs, diagnostics: &mut Diagnostics) {
    let off = |name| {
        args.get(name)
            .filter(|flag| flag.value.as_bool() == Some(false))
    };
    if let (Some(_), Some(immediate)) = (off("permanent"), off("immediate")) {
        diagnostics.push(
            Diagnostic::new(
                Code::InvalidValue,
                immediate.span,
                "neither the permanent nor the running configuration",
            )
            .label("and `permanent = false`")
            .help("keep `permanent`, `immediate` or both (the default): the op changes one of firewalld's configurations"),
        );
    }
}
