//! `postgresql.role`: a role and its attributes and password, like Ansible's
//! `community.postgresql.postgresql_user`.

use crate::diagnostic::Diagnostic;
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::steps::sql::{Dialect, SqlStep, no_nul};
use crate::steps::values::opt_flag;

pub(crate) const DEF: OpDef = OpDef::new(
    "postgresql.role",
    "Ensure a PostgreSQL role exists with the given attributes and password, or is absent (through `psql` as the `postgres` user).",
    Network::Never,
    lower,
)
.main_arg("role")
.args(&[
    arg("role", Str, "The role's name (any text: it is quoted as an identifier).").required(),
    arg("present", Bool, "Whether the role should exist.").default(Default::Bool(true)),
    arg("login", Bool, "Whether the role can log in (a user).").default(Default::Bool(true)),
    arg("superuser", Bool, "Whether the role is a superuser; left as it is when not given (a new role is not)."),
    arg("createdb", Bool, "Whether the role can create databases; left as it is when not given."),
    arg("createrole", Bool, "Whether the role can create roles; left as it is when not given."),
    arg("replication", Bool, "Whether the role can start streaming replication; left as it is when not given."),
    arg("password", Str, "The password, in plain text (make it a secret: it is masked in scripts and reports, and reaches `psql` on its standard input only). The server stores it hashed as its `password_encryption` says.").secret(),
    arg("update_password", Enum(&["always", "on_create"]), "`always`: the password is checked on every run (against the stored SCRAM-SHA-256 or MD5 hash, on the server) and set when it differs; `on_create`: set only when the role is created.").default(Default::Str("always")),
])
.rules(&[Rule::Requires("update_password", "password")]);

/// The role attributes kiln manages: argument, `pg_authid` column, keyword.
const ATTRIBUTES: &[(&str, &str, &str)] = &[
    ("login", "rolcanlogin", "LOGIN"),
    ("superuser", "rolsuper", "SUPERUSER"),
    ("createdb", "rolcreatedb", "CREATEDB"),
    ("createrole", "rolcreaterole", "CREATEROLE"),
    ("replication", "rolreplication", "REPLICATION"),
];

/// The probe prints `role`, then `ATTRIBUTE=true|false` for each attribute given, then
/// `password=true|false` (whether the password matches) when it is compared; nothing for a missing
/// role. The act creates, alters or drops the role.
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    no_nul(input, &["role", "password"])?;
    let sql = Dialect::Postgres;
    let name = input.str("role");
    let (role, literal) = (sql.ident(name), sql.literal(name));
    if !input.flag("present") {
        return Ok(SqlStep::dropped(
            sql,
            format!("SELECT 'role' FROM pg_roles WHERE rolname = {literal};"),
            format!("DROP ROLE {role};"),
            format!("drop role {name}"),
        ));
    }
    let (mut columns, mut want, mut options) = (
        vec!["'role'".to_owned()],
        vec!["role".to_owned()],
        Vec::new(),
    );
    for (arg, column, keyword) in ATTRIBUTES {
        if let Some(on) = opt_flag(input, arg) {
            columns.push(format!("'{arg}=' || {column}"));
            want.push(format!("{arg}={on}"));
            options.push(if on {
                (*keyword).to_owned()
            } else {
                format!("NO{keyword}")
            });
        }
    }
    let password = input.args.str("password").map(|p| sql.literal(p));
    let compared = password
        .as_ref()
        .filter(|_| input.str("update_password") == "always");
    let mut probe = String::new();
    if let Some(password) = compared {
        probe = format!("WITH RECURSIVE {}\n", password_matches(&literal, password));
        columns.push("'password=' || coalesce((SELECT matches FROM password), false)".to_owned());
        want.push("password=true".to_owned());
    }
    probe.push_str(&format!(
        "SELECT concat_ws(' ', {}) FROM pg_authid WHERE rolname = {literal};",
        columns.join(", ")
    ));
    let set_password = password.as_ref().map(|p| format!(" PASSWORD {p}"));
    let options = options.join(" ");
    let changed_password = if compared.is_some() {
        set_password.as_deref()
    } else {
        None
    };
    Ok(SqlStep {
        dialect: sql,
        database: "",
        probe,
        want: want.join(" "),
        // `login` has a default, so neither statement is ever without an option.
        create: Some(format!(
            "CREATE ROLE {role} {options}{};",
            set_password.as_deref().unwrap_or_default()
        )),
        change: format!(
            "ALTER ROLE {role} {options}{};",
            changed_password.unwrap_or_default()
        ),
        what: format!("create or alter role {name}"),
    }
    .step())
}

/// Common table expressions ending with `password(matches)`: whether `password` (a
/// literal) is the password of the role named by the literal `role`, decided on the server
/// from its stored hash, which never leaves it: `md5` of the password and the name, or
/// SCRAM-SHA-256 (RFC 5802: PBKDF2 with HMAC-SHA-256 over the stored salt and iteration
/// count, then the stored and server keys compared), written in SQL with the server's own
/// `sha256` (PostgreSQL 11 and later), so no extension is needed. The password is taken as
/// UTF-8 bytes, which is what the server's SASLprep leaves of a password in ASCII (another
/// is compared as given: at worst set again on each run).
fn password_matches(role: &str, password: &str) -> String {
    format!(
        "k AS (SELECT split_part(rolpassword, '$', 2) AS params, split_part(rolpassword, '$', 3) AS keys
    FROM pg_authid WHERE rolname = {role} AND rolpassword LIKE 'SCRAM-SHA-256$%'),
  s AS (SELECT split_part(params, ':', 1)::int AS n, decode(split_part(params, ':', 2), 'base64') AS salt,
    decode(split_part(keys, ':', 1), 'base64') AS stored, decode(split_part(keys, ':', 2), 'base64') AS server FROM k),
  p AS (SELECT CASE WHEN length(w) > 64 THEN sha256(w) ELSE w END AS key FROM (SELECT convert_to({password}, 'UTF8') AS w) w),
  pad AS (SELECT decode(string_agg(lpad(to_hex(b # 54), 2, '0'), '' ORDER BY i), 'hex') AS ipad,
      decode(string_agg(lpad(to_hex(b # 92), 2, '0'), '' ORDER BY i), 'hex') AS opad
    FROM (SELECT i, CASE WHEN i < length(key) THEN get_byte(key, i) ELSE 0 END AS b FROM p, generate_series(0, 63) i) x),
  u(j, u, acc) AS (
    SELECT 1, h, ('x' || encode(h, 'hex'))::bit(256)
      FROM (SELECT sha256(opad || sha256(ipad || salt || decode('00000001', 'hex'))) AS h FROM pad, s) first
    UNION ALL
    SELECT j + 1, sha256(opad || sha256(ipad || u)),
        (acc # ('x' || encode(sha256(opad || sha256(ipad || u)), 'hex'))::bit(256))::bit(256)
      FROM u, pad, s WHERE j < n),
  salted AS (SELECT acc FROM u, s WHERE j = n),
  keypad AS (SELECT h, decode(string_agg(lpad(to_hex(substring(acc # x FROM c * 32 + 1 FOR 32)::int), 8, '0'), '' ORDER BY c), 'hex')
      || decode(repeat(h, 32), 'hex') AS pad
    FROM salted, (VALUES ('36', ('x' || repeat('36', 32))::bit(256)), ('5c', ('x' || repeat('5c', 32))::bit(256))) v(h, x),
      generate_series(0, 7) c GROUP BY h),
  hm AS (SELECT m, sha256((SELECT pad FROM keypad WHERE h = '5c') || sha256((SELECT pad FROM keypad WHERE h = '36') || convert_to(m, 'UTF8'))) AS mac
    FROM (VALUES ('Client Key'), ('Server Key')) v(m)),
  password(matches) AS (SELECT CASE WHEN rolpassword LIKE 'md5%' THEN rolpassword = 'md5' || md5({password} || rolname)
      ELSE (SELECT (SELECT sha256(mac) FROM hm WHERE m = 'Client Key') = stored AND (SELECT mac FROM hm WHERE m = 'Server Key') = server FROM s) END
    FROM pg_authid WHERE rolname = {role})"
    )
}
