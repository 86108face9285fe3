//! The system's surveyed facts: virtualization, mounts, disks, and the versions of
//! OpenSSH and Python.

use serde_json::{Map, Value, json};

use crate::facts::output::Section;

/// The `type` and `kind` of systemd-detect-virt's identifiers that name containers; every
/// other identifier but `none` names a hypervisor.
const CONTAINERS: &[&str] = &[
    "openvz",
    "lxc",
    "lxc-libvirt",
    "systemd-nspawn",
    "docker",
    "podman",
    "rkt",
    "wsl",
    "proot",
    "pouch",
    "container-other",
];

/// `(type, kind)` from the `virt` section: `detect=ID` (systemd-detect-virt's verdict),
/// else the evidence lines, read as Ansible's virtual facts read them.
pub(super) fn virt(section: &Section<'_>) -> (String, &'static str) {
    let ty = section
        .lines
        .iter()
        .find_map(|l| l.strip_prefix("detect="))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .unwrap_or_else(|| evidence(&section.lines).to_owned());
    let kind = if ty == "none" {
        "none"
    } else if CONTAINERS.contains(&ty.as_str()) {
        "container"
    } else {
        "vm"
    };
    (ty, kind)
}

fn evidence(lines: &[&str]) -> &'static str {
    let has = |line: &str| lines.contains(&line);
    let cgroup = |word: &str| {
        lines
            .iter()
            .filter_map(|l| l.strip_prefix("cgroup="))
            .any(|l| l.contains(word))
    };
    if has("dockerenv") || cgroup("/docker") {
        "docker"
    } else if has("containerenv") || cgroup("/libpod") {
        "podman"
    } else if cgroup("/lxc") {
        "lxc"
    } else if cgroup("kubepods") {
        "container-other"
    } else if has("hypervisor") {
        "vm-other"
    } else {
        "none"
    }
}

/// `/proc/mounts`: device, mount point, type, options; `\040`-style escapes undone.
pub(super) fn mounts(section: &Section<'_>) -> Value {
    let mounts = section.lines.iter().filter_map(|line| {
        let mut fields = line.split_whitespace();
        let (device, mount, fstype, options) = (
            fields.next()?,
            fields.next()?,
            fields.next()?,
            fields.next()?,
        );
        Some(json!({
            "mount": unescape(mount),
            "device": unescape(device),
            "fstype": fstype,
            "options": options.split(',').collect::<Vec<_>>(),
        }))
    });
    Value::Array(mounts.collect())
}

/// The kernel's octal escapes of `/proc/mounts` (`\040` for a space).
fn unescape(field: &str) -> String {
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let octal = bytes
            .get(i + 1..i + 4)
            .filter(|d| d.iter().all(|b| (b'0'..=b'7').contains(b)));
        match (bytes[i], octal) {
            (b'\\', Some(digits)) => {
                let value = digits.iter().fold(0u32, |n, d| n * 8 + u32::from(d - b'0'));
                out.push(u8::try_from(value).unwrap_or(b'?'));
                i += 4;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `NAME SECTORS` lines (512-byte sectors, as `/sys/block/*/size` counts them).
pub(super) fn disks(section: &Section<'_>) -> Value {
    let mut disks = Map::new();
    for line in &section.lines {
        let Some((name, sectors)) = line.split_once(' ') else {
            continue;
        };
        let Ok(sectors) = sectors.trim().parse::<u64>() else {
            continue;
        };
        disks.insert(name.to_owned(), json!({ "size_mb": sectors / 2048 }));
    }
    Value::Object(disks)
}

/// The version after `prefix` on the section's first line that has it, up to a space or
/// a comma (`OpenSSH_9.2p1 Debian-2, OpenSSL 3.0.15` is `9.2p1`; Windows' build says
/// `OpenSSH_for_Windows_8.1p1`).
pub(super) fn version(section: &Section<'_>, prefix: &str) -> Option<String> {
    section.lines.iter().find_map(|line| {
        let rest = &line[line.find(prefix)? + prefix.len()..];
        let rest = rest.strip_prefix("for_Windows_").unwrap_or(rest);
        let version = rest.split([' ', ',']).next()?;
        (!version.is_empty()).then(|| version.to_owned())
    })
}
