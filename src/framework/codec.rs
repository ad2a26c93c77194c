//! `DynamicValue` handling: picks the msgpack or JSON codec and turns codec errors into
//! diagnostics that point at the attribute.

use super::diag::{AttributePath, Diagnostic, PathStep};
use super::value::{Type, Value};
use super::{json, msgpack};
use crate::proto::tfplugin6::DynamicValue;

/// A value that could not be decoded or encoded, with where it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodecError {
    pub path: AttributePath,
    pub message: String,
}

impl CodecError {
    pub fn new(path: &[PathStep], message: impl Into<String>) -> Self {
        CodecError {
            path: AttributePath(path.to_vec()),
            message: message.into(),
        }
    }
    pub fn path_string(&self) -> String {
        self.path.to_string()
    }
    /// A diagnostic for a value received from Terraform (`what` names it: "configuration", …).
    pub fn to_diagnostic(&self, what: &str) -> Diagnostic {
        let d = Diagnostic::error(
            format!("Invalid {what} value"),
            format!(
                "The provider could not read the {what} sent by Terraform: {}. This is a bug in \
                 Terraform or the provider; please report it.",
                self.message
            ),
        );
        if self.path.is_root() {
            d
        } else {
            d.at(self.path.clone())
        }
    }
}

impl std::fmt::Display for CodecError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.is_root() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

/// Decodes a `DynamicValue` of type `ty`. An absent value decodes as null.
pub fn decode_dynamic(dv: Option<&DynamicValue>, ty: &Type) -> Result<Value, CodecError> {
    match dv {
        None => Ok(Value::Null),
        Some(dv) if !dv.msgpack.is_empty() => msgpack::decode(&dv.msgpack, ty),
        Some(dv) if !dv.json.is_empty() => json::decode(&dv.json, ty, json::Extra::Reject),
        Some(_) => Ok(Value::Null),
    }
}

/// Encodes a value as a msgpack `DynamicValue`.
pub fn encode_dynamic(v: &Value, ty: &Type) -> Result<DynamicValue, CodecError> {
    Ok(DynamicValue {
        msgpack: msgpack::encode(v, ty)?,
        json: Vec::new(),
    })
}

#[cfg(test)]
mod proptests {
    //! Round trips through both encodings for generated types and values of those types,
    //! including null and unknown at every level.
    use std::collections::BTreeMap;

    use proptest::prelude::*;

    use super::super::value::Number;
    use super::*;

    fn leaf_type() -> impl Strategy<Value = Type> {
        prop_oneof![
            Just(Type::Bool),
            Just(Type::Number),
            Just(Type::String),
            Just(Type::Dynamic)
        ]
    }

    fn any_type() -> impl Strategy<Value = Type> {
        leaf_type().prop_recursive(4, 32, 4, |inner| {
            prop_oneof![
                inner.clone().prop_map(Type::list),
                inner.clone().prop_map(Type::set),
                inner.clone().prop_map(Type::map),
                prop::collection::btree_map("[a-z_]{1,6}", inner.clone(), 0..4)
                    .prop_map(Type::Object),
                prop::collection::vec(inner, 0..3).prop_map(Type::Tuple),
            ]
        })
    }

    fn number() -> impl Strategy<Value = Number> {
        prop_oneof![
            any::<i64>().prop_map(Number::from),
            any::<f64>().prop_filter_map("finite", Number::from_f64),
            "-?[1-9][0-9]{19,40}(\\.[0-9]{1,20})?".prop_map(|s| s.parse().unwrap()),
        ]
    }

    /// A value of type `ty`; `allow_unknown` is false for JSON, which cannot carry unknowns.
    fn value_of(ty: Type, allow_unknown: bool) -> BoxedStrategy<Value> {
        let known: BoxedStrategy<Value> = match ty {
            Type::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
            Type::Number => number().prop_map(Value::Number).boxed(),
            Type::String => ".{0,12}".prop_map(Value::String).boxed(),
            // Dynamic values here are strings, numbers or lists of strings: their types can be
            // inferred back exactly.
            Type::Dynamic => prop_oneof![
                ".{0,8}".prop_map(Value::String),
                number().prop_map(Value::Number),
                prop::collection::vec(".{0,4}".prop_map(Value::String), 1..3).prop_map(Value::List),
            ]
            .boxed(),
            Type::List(e) => prop::collection::vec(value_of(*e, allow_unknown), 0..3)
                .prop_map(Value::List)
                .boxed(),
            Type::Set(e) => prop::collection::vec(value_of(*e, allow_unknown), 0..3)
                .prop_map(Value::Set)
                .boxed(),
            Type::Map(e) => {
                prop::collection::btree_map(".{0,5}", value_of(*e, allow_unknown), 0..3)
                    .prop_map(Value::Map)
                    .boxed()
            }
            Type::Object(attrs) => {
                let parts: Vec<BoxedStrategy<(String, Value)>> = attrs
                    .into_iter()
                    .map(|(k, t)| {
                        value_of(t, allow_unknown)
                            .prop_map(move |v| (k.clone(), v))
                            .boxed()
                    })
                    .collect();
                parts
                    .prop_map(|kv| Value::Object(kv.into_iter().collect::<BTreeMap<_, _>>()))
                    .boxed()
            }
            Type::Tuple(elems) => {
                let parts: Vec<BoxedStrategy<Value>> = elems
                    .into_iter()
                    .map(|t| value_of(t, allow_unknown))
                    .collect();
                parts.prop_map(Value::Tuple).boxed()
            }
        };
        if allow_unknown {
            prop_oneof![1 => Just(Value::Null), 1 => Just(Value::Unknown), 6 => known].boxed()
        } else {
            prop_oneof![1 => Just(Value::Null), 6 => known].boxed()
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn msgpack_round_trip((ty, v) in any_type().prop_flat_map(|t| (Just(t.clone()), value_of(t, true)))) {
            let bytes = msgpack::encode(&v, &ty).unwrap();
            prop_assert_eq!(msgpack::decode(&bytes, &ty).unwrap(), v);
        }

        #[test]
        fn json_round_trip((ty, v) in any_type().prop_flat_map(|t| (Just(t.clone()), value_of(t, false)))) {
            let bytes = json::encode(&v, &ty).unwrap();
            prop_assert_eq!(json::decode(&bytes, &ty, json::Extra::Reject).unwrap(), v);
        }

        #[test]
        fn type_json_round_trip(ty in any_type()) {
            prop_assert_eq!(Type::from_json_bytes(&ty.to_json_bytes()).unwrap(), ty);
        }

        #[test]
        fn decoders_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..64), ty in any_type()) {
            let _ = msgpack::decode(&bytes, &ty);
            let _ = json::decode(&bytes, &ty, json::Extra::Drop);
        }
    }
}
