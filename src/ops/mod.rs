//! The operation catalog.
//!
//! Every built-in operation lives in `src/ops/<module>/<op>.rs` as one `const DEF: OpDef`
//! and its lowering next to it. [`CATALOG`] lists them all; nothing else in kiln enumerates
//! operations, so adding an op is adding one file, its `mod` line and one line here, which
//! `cargo xtask new-op module.op` writes (with a first fixture case; see CONTRIBUTING.md).

mod common;
pub(crate) mod globals;

mod apk;
mod apt;
mod brew;
mod cargo;
mod dnf;
mod docker;
mod files;
mod firewalld;
mod flatpak;
mod gem;
mod git;
mod mysql;
mod nftables;
mod npm;
mod openrc;
mod package;
mod pacman;
mod pip;
mod pipx;
mod postgresql;
mod rpm_family;
mod selinux;
mod server;
mod service;
mod snap;
mod ssh;
mod systemd;
mod sysvinit;
mod ufw;
mod yum;
mod zypper;

use crate::opdef::OpDef;

/// An `nftables.ruleset`'s text, which the lockout check reads (`bind::lockout`).
pub(crate) use nftables::ruleset::ruleset as nftables_ruleset;

/// All built-in operations, sorted by name (a test keeps it so).
pub(crate) static CATALOG: &[&OpDef] = &[
    &apk::packages::DEF,
    &apt::deb::DEF,
    &apt::key::DEF,
    &apt::packages::DEF,
    &apt::ppa::DEF,
    &apt::repo::DEF,
    &apt::sources::DEF,
    &apt::update::DEF,
    &apt::upgrade::DEF,
    &brew::packages::DEF,
    &cargo::packages::DEF,
    &dnf::key::DEF,
    &dnf::packages::DEF,
    &dnf::repo::DEF,
    &dnf::rpm::DEF,
    &docker::container::DEF,
    &docker::image::DEF,
    &docker::network::DEF,
    &docker::volume::DEF,
    &files::block::DEF,
    &files::directory::DEF,
    &files::download::DEF,
    &files::file::DEF,
    &files::get::DEF,
    &files::ini::DEF,
    &files::line::DEF,
    &files::link::DEF,
    &files::put::DEF,
    &files::replace::DEF,
    &files::sync::DEF,
    &files::template::DEF,
    &files::unarchive::DEF,
    &firewalld::port::DEF,
    &firewalld::service::DEF,
    &firewalld::zone::DEF,
    &flatpak::packages::DEF,
    &gem::packages::DEF,
    &git::config::DEF,
    &git::repo::DEF,
    &mysql::database::DEF,
    &mysql::privileges::DEF,
    &mysql::user::DEF,
    &nftables::ruleset::DEF,
    &npm::packages::DEF,
    &openrc::service::DEF,
    &package::packages::DEF,
    &pacman::packages::DEF,
    &pip::packages::DEF,
    &pipx::packages::DEF,
    &postgresql::database::DEF,
    &postgresql::privileges::DEF,
    &postgresql::role::DEF,
    &selinux::boolean::DEF,
    &selinux::fcontext::DEF,
    &selinux::state::DEF,
    &server::alternatives::DEF,
    &server::authorized_keys::DEF,
    &server::command::DEF,
    &server::crontab::DEF,
    &server::group::DEF,
    &server::hostname::DEF,
    &server::locale::DEF,
    &server::modprobe::DEF,
    &server::mount::DEF,
    &server::reboot::DEF,
    &server::script::DEF,
    &server::security_limits::DEF,
    &server::shell::DEF,
    &server::sudoers::DEF,
    &server::sysctl::DEF,
    &server::timezone::DEF,
    &server::user::DEF,
    &server::wait::DEF,
    &service::service::DEF,
    &snap::packages::DEF,
    &ssh::keygen::DEF,
    &ssh::known_hosts::DEF,
    &systemd::daemon_reload::DEF,
    &systemd::service::DEF,
    &systemd::unit::DEF,
    &sysvinit::service::DEF,
    &ufw::default::DEF,
    &ufw::enabled::DEF,
    &ufw::rule::DEF,
    &yum::key::DEF,
    &yum::packages::DEF,
    &yum::repo::DEF,
    &yum::rpm::DEF,
    &zypper::key::DEF,
    &zypper::packages::DEF,
    &zypper::repo::DEF,
    &zypper::rpm::DEF,
];

pub(crate) fn lookup(name: &str) -> Option<&'static OpDef> {
    CATALOG
        .binary_search_by(|def| def.name.cmp(name))
        .ok()
        .map(|i| CATALOG[i])
}

/// Whether the op needs a controller while it runs (`files.get` sends a file back to it),
/// which an emitted script has not.
pub(crate) fn needs_controller(def: &OpDef) -> bool {
    def.name == files::get::DEF.name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_is_sorted_and_unique() {
        for pair in CATALOG.windows(2) {
            assert!(
                pair[0].name < pair[1].name,
                "{} before {}",
                pair[0].name,
                pair[1].name
            );
        }
    }

    #[test]
    fn every_op_is_well_formed() {
        for def in CATALOG {
            assert!(def.name.contains('.'), "{} is module.op", def.name);
            if let Some(main) = def.main_arg {
                assert!(
                    def.arg(main).is_some(),
                    "{}: main_arg {main} is an argument",
                    def.name
                );
            }
            for arg in def.args {
                assert!(
                    globals::global_arg(arg.name).is_none(),
                    "{}: {} shadows a global argument",
                    def.name,
                    arg.name
                );
                assert!(!arg.doc.is_empty(), "{}.{} has docs", def.name, arg.name);
            }
        }
    }
}
