//! Ops that bind alike on every host: lowered once, their text reused in every host's
//! script.
//!
//! An op binds alike when nothing it is bound from differs between the hosts: it has no
//! `hosts`/`groups` limit nor `run_once`, declares no facts its lowering reads, and every variable its
//! templates read ([`super::reads`]: arguments, name, `when`, a define's scripts, the
//! template file it renders) has the same value, equally secret or not, in its scope on
//! every host (`host` and `facts` are variables like the others: an op that names `host`
//! differs per host as soon as there are two). That is decided from the hosts' variables
//! as binding resolves them ([`Binder::variable`]), never from how a name looks. An op
//! whose binding or lowering fails, or that holds a secret value (which each host's masker
//! must know), is bound per host as before, so its diagnostics and secrets are the host's.
//!
//! Nothing an op's text holds depends on the host otherwise: its index is its place in the
//! manifest, its handlers' ids are the manifest's.

use std::collections::{BTreeSet, HashMap, HashSet};

use rayon::prelude::*;

use crate::bind::Binder;
use crate::check::{Compiled, OpKind, ScopeId, TypedOp};
use crate::diagnostic::Diagnostics;
use crate::emit::OpText;
use crate::facts::Facts;
use crate::inventory::Host;
use crate::runtime::call::Index;
use crate::source::SourceMap;

use super::reads::op_reads;

/// An op bound and lowered once for every host: its text.
pub(crate) struct SharedOp {
    pub(crate) text: OpText,
}

/// The ops (then the handlers) that bind alike on every host, by their place.
#[derive(Default)]
pub(crate) struct Shared {
    pub(crate) ops: Vec<Option<SharedOp>>,
    pub(crate) handlers: Vec<Option<SharedOp>>,
}

/// A variable as a scope sees it on one host, and whether it is secret; none when the
/// scope's variables cannot be rendered there.
type Seen = Option<(serde_json::Value, bool)>;

impl Shared {
    /// The ops of `compiled` that bind alike on every host of `hosts` (with `facts[i]` the
    /// facts of `hosts[i]`), bound, lowered and written once; `handlers` are the handlers'
    /// ids. With one host there is nothing to share.
    pub(crate) fn of<'c>(
        sources: &SourceMap,
        compiled: &'c Compiled,
        hosts: &'c [Host],
        facts: &[Option<Facts>],
        handlers: &[&str],
    ) -> Shared {
        let Some(first) = hosts.first().filter(|_| hosts.len() > 1) else {
            return Shared::default();
        };
        let env = crate::template::environment(false);
        let all = || compiled.ops.iter().chain(&compiled.handlers);
        let reads: Vec<Option<BTreeSet<String>>> = all()
            .map(|op| may_share(op).then(|| op_reads(&env, sources, op)).flatten())
            .collect();
        let wanted: HashSet<(ScopeId, &str)> = all()
            .zip(&reads)
            .filter_map(|(op, names)| Some((op.scope, names.as_ref()?)))
            .flat_map(|(scope, names)| names.iter().map(move |name| (scope, name.as_str())))
            .collect();
        let seen_first = seen(sources, compiled, first, facts.first(), &wanted);
        let differ: HashSet<(ScopeId, &str)> = (1..hosts.len())
            .into_par_iter()
            .map(|i| {
                let seen = seen(sources, compiled, &hosts[i], facts.get(i), &wanted);
                seen.into_iter()
                    .filter(|(key, value)| value.is_none() || seen_first.get(key) != Some(value))
                    .map(|(key, _)| key)
                    .collect::<HashSet<_>>()
            })
            .reduce(HashSet::new, |mut a, b| {
                a.extend(b);
                a
            });
        let alike = |op: &TypedOp, names: &Option<BTreeSet<String>>| {
            names.as_ref().is_some_and(|names| {
                names.iter().all(|name| {
                    let key = (op.scope, name.as_str());
                    !differ.contains(&key) && seen_first.get(&key).is_some_and(Option::is_some)
                })
            })
        };
        let mut binder = Binder::new(
            sources,
            compiled,
            first,
            facts.first().and_then(Option::as_ref),
        );
        let mut once = |op: &'c TypedOp, names: &Option<BTreeSet<String>>, index: Index| {
            if !alike(op, names) {
                return None;
            }
            let bound = binder.op(op);
            if binder.has_errors() || bound.has_secrets() {
                return None;
            }
            let lowered = crate::emit::lower(sources, bound).ok()?;
            Some(SharedOp {
                text: lowered.text(index, handlers),
            })
        };
        let (op_reads, handler_reads) = reads.split_at(compiled.ops.len());
        let ops = compiled
            .ops
            .iter()
            .zip(op_reads)
            .enumerate()
            .map(|(i, (op, names))| once(op, names, Index::Op(i + 1)))
            .collect();
        let handlers = compiled
            .handlers
            .iter()
            .zip(handler_reads)
            .enumerate()
            .map(|(i, (op, names))| once(op, names, Index::Handler(i + 1)))
            .collect();
        // What went wrong is the hosts' to report, as each binds the op itself.
        let _ = binder.finish(&mut Diagnostics::default());
        Shared { ops, handlers }
    }

    /// The shared op at `index`, if it is one.
    pub(crate) fn get(&self, index: Index) -> Option<&SharedOp> {
        match index {
            Index::Op(n) => self.ops.get(n - 1),
            Index::Handler(n) => self.handlers.get(n - 1),
            // Its items are the host's.
            Index::Item(..) => None,
        }?
        .as_ref()
    }
}

/// Whether `op` could bind alike on every host, whatever its templates read: no limit to
/// some hosts (`hosts`, `groups`, `run_once`), no facts read by its lowering, no loop
/// (whose items are each host's).
fn may_share(op: &TypedOp) -> bool {
    let declares_facts = matches!(&op.kind, OpKind::Builtin(def) if !def.facts.is_empty());
    let limited = !op.globals.hosts.is_empty() || !op.globals.groups.is_empty();
    !limited && !op.globals.run_once && !declares_facts && op.globals.loops.is_empty()
}

/// The `wanted` variables as their scopes see them on `host`.
fn seen<'w>(
    sources: &SourceMap,
    compiled: &Compiled,
    host: &Host,
    facts: Option<&Option<Facts>>,
    wanted: &HashSet<(ScopeId, &'w str)>,
) -> HashMap<(ScopeId, &'w str), Seen> {
    let facts = facts.and_then(Option::as_ref);
    let mut binder = Binder::new(sources, compiled, host, facts);
    wanted
        .iter()
        .map(|&(scope, name)| ((scope, name), binder.variable(scope, name)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::Project;

    /// Which ops of `manifest` are shared among the hosts of `inventory`.
    fn shared(manifest: &str, inventory: &str) -> Vec<bool> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("main.toml"), manifest).unwrap();
        std::fs::write(dir.path().join("inventory.toml"), inventory).unwrap();
        let mut project = Project::default();
        let inventory = project.inventory(&[], dir.path());
        let entry = project.entry(dir.path()).unwrap();
        let compiled = project.compile(&entry, Some(&inventory)).unwrap();
        assert!(!project.diagnostics.has_errors());
        let facts = vec![None; inventory.hosts.len()];
        let shared = Shared::of(&project.sources, &compiled, &inventory.hosts, &facts, &[]);
        (1..=compiled.ops.len())
            .map(|n| shared.get(Index::Op(n)).is_some())
            .collect()
    }

    const INVENTORY: &str = "[vars]\ngreeting = \"hello\"\n\n\
        [hosts.a]\naddress = \"a.example\"\nvars = { region = \"eu\" }\n\n\
        [hosts.b]\naddress = \"b.example\"\nvars = { greeting = \"hi\", region = \"eu\" }\n";

    fn file(path: &str, extra: &str) -> String {
        format!("[[op]]\nop = \"files.file\"\npath = \"{path}\"\n{extra}\n")
    }

    #[test]
    fn an_op_is_shared_when_every_value_it_reads_is_alike_on_every_host() {
        let manifest = [
            "[vars]\nsite = \"example.org\"\nmotd = \"/srv/{{ greeting }}\"\n\n".to_owned(),
            file("/srv/{{ site }}", ""),
            file("/tmp/plain", ""),
            // Alike on both hosts, though each host sets it.
            file("/srv/{{ region }}", ""),
            // Made from a variable that host b overrides.
            file("{{ motd }}", ""),
            file("/srv/{{ host.name }}", ""),
            file("/srv/a-only", "hosts = [\"a\"]"),
            file("/srv/when", "when = \"greeting == 'hello'\""),
            file("/srv/named", "name = \"for {{ greeting }}\""),
            // Its items are each host's, even when they are alike.
            file("/srv/{{ item }}", "loop = [\"x\"]"),
        ]
        .concat();
        assert_eq!(
            shared(&manifest, INVENTORY),
            [true, true, true, false, false, false, false, false, false]
        );
    }

    #[test]
    fn nothing_is_shared_by_one_host() {
        let one = "[hosts.a]\naddress = \"a.example\"\n";
        assert_eq!(shared(&file("/tmp/plain", ""), one), [false]);
    }
}
