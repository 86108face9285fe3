//! `mysql.privileges`: privileges of an account on databases and tables, granted or
//! revoked, written as Ansible's `community.mysql.mysql_user` writes its `priv`
//! (`db.table:PRIV,PRIV`, one entry a list item instead of `/`-separated).

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, OpArgs, Step};
use crate::source::Span;
use crate::steps::sql::{Dialect, SqlStep, no_nul, privileges};
use crate::template::is_template;

pub(crate) const DEF: OpDef = OpDef::new(
    "mysql.privileges",
    "Ensure a MySQL or MariaDB account holds (or does not hold) privileges on databases and tables (through the `mysql` client).",
    Network::Never,
    lower,
)
.main_arg("user")
.args(&[
    arg("user", Str, "The account's user name.").required(),
    arg("host", Str, "The account's host part.").default(Default::Str("localhost")),
    arg("privileges", STR_LIST, "Entries `DB.TABLE:PRIV,PRIV`: `*.*` for the server, `db.*` for a database, `db.table` for a table (a database name holding `.` cannot be written); the privileges by their SQL names (`SELECT`, `CREATE TEMPORARY TABLES`, ...) or `ALL`.").required(),
    arg("present", Bool, "Whether the account should hold them (`GRANT`) or not (`REVOKE`).").default(Default::Bool(true)),
])
.validate(validate);

/// The privileges a grant on a database or the server may name; the first eighteen, a
/// database's, are what `ALL` stands for in the probe.
const KNOWN: &[&str] = &[
    "SELECT",
    "INSERT",
    "UPDATE",
    "DELETE",
    "CREATE",
    "DROP",
    "REFERENCES",
    "INDEX",
    "ALTER",
    "CREATE TEMPORARY TABLES",
    "LOCK TABLES",
    "EXECUTE",
    "CREATE VIEW",
    "SHOW VIEW",
    "CREATE ROUTINE",
    "ALTER ROUTINE",
    "EVENT",
    "TRIGGER",
    "RELOAD",
    "SHUTDOWN",
    "PROCESS",
    "FILE",
    "SHOW DATABASES",
    "SUPER",
    "REPLICATION SLAVE",
    "REPLICATION CLIENT",
    "CREATE USER",
    "CREATE TABLESPACE",
];
const ALL: &[&str] = KNOWN.split_at(18).0;

/// The privileges a table has (a grant on a table names only these), and `ALL` there.
const TABLE: &[&str] = &[
    "SELECT",
    "INSERT",
    "UPDATE",
    "DELETE",
    "CREATE",
    "DROP",
    "REFERENCES",
    "INDEX",
    "ALTER",
    "CREATE VIEW",
    "SHOW VIEW",
    "TRIGGER",
];

/// One entry: the database (`*` for all), the table (`*` for all), the privileges.
struct Entry<'a> {
    database: &'a str,
    table: &'a str,
    privileges: Vec<&'static str>,
}

fn parse(entry: &str) -> Result<Entry<'_>, String> {
    if entry.contains('/') {
        return Err(
            "one entry a list item: Ansible's `/` between entries is a list here".to_owned(),
        );
    }
    let (object, privs) = entry
        .split_once(':')
        .ok_or("no `:` between the object and the privileges")?;
    let (database, table) = object.split_once('.').ok_or("no `.` in the object")?;
    if database == "*" && table != "*" {
        return Err("a table of every database (`*.table`) cannot be granted".to_owned());
    }
    let asked: Vec<&str> = privs.split(',').collect();
    let (known, all, what) = if table == "*" {
        (KNOWN, ALL, "a privilege")
    } else {
        (TABLE, TABLE, "a privilege on a table")
    };
    let privileges =
        privileges(&asked, known, all).map_err(|word| format!("`{word}` is not {what}"))?;
    Ok(Entry {
        database,
        table,
        privileges,
    })
}

fn validate(args: &OpArgs, diagnostics: &mut Diagnostics) {
    if let Some(asked) = args.get("privileges") {
        let mut entries = Vec::new();
        asked.value.strings(asked.span, &mut entries);
        for (entry, span) in entries {
            if !is_template(entry)
                && let Err(problem) = parse(entry)
            {
                diagnostics.push(bad_entry(entry, &problem, span));
            }
        }
    }
}

fn bad_entry(entry: &str, problem: &str, span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::InvalidValue,
        span,
        format!("`{entry}` is not a privilege entry"),
    )
    .label(problem.to_owned())
    .help("write `db.*:SELECT,INSERT`, `db.table:SELECT` or `*.*:PROCESS`")
}

/// The probe prints how many (entry, privilege) pairs are not as asked, read from
/// `information_schema` (`USER_PRIVILEGES`, `SCHEMA_PRIVILEGES`, `TABLE_PRIVILEGES`, by
/// the entry's level); `0` holds. The act is one `GRANT` or `REVOKE` per entry.
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    no_nul(input, &["user", "host", "privileges"])?;
    let sql = Dialect::Mysql;
    let (user, host) = (input.str("user"), input.str("host"));
    let account = format!("{}@{}", sql.literal(user), sql.literal(host));
    let grantee = format!(
        "CONCAT('''', {}, '''@''', {}, '''')",
        sql.literal(user),
        sql.literal(host)
    );
    let present = input.flag("present");
    let (mut counts, mut changes) = (Vec::new(), Vec::new());
    for raw in input.strings("privileges") {
        let entry =
            parse(raw).map_err(|problem| bad_entry(raw, &problem, input.span("privileges")))?;
        let (table, level) = match (entry.database, entry.table) {
            ("*", _) => ("USER_PRIVILEGES".to_owned(), String::new()),
            (db, "*") => (
                "SCHEMA_PRIVILEGES".to_owned(),
                format!(" AND TABLE_SCHEMA = {}", sql.literal(db)),
            ),
            (db, t) => (
                "TABLE_PRIVILEGES".to_owned(),
                format!(
                    " AND TABLE_SCHEMA = {} AND TABLE_NAME = {}",
                    sql.literal(db),
                    sql.literal(t)
                ),
            ),
        };
        let wanted: Vec<String> = entry
            .privileges
            .iter()
            .map(|p| format!("SELECT '{p}' AS p"))
            .collect();
        counts.push(format!(
            "(SELECT COUNT(*) FROM ({}) AS wanted WHERE EXISTS (SELECT 1 FROM information_schema.{table} WHERE GRANTEE = {grantee}{level} AND PRIVILEGE_TYPE = wanted.p) <> {})",
            wanted.join(" UNION ALL "),
            u8::from(present)
        ));
        let on = match (entry.database, entry.table) {
            ("*", _) => "*.*".to_owned(),
            (db, "*") => format!("{}.*", sql.ident(db)),
            (db, t) => format!("{}.{}", sql.ident(db), sql.ident(t)),
        };
        let privs = entry.privileges.join(", ");
        changes.push(if present {
            format!("GRANT {privs} ON {on} TO {account};")
        } else {
            format!("REVOKE {privs} ON {on} FROM {account};")
        });
    }
    Ok(SqlStep {
        dialect: sql,
        database: "",
        probe: format!("SELECT {};", counts.join("\n  + ")),
        want: "0".to_owned(),
        create: None,
        change: changes.join("\n"),
        what: format!(
            "{} privileges of {user}@{host}",
            if present { "grant" } else { "revoke" }
        ),
    }
    .step())
}
