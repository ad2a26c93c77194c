//! The border between the wire and the value model: diagnostics and attribute paths in their
//! protocol form, request values decoded and response values encoded (each failure a
//! diagnostic), the last touch on a state before it goes out, and timestamps.

use std::time::SystemTime;

use crate::framework::codec::{decode_dynamic, encode_dynamic};
use crate::framework::diag::{AttributePath, Diagnostic, Diagnostics, PathStep, Severity};
use crate::framework::schema::Schema;
use crate::framework::value::{Type, Value};
use crate::proto::tfplugin6 as pb;

/// Converts diagnostics to their protocol form.
pub fn diags_to_proto(d: &Diagnostics) -> Vec<pb::Diagnostic> {
    d.iter().map(diag_to_proto).collect()
}

fn diag_to_proto(d: &Diagnostic) -> pb::Diagnostic {
    pb::Diagnostic {
        severity: match d.severity {
            Severity::Error => pb::diagnostic::Severity::Error,
            Severity::Warning => pb::diagnostic::Severity::Warning,
        } as i32,
        summary: d.summary.clone(),
        detail: d.detail.clone(),
        attribute: d.attribute.as_ref().map(path_to_proto),
    }
}

pub fn path_to_proto(p: &AttributePath) -> pb::AttributePath {
    use pb::attribute_path::step::Selector;
    pb::AttributePath {
        steps: p
            .0
            .iter()
            .map(|s| pb::attribute_path::Step {
                selector: Some(match s {
                    PathStep::Attr(a) => Selector::AttributeName(a.clone()),
                    PathStep::Key(k) => Selector::ElementKeyString(k.clone()),
                    PathStep::Index(i) => Selector::ElementKeyInt(*i),
                }),
            })
            .collect(),
    }
}

/// Decodes a request value; on failure records a diagnostic and returns None.
pub(super) fn decode(
    dv: Option<&pb::DynamicValue>,
    ty: &Type,
    what: &str,
    diags: &mut Diagnostics,
) -> Option<Value> {
    match decode_dynamic(dv, ty) {
        Ok(v) => Some(v),
        Err(e) => {
            diags.push(e.to_diagnostic(what));
            None
        }
    }
}

/// Encodes a response value; on failure records a diagnostic.
pub(super) fn encode(v: &Value, ty: &Type, diags: &mut Diagnostics) -> Option<pb::DynamicValue> {
    match encode_dynamic(v, ty) {
        Ok(dv) => Some(dv),
        Err(e) => {
            diags.error(
                "Provider produced an invalid value",
                format!("The provider built a value that does not match its own schema ({e}). This is a bug in the provider."),
            );
            None
        }
    }
}

/// After apply no value may remain unknown, and write-only attributes are never stored.
pub(super) fn finish_state(schema: &Schema, v: &mut Value, diags: &mut Diagnostics) {
    for p in schema.attribute_paths(|a| a.write_only) {
        set_path(v, &p, Value::Null);
    }
    let mut unknown = Vec::new();
    null_unknowns(v, &AttributePath::root(), &mut unknown);
    for p in unknown {
        diags.attr_error(
            p.clone(),
            "Provider returned an unknown value after apply",
            format!(
                "{p} was still unknown after the apply finished. This is a bug in the provider."
            ),
        );
    }
}

fn set_path(v: &mut Value, p: &AttributePath, new: Value) {
    let mut cur = v;
    for (i, step) in p.0.iter().enumerate() {
        let PathStep::Attr(name) = step else { return };
        if cur.is_null() {
            return;
        }
        if i + 1 == p.0.len() {
            cur.set_attr(name, new);
            return;
        }
        match cur.attr_mut(name) {
            Some(next) => cur = next,
            None => return,
        }
    }
}

fn null_unknowns(v: &mut Value, path: &AttributePath, found: &mut Vec<AttributePath>) {
    match v {
        Value::Unknown => {
            *v = Value::Null;
            found.push(path.clone());
        }
        Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                null_unknowns(item, &path.join_index(i as i64), found);
            }
        }
        Value::Object(m) => {
            for (k, item) in m.iter_mut() {
                null_unknowns(item, &path.join_attr(k), found);
            }
        }
        Value::Map(m) => {
            for (k, item) in m.iter_mut() {
                null_unknowns(item, &path.join_key(k), found);
            }
        }
        _ => {}
    }
}

pub(super) fn timestamp(t: SystemTime) -> prost_types::Timestamp {
    let d = t.duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default();
    prost_types::Timestamp {
        seconds: d.as_secs() as i64,
        nanos: d.subsec_nanos() as i32,
    }
}
