//! The body of the paged client and token queries (ClientTokenQuery): search terms and filters.

use serde::Deserialize;

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct QueryBody {
    pub(super) search_terms: SearchTerms,
    pub(super) filters: Filters,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct SearchTerms {
    all_of: Vec<Term>,
    any_of: Vec<Term>,
}

#[derive(Deserialize)]
struct Term {
    field: Field,
    terms: Vec<String>,
    #[serde(default = "default_op")]
    operator: Operator,
}

fn default_op() -> Operator {
    Operator::Like
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(super) enum Field {
    ClientId,
    ClientName,
    TokenName,
    PrincipalName,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
enum Operator {
    Like,
    Equals,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct Filters {
    pub(super) token_type: Vec<String>,
    pub(super) token_status: Vec<String>,
}

impl SearchTerms {
    /// Every `allOf` term and (when there are any) one `anyOf` term hold for the object whose
    /// fields `value` gives (`None`: the object has no such field, and the term fails).
    pub(super) fn matches<'a>(&self, value: impl Fn(Field) -> Option<&'a str>) -> bool {
        let hit = |t: &Term| value(t.field).is_some_and(|v| t.matches(v));
        self.all_of.iter().all(hit) && (self.any_of.is_empty() || self.any_of.iter().any(hit))
    }
}

impl Term {
    fn matches(&self, value: &str) -> bool {
        self.terms.iter().any(|term| match self.operator {
            Operator::Equals => value == term,
            Operator::Like => {
                let needle = term.trim_matches(|c| c == '%' || c == '*').to_lowercase();
                value.to_lowercase().contains(&needle)
            }
        })
    }
}
