//! `apt.repo`: manage an apt source line, like pyinfra's `apt.repo` and Ansible's
//! `apt_repository`.

use crate::diagnostic::{Code, Diagnostic};
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::runtime::call;

pub(crate) const DEF: OpDef = OpDef::new(
    "apt.repo",
    "Ensure an apt source line is present in (or absent from) the sources lists.",
    // Writing the line fetches nothing; `update` refreshes from the package sources,
    // which a bundle's `run` replaces with the bundle's own packages.
    Network::PackageSources,
    lower,
)
.main_arg("src")
.args(&[
    arg("src", Str, "The source line, e.g. `deb [signed-by=/etc/apt/keyrings/docker.asc] https://download.docker.com/linux/debian bookworm stable`.").required(),
    arg("present", Bool, "Whether the source line should be present.").default(Default::Bool(true)),
    arg("filename", Str, "The file's name in `/etc/apt/sources.list.d`, without `.list`; by default the line goes in `/etc/apt/sources.list`."),
    arg("update", Bool, "Run `apt-get update` if the sources changed.").default(Default::Bool(true)),
]);

/// The line in `/etc/apt/sources.list.d/FILENAME.list` (else `/etc/apt/sources.list`),
/// then `apt-get update` when it changed (with `update`).
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    let src = input.str("src").trim();
    if src.is_empty() || src.contains(['\n', '\r']) {
        return Err(
            Diagnostic::new(Code::InvalidValue, input.span("src"), "not a source line")
                .label("empty, or more than one line")
                .help("one `deb ...` line; add several with several ops"),
        );
    }
    let file = match input.args.str("filename") {
        Some(name) if !name.is_empty() && !name.contains('/') => {
            format!("/etc/apt/sources.list.d/{name}.list")
        }
        Some(_) => {
            return Err(Diagnostic::new(
                Code::InvalidValue,
                input.span("filename"),
                "not a file name",
            )
            .label("empty, or with a `/`")
            .help("a name such as `docker`: the file is /etc/apt/sources.list.d/docker.list"));
        }
        None => "/etc/apt/sources.list".to_owned(),
    };
    let key = src.split_whitespace().collect::<Vec<_>>().join(" ");
    Ok(Step {
        call: Some(call::apt_source(
            &file,
            src,
            &key,
            !input.flag("present"),
            input.flag("update"),
        )),
        verify: true,
        ..Step::default()
    })
}
