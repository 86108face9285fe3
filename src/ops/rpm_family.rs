//! The package sources of the rpm family, one implementation for `dnf.*`, `yum.*` and
//! `zypper.*`: a repository file (`*.repo`), a signing key in rpm's database (`*.key`) and
//! a package file (`*.rpm`). The families differ only in where their repository files are
//! and which command installs a package file ([`Family`]); each op's file is its
//! definition and a one-line lowering calling the one here.
//!
//! A repository is Ansible's `yum_repository` (and `zypper_repository`'s file): the file
//! `REPOSDIR/FILE.repo` written whole from the arguments, one section (kiln owns the file:
//! an edit by hand is replaced), through `files.put`'s write (`steps::content`), so probe,
//! atomic write and diff are that op's. dnf, yum and libzypp read the same keys.
//!
//! A key is Ansible's `rpm_key` with its `fingerprint` required: the probe asks rpm for the
//! key's `gpg-pubkey-ID` package, and the act imports only a file gpg shows to hold that
//! key alone (`k_rpm_key`), as `apt.sources` does for apt.

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::opdef::OpArgs;
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::runtime::call::{self, Attributes, File, PackageManager};
use crate::source::Span;
use crate::steps::attrs::{Attrs, normalize_mode};
use crate::steps::content::{WriteFile, write_file};
use crate::steps::packages;

/// Which manager's ops these are.
#[derive(Clone, Copy)]
pub(super) enum Family {
    Dnf,
    Yum,
    Zypper,
}

impl Family {
    /// Where the manager reads repository files.
    fn reposdir(self) -> &'static str {
        match self {
            Family::Dnf | Family::Yum => "/etc/yum.repos.d",
            Family::Zypper => "/etc/zypp/repos.d",
        }
    }

    fn manager(self) -> PackageManager {
        match self {
            Family::Dnf => PackageManager::Dnf,
            Family::Yum => PackageManager::Yum,
            Family::Zypper => PackageManager::Zypper,
        }
    }
}

/// The arguments of `dnf.repo`, `yum.repo` and `zypper.repo`.
pub(super) const REPO_ARGS: &[ArgDef] = &[
    arg("repoid", Str, "The repository's id: its section `[REPOID]`, and the file's name unless `file` is given (letters, digits, `-`, `_`, `.` and `:`). Ansible's `name` (kiln's `name` is every op's label).").required(),
    arg("file", Str, "The file's name without `.repo`; `repoid` when not given."),
    arg("description", Str, "Its human-readable name (`name=`); `repoid` when not given."),
    arg("baseurl", STR_LIST, "The URLs of the repository (`baseurl=`, space-separated)."),
    arg("metalink", Str, "A metalink URL listing its mirrors (`metalink=`)."),
    arg("mirrorlist", Str, "A URL of a list of its mirrors (`mirrorlist=`)."),
    arg("enabled", Bool, "Whether the manager uses it (`enabled=`).").default(Default::Bool(true)),
    arg("gpgcheck", Bool, "Whether packages must be signed by a key of `gpgkey` or rpm's database (`gpgcheck=`). Written always: Ansible leaves it to the manager's default when not given.").default(Default::Bool(true)),
    arg("gpgkey", STR_LIST, "URLs of the signing keys (`gpgkey=`, space-separated), which the manager imports on first use after asking; the `*.key` ops import one checked by fingerprint instead."),
    arg("present", Bool, "Whether the file should exist (false removes it).").default(Default::Bool(true)),
    arg("reposdir", Path, "The directory of repository files: `/etc/yum.repos.d` for dnf and yum, `/etc/zypp/repos.d` for zypper when not given."),
    arg("mode", Mode, "The file's mode (`0600` for a URL that holds a password).").default(Default::Str("0644")),
];

/// The rule of the repository ops: a present repository says where its packages are.
pub(super) const REPO_RULES: &[Rule] = &[Rule::RequiredIf(
    "present",
    &["baseurl", "metalink", "mirrorlist"],
)];

/// At check time, what [`repo_text`] refuses, unless a value is still a template (then the
/// lowering checks it once rendered).
pub(super) fn validate_repo(args: &OpArgs, diagnostics: &mut Diagnostics) {
    let Some(repoid) = args.get("repoid") else {
        return;
    };
    if args.any_template() {
        return;
    }
    if let Err(problem) = repo_file(args, repoid.span).and_then(|_| repo_text(args, repoid.span)) {
        diagnostics.push(problem);
    }
}

/// The file's name (`file`, else `repoid`), checked with `repoid`.
fn repo_file(args: &OpArgs, origin: Span) -> Result<&str, Diagnostic> {
    for name in ["repoid", "file"] {
        let Some(value) = args.str(name) else {
            continue;
        };
        if value.is_empty()
            || value.starts_with('.')
            || !value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
        {
            return Err(Diagnostic::new(
                Code::InvalidValue,
                args.get(name).map_or(origin, |v| v.span),
                format!("not a repository {name}"),
            )
            .label("a repository id and file name are letters, digits, `-`, `_`, `.` and `:`")
            .help("e.g. `epel`, or `docker-ce-stable`"));
        }
    }
    Ok(args.str("file").or(args.str("repoid")).unwrap_or_default())
}

/// The file's text: one section, a key a line, values as given (each one line).
fn repo_text(args: &OpArgs, origin: Span) -> Result<String, Diagnostic> {
    let repoid = args.str("repoid").unwrap_or_default();
    let mut text = format!("[{repoid}]\n");
    let mut line = |key: &str, values: Vec<(&str, Span)>| -> Result<(), Diagnostic> {
        if let Some((bad, span)) = values.iter().find(|(v, _)| {
            v.is_empty() || v.contains(['\n', '\r']) || (v.contains(' ') && key != "name")
        }) {
            return Err(Diagnostic::new(
                Code::InvalidValue,
                *span,
                format!("`{bad}` is not one `{key}` value"),
            )
            .label("empty, or with a line break (or, in a URL, a space)")
            .help("one value per list item, each on one line"));
        }
        if !values.is_empty() {
            let words: Vec<&str> = values.iter().map(|(v, _)| *v).collect();
            text.push_str(&format!("{key}={}\n", words.join(" ")));
        }
        Ok(())
    };
    let given = |name: &str| {
        let mut out = Vec::new();
        if let Some(value) = args.get(name) {
            value.value.strings(value.span, &mut out);
        }
        out
    };
    let description = match given("description") {
        none if none.is_empty() => vec![(repoid, origin)],
        some => some,
    };
    line("name", description)?;
    line("baseurl", given("baseurl"))?;
    line("metalink", given("metalink"))?;
    line("mirrorlist", given("mirrorlist"))?;
    // `enabled` and `gpgcheck` default to true (`REPO_ARGS`).
    let flag = |name: &str| {
        let on = args
            .get(name)
            .is_none_or(|v| v.value.as_bool() == Some(true));
        if on { "1" } else { "0" }
    };
    line("enabled", vec![(flag("enabled"), origin)])?;
    line("gpgcheck", vec![(flag("gpgcheck"), origin)])?;
    line("gpgkey", given("gpgkey"))?;
    Ok(text)
}

/// A repository file: written whole (see the module doc), or removed.
pub(super) fn lower_repo(input: &LowerInput, family: Family) -> Result<Step, Diagnostic> {
    let file = repo_file(input.args, input.origin)?;
    let dir = match input.str("reposdir") {
        "" => family.reposdir(),
        given => given.trim_end_matches('/'),
    };
    let path = format!("{dir}/{file}.repo");
    if !input.flag("present") {
        return Ok(Step {
            call: Some(call::file(&File {
                path: &path,
                attributes: Attributes::default(),
                follow: false,
                force: false,
                create: true,
                touch: false,
                absent: true,
            })),
            ..Step::default()
        });
    }
    let text = repo_text(input.args, input.origin)?;
    Ok(write_file(&WriteFile {
        dest: &path,
        content: text.as_bytes(),
        attrs: Attrs {
            mode: normalize_mode(input.str("mode")),
            owner: String::new(),
            group: String::new(),
        },
        backup: false,
        create_parent_dirs: true,
        keep: false,
        check: &[],
    }))
}

/// The arguments of `dnf.key`, `yum.key` and `zypper.key`.
pub(super) const KEY_ARGS: &[ArgDef] = &[
    arg("key", Str, "The key: an `http(s)` URL, downloaded on the host, or the absolute path of a key file (armored or binary) on the host.").required(),
    arg("fingerprint", Str, "The key's full fingerprint (40 hex digits, spaces allowed): a file holding another key, or one more, is refused before rpm sees it.").required(),
    arg("present", Bool, "Whether rpm's database should hold the key (false removes it, `rpm -e gpg-pubkey-ID`).").default(Default::Bool(true)),
];

/// Whether a `*.key` op's script reaches the network: when it downloads the key.
pub(super) const KEY_NETWORK: Network = Network::when(
    "when `present` and `key` is a URL",
    |args, def| args.flag(def, "present") && reaches::is_url(args, "key"),
    "give `key` the path of a key file on the host, written with `files.put` from a copy beside the manifest",
);

/// At check time, what [`key_of`] refuses, unless a value is still a template.
pub(super) fn validate_key(args: &OpArgs, diagnostics: &mut Diagnostics) {
    if let Some(key) = args.get("key")
        && !args.any_template()
        && let Err(problem) = key_of(args, key.span)
    {
        diagnostics.push(problem);
    }
}

/// The key's URL or path, its fingerprint (upper case) and rpm's id of it (the
/// fingerprint's last 8 digits, lower case).
fn key_of(args: &OpArgs, origin: Span) -> Result<(&str, String, String), Diagnostic> {
    let span = |name: &str| args.get(name).map_or(origin, |v| v.span);
    let key = args.str("key").unwrap_or_default();
    if !key.starts_with('/') && !key.starts_with("https://") && !key.starts_with("http://") {
        return Err(Diagnostic::new(
            Code::InvalidValue,
            span("key"),
            "`key` is neither a URL nor an absolute path",
        )
        .label("not http(s) and not absolute")
        .help("the key's `https://` URL, or the path of a key file on the host such as `/etc/pki/rpm-gpg/RPM-GPG-KEY-EPEL-9`"));
    }
    let fingerprint = super::apt::sources::fingerprint(
        args.str("fingerprint").unwrap_or_default(),
        span("fingerprint"),
    )?;
    if fingerprint.len() != 40 {
        return Err(Diagnostic::new(
            Code::InvalidValue,
            span("fingerprint"),
            "not an OpenPGP v4 fingerprint",
        )
        .label("rpm names a key by the last 8 digits of a v4 key's 40")
        .help("the 40 hex digits `gpg --show-keys KEYFILE` shows for an rpm signing key"));
    }
    let id = fingerprint[32..].to_ascii_lowercase();
    Ok((key, fingerprint, id))
}

/// One call of `k_rpm_key` (see the module doc); the same for every family, whose
/// managers all read rpm's database.
pub(super) fn lower_key(input: &LowerInput) -> Result<Step, Diagnostic> {
    let (key, fingerprint, id) = key_of(input.args, input.origin)?;
    Ok(Step {
        call: Some(call::rpm_key(
            key,
            &fingerprint,
            &id,
            !input.flag("present"),
        )),
        verify: true,
        ..Step::default()
    })
}

/// The arguments of `dnf.rpm`, `yum.rpm` and `zypper.rpm`.
pub(super) const RPM_ARGS: &[ArgDef] = &[
    arg(
        "src",
        LocalPath,
        "The `.rpm` on the controller, relative to the manifest.",
    ),
    arg(
        "url",
        Url,
        "Download the `.rpm` on the host from this URL (needs `sha256`).",
    ),
    arg("sha256", Sha256, "The SHA-256 the download must have."),
];

/// Whether a `*.rpm` op's script reaches the network: when it downloads the package.
pub(super) const RPM_NETWORK: Network = Network::when(
    "with `url`",
    reaches::with_url,
    "give the `.rpm` as `src`: the script carries it",
);

pub(super) const RPM_RULES: &[Rule] = &[
    Rule::OneOf(&["src", "url"]),
    Rule::Requires("url", "sha256"),
];

/// One call of `k_rpm_file`: probe, act and diff each read the file's NEVRA on the host
/// (`rpm -qp`), and the probe compares it with what `rpm -q` says of the name.
pub(super) fn lower_rpm(input: &LowerInput, family: Family) -> Result<Step, Diagnostic> {
    packages::package_file_step(input, |source| call::rpm_file(family.manager(), source))
}
