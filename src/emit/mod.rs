//! The emitter: one host's bound ops as a standalone POSIX shell script, written straight
//! to where it goes.
//!
//! Layout ([`script`]): a header (generator, host, sources, usage), the runtime functions
//! the script uses (`crate::runtime`; when steps run as another user, also the runtime their
//! code uses, in `KILN_LIB`, which `k_as` hands to that user's shell), then per op its text
//! ([`op_text`]): one `k_step` call, of the op's runtime entry point when its step is one
//! call, else of a function holding its probe, act and diff by verb, under a comment with
//! the arguments the call does not show; then the handlers (each under `if` it was
//! notified), then the summary. Every runtime call is made by `runtime::call`. Output is
//! deterministic: the same inputs give the same bytes.
//!
//! The driver (`crate::project`) lowers each host's ops ([`lower`]) into a list it may
//! rewrite before writing, makes each op's text ([`Lowered::text`]) and writes the script
//! ([`write`]); an op that binds alike on every host is lowered once, and its text is
//! reused in every host's script.

mod checks;
mod fuse;
mod lower;
mod op_text;
mod script;

pub(crate) use op_text::{Lowered, OpText};
pub(crate) use script::{Frame, Runtimes, write};

use crate::bind::BoundOp;
use crate::diagnostic::Diagnostic;
use crate::source::SourceMap;

/// Lowers `op` to its step (none when it is skipped on this host), or explains why it
/// cannot be.
pub(crate) fn lower<'c>(sources: &SourceMap, op: BoundOp<'c>) -> Result<Lowered<'c>, Diagnostic> {
    let step = match op.skip {
        Some(_) => None,
        None => Some(lower::lower(sources, &op)?),
    };
    Ok(Lowered { op, step })
}
