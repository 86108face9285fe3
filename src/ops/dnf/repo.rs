//! `dnf.repo`: a repository file of dnf, like Ansible's `yum_repository`; one
//! implementation with the other rpm managers' (`ops::rpm_family`).

use crate::diagnostic::Diagnostic;
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::ops::rpm_family::{self, Family};

pub(crate) const DEF: OpDef = OpDef::new(
    "dnf.repo",
    "Ensure a dnf repository is a file of its own in `/etc/yum.repos.d`, written whole from the arguments.",
    Network::Never,
    lower,
)
.main_arg("repoid")
.args(rpm_family::REPO_ARGS)
.rules(rpm_family::REPO_RULES)
.validate(rpm_family::validate_repo);

fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    rpm_family::lower_repo(input, Family::Dnf)
}
