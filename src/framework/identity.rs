//! Resource identity (Terraform 1.12+), list resources for `terraform query` (1.14+) and
//! configuration generated from a state (GenerateResourceConfig, 1.14+).
//!
//! Terraform's rules that shape this module:
//! - an identity never changes for a resource instance except by replacement: a refresh or an
//!   in-place update that returns another identity is an error in Terraform ("Provider produced
//!   different identity"), so identities are built from attributes that only change by replacement;
//! - a planned identity may be unknown only when the object is created (or replaced);
//! - list results carry the identity (always) and the full object (when asked), and are streamed.

use tokio::sync::mpsc;

use super::diag::Diagnostics;
use super::schema::{AttrType, Block, Schema};
use super::value::{Type, Value};
use crate::proto::tfplugin6 as pb;

/// One attribute of an identity; identity attributes are primitive values.
#[derive(Clone)]
pub struct IdentityAttribute {
    pub name: String,
    pub ty: Type,
    pub description: String,
    /// The user must give it in `import { identity = {…} }`.
    pub required_for_import: bool,
    /// The user may give it; the provider fills it otherwise (a default).
    pub optional_for_import: bool,
}

impl IdentityAttribute {
    /// A string attribute the user must give when importing.
    pub fn required(name: &str, description: &str) -> Self {
        IdentityAttribute {
            name: name.to_string(),
            ty: Type::String,
            description: description.to_string(),
            required_for_import: true,
            optional_for_import: false,
        }
    }
    /// A string attribute the provider can default when importing.
    pub fn optional(name: &str, description: &str) -> Self {
        IdentityAttribute {
            required_for_import: false,
            optional_for_import: true,
            ..Self::required(name, description)
        }
    }
}

/// The identity schema of a managed resource type; its version is independent of the
/// resource schema version.
#[derive(Clone)]
pub struct IdentitySchema {
    pub version: i64,
    pub attributes: Vec<IdentityAttribute>,
}

impl IdentitySchema {
    pub fn new(version: i64, attributes: Vec<IdentityAttribute>) -> Self {
        IdentitySchema {
            version,
            attributes,
        }
    }
    pub fn value_type(&self) -> Type {
        Type::object(
            self.attributes
                .iter()
                .map(|a| (a.name.clone(), a.ty.clone())),
        )
    }
    pub fn to_proto(&self) -> pb::ResourceIdentitySchema {
        pb::ResourceIdentitySchema {
            version: self.version,
            identity_attributes: self
                .attributes
                .iter()
                .map(|a| pb::resource_identity_schema::IdentityAttribute {
                    name: a.name.clone(),
                    r#type: a.ty.to_json_bytes(),
                    required_for_import: a.required_for_import,
                    optional_for_import: a.optional_for_import,
                    description: a.description.clone(),
                })
                .collect(),
        }
    }
    /// The identity made of the state attributes with the same names (null for a null state).
    pub fn project(&self, state: &Value) -> Value {
        if state.is_null() {
            return Value::Null;
        }
        Value::object(
            self.attributes
                .iter()
                .map(|a| (a.name.clone(), state.attr(&a.name).clone())),
        )
    }
}

/// True when every attribute of `identity` is known and not null (a complete identity).
pub fn is_complete(identity: &Value) -> bool {
    match identity.entries() {
        Some(m) => m.values().all(|v| v.is_known() && !v.is_null()),
        None => false,
    }
}

/// One result of a list: the resource's state as `read` would return it, and a label.
pub struct ListItem {
    pub state: Value,
    pub display_name: String,
}

/// What a list implementation sends; the framework turns it into stream events.
pub enum ListEvent {
    Item(ListItem),
    Diagnostics(Diagnostics),
}

/// Where a list implementation sends its results, one at a time, as soon as it has them.
pub struct ListSink {
    tx: mpsc::Sender<ListEvent>,
    remaining: Option<u64>,
}

impl ListSink {
    /// `limit` 0 means no limit.
    pub fn new(tx: mpsc::Sender<ListEvent>, limit: i64) -> Self {
        ListSink {
            tx,
            remaining: u64::try_from(limit).ok().filter(|l| *l > 0),
        }
    }
    /// Sends one result; false when the list should stop (limit reached or Terraform gone).
    pub async fn send(&mut self, state: Value, display_name: impl Into<String>) -> bool {
        if self.remaining == Some(0) {
            return false;
        }
        let item = ListItem {
            state,
            display_name: display_name.into(),
        };
        if self.tx.send(ListEvent::Item(item)).await.is_err() {
            return false;
        }
        if let Some(r) = self.remaining.as_mut() {
            *r -= 1;
        }
        self.remaining != Some(0)
    }
    /// True while more results are wanted.
    pub fn wants_more(&self) -> bool {
        self.remaining != Some(0) && !self.tx.is_closed()
    }
    /// Sends diagnostics (errors end the list on Terraform's side).
    pub async fn diagnostics(&mut self, diags: Diagnostics) {
        if !diags.is_empty() {
            let _ = self.tx.send(ListEvent::Diagnostics(diags)).await;
        }
    }
}

/// The configuration that reproduces `state`: configurable attributes only, computed-only,
/// sensitive and write-only attributes null, and null where the state is null. Optional and
/// computed attributes keep their value, so the plan after import is empty.
pub fn generate_config(schema: &Schema, state: &Value) -> Value {
    config_of_block(&schema.block, state)
}

fn config_of_block(block: &Block, state: &Value) -> Value {
    if state.is_null() {
        return Value::Null;
    }
    let mut out: Vec<(String, Value)> = Vec::new();
    for a in &block.attributes {
        let v = state.attr(&a.name);
        let keep = (a.required || a.optional) && !a.sensitive && !a.write_only && v.is_known();
        let value = if !keep {
            Value::Null
        } else if let AttrType::Nested(_, attrs) = &a.ty {
            let inner = Block {
                attributes: attrs.clone(),
                ..Block::new("")
            };
            map_elements(v, &|e| config_of_block(&inner, e))
        } else {
            v.clone()
        };
        out.push((a.name.clone(), value));
    }
    for b in &block.blocks {
        let v = state.attr(&b.name);
        out.push((
            b.name.clone(),
            map_elements(v, &|e| config_of_block(&b.block, e)),
        ));
    }
    Value::object(out)
}

/// Applies `f` to a single object or to each element of a collection of objects.
fn map_elements(v: &Value, f: &dyn Fn(&Value) -> Value) -> Value {
    match v {
        Value::List(items) => Value::List(items.iter().map(f).collect()),
        Value::Set(items) => Value::Set(items.iter().map(f).collect()),
        Value::Map(m) => Value::Map(m.iter().map(|(k, e)| (k.clone(), f(e))).collect()),
        Value::Object(_) => f(v),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::{Attribute, Nesting};

    #[test]
    fn generated_config_keeps_only_configurable_non_secret_values() {
        let schema = Schema::new(
            0,
            Block::new("")
                .attribute(Attribute::string("id").computed())
                .attribute(Attribute::string("name").required())
                .attribute(Attribute::string("note").optional())
                .attribute(Attribute::string("realm").optional().computed())
                .attribute(Attribute::string("secret").optional().sensitive())
                .attribute(
                    Attribute::nested(
                        "items",
                        Nesting::Set,
                        vec![
                            Attribute::string("k").required(),
                            Attribute::string("at").computed(),
                        ],
                    )
                    .optional(),
                ),
        );
        let state = Value::object([
            ("id", Value::string("x1")),
            ("name", Value::string("n")),
            ("note", Value::Null),
            ("realm", Value::string("r")),
            ("secret", Value::string("s3cret")),
            (
                "items",
                Value::Set(vec![Value::object([
                    ("k", Value::string("a")),
                    ("at", Value::string("t")),
                ])]),
            ),
        ]);
        let config = generate_config(&schema, &state);
        assert_eq!(
            config,
            Value::object([
                ("id", Value::Null),
                ("name", Value::string("n")),
                ("note", Value::Null),
                ("realm", Value::string("r")),
                ("secret", Value::Null),
                (
                    "items",
                    Value::Set(vec![Value::object([
                        ("k", Value::string("a")),
                        ("at", Value::Null),
                    ])]),
                ),
            ])
        );
        // The result has the schema's type, so it encodes.
        crate::framework::codec::encode_dynamic(&config, &schema.value_type()).unwrap();
    }

    #[tokio::test]
    async fn sink_stops_at_the_limit() {
        let (tx, mut rx) = mpsc::channel(8);
        let mut sink = ListSink::new(tx, 2);
        assert!(sink.send(Value::Null, "a").await);
        assert!(!sink.send(Value::Null, "b").await);
        assert!(!sink.wants_more());
        assert!(!sink.send(Value::Null, "c").await);
        drop(sink);
        let mut n = 0;
        while rx.recv().await.is_some() {
            n += 1;
        }
        assert_eq!(n, 2);
    }
}
