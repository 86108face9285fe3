//! Network facts: interfaces with their addresses (`ip -o addr`, else `ifconfig -a` and
//! `/proc/net/if_inet6`), and the IPv4 default route (`/proc/net/route`).

use std::net::{Ipv4Addr, Ipv6Addr};

use serde_json::{Map, Value, json};

use crate::facts::output::{Output, Section};

/// An interface's addresses, in the order the source lists them.
#[derive(Default)]
struct Addresses {
    ipv4: Vec<Value>,
    ipv6: Vec<Value>,
}

/// Interface names in the order first seen, with their addresses.
#[derive(Default)]
struct Interfaces(Vec<(String, Addresses)>);

impl Interfaces {
    fn add(&mut self, name: &str, v6: bool, address: &str, prefix: u32) {
        // `eth0@if12`, a veth's peer: the interface is `eth0`.
        let name = name.split('@').next().unwrap_or(name);
        let at = match self.0.iter().position(|(n, _)| n == name) {
            Some(at) => at,
            None => {
                self.0.push((name.to_owned(), Addresses::default()));
                self.0.len() - 1
            }
        };
        let entry = json!({ "address": address, "prefix": prefix });
        let list = if v6 {
            &mut self.0[at].1.ipv6
        } else {
            &mut self.0[at].1.ipv4
        };
        if !list.contains(&entry) {
            list.push(entry);
        }
    }
}

/// A parser of one source's list of addresses.
type Parser = fn(&Section<'_>, &mut Interfaces);

/// `net.interfaces`, when a section lists addresses.
pub(super) fn interfaces(output: &Output<'_>) -> Option<Value> {
    let mut found = false;
    let mut interfaces = Interfaces::default();
    // `ifconfig` first: `/proc/net/if_inet6` only adds the IPv6 addresses it lacks.
    let parsers: [(&str, Parser); 3] = [("ip", ip), ("ifconfig", ifconfig), ("if_inet6", if_inet6)];
    for (source, parse) in parsers {
        for section in output
            .sections("net.addresses")
            .filter(|s| s.source == source)
        {
            found = true;
            parse(section, &mut interfaces);
        }
    }
    let map: Map<String, Value> = interfaces
        .0
        .into_iter()
        .map(|(name, a)| (name, json!({ "ipv4": a.ipv4, "ipv6": a.ipv6 })))
        .collect();
    found.then_some(Value::Object(map))
}

/// `2: eth0    inet 10.0.0.5/24 brd ... scope global eth0\ ...`, as iproute2 and busybox
/// print `ip -o addr`.
fn ip(section: &Section<'_>, interfaces: &mut Interfaces) {
    for line in &section.lines {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [_, name, family, cidr, ..] = fields[..] else {
            continue;
        };
        let v6 = match family {
            "inet" => false,
            "inet6" => true,
            _ => continue,
        };
        if let Some((address, prefix)) = cidr.split_once('/')
            && let Ok(prefix) = prefix.parse()
        {
            interfaces.add(name, v6, address, prefix);
        }
    }
}

/// `ifconfig -a`, as net-tools 2 (`inet 10.0.0.5  netmask 255.255.255.0`, `inet6 fe80::1
/// prefixlen 64`) and net-tools 1 or busybox (`inet addr:10.0.0.5 ... Mask:255.255.255.0`,
/// `inet6 addr: fe80::1/64 Scope:Link`) print it: an unindented line names an interface.
fn ifconfig(section: &Section<'_>, interfaces: &mut Interfaces) {
    let mut name = String::new();
    for line in &section.lines {
        if !line.starts_with([' ', '\t']) {
            if let Some(first) = line.split_whitespace().next() {
                name = first.trim_end_matches(':').to_owned();
            }
            continue;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        // `key:VALUE`, or `key` then the value in the next field (`netmask M`, `addr: A`).
        let value_after = |key: &str| {
            fields
                .iter()
                .enumerate()
                .find_map(|(i, f)| match f.strip_prefix(key)? {
                    "" => fields.get(i + 1).copied(),
                    value => Some(value),
                })
        };
        match fields.first() {
            Some(&"inet") => {
                let address = value_after("addr:").or_else(|| fields.get(1).copied());
                let mask = value_after("Mask:").or_else(|| value_after("netmask"));
                if let (Some(address), Some(mask)) = (address, mask)
                    && let Ok(mask) = mask.parse::<Ipv4Addr>()
                {
                    interfaces.add(&name, false, address, u32::from(mask).count_ones());
                }
            }
            Some(&"inet6") => {
                let cidr = value_after("addr:").or_else(|| fields.get(1).copied());
                let Some(cidr) = cidr else { continue };
                let (address, prefix) = match cidr.split_once('/') {
                    Some((a, p)) => (a, p.parse().ok()),
                    None => (cidr, value_after("prefixlen").and_then(|p| p.parse().ok())),
                };
                if let Some(prefix) = prefix {
                    interfaces.add(&name, true, address, prefix);
                }
            }
            _ => {}
        }
    }
}

/// `/proc/net/if_inet6`: `fe800000000000000000000000000001 02 40 20 80 lo` (the address in
/// hex, index, prefix in hex, scope, flags, name).
fn if_inet6(section: &Section<'_>, interfaces: &mut Interfaces) {
    for line in &section.lines {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [hex, _, prefix, _, _, name] = fields[..] else {
            continue;
        };
        if let (Ok(address), Ok(prefix)) = (
            u128::from_str_radix(hex, 16),
            u32::from_str_radix(prefix, 16),
        ) {
            interfaces.add(name, true, &Ipv6Addr::from(address).to_string(), prefix);
        }
    }
}

/// `net.default`: the IPv4 default route of lowest metric in `/proc/net/route` (columns
/// `Iface Destination Gateway Flags RefCnt Use Metric Mask`, addresses in the host's
/// byte order, little-endian on the hosts kiln targets), and its interface's first
/// IPv4 address.
pub(super) fn default_route(output: &Output<'_>, interfaces: Option<&Value>) -> Option<Value> {
    let section = output.sections("net.routes").next()?;
    let (interface, gateway) = section
        .lines
        .iter()
        .skip(1)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let [iface, destination, gateway, _, _, _, metric, mask, ..] = fields[..] else {
                return None;
            };
            let metric: u64 = metric.parse().ok()?;
            let gateway = u32::from_str_radix(gateway, 16).ok()?;
            (destination == "00000000" && mask == "00000000").then_some((metric, iface, gateway))
        })
        .min_by_key(|(metric, _, _)| *metric)
        .map(|(_, iface, gateway)| (iface, Ipv4Addr::from(gateway.to_le_bytes())))?;
    let address = interfaces
        .and_then(|i| i[interface]["ipv4"][0]["address"].as_str())
        .map_or(Value::Null, Value::from);
    Some(json!({
        "interface": interface,
        "gateway": gateway.to_string(),
        "address": address,
    }))
}
