//! `postgresql.database`: a database, its owner, encoding and locales, like Ansible's
//! `community.postgresql.postgresql_db`.

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, OpArgs, Step};
use crate::steps::sql::{Dialect, SqlStep, no_nul};

pub(crate) const DEF: OpDef = OpDef::new(
    "postgresql.database",
    "Ensure a PostgreSQL database exists with the given owner, encoding and locales, or is absent (through `psql` as the `postgres` user).",
    Network::Never,
    lower,
)
.main_arg("database")
.args(&[
    arg("database", Str, "The database's name.").required(),
    arg("present", Bool, "Whether the database should exist (`false` drops it, with its data).").default(Default::Bool(true)),
    arg("owner", Str, "The owning role (which must exist); changed on an existing database."),
    arg("encoding", Str, "The character encoding, as PostgreSQL names it: `UTF8` (not `UTF-8`, which the probe would never see). Set when the database is created: PostgreSQL cannot change it, so an existing database with another one fails the op."),
    arg("lc_collate", Str, "The collation order (`LC_COLLATE`), e.g. `en_US.UTF-8`; set at creation only, as `encoding`."),
    arg("lc_ctype", Str, "The character classification (`LC_CTYPE`); set at creation only, as `encoding`."),
    arg("template", Str, "The database to copy when creating it (PostgreSQL's default is `template1`; an encoding or locale other than its own needs `template0`)."),
])
.validate(validate);

/// Refuses an `encoding` not spelt as PostgreSQL names it (`UTF-8`, `utf8`): `CREATE
/// DATABASE` accepts those, but the probe compares the name `pg_encoding_to_char` gives
/// back (`UTF8`), so the op would fail on the next run. A templated value is not checked.
fn validate(args: &OpArgs, diagnostics: &mut Diagnostics) {
    if let Some(given) = args.get("encoding")
        && let Some(encoding) = given.value.as_str()
        && !encoding.contains("{{")
        && !encoding
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
    {
        diagnostics.push(
            Diagnostic::new(
                Code::InvalidValue,
                given.span,
                format!("`{encoding}` is not PostgreSQL's name of an encoding"),
            )
            .label("PostgreSQL reports encodings in capitals, without `-`")
            .help("write the name PostgreSQL gives back, which the probe compares: `UTF8`, `LATIN1`, `SQL_ASCII`, `ISO_8859_5` (`psql -l` lists them)"),
        );
    }
}

/// Database attributes the probe prints: argument, how `pg_database` gives it.
const ATTRIBUTES: &[(&str, &str)] = &[
    ("owner", "pg_get_userbyid(datdba)"),
    ("encoding", "pg_encoding_to_char(encoding)"),
    ("lc_collate", "datcollate"),
    ("lc_ctype", "datctype"),
];

/// The probe prints `database`, then `ATTRIBUTE=VALUE` for each attribute given; nothing
/// for a missing database. `CREATE DATABASE` with all of them, or `ALTER DATABASE ...
/// OWNER TO` (the one attribute that can change; the probe, run again, fails the op when
/// another differs), or `DROP DATABASE`.
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    no_nul(
        input,
        &[
            "database",
            "owner",
            "encoding",
            "lc_collate",
            "lc_ctype",
            "template",
        ],
    )?;
    let sql = Dialect::Postgres;
    let name = input.str("database");
    let (database, literal) = (sql.ident(name), sql.literal(name));
    if !input.flag("present") {
        return Ok(SqlStep::dropped(
            sql,
            format!("SELECT 'database' FROM pg_database WHERE datname = {literal};"),
            format!("DROP DATABASE {database};"),
            format!("drop database {name}"),
        ));
    }
    let (mut columns, mut want) = (vec!["'database'".to_owned()], vec!["database".to_owned()]);
    for (arg, column) in ATTRIBUTES {
        if let Some(value) = input.args.str(arg) {
            columns.push(format!("'{arg}=' || {column}"));
            want.push(format!("{arg}={value}"));
        }
    }
    let owner = input.args.str("owner").map(|o| sql.ident(o));
    let mut create = format!("CREATE DATABASE {database}");
    for (keyword, value) in [
        ("OWNER", owner.clone()),
        ("TEMPLATE", input.args.str("template").map(|t| sql.ident(t))),
        (
            "ENCODING",
            input.args.str("encoding").map(|e| sql.literal(e)),
        ),
        (
            "LC_COLLATE",
            input.args.str("lc_collate").map(|l| sql.literal(l)),
        ),
        (
            "LC_CTYPE",
            input.args.str("lc_ctype").map(|l| sql.literal(l)),
        ),
    ] {
        if let Some(value) = value {
            create.push_str(&format!(" {keyword} {value}"));
        }
    }
    Ok(SqlStep {
        dialect: sql,
        database: "",
        probe: format!(
            "SELECT concat_ws(' ', {}) FROM pg_database WHERE datname = {literal};",
            columns.join(", ")
        ),
        want: want.join(" "),
        create: Some(format!("{create};")),
        change: owner.map_or_else(String::new, |owner| {
            format!("ALTER DATABASE {database} OWNER TO {owner};")
        }),
        what: format!("create or alter database {name}"),
    }
    .step())
}
