//! The Terraform type system and value model.
//!
//! [`Type`] mirrors Terraform's (cty) types and their JSON encoding, which is how schemas name an
//! attribute's type on the wire. [`Value`] holds any value of those types, including null and
//! unknown, so that resource code can tell "not set" from "known after apply".

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use bigdecimal::{BigDecimal, ToPrimitive};

/// Deepest nesting accepted for types and values read from the wire. Schemas never come close;
/// the bound only protects the decoders from hostile input.
pub const MAX_DEPTH: usize = 256;

/// A Terraform type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Type {
    Bool,
    Number,
    String,
    /// Any type, chosen by the value (`dynamic` / `any`).
    Dynamic,
    List(Box<Type>),
    Set(Box<Type>),
    Map(Box<Type>),
    Object(BTreeMap<String, Type>),
    Tuple(Vec<Type>),
}

impl Type {
    pub fn list(elem: Type) -> Type {
        Type::List(Box::new(elem))
    }
    pub fn set(elem: Type) -> Type {
        Type::Set(Box::new(elem))
    }
    pub fn map(elem: Type) -> Type {
        Type::Map(Box::new(elem))
    }
    pub fn object<I, K>(attrs: I) -> Type
    where
        I: IntoIterator<Item = (K, Type)>,
        K: Into<String>,
    {
        Type::Object(attrs.into_iter().map(|(k, t)| (k.into(), t)).collect())
    }

    /// The type's JSON form as Terraform writes it (`"string"`, `["list","string"]`, …).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Type::Bool => J::from("bool"),
            Type::Number => J::from("number"),
            Type::String => J::from("string"),
            Type::Dynamic => J::from("dynamic"),
            Type::List(e) => J::Array(vec![J::from("list"), e.to_json()]),
            Type::Set(e) => J::Array(vec![J::from("set"), e.to_json()]),
            Type::Map(e) => J::Array(vec![J::from("map"), e.to_json()]),
            Type::Object(attrs) => J::Array(vec![
                J::from("object"),
                J::Object(
                    attrs
                        .iter()
                        .map(|(k, t)| (k.clone(), t.to_json()))
                        .collect(),
                ),
            ]),
            Type::Tuple(elems) => J::Array(vec![
                J::from("tuple"),
                J::Array(elems.iter().map(Type::to_json).collect()),
            ]),
        }
    }

    /// The JSON form as bytes, as used in schema attributes and dynamic values.
    pub fn to_json_bytes(&self) -> Vec<u8> {
        self.to_json().to_string().into_bytes()
    }

    /// Parses a type from its JSON bytes.
    pub fn from_json_bytes(bytes: &[u8]) -> Result<Type, String> {
        let json: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|e| format!("invalid type JSON: {e}"))?;
        Type::from_json(&json, 0)
    }

    fn from_json(json: &serde_json::Value, depth: usize) -> Result<Type, String> {
        use serde_json::Value as J;
        if depth > MAX_DEPTH {
            return Err(format!("type nested deeper than {MAX_DEPTH} levels"));
        }
        match json {
            J::String(s) => match s.as_str() {
                "bool" => Ok(Type::Bool),
                "number" => Ok(Type::Number),
                "string" => Ok(Type::String),
                "dynamic" => Ok(Type::Dynamic),
                other => Err(format!("unknown primitive type {other:?}")),
            },
            J::Array(parts) if !parts.is_empty() => {
                let kind = parts[0].as_str().ok_or("type kind must be a string")?;
                let arg = parts
                    .get(1)
                    .ok_or_else(|| format!("{kind} type without argument"))?;
                match kind {
                    "list" => Ok(Type::list(Type::from_json(arg, depth + 1)?)),
                    "set" => Ok(Type::set(Type::from_json(arg, depth + 1)?)),
                    "map" => Ok(Type::map(Type::from_json(arg, depth + 1)?)),
                    // A third element (optional attribute names) only appears in type
                    // constraints; it does not change the type of a value.
                    "object" => {
                        let attrs = arg.as_object().ok_or("object type needs a JSON object")?;
                        let mut out = BTreeMap::new();
                        for (k, v) in attrs {
                            out.insert(k.clone(), Type::from_json(v, depth + 1)?);
                        }
                        Ok(Type::Object(out))
                    }
                    "tuple" => {
                        let elems = arg.as_array().ok_or("tuple type needs a JSON array")?;
                        let mut out = Vec::with_capacity(elems.len());
                        for e in elems {
                            out.push(Type::from_json(e, depth + 1)?);
                        }
                        Ok(Type::Tuple(out))
                    }
                    other => Err(format!("unknown type kind {other:?}")),
                }
            }
            _ => Err("a type must be a string or an array".into()),
        }
    }

    /// The type's name as Terraform prints it in messages.
    pub fn friendly_name(&self) -> String {
        match self {
            Type::Bool => "bool".into(),
            Type::Number => "number".into(),
            Type::String => "string".into(),
            Type::Dynamic => "any".into(),
            Type::List(e) => format!("list of {}", e.friendly_name()),
            Type::Set(e) => format!("set of {}", e.friendly_name()),
            Type::Map(e) => format!("map of {}", e.friendly_name()),
            Type::Object(_) => "object".into(),
            Type::Tuple(_) => "tuple".into(),
        }
    }
}

/// An arbitrary-precision decimal number.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Number(BigDecimal);

impl Number {
    pub fn from_f64(f: f64) -> Option<Number> {
        if !f.is_finite() {
            return None;
        }
        // The shortest decimal that reads back as the same f64, as Terraform prints it.
        BigDecimal::from_str(&format!("{f}")).ok().map(Number)
    }
    pub fn as_i64(&self) -> Option<i64> {
        if self.0.is_integer() {
            self.0.to_i64()
        } else {
            None
        }
    }
    pub fn as_f64(&self) -> Option<f64> {
        self.0.to_f64().filter(|f| f.is_finite())
    }
    /// The f64 equal to this number, if one exists exactly.
    pub fn as_exact_f64(&self) -> Option<f64> {
        let f = self.as_f64()?;
        (Number::from_f64(f).as_ref() == Some(self)).then_some(f)
    }
    pub fn is_integer(&self) -> bool {
        self.0.is_integer()
    }
}

impl From<i64> for Number {
    fn from(i: i64) -> Number {
        Number(BigDecimal::from(i))
    }
}

impl From<u64> for Number {
    fn from(i: u64) -> Number {
        Number(BigDecimal::from(i))
    }
}

impl FromStr for Number {
    type Err = String;
    fn from_str(s: &str) -> Result<Number, String> {
        // Refuse absurd exponents before handing the text to the decimal parser.
        if s.len() > 4096 {
            return Err("number literal too long".into());
        }
        let n = BigDecimal::from_str(s.trim()).map_err(|_| format!("{s:?} is not a number"))?;
        if n.fractional_digit_count().unsigned_abs() > 100_000 {
            return Err("number exponent out of range".into());
        }
        Ok(Number(n.normalized()))
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.normalized();
        if n.is_integer() {
            // Plain digits for integers, never an exponent.
            write!(f, "{}", n.with_scale(0))
        } else {
            write!(f, "{n}")
        }
    }
}

impl fmt::Debug for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// A value of some Terraform type. Collections carry no element type: the schema supplies it
/// when the value is encoded.
#[derive(Clone, Debug)]
pub enum Value {
    Null,
    /// Known only after apply. Refinements sent by Terraform are accepted and dropped.
    Unknown,
    Bool(bool),
    Number(Number),
    String(String),
    List(Vec<Value>),
    /// Element order carries no meaning; equality ignores it.
    Set(Vec<Value>),
    Map(BTreeMap<String, Value>),
    Object(BTreeMap<String, Value>),
    Tuple(Vec<Value>),
}

impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        use Value::*;
        match (self, other) {
            (Null, Null) | (Unknown, Unknown) => true,
            (Bool(a), Bool(b)) => a == b,
            (Number(a), Number(b)) => a == b,
            (String(a), String(b)) => a == b,
            (List(a), List(b)) | (Tuple(a), Tuple(b)) => a == b,
            (Map(a), Map(b)) | (Object(a), Object(b)) => a == b,
            (Set(a), Set(b)) => {
                a.len() == b.len()
                    && a.iter().all(|x| b.contains(x))
                    && b.iter().all(|x| a.contains(x))
            }
            _ => false,
        }
    }
}

impl Value {
    pub fn string(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }
    pub fn number(n: impl Into<Number>) -> Value {
        Value::Number(n.into())
    }
    pub fn object<I, K>(attrs: I) -> Value
    where
        I: IntoIterator<Item = (K, Value)>,
        K: Into<String>,
    {
        Value::Object(attrs.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }
    /// A string value, or null when `None`.
    pub fn opt_string(s: Option<impl Into<String>>) -> Value {
        s.map_or(Value::Null, |s| Value::String(s.into()))
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown)
    }
    pub fn is_known(&self) -> bool {
        !self.is_unknown()
    }
    /// True when neither this value nor anything inside it is unknown.
    pub fn is_wholly_known(&self) -> bool {
        match self {
            Value::Unknown => false,
            Value::List(v) | Value::Set(v) | Value::Tuple(v) => {
                v.iter().all(Value::is_wholly_known)
            }
            Value::Map(m) | Value::Object(m) => m.values().all(Value::is_wholly_known),
            _ => true,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
    pub fn as_number(&self) -> Option<&Number> {
        match self {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }
    pub fn as_i64(&self) -> Option<i64> {
        self.as_number().and_then(Number::as_i64)
    }
    /// Elements of a list, set or tuple.
    pub fn elements(&self) -> Option<&[Value]> {
        match self {
            Value::List(v) | Value::Set(v) | Value::Tuple(v) => Some(v),
            _ => None,
        }
    }
    /// Entries of a map or object.
    pub fn entries(&self) -> Option<&BTreeMap<String, Value>> {
        match self {
            Value::Map(m) | Value::Object(m) => Some(m),
            _ => None,
        }
    }
    /// An attribute of an object; null when the value is not an object or lacks it.
    pub fn attr(&self, name: &str) -> &Value {
        static NULL: Value = Value::Null;
        match self {
            Value::Object(m) => m.get(name).unwrap_or(&NULL),
            _ => &NULL,
        }
    }
    /// Mutable access to an object attribute (inserting null when missing). None when not an object.
    pub fn attr_mut(&mut self, name: &str) -> Option<&mut Value> {
        match self {
            Value::Object(m) => Some(m.entry(name.to_string()).or_insert(Value::Null)),
            _ => None,
        }
    }
    /// Sets an object attribute; does nothing on a non-object.
    pub fn set_attr(&mut self, name: &str, v: Value) {
        if let Some(slot) = self.attr_mut(name) {
            *slot = v;
        }
    }

    /// The type that best describes this value, used where the schema says `dynamic`.
    /// Empty collections and null or unknown elements have no type of their own: they get
    /// `dynamic` elements.
    pub fn infer_type(&self) -> Type {
        match self {
            Value::Null | Value::Unknown => Type::Dynamic,
            Value::Bool(_) => Type::Bool,
            Value::Number(_) => Type::Number,
            Value::String(_) => Type::String,
            Value::List(v) => Type::list(first_known_type(v.iter())),
            Value::Set(v) => Type::set(first_known_type(v.iter())),
            Value::Map(m) => Type::map(first_known_type(m.values())),
            Value::Object(m) => {
                Type::Object(m.iter().map(|(k, v)| (k.clone(), v.infer_type())).collect())
            }
            Value::Tuple(v) => Type::Tuple(v.iter().map(Value::infer_type).collect()),
        }
    }
}

fn first_known_type<'a>(mut it: impl Iterator<Item = &'a Value>) -> Type {
    it.find(|v| !v.is_null() && !v.is_unknown())
        .map_or(Type::Dynamic, Value::infer_type)
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::String(s.to_string())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(s)
    }
}
impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}
impl From<i64> for Value {
    fn from(i: i64) -> Value {
        Value::Number(i.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_json_round_trip() {
        let t = Type::object([
            ("a", Type::list(Type::String)),
            ("b", Type::Tuple(vec![Type::Number, Type::Dynamic])),
            ("c", Type::map(Type::set(Type::Bool))),
        ]);
        let bytes = t.to_json_bytes();
        assert_eq!(
            String::from_utf8_lossy(&bytes),
            r#"["object",{"a":["list","string"],"b":["tuple",["number","dynamic"]],"c":["map",["set","bool"]]}]"#
        );
        assert_eq!(Type::from_json_bytes(&bytes).unwrap(), t);
    }

    #[test]
    fn type_json_rejects_garbage() {
        for bad in [
            &b"\"strin\""[..],
            b"[\"list\"]",
            b"42",
            b"[\"object\",[]]",
            b"{",
        ] {
            assert!(
                Type::from_json_bytes(bad).is_err(),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
        // Optional-attribute lists in object type constraints are accepted and ignored.
        let t = Type::from_json_bytes(br#"["object",{"a":"string"},["a"]]"#).unwrap();
        assert_eq!(t, Type::object([("a", Type::String)]));
    }

    #[test]
    fn numbers_keep_precision() {
        let n: Number = "123456789012345678901234567890.000000000000000000001"
            .parse()
            .unwrap();
        assert_eq!(
            n.to_string(),
            "123456789012345678901234567890.000000000000000000001"
        );
        assert!(n.as_exact_f64().is_none());
        let one: Number = "1.000".parse().unwrap();
        assert_eq!(one, Number::from(1i64));
        assert_eq!(one.to_string(), "1");
        assert_eq!(Number::from_f64(0.1).unwrap().to_string(), "0.1");
        assert!(Number::from_f64(f64::NAN).is_none());
        assert!("1e999999999".parse::<Number>().is_err());
    }

    #[test]
    fn sets_compare_without_order() {
        let a = Value::Set(vec!["x".into(), "y".into()]);
        let b = Value::Set(vec!["y".into(), "x".into()]);
        assert_eq!(a, b);
        assert_ne!(
            Value::List(vec!["x".into(), "y".into()]),
            Value::List(vec!["y".into(), "x".into()])
        );
    }

    #[test]
    fn wholly_known_looks_inside() {
        let v = Value::object([("a", Value::List(vec![Value::Unknown]))]);
        assert!(v.is_known());
        assert!(!v.is_wholly_known());
    }
}
