//! `ssh.known_hosts`: a host's entries in a known_hosts file, from given keys or a keyscan,
//! hashed or not, like Ansible's `known_hosts`.

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, OpArgs, Step};
use crate::runtime::call::{self, KnownHosts};
use crate::source::Span;
use crate::steps::values::not_an_option;

pub(crate) const DEF: OpDef = OpDef::new(
    "ssh.known_hosts",
    "Ensure a known_hosts file trusts a host with given keys (or the keys `ssh-keyscan` finds, on first use), hashed or not, or has no entry for it.",
    Network::when(
        "with `keyscan` (when `present`)",
        |args, def| args.flag(def, "present") && args.flag(def, "keyscan"),
        "give the host's keys in `key` (what `ssh-keyscan` prints, run where the host can be reached)",
    ),
    lower,
)
.main_arg("host")
.args(&[
    arg("host", Str, "The host as known_hosts names it: `host`, or `[host]:port` for another port than 22.").required(),
    arg("key", Str, "The host's keys, one line each as in a known_hosts file (`NAME TYPE KEY`, e.g. the output of `ssh-keyscan`). A key of the host with the same type but another value is replaced."),
    arg("keyscan", Bool, "Trust the keys `ssh-keyscan` finds for the host (at the port of `[host]:port`) when the file has no entry for it yet (trust on first use: an existing entry is left as it is).").default(Default::Bool(false)),
    arg("path", Path, "The known_hosts file; by default `~/.ssh/known_hosts` of the user the op runs as (its directory made 0700)."),
    arg("hash_host", Bool, "Write the host's name hashed (`ssh-keygen -H`); an entry hashed otherwise is rewritten.").default(Default::Bool(false)),
    arg("present", Bool, "Whether the host should have entries in the file.").default(Default::Bool(true)),
])
.rules(&[Rule::Conflicts("key", "keyscan")])
.validate(validate);

fn validate(args: &OpArgs, diagnostics: &mut Diagnostics) {
    // Templated values are checked once rendered, in the lowering.
    if let (Some(name), Some(key)) = (args.str("host"), args.get("key"))
        && let Some(text) = key.value.as_str()
        && !format!("{name}{text}").contains("{{")
        && let Err(problem) = keys_of(name, text, key.span)
    {
        diagnostics.push(problem);
    }
    if args.flag(&DEF, "present")
        && !args.contains("key")
        && !args.flag(&DEF, "keyscan")
        && let Some(name) = args.get("host")
    {
        diagnostics.push(
            Diagnostic::new(Code::MissingArgument, name.span, "no key to trust this host with")
                .label("`present` needs the host's keys")
                .help("give `key` (lines of `ssh-keyscan HOST`), or `keyscan = true` to trust what the host shows on first use"),
        );
    }
}

/// One call of `k_known_hosts` (`src/runtime/keys.sh`), with each given line's `TYPE KEY`.
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    let name = input.str("host");
    not_an_option(input, "host", name)?;
    if name.is_empty() || name.contains(|c: char| c.is_whitespace() || ",*?!#".contains(c)) {
        return Err(
            Diagnostic::new(Code::InvalidValue, input.span("host"), "not one host name")
                .label("a name with blanks, `,` or a pattern character")
                .help("one host per op: `example.com` or `[example.com]:2222`"),
        );
    }
    let keys = keys_of(
        name,
        input.args.str("key").unwrap_or_default(),
        input.span("key"),
    )?;
    Ok(Step {
        call: Some(call::known_hosts(&KnownHosts {
            name,
            path: input.args.str("path"),
            keys: &keys,
            keyscan: input.flag("keyscan"),
            hash: input.flag("hash_host"),
            absent: !input.flag("present"),
        })),
        verify: true,
        ..Step::default()
    })
}

/// `TYPE KEY` of each known_hosts line of `key` for `name` (blank and comment lines left
/// out), or the problem with the first that is not one: its first field must name the host
/// (as Ansible requires), or be hashed.
fn keys_of(name: &str, key: &str, span: Span) -> Result<Vec<String>, Diagnostic> {
    key.lines()
        .filter(|line| !line.trim().is_empty() && !line.trim_start().starts_with('#'))
        .map(|line| match line.split_whitespace().collect::<Vec<_>>().as_slice() {
            [host, kind, blob, ..]
                if (host.split(',').any(|h| h == name) || host.starts_with("|1|"))
                    && !host.starts_with('@') =>
            {
                Ok(format!("{kind} {blob}"))
            }
            _ => Err(Diagnostic::new(
                Code::InvalidValue,
                span,
                format!("not a known_hosts line for `{name}`"),
            )
            .label(format!("each line is `{name} TYPE KEY`"))
            .help(format!("copy the lines `ssh-keyscan {name}` prints, host name included (a .pub file's line has none)"))),
        })
        .collect()
}
