//! The name of a new operation, `module.op`, checked to be usable as both the op's name
//! and the Rust path of its definition (`src/ops/module/op.rs`, `ops::module::op::DEF`).

use std::fmt;

/// A valid `module.op`: both parts lowercase Rust identifiers that are not keywords.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct OpName {
    pub module: String,
    pub op: String,
}

/// Files in `src/ops/` that are not op modules.
const NOT_MODULES: &[&str] = &["common", "globals"];

/// Rust's keywords (strict and reserved), which cannot name a module.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

impl OpName {
    pub(crate) fn parse(name: &str) -> Result<OpName, String> {
        let Some((module, op)) = name.split_once('.') else {
            return Err(format!("`{name}` is not `module.op` (e.g. `server.swap`)"));
        };
        for part in [module, op] {
            identifier(part).map_err(|why| format!("`{name}`: `{part}` {why}"))?;
        }
        if NOT_MODULES.contains(&module) {
            return Err(format!(
                "`{name}`: `src/ops/{module}.rs` is not an op module; choose another module name"
            ));
        }
        Ok(OpName {
            module: module.to_owned(),
            op: op.to_owned(),
        })
    }
}

fn identifier(part: &str) -> Result<(), &'static str> {
    let mut chars = part.chars();
    if !chars.next().is_some_and(|c| c.is_ascii_lowercase()) {
        return Err("must start with a lowercase letter");
    }
    if !chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') {
        return Err("may hold only lowercase letters, digits and `_`");
    }
    if KEYWORDS.contains(&part) {
        return Err("is a Rust keyword, which cannot name a module");
    }
    Ok(())
}

impl fmt::Display for OpName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.module, self.op)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_module_dot_op() {
        let name = OpName::parse("server.authorized_keys").unwrap();
        assert_eq!(
            (name.module.as_str(), name.op.as_str()),
            ("server", "authorized_keys")
        );
        assert_eq!(name.to_string(), "server.authorized_keys");
    }

    #[test]
    fn refuses_what_cannot_be_a_module_path() {
        for (name, why) in [
            ("swap", "is not `module.op`"),
            ("server.", "must start with a lowercase letter"),
            ("Server.swap", "must start with a lowercase letter"),
            ("server.swap-file", "may hold only lowercase letters"),
            ("server.swap.file", "may hold only lowercase letters"),
            ("files.type", "is a Rust keyword"),
            ("globals.thing", "is not an op module"),
        ] {
            let problem = OpName::parse(name).unwrap_err();
            assert!(problem.contains(why), "{name}: {problem}");
        }
    }
}
