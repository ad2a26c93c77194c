//! Attribute validators: small reusable values attached to schema attributes. Each one reports
//! on the attribute's own path, says what was expected, and ignores null and unknown values
//! (unknown values are checked again once they are known).

use super::diag::{AttributePath, Diagnostics};
use super::schema::Attribute;
use super::value::Value;

/// Where a validator runs: the attribute's path, the object that holds it (for rules about
/// sibling attributes), and its schema.
pub struct ValidateCtx<'a> {
    pub path: &'a AttributePath,
    pub parent: &'a Value,
    pub attribute: &'a Attribute,
}

pub trait Validator: Send + Sync {
    /// One sentence for the documentation ("must be one of `a`, `b`").
    fn description(&self) -> String;
    fn validate(&self, ctx: &ValidateCtx<'_>, value: &Value, diags: &mut Diagnostics);
}

fn is_set(v: &Value) -> bool {
    !v.is_null()
}

fn backticked(items: &[String]) -> String {
    items
        .iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The string must be one of the listed values.
pub struct OneOf(pub Vec<String>);

impl OneOf {
    pub fn new(values: &[&str]) -> Self {
        OneOf(values.iter().map(|s| s.to_string()).collect())
    }
}

impl Validator for OneOf {
    fn description(&self) -> String {
        format!("must be one of {}", backticked(&self.0))
    }
    fn validate(&self, ctx: &ValidateCtx<'_>, value: &Value, diags: &mut Diagnostics) {
        if let Some(s) = value.as_str()
            && !self.0.iter().any(|v| v == s)
        {
            diags.attr_error(
                ctx.path.clone(),
                "Invalid attribute value",
                format!("{} {}, got {s:?}.", ctx.path, self.description()),
            );
        }
    }
}

/// String length (in characters) or collection size within bounds.
pub struct Length {
    pub min: usize,
    pub max: usize,
}

impl Length {
    pub fn between(min: usize, max: usize) -> Self {
        Length { min, max }
    }
    pub fn at_least(min: usize) -> Self {
        Length {
            min,
            max: usize::MAX,
        }
    }
}

impl Validator for Length {
    fn description(&self) -> String {
        match self.max {
            usize::MAX => format!("must have a length of at least {}", self.min),
            max => format!("must have a length between {} and {max}", self.min),
        }
    }
    fn validate(&self, ctx: &ValidateCtx<'_>, value: &Value, diags: &mut Diagnostics) {
        let len = match value {
            Value::String(s) => s.chars().count(),
            Value::List(v) | Value::Set(v) | Value::Tuple(v) => v.len(),
            Value::Map(m) => m.len(),
            _ => return,
        };
        if len < self.min || len > self.max {
            diags.attr_error(
                ctx.path.clone(),
                "Invalid attribute value length",
                format!(
                    "{} {}, got a length of {len}.",
                    ctx.path,
                    self.description()
                ),
            );
        }
    }
}

/// The string must match a regular expression; `hint` tells the user what that means.
pub struct Matches {
    re: regex_lite::Regex,
    hint: String,
}

impl Matches {
    /// Panics on an invalid pattern: patterns are constants written in this crate, and the
    /// unit tests build every schema.
    pub fn new(pattern: &str, hint: &str) -> Self {
        let re = regex_lite::Regex::new(pattern)
            .unwrap_or_else(|e| panic!("bad validator pattern {pattern}: {e}"));
        Matches {
            re,
            hint: hint.to_string(),
        }
    }
}

impl Validator for Matches {
    fn description(&self) -> String {
        format!("must be {}", self.hint)
    }
    fn validate(&self, ctx: &ValidateCtx<'_>, value: &Value, diags: &mut Diagnostics) {
        if let Some(s) = value.as_str()
            && !self.re.is_match(s)
        {
            diags.attr_error(
                ctx.path.clone(),
                "Invalid attribute value",
                format!("{} {}, got {s:?}.", ctx.path, self.description()),
            );
        }
    }
}

/// True for `.` and `..`: as a segment of a request URL they name the object's parent or its
/// collection instead of the object (URL libraries resolve them, in any percent-encoding).
pub fn is_dot_segment(s: &str) -> bool {
    s == "." || s == ".."
}

/// The string becomes a segment of a request URL, so it must not be `.` or `..`.
pub struct PathSegment;

impl Validator for PathSegment {
    fn description(&self) -> String {
        "must not be `.` or `..`".to_string()
    }
    fn validate(&self, ctx: &ValidateCtx<'_>, value: &Value, diags: &mut Diagnostics) {
        if let Some(s) = value.as_str()
            && is_dot_segment(s)
        {
            diags.attr_error(
                ctx.path.clone(),
                "Invalid attribute value",
                format!(
                    "{} {}, got {s:?}: the value is a segment of the API's URLs, where {s:?} would \
                     name the parent object or the whole collection instead of this one.",
                    ctx.path,
                    self.description()
                ),
            );
        }
    }
}

/// A whole number within bounds.
pub struct IntBetween(pub i64, pub i64);

impl Validator for IntBetween {
    fn description(&self) -> String {
        format!("must be a whole number between {} and {}", self.0, self.1)
    }
    fn validate(&self, ctx: &ValidateCtx<'_>, value: &Value, diags: &mut Diagnostics) {
        let Some(n) = value.as_number() else { return };
        if !n.as_i64().is_some_and(|i| i >= self.0 && i <= self.1) {
            diags.attr_error(
                ctx.path.clone(),
                "Invalid attribute value",
                format!("{} {}, got {n}.", ctx.path, self.description()),
            );
        }
    }
}

/// A custom check: `check` returns an explanation when the value is wrong.
pub struct Check {
    description: String,
    check: fn(&Value) -> Option<String>,
}

impl Check {
    pub fn new(description: &str, check: fn(&Value) -> Option<String>) -> Self {
        Check {
            description: description.to_string(),
            check,
        }
    }
}

impl Validator for Check {
    fn description(&self) -> String {
        self.description.clone()
    }
    fn validate(&self, ctx: &ValidateCtx<'_>, value: &Value, diags: &mut Diagnostics) {
        if value.is_null() || !value.is_wholly_known() {
            return;
        }
        if let Some(problem) = (self.check)(value) {
            diags.attr_error(
                ctx.path.clone(),
                "Invalid attribute value",
                format!("{}: {problem}", ctx.path),
            );
        }
    }
}

/// This attribute cannot be set together with any of the named sibling attributes.
pub struct ConflictsWith(pub Vec<String>);

impl ConflictsWith {
    pub fn new(others: &[&str]) -> Self {
        ConflictsWith(others.iter().map(|s| s.to_string()).collect())
    }
}

impl Validator for ConflictsWith {
    fn description(&self) -> String {
        format!("conflicts with {}", backticked(&self.0))
    }
    fn validate(&self, ctx: &ValidateCtx<'_>, value: &Value, diags: &mut Diagnostics) {
        if !is_set(value) {
            return;
        }
        for other in &self.0 {
            if is_set(ctx.parent.attr(other)) {
                diags.attr_error(
                    ctx.path.clone(),
                    "Conflicting configuration arguments",
                    format!(
                        "{} cannot be set together with `{other}`: set only one of them.",
                        ctx.path
                    ),
                );
            }
        }
    }
}

/// When this attribute is set, the named sibling attributes must be set too — in the
/// configuration, or through the environment variable each falls back to (see
/// [`AlsoRequires::or_env`]).
pub struct AlsoRequires(pub Vec<String>, pub Vec<Option<String>>);

impl AlsoRequires {
    pub fn new(others: &[&str]) -> Self {
        AlsoRequires(others.iter().map(|s| s.to_string()).collect(), Vec::new())
    }

    /// The environment variables the siblings fall back to, in the same order: a sibling that
    /// is unset in the configuration but set in its variable counts as set.
    pub fn or_env(mut self, vars: &[&str]) -> Self {
        self.1 = vars.iter().map(|v| Some(v.to_string())).collect();
        self
    }

    fn set_in_env(&self, i: usize) -> bool {
        self.1
            .get(i)
            .and_then(|v| v.as_deref())
            .and_then(|v| std::env::var(v).ok())
            .is_some_and(|v| !v.is_empty())
    }
}

impl Validator for AlsoRequires {
    fn description(&self) -> String {
        let names: Vec<String> = self
            .0
            .iter()
            .enumerate()
            .map(|(i, o)| match self.1.get(i).and_then(|v| v.as_deref()) {
                Some(v) => format!("`{o}` (or `{v}`)"),
                None => format!("`{o}`"),
            })
            .collect();
        format!("requires {} to be set as well", names.join(", "))
    }
    fn validate(&self, ctx: &ValidateCtx<'_>, value: &Value, diags: &mut Diagnostics) {
        if !is_set(value) {
            return;
        }
        for (i, other) in self.0.iter().enumerate() {
            if ctx.parent.attr(other).is_null() && !self.set_in_env(i) {
                let var = match self.1.get(i).and_then(|v| v.as_deref()) {
                    Some(v) => format!(" (or the environment variable {v})"),
                    None => String::new(),
                };
                diags.attr_error(
                    ctx.path.clone(),
                    "Missing required argument",
                    format!(
                        "{} is set, so `{other}` must be set as well{var}.",
                        ctx.path
                    ),
                );
            }
        }
    }
}

/// At least one of this attribute and the named siblings must be set. Runs even when this
/// attribute is null; an unknown value counts as set.
pub struct AtLeastOneOf(pub Vec<String>);

impl AtLeastOneOf {
    pub fn new(others: &[&str]) -> Self {
        AtLeastOneOf(others.iter().map(|s| s.to_string()).collect())
    }
}

impl Validator for AtLeastOneOf {
    fn description(&self) -> String {
        format!(
            "at least one of this attribute and {} must be set",
            backticked(&self.0)
        )
    }
    fn validate(&self, ctx: &ValidateCtx<'_>, value: &Value, diags: &mut Diagnostics) {
        if !matches!(ctx.parent, Value::Object(_)) {
            return;
        }
        if is_set(value) || self.0.iter().any(|o| is_set(ctx.parent.attr(o))) {
            return;
        }
        let mut names = vec![ctx.attribute.name.clone()];
        names.extend(self.0.iter().cloned());
        diags.attr_error(
            ctx.path.clone(),
            "Missing required argument",
            format!("At least one of {} must be set.", backticked(&names)),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::schema::Block;

    fn run(block: &Block, v: Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        block.validate(&v, &AttributePath::root(), &mut d);
        d
    }

    fn only_path(d: &Diagnostics) -> String {
        assert_eq!(d.0.len(), 1, "{d:?}");
        d.0[0].attribute.as_ref().unwrap().to_string()
    }

    #[test]
    fn path_segments_refuse_dot_segments() {
        let block = Block::new("").attribute(
            Attribute::string("client_id")
                .optional()
                .validator(PathSegment),
        );
        for bad in [".", ".."] {
            let d = run(&block, Value::object([("client_id", Value::string(bad))]));
            assert_eq!(only_path(&d), "client_id");
            assert!(d.0[0].detail.contains("must not be"), "{d:?}");
        }
        for good in ["...", ".a", "a..b", "a"] {
            let d = run(&block, Value::object([("client_id", Value::string(good))]));
            assert!(d.0.is_empty(), "{good}: {d:?}");
        }
    }

    #[test]
    fn each_validator_reports_on_its_attribute() {
        let block = Block::new("")
            .attribute(
                Attribute::string("kind")
                    .optional()
                    .validator(OneOf::new(&["a", "b"])),
            )
            .attribute(
                Attribute::string("name")
                    .optional()
                    .validator(Length::between(1, 3)),
            )
            .attribute(
                Attribute::string("host")
                    .optional()
                    .validator(Matches::new("^[a-z.]+$", "a host name")),
            )
            .attribute(
                Attribute::string("token")
                    .optional()
                    .validator(ConflictsWith::new(&["user"])),
            )
            .attribute(
                Attribute::string("user")
                    .optional()
                    .validator(AlsoRequires::new(&["pass"])),
            )
            .attribute(Attribute::string("pass").optional())
            .attribute(
                Attribute::number("n")
                    .optional()
                    .validator(IntBetween(1, 5)),
            )
            .attribute(
                Attribute::string("x")
                    .optional()
                    .validator(AtLeastOneOf::new(&["y"])),
            )
            .attribute(Attribute::string("y").optional());
        let ok = Value::object([
            ("kind", "a".into()),
            ("name", "ab".into()),
            ("x", "1".into()),
        ]);
        assert!(run(&block, ok.clone()).is_empty());

        let with = |k: &str, v: Value| {
            let mut o = ok.clone();
            o.set_attr(k, v);
            o
        };
        assert_eq!(only_path(&run(&block, with("kind", "c".into()))), "kind");
        assert_eq!(only_path(&run(&block, with("name", "abcd".into()))), "name");
        assert_eq!(only_path(&run(&block, with("host", "A B".into()))), "host");
        assert_eq!(only_path(&run(&block, with("n", 6.into()))), "n");
        assert_eq!(only_path(&run(&block, with("x", Value::Null))), "x");
        let both = with("token", "t".into());
        let mut both = both;
        both.set_attr("user", "u".into());
        both.set_attr("pass", "p".into());
        assert_eq!(only_path(&run(&block, both)), "token");
        assert_eq!(only_path(&run(&block, with("user", "u".into()))), "user");
        // Unknown values are not judged.
        assert!(run(&block, with("kind", Value::Unknown)).is_empty());
    }

    #[test]
    fn nested_blocks_are_validated_with_their_path() {
        let inner = Block::new("").attribute(
            Attribute::string("host")
                .optional()
                .validator(Length::at_least(2)),
        );
        let block = Block::new("").block("ops", crate::framework::schema::Nesting::Single, inner);
        let v = Value::object([("ops", Value::object([("host", "a".into())]))]);
        assert_eq!(only_path(&run(&block, v)), "ops.host");
    }
}
