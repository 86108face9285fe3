//! `ssh.keygen`: an OpenSSH key pair generated once on the host, like Ansible's
//! `community.crypto.openssh_keypair`.

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, OpArgs, Step};
use crate::runtime::call::{self, SshKey};
use crate::source::Span;
use crate::steps::values::int;

pub(crate) const DEF: OpDef = OpDef::new(
    "ssh.keygen",
    "Ensure an OpenSSH key pair of a type and size exists at a path (generated once on the host with `ssh-keygen`, never readable by others), or is absent.",
    Network::Never,
    lower,
)
.main_arg("path")
.args(&[
    arg("path", Path, "The private key; the public key is this path with `.pub`. Its directory must exist.").required(),
    arg("type", Enum(&["ed25519", "rsa", "ecdsa"]), "The algorithm.").default(Default::Str("ed25519")),
    arg("size", Int { min: 256, max: 16384 }, "The size in bits: for `rsa` at least 1024 (4096 when not given), for `ecdsa` 256, 384 or 521 (256 when not given); `ed25519` has a fixed size and takes none."),
    arg("comment", Str, "The public key's comment (changed without making a new key). When not given, the key keeps its own."),
    arg("owner", Account, "The owner of both files."),
    arg("group", Account, "The group of both files."),
    arg("regenerate", Enum(&["never", "fail", "partial_idempotence", "full_idempotence", "always"]), "What to do with an existing key of another type or size: keep it (`never`), fail (`fail`), or replace it (`partial_idempotence`); `full_idempotence` also replaces a key that cannot be read (broken, or protected by a passphrase), which the others refuse. `always` is refused: it would make a new key on every run.").default(Default::Str("partial_idempotence")),
    arg("present", Bool, "Whether the key pair should exist.").default(Default::Bool(true)),
])
.validate(validate);

/// The sizes `ssh-keygen -t ecdsa -b` accepts.
const ECDSA_SIZES: &[i64] = &[256, 384, 521];

fn validate(args: &OpArgs, diagnostics: &mut Diagnostics) {
    if let Some(regenerate) = args.get("regenerate")
        && regenerate.value.as_str() == Some("always")
    {
        diagnostics.push(always_refused(regenerate.span));
    }
    let kind = args
        .get("type")
        .and_then(|t| t.value.as_str())
        .unwrap_or("ed25519");
    if let Some(size) = args.get("size")
        && let Some(bits) = size.value.as_int()
        && let Some(problem) = size_problem(kind, bits)
    {
        diagnostics.push(
            Diagnostic::new(
                Code::InvalidValue,
                size.span,
                format!("no {kind} key has {bits} bits"),
            )
            .label(problem)
            .help("leave `size` out for the algorithm's default"),
        );
    }
}

/// `regenerate = "always"`, refused at check time (or, templated, when lowered).
fn always_refused(span: Span) -> Diagnostic {
    Diagnostic::new(Code::InvalidValue, span, "`regenerate = \"always\"` never converges")
        .label("a new key on every run: every apply changes, and every plan says so")
        .help("to replace a key once, remove it first (`present = false`), or change its `type` or `size`")
}

/// Why `bits` is not a size of a `kind` key, if it is not.
fn size_problem(kind: &str, bits: i64) -> Option<&'static str> {
    match kind {
        "ed25519" => Some("an ed25519 key has a fixed size"),
        "ecdsa" if !ECDSA_SIZES.contains(&bits) => Some("an ecdsa key has 256, 384 or 521 bits"),
        "rsa" if bits < 1024 => Some("an rsa key has at least 1024 bits"),
        _ => None,
    }
}

/// One call of `k_ssh_keygen` (`src/runtime/keys.sh`): the key's type and size are read
/// from the private key on the host, never from the .pub file beside it, which may be stale.
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    let kind = input.str("type");
    let size = match (kind, int(input, "size")) {
        ("ed25519", _) => None,
        ("rsa", None) => Some(4096),
        ("ecdsa", None) => Some(256),
        (_, given) => given,
    };
    let regenerate = match input.str("regenerate") {
        "always" => return Err(always_refused(input.span("regenerate"))),
        "partial_idempotence" => "partial",
        "full_idempotence" => "full",
        other => other,
    };
    Ok(Step {
        call: Some(call::ssh_keygen(&SshKey {
            path: input.str("path"),
            kind,
            size,
            comment: input.args.str("comment"),
            owner: input.args.str("owner").unwrap_or_default(),
            group: input.args.str("group").unwrap_or_default(),
            regenerate,
            absent: !input.flag("present"),
        })),
        verify: true,
        ..Step::default()
    })
}
