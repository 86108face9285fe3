//! `git.config`: set or unset a git configuration key, like Ansible's
//! `community.general.git_config`, through git itself (`git config`), so the file keeps
//! git's own format and whatever else it holds.

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::opdef::OpArgs;
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::runtime::call::{self, GitConfigScope};
use crate::steps::values::one_line;

pub(crate) const DEF: OpDef = OpDef::new(
    "git.config",
    "Set or unset a git configuration key, system-wide, for a user or in a repository.",
    Network::Never,
    lower,
)
.main_arg("key")
.args(&[
    arg("key", Str, "The key, `section.key` or `section.subsection.key` (`user.email`, `url.https://example.org/.insteadOf`).").required(),
    arg("value", Str, "Its value; the key's other values (of a multi-valued key) are replaced. Required when `present` is true."),
    arg("present", Bool, "Whether the key should be set; false removes every value of it.").default(Default::Bool(true)),
    arg("scope", Enum(&["system", "global", "local", "file"]), "Which configuration: `system` (`/etc/gitconfig`), `global` (`~/.gitconfig` of `user`, or of the user kiln runs as), `local` (the repository at `repo`) or `file` (the file `file`).").default(Default::Str("system")),
    arg("repo", Path, "The repository (its work tree or a bare repository) whose configuration `scope = \"local\"` changes."),
    arg("file", Path, "The file `scope = \"file\"` changes."),
    arg("user", Account, "Run git as this user: with `scope = \"global\"`, their `~/.gitconfig` (created theirs)."),
])
.rules(&[Rule::RequiredIf("present", &["value"])])
.validate(validate);

fn validate(args: &OpArgs, diagnostics: &mut Diagnostics) {
    let scope = args.str("scope").unwrap_or("system");
    for (wanted, needed) in [("local", "repo"), ("file", "file")] {
        if scope == wanted
            && args.get(needed).is_none()
            && let Some(given) = args.get("scope")
        {
            diagnostics.push(
                Diagnostic::new(
                    Code::MissingArgument,
                    given.span,
                    format!("`scope = \"{wanted}\"` without `{needed}`"),
                )
                .label(format!("which {needed} is it?"))
                .help(format!("add `{needed} = \"/path\"`")),
            );
        }
    }
    if let Some(name) = args.get("key")
        && let Some(text) = name.value.as_str()
        && !crate::template::is_template(text)
        && !is_key(text)
    {
        diagnostics.push(not_a_key(text, name.span));
    }
}

fn not_a_key(name: &str, span: crate::source::Span) -> Diagnostic {
    Diagnostic::new(
        Code::InvalidValue,
        span,
        format!("`{name}` is not a git configuration key"),
    )
    .label("a key is `section.key` (or `section.subsection.key`)")
    .help("write the section too, as `git config` does: `user.email`, `core.editor`")
}

/// `section.key` or `section.subsection.key`: a section and a key name of letters, digits
/// and `-` (the key starting with a letter), whatever the subsection holds but a newline.
fn is_key(name: &str) -> bool {
    let (Some((section, _)), Some((_, key))) = (name.split_once('.'), name.rsplit_once('.')) else {
        return false;
    };
    let word = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    word(section)
        && word(key)
        && key.starts_with(|c: char| c.is_ascii_alphabetic())
        && !name.contains(['\n', '\0'])
}

/// Probe: `git config --get-all NAME` in the configuration `scope` says is exactly
/// `value` (or, absent, fails as for an unset key). Act: `git config --replace-all NAME
/// VALUE`, or `--unset-all NAME`. Every git command runs as `user` when given. Lowered to
/// the runtime's `k_git_config` (`src/runtime/git.sh`).
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    let name = input.str("key");
    if !is_key(name) {
        return Err(not_a_key(name, input.span("key")));
    }
    let present = input.flag("present");
    let value = present.then(|| input.str("value"));
    if let Some(value) = value {
        one_line(input, "value", value)?;
    }
    let scope = match input.str("scope") {
        "global" => GitConfigScope::Global,
        "local" => GitConfigScope::Local(input.str("repo")),
        "file" => GitConfigScope::File(input.str("file")),
        _ => GitConfigScope::System,
    };
    Ok(Step {
        call: Some(call::git_config(
            name,
            value,
            &scope,
            input.args.str("user"),
        )),
        verify: true,
        ..Step::default()
    })
}

#[cfg(test)]
mod tests {
    use super::is_key;

    #[test]
    fn keys() {
        for key in [
            "user.email",
            "url.https://x.org/.insteadOf",
            "core.sshCommand",
            "a.b-c.d9",
        ] {
            assert!(is_key(key), "{key}");
        }
        for key in ["email", ".x", "user.", "user.9x", "a b.c", "a.b\nc.d"] {
            assert!(!is_key(key), "{key}");
        }
    }
}
