//! `yum.rpm`: install an `.rpm` file with yum, like Ansible's `yum` with a file; one
//! implementation with the other rpm managers' (`ops::rpm_family`).

use crate::diagnostic::Diagnostic;
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::ops::rpm_family::{self, Family};

pub(crate) const DEF: OpDef = OpDef::new(
    "yum.rpm",
    "Ensure the package in an `.rpm` file (from the controller or a URL) is installed at the file's version, with its dependencies, by `yum`.",
    rpm_family::RPM_NETWORK,
    lower,
)
.main_arg("src")
.args(rpm_family::RPM_ARGS)
.rules(rpm_family::RPM_RULES);

fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    rpm_family::lower_rpm(input, Family::Yum)
}
