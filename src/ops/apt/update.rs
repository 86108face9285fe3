//! `apt.update`: refresh apt's package lists (`apt-get update`).

use crate::diagnostic::Diagnostic;
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::runtime::call;
use crate::steps::values::seconds;

pub(crate) const DEF: OpDef = OpDef::new(
    "apt.update",
    "Refresh apt's package lists with `apt-get update`.",
    // In a bundle, `run`'s apt configuration makes the update read the bundle's own
    // packages: no network.
    Network::PackageSources,
    lower,
)
.args(&[arg(
    "cache_time",
    Duration,
    "Skip the update if the package lists were refreshed less than this long ago.",
)]);

/// With `cache_time`, ok while the lists are younger than that (the lists directory's
/// modification time, which kiln sets after each update); without, it updates (and reports
/// a change) on every run, as pyinfra's does.
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    let cache_time = seconds(input, "cache_time");
    Ok(Step {
        call: Some(call::apt_refresh(cache_time)),
        verify: cache_time > 0,
        ..Step::default()
    })
}
