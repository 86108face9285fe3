//! `mysql.user`: an account (`'user'@'host'`) and its password, like Ansible's
//! `community.mysql.mysql_user` without its `priv` (privileges are `mysql.privileges`,
//! so that each op has one probe and one change).

use crate::diagnostic::Diagnostic;
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::steps::sql::{Dialect, SqlStep, no_nul};

pub(crate) const DEF: OpDef = OpDef::new(
    "mysql.user",
    "Ensure a MySQL or MariaDB account exists with the given password, or is absent (through the `mysql` client).",
    Network::Never,
    lower,
)
.main_arg("user")
.args(&[
    arg("user", Str, "The user name.").required(),
    arg("host", Str, "The host part of the account (`localhost`, `%`, `10.0.2.%`).").default(Default::Str("localhost")),
    arg("present", Bool, "Whether the account should exist.").default(Default::Bool(true)),
    arg("password", Str, "The password, in plain text (make it a secret: it is masked in scripts and reports, and reaches `mysql` on its standard input only). Set with `IDENTIFIED BY`, the server's default authentication plugin.").secret(),
    arg("update_password", Enum(&["always", "on_create"]), "`always`: the password is compared on every run (MariaDB's `PASSWORD()` against the stored `mysql_native_password` hash, on the server) and set when it differs; `on_create`: set only when the account is created. MySQL 8 has no `PASSWORD()`: use `on_create` there.").default(Default::Str("always")),
])
.rules(&[Rule::Requires("update_password", "password")])
.hints(&[(
    "priv",
    "privileges are an op of their own in kiln: `mysql.privileges`, next to this one",
)]);

/// The probe prints `user`, then `password=ok|differs` when the password is compared;
/// nothing for a missing account. `CREATE USER`, `ALTER USER ... IDENTIFIED BY` or
/// `DROP USER`.
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    no_nul(input, &["user", "host", "password"])?;
    let sql = Dialect::Mysql;
    let (user, host) = (input.str("user"), input.str("host"));
    let account = format!("{}@{}", sql.literal(user), sql.literal(host));
    let from = format!(
        "FROM mysql.user WHERE User = {} AND Host = {}",
        sql.literal(user),
        sql.literal(host)
    );
    if !input.flag("present") {
        return Ok(SqlStep::dropped(
            sql,
            format!("SELECT 'user' {from};"),
            format!("DROP USER {account};"),
            format!("drop user {user}@{host}"),
        ));
    }
    let password = input.args.str("password").map(|p| sql.literal(p));
    let compared = password
        .as_ref()
        .filter(|_| input.str("update_password") == "always");
    let (probe, want) = match compared {
        Some(password) => (
            format!(
                "SELECT CONCAT('user password=', IF(authentication_string = PASSWORD({password}), 'ok', 'differs')) {from};"
            ),
            "user password=ok",
        ),
        None => (format!("SELECT 'user' {from};"), "user"),
    };
    let identified = password
        .as_ref()
        .map(|p| format!(" IDENTIFIED BY {p}"))
        .unwrap_or_default();
    Ok(SqlStep {
        dialect: sql,
        database: "",
        probe,
        want: want.to_owned(),
        create: Some(format!("CREATE USER {account}{identified};")),
        change: format!("ALTER USER {account}{identified};"),
        what: format!("create user {user}@{host}, or set its password"),
    }
    .step())
}
