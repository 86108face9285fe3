//! SQL for the database ops (`postgresql.*`, `mysql.*`): values quoted as SQL literals and
//! identifiers by one function per dialect, the checks a value must pass first, and the
//! step every database op lowers to.
//!
//! Invariants: every value from a manifest reaches SQL through [`Dialect::literal`] or
//! [`Dialect::ident`] (privilege names, which are SQL keywords, are only ever kiln's own
//! words, checked against a fixed list); the SQL is then one shell word of the runtime's
//! `k_sql`, which feeds it to the client on standard input, so no value (a password
//! included) is ever an argument of a process. What a probe prints and what it must
//! print (`want`) name attributes, never a secret: a password is compared on the server,
//! and the probe prints only whether it matches.

use crate::diagnostic::{Code, Diagnostic};
use crate::opdef::{LowerInput, Step};
use crate::runtime::call::{self, Sql};

/// A server's SQL dialect, with its client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dialect {
    Postgres,
    Mysql,
}

impl Dialect {
    /// `value` as a string literal. PostgreSQL's is an escape string (`E'...'`), whose
    /// backslashes mean the same whatever `standard_conforming_strings` says; MySQL's
    /// backslashes are escapes too, as [`Dialect::script`] pins the session's `sql_mode`.
    pub(crate) fn literal(self, value: &str) -> String {
        let body = value.replace('\\', "\\\\").replace('\'', "''");
        match self {
            Dialect::Postgres => format!("E'{body}'"),
            Dialect::Mysql => format!("'{body}'"),
        }
    }

    /// `value` as a quoted identifier (`"name"`, `` `name` ``): any text is a name, never
    /// a keyword or code.
    pub(crate) fn ident(self, value: &str) -> String {
        match self {
            Dialect::Postgres => format!("\"{}\"", value.replace('"', "\"\"")),
            Dialect::Mysql => format!("`{}`", value.replace('`', "``")),
        }
    }

    /// The client the runtime runs (`k_sql --client`).
    fn client(self) -> &'static str {
        match self {
            Dialect::Postgres => "psql",
            Dialect::Mysql => "mysql",
        }
    }

    /// `sql` as the client is given it: for MySQL after an empty `sql_mode` (without
    /// `NO_BACKSLASH_ESCAPES`, which would make [`Dialect::literal`]'s `\\` two backslashes).
    fn script(self, sql: &str) -> String {
        match self {
            Dialect::Postgres => sql.to_owned(),
            Dialect::Mysql => format!("SET SESSION sql_mode = '';\n{sql}"),
        }
    }
}

/// What a database op's step does: its probe, the output that means the state holds, and
/// the SQL that makes it hold.
pub(crate) struct SqlStep<'a> {
    pub(crate) dialect: Dialect,
    /// The database the client connects to; its default when empty.
    pub(crate) database: &'a str,
    pub(crate) probe: String,
    pub(crate) want: String,
    /// Run when the probe prints nothing (the object is missing), if any.
    pub(crate) create: Option<String>,
    pub(crate) change: String,
    /// What a change does, in words, for plans (no secret).
    pub(crate) what: String,
}

impl SqlStep<'_> {
    /// One call of `k_sql`, its probe checked again after the act (SQL that succeeds may
    /// still leave another state, as a database's encoding, which cannot change).
    pub(crate) fn step(&self) -> Step {
        let dialect = self.dialect;
        let create = self.create.as_deref().map(|sql| dialect.script(sql));
        Step {
            call: Some(call::sql(&Sql {
                client: dialect.client(),
                database: self.database,
                probe: &dialect.script(&self.probe),
                want: &self.want,
                create: create.as_deref(),
                change: &dialect.script(&self.change),
                what: &self.what,
            })),
            verify: true,
            ..Step::default()
        }
    }

    /// The step that drops an object (`present = false`): it holds when `probe`, a `SELECT`
    /// of one row while the object exists, prints nothing; else `drop` runs. `what` says it
    /// for plans.
    pub(crate) fn dropped(dialect: Dialect, probe: String, drop: String, what: String) -> Step {
        SqlStep {
            dialect,
            database: "",
            probe,
            want: String::new(),
            create: None,
            change: drop,
            what,
        }
        .step()
    }
}

/// Refuses a NUL byte in the arguments `names` (neither server has one in a name or a
/// password, and no SQL literal can hold one).
pub(crate) fn no_nul(input: &LowerInput, names: &[&str]) -> Result<(), Diagnostic> {
    for name in names {
        let values = match input.args.str(name) {
            Some(value) => vec![value],
            None => input.strings(name),
        };
        if values.iter().any(|v| v.contains('\0')) {
            return Err(Diagnostic::new(
                Code::InvalidValue,
                input.span(name),
                "a value holds a NUL byte",
            )
            .label("no SQL name or password can hold one")
            .help("remove the `\\0` from the value"));
        }
    }
    Ok(())
}

/// The privileges a list asks for, upper-cased, each one of `known` (whose first entries,
/// `all`, are what `ALL` or `ALL PRIVILEGES` stands for), in the order asked, once each;
/// or the first that is not one.
pub(crate) fn privileges<'a>(
    asked: &[&'a str],
    known: &[&'static str],
    all: &[&'static str],
) -> Result<Vec<&'static str>, &'a str> {
    let mut out: Vec<&'static str> = Vec::new();
    for priv_ in asked {
        let upper = priv_.trim().to_ascii_uppercase();
        let words: Vec<&str> = upper.split_whitespace().collect();
        let name = words.join(" ");
        let found: &[&'static str] = if name == "ALL" || name == "ALL PRIVILEGES" {
            all
        } else if name == "TEMP" {
            &["TEMPORARY"]
        } else {
            match known.iter().find(|k| **k == name) {
                Some(k) => std::slice::from_ref(k),
                None => return Err(priv_),
            }
        };
        for k in found {
            if !out.contains(k) {
                out.push(k);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_and_identifiers_quote_hostile_text() {
        let hostile = "a'b\"c`d\\e;f\n$$:x";
        assert_eq!(
            Dialect::Postgres.literal(hostile),
            "E'a''b\"c`d\\\\e;f\n$$:x'"
        );
        assert_eq!(Dialect::Mysql.literal(hostile), "'a''b\"c`d\\\\e;f\n$$:x'");
        assert_eq!(
            Dialect::Postgres.ident(hostile),
            "\"a'b\"\"c`d\\e;f\n$$:x\""
        );
        assert_eq!(Dialect::Mysql.ident(hostile), "`a'b\"c``d\\e;f\n$$:x`");
    }

    #[test]
    fn privileges_expand_all_and_refuse_unknown_words() {
        let known = &["SELECT", "INSERT", "CREATE TEMPORARY TABLES", "TEMPORARY"];
        let all = &["SELECT", "INSERT"];
        assert_eq!(
            privileges(
                &["select", "all privileges", " create  temporary tables"],
                known,
                all
            ),
            Ok(vec!["SELECT", "INSERT", "CREATE TEMPORARY TABLES"])
        );
        assert_eq!(privileges(&["temp"], known, all), Ok(vec!["TEMPORARY"]));
        assert_eq!(
            privileges(&["SELECT; DROP"], known, all),
            Err("SELECT; DROP")
        );
    }
}
