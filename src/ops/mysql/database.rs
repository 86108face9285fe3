//! `mysql.database`: a database and its character set and collation, like Ansible's
//! `community.mysql.mysql_db` (`state: present|absent`).

use crate::diagnostic::Diagnostic;
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::steps::sql::{Dialect, SqlStep, no_nul};

pub(crate) const DEF: OpDef = OpDef::new(
    "mysql.database",
    "Ensure a MySQL or MariaDB database exists with the given character set and collation, or is absent (through the `mysql` client).",
    Network::Never,
    lower,
)
.main_arg("database")
.args(&[
    arg("database", Str, "The database's name.").required(),
    arg("present", Bool, "Whether the database should exist (`false` drops it, with its data).").default(Default::Bool(true)),
    arg("encoding", Str, "The default character set, e.g. `utf8mb4`; changed on an existing database (its tables keep theirs)."),
    arg("collation", Str, "The default collation, e.g. `utf8mb4_unicode_ci`; changed on an existing database."),
]);

/// The probe prints `database`, then `encoding=...` and `collation=...` when given, from
/// `information_schema.SCHEMATA`; nothing for a missing database. `CREATE DATABASE`,
/// `ALTER DATABASE` or `DROP DATABASE`.
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    no_nul(input, &["database", "encoding", "collation"])?;
    let sql = Dialect::Mysql;
    let name = input.str("database");
    let (database, literal) = (sql.ident(name), sql.literal(name));
    let from = format!("FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = {literal}");
    if !input.flag("present") {
        return Ok(SqlStep::dropped(
            sql,
            format!("SELECT 'database' {from};"),
            format!("DROP DATABASE {database};"),
            format!("drop database {name}"),
        ));
    }
    let (mut columns, mut want, mut options) = (
        vec!["'database'".to_owned()],
        vec!["database".to_owned()],
        String::new(),
    );
    for (arg, column, keyword) in [
        ("encoding", "DEFAULT_CHARACTER_SET_NAME", "CHARACTER SET"),
        ("collation", "DEFAULT_COLLATION_NAME", "COLLATE"),
    ] {
        if let Some(value) = input.args.str(arg) {
            columns.push(format!("CONCAT('{arg}=', {column})"));
            want.push(format!("{arg}={value}"));
            options.push_str(&format!(" {keyword} {}", sql.literal(value)));
        }
    }
    Ok(SqlStep {
        dialect: sql,
        database: "",
        probe: format!("SELECT CONCAT_WS(' ', {}) {from};", columns.join(", ")),
        want: want.join(" "),
        create: Some(format!("CREATE DATABASE {database}{options};")),
        change: format!("ALTER DATABASE {database}{options};"),
        what: format!("create or alter database {name}"),
    }
    .step())
}
