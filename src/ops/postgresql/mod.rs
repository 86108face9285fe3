//! PostgreSQL: roles, databases and privileges, through `psql` as the `postgres` user on the
//! host (`steps::sql`, the runtime's `k_sql`).

pub(super) mod database;
pub(super) mod privileges;
pub(super) mod role;
