//! `server.timezone`: set the system time zone, like Ansible's `timezone`.

use crate::diagnostic::{Code, Diagnostic};
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::runtime::call;

pub(crate) const DEF: OpDef = OpDef::new(
    "server.timezone",
    "Set the system time zone.",
    Network::Never,
    lower,
)
.main_arg("timezone")
.args(&[arg(
    "timezone",
    Str,
    "An IANA time zone name from `/usr/share/zoneinfo`, e.g. `Europe/Paris` or `UTC`.",
)
.required()]);

/// Probe: `/etc/localtime` links to the zone's file under `zoneinfo`, and `/etc/timezone`
/// (Debian's copy, where it exists) names it. Act: `timedatectl set-timezone` under systemd,
/// else the link, then `/etc/timezone`. An unknown zone fails before anything changes.
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    let zone = input.str("timezone");
    if zone.is_empty()
        || zone.starts_with('/')
        || zone.split('/').any(|p| p == "..")
        || zone.contains(['\n', '\r'])
    {
        return Err(Diagnostic::new(
            Code::InvalidValue,
            input.span("timezone"),
            "not a time zone name",
        )
        .label("a name relative to /usr/share/zoneinfo")
        .help("e.g. `Europe/Paris` or `UTC`"));
    }
    Ok(Step {
        call: Some(call::timezone(zone)),
        verify: true,
        ..Step::default()
    })
}
