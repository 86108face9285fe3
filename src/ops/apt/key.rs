//! `apt.key`: install an apt repository signing key into a keyring file, for use with
//! `signed-by` (the replacement for the deprecated `apt-key`).

use crate::ops::def::prelude::*;

pub const DEF: OpDef = OpDef {
    name: "apt.key",
    summary: "Install a repository signing key, from a URL or a keyserver, into a keyring file for `signed-by`.",
    main_arg: Some("dest"),
    args: &[
        arg("dest", Path, "The keyring file to write, e.g. `/etc/apt/keyrings/docker.asc` (`.asc` for an ASCII-armoured key, `.gpg` for a binary one).").required(),
        arg("url", Url, "Download the key from this URL."),
        arg("keyserver", Str, "Fetch the key from this keyserver (e.g. `hkps://keyserver.ubuntu.com`); needs `key_id`."),
        arg("key_id", Str, "The key's fingerprint: which key to fetch from `keyserver`, and, with `url`, the key the download must contain."),
    ],
    rules: &[
        Rule::OneOf(&["url", "keyserver"]),
        Rule::Requires("keyserver", "key_id"),
    ],
    facts: &[],
    validate: None,
    lower: None,
};
