//! Group membership and variable precedence (see the module docs of `inventory`).

use std::collections::{HashMap, HashSet};

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::model::{GroupDecl, HostDecl, InventoryFile, Table};
use crate::source::Spanned;

use super::{ExtraVar, Host, HostVar, Inventory, SECRETS_FILE, Target};

pub(super) fn resolve(
    files: Vec<InventoryFile>,
    targets: Vec<(String, Target)>,
    extra_vars: &[ExtraVar],
    diagnostics: &mut Diagnostics,
) -> Inventory {
    let mut all_vars: Table = Vec::new();
    let mut all_secrets: Table = Vec::new();
    let mut hosts: Vec<HostDecl> = Vec::new();
    let mut groups: Vec<GroupDecl> = Vec::new();
    for file in files {
        all_vars.extend(file.vars);
        all_secrets.extend(file.secrets);
        for host in file.hosts {
            match hosts.iter().find(|h| h.name.value == host.name.value) {
                Some(first) => diagnostics.push(duplicate("host", &host.name, first.name.span)),
                None => hosts.push(host),
            }
        }
        for group in file.groups {
            match groups.iter().find(|g| g.name.value == group.name.value) {
                Some(first) => diagnostics.push(duplicate("group", &group.name, first.name.span)),
                None => groups.push(group),
            }
        }
    }

    let order = group_order(&groups, diagnostics);
    let members = memberships(&groups, &hosts, diagnostics);

    let mut resolved: Vec<Host> = hosts
        .iter()
        .map(|decl| {
            let mut vars: Vec<HostVar> = Vec::new();
            merge(&mut vars, &all_vars, &all_secrets, "inventory");
            let mut host_groups = vec!["all".to_owned()];
            for &g in &order {
                let group = &groups[g];
                if members[g].contains(decl.name.value.as_str()) {
                    merge(
                        &mut vars,
                        &group.vars,
                        &group.secrets,
                        &format!("group {}", group.name.value),
                    );
                    host_groups.push(group.name.value.clone());
                }
            }
            merge(&mut vars, &decl.vars, &decl.secrets, "host");
            merge_extra(&mut vars, extra_vars);
            Host {
                name: decl.name.value.clone(),
                target: host_target(decl, diagnostics),
                groups: host_groups,
                vars,
            }
        })
        .collect();

    for (name, target) in targets {
        if resolved.iter().any(|h| h.name == name) {
            continue;
        }
        let mut vars = Vec::new();
        merge(&mut vars, &all_vars, &all_secrets, "inventory");
        merge_extra(&mut vars, extra_vars);
        resolved.push(Host {
            name,
            target,
            groups: vec!["all".into()],
            vars,
        });
    }
    let mut group_names = vec!["all".to_owned()];
    group_names.extend(order.iter().map(|&g| groups[g].name.value.clone()));
    Inventory {
        hosts: resolved,
        groups: group_names,
    }
}

fn duplicate(what: &str, name: &Spanned<String>, first: crate::source::Span) -> Diagnostic {
    Diagnostic::new(
        Code::DuplicateId,
        name.span,
        format!("{what} `{}` is declared twice", name.value),
    )
    .label("declared again here")
    .with_label(first, "first declared here")
    .help(format!("merge the two {what} entries"))
}

fn host_target(decl: &HostDecl, diagnostics: &mut Diagnostics) -> Target {
    let address = decl
        .address
        .as_ref()
        .map_or(&decl.name.value, |a| &a.value)
        .clone();
    let connector = decl.connector.as_ref().map_or("ssh", |c| c.value.as_str());
    let user = decl.user.as_ref().map(|u| u.value.clone());
    match connector {
        "local" => {
            if let Some(user) = &decl.user {
                diagnostics.push(
                    Diagnostic::new(
                        Code::InvalidValue,
                        user.span,
                        "the local connector runs as the user running kiln",
                    )
                    .label("a user cannot be chosen here")
                    .help("to run ops as another user, give them `sudo_user` (or `su_user`)"),
                );
            }
            Target::Local
        }
        "docker" => Target::Docker {
            container: address,
            user,
        },
        "podman" => Target::Podman {
            container: address,
            user,
        },
        "chroot" => Target::Chroot {
            path: address.into(),
            user,
        },
        other => {
            if other != "ssh"
                && let Some(c) = &decl.connector
            {
                let names = ["ssh", "local", "docker", "podman", "chroot"];
                let diagnostic = Diagnostic::new(
                    Code::InvalidValue,
                    c.span,
                    format!("unknown connector `{other}`"),
                )
                .label("not a connector");
                let diagnostic = match crate::diagnostic::did_you_mean(other, names) {
                    Some(best) => diagnostic.help(format!("did you mean `{best}`?")),
                    None => diagnostic
                        .help("connectors are `ssh`, `local`, `docker`, `podman` and `chroot`"),
                };
                diagnostics.push(diagnostic);
            }
            Target::Ssh {
                user,
                address,
                port: decl.port.as_ref().and_then(|p| u16::try_from(p.value).ok()),
            }
        }
    }
}

/// Groups in precedence order: a parent before its children, ties by name. Reports cycles
/// and unknown children.
fn group_order(groups: &[GroupDecl], diagnostics: &mut Diagnostics) -> Vec<usize> {
    let index: HashMap<&str, usize> = groups
        .iter()
        .enumerate()
        .map(|(i, g)| (g.name.value.as_str(), i))
        .collect();
    let mut depth = vec![0usize; groups.len()];
    for (i, group) in groups.iter().enumerate() {
        for child in &group.children {
            if !index.contains_key(child.value.as_str()) {
                let diagnostic = Diagnostic::new(
                    Code::UnknownGroup,
                    child.span,
                    format!("no group `{}`", child.value),
                )
                .label("unknown group");
                diagnostics.push(diagnostic.suggest(&child.value, index.keys().copied()));
            }
        }
        // Depth = longest chain of parents; a chain longer than the group count is a cycle.
        let mut stack = vec![(i, 0usize)];
        let mut visited = HashSet::new();
        while let Some((g, d)) = stack.pop() {
            if d > groups.len() {
                break;
            }
            depth[g] = depth[g].max(d);
            if !visited.insert((g, d)) {
                continue;
            }
            for child in &groups[g].children {
                if let Some(&c) = index.get(child.value.as_str()) {
                    if c == i {
                        diagnostics.push(
                            Diagnostic::new(
                                Code::GroupCycle,
                                child.span,
                                format!("group `{}` contains itself", group.name.value),
                            )
                            .label("closes the cycle")
                            .with_label(group.name.span, "this group")
                            .help("remove one of the `children` entries"),
                        );
                        continue;
                    }
                    stack.push((c, d + 1));
                }
            }
        }
    }
    let mut order: Vec<usize> = (0..groups.len()).collect();
    order.sort_by(|&a, &b| {
        depth[a]
            .cmp(&depth[b])
            .then_with(|| groups[a].name.value.cmp(&groups[b].name.value))
    });
    order
}

/// For each group, the names of its hosts, its children's included. Reports unknown hosts.
fn memberships<'a>(
    groups: &'a [GroupDecl],
    hosts: &[HostDecl],
    diagnostics: &mut Diagnostics,
) -> Vec<HashSet<&'a str>> {
    let index: HashMap<&str, usize> = groups
        .iter()
        .enumerate()
        .map(|(i, g)| (g.name.value.as_str(), i))
        .collect();
    for group in groups {
        for host in &group.hosts {
            if !hosts.iter().any(|h| h.name.value == host.value) {
                let diagnostic = Diagnostic::new(
                    Code::UnknownHost,
                    host.span,
                    format!("no host `{}`", host.value),
                )
                .label("not declared under `hosts`");
                diagnostics.push(
                    diagnostic.suggest(&host.value, hosts.iter().map(|h| h.name.value.as_str())),
                );
            }
        }
    }
    (0..groups.len())
        .map(|start| {
            let mut members = HashSet::new();
            let mut seen = HashSet::new();
            let mut stack = vec![start];
            while let Some(g) = stack.pop() {
                if !seen.insert(g) {
                    continue;
                }
                members.extend(groups[g].hosts.iter().map(|h| h.value.as_str()));
                stack.extend(
                    groups[g]
                        .children
                        .iter()
                        .filter_map(|c| index.get(c.value.as_str()).copied()),
                );
            }
            members
        })
        .collect()
}

/// One level's `vars` and `secrets` on top of the levels below.
fn merge(vars: &mut Vec<HostVar>, plain: &Table, secrets: &Table, origin: &str) {
    for (table, secret) in [(plain, false), (secrets, true)] {
        for (key, value) in table {
            set(
                vars,
                HostVar {
                    name: key.value.clone(),
                    value: value.value.clone(),
                    span: Some(value.span),
                    origin: origin.to_owned(),
                    secret,
                },
            );
        }
    }
}

fn merge_extra(vars: &mut Vec<HostVar>, extra: &[ExtraVar]) {
    for var in extra {
        set(
            vars,
            HostVar {
                name: var.name.clone(),
                value: var.value.clone(),
                span: None,
                origin: if var.secret { SECRETS_FILE } else { "-e" }.into(),
                secret: var.secret,
            },
        );
    }
}

/// A higher level's value replaces a lower one's; once secret, a variable stays secret.
fn set(vars: &mut Vec<HostVar>, mut var: HostVar) {
    match vars.iter_mut().find(|v| v.name == var.name) {
        Some(existing) => {
            var.secret |= existing.secret;
            *existing = var;
        }
        None => vars.push(var),
    }
}
