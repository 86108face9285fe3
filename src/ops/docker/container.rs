//! `docker.container`: a container made from an image with a configuration, like Ansible's
//! `community.docker.docker_container` for the arguments it has (the same meaning, and
//! the same names but `container` for `name` and `ports` for `published_ports`: `command`,
//! `volumes`, `env`, `restart_policy`, `networks` by name, `labels`, `state`).
//!
//! Recreated only when it must be: the hash of its configuration (every argument but
//! `state` and `cli`) is kept in its label `kiln.config-hash`, and the probe compares it,
//! and the id of the image it runs with the id `image` names now, in one `inspect` each.
//! A change of either removes the container and makes it again (docker cannot change a
//! container's configuration in place); a matching one is only started or stopped. What
//! is compared is what kiln asked for, not what docker reports (which adds the image's
//! environment, default ports, ...), so a container changed by hand with the same label
//! is not noticed.
//!
//! The environment may hold secrets: it never goes into an argument list (where `ps`
//! shows it) but into the step's data, which the runtime writes to a private file for
//! `--env-file`. Its values are in the hash; a hash shows no value.

use sha2::{Digest, Sha256};

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::opdef::prelude::*;
use crate::opdef::{ArgValue, LowerInput, OpArgs, Step};
use crate::runtime::call::{self, Container};
use crate::source::Span;

pub(crate) const DEF: OpDef = OpDef::new(
    "docker.container",
    "Ensure a docker (or podman) container runs an image with a configuration (recreated only when the image or the configuration changed), or is stopped, or absent.",
    Network::when(
        "unless `state` is `absent` (its image is pulled when missing)",
        |args, _| args.str("state") != Some("absent"),
        "a bundle cannot know the host's images: load the image from a file the script carries (`docker load`) and leave this op out of the bundle (`--skip-tags`)",
    ),
    lower,
)
.main_arg("container")
.args(&[
    arg("container", Str, "The container's name.").required(),
    arg("image", Str, "The image it runs (`nginx:1.27`); pulled by the CLI when missing. Required unless `state` is `absent`."),
    arg("command", STR_LIST, "The command and its arguments, one word each (`[\"sleep\", \"infinity\"]`); by default the image's."),
    arg("ports", STR_LIST, "Published ports, as `docker run -p` takes them: `[IP:]HOST:CONTAINER[/PROTOCOL]` (`127.0.0.1:8080:80`, `53:53/udp`)."),
    arg("volumes", STR_LIST, "Mounts, as `docker run -v` takes them: `SOURCE:DEST[:OPTIONS]`, SOURCE a host path or a named volume (`/srv/app/app.conf:/etc/app.conf:ro`, `data:/var/lib/app`)."),
    arg("env", STR_MAP, "Environment variables. Passed in a private file (`--env-file`), never on a command line; a value is one line."),
    arg("restart_policy", Enum(&["no", "on-failure", "always", "unless-stopped"]), "What the daemon does when the container exits; by default `no`."),
    arg("networks", STR_LIST, "Networks it is connected to, by name (`docker.network`); by default the CLI's default network."),
    arg("labels", STR_MAP, "Labels on the container (`kiln.config-hash` is kiln's own)."),
    arg("state", Enum(&["started", "stopped", "present", "absent"]), "`started`: exists and runs; `stopped`: exists and does not run; `present`: exists, running or not (a new one is made, not started); `absent`: does not exist.").default(Default::Str("started")),
    super::CLI,
])
.validate(validate);

/// The label that holds the hash of the configuration (written by the runtime).
const HASH_LABEL: &str = "kiln.config-hash";

fn validate(args: &OpArgs, diagnostics: &mut Diagnostics) {
    super::validate_name(args, "container", diagnostics);
    let absent = args.get("state").and_then(|s| s.value.as_str()) == Some("absent");
    if !absent
        && !args.contains("image")
        && let Some(name) = args.get("container")
    {
        diagnostics.push(no_image(name.span));
    }
    if let Some(ports) = args.get("ports").and_then(|p| p.value.as_list()) {
        for port in ports {
            if let Some(text) = port.value.as_str()
                && !text.contains("{{")
                && !is_port(text)
            {
                diagnostics.push(bad_port(port.span, text));
            }
        }
    }
}

fn no_image(span: Span) -> Diagnostic {
    Diagnostic::new(Code::MissingArgument, span, "a container needs an `image`")
        .label("this container has none")
        .help("add `image = \"...\"`, or `state = \"absent\"` to remove the container")
}

/// Whether `spec` is a `-p` argument: `[IP:][HOST:]CONTAINER[/PROTOCOL]`, each port a
/// number or a range, the IP one of digits, `.`, `:` and brackets (IPv6).
fn is_port(spec: &str) -> bool {
    let (ports, protocol) = spec.split_once('/').unwrap_or((spec, "tcp"));
    let is_range = |part: &str| {
        !part.is_empty()
            && part
                .split('-')
                .all(|n| n.parse::<u16>().is_ok_and(|n| n > 0))
    };
    let mut parts = ports.rsplitn(3, ':');
    let container = parts.next().unwrap_or_default();
    let host = parts.next();
    let ip = parts.next();
    matches!(protocol, "tcp" | "udp" | "sctp")
        && is_range(container)
        && host.is_none_or(|h| h.is_empty() || is_range(h))
        && ip.is_none_or(|ip| {
            ip.chars()
                .all(|c| c.is_ascii_hexdigit() || matches!(c, '.' | ':' | '[' | ']'))
        })
}

fn bad_port(span: Span, spec: &str) -> Diagnostic {
    Diagnostic::new(
        Code::InvalidValue,
        span,
        format!("`{spec}` is not a published port"),
    )
    .label("not `[IP:]HOST:CONTAINER[/PROTOCOL]`")
    .help("e.g. `8080:80`, `127.0.0.1:8080:80` or `53:53/udp`")
}

/// One call of `k_docker_container` (`src/runtime/containers.sh`): the create options,
/// image and command as words, the environment as the step's data, and the hash of all of
/// it.
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    let name = super::object_name(input, "container")?;
    let state = input.str("state");
    let image = match input.args.str("image") {
        Some(image) => super::image::reference(input.span("image"), image)?,
        None if state == "absent" => "",
        None => return Err(no_image(input.span("container"))),
    };
    for (port, span) in list(input, "ports") {
        if !is_port(port) {
            return Err(bad_port(span, port));
        }
    }
    for (network, span) in list(input, "networks") {
        if !super::is_object_name(network) {
            return Err(super::bad_name(span, network));
        }
    }
    if let Some((_, _, span)) = table(input, "labels")
        .into_iter()
        .find(|(key, ..)| *key == HASH_LABEL)
    {
        return Err(Diagnostic::new(
            Code::InvalidValue,
            span,
            format!("`{HASH_LABEL}` is kiln's label"),
        )
        .label("it holds the hash of the container's configuration")
        .help("give the label another name"));
    }
    let env = env_file(input)?;
    let create = create_words(input, image);
    let hash = config_hash(&create, &env);
    let data = if env.is_empty() {
        crate::shell::Sh::new()
    } else {
        call::content(env.as_bytes())
    };
    Ok(Step {
        call: Some(call::docker_container(&Container {
            cli: input.str("cli"),
            name,
            image,
            hash: &hash,
            state,
            env_file: !env.is_empty(),
            create: &create,
        })),
        verify: true,
        data,
        ..Step::default()
    })
}

/// A list argument's strings with where each was written.
fn list<'a>(input: &'a LowerInput, name: &str) -> Vec<(&'a str, Span)> {
    input
        .args
        .get(name)
        .and_then(|v| v.value.as_list())
        .unwrap_or_default()
        .iter()
        .filter_map(|item| Some((item.value.as_str()?, item.span)))
        .collect()
}

/// A table argument's entries, in the order written.
fn table<'a>(input: &'a LowerInput, name: &str) -> Vec<(&'a str, &'a str, Span)> {
    match input.args.get(name).map(|v| &v.value) {
        Some(ArgValue::Map(entries)) => entries
            .iter()
            .map(|(key, value)| {
                let text = value.value.as_str().unwrap_or_default();
                (key.value.as_str(), text, key.span)
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// What `--env-file` reads: `NAME=value` lines (the file has no quoting: a value is the
/// rest of its line, so it cannot hold a line break, and a name cannot hold `=`).
fn env_file(input: &LowerInput) -> Result<String, Diagnostic> {
    let mut file = String::new();
    for (name, value, span) in table(input, "env") {
        if name.is_empty() || name.contains(['=', '\n', '\r']) || value.contains(['\n', '\r', '\0'])
        {
            return Err(Diagnostic::new(
                Code::InvalidValue,
                span,
                format!("`{name}` cannot be passed in an environment file"),
            )
            .label("an empty name, one with `=`, or a value with a line break")
            .help(
                "a value is one line; put a multi-line one in a file and mount it with `volumes`",
            ));
        }
        file.push_str(&format!("{name}={value}\n"));
    }
    Ok(file)
}

/// What `CLI create --name NAME --label HASH` is given after them: the options, the image,
/// the command.
fn create_words(input: &LowerInput, image: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut option = |flag: &str, value: &str| {
        words.push(flag.to_owned());
        words.push(value.to_owned());
    };
    if let Some(policy) = input.args.str("restart_policy") {
        option("--restart", policy);
    }
    for (port, _) in list(input, "ports") {
        option("--publish", port);
    }
    for (volume, _) in list(input, "volumes") {
        option("--volume", volume);
    }
    for (network, _) in list(input, "networks") {
        option("--network", network);
    }
    for (key, value, _) in table(input, "labels") {
        option("--label", &format!("{key}={value}"));
    }
    if !image.is_empty() {
        words.push(image.to_owned());
        words.extend(input.strings("command").into_iter().map(str::to_owned));
    }
    words
}

/// The hash of a container's configuration: the create words and the environment, each
/// word ended by a NUL (which no argument can hold), so no two configurations hash alike.
fn config_hash(create: &[String], env: &str) -> String {
    let mut hasher = Sha256::new();
    for word in create.iter().map(String::as_str).chain([env]) {
        hasher.update(word.as_bytes());
        hasher.update([0]);
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
