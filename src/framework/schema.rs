//! Schemas as data: blocks, attributes (primitive or nested), nested blocks, and what each
//! attribute carries besides its type (flags, description, validators, plan modifiers).
//! A schema converts to the protocol's `Schema` message and to the value type it describes.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::diag::{AttributePath, Diagnostics};
use super::plan::PlanModifier;
use super::validate::{ValidateCtx, Validator};
use super::value::{Type, Value};
use crate::proto::tfplugin6 as pb;

/// How a nested attribute or block repeats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nesting {
    Single,
    List,
    Set,
    Map,
    /// Blocks only: a single block that is never null (its attributes may be).
    Group,
}

/// How a description is written: Terraform renders Markdown in registry docs and language
/// servers, and shows plain text as is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DescriptionKind {
    Plain,
    #[default]
    Markdown,
}

impl DescriptionKind {
    fn to_proto(self) -> i32 {
        match self {
            DescriptionKind::Plain => pb::StringKind::Plain as i32,
            DescriptionKind::Markdown => pb::StringKind::Markdown as i32,
        }
    }
}

/// What an attribute holds.
#[derive(Clone)]
pub enum AttrType {
    Primitive(Type),
    Nested(Nesting, Vec<Attribute>),
}

/// One attribute of a block.
#[derive(Clone)]
pub struct Attribute {
    pub name: String,
    pub ty: AttrType,
    /// Description (Markdown unless `description_kind` says plain); also the source of the
    /// generated documentation.
    pub description: String,
    pub description_kind: DescriptionKind,
    pub required: bool,
    pub optional: bool,
    pub computed: bool,
    pub sensitive: bool,
    pub write_only: bool,
    /// Set when the attribute is deprecated: what to use instead.
    pub deprecation: Option<String>,
    pub validators: Vec<Arc<dyn Validator>>,
    pub plan_modifiers: Vec<Arc<dyn PlanModifier>>,
}

impl Attribute {
    pub fn new(name: &str, ty: Type) -> Self {
        Attribute {
            name: name.to_string(),
            ty: AttrType::Primitive(ty),
            description: String::new(),
            description_kind: DescriptionKind::Markdown,
            required: false,
            optional: false,
            computed: false,
            sensitive: false,
            write_only: false,
            deprecation: None,
            validators: Vec::new(),
            plan_modifiers: Vec::new(),
        }
    }
    pub fn string(name: &str) -> Self {
        Self::new(name, Type::String)
    }
    pub fn number(name: &str) -> Self {
        Self::new(name, Type::Number)
    }
    pub fn bool(name: &str) -> Self {
        Self::new(name, Type::Bool)
    }
    pub fn nested(name: &str, nesting: Nesting, attributes: Vec<Attribute>) -> Self {
        let mut a = Self::new(name, Type::Dynamic);
        a.ty = AttrType::Nested(nesting, attributes);
        a
    }
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }
    pub fn optional(mut self) -> Self {
        self.optional = true;
        self
    }
    pub fn computed(mut self) -> Self {
        self.computed = true;
        self
    }
    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }
    pub fn write_only(mut self) -> Self {
        self.write_only = true;
        self
    }
    pub fn deprecated(mut self, message: &str) -> Self {
        self.deprecation = Some(message.to_string());
        self
    }
    pub fn description(mut self, markdown: &str) -> Self {
        self.description = markdown.to_string();
        self.description_kind = DescriptionKind::Markdown;
        self
    }
    pub fn plain_description(mut self, text: &str) -> Self {
        self.description = text.to_string();
        self.description_kind = DescriptionKind::Plain;
        self
    }
    pub fn validator(mut self, v: impl Validator + 'static) -> Self {
        self.validators.push(Arc::new(v));
        self
    }
    pub fn plan_modifier(mut self, m: impl PlanModifier + 'static) -> Self {
        self.plan_modifiers.push(Arc::new(m));
        self
    }

    pub fn value_type(&self) -> Type {
        match &self.ty {
            AttrType::Primitive(t) => t.clone(),
            AttrType::Nested(nesting, attrs) => {
                let obj = Type::Object(
                    attrs
                        .iter()
                        .map(|a| (a.name.clone(), a.value_type()))
                        .collect(),
                );
                wrap(*nesting, obj)
            }
        }
    }

    fn to_proto(&self) -> pb::schema::Attribute {
        let (ty, nested) = match &self.ty {
            AttrType::Primitive(t) => (t.to_json_bytes(), None),
            AttrType::Nested(nesting, attrs) => (
                Vec::new(),
                Some(pb::schema::Object {
                    attributes: attrs.iter().map(Attribute::to_proto).collect(),
                    nesting: object_nesting(*nesting) as i32,
                    ..Default::default()
                }),
            ),
        };
        pb::schema::Attribute {
            name: self.name.clone(),
            r#type: ty,
            nested_type: nested,
            description: self.description.clone(),
            required: self.required,
            optional: self.optional,
            computed: self.computed,
            sensitive: self.sensitive,
            description_kind: self.description_kind.to_proto(),
            deprecated: self.deprecation.is_some(),
            write_only: self.write_only,
            deprecation_message: self.deprecation.clone().unwrap_or_default(),
        }
    }
}

fn wrap(nesting: Nesting, obj: Type) -> Type {
    match nesting {
        Nesting::Single | Nesting::Group => obj,
        Nesting::List => Type::list(obj),
        Nesting::Set => Type::set(obj),
        Nesting::Map => Type::map(obj),
    }
}

fn object_nesting(n: Nesting) -> pb::schema::object::NestingMode {
    use pb::schema::object::NestingMode as M;
    match n {
        Nesting::Single | Nesting::Group => M::Single,
        Nesting::List => M::List,
        Nesting::Set => M::Set,
        Nesting::Map => M::Map,
    }
}

/// A nested block type (`operations { … }`).
#[derive(Clone)]
pub struct NestedBlock {
    pub name: String,
    pub nesting: Nesting,
    pub block: Block,
    pub min_items: i64,
    pub max_items: i64,
}

/// A block: attributes and nested blocks.
#[derive(Clone, Default)]
pub struct Block {
    pub attributes: Vec<Attribute>,
    pub blocks: Vec<NestedBlock>,
    pub description: String,
    pub description_kind: DescriptionKind,
    pub deprecation: Option<String>,
}

impl Block {
    pub fn new(description: &str) -> Self {
        Block {
            description: description.to_string(),
            ..Default::default()
        }
    }
    pub fn attribute(mut self, a: Attribute) -> Self {
        self.attributes.push(a);
        self
    }
    pub fn block(mut self, name: &str, nesting: Nesting, block: Block) -> Self {
        let max_items = if nesting == Nesting::Single { 1 } else { 0 };
        self.blocks.push(NestedBlock {
            name: name.to_string(),
            nesting,
            block,
            min_items: 0,
            max_items,
        });
        self
    }

    pub fn value_type(&self) -> Type {
        let mut attrs: BTreeMap<String, Type> = self
            .attributes
            .iter()
            .map(|a| (a.name.clone(), a.value_type()))
            .collect();
        for b in &self.blocks {
            attrs.insert(b.name.clone(), wrap(b.nesting, b.block.value_type()));
        }
        Type::Object(attrs)
    }

    pub fn get_attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }
    pub fn get_block(&self, name: &str) -> Option<&NestedBlock> {
        self.blocks.iter().find(|b| b.name == name)
    }

    fn to_proto(&self, version: i64) -> pb::schema::Block {
        pb::schema::Block {
            version,
            attributes: self.attributes.iter().map(Attribute::to_proto).collect(),
            block_types: self
                .blocks
                .iter()
                .map(|b| {
                    use pb::schema::nested_block::NestingMode as M;
                    pb::schema::NestedBlock {
                        type_name: b.name.clone(),
                        block: Some(b.block.to_proto(0)),
                        nesting: match b.nesting {
                            Nesting::Single => M::Single,
                            Nesting::Group => M::Group,
                            Nesting::List => M::List,
                            Nesting::Set => M::Set,
                            Nesting::Map => M::Map,
                        } as i32,
                        min_items: b.min_items,
                        max_items: b.max_items,
                    }
                })
                .collect(),
            description: self.description.clone(),
            description_kind: self.description_kind.to_proto(),
            deprecated: self.deprecation.is_some(),
            deprecation_message: self.deprecation.clone().unwrap_or_default(),
        }
    }

    /// Runs every attribute's validators over `value` (an object of this block's type).
    pub fn validate(&self, value: &Value, path: &AttributePath, diags: &mut Diagnostics) {
        if !matches!(value, Value::Object(_)) {
            return;
        }
        for a in &self.attributes {
            let v = value.attr(&a.name);
            let p = path.join_attr(&a.name);
            let ctx = ValidateCtx {
                path: &p,
                parent: value,
                attribute: a,
            };
            for validator in &a.validators {
                validator.validate(&ctx, v, diags);
            }
            if let AttrType::Nested(nesting, attrs) = &a.ty {
                let inner = Block {
                    attributes: attrs.clone(),
                    ..Default::default()
                };
                for_each_nested(*nesting, v, &p, |ev, ep| inner.validate(ev, ep, diags));
            }
        }
        for b in &self.blocks {
            let v = value.attr(&b.name);
            let p = path.join_attr(&b.name);
            for_each_nested(b.nesting, v, &p, |ev, ep| b.block.validate(ev, ep, diags));
        }
    }
}

/// Calls `f` on each object inside a nested value, with its path.
fn for_each_nested(
    nesting: Nesting,
    v: &Value,
    path: &AttributePath,
    mut f: impl FnMut(&Value, &AttributePath),
) {
    match (nesting, v) {
        (Nesting::Single | Nesting::Group, Value::Object(_)) => f(v, path),
        (Nesting::List, Value::List(items)) => {
            for (i, item) in items.iter().enumerate() {
                f(item, &path.join_index(i as i64));
            }
        }
        // Set elements have no address of their own; diagnostics point at the set.
        (Nesting::Set, Value::Set(items)) => items.iter().for_each(|item| f(item, path)),
        (Nesting::Map, Value::Map(m)) => {
            for (k, item) in m {
                f(item, &path.join_key(k));
            }
        }
        _ => {}
    }
}

/// A versioned schema for a provider, resource, data source or ephemeral resource.
#[derive(Clone, Default)]
pub struct Schema {
    pub version: i64,
    pub block: Block,
}

impl Schema {
    pub fn new(version: i64, block: Block) -> Self {
        Schema { version, block }
    }
    pub fn value_type(&self) -> Type {
        self.block.value_type()
    }
    pub fn to_proto(&self) -> pb::Schema {
        pb::Schema {
            version: self.version,
            block: Some(self.block.to_proto(self.version)),
        }
    }
    /// Paths of every attribute (at any depth of single nesting) that satisfies `pred`.
    pub fn attribute_paths(&self, pred: impl Fn(&Attribute) -> bool) -> Vec<AttributePath> {
        let mut out = Vec::new();
        collect_paths(&self.block, &AttributePath::root(), &pred, &mut out);
        out
    }
}

fn collect_paths(
    block: &Block,
    base: &AttributePath,
    pred: &dyn Fn(&Attribute) -> bool,
    out: &mut Vec<AttributePath>,
) {
    for a in &block.attributes {
        if pred(a) {
            out.push(base.join_attr(&a.name));
        }
    }
    for b in &block.blocks {
        if matches!(b.nesting, Nesting::Single | Nesting::Group) {
            collect_paths(&b.block, &base.join_attr(&b.name), pred, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Schema {
        Schema::new(
            1,
            Block::new("A sample.")
                .attribute(Attribute::string("id").computed().description("The id."))
                .attribute(
                    Attribute::string("secret")
                        .optional()
                        .sensitive()
                        .write_only()
                        .plain_description("Plain <text>."),
                )
                .attribute(Attribute::nested(
                    "rules",
                    Nesting::List,
                    vec![Attribute::string("name").required()],
                ))
                .block(
                    "conn",
                    Nesting::Single,
                    Block::new("").attribute(Attribute::bool("tls").optional()),
                ),
        )
    }

    #[test]
    fn value_type_covers_attributes_and_blocks() {
        let t = sample().value_type();
        assert_eq!(
            t,
            Type::object([
                ("conn", Type::object([("tls", Type::Bool)])),
                ("id", Type::String),
                ("rules", Type::list(Type::object([("name", Type::String)]))),
                ("secret", Type::String),
            ])
        );
    }

    #[test]
    fn proto_carries_flags_descriptions_and_nesting() {
        let p = sample().to_proto();
        assert_eq!(p.version, 1);
        let b = p.block.unwrap();
        let id = b.attributes.iter().find(|a| a.name == "id").unwrap();
        assert!(id.computed && !id.optional);
        assert_eq!(id.r#type, b"\"string\"");
        assert_eq!(id.description, "The id.");
        assert_eq!(id.description_kind, pb::StringKind::Markdown as i32);
        let secret = b.attributes.iter().find(|a| a.name == "secret").unwrap();
        assert!(secret.sensitive && secret.write_only);
        assert_eq!(secret.description_kind, pb::StringKind::Plain as i32);
        let rules = b.attributes.iter().find(|a| a.name == "rules").unwrap();
        assert!(rules.r#type.is_empty());
        assert_eq!(
            rules.nested_type.as_ref().unwrap().nesting,
            pb::schema::object::NestingMode::List as i32
        );
        assert_eq!(b.block_types[0].type_name, "conn");
        assert_eq!(b.block_types[0].max_items, 1);
    }

    #[test]
    fn attribute_paths_reach_into_single_blocks() {
        let paths = sample().attribute_paths(|a| a.optional);
        let names: Vec<String> = paths.iter().map(|p| p.to_string()).collect();
        assert_eq!(names, vec!["secret", "conn.tls"]);
    }
}
