//! Discovery and adoption of fleet IAM objects made outside Terraform: the identities of the
//! fleet resources, import by identity where it needs a lookup, and the list resources of
//! `terraform query` (`vcf_api_client`, `vcf_api_token`, `vcf_role_assignment`).
//!
//! Identity decisions (Terraform refuses an identity that changes without replacement):
//! - `vcf_api_token` is identified by `{sso_realm_id, api_client_id, name}`: the ACTIVE token of
//!   that name of that client. Its `id` is not part of the identity because the regenerate call
//!   (an in-place update) may give the token a new id (the reference does not say it keeps it);
//!   the name and client survive it. Token names
//!   are not unique in the API, so importing by identity refuses when two ACTIVE tokens share the
//!   name (import those by ID).
//! - `vcf_role_assignment` is identified by `{sso_realm_id, principal_id, role_name, scope}`
//!   where `scope` is `SSO_REALM`, or `VCF_INSTANCE:<id>[,<id>…]` with the instance ids sorted.

use async_trait::async_trait;

use crate::client::Call;
use crate::framework::duration;
use crate::framework::validate::{Check, Length, OneOf, PathSegment};
use crate::framework::{
    Attribute, Block, Ctx, Diagnostics, IdentityAttribute, IdentitySchema, ListResource, ListSink,
    Resource, Schema, Value,
};

use super::api_token::{ApiToken, token_state};
use super::roles::RoleAssignment;
use super::{
    AssignmentJson, Fleet, REALM_IDENTITY, RealmJson, TokenPage, fleet, paths,
    realm_lookup_attribute, s,
};

// ---------------------------------------------------------------------------------------------
// Identities

pub fn token_identity_schema() -> Option<IdentitySchema> {
    Some(IdentitySchema::new(
        0,
        vec![
            IdentityAttribute::required("sso_realm_id", REALM_IDENTITY),
            IdentityAttribute::required("api_client_id", "`client_id` of the token's API client."),
            IdentityAttribute::required(
                "name",
                "The token's name. The identity names the ACTIVE token of this name: it stays the same when \
                 the token is regenerated (which may give it a new `id`).",
            ),
        ],
    ))
}

pub fn principal_identity_schema() -> Option<IdentitySchema> {
    Some(IdentitySchema::new(
        0,
        vec![
            IdentityAttribute::required("sso_realm_id", REALM_IDENTITY),
            IdentityAttribute::required(
                "principal_id",
                "The principal (an API client's `principal_id`, or an SSO user or group).",
            ),
        ],
    ))
}

pub fn role_assignment_identity_schema() -> Option<IdentitySchema> {
    let mut attrs = principal_identity_schema()?.attributes;
    attrs.push(IdentityAttribute::required("role_name", "The VCF role."));
    attrs.push(IdentityAttribute::required(
        "scope",
        "`SSO_REALM`, or `VCF_INSTANCE:<id>[,<id>…]` with the VCF instance ids sorted and joined by commas.",
    ));
    Some(IdentitySchema::new(0, attrs))
}

/// The `scope` identity attribute of a role assignment state (None while not known).
fn scope_text(state: &Value) -> Option<String> {
    let scope_type = state.attr("scope_type").as_str()?;
    let ids = state.attr("scope_resource_ids");
    if !ids.is_known() {
        return None;
    }
    let mut ids: Vec<&str> = ids
        .elements()
        .unwrap_or_default()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    if ids.is_empty() {
        return Some(scope_type.to_string());
    }
    ids.sort_unstable();
    ids.dedup();
    Some(format!("{scope_type}:{}", ids.join(",")))
}

pub fn role_assignment_identity(state: &Value) -> Value {
    if state.is_null() {
        return Value::Null;
    }
    Value::object([
        ("sso_realm_id", state.attr("sso_realm_id").clone()),
        ("principal_id", state.attr("principal_id").clone()),
        ("role_name", state.attr("role_name").clone()),
        (
            "scope",
            scope_text(state).map_or(Value::Unknown, Value::String),
        ),
    ])
}

/// The import ID of `vcf_role_assignment` for an identity.
pub fn role_assignment_import_id(identity: &Value) -> Option<String> {
    let realm = s(identity, "sso_realm_id")?;
    let principal = s(identity, "principal_id")?;
    let role = s(identity, "role_name")?;
    let scope = s(identity, "scope")?;
    let scope = match scope.split_once(':') {
        Some((t, ids)) => format!("{t}/{ids}"),
        None => scope,
    };
    Some(format!("{realm}/{principal}/{role}/{scope}"))
}

/// Import of `vcf_api_token` by identity: the one ACTIVE token of that name of that client.
pub async fn import_token_by_identity(
    res: &ApiToken,
    ctx: &Ctx,
    identity: &Value,
    diags: &mut Diagnostics,
) -> Value {
    let (Some(realm_given), Some(client), Some(name)) = (
        s(identity, "sso_realm_id"),
        s(identity, "api_client_id"),
        s(identity, "name"),
    ) else {
        diags.error(
            "Incomplete identity",
            "vcf_api_token is imported by identity with sso_realm_id, api_client_id and name.",
        );
        return Value::Null;
    };
    let Some(f) = fleet(ctx, diags) else {
        return Value::Null;
    };
    let Some(realm) = f
        .realm(identity.attr("sso_realm_id"), "sso_realm_id", diags)
        .await
    else {
        return Value::Null;
    };
    let tokens = match f.query_tokens(&realm.id, &client).await {
        Ok(t) => t,
        Err(e) => {
            diags.push(e.to_diagnostic());
            return Value::Null;
        }
    };
    let now = f.state().now_ms();
    let active: Vec<_> = tokens
        .iter()
        .filter(|t| t.token_name.as_deref() == Some(&name) && is_active(t, now))
        .collect();
    match active.as_slice() {
        [t] => {
            res.import(ctx, &format!("{realm_given}/{client}/{}", t.id), diags)
                .await
        }
        [] => {
            diags.error(
                "API token not found",
                format!(
                    "API client {client:?} of SSO realm {} has no ACTIVE API token named {name:?}.",
                    realm.name
                ),
            );
            Value::Null
        }
        many => {
            let ids: Vec<&str> = many.iter().map(|t| t.id.as_str()).collect();
            diags.error(
                "API token name is ambiguous",
                format!(
                    "API client {client:?} has {} ACTIVE API tokens named {name:?} ({}); import one of them by ID \
                     (<sso_realm_id>/<api_client_id>/<token_id>) instead.",
                    ids.len(),
                    ids.join(", ")
                ),
            );
            Value::Null
        }
    }
}

fn is_active(t: &super::TokenJson, now_ms: i64) -> bool {
    matches!(t.token_status.as_deref(), Some("ACTIVE") | None)
        && t.expiration_date.is_none_or(|e| e > now_ms)
}

// ---------------------------------------------------------------------------------------------
// List resources

fn duration_check(v: &Value) -> Option<String> {
    duration::parse(v.as_str()?).err()
}

/// Sends the diagnostics of a failed list and ends it.
async fn finish(sink: &mut ListSink, diags: Diagnostics) {
    sink.diagnostics(diags).await;
}

/// The fleet handle and the realm a list configuration names (or the default realm); `None`
/// once the diagnostics of what failed are sent.
async fn list_fleet_realm<'a>(
    ctx: &'a Ctx,
    config: &Value,
    sink: &mut ListSink,
) -> Option<(Fleet<'a>, &'a RealmJson)> {
    let mut diags = Diagnostics::new();
    let found = super::fleet_realm(ctx, config, &mut diags).await;
    if found.is_none() {
        finish(sink, diags).await;
    }
    found
}

/// `list "vcf_api_token"`: API-client tokens of a realm, page by page.
pub struct ApiTokenList;

#[async_trait]
impl ListResource for ApiTokenList {
    fn type_name(&self) -> &'static str {
        "vcf_api_token"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            0,
            Block::new("Finds the API tokens of API clients of an SSO realm, streaming them page by page.")
                .attribute(realm_lookup_attribute())
                .attribute(
                    Attribute::string("api_client_id")
                        .validator(PathSegment)
                        .optional()
                        .description("Only the tokens of this API client (`client_id`).")
                        .validator(Length::at_least(1)),
                )
                .attribute(
                    Attribute::string("name_prefix")
                        .optional()
                        .description("Only tokens whose name starts with this text."),
                )
                .attribute(
                    Attribute::string("status")
                        .optional()
                        .description(
                            "`ACTIVE` (default), `EXPIRED`, `UNKNOWN` or `ANY`. Only ACTIVE tokens can be \
                             imported (a revoked token is gone from the API).",
                        )
                        .validator(OneOf::new(&["ACTIVE", "EXPIRED", "UNKNOWN", "ANY"])),
                )
                .attribute(
                    Attribute::string("expiring_within")
                        .optional()
                        .description(
                            "Only tokens that expire within this duration from now (server time), for example \
                             `\"720h\"`.",
                        )
                        .validator(Check::new("must be a duration such as \"720h\"", duration_check)),
                ),
        )
    }

    async fn list(&self, ctx: &Ctx, config: &Value, sink: &mut ListSink) {
        let Some((f, realm)) = list_fleet_realm(ctx, config, sink).await else {
            return;
        };
        let mut diags = Diagnostics::new();
        let client = s(config, "api_client_id");
        let prefix = s(config, "name_prefix").unwrap_or_default();
        let status = s(config, "status").unwrap_or_else(|| "ACTIVE".to_string());
        let within_ms = s(config, "expiring_within")
            .and_then(|d| duration::parse(&d).ok())
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        // Narrowed on the server where the API can (LIKE matches anywhere in the text), exactly
        // here.
        let mut all_of = Vec::new();
        if let Some(c) = &client {
            all_of.push(serde_json::json!({
                "field": paths::QUERY_FIELD_CLIENT_ID,
                "terms": [c],
                "operator": paths::QUERY_OPERATOR,
            }));
        }
        if !prefix.is_empty() {
            all_of.push(serde_json::json!({
                "field": paths::QUERY_FIELD_TOKEN_NAME,
                "terms": [prefix],
                "operator": paths::QUERY_OPERATOR,
            }));
        }
        let body = serde_json::json!({
            "searchTerms": { "allOf": all_of, "anyOf": [] },
            "filters": { "tokenType": ["API_CLIENT"] },
        });
        let base = Value::object(
            ApiToken
                .schema()
                .block
                .attributes
                .iter()
                .map(|a| (a.name.clone(), Value::Null)),
        );
        let mut page = 0i64;
        loop {
            let resp = f
                .api
                .call(
                    Call::post(paths::fill(paths::TOKEN_QUERY, &[&realm.id]))
                        .query("page", page)
                        .query("pageSize", paths::TOKEN_PAGE_SIZE)
                        .query("sortOrder", "ASCENDING")
                        .json(&body)
                        .idempotent(true)
                        .what("list API tokens"),
                )
                .await;
            let p: TokenPage = match resp.and_then(|r| {
                f.state().note_server_date(&r);
                r.json()
            }) {
                Ok(p) => p,
                Err(e) => {
                    diags.push(e.to_diagnostic());
                    return finish(sink, diags).await;
                }
            };
            let n = p.api_tokens.len() as i64;
            let total = p.page_info.and_then(|i| i.total_count);
            let now = f.state().now_ms();
            for t in &p.api_tokens {
                let Some(owner) = t.api_client_id.as_deref() else {
                    continue;
                };
                let name = t.token_name.as_deref().unwrap_or_default();
                let wanted = client.as_deref().is_none_or(|c| c == owner)
                    && name.starts_with(&prefix)
                    && match status.as_str() {
                        "ANY" => true,
                        "ACTIVE" => is_active(t, now),
                        "EXPIRED" => {
                            t.token_status.as_deref() == Some("EXPIRED")
                                || (t.token_status.as_deref() == Some("ACTIVE")
                                    && t.expiration_date.is_some_and(|e| e <= now))
                        }
                        other => t.token_status.as_deref() == Some(other),
                    }
                    && within_ms.is_none_or(|w| {
                        t.expiration_date
                            .is_some_and(|e| e <= now.saturating_add(w))
                    });
                if !wanted {
                    continue;
                }
                let mut b = base.clone();
                b.set_attr("sso_realm_id", Value::string(&realm.id));
                let state = token_state(t, &b);
                if !sink.send(state, format!("{owner}/{name} ({})", t.id)).await {
                    return;
                }
            }
            page += 1;
            let seen = page.saturating_mul(paths::TOKEN_PAGE_SIZE);
            if n < paths::TOKEN_PAGE_SIZE
                || total.is_some_and(|t| seen >= t)
                || page > 10_000
                || !sink.wants_more()
            {
                return;
            }
        }
    }
}

/// `list "vcf_role_assignment"`: the assignments of one principal, or of every API client.
pub struct RoleAssignmentList;

#[async_trait]
impl ListResource for RoleAssignmentList {
    fn type_name(&self) -> &'static str {
        "vcf_role_assignment"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            0,
            Block::new(
                "Finds VCF role assignments: those of one principal, or (without `principal_id`) those of every \
                 API client of the realm, one principal at a time. SSO users and groups are listed only by \
                 `principal_id` (the API cannot enumerate them).",
            )
            .attribute(realm_lookup_attribute())
            .attribute(
                Attribute::string("principal_id")
                    .validator(PathSegment)
                    .optional()
                    .description("Only this principal's assignments.")
                    .validator(Length::at_least(1)),
            )
            .attribute(
                Attribute::string("role_name")
                    .validator(PathSegment)
                    .optional()
                    .description("Only assignments of this VCF role."),
            ),
        )
    }

    async fn list(&self, ctx: &Ctx, config: &Value, sink: &mut ListSink) {
        let Some((f, realm)) = list_fleet_realm(ctx, config, sink).await else {
            return;
        };
        let mut diags = Diagnostics::new();
        // (principal, label) pairs.
        let principals: Vec<(String, String)> = match s(config, "principal_id") {
            Some(p) => vec![(p.clone(), p)],
            None => match f.all_clients(&realm.id).await {
                Ok(l) => l
                    .into_iter()
                    .map(|c| (c.client_uuid, c.client_id))
                    .collect(),
                Err(e) => {
                    diags.push(e.to_diagnostic());
                    return finish(sink, diags).await;
                }
            },
        };
        let role = s(config, "role_name");
        for (principal, label) in principals {
            let set: Vec<AssignmentJson> = match f.assignments(&realm.id, &principal).await {
                Ok(set) => set,
                Err(e) if e.is_not_found() => continue,
                Err(e) => {
                    diags.push(e.to_diagnostic());
                    return finish(sink, diags).await;
                }
            };
            for a in set
                .iter()
                .filter(|a| role.as_deref().is_none_or(|r| r == a.role_name))
            {
                let state = RoleAssignment::state(
                    Value::string(&realm.id),
                    &realm.id,
                    &principal,
                    a,
                    &Value::Null,
                );
                let scope = scope_text(&state).unwrap_or_default();
                if !sink
                    .send(state, format!("{label}: {} at {scope}", a.role_name))
                    .await
                {
                    return;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_assignment_identity_round_trips_through_the_import_id() {
        let state = Value::object([
            ("sso_realm_id", Value::string("r")),
            ("principal_id", Value::string("p")),
            ("role_name", Value::string("vcf_viewer")),
            ("scope_type", Value::string("VCF_INSTANCE")),
            (
                "scope_resource_ids",
                Value::Set(vec![Value::string("b"), Value::string("a")]),
            ),
        ]);
        let id = role_assignment_identity(&state);
        assert_eq!(id.attr("scope").as_str(), Some("VCF_INSTANCE:a,b"));
        assert_eq!(
            role_assignment_import_id(&id).as_deref(),
            Some("r/p/vcf_viewer/VCF_INSTANCE/a,b")
        );
        let mut realm_wide = state.clone();
        realm_wide.set_attr("scope_type", Value::string("SSO_REALM"));
        realm_wide.set_attr("scope_resource_ids", Value::Null);
        let id = role_assignment_identity(&realm_wide);
        assert_eq!(id.attr("scope").as_str(), Some("SSO_REALM"));
        assert_eq!(
            role_assignment_import_id(&id).as_deref(),
            Some("r/p/vcf_viewer/SSO_REALM")
        );
    }
}
