//! The JSON encoding of values, used by Terraform for stored state (`UpgradeResourceState`'s
//! `raw_state`) and in a few older paths. JSON cannot express unknown values.
//!
//! Numbers are read through `serde_json`, so integers beyond 64 bits and decimals beyond f64
//! precision lose digits in this encoding; the msgpack encoding keeps them exactly.

use std::collections::BTreeMap;

use serde_json::Value as J;

use super::codec::CodecError;
use super::diag::PathStep;
use super::value::{MAX_DEPTH, Number, Type, Value};

/// What to do with object attributes that the type does not have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Extra {
    /// Treat them as an error (values sent by Terraform for the current schema).
    Reject,
    /// Drop them (stored state written by an older provider with more attributes).
    Drop,
}

/// Decodes JSON bytes holding a value of type `ty`. Nesting deeper than serde_json's recursion
/// limit is an error, not a stack overflow.
pub fn decode(bytes: &[u8], ty: &Type, extra: Extra) -> Result<Value, CodecError> {
    let json: J = serde_json::from_slice(bytes)
        .map_err(|e| CodecError::new(&[], format!("invalid JSON: {e}")))?;
    let mut path = Vec::new();
    from_json(&json, ty, extra, &mut path, 0)
}

/// Encodes a wholly known value as JSON bytes.
pub fn encode(v: &Value, ty: &Type) -> Result<Vec<u8>, CodecError> {
    let mut path = Vec::new();
    Ok(to_json(v, ty, &mut path)?.to_string().into_bytes())
}

fn from_json(
    j: &J,
    ty: &Type,
    extra: Extra,
    path: &mut Vec<PathStep>,
    depth: usize,
) -> Result<Value, CodecError> {
    let err = |path: &[PathStep], msg: String| CodecError::new(path, msg);
    if depth > MAX_DEPTH {
        return Err(err(
            path,
            format!("value nested deeper than {MAX_DEPTH} levels"),
        ));
    }
    if j.is_null() {
        return Ok(Value::Null);
    }
    let expected =
        |what: &str| CodecError::new(path, format!("expected {what}, found {}", json_kind(j)));
    match ty {
        Type::Bool => j.as_bool().map(Value::Bool).ok_or_else(|| expected("bool")),
        Type::String => j
            .as_str()
            .map(Value::string)
            .ok_or_else(|| expected("string")),
        Type::Number => match j {
            J::Number(n) => n
                .to_string()
                .parse::<Number>()
                .map(Value::Number)
                .map_err(|e| err(path, e)),
            // Terraform accepts numbers written as strings in state.
            J::String(s) => s
                .parse::<Number>()
                .map(Value::Number)
                .map_err(|e| err(path, e)),
            _ => Err(expected("number")),
        },
        Type::List(et) | Type::Set(et) => {
            let arr = j.as_array().ok_or_else(|| expected("array"))?;
            let mut items = Vec::with_capacity(arr.len());
            for (i, item) in arr.iter().enumerate() {
                path.push(PathStep::Index(i as i64));
                items.push(from_json(item, et, extra, path, depth + 1)?);
                path.pop();
            }
            Ok(if matches!(ty, Type::Set(_)) {
                Value::Set(items)
            } else {
                Value::List(items)
            })
        }
        Type::Tuple(ets) => {
            let arr = j.as_array().ok_or_else(|| expected("array"))?;
            if arr.len() != ets.len() {
                return Err(err(
                    path,
                    format!("tuple needs {} elements, found {}", ets.len(), arr.len()),
                ));
            }
            let mut items = Vec::with_capacity(arr.len());
            for (i, (item, et)) in arr.iter().zip(ets).enumerate() {
                path.push(PathStep::Index(i as i64));
                items.push(from_json(item, et, extra, path, depth + 1)?);
                path.pop();
            }
            Ok(Value::Tuple(items))
        }
        Type::Map(et) => {
            let obj = j.as_object().ok_or_else(|| expected("object"))?;
            let mut m = BTreeMap::new();
            for (k, item) in obj {
                path.push(PathStep::Key(k.clone()));
                m.insert(k.clone(), from_json(item, et, extra, path, depth + 1)?);
                path.pop();
            }
            Ok(Value::Map(m))
        }
        Type::Object(attrs) => {
            let obj = j.as_object().ok_or_else(|| expected("object"))?;
            let mut m = BTreeMap::new();
            for (k, item) in obj {
                let Some(at) = attrs.get(k) else {
                    if extra == Extra::Drop {
                        continue;
                    }
                    return Err(err(path, format!("unsupported attribute {k:?}")));
                };
                path.push(PathStep::Attr(k.clone()));
                m.insert(k.clone(), from_json(item, at, extra, path, depth + 1)?);
                path.pop();
            }
            for k in attrs.keys() {
                m.entry(k.clone()).or_insert(Value::Null);
            }
            Ok(Value::Object(m))
        }
        Type::Dynamic => {
            let obj = j
                .as_object()
                .ok_or_else(|| expected("a {\"type\", \"value\"} object"))?;
            let (Some(tj), Some(vj)) = (obj.get("type"), obj.get("value")) else {
                return Err(expected("a {\"type\", \"value\"} object"));
            };
            let inner =
                Type::from_json_bytes(tj.to_string().as_bytes()).map_err(|e| err(path, e))?;
            from_json(vj, &inner, extra, path, depth + 1)
        }
    }
}

fn json_kind(j: &J) -> &'static str {
    match j {
        J::Null => "null",
        J::Bool(_) => "bool",
        J::Number(_) => "number",
        J::String(_) => "string",
        J::Array(_) => "array",
        J::Object(_) => "object",
    }
}

fn to_json(v: &Value, ty: &Type, path: &mut Vec<PathStep>) -> Result<J, CodecError> {
    let mismatch = |path: &[PathStep]| {
        CodecError::new(
            path,
            format!("value does not match the type {}", ty.friendly_name()),
        )
    };
    Ok(match (v, ty) {
        (Value::Null, _) => J::Null,
        (Value::Unknown, _) => {
            return Err(CodecError::new(
                path,
                "unknown values cannot be written as JSON",
            ));
        }
        (_, Type::Dynamic) => {
            let inner = v.infer_type();
            let mut obj = serde_json::Map::new();
            obj.insert("value".into(), to_json(v, &inner, path)?);
            obj.insert("type".into(), inner.to_json());
            J::Object(obj)
        }
        (Value::Bool(b), Type::Bool) => J::Bool(*b),
        (Value::String(s), Type::String) => J::String(s.clone()),
        (Value::Number(n), Type::Number) => {
            if let Some(i) = n.as_i64() {
                J::from(i)
            } else if let Some(f) = n.as_exact_f64() {
                J::from(f)
            } else {
                // Too precise for a JSON number that parsers read as f64.
                J::String(n.to_string())
            }
        }
        (Value::List(items), Type::List(et)) | (Value::Set(items), Type::Set(et)) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                path.push(PathStep::Index(i as i64));
                out.push(to_json(item, et, path)?);
                path.pop();
            }
            J::Array(out)
        }
        (Value::Tuple(items), Type::Tuple(ets)) if items.len() == ets.len() => {
            let mut out = Vec::with_capacity(items.len());
            for (i, (item, et)) in items.iter().zip(ets).enumerate() {
                path.push(PathStep::Index(i as i64));
                out.push(to_json(item, et, path)?);
                path.pop();
            }
            J::Array(out)
        }
        (Value::Map(m), Type::Map(et)) => {
            let mut out = serde_json::Map::new();
            for (k, item) in m {
                path.push(PathStep::Key(k.clone()));
                out.insert(k.clone(), to_json(item, et, path)?);
                path.pop();
            }
            J::Object(out)
        }
        (Value::Object(m), Type::Object(attrs)) => {
            if let Some(extra) = m.keys().find(|k| !attrs.contains_key(*k)) {
                return Err(CodecError::new(
                    path,
                    format!("attribute {extra:?} is not in the schema"),
                ));
            }
            let mut out = serde_json::Map::new();
            for (k, at) in attrs {
                path.push(PathStep::Attr(k.clone()));
                out.insert(
                    k.clone(),
                    to_json(m.get(k).unwrap_or(&Value::Null), at, path)?,
                );
                path.pop();
            }
            J::Object(out)
        }
        _ => return Err(mismatch(path)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_json_drops_removed_attributes_when_asked() {
        let ty = Type::object([("id", Type::String), ("n", Type::Number)]);
        let raw = br#"{"id":"x","legacy":true,"n":"12345678901234567890123"}"#;
        assert!(decode(raw, &ty, Extra::Reject).is_err());
        let v = decode(raw, &ty, Extra::Drop).unwrap();
        assert_eq!(v.attr("id").as_str(), Some("x"));
        assert_eq!(
            v.attr("n").as_number().unwrap().to_string(),
            "12345678901234567890123"
        );
    }

    #[test]
    fn unknowns_cannot_be_json() {
        assert!(encode(&Value::Unknown, &Type::String).is_err());
    }

    #[test]
    fn deep_json_is_an_error() {
        let deep = "[".repeat(10_000) + &"]".repeat(10_000);
        let mut ty = Type::String;
        for _ in 0..300 {
            ty = Type::list(ty);
        }
        assert!(decode(deep.as_bytes(), &ty, Extra::Reject).is_err());
        assert!(decode(deep.as_bytes(), &Type::Dynamic, Extra::Reject).is_err());
    }

    #[test]
    fn malformed_json_is_an_error() {
        let ty = Type::object([("a", Type::list(Type::Bool))]);
        for bad in [
            &br#"{"a":[true"#[..],
            br#"{"a":"yes"}"#,
            br#"{"a":[1]}"#,
            b"",
            br#"{"a":[true]} x"#,
        ] {
            assert!(
                decode(bad, &ty, Extra::Reject).is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}
