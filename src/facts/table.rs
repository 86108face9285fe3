//! Every built-in fact: its path under `facts`, its type, which hosts have it, where it is
//! decided, and what the reference (`docs/facts.md`) says of it.
//!
//! Two kinds, by who computes the value. [`Kind::Host`] facts are printed by the probe's
//! first part (`gather.sh`) as one `key=value` line, computed in shell: an emitted script
//! runs that part on the host, so `when` can decide them there (`bind::when`) exactly as
//! kiln decides them with the parsed value. [`Kind::Surveyed`] facts are structured (lists,
//! maps) or need a process per host to find: the probe's second part (`survey.sh`) prints
//! its sources' raw output and kiln parses it ([`super::survey`]); scripts never gather
//! them, so a `when` over them is decided only where kiln has the host's facts.

/// The type of a host fact's value once parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FactType {
    Str,
    /// An integer (the probe prints it in decimal, without sign or leading zeros).
    Int,
    /// Comma-separated by the probe, a list of strings once parsed.
    List,
}

/// Who computes a fact.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// The probe, in shell, on the host: decidable by scripts.
    Host(FactType),
    /// kiln, from the raw output of the probe's sources; the value's shape, as the
    /// reference shows it.
    Surveyed(&'static str),
}

/// One built-in fact.
#[derive(Clone, Copy, Debug)]
pub struct Fact {
    /// Its dotted path under `facts`.
    pub path: &'static str,
    pub kind: Kind,
    /// Whether every host has it (others are absent where the host does not say).
    pub always: bool,
    /// What it is and where it comes from.
    pub about: &'static str,
    /// A value, as `kiln facts --json` shows it.
    pub example: &'static str,
}

const fn host(path: &'static str, ty: FactType, always: bool) -> Fact {
    Fact {
        path,
        kind: Kind::Host(ty),
        always,
        about: "",
        example: "",
    }
}

const fn surveyed(path: &'static str, shape: &'static str) -> Fact {
    Fact {
        path,
        kind: Kind::Surveyed(shape),
        always: false,
        about: "",
        example: "",
    }
}

impl Fact {
    const fn about(mut self, about: &'static str, example: &'static str) -> Fact {
        self.about = about;
        self.example = example;
        self
    }
}

use FactType::{Int, List, Str};

/// Every built-in fact, in the reference's order.
pub const FACTS: &[Fact] = &[
    host("os.id", Str, false).about("`ID` of `/etc/os-release`.", r#""ubuntu""#),
    host("os.id_like", Str, false).about("`ID_LIKE` of `/etc/os-release`.", r#""debian""#),
    host("os.version", Str, false).about("`VERSION_ID` of `/etc/os-release`.", r#""24.04""#),
    host("os.version_major", Int, false).about(
        "The digits of `VERSION_ID` before its first dot, as Ansible's `distribution_major_version` (rolling releases have none).",
        "24",
    ),
    host("os.version_minor", Int, false).about(
        "The digits of `VERSION_ID` after its first dot, where it has one.",
        "4",
    ),
    host("os.name", Str, false).about("`PRETTY_NAME` of `/etc/os-release`.", r#""Ubuntu 24.04.1 LTS""#),
    host("os.codename", Str, false).about("`VERSION_CODENAME` of `/etc/os-release`.", r#""noble""#),
    host("os.system", Str, true).about("The kernel's name (`uname -s`).", r#""Linux""#),
    host("os.family", Str, true).about(
        "As Ansible's `os_family`, lower case: `debian`, `redhat`, `alpine`, `arch`, `suse` (the first known among `ID` and `ID_LIKE`), else `darwin`, `freebsd`, or `ID`.",
        r#""debian""#,
    ),
    host("arch", Str, true).about("The machine (`uname -m`).", r#""x86_64""#),
    host("kernel", Str, true).about("The kernel's release (`uname -r`).", r#""6.8.0-45-generic""#),
    host("hostname", Str, true).about("The node name (`uname -n`).", r#""web1""#),
    host("user.name", Str, true).about("The user the probe runs as.", r#""deploy""#),
    host("user.uid", Int, true).about("That user's id.", "1000"),
    host("init.system", Str, true).about(
        "`systemd`, `openrc`, `sysvinit` or `unknown`, as the `service` op detects it.",
        r#""systemd""#,
    ),
    host("pkg.manager", Str, false).about(
        "`apt`, `dnf`, `yum`, `apk`, `pacman`, `zypper` or `brew`: the first installed, as the `package` op detects it.",
        r#""apt""#,
    ),
    host("users", List, false).about("The accounts of `/etc/passwd`.", r#"["root", "daemon"]"#),
    host("groups", List, false).about("The groups of `/etc/group`.", r#"["root", "adm"]"#),
    host("cpu.count", Int, false).about(
        "Online CPUs, counted from `/sys/devices/system/cpu/online`.",
        "4",
    ),
    host("memory.total_mb", Int, false).about("`MemTotal` of `/proc/meminfo`, in MiB.", "3911"),
    host("selinux.mode", Str, true).about(
        "`enforcing`, `permissive` or `disabled`, as `getenforce` says, from `/sys/fs/selinux/enforce`.",
        r#""enforcing""#,
    ),
    host("apparmor.status", Str, true).about(
        "`enabled` or `disabled`, from `/sys/module/apparmor/parameters/enabled`.",
        r#""enabled""#,
    ),
    surveyed("net.interfaces", "map: interface → `{ipv4, ipv6}`, lists of `{address, prefix}`").about(
        "Every interface that has an address, from `ip -o addr` (iproute2 or busybox), else `ifconfig -a` and `/proc/net/if_inet6`. A name's `@peer` suffix is dropped.",
        r#"{"eth0": {"ipv4": [{"address": "10.0.0.5", "prefix": 24}], "ipv6": []}}"#,
    ),
    surveyed("net.default", "map: `interface`, `gateway`, `address`").about(
        "The IPv4 default route (`/proc/net/route`, the lowest metric) and its interface's first IPv4 address.",
        r#"{"interface": "eth0", "gateway": "10.0.0.1", "address": "10.0.0.5"}"#,
    ),
    surveyed("virt.type", "string").about(
        "As `systemd-detect-virt` names it (`kvm`, `docker`, `podman`, `lxc`, `none`, ...); without it, from `/.dockerenv`, `/run/.containerenv`, `/proc/1/cgroup` and the CPU's `hypervisor` flag, as Ansible's virtual facts.",
        r#""kvm""#,
    ),
    surveyed("virt.kind", "string").about("`container`, `vm` or `none`.", r#""vm""#),
    surveyed("mounts", "list of `{mount, device, fstype, options}`").about(
        "`/proc/mounts`, escapes undone; `options` is a list.",
        r#"[{"mount": "/", "device": "/dev/vda1", "fstype": "ext4", "options": ["rw", "relatime"]}]"#,
    ),
    surveyed("disks", "map: block device → `{size_mb}`").about(
        "`/sys/block`, sizes in MiB.",
        r#"{"vda": {"size_mb": 20480}}"#,
    ),
    surveyed("packages", "map: package → list of versions").about(
        "Installed packages by the package manager's database: `dpkg-query` (apt), `rpm -qa` (dnf, yum, zypper), `apk info -v`, `pacman -Q`. A package installed for two architectures or in two versions (kernels) has two.",
        r#"{"openssh-server": ["1:9.6p1-3ubuntu13.5"]}"#,
    ),
    surveyed("services", "map: service → `{state, enabled}`").about(
        "systemd (`systemctl list-units` and `list-unit-files`; names without `.service`), OpenRC (`rc-status --all`: enabled when in a runlevel) or `/etc/init.d` (enabled when an `/etc/rc[2-5].d/S*` link starts it; state `unknown`). `state` is `running`, `stopped`, `failed` or `unknown`.",
        r#"{"ssh": {"state": "running", "enabled": true}}"#,
    ),
    surveyed("openssh.version", "string").about(
        "The OpenSSH client's version, from `ssh -V`.",
        r#""9.6p1""#,
    ),
    surveyed("python.version", "string").about(
        "`python3 -V`, else `python -V`.",
        r#""3.12.3""#,
    ),
];

/// The type of the host fact at `path`, and whether every host has it; `None` for a path
/// that is no host fact (a surveyed fact, a custom fact, nothing).
pub fn fact_type(path: &str) -> Option<(FactType, bool)> {
    FACTS
        .iter()
        .find(|f| f.path == path)
        .and_then(|f| match f.kind {
            Kind::Host(ty) => Some((ty, f.always)),
            Kind::Surveyed(_) => None,
        })
}

/// Why a script cannot decide `facts.PATH` on the host (PATH not a host fact).
pub fn not_on_host(path: &str) -> String {
    let surveyed = FACTS.iter().any(|f| {
        matches!(f.kind, Kind::Surveyed(_))
            && (path == f.path || path.starts_with(&format!("{}.", f.path)))
    });
    if surveyed {
        format!(
            "`facts.{path}` is gathered by kiln, not by the script on the host: it is decided only with the host's facts"
        )
    } else if path.starts_with("custom.") {
        format!(
            "`facts.{path}` is a custom fact, gathered by kiln, not by the script on the host: it is decided only with the host's facts"
        )
    } else {
        format!("`facts.{path}` is not a fact kiln gathers (`kiln facts` lists them)")
    }
}
