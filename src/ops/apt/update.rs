//! `apt.update`: refresh apt's package lists (`apt-get update`).

use crate::diagnostic::Diagnostic;
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::steps::values::seconds;

pub const DEF: OpDef = OpDef::new(
    "apt.update",
    "Refresh apt's package lists with `apt-get update`.",
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
    let mut step = Step {
        verify: cache_time > 0,
        ..Step::default()
    };
    if cache_time > 0 {
        step.probe.code("k_apt_fresh ").int(cache_time);
    } else {
        step.probe.code("false");
    }
    step.act.code("k_apt_update 0");
    step.diff.code("printf 'refresh the package lists\\n'");
    Ok(step)
}
