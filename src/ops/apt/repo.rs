//! `apt.repo`: manage an apt source line, like pyinfra's `apt.repo` and Ansible's
//! `apt_repository`.

use crate::ops::def::prelude::*;

pub const DEF: OpDef = OpDef {
    name: "apt.repo",
    summary: "Ensure an apt source line is present in (or absent from) the sources lists.",
    main_arg: Some("src"),
    args: &[
        arg("src", Str, "The source line, e.g. `deb [signed-by=/etc/apt/keyrings/docker.asc] https://download.docker.com/linux/debian bookworm stable`.").required(),
        arg("present", Bool, "Whether the source line should be present.").default(Default::Bool(true)),
        arg("filename", Str, "The file's name in `/etc/apt/sources.list.d`, without `.list`; by default the line goes in `/etc/apt/sources.list`."),
        arg("update", Bool, "Run `apt-get update` if the sources changed.").default(Default::Bool(true)),
    ],
    rules: &[],
    facts: &[],
    validate: None,
    lower: None,
};
