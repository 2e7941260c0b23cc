//! json-transform: a kami-v1 tool in Rust with serde_json (Debian's packaged crates) and the
//! guest SDK's `kami.rs`.
//!
//! Input `{"action": "pick" | "flatten" | "count", "data": {...}, "keys": [...]}`:
//! - `pick`: the object with only the given `keys` (absent keys are skipped);
//! - `flatten`: nested objects become dotted keys (`{"a":{"b":1}}` -> `{"a.b":1}`), arrays
//!   are kept as values;
//! - `count`: `{"count": n}`, the number of keys of an object or elements of an array
//!   (1 for a scalar).
//! `data` may also be a string holding JSON. Bad input is a tool error with a clear message.

#[macro_use]
#[path = "../../../../kami-guest-sdk/rust/kami.rs"]
mod kami;

use serde_json::{Map, Value};

fn run(input: &str) -> Result<String, String> {
    let args: Value = serde_json::from_str(input).map_err(|e| format!("the input is not valid JSON: {}", e))?;
    let args = args.as_object().ok_or("the input must be a JSON object")?;
    let action = match args.get("action") {
        Some(Value::String(s)) => s.as_str(),
        Some(_) => return Err("'action' must be a string: pick, flatten or count".into()),
        None => return Err("missing argument 'action' (pick, flatten or count)".into()),
    };
    let data = match args.get("data") {
        None | Some(Value::Null) => return Err("missing argument 'data'".into()),
        Some(Value::String(s)) => serde_json::from_str::<Value>(s)
            .map_err(|e| format!("'data' is a string that is not valid JSON: {}", e))?,
        Some(v) => v.clone(),
    };
    let result = match action {
        "pick" => pick(&data, args.get("keys"))?,
        "flatten" => flatten(&data)?,
        "count" => count(&data),
        other => return Err(format!("unknown action '{}': expected pick, flatten or count", other)),
    };
    serde_json::to_string(&result).map_err(|e| e.to_string())
}

fn pick(data: &Value, keys: Option<&Value>) -> Result<Value, String> {
    let obj = data.as_object().ok_or("'pick' needs 'data' to be an object")?;
    let keys = match keys {
        Some(Value::Array(k)) => k,
        Some(_) => return Err("'keys' must be an array of strings".into()),
        None => return Err("the 'pick' action needs 'keys', an array of strings".into()),
    };
    let mut out = Map::new();
    for k in keys {
        let k = k.as_str().ok_or("'keys' must be an array of strings")?;
        if let Some(v) = obj.get(k) {
            out.insert(k.to_string(), v.clone());
        }
    }
    Ok(Value::Object(out))
}

fn flatten(data: &Value) -> Result<Value, String> {
    let obj = data.as_object().ok_or("'flatten' needs 'data' to be an object")?;
    let mut out = Map::new();
    flatten_into("", obj, &mut out);
    Ok(Value::Object(out))
}

fn flatten_into(prefix: &str, obj: &Map<String, Value>, out: &mut Map<String, Value>) {
    for (k, v) in obj {
        let key = if prefix.is_empty() { k.clone() } else { format!("{}.{}", prefix, k) };
        match v {
            Value::Object(inner) if !inner.is_empty() => flatten_into(&key, inner, out),
            other => {
                out.insert(key, other.clone());
            }
        }
    }
}

fn count(data: &Value) -> Value {
    let n = match data {
        Value::Object(o) => o.len(),
        Value::Array(a) => a.len(),
        _ => 1,
    };
    serde_json::json!({ "count": n })
}

kami_tool!(run);
