//! What an op's lowering returns ([`Step`]) and what it is given ([`LowerInput`]).

use std::path::Path;

use crate::diagnostic::{Code, Diagnostic};
use crate::runtime::call::{Fusion, OpCall};
use crate::shell::Sh;
use crate::source::Span;

use super::{Default, OpArgs, OpDef};

/// A guarded step: one call of a runtime entry point told what to do by a verb ([`OpCall`]),
/// or its parts.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Step {
    /// The whole step as one runtime call (then probe, act and diff are empty): `ok` is the
    /// probe, `act` the act, `diff` the diff.
    pub call: Option<OpCall>,
    /// Exits 0 when the desired state already holds.
    pub probe: Sh,
    /// Makes it hold.
    pub act: Sh,
    /// Prints what the act would change (a unified diff, the commands), for check mode
    /// and plans. May be empty.
    pub diff: Sh,
    /// Whether the probe runs again after the act, and must hold (else the op "did not
    /// converge"): only where the act's success does not prove the state (a package
    /// manager, a service, an edit whose result is checked again). False for commands,
    /// whose guard need not be what the command changes, and for acts whose success is the
    /// state: an atomic write, `mkdir`, `ln`, `rm` (a second probe would only spend
    /// processes).
    pub verify: bool,
    /// Shell that prints the op's payload (a file's content). When present, probe, act and
    /// diff read it on standard input, so it is written into the script once and crosses
    /// a `sudo` boundary as a stream.
    pub data: Sh,
    /// Whether `data` sets `k_text` (`call::text`) instead of printing: the step's
    /// function reads the content from it, in the script's own shell.
    pub text: bool,
    /// The run of like steps this one may be fused into (`emit`'s fusion pass), when one
    /// runtime call can make the change of several at once.
    pub fusion: Option<Fusion>,
    /// The controller's file the step's output fills in a live run (`files.get`): the
    /// host sends the bytes back in marked lines (`k_get`), which the live runner writes.
    pub fetch: Option<std::path::PathBuf>,
    /// The whole content of the file the step writes, when it writes one (`files.put`,
    /// `files.template`, ...): what the audit report shows (`crate::audit`); the script
    /// carries it in `data`.
    pub content: Option<Vec<u8>>,
}

/// The SHA-256 of `bytes` in lower-case hex, as the runtime's `k_sha256` prints it.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    use std::fmt::Write;
    let mut hex = String::with_capacity(64);
    for byte in Sha256::digest(bytes) {
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}

/// What a lowering function sees.
pub struct LowerInput<'a> {
    pub def: &'static OpDef,
    /// Rendered arguments.
    pub args: &'a OpArgs,
    /// The directory of the manifest the op was written in (local paths are relative to it).
    pub base_dir: &'a Path,
    /// The op as written, for diagnostics about it as a whole.
    pub origin: Span,
    /// The template context the op's arguments were rendered with on this host (variables,
    /// `facts`, `host`), for ops that render a template file (`files.template`).
    pub context: &'a minijinja::Value,
}

impl LowerInput<'_> {
    /// The bytes of the local file the argument `name` names (relative to the manifest's
    /// directory), or a diagnostic at the argument, labelled `what` (`"this file"`).
    pub fn local_file(&self, name: &str, what: &str) -> Result<Vec<u8>, Diagnostic> {
        let path = self.base_dir.join(self.str(name));
        std::fs::read(&path).map_err(|error| {
            Diagnostic::new(
                Code::InvalidPath,
                self.span(name),
                format!("cannot read {}: {error}", path.display()),
            )
            .label(what)
            .help(format!(
                "`{name}` is relative to the manifest that names it"
            ))
        })
    }

    /// A string argument, or its declared default, or `""`.
    pub fn str(&self, name: &str) -> &str {
        self.args
            .str(name)
            .unwrap_or_else(|| match self.def.arg(name).and_then(|a| a.default) {
                Some(Default::Str(s)) => s,
                _ => "",
            })
    }

    pub fn flag(&self, name: &str) -> bool {
        self.args.flag(self.def, name)
    }

    /// A list argument's strings (a missing one is empty).
    pub fn strings(&self, name: &str) -> Vec<&str> {
        self.args
            .get(name)
            .and_then(|v| v.value.as_list())
            .unwrap_or_default()
            .iter()
            .filter_map(|i| i.value.as_str())
            .collect()
    }

    pub fn span(&self, name: &str) -> Span {
        self.args.get(name).map_or(self.origin, |v| v.span)
    }
}

/// A lowering function.
pub(crate) type LowerFn = fn(&LowerInput) -> Result<Step, Diagnostic>;
