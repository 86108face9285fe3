//! `files.download`: download a URL to a file on the host, like pyinfra's `files.download`
//! and Ansible's `get_url`.

use crate::diagnostic::{Code, Diagnostic};
use crate::opdef::ArgValue;
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::runtime::call::{self, Download};
use crate::steps::attrs::Attrs;

pub(crate) const DEF: OpDef = OpDef::new(
    "files.download",
    "Download a URL to a file on the host, skipping the download when the file is already there (and matches `sha256`).",
    Network::always(
        "copy the file beside the manifest and write it with `files.put`: the script carries it",
    ),
    lower,
)
.main_arg("dest")
.args(&[
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
    arg(
        "headers",
        STR_MAP,
        "Extra HTTP request headers (secret: masked in scripts and reports).",
    )
    .secret(),
]);

/// Probe: `dest` is a regular file (not a link) and, with `sha256`, has that digest; with
/// `force` never. Act: a file that is already right only gets its attributes; otherwise
/// `k_download` fetches with curl, else wget (detected on the host at run time), into a
/// temporary file next to `dest`, checks the digest (sha256sum, shasum or openssl, whichever
/// exists), and renames it into place: a failed or mismatching download leaves `dest` as it
/// was. Lowered to one call of the runtime's `k_download` (`src/runtime/downloads.sh`).
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    let url = input.str("url");
    let raw = input.str("dest");
    let dest = raw.trim_end_matches('/');
    super::directory::refuse_root(input, raw)?;
    let sha256 = input.str("sha256").to_ascii_lowercase();
    let force = input.flag("force");
    let attrs = Attrs::of(input);
    let mut headers = Vec::new();
    if let Some(given) = input.args.get("headers")
        && let ArgValue::Map(entries) = &given.value
    {
        for (name, value) in entries {
            let value_text = value.value.as_str().unwrap_or_default();
            if name.value.is_empty() || !name.value.bytes().all(is_token_byte) {
                return Err(Diagnostic::new(
                    Code::InvalidValue,
                    name.span,
                    format!("`{}` is not an HTTP header name", name.value),
                )
                .label("not a header name")
                .help("header names are letters, digits and `-` (e.g. `Authorization`)"));
            }
            if value_text.contains(['\r', '\n']) {
                return Err(Diagnostic::new(
                    Code::InvalidValue,
                    value.span,
                    "an HTTP header value cannot contain a line break",
                )
                .label("line break in this value")
                .help("remove it: a line break would start another header"));
            }
            headers.push(format!("{}: {value_text}", name.value));
        }
    }
    Ok(Step {
        call: Some(call::download(&Download {
            url,
            dest,
            sha256: &sha256,
            attributes: attrs.for_call(),
            timeout: input.args.get("timeout").and_then(|t| t.value.as_int()),
            force,
            headers: &headers,
        })),
        verify: !force,
        ..Step::default()
    })
}

/// A byte of an HTTP header name (RFC 9110 `token`).
fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}
