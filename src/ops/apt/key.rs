//! `apt.key`: install an apt repository signing key into a keyring file, for use with
//! `signed-by` (the replacement for the deprecated `apt-key`).

use crate::diagnostic::Diagnostic;
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::shell::Sh;

pub const DEF: OpDef = OpDef::new(
    "apt.key",
    "Install a repository signing key, from a URL or a keyserver, into a keyring file for `signed-by`.",
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
    let armored = !dest.ends_with(".gpg");
    let mut has_key = Sh::new();
    if !key_id.is_empty() {
        has_key
            .code("gpg --batch --with-colons --show-keys ")
            .code("\"$1\" 2>/dev/null | awk -F: '$1 == \"fpr\" { print $10 }' | grep -q ")
            .arg(&format!("{key_id}$"));
    }
    // `k_key_ok FILE`: the file holds the key.
    let mut setup = Sh::of("k_key_ok() { [ -s \"$1\" ]");
    if !key_id.is_empty() {
        setup.code(" && ").push(&has_key);
    }
    setup.code("; }\n");
    let mut step = Step {
        verify: true,
        ..Step::default()
    };
    for body in [&mut step.probe, &mut step.act] {
        body.push(&setup);
    }
    step.probe.code("k_key_ok ").arg(dest);
    // Whatever the download's form, importing it into a private GnuPG home (in the run's
    // private directory) and exporting it again gives the form the keyring's name asks for.
    step.act.code(
        "if ! { k_private && k_gh=$k_tmpd/gnupg && rm -rf -- \"$k_gh\" && mkdir -m 700 -- \"$k_gh\"; }; then false; else\n(\n",
    );
    match input.args.str("url") {
        Some(url) => {
            step.act
                .code("  k_fetch ")
                .arg(url)
                .code(" \"$k_gh/download\" '' || exit 1\n  gpg --homedir \"$k_gh\" --batch -q --import \"$k_gh/download\" || exit 1\n");
        }
        None => {
            step.act
                .code("  gpg --homedir \"$k_gh\" --batch -q --keyserver ")
                .arg(input.str("keyserver"))
                .code(" --recv-keys ")
                .arg(&key_id)
                .code(" || exit 1\n");
        }
    }
    step.act.code(if armored {
        "  gpg --homedir \"$k_gh\" --batch -q --export --armor > \"$k_gh/key\" || exit 1\n"
    } else {
        "  gpg --homedir \"$k_gh\" --batch -q --export > \"$k_gh/key\" || exit 1\n"
    });
    step.act.code(
        "  k_key_ok \"$k_gh/key\" || { k_err 'the key is not there, or not the one key_id names'; exit 1; }\n  k_write ",
    );
    step.act.arg(dest).code(
        " 0644 '' '' < \"$k_gh/key\"\n)\nk_rc=$?\nrm -rf -- \"$k_gh\"\n[ \"$k_rc\" = 0 ]\nfi",
    );
    step.diff.code("printf 'install the key %s\\n' ").arg(dest);
    Ok(step)
}
