//! `apt.key`: install an apt repository signing key into a keyring file, for use with
//! `signed-by` (the replacement for the deprecated `apt-key`).

use crate::diagnostic::Diagnostic;
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::runtime::call::{self, KeySource};

pub(crate) const DEF: OpDef = OpDef::new(
    "apt.key",
    "Install a repository signing key, from a URL or a keyserver, into a keyring file for `signed-by`.",
    Network::always(
        "copy the key beside the manifest, write it with `files.put` (into `/etc/apt/keyrings/`) and name that path in `apt.sources`'s `signed_by`",
    ),
    lower,
)
.main_arg("dest")
.args(&[
    arg("dest", Path, "The keyring file to write, e.g. `/etc/apt/keyrings/docker.asc` (`.asc` for an ASCII-armoured key, `.gpg` for a binary one).").required(),
    arg("url", Url, "Download the key from this URL."),
    arg("keyserver", Str, "Fetch the key from this keyserver (e.g. `hkps://keyserver.ubuntu.com`); needs `key_id`."),
    arg("key_id", Str, "The key's fingerprint: which key to fetch from `keyserver`, and, with `url`, the key the download must contain."),
])
.rules(&[
    Rule::OneOf(&["url", "keyserver"]),
    Rule::Requires("keyserver", "key_id"),
]);

/// Probe: the keyring exists and, with `key_id`, holds that key (`gpg --show-keys`). Act:
/// download (`k_fetch`) or fetch from the keyserver into a private GnuPG home, check that
/// the key is there, convert to binary for a `.gpg` keyring (`.asc` stays armoured), and
/// install it atomically with mode 0644.
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    let dest = input.str("dest");
    let key_id: String = input
        .str("key_id")
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let key_id = key_id.trim_start_matches("0X").to_owned();
    let source = match input.args.str("url") {
        Some(url) => KeySource::Url(url),
        None => KeySource::Keyserver(input.str("keyserver")),
    };
    Ok(Step {
        call: Some(call::apt_key(dest, &key_id, &source)),
        verify: true,
        ..Step::default()
    })
}
