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
