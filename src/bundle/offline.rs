//! The ops a bundle refuses because their script would reach the network from the host:
//! each op's definition says when it does (`opdef::Network`), from its arguments as bound
//! for the host (templates rendered, loops expanded, `when` decided; handlers too). A
//! bundle's host has no network, so such an op would fail there: it is refused at the op,
//! with what to write instead, before any archive is written.
//!
//! Package installs are not refused here: a bundle carries apt's packages, and
//! `bundle::packages` refuses the other managers'.

use crate::bind::HostPlan;
use crate::check::OpKind;
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::opdef::Network;

/// Reports to `diagnostics` every op of a host's script (its ops as bound, `plan`) that
/// would reach the network. The message names no host, so an op refused for many hosts is
/// shown once.
pub(crate) fn refuse_network(plan: &HostPlan, diagnostics: &mut Diagnostics) {
    for op in plan.ops.iter().chain(&plan.handlers) {
        let OpKind::Builtin(def) = &op.op.kind else {
            continue;
        };
        let Network::Reaches(reach) = def.network else {
            continue;
        };
        if op.skip.is_some() || !(reach.test)(&op.args, def) {
            continue;
        }
        diagnostics.push(
            Diagnostic::new(
                Code::Unsupported,
                op.op.origin,
                format!(
                    "`{}` reaches the network from the host ({}), and a bundle's host has none",
                    def.name, reach.when
                ),
            )
            .label("this would fail on the host")
            .help(reach.instead),
        );
    }
}
