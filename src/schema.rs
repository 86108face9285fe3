//! JSON Schemas for TOML manifests and inventories, derived from the op catalog.
//!
//! Editors (Taplo, Even Better TOML) use them for completion and inline validation. The
//! committed copies in `schemas/` are checked against this code by a test.

use serde_json::{Map, Value, json};

use crate::check::globals::INHERITABLE;
use crate::opdef::{ArgDef, ArgType, Default, OpDef};
use crate::ops::CATALOG;
use crate::ops::globals::GLOBAL_ARGS;

const DRAFT: &str = "https://json-schema.org/draft/2020-12/schema";

/// The schema of a TOML manifest.
pub fn manifest() -> Value {
    let mut defs = Map::new();
    for def in CATALOG {
        defs.insert(def.name.to_owned(), op_schema(def));
    }
    defs.insert("user-op".into(), user_op_schema());
    defs.insert("include".into(), include_schema());
    let mut entries: Vec<Value> = vec![json!({ "$ref": "#/$defs/include" })];
    entries.extend(
        CATALOG
            .iter()
            .map(|d| json!({ "$ref": format!("#/$defs/{}", d.name) })),
    );
    entries.push(json!({ "$ref": "#/$defs/user-op" }));
    let ops: Vec<Value> = entries[1..].to_vec();
    json!({
        "$schema": DRAFT,
        "title": "kiln manifest",
        "description": "Desired state of hosts: variables, operations in order, handlers and user-defined operations.",
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "vars": { "type": "object", "description": "Variable defaults, overridden by the inventory and -e." },
            "secrets": { "type": "object", "description": "Secret variable defaults, as `vars`: their values, and values made from them, are never shown." },
            "op": { "type": "array", "description": "Operations and includes, run in the order written.", "items": { "anyOf": entries } },
            "handler": {
                "type": "array",
                "description": "Operations run once at the end, only when an op that changed notifies them by id.",
                "items": { "allOf": [ { "required": ["id"] }, { "anyOf": ops } ] },
            },
            "define": define_schema(),
            "facts": facts_schema(),
        },
        "$defs": defs,
    })
}

/// Ops declared with `define`: any `module.op` that is not a built-in's name.
fn user_op_schema() -> Value {
    let builtin_names: Vec<&str> = CATALOG.iter().map(|d| d.name).collect();
    json!({
        "description": "An operation declared with `define` in this manifest or an included one.",
        "type": "object",
        "properties": { "op": { "type": "string", "pattern": "^[^.]+\\..+$", "not": { "enum": builtin_names } } },
        "required": ["op"],
    })
}

/// An `include` entry of the op list: the file, its variables, the inheritable globals.
fn include_schema() -> Value {
    let mut include_props = Map::new();
    include_props.insert("include".into(), json!({ "type": "string", "description": "A manifest file, or a directory with a main.toml / main.kdl, relative to this file." }));
    include_props.insert(
        "vars".into(),
        json!({ "type": "object", "description": "Variables for the included ops." }),
    );
    include_props.insert(
        "secrets".into(),
        json!({ "type": "object", "description": "Secret variables for the included ops: never shown." }),
    );
    for arg in GLOBAL_ARGS.iter().filter(|a| INHERITABLE.contains(&a.name)) {
        include_props.insert(arg.name.into(), arg_schema(arg));
    }
    loop_schemas(&mut include_props);
    json!({ "type": "object", "properties": include_props, "required": ["include"], "additionalProperties": false })
}

/// `[facts.NAME]`: custom facts.
fn facts_schema() -> Value {
    json!({
        "type": "object",
        "description": "Custom facts, gathered with the built-in ones and seen as `facts.custom.NAME`.",
        "propertyNames": { "pattern": "^[a-z_][a-z0-9_]*$" },
        "additionalProperties": {
            "type": "object",
            "additionalProperties": false,
            "required": ["command"],
            "properties": {
                "command": { "type": "string", "description": "Shell run on the host; its output is the fact." },
                "parse": { "enum": crate::facts::PARSE_KINDS, "description": "How its output becomes the value (default `raw`)." },
                "pattern": { "type": "string", "description": "For `parse = \"regex\"`: group 1 of the first match, else the whole match." },
            },
        },
    })
}

/// A `define`: a user-defined operation.
fn define_schema() -> Value {
    json!({
        "type": "array",
        "description": "User-defined operations.",
        "items": {
            "type": "object",
            "additionalProperties": false,
            "required": ["op", "apply"],
            "properties": {
                "op": { "type": "string", "description": "The new op's `module.op` name." },
                "summary": { "type": "string" },
                "params": { "type": "object", "additionalProperties": {
                    "anyOf": [
                        { "type": "string" },
                        { "type": "object", "additionalProperties": false, "properties": {
                            "type": { "enum": ["string", "bool", "int", "path", "mode", "duration", "url", "list", "map"] },
                            "required": { "type": "boolean" },
                            "default": {},
                            "doc": { "type": "string" },
                        } },
                    ],
                } },
                "probe": { "type": "string", "description": "Shell that succeeds when the desired state holds." },
                "apply": { "type": "string", "description": "Shell that makes it hold." },
            },
        },
    })
}

/// The schema of a TOML inventory.
pub fn inventory() -> Value {
    json!({
        "$schema": DRAFT,
        "title": "kiln inventory",
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "vars": { "type": "object", "description": "Variables for every host." },
            "secrets": { "type": "object", "description": "Secret variables for every host: never shown." },
            "hosts": { "type": "object", "additionalProperties": {
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "address": { "type": "string", "description": "Host name or IP (ssh), container name (docker/podman) or root path (chroot). Defaults to the host's name." },
                    "port": { "type": "integer", "minimum": 1, "maximum": 65535 },
                    "user": { "type": "string" },
                    "connector": { "enum": ["ssh", "local", "docker", "podman", "chroot"], "default": "ssh" },
                    "vars": { "type": "object" },
                    "secrets": { "type": "object" },
                },
            } },
            "groups": { "type": "object", "additionalProperties": {
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "hosts": { "type": "array", "items": { "type": "string" } },
                    "children": { "type": "array", "items": { "type": "string" }, "description": "Nested groups: their hosts are members, their vars win." },
                    "vars": { "type": "object" },
                    "secrets": { "type": "object" },
                },
            } },
        },
    })
}

fn op_schema(def: &OpDef) -> Value {
    let mut properties = Map::new();
    properties.insert("op".into(), json!({ "const": def.name }));
    let mut required = vec![json!("op")];
    for arg in def.args {
        properties.insert(arg.name.into(), arg_schema(arg));
        if arg.required {
            required.push(json!(arg.name));
        }
    }
    for arg in GLOBAL_ARGS {
        properties.insert(arg.name.into(), arg_schema(arg));
    }
    loop_schemas(&mut properties);
    json!({
        "type": "object",
        "description": def.summary,
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    })
}

/// `loop`, `loop_var` and `loop_label`, which ops and includes take.
fn loop_schemas(properties: &mut Map<String, Value>) {
    for (name, _, doc) in crate::check::loops::LOOP_ARG_DOCS {
        let mut schema = match name {
            "loop" => json!({ "anyOf": [
                { "type": "array" },
                { "type": "object" },
                { "type": "string", "pattern": "^\\s*\\{\\{.*\\}\\}\\s*$" },
            ] }),
            "loop_var" => json!({ "type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$" }),
            _ => json!({ "type": "string" }),
        };
        schema["description"] = json!(doc);
        properties.insert(name.into(), schema);
    }
}

fn arg_schema(arg: &ArgDef) -> Value {
    let mut schema = type_schema(&arg.ty);
    if let Value::Object(map) = &mut schema {
        map.insert("description".into(), json!(arg.doc));
        if let Some(default) = arg.default {
            map.insert(
                "default".into(),
                match default {
                    Default::Bool(b) => json!(b),
                    Default::Int(i) => json!(i),
                    Default::Str(s) => json!(s),
                },
            );
        }
    }
    schema
}

fn type_schema(ty: &ArgType) -> Value {
    match ty {
        ArgType::Str | ArgType::Shell | ArgType::Regex | ArgType::LocalPath => {
            json!({ "type": "string" })
        }
        ArgType::Bool => json!({ "type": "boolean" }),
        ArgType::Int { min, max } => {
            let mut schema = json!({ "type": "integer" });
            if *min != i64::MIN {
                schema["minimum"] = json!(min);
            }
            if *max != i64::MAX {
                schema["maximum"] = json!(max);
            }
            schema
        }
        ArgType::Mode => {
            json!({ "type": "string", "pattern": "^([0-7]{3,4}|([ugoa]*[-+=][rwxXst]*)(,[ugoa]*[-+=][rwxXst]*)*|.*\\{\\{.*)$" })
        }
        ArgType::Path => json!({ "type": "string", "pattern": "^(/|.*\\{\\{)" }),
        ArgType::Duration => json!({ "anyOf": [
            { "type": "integer", "minimum": 0 },
            { "type": "string", "pattern": "^([0-9]+[smhd])+$|^[0-9]+$" },
        ] }),
        ArgType::Enum(words) => json!({ "enum": words }),
        ArgType::List(inner) => {
            json!({ "anyOf": [ type_schema(inner), { "type": "array", "items": type_schema(inner) } ] })
        }
        ArgType::Map(inner) => {
            json!({ "type": "object", "additionalProperties": type_schema(inner) })
        }
        ArgType::Url => json!({ "type": "string", "pattern": "^(https?|ftp)://|\\{\\{" }),
        ArgType::Sha256 => json!({ "type": "string", "pattern": "^[0-9a-fA-F]{64}$|\\{\\{" }),
        ArgType::Account => json!({ "type": ["string", "integer"] }),
        ArgType::PasswordHash => json!({
            "type": "string",
            "pattern": "^!{0,2}(\\*|\\$(1|2[aby]|5|6|7|y|gy)\\$.+)?$|\\{\\{",
        }),
    }
}
