//! `ufw.rule`: a UFW rule added, or deleted, as Ansible's `community.general.ufw` with
//! `rule` does (its `to_port` is `port` here, its `from_ip` and `to_ip` keep their names).
//!
//! The rule is written in UFW's extended syntax, one word per value (`ufw allow in on eth0
//! from any to any port 22 proto tcp comment 'ssh'`), and the runtime's `k_ufw_rule` asks
//! `ufw --dry-run` whether UFW already has it: a rule with another comment is another rule
//! (UFW updates the comment, and so does the op). Where Ansible deletes with `delete:
//! true`, so does kiln. A rule that denies the SSH port kiln connects through is a warning
//! in the plan (`bind::lockout`).

use crate::diagnostic::{Code, Diagnostic};
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::runtime::call;
use crate::steps::values::{not_an_option, one_line};

pub(crate) const DEF: OpDef = OpDef::new(
    "ufw.rule",
    "Ensure a UFW rule (allow, deny, reject or limit) is added, or deleted.",
    Network::Never,
    lower,
)
.main_arg("rule")
.args(&[
    arg("rule", Enum(&["allow", "deny", "reject", "limit"]), "What the rule does with the traffic it matches (`limit`: allow, but deny an address that opens 6 connections in 30 seconds).").required(),
    arg("port", Str, "The destination port, a range (`8000:8010`) or a list (`80,443`); a range or a list needs `proto`."),
    arg("proto", Enum(&["any", "tcp", "udp", "ipv6", "esp", "ah", "gre", "igmp"]), "The protocol."),
    arg("from_ip", Str, "The source address or network (`10.0.0.0/8`).").default(Default::Str("any")),
    arg("from_port", Str, "The source port."),
    arg("to_ip", Str, "The destination address or network.").default(Default::Str("any")),
    arg("direction", Enum(&["in", "out", "incoming", "outgoing"]), "The traffic's direction (`incoming` is `in`, `outgoing` `out`); UFW's default is `in`."),
    arg("interface", Str, "The network interface the traffic comes in (or goes out) on."),
    arg("comment", Str, "A comment kept with the rule (`ufw status` shows it)."),
    arg("delete", Bool, "Delete the rule instead of adding it.").default(Default::Bool(false)),
]);

/// The words after `ufw`: the rule in UFW's extended syntax.
fn rule_words(input: &LowerInput) -> Result<Vec<String>, Diagnostic> {
    let mut words = vec![input.str("rule").to_owned()];
    match input.args.str("direction") {
        Some("in" | "incoming") => words.push("in".to_owned()),
        Some(_) => words.push("out".to_owned()),
        None => {}
    }
    if let Some(interface) = input.args.str("interface") {
        word(input, "interface", interface)?;
        words.extend(["on".to_owned(), interface.to_owned()]);
    }
    for (ip, port) in [("from_ip", "from_port"), ("to_ip", "port")] {
        let address = input.str(ip);
        word(input, ip, address)?;
        words.extend([ip.trim_end_matches("_ip").to_owned(), address.to_owned()]);
        if let Some(value) = input.args.str(port) {
            word(input, port, value)?;
            words.extend(["port".to_owned(), value.to_owned()]);
        }
    }
    if let Some(proto) = input.args.str("proto") {
        words.extend(["proto".to_owned(), proto.to_owned()]);
    }
    if let Some(comment) = input.args.str("comment") {
        one_line(input, "comment", comment)?;
        if comment.contains(['\'', '"']) {
            return Err(Diagnostic::new(
                Code::InvalidValue,
                input.span("comment"),
                "UFW refuses a comment with quotes",
            )
            .label("a `'` or `\"`")
            .help("write the comment without quotes (`ufw` reads it as one quoted word)"));
        }
        words.extend(["comment".to_owned(), comment.to_owned()]);
    }
    Ok(words)
}

/// Refuses a value UFW would read as something else: empty, an option, or more than one
/// word of its grammar.
fn word(input: &LowerInput, name: &str, value: &str) -> Result<(), Diagnostic> {
    not_an_option(input, name, value)?;
    if value.is_empty() || value.contains(char::is_whitespace) {
        return Err(Diagnostic::new(
            Code::InvalidValue,
            input.span(name),
            format!("`{value}` is not one word of a UFW rule"),
        )
        .label("empty, or with blanks")
        .help(
            "write one address, port or interface, e.g. `10.0.0.0/8`, `22`, `8000:8010` or `eth0`",
        ));
    }
    Ok(())
}

fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    Ok(Step {
        call: Some(call::ufw_rule(&rule_words(input)?, input.flag("delete"))),
        verify: true,
        ..Step::default()
    })
}
