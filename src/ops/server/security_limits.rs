//! `server.security_limits`: one pam_limits entry (`DOMAIN TYPE ITEM VALUE`) in
//! `limits.conf` or a file of `limits.d`, like Ansible's `community.general.pam_limits`.

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, OpArgs, Step};
use crate::runtime::call;
use crate::source::Span;

/// The items `limits.conf(5)` knows (Ansible's `limit_item` choices).
const ITEMS: &[&str] = &[
    "as",
    "chroot",
    "core",
    "cpu",
    "data",
    "fsize",
    "locks",
    "maxlogins",
    "maxsyslogins",
    "memlock",
    "msgqueue",
    "nice",
    "nofile",
    "nproc",
    "priority",
    "rss",
    "rtprio",
    "sigpending",
    "stack",
];

pub(crate) const DEF: OpDef = OpDef::new(
    "server.security_limits",
    "Ensure a pam_limits entry (`DOMAIN TYPE ITEM VALUE`) is in `limits.conf` or a file of `/etc/security/limits.d`, or is absent.",
    Network::Never,
    lower,
)
.main_arg("domain")
.args(&[
    arg("domain", Str, "Whom the limit is for: a user, `@group`, `*`, a uid or gid range (`1000:`, `@500:600`).").required(),
    arg("limit_type", Enum(&["soft", "hard", "-"]), "`soft`, `hard`, or `-` (both).").required(),
    arg("item", Enum(ITEMS), "The resource limited, e.g. `nofile`.").required(),
    arg("value", Str, "The limit: a number, `unlimited` or `infinity` (`-20`..`19` for `nice` and `priority`)."),
    arg("present", Bool, "Whether the entry should be in the file.").default(Default::Bool(true)),
    arg("path", Path, "The file, e.g. `/etc/security/limits.d/90-app.conf` (its directory must exist).").default(Default::Str("/etc/security/limits.conf")),
])
.rules(&[Rule::RequiredIf("present", &["value"])])
.validate(validate);

/// The fields as written (a templated one is checked once rendered, in the lowering).
fn validate(args: &OpArgs, diagnostics: &mut Diagnostics) {
    for name in ["domain", "value"] {
        if let Some(given) = args.get(name)
            && let Some(text) = given.value.as_str()
            && !text.contains("{{")
            && let Some(problem) = not_one_field(name, text, given.span)
        {
            diagnostics.push(problem);
        }
    }
}

/// The problem with `value` as the limits.conf field `name`: a field is one word, with no
/// blanks (which would split it) and no `#` (which would start a comment).
fn not_one_field(name: &str, value: &str, span: Span) -> Option<Diagnostic> {
    let example = if name == "domain" {
        "`\"@admins\"`"
    } else {
        "`65536` or `\"unlimited\"`"
    };
    (value.is_empty() || value.contains(|c: char| c.is_whitespace() || c == '#')).then(|| {
        Diagnostic::new(
            Code::InvalidValue,
            span,
            format!("`{name}` must be one word"),
        )
        .label("a limits.conf field is one word, with no blanks and no `#`")
        .help(format!(
            "one {name} per entry (soft and hard limits are two entries), e.g. {example}"
        ))
    })
}

/// The entry is one line, `DOMAIN<TAB>TYPE<TAB>ITEM<TAB>VALUE` (as Ansible writes it), owned
/// by its first three fields: the first line (not a comment) with the same domain, type and
/// item is replaced in place, later ones are removed, and a missing one is appended
/// (`k_keyed --format limits`).
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    let present = input.flag("present");
    for name in ["domain", "value"] {
        if (name == "domain" || present)
            && let Some(problem) = not_one_field(name, input.str(name), input.span(name))
        {
            return Err(problem);
        }
    }
    let key = format!(
        "{} {} {}",
        input.str("domain"),
        input.str("limit_type"),
        input.str("item")
    );
    let line = format!("{}\t{}", key.replace(' ', "\t"), input.str("value"));
    Ok(Step {
        call: Some(call::security_limits(
            input.str("path"),
            &key,
            present.then_some(line.as_str()),
        )),
        verify: true,
        ..Step::default()
    })
}
