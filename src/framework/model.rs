//! Typed models: a plain Rust struct per resource, data source, ephemeral or list type, converted
//! to and from the wire [`Value`] once, at the framework border.
//!
//! A model is declared with [`model!`](crate::model): each field is one attribute (or nested
//! block) of the type's schema, named like the attribute. Resource code then reads
//! `plan.display_name` instead of looking a value up by its name, so a misspelt attribute is a
//! compile error, and a model that does not match its schema fails the registry test
//! (`resources::registry`), which compares [`Model::attribute_names`] with every schema.
//!
//! Field types: [`Val<T>`] where Terraform may send null or unknown (anything optional or
//! computed, and every attribute of a configuration, which may be unknown at plan time); a plain
//! `T` only where the value is always known and set (decoding fails otherwise). `T` is one of
//! `String`, `bool`, `i64`, [`Number`], [`Secret`] (sensitive strings), [`Value`] (kept as it
//! is), `Vec<T>` (a list), [`SetOf<T>`] (a set), `BTreeMap<String, T>` (a map) or another model
//! (a nested object).

use std::collections::BTreeMap;

use super::diag::{AttributePath, Diagnostic};
use super::secret::Secret;
use super::value::{Number, Value};

/// A value that Terraform may not know yet (unknown) or that may be unset (null).
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Val<T> {
    #[default]
    Null,
    /// Known only after apply.
    Unknown,
    Known(T),
}

impl<T> Val<T> {
    /// The value when it is known and set.
    pub fn get(&self) -> Option<&T> {
        match self {
            Val::Known(v) => Some(v),
            _ => None,
        }
    }
    pub fn into_option(self) -> Option<T> {
        match self {
            Val::Known(v) => Some(v),
            _ => None,
        }
    }
    pub fn is_null(&self) -> bool {
        matches!(self, Val::Null)
    }
    pub fn is_unknown(&self) -> bool {
        matches!(self, Val::Unknown)
    }
    pub fn is_known(&self) -> bool {
        !self.is_unknown()
    }
    pub fn as_ref(&self) -> Val<&T> {
        match self {
            Val::Null => Val::Null,
            Val::Unknown => Val::Unknown,
            Val::Known(v) => Val::Known(v),
        }
    }
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Val<U> {
        match self {
            Val::Null => Val::Null,
            Val::Unknown => Val::Unknown,
            Val::Known(v) => Val::Known(f(v)),
        }
    }
    /// A known value when `o` is some, null otherwise.
    pub fn from_option(o: Option<T>) -> Self {
        o.map_or(Val::Null, Val::Known)
    }
}

impl Val<String> {
    pub fn as_deref(&self) -> Option<&str> {
        self.get().map(String::as_str)
    }
}

impl<T> From<Option<T>> for Val<T> {
    fn from(o: Option<T>) -> Self {
        Val::from_option(o)
    }
}

impl From<&str> for Val<String> {
    fn from(s: &str) -> Self {
        Val::Known(s.to_string())
    }
}

impl<T> From<T> for Val<T>
where
    T: KnownScalar,
{
    fn from(v: T) -> Self {
        Val::Known(v)
    }
}

/// The scalar types that convert straight into a known [`Val`].
pub trait KnownScalar {}
impl KnownScalar for String {}
impl KnownScalar for bool {}
impl KnownScalar for i64 {}
impl KnownScalar for Secret {}

/// Converts a wire value into a typed field. `path` names the attribute, for the error.
pub trait FromValue: Sized {
    fn from_value(v: &Value, path: &AttributePath) -> Result<Self, Diagnostic>;
}

/// Converts a typed field into its wire value.
pub trait ToValue {
    fn to_value(&self) -> Value;
}

/// A struct of a type's attributes; see the module documentation. Implemented by
/// [`model!`](crate::model).
pub trait Model: FromValue + ToValue + Default + Clone + Send + Sync + 'static {
    /// The attribute (and nested block) names, in declaration order.
    fn attribute_names() -> Vec<&'static str>;
    /// Decodes a whole object (a plan, state or configuration). Null decodes as the default
    /// model: every [`Val`] null.
    fn decode(v: &Value) -> Result<Self, Diagnostic> {
        if v.is_null() {
            return Ok(Self::default());
        }
        Self::from_value(v, &AttributePath::root())
    }
}

/// The error for a value of another shape than the model expects: the model and the schema
/// disagree, which is a provider bug, never a user's.
pub fn mismatch(path: &AttributePath, expected: &str, found: &Value) -> Diagnostic {
    let found = match found {
        Value::Null => "null",
        Value::Unknown => "an unknown value",
        Value::Bool(_) => "a bool",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::List(_) => "a list",
        Value::Set(_) => "a set",
        Value::Map(_) => "a map",
        Value::Object(_) => "an object",
        Value::Tuple(_) => "a tuple",
    };
    Diagnostic::error(
        "Provider bug: value does not match the model",
        format!("Expected {expected} but found {found}. Please report this issue to the provider developers."),
    )
    .at(path.clone())
}

impl<T: FromValue> FromValue for Val<T> {
    fn from_value(v: &Value, path: &AttributePath) -> Result<Self, Diagnostic> {
        Ok(match v {
            Value::Null => Val::Null,
            Value::Unknown => Val::Unknown,
            v => Val::Known(T::from_value(v, path)?),
        })
    }
}

impl<T: ToValue> ToValue for Val<T> {
    fn to_value(&self) -> Value {
        match self {
            Val::Null => Value::Null,
            Val::Unknown => Value::Unknown,
            Val::Known(v) => v.to_value(),
        }
    }
}

impl FromValue for String {
    fn from_value(v: &Value, path: &AttributePath) -> Result<Self, Diagnostic> {
        v.as_str()
            .map(str::to_string)
            .ok_or_else(|| mismatch(path, "a known string", v))
    }
}
impl ToValue for String {
    fn to_value(&self) -> Value {
        Value::String(self.clone())
    }
}

impl FromValue for Secret {
    fn from_value(v: &Value, path: &AttributePath) -> Result<Self, Diagnostic> {
        v.as_str()
            .map(Secret::new)
            .ok_or_else(|| mismatch(path, "a known string", v))
    }
}
impl ToValue for Secret {
    fn to_value(&self) -> Value {
        Value::String(self.expose().to_string())
    }
}

impl FromValue for bool {
    fn from_value(v: &Value, path: &AttributePath) -> Result<Self, Diagnostic> {
        v.as_bool().ok_or_else(|| mismatch(path, "a known bool", v))
    }
}
impl ToValue for bool {
    fn to_value(&self) -> Value {
        Value::Bool(*self)
    }
}

impl FromValue for i64 {
    fn from_value(v: &Value, path: &AttributePath) -> Result<Self, Diagnostic> {
        v.as_i64()
            .ok_or_else(|| mismatch(path, "a known whole number", v))
    }
}
impl ToValue for i64 {
    fn to_value(&self) -> Value {
        Value::from(*self)
    }
}

impl FromValue for Number {
    fn from_value(v: &Value, path: &AttributePath) -> Result<Self, Diagnostic> {
        v.as_number()
            .cloned()
            .ok_or_else(|| mismatch(path, "a known number", v))
    }
}
impl ToValue for Number {
    fn to_value(&self) -> Value {
        Value::Number(self.clone())
    }
}

/// A value kept as it is (dynamic attributes, or what the model leaves to the code).
impl FromValue for Value {
    fn from_value(v: &Value, _path: &AttributePath) -> Result<Self, Diagnostic> {
        Ok(v.clone())
    }
}
impl ToValue for Value {
    fn to_value(&self) -> Value {
        self.clone()
    }
}

fn elements<T: FromValue>(items: &[Value], path: &AttributePath) -> Result<Vec<T>, Diagnostic> {
    items
        .iter()
        .enumerate()
        .map(|(i, e)| T::from_value(e, &path.join_index(i as i64)))
        .collect()
}

/// A list attribute or block.
impl<T: FromValue> FromValue for Vec<T> {
    fn from_value(v: &Value, path: &AttributePath) -> Result<Self, Diagnostic> {
        match v {
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => elements(items, path),
            other => Err(mismatch(path, "a known list", other)),
        }
    }
}
impl<T: ToValue> ToValue for Vec<T> {
    fn to_value(&self) -> Value {
        Value::List(self.iter().map(ToValue::to_value).collect())
    }
}

/// A set attribute or block: element order carries no meaning.
#[derive(Clone, Debug, Default)]
pub struct SetOf<T>(pub Vec<T>);

impl<T: PartialEq> PartialEq for SetOf<T> {
    fn eq(&self, other: &Self) -> bool {
        self.0.len() == other.0.len() && self.0.iter().all(|e| other.0.contains(e))
    }
}

impl<T: FromValue> FromValue for SetOf<T> {
    fn from_value(v: &Value, path: &AttributePath) -> Result<Self, Diagnostic> {
        match v {
            Value::Set(items) | Value::List(items) => elements(items, path).map(SetOf),
            other => Err(mismatch(path, "a known set", other)),
        }
    }
}
impl<T: ToValue> ToValue for SetOf<T> {
    fn to_value(&self) -> Value {
        Value::Set(self.0.iter().map(ToValue::to_value).collect())
    }
}

/// A map attribute.
impl<T: FromValue> FromValue for BTreeMap<String, T> {
    fn from_value(v: &Value, path: &AttributePath) -> Result<Self, Diagnostic> {
        match v {
            Value::Map(m) | Value::Object(m) => m
                .iter()
                .map(|(k, e)| Ok((k.clone(), T::from_value(e, &path.join_key(k))?)))
                .collect(),
            other => Err(mismatch(path, "a known map", other)),
        }
    }
}
impl<T: ToValue> ToValue for BTreeMap<String, T> {
    fn to_value(&self) -> Value {
        Value::Map(
            self.iter()
                .map(|(k, v)| (k.clone(), v.to_value()))
                .collect(),
        )
    }
}

/// The attribute `name` of an object value, for [`model!`](crate::model).
#[doc(hidden)]
pub fn field<T: FromValue>(
    attrs: &BTreeMap<String, Value>,
    name: &str,
    path: &AttributePath,
) -> Result<T, Diagnostic> {
    let path = path.join_attr(name);
    match attrs.get(name) {
        Some(v) => T::from_value(v, &path),
        None => Err(mismatch(&path, "an attribute of the model", &Value::Null)),
    }
}

/// The name of a field as an attribute name (`r#type` is `type`).
#[doc(hidden)]
pub fn attribute_name(field: &'static str) -> &'static str {
    field.strip_prefix("r#").unwrap_or(field)
}

/// Declares a model: a struct whose fields are the attributes of a schema. See
/// [`framework::model`](crate::framework::model).
///
/// ```
/// use terraform_provider_vcf::model;
/// use terraform_provider_vcf::framework::model::{Model, Val};
/// model! {
///     /// One realm.
///     pub struct Realm {
///         pub id: Val<String>,
///         pub r#type: Val<String>,
///     }
/// }
/// assert_eq!(Realm::attribute_names(), ["id", "type"]);
/// ```
#[macro_export]
macro_rules! model {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            $( $(#[$fmeta:meta])* $fvis:vis $field:ident : $ty:ty ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, Default, PartialEq)]
        $vis struct $name {
            $( $(#[$fmeta])* $fvis $field: $ty, )*
        }

        impl $crate::framework::model::FromValue for $name {
            fn from_value(
                v: &$crate::framework::Value,
                path: &$crate::framework::AttributePath,
            ) -> ::std::result::Result<Self, $crate::framework::Diagnostic> {
                let Some(attrs) = v.entries() else {
                    return Err($crate::framework::model::mismatch(path, "a known object", v));
                };
                Ok($name {
                    $( $field: $crate::framework::model::field(
                        attrs,
                        $crate::framework::model::attribute_name(stringify!($field)),
                        path,
                    )?, )*
                })
            }
        }

        impl $crate::framework::model::ToValue for $name {
            fn to_value(&self) -> $crate::framework::Value {
                $crate::framework::Value::Object(::std::collections::BTreeMap::from([
                    $( (
                        $crate::framework::model::attribute_name(stringify!($field)).to_string(),
                        $crate::framework::model::ToValue::to_value(&self.$field),
                    ), )*
                ]))
            }
        }

        impl $crate::framework::model::Model for $name {
            fn attribute_names() -> ::std::vec::Vec<&'static str> {
                ::std::vec![$( $crate::framework::model::attribute_name(stringify!($field)) ),*]
            }
        }
    };
}

/// The path of a model's attribute, checked when compiled: `attr_path!(UserModel, role)` is
/// the path of the attribute `role`, and a field the model does not have does not compile.
/// `attr_path!(at base, ItemModel, roles)` is the attribute `roles` of the nested object at
/// the path `base`.
///
/// ```
/// use terraform_provider_vcf::{attr_path, model};
/// use terraform_provider_vcf::framework::{AttributePath, model::Val};
/// model! {
///     pub struct User {
///         pub r#type: Val<String>,
///     }
/// }
/// assert_eq!(attr_path!(User, r#type), AttributePath::attr("type"));
/// ```
///
/// ```compile_fail
/// use terraform_provider_vcf::{attr_path, model};
/// use terraform_provider_vcf::framework::model::Val;
/// model! {
///     pub struct User {
///         pub role: Val<String>,
///     }
/// }
/// let _ = attr_path!(User, rol);
/// ```
#[macro_export]
macro_rules! attr_path {
    (at $base:expr, $model:ty, $field:ident) => {{
        let _ = |m: &$model| {
            let _ = &m.$field;
        };
        $base.join_attr($crate::framework::model::attribute_name(stringify!($field)))
    }};
    ($model:ty, $field:ident) => {{
        let _ = |m: &$model| {
            let _ = &m.$field;
        };
        $crate::framework::AttributePath::attr($crate::framework::model::attribute_name(
            stringify!($field),
        ))
    }};
}

#[cfg(test)]
mod tests {
    use super::*;

    crate::model! {
        struct Inner {
            id: Val<String>,
            r#type: String,
        }
    }

    crate::model! {
        struct Outer {
            name: Val<String>,
            count: Val<i64>,
            enabled: Val<bool>,
            token: Val<Secret>,
            tags: Val<BTreeMap<String, String>>,
            items: Val<Vec<Inner>>,
            roles: Val<SetOf<String>>,
        }
    }

    fn sample() -> Value {
        Value::object([
            ("name", Value::string("a")),
            ("count", Value::Unknown),
            ("enabled", Value::Null),
            ("token", Value::string("s3cret")),
            (
                "tags",
                Value::Map(BTreeMap::from([("k".to_string(), Value::string("v"))])),
            ),
            (
                "items",
                Value::List(vec![Value::object([
                    ("id", Value::Null),
                    ("type", Value::string("VCF_INSTANCE")),
                ])]),
            ),
            (
                "roles",
                Value::Set(vec![Value::string("x"), Value::string("y")]),
            ),
        ])
    }

    #[test]
    fn round_trips_null_unknown_and_nested_values() {
        let v = sample();
        let m = Outer::decode(&v).unwrap();
        assert_eq!(m.name.as_deref(), Some("a"));
        assert!(m.count.is_unknown());
        assert!(m.enabled.is_null());
        assert_eq!(m.token.get().map(Secret::expose), Some("s3cret"));
        assert_eq!(m.items.get().unwrap()[0].r#type, "VCF_INSTANCE");
        assert_eq!(m.to_value(), v);
        assert_eq!(
            Outer::attribute_names(),
            [
                "name", "count", "enabled", "token", "tags", "items", "roles"
            ]
        );
        assert_eq!(Inner::attribute_names(), ["id", "type"]);
    }

    #[test]
    fn null_object_decodes_as_all_null() {
        let m = Outer::decode(&Value::Null).unwrap();
        assert_eq!(m, Outer::default());
        assert!(m.name.is_null());
    }

    #[test]
    fn missing_attribute_or_wrong_shape_is_a_pathed_error() {
        let mut v = sample();
        if let Value::Object(m) = &mut v {
            m.remove("roles");
        }
        let e = Outer::decode(&v).unwrap_err();
        assert_eq!(e.attribute, Some(AttributePath::attr("roles")));

        let mut v = sample();
        v.set_attr(
            "items",
            Value::List(vec![Value::object([
                ("id", Value::Null),
                ("type", Value::Null),
            ])]),
        );
        let e = Outer::decode(&v).unwrap_err();
        assert_eq!(
            e.attribute,
            Some(AttributePath::attr("items").join_index(0).join_attr("type"))
        );
        assert!(e.detail.contains("known string"), "{}", e.detail);
    }

    #[test]
    fn secret_fields_stay_redacted_in_debug() {
        let m = Outer::decode(&sample()).unwrap();
        assert!(!format!("{m:?}").contains("s3cret"));
    }
}
