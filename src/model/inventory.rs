//! The inventory model as written: hosts, groups and variables, before groups are resolved.

use crate::source::Spanned;

use super::value::Table;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct InventoryFile {
    /// Variables for every host.
    pub vars: Table,
    /// Secret variables for every host: like `vars`, never shown.
    pub secrets: Table,
    pub hosts: Vec<HostDecl>,
    pub groups: Vec<GroupDecl>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct HostDecl {
    pub name: Spanned<String>,
    pub address: Option<Spanned<String>>,
    pub port: Option<Spanned<i64>>,
    pub user: Option<Spanned<String>>,
    /// `ssh` (default for hosts with an address), `local`, `docker`, `podman`, `chroot`.
    pub connector: Option<Spanned<String>>,
    pub vars: Table,
    pub secrets: Table,
}

#[derive(Clone, Debug, PartialEq)]
pub struct GroupDecl {
    pub name: Spanned<String>,
    pub hosts: Vec<Spanned<String>>,
    /// Groups nested in this one: their hosts are members too, and their vars win.
    pub children: Vec<Spanned<String>>,
    pub vars: Table,
    pub secrets: Table,
}
