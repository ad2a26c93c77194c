//! Diagnostics (errors and warnings shown by Terraform) and the attribute paths that point them
//! at the part of the configuration that is wrong.

use std::fmt;

/// One step of an attribute path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathStep {
    /// An attribute or nested block by name.
    Attr(String),
    /// A map element by key.
    Key(String),
    /// A list or tuple element by position.
    Index(i64),
}

/// Where in a configuration, plan or state a diagnostic applies.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AttributePath(pub Vec<PathStep>);

impl AttributePath {
    pub fn root() -> Self {
        AttributePath(Vec::new())
    }
    /// A path to a top-level attribute.
    pub fn attr(name: &str) -> Self {
        AttributePath(vec![PathStep::Attr(name.to_string())])
    }
    /// Parses a dotted path such as `operations.api_token` (attribute steps only).
    pub fn dotted(path: &str) -> Self {
        AttributePath(
            path.split('.')
                .map(|s| PathStep::Attr(s.to_string()))
                .collect(),
        )
    }
    pub fn join_attr(&self, name: &str) -> Self {
        let mut p = self.clone();
        p.0.push(PathStep::Attr(name.to_string()));
        p
    }
    pub fn join_key(&self, key: &str) -> Self {
        let mut p = self.clone();
        p.0.push(PathStep::Key(key.to_string()));
        p
    }
    pub fn join_index(&self, i: i64) -> Self {
        let mut p = self.clone();
        p.0.push(PathStep::Index(i));
        p
    }
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for AttributePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, step) in self.0.iter().enumerate() {
            match step {
                PathStep::Attr(a) if i == 0 => write!(f, "{a}")?,
                PathStep::Attr(a) => write!(f, ".{a}")?,
                PathStep::Key(k) => write!(f, "[{k:?}]")?,
                PathStep::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

/// One message for the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub summary: String,
    pub detail: String,
    pub attribute: Option<AttributePath>,
}

impl Diagnostic {
    pub fn error(summary: impl Into<String>, detail: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            summary: summary.into(),
            detail: detail.into(),
            attribute: None,
        }
    }
    pub fn warning(summary: impl Into<String>, detail: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            summary: summary.into(),
            detail: detail.into(),
            attribute: None,
        }
    }
    pub fn at(mut self, path: AttributePath) -> Self {
        self.attribute = Some(path);
        self
    }
}

/// The diagnostics gathered while handling one request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }
    pub fn error(&mut self, summary: impl Into<String>, detail: impl Into<String>) {
        self.push(Diagnostic::error(summary, detail));
    }
    pub fn warning(&mut self, summary: impl Into<String>, detail: impl Into<String>) {
        self.push(Diagnostic::warning(summary, detail));
    }
    pub fn attr_error(
        &mut self,
        path: AttributePath,
        summary: impl Into<String>,
        detail: impl Into<String>,
    ) {
        self.push(Diagnostic::error(summary, detail).at(path));
    }
    pub fn attr_warning(
        &mut self,
        path: AttributePath,
        summary: impl Into<String>,
        detail: impl Into<String>,
    ) {
        self.push(Diagnostic::warning(summary, detail).at(path));
    }
    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(|d| d.severity == Severity::Error)
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Diagnostics(vec![d])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_print_like_terraform_addresses() {
        let p = AttributePath::attr("operations").join_attr("api_token");
        assert_eq!(p.to_string(), "operations.api_token");
        let p = AttributePath::attr("tags")
            .join_key("team")
            .join_attr("x")
            .join_index(2);
        assert_eq!(p.to_string(), "tags[\"team\"].x[2]");
        assert_eq!(
            AttributePath::dotted("a.b.c"),
            AttributePath::attr("a").join_attr("b").join_attr("c")
        );
    }

    #[test]
    fn errors_are_detected_among_warnings() {
        let mut d = Diagnostics::new();
        d.warning("w", "");
        assert!(!d.has_errors());
        d.attr_error(AttributePath::attr("x"), "e", "");
        assert!(d.has_errors());
        assert_eq!(d.0[1].attribute.as_ref().unwrap().to_string(), "x");
    }
}
