//! `postgresql.privileges`: privileges of a role on databases, schemas, tables or
//! sequences, granted or revoked, like Ansible's `community.postgresql.postgresql_privs`
//! (a subset: no functions, default privileges, columns or grant options).

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, OpArgs, Step};
use crate::steps::sql::{Dialect, SqlStep, no_nul, privileges};
use crate::template::is_template;

pub(crate) const DEF: OpDef = OpDef::new(
    "postgresql.privileges",
    "Ensure a PostgreSQL role holds (or does not hold) privileges on databases, schemas, tables or sequences (through `psql` as the `postgres` user).",
    Network::Never,
    lower,
)
.main_arg("role")
.args(&[
    arg("role", Str, "The role the privileges are granted to, or `PUBLIC`.").required(),
    arg("database", Str, "The database holding the objects (connected to); `postgres` when not given. Not needed for `type = \"database\"`."),
    arg("type", Enum(&["database", "schema", "table", "sequence"]), "What the objects are.").default(Default::Str("table")),
    arg("objects", STR_LIST, "The objects' names; for tables and sequences, names in `schema`, or `ALL_IN_SCHEMA` for every one there (as it is when the op runs).").required(),
    arg("schema", Str, "The schema of the tables or sequences.").default(Default::Str("public")),
    arg("privileges", STR_LIST, "The privileges, or `ALL`: for a database `CREATE`, `CONNECT`, `TEMPORARY`; a schema `CREATE`, `USAGE`; a table `SELECT`, `INSERT`, `UPDATE`, `DELETE`, `TRUNCATE`, `REFERENCES`, `TRIGGER`; a sequence `USAGE`, `SELECT`, `UPDATE`.").required(),
    arg("present", Bool, "Whether the role should hold them (`GRANT`) or not (`REVOKE`).").default(Default::Bool(true)),
])
.validate(validate);

/// The privileges of each type of object, `ALL` first: what `ALL` stands for.
fn known(kind: &str) -> &'static [&'static str] {
    match kind {
        "database" => &["CREATE", "CONNECT", "TEMPORARY"],
        "schema" => &["CREATE", "USAGE"],
        "sequence" => &["USAGE", "SELECT", "UPDATE"],
        _ => &[
            "SELECT",
            "INSERT",
            "UPDATE",
            "DELETE",
            "TRUNCATE",
            "REFERENCES",
            "TRIGGER",
        ],
    }
}

const ALL_IN_SCHEMA: &str = "ALL_IN_SCHEMA";

fn validate(args: &OpArgs, diagnostics: &mut Diagnostics) {
    let kind = args.str("type").unwrap_or("table");
    if let Some(asked) = args.get("privileges") {
        let mut words = Vec::new();
        asked.value.strings(asked.span, &mut words);
        for (word, span) in words {
            if !is_template(word) && privileges(&[word], known(kind), known(kind)).is_err() {
                diagnostics.push(unknown_privilege(word, kind, span));
            }
        }
    }
    if let Some(objects) = args.get("objects")
        && !matches!(kind, "table" | "sequence")
    {
        let mut words = Vec::new();
        objects.value.strings(objects.span, &mut words);
        if let Some((_, span)) = words.iter().find(|(w, _)| *w == ALL_IN_SCHEMA) {
            diagnostics.push(
                Diagnostic::new(
                    Code::InvalidValue,
                    *span,
                    "`ALL_IN_SCHEMA` names tables or sequences",
                )
                .label(format!("the objects here are of type `{kind}`"))
                .help("name the objects, or use `type = \"table\"` or `\"sequence\"`"),
            );
        }
    }
}

fn unknown_privilege(word: &str, kind: &str, span: crate::source::Span) -> Diagnostic {
    Diagnostic::new(
        Code::InvalidValue,
        span,
        format!("`{word}` is not a privilege on a {kind}"),
    )
    .label(format!("a {kind} has {}", known(kind).join(", ")))
    .help("name those privileges, or `ALL`")
}

/// The probe prints how many (object, privilege) pairs are not as asked, read from the
/// objects' access lists (`aclexplode`; a missing one is the default, `acldefault`): what
/// the role holds itself, not what it has through `PUBLIC` or a membership; `0` holds. The act is one `GRANT` or
/// `REVOKE` of them all.
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    no_nul(input, &["role", "database", "objects", "schema"])?;
    let sql = Dialect::Postgres;
    let kind = input.str("type");
    let privs = privileges(&input.strings("privileges"), known(kind), known(kind))
        .map_err(|word| unknown_privilege(word, kind, input.span("privileges")))?;
    let objects = input.strings("objects");
    let name = input.str("role");
    let public = name.eq_ignore_ascii_case("public");
    let (grantee, role) = if public {
        ("0".to_owned(), "PUBLIC".to_owned())
    } else {
        (
            format!(
                "(SELECT oid FROM pg_roles WHERE rolname = {})",
                sql.literal(name)
            ),
            sql.ident(name),
        )
    };
    let schema = input.str("schema");
    let all_in_schema = objects.contains(&ALL_IN_SCHEMA);
    let listed = || -> String {
        let items: Vec<String> = objects.iter().map(|o| sql.literal(o)).collect();
        format!("unnest(ARRAY[{}]::text[]) AS o(name)", items.join(", "))
    };
    let in_schema = |o: &str| format!("{}.{}", sql.ident(schema), sql.ident(o));
    // A missing access list is the default one: an owner's privileges, and PUBLIC's
    // CONNECT and TEMPORARY on a database.
    let default = if kind == "sequence" { "'s'" } else { "'r'" };
    let (acls, target) = match (kind, all_in_schema) {
        ("database", _) => (
            format!(
                "SELECT (SELECT coalesce(datacl, acldefault('d', datdba)) FROM pg_database WHERE datname = o.name) FROM {}",
                listed()
            ),
            format!(
                "DATABASE {}",
                objects
                    .iter()
                    .map(|o| sql.ident(o))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ),
        ("schema", _) => (
            format!(
                "SELECT (SELECT coalesce(nspacl, acldefault('n', nspowner)) FROM pg_namespace WHERE nspname = o.name) FROM {}",
                listed()
            ),
            format!(
                "SCHEMA {}",
                objects
                    .iter()
                    .map(|o| sql.ident(o))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ),
        (_, true) => (
            format!(
                "SELECT coalesce(relacl, acldefault({default}, relowner)) FROM pg_class WHERE relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = {}) AND relkind IN ({})",
                sql.literal(schema),
                if kind == "sequence" {
                    "'S'"
                } else {
                    "'r', 'p', 'v', 'm', 'f'"
                }
            ),
            format!(
                "ALL {}S IN SCHEMA {}",
                kind.to_ascii_uppercase(),
                sql.ident(schema)
            ),
        ),
        (_, false) => (
            format!(
                "SELECT (SELECT coalesce(relacl, acldefault({default}, relowner)) FROM pg_class WHERE oid = to_regclass(quote_ident({}) || '.' || quote_ident(o.name))) FROM {}",
                sql.literal(schema),
                listed()
            ),
            format!(
                "{} {}",
                kind.to_ascii_uppercase(),
                objects
                    .iter()
                    .map(|o| in_schema(o))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ),
    };
    let present = input.flag("present");
    let privs_list = privs.join(", ");
    let literals: Vec<String> = privs.iter().map(|p| format!("'{p}'")).collect();
    let probe = format!(
        "SELECT count(*) FROM ({acls}) AS t(acl) CROSS JOIN unnest(ARRAY[{}]) AS p(priv)\n  WHERE EXISTS (SELECT 1 FROM aclexplode(t.acl) a WHERE a.grantee = {grantee} AND a.privilege_type = p.priv) <> {present};",
        literals.join(", ")
    );
    let (change, what) = if present {
        (
            format!("GRANT {privs_list} ON {target} TO {role};"),
            format!("grant {privs_list} to {name}"),
        )
    } else {
        (
            format!("REVOKE {privs_list} ON {target} FROM {role};"),
            format!("revoke {privs_list} from {name}"),
        )
    };
    Ok(SqlStep {
        dialect: sql,
        database: input.args.str("database").unwrap_or_default(),
        probe,
        want: "0".to_owned(),
        create: None,
        change,
        what,
    }
    .step())
}
