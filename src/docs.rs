//! Reference docs generated from the code: `docs/ops.md` from the op catalog,
//! `docs/diagnostics.md` from the diagnostic codes and `docs/facts.md` from the table of
//! facts. A test keeps the committed files equal to what this module produces.

use std::fmt::Write;

use crate::check::globals::INHERITABLE;
use crate::diagnostic::Code;
use crate::diagnostic::quoted_list;
use crate::facts::{FACTS, FactType, Kind};
use crate::opdef::{ArgDef, Default, OpDef, Rule};
use crate::ops::CATALOG;
use crate::ops::globals::GLOBAL_ARGS;

const GENERATED: &str = "<!-- Generated from the source by `KILN_BLESS=1 cargo test --test it generated::`; do not edit. -->\n\n";

/// `docs/ops.md`.
pub fn ops() -> String {
    let mut out = String::from("# Operations\n\n");
    out.push_str(GENERATED);
    out.push_str(
        "Every operation is `module.op`. Arguments are given by name (TOML keys, KDL properties or child nodes); \
         the *main* argument can also be the KDL node's positional value(s). String values are minijinja templates \
         over variables, `facts` and `host`.\n\n",
    );
    out.push_str("## Global arguments\n\nAccepted by every operation (those marked *inherited* also by `include`, applying to everything included).\n\n");
    out.push_str("| argument | type | default | description |\n|---|---|---|---|\n");
    for arg in GLOBAL_ARGS {
        let inherited = if INHERITABLE.contains(&arg.name) {
            " *inherited*"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {}{inherited} |",
            arg.name,
            arg.ty.describe(),
            default_text(arg),
            escape(arg.doc)
        );
    }
    for (name, takes, doc) in crate::check::loops::LOOP_ARG_DOCS {
        let _ = writeln!(
            out,
            "| `{name}` | {} |  | {} *inherited* |",
            escape(takes),
            escape(doc)
        );
    }
    let mut module = "";
    out.push_str("\n## Index\n\n");
    for def in CATALOG {
        let _ = writeln!(
            out,
            "- [`{0}`](#{1}) — {2}",
            def.name,
            anchor(def.name),
            def.summary
        );
    }
    for def in CATALOG {
        if def.module() != module {
            module = def.module();
            let _ = writeln!(out, "\n## `{module}`");
        }
        op(&mut out, def);
    }
    out.push_str("\n## Differences from Ansible\n\nWhere an op's meaning differs from the Ansible module an Ansible user would reach for, and why.\n");
    for section in ANSIBLE_DIFFERENCES {
        out.push('\n');
        out.push_str(section);
    }
    out
}

/// The sections of "Differences from Ansible", one file each, in `src/docs/`.
const ANSIBLE_DIFFERENCES: &[&str] = &[
    include_str!("docs/ansible_files.md"),
    include_str!("docs/ansible_edits.md"),
    include_str!("docs/ansible_apt.md"),
    include_str!("docs/ansible_rpm.md"),
    include_str!("docs/ansible_language_packages.md"),
    include_str!("docs/ansible_systemd.md"),
    include_str!("docs/ansible_databases.md"),
    include_str!("docs/ansible_keys.md"),
    include_str!("docs/ansible_docker.md"),
    include_str!("docs/ansible_firewall.md"),
    include_str!("docs/ansible_selinux.md"),
];

fn op(out: &mut String, def: &OpDef) {
    let _ = writeln!(out, "\n### `{}`\n\n{}\n", def.name, def.summary);
    let _ = writeln!(
        out,
        "Defined in `src/ops/{}.rs`.\n",
        def.name.replace('.', "/")
    );
    if let Some(main) = def.main_arg {
        let _ = writeln!(out, "Main argument (KDL positional): `{main}`.\n");
    }
    let _ = writeln!(
        out,
        "Reaches the network from the host: {}.\n",
        def.network.describe()
    );
    if !def.facts.is_empty() {
        let facts: Vec<String> = def.facts.iter().map(|f| format!("`{f}`")).collect();
        let _ = writeln!(out, "Host facts used: {}.\n", facts.join(", "));
    }
    if def.args.is_empty() {
        out.push_str("Takes only the global arguments.\n");
    } else {
        out.push_str("| argument | type | required / default | description |\n|---|---|---|---|\n");
    }
    for arg in def.args {
        let requirement = if arg.required {
            "**required**".to_owned()
        } else {
            default_text(arg)
        };
        let _ = writeln!(
            out,
            "| `{}` | {} | {requirement} | {} |",
            arg.name,
            escape(&arg.ty.describe()),
            escape(arg.doc)
        );
    }
    if !def.rules.is_empty() {
        out.push('\n');
        for rule in def.rules {
            let _ = writeln!(out, "- {}", rule_text(rule));
        }
    }
}

fn default_text(arg: &ArgDef) -> String {
    match arg.default {
        None => String::new(),
        Some(Default::Bool(b)) => format!("`{b}`"),
        Some(Default::Int(i)) => format!("`{i}`"),
        Some(Default::Str(s)) => format!("`\"{}\"`", escape(s)),
    }
}

fn rule_text(rule: &Rule) -> String {
    match rule {
        Rule::Conflicts(a, b) => format!("`{a}` and `{b}` exclude each other."),
        Rule::AnyOf(names) => format!("At least one of {} is required.", quoted_list(names)),
        Rule::OneOf(names) => format!("Exactly one of {} is required.", quoted_list(names)),
        Rule::Requires(a, b) => format!("`{a}` requires `{b}`."),
        Rule::RequiredIf(flag, names) => {
            format!("When `{flag}` is true, {} is required.", quoted_list(names))
        }
        Rule::GuardedBy(names) => format!(
            "Without {} it runs on every apply (warning `kiln::unguarded-command`).",
            quoted_list(names)
        ),
    }
}

fn anchor(name: &str) -> String {
    name.replace('.', "").to_lowercase()
}

fn escape(text: &str) -> String {
    text.replace('|', "\\|")
}

/// `docs/diagnostics.md`.
pub fn diagnostics() -> String {
    let mut out = String::from("# Diagnostics\n\n");
    out.push_str(GENERATED);
    out.push_str(
        "`kiln check` reports every problem in one run. Each diagnostic has a stable code, a severity, the exact \
         span, and usually a help line. Output formats: `--format human` (default; colour on a terminal unless \
         `NO_COLOR` is set), `--format json`, `--format github` (workflow annotations).\n\n\
         Exit status: `0` no errors (warnings allowed), `1` errors — or warnings under `--deny-warnings`, `2` bad \
         command-line usage.\n\n| code | severity | meaning |\n|---|---|---|\n",
    );
    for code in Code::ALL {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} |",
            code.name(),
            code.severity().as_str(),
            escape(code.explanation())
        );
    }
    out
}

/// `docs/facts.md`.
pub fn facts() -> String {
    let mut out = String::from("# Facts\n\n");
    out.push_str(GENERATED);
    out.push_str(
        "What kiln knows of a host, as templates and `when` see it: `facts.PATH`. One read-only POSIX probe \
         gathers them all, in the same run as the host's script (`kiln plan`, `kiln apply`) or alone (`kiln facts \
         HOST`, `--json` for `kiln emit --facts`). *Every host* facts are always there; the others are absent \
         where the host does not say (a template or `when` that uses one fails there, naming it).\n\n\
         **Decided by scripts**: a `when` over these facts in a script emitted without `--facts` is decided on \
         the host, by the script gathering them there (`bind::when`). The others are structured, or need a \
         process per host to find: kiln gathers and parses them, so a `when` over them is decided where kiln \
         has the host's facts (`plan`, `apply`, `emit --facts`, `@local`); `emit` without them refuses it \
         (`kiln::invalid-when`). Custom facts (`facts.custom.NAME`) are declared in the manifest: see \
         [the manifest reference](manifest.md#facts).\n\n\
         | fact | type | every host | decided by scripts | what | example |\n|---|---|---|---|---|---|\n",
    );
    for fact in FACTS {
        let (ty, on_host) = match fact.kind {
            Kind::Host(FactType::Str) => ("string", "yes"),
            Kind::Host(FactType::Int) => ("integer", "yes"),
            Kind::Host(FactType::List) => ("list of strings", "yes"),
            Kind::Surveyed(shape) => (shape, "no"),
        };
        let always = if fact.always { "yes" } else { "no" };
        let _ = writeln!(
            out,
            "| `{}` | {} | {always} | {on_host} | {} | `{}` |",
            fact.path,
            escape(ty),
            escape(fact.about),
            escape(fact.example)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A new op starts with no arguments of its own (`cargo xtask new-op`): its section
    /// says so rather than showing an empty table.
    #[test]
    fn an_op_without_arguments_says_so() {
        let def = OpDef::new(
            "server.example",
            "An example.",
            crate::opdef::Network::Never,
            |input| {
                Err(crate::diagnostic::Diagnostic::new(
                    Code::Unsupported,
                    input.origin,
                    "not lowered",
                ))
            },
        );
        let mut out = String::new();
        op(&mut out, &def);
        assert_eq!(
            out,
            "\n### `server.example`\n\nAn example.\n\nDefined in `src/ops/server/example.rs`.\n\nReaches the network from the host: never.\n\nTakes only the global arguments.\n"
        );
    }
}
