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
use super::{Fleet, REALM_IDENTITY, RealmJson, TokenPage, fleet, paths, realm_lookup_attribute, s};

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
pub(super) async fn finish(sink: &mut ListSink, diags: Diagnostics) {
    sink.diagnostics(diags).await;
}

/// The fleet handle and the realm a list configuration names (or the default realm); `None`
/// once the diagnostics of what failed are sent.
pub(super) async fn list_fleet_realm<'a>(
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

/// `list "vcf_api_client"`: every API client of a realm.
pub struct ApiClientList;

#[async_trait]
impl ListResource for ApiClientList {
    fn type_name(&self) -> &'static str {
        "vcf_api_client"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            0,
            Block::new("Finds the API clients of an SSO realm.")
                .attribute(realm_lookup_attribute())
                .attribute(
                    Attribute::string("client_id_prefix")
                        .optional()
                        .description("Only clients whose `client_id` starts with this text."),
                ),
        )
    }

    async fn list(&self, ctx: &Ctx, config: &Value, sink: &mut ListSink) {
        let Some((f, realm)) = list_fleet_realm(ctx, config, sink).await else {
            return;
        };
        let mut diags = Diagnostics::new();
        let prefix = s(config, "client_id_prefix").unwrap_or_default();
        // Narrowed on the server (LIKE matches anywhere in the id), exactly here.
        let search = (!prefix.is_empty()).then(|| {
            serde_json::json!({
                "allOf": [{ "field": paths::QUERY_FIELD_CLIENT_ID, "terms": [prefix], "operator": paths::QUERY_OPERATOR }],
                "anyOf": [],
            })
        });
        let mut page = 0;
        loop {
            let (list, more) = match f.clients_page(&realm.id, search.as_ref(), page).await {
                Ok(p) => p,
                Err(e) => {
                    diags.push(e.to_diagnostic());
                    return finish(sink, diags).await;
                }
            };
            for c in list.iter().filter(|c| c.client_id.starts_with(&prefix)) {
                let state = super::api_client::state_from(
                    c,
                    Value::string(&realm.id),
                    &realm.id,
                    &Value::Null,
                );
                let label = match c.client_name.as_deref() {
                    Some(n) if !n.is_empty() && n != c.client_id => {
                        format!("{} ({n})", c.client_id)
                    }
                    _ => c.client_id.clone(),
                };
                if !sink.send(state, label).await {
                    return;
                }
            }
            if !more || !sink.wants_more() {
                return;
            }
            page += 1;
        }
    }
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
