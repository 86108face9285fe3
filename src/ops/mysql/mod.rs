//! MySQL and MariaDB: users, databases and privileges, through the `mysql` client as the
//! running user (root's socket authentication) on the host (`steps::sql`, the runtime's
//! `k_sql`).

pub(super) mod database;
pub(super) mod privileges;
pub(super) mod user;
