//! `apt.sources`: an apt source as a deb822 `.sources` file, with its signing key fetched
//! into a keyring of its own, like Ansible's `deb822_repository`.
//!
//! The file is `/etc/apt/sources.list.d/FILENAME.sources`, written whole from the arguments
//! (kiln owns it: an edit by hand is replaced). A `signed_by` URL is fetched into
//! `/etc/apt/keyrings/FILENAME.gpg`, which the file's `Signed-By` names, only when it holds
//! the key `fingerprint` names: a key fetched over the network is never trusted on its
//! URL alone, so `fingerprint` is required with a URL. gpg (which a host that has apt
//! nearly always has) checks the fingerprint and exports the key binary, an armored
//! download included; a host without gpg gets an error that says so, rather than a
//! keyring kiln could not check. A `signed_by` path names a keyring already on the host,
//! as it is. Ansible also takes a key's armored text inline; kiln does not, yet. Ansible's
//! `name` is `filename` here (as in `apt.repo`): `name` is every op's label.

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::opdef::OpArgs;
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::runtime::call::{self, AptSources};
use crate::source::Span;

/// `types`: a list of `deb` and `deb-src`.
const TYPES: ArgType = ArgType::List(&ArgType::Enum(&["deb", "deb-src"]));

pub(crate) const DEF: OpDef = OpDef::new(
    "apt.sources",
    "Ensure an apt source is a deb822 `.sources` file in `/etc/apt/sources.list.d`, its signing key fetched into a keyring and checked by fingerprint.",
    // `update` refreshes from the package sources, which a bundle's `run` replaces with
    // the bundle's own packages; a key fetched by URL needs the network whatever runs it.
    Network::when(
        "when `present`, with a `signed_by` URL (and `update` from the package sources)",
        |args, def| args.flag(def, "present") && reaches::is_url(args, "signed_by"),
        "give `signed_by` the path of a keyring on the host (written with `files.put`)",
    ),
    lower,
)
.main_arg("filename")
.args(&[
    arg("filename", Str, "The source's file name: the file is `/etc/apt/sources.list.d/FILENAME.sources` and a fetched key goes to `/etc/apt/keyrings/FILENAME.gpg` (letters, digits, `_`, `-` and `.`, the names apt reads).").required(),
    arg("uris", STR_LIST, "The repository URIs (`URIs`).").required(),
    arg("suites", STR_LIST, "The suites (`Suites`), e.g. `bookworm`; a path ending in `/` for a flat repository (then no `components`).").required(),
    arg("components", STR_LIST, "The components (`Components`), e.g. `main`."),
    arg("types", TYPES, "The archive types (`Types`): `deb`, `deb-src`; `deb` when not given."),
    arg("architectures", STR_LIST, "The architectures (`Architectures`), e.g. `amd64`; all of apt's when not given."),
    arg("signed_by", Str, "The signing key: an `http(s)` URL, fetched into `/etc/apt/keyrings/FILENAME.gpg` (needs `fingerprint`), or the absolute path of a keyring on the host, named as it is."),
    arg("fingerprint", Str, "The fingerprint of the key at `signed_by` (40 or 64 hex digits, spaces allowed): a key with another is refused before anything is written."),
    arg("present", Bool, "Whether the source should exist (false removes the file, and the keyring it fetched).").default(Default::Bool(true)),
    arg("update", Bool, "After a change, refresh the package lists of this source alone (`apt-get update` with only this file).").default(Default::Bool(true)),
])
.rules(&[Rule::Requires("fingerprint", "signed_by")])
.validate(validate);

/// At check time, what the lowering refuses, unless a value is still a template (then the
/// lowering checks it once rendered).
fn validate(args: &OpArgs, diagnostics: &mut Diagnostics) {
    let Some(filename) = args.get("filename") else {
        return;
    };
    if args.any_template() {
        return;
    }
    if let Err(problem) = key(args, filename.span).and_then(|_| stanza(args, filename.span, None)) {
        diagnostics.push(problem);
    }
}

/// Where the key comes from.
enum Key<'a> {
    None,
    /// A keyring already on the host.
    Path(&'a str),
    /// Fetched from the URL, with this fingerprint (upper case, no spaces).
    Url(&'a str, String),
}

/// The name and `signed_by` checked, with the fingerprint a URL needs (`origin` is where a
/// problem with an argument not given is shown).
fn key(args: &OpArgs, origin: Span) -> Result<Key<'_>, Diagnostic> {
    let span = |name: &str| args.get(name).map_or(origin, |v| v.span);
    let name = args.str("filename").unwrap_or_default();
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-.".contains(&b))
    {
        return Err(Diagnostic::new(
            Code::InvalidValue,
            span("filename"),
            "not a source name apt reads",
        )
        .label("apt ignores a file in sources.list.d whose name has other characters")
        .help("letters, digits, `_`, `-` and `.`, e.g. `docker`"));
    }
    let Some(signed_by) = args.str("signed_by") else {
        return Ok(Key::None);
    };
    if signed_by.starts_with('/') {
        return Ok(Key::Path(signed_by));
    }
    if !signed_by.starts_with("https://") && !signed_by.starts_with("http://") {
        return Err(Diagnostic::new(
            Code::InvalidValue,
            span("signed_by"),
            "`signed_by` is neither a URL nor an absolute path",
        )
        .label("not http(s) and not absolute")
        .help("the key's `https://` URL (with `fingerprint`), or a keyring on the host such as `/usr/share/keyrings/FILENAME.gpg`"));
    }
    let Some(given) = args.str("fingerprint") else {
        return Err(Diagnostic::new(
            Code::MissingArgument,
            span("signed_by"),
            "a key fetched from a URL needs its `fingerprint`",
        )
        .label("anyone who can change what this URL serves would choose the key apt trusts")
        .help("add `fingerprint = \"...\"`, the key's full fingerprint from its publisher (`gpg --show-keys KEYFILE` shows it)"));
    };
    let fingerprint = fingerprint(given, span("fingerprint"))?;
    Ok(Key::Url(signed_by, fingerprint))
}

/// A key's full fingerprint as written (spaces allowed, any case), in upper case without
/// spaces; or why it is not one.
pub(crate) fn fingerprint(given: &str, span: Span) -> Result<String, Diagnostic> {
    let fingerprint: String = given
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if !matches!(fingerprint.len(), 40 | 64) || !fingerprint.bytes().all(|b| b.is_ascii_hexdigit())
    {
        return Err(Diagnostic::new(Code::InvalidValue, span, "not a full key fingerprint")
            .label("expected 40 (or, for a v5 key, 64) hex digits")
            .help(
                "the whole fingerprint, not a short or long key id: `gpg --show-keys KEYFILE` shows it",
            ));
    }
    Ok(fingerprint)
}

/// The `.sources` text (deb822: one stanza, a field per line, values separated by spaces).
fn stanza(args: &OpArgs, origin: Span, signed_by: Option<&str>) -> Result<String, Diagnostic> {
    let values = |name: &str| {
        let mut out = Vec::new();
        if let Some(given) = args.get(name) {
            given.value.strings(given.span, &mut out);
        }
        out
    };
    let mut text = String::new();
    for (field, arg) in [
        ("Types", "types"),
        ("URIs", "uris"),
        ("Suites", "suites"),
        ("Components", "components"),
        ("Architectures", "architectures"),
    ] {
        let mut items = values(arg);
        if let Some((bad, span)) = items
            .iter()
            .find(|(v, _)| v.is_empty() || v.contains(char::is_whitespace))
        {
            return Err(Diagnostic::new(
                Code::InvalidValue,
                *span,
                format!("`{bad}` is not one {arg} entry"),
            )
            .label("empty, or with a space or line break")
            .help("one value per list item, e.g. `[\"main\", \"contrib\"]`"));
        }
        if arg == "types" && items.is_empty() {
            items.push(("deb", origin));
        }
        if !items.is_empty() {
            let words: Vec<&str> = items.iter().map(|(v, _)| *v).collect();
            text.push_str(&format!("{field}: {}\n", words.join(" ")));
        }
    }
    if values("components").is_empty() && !values("suites").iter().all(|(s, _)| s.ends_with('/')) {
        return Err(Diagnostic::new(
            Code::MissingArgument,
            args.get("suites").map_or(origin, |s| s.span),
            "a suite that is not a path needs `components`",
        )
        .label("apt wants components for a suite such as this one")
        .help(
            "add `components = [\"main\"]`, or write a flat repository's path ending in `/` (`./`)",
        ));
    }
    if let Some(keyring) = signed_by {
        text.push_str(&format!("Signed-By: {keyring}\n"));
    }
    Ok(text)
}

/// Probe: the keyring (with a URL) holds the key of that fingerprint, and the file holds
/// the stanza. Act: the key first (downloaded, checked, exported binary, written
/// atomically), then the file (atomically), then `apt-get update` of this source alone
/// when `update`. The stanza is the step's text, compared and written by builtins.
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    let name = input.str("filename");
    let key = key(input.args, input.origin)?;
    let keyring = format!("/etc/apt/keyrings/{name}.gpg");
    let (signed_by, fetch) = match &key {
        Key::None => (None, None),
        Key::Path(path) => (Some(*path), None),
        Key::Url(url, fingerprint) => (
            Some(keyring.as_str()),
            Some((keyring.as_str(), *url, fingerprint.as_str())),
        ),
    };
    let present = input.flag("present");
    let text = if present {
        stanza(input.args, input.origin, signed_by)?
    } else {
        String::new()
    };
    let data = call::text(text.as_bytes()).ok_or_else(|| {
        Diagnostic::new(
            Code::InvalidValue,
            input.span("uris"),
            "the source is not plain text",
        )
        .label("a value here has a byte that is not printable ASCII")
        .help("write URIs and names in ASCII (a non-ASCII host name in its `xn--` form)")
    })?;
    Ok(Step {
        call: Some(call::apt_sources(&AptSources {
            file: &format!("/etc/apt/sources.list.d/{name}.sources"),
            key: fetch,
            absent: !present,
            update: present && input.flag("update"),
        })),
        data,
        text: true,
        verify: true,
        ..Step::default()
    })
}
