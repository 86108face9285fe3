//! The `docker.*` ops: images, containers, networks and volumes, managed through the
//! docker or the podman CLI (the `cli` argument; podman speaks docker's command line, so
//! there are no `podman.*` ops: one name per op, one argument for the tool). Each op's step
//! is one call into `src/runtime/containers.sh`, whose probe is one `inspect` of the object
//! the op names (and for a container that exists, one of its image).
//!
//! The argument naming the object is `image`, `container`, `network` or `volume` (Ansible's
//! `name`, which is every op's own display name in kiln). Names of containers, networks and
//! volumes are checked here as docker checks them (`[a-zA-Z0-9][a-zA-Z0-9_.-]*`), and an
//! image reference may not start with `-`, so no name can be read as an option of the CLI.

pub(super) mod container;
pub(super) mod image;
pub(super) mod network;
pub(super) mod volume;

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, OpArgs, Step};
use crate::runtime::call;
use crate::source::Span;

/// `cli` of every docker op.
pub(super) const CLI: ArgDef = arg(
    "cli",
    Enum(&["docker", "podman"]),
    "The command that manages the host's containers: `docker`, or `podman` (which takes the same arguments).",
)
.default(Default::Str("docker"));

/// `present` of the networks and volumes.
pub(super) const OBJECT_PRESENT: ArgDef =
    arg("present", Bool, "Whether it should exist.").default(Default::Bool(true));

/// `driver` of the networks and volumes.
pub(super) const OBJECT_DRIVER: ArgDef = arg(
    "driver",
    Str,
    "The driver it is made with (`bridge`, `local`, ...); by default the CLI's. Only used when it is made: one that exists is kept, whatever its driver.",
);

/// Whether `name` is a name docker accepts for a container, network or volume.
fn is_object_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

/// A name docker refuses, at `span`.
fn bad_name(span: Span, name: &str) -> Diagnostic {
    Diagnostic::new(
        Code::InvalidValue,
        span,
        format!("`{name}` is not a name docker accepts"),
    )
    .label("a name is letters, digits, `_`, `.` and `-`, starting with a letter or digit")
    .help("e.g. `web`, `app_data` or `front-net`")
}

/// The check of argument `arg`'s name, at check time: a templated one is checked when
/// lowered ([`object_name`]).
pub(super) fn validate_name(args: &OpArgs, arg: &str, diagnostics: &mut Diagnostics) {
    if let Some(given) = args.get(arg)
        && let Some(name) = given.value.as_str()
        && !name.contains("{{")
        && !is_object_name(name)
    {
        diagnostics.push(bad_name(given.span, name));
    }
}

/// The rendered name in argument `arg`, or why docker would refuse it.
pub(super) fn object_name<'a>(input: &'a LowerInput, arg: &str) -> Result<&'a str, Diagnostic> {
    let name = input.str(arg);
    if is_object_name(name) {
        Ok(name)
    } else {
        Err(bad_name(input.span(arg), name))
    }
}

/// The step of `docker.network` or `docker.volume` (`kind`: `network`, `volume`, which is
/// also the name of the argument naming it).
pub(super) fn object_step(input: &LowerInput, kind: &str) -> Result<Step, Diagnostic> {
    Ok(Step {
        call: Some(call::docker_object(
            input.str("cli"),
            kind,
            object_name(input, kind)?,
            input.str("driver"),
            !input.flag("present"),
        )),
        verify: true,
        ..Step::default()
    })
}
