//! `pip.packages`: install or remove Python packages with `pip`, system-wide or in a
//! virtualenv, like pyinfra's `pip.packages` and Ansible's `pip`.

use crate::ops::def::prelude::*;

pub const DEF: OpDef = OpDef {
    name: "pip.packages",
    summary: "Ensure Python packages are installed (optionally at their latest version) or removed with `pip`, optionally in a virtualenv.",
    main_arg: Some("packages"),
    args: &[
        arg("packages", STR_LIST, "Requirement specifiers (`requests`, `django==5.0`, `flask>=3`)."),
        arg("present", Bool, "Whether the packages should be installed.").default(Default::Bool(true)),
        arg("latest", Bool, "Upgrade the packages to the newest available version (`--upgrade`), not just install missing ones.").default(Default::Bool(false)),
        arg("virtualenv", Path, "A virtualenv to install into, created (with `python3 -m venv`) if missing; its own `pip` is used."),
        arg("pip", Str, "The pip command to use when no `virtualenv` is given.").default(Default::Str("pip3")),
        arg("requirements", Path, "A requirements file on the host to install (`-r`)."),
        arg("extra_args", STR_LIST, "Extra arguments for `pip install` / `pip uninstall`."),
    ],
    rules: &[
        Rule::AnyOf(&["packages", "requirements"]),
        Rule::Conflicts("pip", "virtualenv"),
    ],
    facts: &[],
    validate: None,
    lower: None,
};
