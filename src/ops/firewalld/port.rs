//! `firewalld.port`: a port (or range) and its protocol open or closed in a firewalld zone,
//! as Ansible's `ansible.posix.firewalld` with `port` (see the module's doc).

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, OpArgs, Step};

use super::{IMMEDIATE, PERMANENT, STATE, ZONE, lower_rule, some_configuration};

pub(crate) const DEF: OpDef = OpDef::new(
    "firewalld.port",
    "Ensure a port is open, or closed, in a firewalld zone, permanently and now.",
    Network::Never,
    lower,
)
.main_arg("port")
.args(&[
    arg(
        "port",
        Str,
        "The port or range and its protocol: `8080/tcp`, `60000-61000/udp`.",
    )
    .required(),
    ZONE,
    STATE,
    PERMANENT,
    IMMEDIATE,
])
.validate(validate);

/// Refuses a port without its protocol, which firewalld needs.
fn validate(args: &OpArgs, diagnostics: &mut Diagnostics) {
    some_configuration(args, diagnostics);
    if let Some(port) = args.get("port")
        && let Some(text) = port.value.as_str()
        && !is_port(text)
    {
        diagnostics.push(
            Diagnostic::new(
                Code::InvalidValue,
                port.span,
                format!("`{text}` is not a port with its protocol"),
            )
            .label("PORT/PROTOCOL expected")
            .help("write the port (or a range `LOW-HIGH`) and the protocol, e.g. `8080/tcp` or `60000-61000/udp`"),
        );
    }
}

fn is_port(text: &str) -> bool {
    let Some((ports, proto)) = text.split_once('/') else {
        return false;
    };
    let number = |p: &str| !p.is_empty() && p.parse::<u16>().is_ok();
    let ports_ok = match ports.split_once('-') {
        Some((low, high)) => number(low) && number(high),
        None => number(ports),
    };
    ports_ok && ["tcp", "udp", "sctp", "dccp"].contains(&proto)
}

fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    lower_rule(input, "--port", "port")
}
