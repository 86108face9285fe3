//! Checking the rules between an op's arguments ([`Rule`]): conflicts, alternatives,
//! requirements, and the guards that make a command idempotent. Runs after each argument
//! was typed; one function per kind of rule.

use crate::diagnostic::{Code, Diagnostic, Diagnostics, Severity, quoted_list};
use crate::model::OpCall;
use crate::opdef::{OpArgs, OpDef, Rule};
use crate::source::{Span, Spanned};

/// Where an op call stands: in the op list, or as a handler (a handler runs only when
/// notified, so the guard lint does not apply to it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Op,
    /// An op whose `when` reads a registered result (Ansible's idiom: a command that
    /// checks, then one that acts only when the check says so): the result is its guard.
    GuardedOp,
    Handler,
}

/// Checks every rule of `def` against the arguments `seen` in `call` (typed: `args`).
pub fn check_rules(
    def: &OpDef,
    call: &OpCall,
    role: Role,
    seen: &[&Spanned<String>],
    args: &OpArgs,
    diagnostics: &mut Diagnostics,
) {
    let find = |name: &str| seen.iter().find(|k| k.value == name).map(|k| k.span);
    let errors_before = diagnostics.count(Severity::Error);
    for rule in def.rules {
        match *rule {
            Rule::Conflicts(a, b) => {
                if let (Some(first), Some(second)) = (find(a), find(b)) {
                    conflicts((a, first), (b, second), diagnostics);
                }
            }
            Rule::AnyOf(names) => {
                let present: Vec<Span> = names.iter().filter_map(|n| find(n)).collect();
                if present.is_empty() {
                    none_of(def, call, names, diagnostics);
                }
            }
            Rule::OneOf(names) => {
                match names.iter().filter_map(|n| find(n)).collect::<Vec<_>>()[..] {
                    [] => none_of(def, call, names, diagnostics),
                    [_] => {}
                    [first, second, ..] => more_than_one(names, first, second, diagnostics),
                }
            }
            Rule::Requires(a, b) => {
                if let (Some(at), None) = (find(a), find(b)) {
                    diagnostics.push(
                        Diagnostic::new(Code::MissingArgument, at, format!("`{a}` needs `{b}`"))
                            .label(format!("`{a}` given without `{b}`"))
                            .help(format!("add `{b}` or remove `{a}`")),
                    );
                }
            }
            // Only when the rules before it found nothing: a missing `line` is already the
            // missing half of `AnyOf(["line", "regexp"])`.
            Rule::RequiredIf(flag, names) => {
                let earlier = diagnostics.count(Severity::Error) > errors_before;
                if !earlier && args.flag(def, flag) && names.iter().all(|n| find(n).is_none()) {
                    required_if(def, call, (flag, find(flag)), names, diagnostics);
                }
            }
            // A handler runs only when notified: that is its guard.
            Rule::GuardedBy(_) if role != Role::Op => {}
            Rule::GuardedBy(guards) => {
                if guards.iter().all(|g| find(g).is_none()) {
                    unguarded(call, guards, diagnostics);
                }
            }
        }
    }
}

/// Two arguments that may not both be given, reported at the later one.
fn conflicts((a, first): (&str, Span), (b, second): (&str, Span), diagnostics: &mut Diagnostics) {
    let (earlier, later, later_name, earlier_name) = if first.start <= second.start {
        (first, second, b, a)
    } else {
        (second, first, a, b)
    };
    diagnostics.push(
        Diagnostic::new(
            Code::ConflictingArguments,
            later,
            format!("`{a}` and `{b}` cannot both be given"),
        )
        .label(format!("`{later_name}` conflicts with `{earlier_name}`"))
        .with_label(earlier, format!("`{earlier_name}` given here"))
        .help(format!("remove `{a}` or `{b}`")),
    );
}

/// None of `names` was given, and one must be.
fn none_of(def: &OpDef, call: &OpCall, names: &[&str], diagnostics: &mut Diagnostics) {
    let list = quoted_list(names);
    diagnostics.push(
        Diagnostic::new(
            Code::MissingArgument,
            call.kind.span,
            format!("`{}` needs one of {list}", def.name),
        )
        .label("none given")
        .help(format!("add {list}")),
    );
}

/// More than one of `names` was given, and only one may be.
fn more_than_one(names: &[&str], first: Span, second: Span, diagnostics: &mut Diagnostics) {
    diagnostics.push(
        Diagnostic::new(
            Code::ConflictingArguments,
            second,
            format!("only one of {} may be given", quoted_list(names)),
        )
        .label("second one")
        .with_label(first, "first one")
        .help("keep exactly one"),
    );
}

/// The boolean `flag` is true (where it was given, if it was) and none of `names` was given.
fn required_if(
    def: &OpDef,
    call: &OpCall,
    (flag, given): (&str, Option<Span>),
    names: &[&str],
    diagnostics: &mut Diagnostics,
) {
    let list = quoted_list(names);
    let why = match given {
        Some(_) => format!("`{flag}` is true here"),
        None => format!("`{flag}` is true by default"),
    };
    diagnostics.push(
        Diagnostic::new(
            Code::MissingArgument,
            call.kind.span,
            format!("`{}` needs {list} when `{flag}` is true", def.name),
        )
        .label(why)
        .help(format!("add {list}, or set `{flag} = false`")),
    );
}

/// A command op with none of its idempotence `guards`: a warning.
fn unguarded(call: &OpCall, guards: &[&str], diagnostics: &mut Diagnostics) {
    diagnostics.push(
        Diagnostic::new(
            Code::UnguardedCommand,
            call.kind.span,
            "this command runs on every apply",
        )
        .label("no guard")
        .help(format!(
            "add {} so a second apply changes nothing",
            quoted_list(guards)
        )),
    );
}
