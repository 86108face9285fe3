//! `files.unarchive`: extract a tar or zip archive into a directory, like Ansible's
//! `unarchive`, again only when the archive changed.
//!
//! The directory belongs to the archive: it is replaced whole, by a new directory beside
//! it that the archive was extracted into, so it never holds half an archive nor what an
//! older one left. A marker file in it, `.kiln-unarchive`, holds the SHA-256 of the archive
//! it came from: the probe reads it (with the shell, no process), so an unchanged archive
//! costs nothing, and a changed one (another digest) is extracted again.

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::opdef::OpArgs;
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::runtime::call::{self, Unarchive};
use crate::steps::attrs::Attrs;
use crate::steps::values::int;

const FORMATS: &[&str] = &["tar.gz", "tar.xz", "tar.zst", "zip"];

pub(crate) const DEF: OpDef = OpDef::new(
    "files.unarchive",
    "Extract a tar or zip archive from the controller or a URL into a directory, again only when the archive changed.",
    Network::when(
        "with `url`",
        reaches::with_url,
        "give the archive as `src`: the script carries it",
    ),
    lower,
)
.main_arg("dest")
.args(&[
    arg("dest", Path, "The directory to extract into. It is replaced whole by the archive's content (and the marker `.kiln-unarchive`, which holds the archive's SHA-256).").required(),
    arg("src", LocalPath, "The archive on the controller, carried in the script."),
    arg("url", Url, "The URL the host downloads the archive from (with curl or wget)."),
    arg("sha256", Sha256, "The SHA-256 of the archive at `url`: a download that does not match fails, and the marker of what is extracted is compared with it. Required with `url`."),
    arg("format", Enum(FORMATS), "The archive's format; by default, from the end of the name of `src` or `url` (`.tar.gz`, `.tgz`, `.tar.xz`, `.txz`, `.tar.zst`, `.tzst`, `.zip`)."),
    arg("creates", Path, "Nothing is extracted while this path exists (Ansible's `creates`): the archive's digest is not compared."),
    arg("strip_components", Int { min: 1, max: 1000 }, "Remove this many leading components from each member's path (tar's `--strip-components`; not for zip)."),
    arg("mode", Mode, "Mode of `dest` (the umask's by default); the members keep theirs."),
    arg("owner", Account, "Owner of `dest` and of everything extracted (else whoever runs kiln)."),
    arg("group", Account, "Group of `dest` and of everything extracted."),
])
.rules(&[Rule::OneOf(&["src", "url"]), Rule::Requires("url", "sha256")])
.validate(validate);

fn validate(args: &OpArgs, diagnostics: &mut Diagnostics) {
    let name = args
        .str("src")
        .or_else(|| args.str("url"))
        .unwrap_or_default();
    let format = args.str("format").or_else(|| guessed(name));
    if args.get("format").is_none()
        && format.is_none()
        && !crate::template::is_template(name)
        && let Some(given) = args.get("src").or_else(|| args.get("url"))
    {
        diagnostics.push(unknown_format(given.span));
    }
    if format == Some("zip")
        && let Some(strip) = args.get("strip_components")
    {
        diagnostics.push(
            Diagnostic::new(
                Code::ConflictingArguments,
                strip.span,
                "`strip_components` cannot be used with a zip archive",
            )
            .label("unzip has no such option")
            .help("extract the zip as it is, or repack it as a tar archive"),
        );
    }
}

/// The format the end of `name` says, if it says one.
fn guessed(name: &str) -> Option<&'static str> {
    let name = name.to_ascii_lowercase();
    [
        (".tar.gz", "tar.gz"),
        (".tgz", "tar.gz"),
        (".tar.xz", "tar.xz"),
        (".txz", "tar.xz"),
        (".tar.zst", "tar.zst"),
        (".tzst", "tar.zst"),
        (".zip", "zip"),
    ]
    .into_iter()
    .find(|(end, _)| name.ends_with(end))
    .map(|(_, format)| format)
}

fn unknown_format(span: crate::source::Span) -> Diagnostic {
    Diagnostic::new(
        Code::MissingArgument,
        span,
        "the archive's format cannot be told from its name",
    )
    .label("not `.tar.gz`, `.tgz`, `.tar.xz`, `.txz`, `.tar.zst`, `.tzst` nor `.zip`")
    .help("add `format = \"tar.gz\"` (or `tar.xz`, `tar.zst`, `zip`)")
}

/// Probe, act and diff are the runtime's `k_unarchive` (`src/runtime/archives.sh`): the
/// probe compares the marker with the archive's digest (`src`'s, computed here; `url`'s,
/// given); the act extracts into a new directory beside `dest` and renames it over `dest`,
/// after refusing members with absolute paths or `..` components. A local `src` is the
/// step's data, read on standard input.
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    let raw = input.str("dest");
    let dest = raw.trim_end_matches('/');
    if dest.is_empty() {
        return Err(Diagnostic::new(
            Code::InvalidPath,
            input.span("dest"),
            "refusing to replace `/`",
        )
        .label("the root directory")
        .help("name the directory the archive is extracted into"));
    }
    let url = input.args.str("url");
    let name = input.args.str("src").or(url).unwrap_or_default();
    let format = input
        .args
        .str("format")
        .or_else(|| guessed(name))
        .ok_or_else(|| unknown_format(input.span("src")))?;
    let (content, sha256) = match input.args.str("src") {
        Some(_) => {
            let bytes = input.local_file("src", "this file")?;
            let sha256 = crate::opdef::sha256_hex(&bytes);
            (Some(bytes), sha256)
        }
        None => (None, input.str("sha256").to_ascii_lowercase()),
    };
    let attrs = Attrs::of(input);
    Ok(Step {
        call: Some(call::unarchive(&Unarchive {
            dest,
            sha256: &sha256,
            format,
            url,
            creates: input.args.str("creates"),
            strip_components: int(input, "strip_components"),
            attributes: attrs.for_call(),
        })),
        data: content
            .map(|bytes| call::content(&bytes))
            .unwrap_or_default(),
        verify: true,
        ..Step::default()
    })
}

#[cfg(test)]
mod tests {
    use super::guessed;

    #[test]
    fn formats_from_names() {
        assert_eq!(guessed("app-1.2.TGZ"), Some("tar.gz"));
        assert_eq!(guessed("https://x.org/a.tar.zst"), Some("tar.zst"));
        assert_eq!(guessed("a.zip"), Some("zip"));
        assert_eq!(guessed("a.tar"), None);
    }
}
