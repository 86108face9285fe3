//! Fusion: a run of consecutive ops that one change on the host can make for all of them
//! becomes one step at run time, while each op is still reported as its own.
//!
//! Which runs (an op's lowering says what it may be fused into, `Step::fusion`):
//! - edits (`files.line`, `files.block`, `files.replace`) of the same `path`, without mode,
//!   owner, group or backup: the file is read once, one awk runs every edit in turn, and
//!   one atomic write replaces it (`k_fused_edits`);
//! - `files.directory` without attributes: one `mkdir -p` (`k_fused_directories`);
//! - `files.file` with `present = false` and without `force`: one `rm -f` (`k_fused_absent`).
//!
//! The rules that keep each op's report and the end state what they are unfused:
//! - only consecutive ops are fused, so nothing that could read or write the file (or the
//!   paths) runs between them, and no op is moved;
//! - every op of a run is run as the script's own user (no become), reports what it does
//!   (not sensitive), and fails as it fails (no `ignore_errors`, no `retries`); such an op
//!   ends the run, as an op decided skipped at emit time does;
//! - an op's `when` decided on the host is carried: the runtime decides it in the op's
//!   place, before the run's change (a condition reads the facts gathered at the start,
//!   never the files the run changes);
//! - handlers are notified per op, and run at the end of the script as always, so a run
//!   never crosses one;
//! - an op that registers its result (`register`) is not fused: its step keeps it.
//!
//! The runtime (`src/runtime/groups.sh`) runs check mode, and any run after a failure, op
//! by op as unfused; an op that fails in a run leaves the file as the ops before it made it
//! (written), and the ops after it are not run.

use std::ops::Range;

use crate::bind::BoundOp;
use crate::opdef::Step;
use crate::runtime::call::Fusion;

/// Ops `range` of a script, written together: fused when `fusion` is set (then two or
/// more).
pub(super) struct Run<'f> {
    pub range: Range<usize>,
    pub fusion: Option<&'f Fusion>,
}

/// The run `op`, lowered to `step`, may join: its step's, when the op may be in a run at
/// all.
pub(super) fn fusion_of(op: &BoundOp, step: &Step) -> Option<Fusion> {
    step.fusion
        .clone()
        .filter(|_| step.data.is_empty() && fusable(op))
}

/// The ops as runs, in order: each op alone, or fused with its neighbours of the same
/// kind. `kinds[i]` is the run op `i` may join (`None`: it stays alone).
pub(super) fn runs<'f>(kinds: &[Option<&'f Fusion>]) -> Vec<Run<'f>> {
    let mut runs = Vec::new();
    let mut start = 0;
    while start < kinds.len() {
        let mut end = start + 1;
        if let Some(kind) = kinds[start] {
            while end < kinds.len() && kinds[end] == Some(kind) {
                end += 1;
            }
        }
        runs.push(Run {
            range: start..end,
            fusion: kinds[start].filter(|_| end - start > 1),
        });
        start = end;
    }
    runs
}
/// Whether `op` may be in a fused run whatever its step: it runs as the script's user,
/// reports what it does, and fails as it fails.
fn fusable(op: &BoundOp) -> bool {
    let globals = &op.op.globals;
    op.skip.is_none()
        && op.become_.how().is_none()
        && !globals.ignore_errors
        && globals.retries == 0
        && !op.hides_output()
        && !op.hides_diff()
        // A registered result is the op's own, kept as its step ends.
        && globals.register.is_none()
}
