//! Whether an op's script reaches the network from the host: a required part of every
//! op's definition ([`super::OpDef::new`] takes it), so an op cannot be added without
//! deciding it, and the decision sits next to the op it is about.
//!
//! `kiln bundle` reads it (`bundle::offline`) to refuse, at the op, what would need a
//! network that a bundle's host has not; `docs/ops.md` shows it for every op. "Reaches the
//! network" means the script itself fetches or connects at run time (a download, a pull,
//! a clone, a keyserver, a package index refreshed from its sources); writing a
//! configuration that names a remote place, for later, does not.

use super::{OpArgs, OpDef};

/// Whether an op's script, with its arguments as bound for a host, reaches the network.
#[derive(Clone, Copy, Debug)]
pub enum Network {
    /// Never: what the script needs is in it, or on the host.
    Never,
    /// It installs from (or refreshes) the system package manager's sources: a bundle
    /// carries apt's packages with it and its `run` makes them apt's only source, and it
    /// refuses the other managers' installs (`bundle::packages`).
    PackageSources,
    /// With the arguments [`Reach::when`] describes.
    Reaches(Reach),
}

/// When an op reaches the network, and what to write instead for a host with none.
#[derive(Clone, Copy, Debug)]
pub struct Reach {
    /// When, as the docs and a refusal say it: "always", "with `url`".
    pub when: &'static str,
    /// Whether these bound arguments make the script reach the network.
    pub test: fn(&OpArgs, &OpDef) -> bool,
    /// What does the same with no network on the host (a refusal's help).
    pub instead: &'static str,
}

impl Network {
    /// Reaches the network whatever its arguments.
    pub const fn always(instead: &'static str) -> Self {
        Network::Reaches(Reach {
            when: "always",
            test: |_, _| true,
            instead,
        })
    }

    /// Reaches the network when `test` says so of the bound arguments, as `when` says.
    pub const fn when(
        when: &'static str,
        test: fn(&OpArgs, &OpDef) -> bool,
        instead: &'static str,
    ) -> Self {
        Network::Reaches(Reach {
            when,
            test,
            instead,
        })
    }

    /// How `docs/ops.md` says it.
    pub fn describe(&self) -> String {
        match self {
            Network::Never => "never".into(),
            Network::PackageSources => {
                "from the package manager's sources (a bundle's own, for apt)".into()
            }
            Network::Reaches(reach) => reach.when.into(),
        }
    }
}

/// The common tests of [`Network::when`].
pub(crate) mod reaches {
    use super::{OpArgs, OpDef};

    /// The op installs (its `present`, `true` by default): removing needs no network.
    pub(crate) fn when_present(args: &OpArgs, def: &OpDef) -> bool {
        args.flag(def, "present")
    }

    /// The op downloads its file from `url` (rather than carrying `src`).
    pub(crate) fn with_url(args: &OpArgs, _: &OpDef) -> bool {
        args.contains("url")
    }

    /// `name` is given an `http(s)://` URL (rather than a path on the host).
    pub(crate) fn is_url(args: &OpArgs, name: &str) -> bool {
        args.str(name)
            .is_some_and(|value| value.starts_with("https://") || value.starts_with("http://"))
    }
}
