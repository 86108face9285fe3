//! `docker.image`: an image in the host's local store, like Ansible's
//! `community.docker.docker_image` with `source: pull`. The reference carries its tag or
//! digest (`debian:12`, `debian@sha256:...`): there is no separate `tag` argument, and no
//! `:latest` is added (the CLI adds it, as it does on the command line).

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, OpArgs, Step};
use crate::runtime::call;
use crate::source::Span;

pub(crate) const DEF: OpDef = OpDef::new(
    "docker.image",
    "Ensure an image is in the host's docker (or podman) store, pulled when missing, or is not.",
    Network::when(
        "when `present` (a pull)",
        reaches::when_present,
        "carry the image as a file (`docker save`, written with `files.put`) and load it with `server.command` (`docker load`)",
    ),
    lower,
)
.main_arg("image")
.args(&[
    arg("image", Str, "The image reference, with its tag or digest: `nginx:1.27`, `registry.example.com:5000/app:2`, `debian@sha256:...`.").required(),
    arg("force", Bool, "Pull on every run, to follow a moving tag (Ansible's `force_source`): the op then reports a change on every run, as the pull cannot say whether it brought a new image.").default(Default::Bool(false)),
    arg("present", Bool, "Whether the image should be in the store. Removing one that a container uses fails.").default(Default::Bool(true)),
    super::CLI,
])
.hints(&[(
    "tag",
    "the tag is part of the reference in kiln: `image = \"nginx:1.27\"`",
)])
.validate(validate);

fn validate(args: &OpArgs, diagnostics: &mut Diagnostics) {
    if let Some(given) = args.get("image")
        && let Some(name) = given.value.as_str()
        && !name.contains("{{")
        && let Err(problem) = reference(given.span, name)
    {
        diagnostics.push(problem);
    }
}

/// `name` if it can be an image reference: one word that cannot be read as an option.
pub(super) fn reference(span: Span, name: &str) -> Result<&str, Diagnostic> {
    if name.is_empty() || name.starts_with('-') || name.contains(char::is_whitespace) {
        return Err(Diagnostic::new(
            Code::InvalidValue,
            span,
            format!("`{name}` is not an image reference"),
        )
        .label("empty, with a space, or starting with `-`")
        .help("e.g. `nginx:1.27` or `debian@sha256:...`"));
    }
    Ok(name)
}

fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    let name = reference(input.span("image"), input.str("image"))?;
    Ok(Step {
        call: Some(call::docker_image(
            input.str("cli"),
            name,
            input.flag("force"),
            !input.flag("present"),
        )),
        verify: !input.flag("force"),
        ..Step::default()
    })
}
