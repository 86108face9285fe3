//! `files.download`: download a URL to a file on the host, like pyinfra's `files.download`
//! and Ansible's `get_url`.

use crate::ops::def::prelude::*;

pub const DEF: OpDef = OpDef {
    name: "files.download",
    summary: "Download a URL to a file on the host, skipping the download when the file is already there (and matches `sha256`).",
    main_arg: Some("dest"),
    args: &[
        arg("url", Url, "The URL to download.").required(),
        arg("dest", Path, "The file to write on the host.").required(),
        arg(
            "sha256",
            Sha256,
            "The expected SHA-256 of the file: an existing file that does not match is downloaded again, and a download that does not match fails.",
        ),
        arg("mode", Mode, "Mode of the file."),
        arg("owner", Account, "Owner of the file."),
        arg("group", Account, "Group of the file."),
        arg(
            "force",
            Bool,
            "Download on every run, even if `dest` exists (and matches `sha256`).",
        )
        .default(Default::Bool(false)),
        arg(
            "timeout",
            Duration,
            "Give up on the download after this long.",
        ),
        arg("headers", STR_MAP, "Extra HTTP request headers."),
    ],
    rules: &[],
    facts: &[],
    validate: None,
    lower: None,
};
