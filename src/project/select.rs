//! Partial runs: which ops of a checked manifest a command works on, as Ansible users
//! write it: `--tags`, `--skip-tags` (with Ansible's special tags `always`, `never`, `all`,
//! `tagged`, `untagged`) and `--start-at ID`.
//!
//! `--start-at` takes a loop's item too (`ID[1]`): the ops before its loop are left out
//! here, and the items before it when each host's loops are expanded (`bind::loops`).
//!
//! Invariants: handlers are never left out (a selected op that notifies one still gets
//! it run); the ops kept stay in their order; a tag or an id that nothing in the manifest
//! has is an error with a suggestion, never an empty run (a typo must not silently make
//! the run smaller).

use crate::check::{Compiled, TypedOp};
use crate::source::SourceMap;

/// Tags with a meaning of their own: they need not be on any op.
const SPECIAL: &[&str] = &["always", "never", "all", "tagged", "untagged"];

/// What a command was asked to run of the manifest.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    /// Only ops with one of these tags (and `always` ops); none: every op but `never` ones.
    pub tags: Vec<String>,
    /// Leave out ops with one of these tags.
    pub skip_tags: Vec<String>,
    /// Leave out the ops before the op of this id (its `id`, else `file:line`).
    pub start_at: Option<String>,
}

impl Selection {
    /// Keeps the ops of `compiled` this selection asks for; `Err` says which tag or id the
    /// manifest does not have.
    pub fn apply(&self, sources: &SourceMap, compiled: &mut Compiled) -> Result<(), String> {
        for (flag, tags) in [("--tags", &self.tags), ("--skip-tags", &self.skip_tags)] {
            for tag in tags {
                known_tag(compiled, flag, tag)?;
            }
        }
        if let Some(start) = &self.start_at {
            let ids: Vec<String> = compiled
                .ops
                .iter()
                .map(|op| crate::bind::id(op, &crate::bind::origin(sources, op)))
                .collect();
            let first = match ids.iter().position(|id| id == start) {
                Some(first) => Some(first),
                None => loop_start(compiled, &ids, start),
            };
            let Some(first) = first else {
                let hint = crate::diagnostic::did_you_mean(start, ids.iter().map(String::as_str))
                    .map(|best| format!(" (did you mean `{best}`?)"))
                    .unwrap_or_default();
                return Err(format!(
                    "--start-at: no op has the id `{start}`{hint}; an op's id is its `id`, else its `file:line`, and a loop's item's `ID[0]`, `ID[1]`, ..."
                ));
            };
            compiled.ops.drain(..first);
        }
        compiled.ops.retain(|op| self.runs(&op.globals.tags));
        Ok(())
    }

    /// Whether an op tagged `tags` runs, as Ansible decides it (`Taggable.evaluate_tags`):
    /// an op without tags is `untagged`.
    fn runs(&self, tags: &[String]) -> bool {
        let has = |tag: &str| tags.iter().any(|t| t == tag);
        let untagged = tags.is_empty();
        let named = |wanted: &[String]| {
            wanted
                .iter()
                .any(|w| has(w) || (untagged && w == "untagged"))
        };
        let asked = |tag: &str| self.tags.iter().any(|t| t == tag);
        let skipped = |tag: &str| self.skip_tags.iter().any(|t| t == tag);
        let selected = if self.tags.is_empty() {
            !has("never")
        } else {
            has("always")
                || (asked("all") && !has("never"))
                || named(&self.tags)
                || (asked("tagged") && !untagged && !has("never"))
        };
        selected
            && !(if skipped("all") {
                !has("always") || skipped("always")
            } else {
                named(&self.skip_tags) || (skipped("tagged") && !untagged)
            })
    }
}

/// Where a run that starts at the loop item `start` (`ID[1]`, `ID[0][2]` in a looped
/// include) begins among the ops whose ids are `ids`: at the first op of the outermost
/// loop around the op `ID` (the items before `start` are left out per host, when the
/// loops are expanded: `Compiled::start_item`). None when no looped op has that id.
fn loop_start(compiled: &mut Compiled, ids: &[String], start: &str) -> Option<usize> {
    let mut base = start;
    let mut levels = 0;
    while let Some(open) = base.strip_suffix(']').and_then(|b| b.rfind('[')) {
        let index = &base[open + 1..base.len() - 1];
        if index.is_empty() || !index.bytes().all(|b| b.is_ascii_digit()) {
            break;
        }
        base = &base[..open];
        levels += 1;
    }
    let ops = &compiled.ops;
    let place = (0..ops.len()).find(|&i| ids[i] == base && ops[i].globals.loops.len() == levels)?;
    let outermost = ops[place].globals.loops.first()?;
    let mut first = place;
    while first > 0
        && outermost.include.is_some()
        && ops[first - 1]
            .globals
            .loops
            .first()
            .is_some_and(|l| l.include == outermost.include)
    {
        first -= 1;
    }
    compiled.start_item = Some(start.to_owned());
    Some(first)
}

/// `Ok` when `tag` is special or on some op or handler of `compiled`.
fn known_tag(compiled: &Compiled, flag: &str, tag: &str) -> Result<(), String> {
    let all = || {
        compiled
            .ops
            .iter()
            .chain(&compiled.handlers)
            .flat_map(tags_of)
    };
    if SPECIAL.contains(&tag) || all().any(|t| t == tag) {
        return Ok(());
    }
    let hint = crate::diagnostic::did_you_mean(tag, all().chain(SPECIAL.iter().copied()))
        .map(|best| format!(" (did you mean `{best}`?)"))
        .unwrap_or_default();
    Err(format!("{flag}: no op has the tag `{tag}`{hint}"))
}

fn tags_of(op: &TypedOp) -> impl Iterator<Item = &str> {
    op.globals.tags.iter().map(String::as_str)
}

#[cfg(test)]
mod tests {
    use super::Selection;

    fn selection(tags: &[&str], skip: &[&str]) -> Selection {
        Selection {
            tags: tags.iter().map(|t| t.to_string()).collect(),
            skip_tags: skip.iter().map(|t| t.to_string()).collect(),
            start_at: None,
        }
    }

    fn runs(selection: &Selection, tags: &[&str]) -> bool {
        let tags: Vec<String> = tags.iter().map(|t| t.to_string()).collect();
        selection.runs(&tags)
    }

    #[test]
    fn tags_select_as_ansible_does() {
        let none = selection(&[], &[]);
        assert!(runs(&none, &[]) && runs(&none, &["web"]) && runs(&none, &["always"]));
        assert!(!runs(&none, &["never"]) && !runs(&none, &["never", "debug"]));
        let web = selection(&["web"], &[]);
        assert!(runs(&web, &["web"]) && runs(&web, &["always"]) && runs(&web, &["web", "never"]));
        assert!(!runs(&web, &[]) && !runs(&web, &["db"]) && !runs(&web, &["never"]));
        let all = selection(&["all"], &[]);
        assert!(runs(&all, &[]) && runs(&all, &["db"]) && !runs(&all, &["never"]));
        let tagged = selection(&["tagged"], &[]);
        assert!(runs(&tagged, &["db"]) && !runs(&tagged, &[]));
        let untagged = selection(&["untagged"], &[]);
        assert!(runs(&untagged, &[]) && !runs(&untagged, &["db"]) && runs(&untagged, &["always"]));
        let skip = selection(&[], &["db"]);
        assert!(
            runs(&skip, &[]) && !runs(&skip, &["db", "web"]) && !runs(&skip, &["db", "always"])
        );
        let skip_all = selection(&[], &["all"]);
        assert!(!runs(&skip_all, &["db"]) && runs(&skip_all, &["always"]));
        let skip_tagged = selection(&[], &["tagged"]);
        assert!(runs(&skip_tagged, &[]) && !runs(&skip_tagged, &["db"]));
        assert!(!runs(&tagged, &["never", "db"]));
        let skip_always = selection(&["web"], &["always"]);
        assert!(!runs(&skip_always, &["always"]) && runs(&skip_always, &["web"]));
    }
}
