//! The firewall lockout check: a run must never cut the SSH connection it runs through
//! (issue 15's rule), nor the next run's.
//!
//! Per host, on its firewall ops bound to it (templates rendered, `when` decided: an op skipped on the host
//! counts for nothing), with the host's SSH port (`Target::ssh_port`: the inventory's
//! `port`, else 22, which is also what an emitted script is checked with):
//!
//! - enabling a firewall is an error (`kiln::firewall-lockout`, at the op) unless something
//!   in the same host's manifest accepts the port, or the op says `force = true`:
//!   `ufw.enabled` needs a `ufw.rule` that allows (or limits) incoming TCP to the port;
//!   an `nftables.ruleset` whose input chain's policy is `drop` needs an `accept` for the
//!   port in the ruleset itself;
//! - a `ufw.rule` that denies or rejects incoming traffic to the port, and a
//!   `firewalld.service` (`ssh`, for 22) or `firewalld.port` that disables it, is a warning
//!   (`kiln::firewall-denies-ssh`), which plans print.
//!
//! The ruleset check is textual, on the ruleset's text (`content`, or `src` rendered): a
//! line with `hook input` and `policy drop` drops by default, and a line with `dport`, the
//! port (or `ssh` for 22) as a word and `accept` accepts it. It cannot see a port accepted
//! through a set or a jump, nor one dropped by a rule under an `accept` policy: such a
//! ruleset needs `force = true`, or may lock out.

use crate::check::{OpKind, TypedOp};
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::inventory::Host;
use crate::opdef::{LowerInput, OpArgs};
use crate::source::SourceMap;

use super::BoundOp;

/// Whether the lockout check reads `op`: a firewall op (the ops that run on the host are
/// bound again for it, `project`).
pub fn concerns(op: &TypedOp) -> bool {
    matches!(&op.kind, OpKind::Builtin(def)
        if def.module() == "ufw" || def.module() == "firewalld" || def.name == "nftables.ruleset")
}

/// Reports the ops of `ops`, bound to `host`, that would lock the controller out of it;
/// false when one would (an error).
pub fn check(
    sources: &SourceMap,
    host: &Host,
    ops: &[BoundOp],
    diagnostics: &mut Diagnostics,
) -> bool {
    let port = host.target.ssh_port();
    let mut safe = true;
    let ops: Vec<(&str, &BoundOp)> = ops
        .iter()
        .filter(|op| op.skip.is_none())
        .filter_map(|op| match &op.op.kind {
            OpKind::Builtin(def) => Some((def.name, op)),
            OpKind::User(_) => None,
        })
        .collect();
    let ufw_allows = ops
        .iter()
        .any(|(name, op)| *name == "ufw.rule" && ufw_rule_admits(&op.args, port));
    for (name, op) in &ops {
        let force = || op.args.get("force").and_then(|f| f.value.as_bool()) == Some(true);
        match *name {
            "ufw.enabled" if enables(&op.args) && !ufw_allows && !force() => {
                safe = false;
                diagnostics.push(lockout(op, port, "no `ufw.rule` allows it").help(format!(
                    "add `ufw.rule` with `rule = \"allow\"` (or `\"limit\"`), `port = \"{port}\"` and `proto = \"tcp\"` before this op, or write `force = true` when another way in is certain"
                )));
            }
            "nftables.ruleset" if !force() => {
                if let Some(ruleset) = ruleset(sources, op)
                    && nft_drops_input(&ruleset)
                    && !nft_accepts(&ruleset, port)
                {
                    safe = false;
                    diagnostics.push(
                        lockout(op, port, "its input policy is `drop`, and no rule accepts the port")
                            .help(format!("add `tcp dport {port} accept` to the input chain, or write `force = true` when another way in is certain (the check is textual: see `docs/manifest.md`)")),
                    );
                }
            }
            "ufw.rule" if ufw_rule_denies(&op.args, port) => {
                diagnostics.push(denies(op, port, host));
            }
            "firewalld.service" | "firewalld.port" if firewalld_closes(&op.args, port) => {
                diagnostics.push(denies(op, port, host));
            }
            _ => {}
        }
    }
    safe
}

/// The warning for an op that denies the SSH port.
fn denies(op: &BoundOp, port: u16, host: &Host) -> Diagnostic {
    Diagnostic::new(
        Code::FirewallDeniesSsh,
        op.op.origin,
        format!(
            "this rule denies port {port}, which kiln connects to {} through",
            host.name
        ),
    )
    .label("denies the SSH port")
    .help("make sure an earlier rule allows the controller's address, or deny another port")
}

fn lockout(op: &BoundOp, port: u16, why: &str) -> Diagnostic {
    Diagnostic::new(
        Code::FirewallLockout,
        op.op.origin,
        format!("this enables a firewall that would drop port {port}, which kiln connects through"),
    )
    .label(why.to_owned())
}

/// An `nftables.ruleset`'s text (its `src` rendered); none when it cannot be made, which
/// its lowering reports.
fn ruleset(sources: &SourceMap, op: &BoundOp) -> Option<String> {
    let OpKind::Builtin(def) = &op.op.kind else {
        return None;
    };
    crate::ops::nftables_ruleset(&LowerInput {
        def,
        args: &op.args,
        base_dir: sources.dir_of(op.op.origin.file),
        origin: op.op.origin,
        context: &op.context,
    })
    .ok()
}

fn enables(args: &OpArgs) -> bool {
    args.get("enabled").and_then(|e| e.value.as_bool()) != Some(false)
}

/// Whether a `ufw.rule` adds a rule for incoming TCP to `port`, of one of `rules`.
fn ufw_rule_matches(args: &OpArgs, port: u16, rules: &[&str]) -> bool {
    let arg = |name| args.str(name);
    args.get("delete").and_then(|d| d.value.as_bool()) != Some(true)
        && arg("rule").is_some_and(|rule| rules.contains(&rule))
        && matches!(arg("direction"), None | Some("in" | "incoming"))
        && matches!(arg("proto"), None | Some("any" | "tcp"))
        && arg("port").is_none_or(|ports| ports_cover(ports, port))
}

fn ufw_rule_admits(args: &OpArgs, port: u16) -> bool {
    ufw_rule_matches(args, port, &["allow", "limit"])
}

fn ufw_rule_denies(args: &OpArgs, port: u16) -> bool {
    ufw_rule_matches(args, port, &["deny", "reject"])
}

/// Whether a `firewalld.service` or `firewalld.port` disables the SSH port: the `ssh`
/// service (for port 22, the service's), or the port over TCP.
fn firewalld_closes(args: &OpArgs, port: u16) -> bool {
    let disabled = args.str("state") == Some("disabled");
    let ssh_service = port == 22 && args.str("service") == Some("ssh");
    let ssh_port = args
        .str("port")
        .and_then(|text| text.strip_suffix("/tcp"))
        .is_some_and(|ports| ports_cover(&ports.replace('-', ":"), port));
    disabled && (ssh_service || ssh_port)
}

/// Whether UFW's port list (`22`, `80,443`, `8000:8010`) covers `port`.
fn ports_cover(ports: &str, port: u16) -> bool {
    ports.split(',').any(|part| match part.split_once(':') {
        Some((low, high)) => match (low.trim().parse::<u16>(), high.trim().parse::<u16>()) {
            (Ok(low), Ok(high)) => (low..=high).contains(&port),
            _ => false,
        },
        None => part.trim().parse() == Ok(port),
    })
}

/// Whether a ruleset's input chain drops by default (see the module doc).
fn nft_drops_input(ruleset: &str) -> bool {
    ruleset
        .lines()
        .any(|line| line.contains("hook input") && line.contains("policy drop"))
}

/// Whether a line of the ruleset accepts `port` (see the module doc).
fn nft_accepts(ruleset: &str, port: u16) -> bool {
    let port = port.to_string();
    ruleset.lines().any(|line| {
        let words: Vec<&str> = line
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        words.contains(&"dport")
            && words.contains(&"accept")
            && (words.contains(&port.as_str()) || (port == "22" && words.contains(&"ssh")))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_are_covered_by_lists_and_ranges() {
        assert!(ports_cover("22", 22));
        assert!(ports_cover("80,22", 22));
        assert!(ports_cover("20:30", 22));
        assert!(!ports_cover("2222", 22));
        assert!(!ports_cover("23:30", 22));
    }

    #[test]
    fn a_ruleset_accepts_the_port_on_a_line_of_its_own() {
        let drop = "table inet f {\n  chain input {\n    type filter hook input priority 0; policy drop;\n";
        assert!(nft_drops_input(drop));
        assert!(!nft_accepts(drop, 22));
        assert!(nft_accepts(&format!("{drop}    tcp dport 22 accept\n"), 22));
        assert!(nft_accepts(
            &format!("{drop}    tcp dport {{ ssh, 80 }} accept\n"),
            22
        ));
        assert!(!nft_accepts(
            &format!("{drop}    tcp dport 22 accept\n"),
            2222
        ));
        assert!(!nft_accepts(
            &format!("{drop}    tcp dport 2222 drop\n"),
            2222
        ));
        assert!(!nft_drops_input(
            "chain input { type filter hook input priority 0; policy accept; }"
        ));
    }
}
