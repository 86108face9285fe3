//! `server.locale`: generate (or remove) a locale, like pyinfra's `server.locale` and
//! Ansible's `locale_gen`.

use crate::diagnostic::{Code, Diagnostic};
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::runtime::call::{self, Locale};

pub(crate) const DEF: OpDef = OpDef::new(
    "server.locale",
    "Ensure a locale is generated and available on the host, or is not.",
    Network::Never,
    lower,
)
.main_arg("locale")
.args(&[
    arg("locale", Str, "The locale, e.g. `en_US.UTF-8`.").required(),
    arg("present", Bool, "Whether the locale should be available.").default(Default::Bool(true)),
]);

/// Probe: `locale -a` lists the locale (names compared as glibc normalizes them:
/// `en_US.UTF-8` is `en_US.utf8`) and, on Debian (where `/etc/locale.gen` and `locale-gen`
/// exist), its line in `/etc/locale.gen` is enabled (or commented out). Act: Debian's
/// `locale-gen` after editing that file, elsewhere `localedef` (`--delete-from-archive` to
/// remove).
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    let locale = input.str("locale");
    if locale.is_empty() || locale.contains(|c: char| c.is_whitespace() || c == '/') {
        return Err(Diagnostic::new(
            Code::InvalidValue,
            input.span("locale"),
            "not a locale name",
        )
        .label("a locale name has no spaces or `/`")
        .help("e.g. `en_US.UTF-8`"));
    }
    let (lang, charset) = match locale.split_once('.') {
        Some((lang, rest)) => (lang, rest.split('@').next().unwrap_or(rest)),
        None => (locale, "ISO-8859-1"),
    };
    let normalized = match locale.split_once('.') {
        Some((lang, rest)) => {
            let (codeset, modifier) = match rest.split_once('@') {
                Some((c, m)) => (c, format!("@{m}")),
                None => (rest, String::new()),
            };
            let codeset: String = codeset
                .chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .map(|c| c.to_ascii_lowercase())
                .collect();
            format!("{lang}.{codeset}{modifier}")
        }
        None => locale.to_owned(),
    };
    Ok(Step {
        call: Some(call::locale(&Locale {
            locale,
            lang,
            charset,
            normalized: &normalized,
            absent: !input.flag("present"),
        })),
        verify: true,
        ..Step::default()
    })
}
