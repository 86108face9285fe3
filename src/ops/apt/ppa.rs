//! `apt.ppa`: a Launchpad PPA (`ppa:USER/NAME`) as an `apt.sources` source, like pyinfra's
//! `apt.ppa` and Ansible's `apt_repository` with a `ppa:` repo.
//!
//! The source is `/etc/apt/sources.list.d/USER-ubuntu-NAME.sources` (deb822, the name
//! `add-apt-repository` gives a PPA, without its codename), for
//! `https://ppa.launchpadcontent.net/USER/NAME/ubuntu`, component `main`; its suite is the
//! host's Ubuntu codename, read on the host when the step runs (`UBUNTU_CODENAME` of
//! `/etc/os-release`, which Ubuntu's derivatives set too), so one manifest serves every
//! release. A host that is neither fails there, saying so, before anything is written;
//! where kiln has the host's facts when it lowers the op (`emit --facts`, a live run
//! whose manifest uses facts), such a host is refused before the script is made.
//!
//! The key is `apt.sources`'s: fetched into `/etc/apt/keyrings/USER-ubuntu-NAME.gpg` and
//! checked by fingerprint before apt trusts it. `add-apt-repository` asks Launchpad's API
//! for the PPA's key; kiln asks for the `fingerprint` instead (shown on the PPA's page):
//! the API answer is only as trustworthy as the connection, and a fingerprint in the
//! manifest is reviewed with it. The key is fetched from `keyserver` (Ubuntu's, by
//! default), which serves it by fingerprint, and `k_apt_sources` refuses any other key.

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::opdef::OpArgs;
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::runtime::call::{self, AptSources};
use crate::source::Span;

pub(crate) const DEF: OpDef = OpDef::new(
    "apt.ppa",
    "Ensure a Launchpad PPA (`ppa:USER/NAME`) is an apt source for the host's Ubuntu release, its key checked by fingerprint.",
    Network::when(
        "when `present` (the key from the keyserver, and `apt-get update`)",
        reaches::when_present,
        "a bundle carries the packages of `apt.packages`: give the PPA's source line to `kiln bundle --apt-source` and leave this op out of the bundle (`--skip-tags`)",
    ),
    lower,
)
.main_arg("ppa")
.args(&[
    arg("ppa", Str, "The PPA: `ppa:USER/NAME` (or `USER/NAME`). The source is `/etc/apt/sources.list.d/USER-ubuntu-NAME.sources`, its key `/etc/apt/keyrings/USER-ubuntu-NAME.gpg`.").required(),
    arg("fingerprint", Str, "The fingerprint of the PPA's signing key, from its Launchpad page (40 hex digits, spaces allowed): a key with another is refused before anything is written.").required(),
    arg("keyserver", Str, "The `https://` keyserver the key is fetched from, by fingerprint (`/pks/lookup?op=get&search=0xFINGERPRINT`).").default(Default::Str("https://keyserver.ubuntu.com")),
    arg("present", Bool, "Whether the source should exist (false removes the file and its keyring, on any host).").default(Default::Bool(true)),
    arg("update", Bool, "After a change, refresh the package lists of this source alone (`apt-get update` with only this file).").default(Default::Bool(true)),
]
)
.validate(validate);

/// At check time, what the lowering refuses, for each value that is not a template (the
/// lowering checks that one once rendered).
fn validate(args: &OpArgs, diagnostics: &mut Diagnostics) {
    let given = |name| {
        args.get(name)
            .and_then(|v| v.value.as_str().map(|s| (s, v.span)))
            .filter(|(s, _)| !s.contains("{{"))
    };
    let problems = [
        given("ppa").and_then(|(ppa, span)| user_and_name(ppa, span).err()),
        given("fingerprint")
            .and_then(|(given, span)| super::sources::fingerprint(given, span).err()),
        given("keyserver").and_then(|(server, span)| keyserver(server, span).err()),
    ];
    problems
        .into_iter()
        .flatten()
        .for_each(|problem| diagnostics.push(problem));
}

/// The PPA's owner and name, checked (`origin` is where a problem is shown).
fn user_and_name(ppa: &str, origin: Span) -> Result<(&str, &str), Diagnostic> {
    let launchpad_name = |s: &str| {
        s.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-.".contains(&b))
    };
    match ppa.strip_prefix("ppa:").unwrap_or(ppa).split_once('/') {
        Some((user, name)) if launchpad_name(user) && launchpad_name(name) => Ok((user, name)),
        _ => Err(
            Diagnostic::new(Code::InvalidValue, origin, "not a PPA name")
                .label("expected `ppa:USER/NAME`, Launchpad names in lower case")
                .help("e.g. `ppa:deadsnakes/ppa`, as the PPA's Launchpad page writes it"),
        ),
    }
}

/// The `https://` keyserver, without a trailing `/`.
fn keyserver(given: &str, origin: Span) -> Result<&str, Diagnostic> {
    if !given.starts_with("https://") && !given.starts_with("http://") {
        return Err(Diagnostic::new(
            Code::InvalidValue,
            origin,
            "`keyserver` is not an http(s) URL",
        )
        .label("the key is fetched over HTTP(S) by fingerprint")
        .help(
            "leave it out for `https://keyserver.ubuntu.com`, or give another's `https://` URL",
        ));
    }
    Ok(given.trim_end_matches('/'))
}

/// Refuses a host whose facts kiln has and which is not Ubuntu or derived from it (`os.id`
/// or `os.id_like` say `ubuntu`); a host of unknown facts is left to the step.
fn refuse_other_os(input: &LowerInput) -> Result<(), Diagnostic> {
    let fact = |name: &str| {
        input
            .context
            .get_attr("facts")
            .and_then(|facts| facts.get_attr("os"))
            .and_then(|os| os.get_attr(name))
            .ok()
            .and_then(|value| value.as_str().map(str::to_owned))
    };
    let Some(id) = fact("id") else {
        return Ok(());
    };
    let like = fact("id_like").unwrap_or_default();
    if id == "ubuntu" || like.split_whitespace().any(|word| word == "ubuntu") {
        return Ok(());
    }
    Err(Diagnostic::new(
        Code::InvalidValue,
        input.span("ppa"),
        format!("this host is {id}, not Ubuntu"),
    )
    .label("a PPA is built for an Ubuntu release")
    .help("apply it only on Ubuntu hosts (`when = \"facts.os.id == 'ubuntu'\"`), or use `apt.sources` for another repository"))
}

/// One call of `k_apt_ppa`: `k_apt_sources` with the stanza made on the host, whose suite
/// is the host's codename (see the module doc).
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    let (user, name) = user_and_name(input.str("ppa"), input.span("ppa"))?;
    let fingerprint =
        super::sources::fingerprint(input.str("fingerprint"), input.span("fingerprint"))?;
    let server = keyserver(input.str("keyserver"), input.span("keyserver"))?;
    let stem = format!("{user}-ubuntu-{name}");
    let keyring = format!("/etc/apt/keyrings/{stem}.gpg");
    let url = format!("{server}/pks/lookup?op=get&search=0x{fingerprint}");
    let present = input.flag("present");
    if present {
        refuse_other_os(input)?;
    }
    Ok(Step {
        call: Some(call::apt_ppa(
            &format!("https://ppa.launchpadcontent.net/{user}/{name}/ubuntu"),
            &AptSources {
                file: &format!("/etc/apt/sources.list.d/{stem}.sources"),
                key: Some((&keyring, &url, &fingerprint)),
                absent: !present,
                update: present && input.flag("update"),
            },
        )),
        verify: true,
        ..Step::default()
    })
}
