//! Filters of lists and maps: `combine`, `dict2items`, `items2dict`, `flatten`, `union`,
//! `difference`, `intersect`, `symmetric_difference`, as Ansible's `core.py` and
//! `mathstuff.py` compute them.
//!
//! One difference, on purpose: Ansible's set filters go through a Python `set`, whose order
//! changes from run to run for strings; kiln keeps the order of first appearance, so a
//! rendered file does not change between runs (sort the result where the order matters).

use minijinja::value::{Kwargs, Value};
use minijinja::{Environment, Error};
use serde_json::{Map, Value as Json};

use super::invalid;

pub(super) fn add(env: &mut Environment<'static>) {
    env.add_filter("combine", combine);
    env.add_filter("dict2items", dict2items);
    env.add_filter("items2dict", items2dict);
    env.add_filter("flatten", flatten);
    env.add_filter("union", |a: Value, b: Value| {
        set_op(&a, &b, |a, b| a.iter().chain(b).cloned().collect())
    });
    env.add_filter("difference", |a: Value, b: Value| {
        set_op(&a, &b, |a, b| {
            a.iter().filter(|x| !b.contains(x)).cloned().collect()
        })
    });
    env.add_filter("intersect", |a: Value, b: Value| {
        set_op(&a, &b, |a, b| {
            a.iter().filter(|x| b.contains(x)).cloned().collect()
        })
    });
    env.add_filter("symmetric_difference", |a: Value, b: Value| {
        set_op(&a, &b, |a, b| {
            let left = a.iter().filter(|x| !b.contains(x));
            left.chain(b.iter().filter(|x| !a.contains(x)))
                .cloned()
                .collect()
        })
    });
}

/// A template value as JSON data (what these filters work on).
pub(super) fn json(value: &Value) -> Result<Json, Error> {
    if value.is_undefined() {
        return Err(invalid("the value is undefined"));
    }
    serde_json::to_value(value).map_err(|error| invalid(error.to_string()))
}

fn list(value: &Value, filter: &str) -> Result<Vec<Json>, Error> {
    match json(value)? {
        Json::Array(items) => Ok(items),
        other => Err(invalid(format!("{filter} requires a list, got {other}"))),
    }
}

/// `a` and `b` as lists, `op` applied, each item once, in order of first appearance.
fn set_op(a: &Value, b: &Value, op: fn(&[Json], &[Json]) -> Vec<Json>) -> Result<Value, Error> {
    let (a, b) = (list(a, "a set filter")?, list(b, "a set filter")?);
    let mut out: Vec<Json> = Vec::new();
    for item in op(&a, &b) {
        if !out.contains(&item) {
            out.push(item);
        }
    }
    Ok(Value::from(minijinja::value::Serde(&out)))
}

/// How `combine` merges two lists found at the same key.
#[derive(Clone, Copy)]
enum ListMerge {
    Replace,
    Keep,
    Append,
    Prepend,
    AppendRp,
    PrependRp,
}

/// Ansible's `combine`: maps merged left to right, later keys winning (in place, so a key
/// keeps its first position); with `recursive=true` maps inside are merged too; `list_merge`
/// says what to do with two lists.
fn combine(first: Value, rest: &[Value], kwargs: Kwargs) -> Result<Value, Error> {
    let recursive: bool = kwargs.get::<Option<bool>>("recursive")?.unwrap_or(false);
    let list_merge = match kwargs
        .get::<Option<&str>>("list_merge")?
        .unwrap_or("replace")
    {
        "replace" => ListMerge::Replace,
        "keep" => ListMerge::Keep,
        "append" => ListMerge::Append,
        "prepend" => ListMerge::Prepend,
        "append_rp" => ListMerge::AppendRp,
        "prepend_rp" => ListMerge::PrependRp,
        other => {
            return Err(invalid(format!(
                "combine: list_merge is replace, keep, append, prepend, append_rp or prepend_rp, not `{other}`"
            )));
        }
    };
    kwargs.assert_all_used()?;
    // `[a, b] | combine` as well as `a | combine(b)`: one level of lists is flattened.
    let mut maps = Vec::new();
    for term in std::iter::once(&first).chain(rest) {
        match json(term)? {
            Json::Array(items) => maps.extend(items),
            other => maps.push(other),
        }
    }
    let mut merged = Map::new();
    for map in maps {
        let Json::Object(map) = map else {
            return Err(invalid(format!("combine requires maps, got {map}")));
        };
        merge(&mut merged, map, recursive, list_merge);
    }
    Ok(Value::from(minijinja::value::Serde(&merged)))
}

/// Ansible's `merge_hash(x, y)`, into `x`.
fn merge(x: &mut Map<String, Json>, y: Map<String, Json>, recursive: bool, lists: ListMerge) {
    for (key, new) in y {
        let merged = match (x.get_mut(&key), new) {
            (Some(Json::Object(old)), Json::Object(new)) if recursive => {
                merge(old, new, recursive, lists);
                continue;
            }
            (Some(Json::Array(old)), Json::Array(new)) => merge_lists(old, new, lists),
            (_, new) => new,
        };
        x.insert(key, merged);
    }
}

fn merge_lists(old: &[Json], new: Vec<Json>, how: ListMerge) -> Json {
    let without = |from: &[Json], these: &[Json]| -> Vec<Json> {
        from.iter()
            .filter(|x| !these.contains(x))
            .cloned()
            .collect()
    };
    Json::Array(match how {
        ListMerge::Replace => new,
        ListMerge::Keep => old.to_vec(),
        ListMerge::Append => [old.to_vec(), new].concat(),
        ListMerge::Prepend => [new, old.to_vec()].concat(),
        ListMerge::AppendRp => [without(old, &new), new].concat(),
        ListMerge::PrependRp => {
            let rest = without(old, &new);
            [new, rest].concat()
        }
    })
}

fn names(kwargs: &Kwargs) -> Result<(String, String), Error> {
    let key = kwargs
        .get::<Option<String>>("key_name")?
        .unwrap_or_else(|| "key".to_owned());
    let value = kwargs
        .get::<Option<String>>("value_name")?
        .unwrap_or_else(|| "value".to_owned());
    kwargs.assert_all_used()?;
    Ok((key, value))
}

/// `{a: 1}` to `[{key: a, value: 1}]`.
fn dict2items(map: Value, kwargs: Kwargs) -> Result<Value, Error> {
    let (key_name, value_name) = names(&kwargs)?;
    let Json::Object(map) = json(&map)? else {
        return Err(invalid("dict2items requires a map"));
    };
    let items: Vec<Json> = map
        .into_iter()
        .map(|(k, v)| {
            Json::Object(Map::from_iter([
                (key_name.clone(), Json::String(k)),
                (value_name.clone(), v),
            ]))
        })
        .collect();
    Ok(Value::from(minijinja::value::Serde(&items)))
}

/// `[{key: a, value: 1}]` to `{a: 1}`.
fn items2dict(items: Value, kwargs: Kwargs) -> Result<Value, Error> {
    let (key_name, value_name) = names(&kwargs)?;
    let mut map = Map::new();
    for item in list(&items, "items2dict")? {
        let (Some(key), Some(value)) = (item.get(&key_name), item.get(&value_name)) else {
            return Err(invalid(format!(
                "items2dict requires each item to have the keys `{key_name}` and `{value_name}`, got {item}"
            )));
        };
        let key = key.as_str().map_or_else(|| key.to_string(), str::to_owned);
        map.insert(key, value.clone());
    }
    Ok(Value::from(minijinja::value::Serde(&map)))
}

/// Ansible's `flatten`: nested lists spliced in (`levels` deep, all when not given), null
/// items (`none`, `'None'`, `'null'`) left out unless `skip_nulls=false`.
fn flatten(items: Value, levels: Option<u32>, kwargs: Kwargs) -> Result<Value, Error> {
    let skip_nulls = kwargs.get::<Option<bool>>("skip_nulls")?.unwrap_or(true);
    let levels = match levels {
        Some(levels) => Some(levels),
        None => kwargs.get::<Option<u32>>("levels")?,
    };
    kwargs.assert_all_used()?;
    let mut out = Vec::new();
    flatten_into(list(&items, "flatten")?, levels, skip_nulls, &mut out);
    Ok(Value::from(minijinja::value::Serde(&out)))
}

fn flatten_into(items: Vec<Json>, levels: Option<u32>, skip_nulls: bool, out: &mut Vec<Json>) {
    for item in items {
        let null = matches!(&item, Json::Null) || matches!(item.as_str(), Some("None" | "null"));
        match item {
            _ if skip_nulls && null => {}
            Json::Array(inner) if levels != Some(0) => {
                flatten_into(inner, levels.map(|l| l - 1), skip_nulls, out);
            }
            other => out.push(other),
        }
    }
}
