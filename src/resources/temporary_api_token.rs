//! Ephemeral resource `vcf_temporary_api_token`: an API-client token of the VCF Operations fleet
//! IAM API (contract B) created with a short lifetime when Terraform opens it and revoked when
//! Terraform closes it — including after a failed apply — so a CI job's credential never
//! outlives the run and is never written to plan or state.

use std::time::SystemTime;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::client::{ApiClient, ApiError, Call};
use crate::framework::traits::Opened;
use crate::framework::validate::{IntBetween, Length, PathSegment};
use crate::framework::{Attribute, Block, Ctx, Diagnostics, EphemeralResource, Schema, Value};

use super::rfc3339_from_millis;
use crate::resources::VcfContext;

/// The two token calls of contract B this resource makes, on the shared fleet IAM paths and
/// JSON types (`super::fleet`).
mod fleet_tokens {
    use super::*;
    use crate::resources::fleet::{TokenCreate, TokenJson, WRITE_ROLE, paths};

    pub async fn create(
        api: &ApiClient,
        realm: &str,
        body: &TokenCreate<'_>,
    ) -> Result<TokenJson, ApiError> {
        api.json(
            Call::post(paths::fill(paths::TOKENS, &[realm]))
                .json(body)
                .idempotent(false)
                .success(&[201])
                .what(format!(
                    "create temporary API token {:?} of API client {:?}",
                    body.token_name, body.api_client_id
                ))
                .needs_role(WRITE_ROLE),
        )
        .await
    }

    /// Revokes a token; one that is already gone counts as revoked.
    pub async fn revoke(api: &ApiClient, realm: &str, id: &str) -> Result<(), ApiError> {
        match api
            .call(
                Call::delete(paths::fill(paths::TOKEN, &[realm, id]))
                    .success(&[204])
                    .what(format!("revoke temporary API token {id}"))
                    .needs_role(WRITE_ROLE),
            )
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if e.is_not_found() => Ok(()),
            Err(e) => Err(e),
        }
    }
}

/// What Terraform carries from Open to Close: where the token is, never its value.
#[derive(Serialize, Deserialize)]
struct Private {
    realm: String,
    id: String,
}

pub const DEFAULT_TTL_MINUTES: i64 = 60;
pub const DEFAULT_ACCESS_TTL_MINUTES: i64 = 30;

/// `vcf_temporary_api_token`.
pub struct TemporaryApiToken;

fn open_list(state: &VcfContext) -> std::sync::MutexGuard<'_, Vec<(String, String)>> {
    state
        .open_temporary_tokens
        .lock()
        .unwrap_or_else(|e| e.into_inner())
}

/// Revokes the temporary tokens this provider opened and Terraform never closed (Terraform
/// skips Close when an apply fails). Called when the provider stops; best effort.
pub async fn revoke_unclosed_temporary_tokens(state: &VcfContext) {
    let left: Vec<(String, String)> = std::mem::take(&mut *open_list(state));
    let Ok(api) = state.clients.operations() else {
        return;
    };
    for (realm, id) in left {
        match fleet_tokens::revoke(api, &realm, &id).await {
            Ok(()) => {
                tracing::debug!(token = %id, "revoked a temporary API token Terraform did not close")
            }
            Err(e) => {
                tracing::warn!(token = %id, error = %e, "revoking a temporary API token failed; it stays usable until it expires")
            }
        }
    }
}

#[async_trait]
impl EphemeralResource for TemporaryApiToken {
    fn type_name(&self) -> &'static str {
        "vcf_temporary_api_token"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            0,
            Block::new(
                "An API-client token of the VCF Operations fleet IAM API that exists only while Terraform runs \
                 (Terraform 1.10+): created with a short lifetime when Terraform opens it, revoked when Terraform \
                 closes it at the end of the run — also when the apply fails — and never written to plan or state. \
                 Terraform opens ephemeral resources in every plan and apply, so each run gets its own token. If \
                 Terraform itself is killed, `ttl_minutes` bounds how long the token stays usable.\n\n\
                 Needs the provider's `operations` block with a fleet administrator (a role with \
                 `VCF_OPERATIONS/Administrator` at SSO_REALM scope).",
            )
            .attribute(
                Attribute::string("sso_realm_id")
                    .validator(PathSegment)
                    .optional()
                    .computed()
                    .description("SSO realm (id or name) of the API client; the provider's `default_sso_realm` when unset. When unset, holds the realm id once open.")
                    .validator(Length::at_least(1)),
            )
            .attribute(
                Attribute::string("api_client_id")
                    .validator(PathSegment)
                    .required()
                    .description("`clientId` of the API client whose token this is; the token carries that client's VCF roles.")
                    .validator(Length::at_least(1)),
            )
            .attribute(
                Attribute::string("name")
                    .optional()
                    .description("Token name shown in VCF Operations; `terraform-temporary` when unset.")
                    .validator(Length::between(1, 255)),
            )
            .attribute(
                Attribute::number("ttl_minutes")
                    .optional()
                    .description("Lifetime of the API token in minutes (`apiTokenTtl`), the bound if the run never closes it; 60 when unset.")
                    .validator(IntBetween(1, 259_200)),
            )
            .attribute(
                Attribute::number("access_token_ttl_minutes")
                    .optional()
                    .description("Lifetime of the access tokens it is exchanged for, in minutes (`accessTokenTtl`); 30 when unset.")
                    .validator(IntBetween(1, 480)),
            )
            .attribute(Attribute::string("id").computed().description("Id of the token."))
            .attribute(
                Attribute::string("token")
                    .computed()
                    .sensitive()
                    .description("The API token (`vidb_…`), for example for another provider's `operations.api_token` or `vcf_access_token.api_token`."),
            )
            .attribute(
                Attribute::string("token_endpoint_url")
                    .computed()
                    .description("Where the token is exchanged for access tokens (`tokenEndpointUrl`)."),
            )
            .attribute(
                Attribute::string("expires_at")
                    .computed()
                    .description("When the API token expires unless revoked earlier (RFC 3339)."),
            ),
        )
    }

    async fn open(&self, ctx: &Ctx, config: &Value, diags: &mut Diagnostics) -> Opened {
        let nothing = || Opened {
            result: Value::Null,
            private: None,
            renew_at: None,
        };
        let Some(state) = crate::resources::context(ctx, diags) else {
            return nothing();
        };
        let Some(fleet) = super::fleet::fleet(ctx, diags) else {
            return nothing();
        };
        let api = fleet.api;
        let Some(realm) = fleet
            .realm(config.attr("sso_realm_id"), "sso_realm_id", diags)
            .await
        else {
            return nothing();
        };
        let realm = realm.id.clone();
        let client = config.attr("api_client_id").as_str().unwrap_or_default();
        let name = config
            .attr("name")
            .as_str()
            .unwrap_or("terraform-temporary");
        let ttl = config
            .attr("ttl_minutes")
            .as_i64()
            .unwrap_or(DEFAULT_TTL_MINUTES);
        let access_ttl = config
            .attr("access_token_ttl_minutes")
            .as_i64()
            .unwrap_or(DEFAULT_ACCESS_TTL_MINUTES);
        let body = super::fleet::TokenCreate {
            api_client_id: client,
            token_name: name,
            token_description: Some(
                "Temporary token of one Terraform run; revoked when the run ends.",
            ),
            token_type: "API_CLIENT",
            api_token_ttl: Some(ttl),
            access_token_ttl: Some(access_ttl),
        };
        let t = match fleet_tokens::create(api, &realm, &body).await {
            Ok(t) => t,
            Err(e) => {
                diags.push(e.to_diagnostic());
                return nothing();
            }
        };
        let private = Private {
            realm: realm.clone(),
            id: t.id.clone(),
        };
        let Some(secret) = t.token.filter(|s| !s.is_empty()) else {
            if let Err(e) = fleet_tokens::revoke(api, &realm, &t.id).await {
                diags.push(e.to_diagnostic());
            }
            diags.error(
                "Unexpected response",
                "VCF Operations answered the token creation without the token; the provider revoked it.",
            );
            return nothing();
        };
        open_list(state).push((realm.clone(), t.id.clone()));
        let mut result = config.clone();
        // Terraform refuses a result that changes a configured value (a realm given by name).
        if config.attr("sso_realm_id").is_null() {
            result.set_attr("sso_realm_id", Value::string(&realm));
        }
        result.set_attr("id", Value::string(&t.id));
        result.set_attr("token", Value::string(secret.expose()));
        result.set_attr(
            "token_endpoint_url",
            Value::opt_string(t.token_endpoint_url.as_deref()),
        );
        result.set_attr(
            "expires_at",
            Value::opt_string(t.expiration_date.and_then(rfc3339_from_millis)),
        );
        Opened {
            result,
            private: serde_json::to_vec(&private).ok(),
            renew_at: None::<SystemTime>,
        }
    }

    async fn close(&self, ctx: &Ctx, private: Option<Vec<u8>>, diags: &mut Diagnostics) {
        let Some(p) = private
            .as_deref()
            .and_then(|b| serde_json::from_slice::<Private>(b).ok())
        else {
            return;
        };
        let Some(state) = crate::resources::context(ctx, diags) else {
            return;
        };
        open_list(state).retain(|(r, i)| !(r == &p.realm && i == &p.id));
        let Some(fleet) = super::fleet::fleet(ctx, diags) else {
            return;
        };
        if let Err(e) = fleet_tokens::revoke(fleet.api, &p.realm, &p.id).await {
            if e.kind() == crate::client::ErrorKind::Cancelled {
                // Terraform is stopping the run (Ctrl-C): the token is revoked when the
                // provider stops, with the other unclosed ones.
                open_list(state).push((p.realm, p.id));
                return;
            }
            let mut d = e.to_diagnostic();
            d.detail.push_str(&format!(
                " The temporary API token {} stays usable until it expires; revoke it in VCF Operations.",
                p.id
            ));
            diags.push(d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_body_matches_seed_001() {
        let b = crate::resources::fleet::TokenCreate {
            api_client_id: "ci",
            token_name: "t",
            token_description: Some("d"),
            token_type: "API_CLIENT",
            api_token_ttl: Some(60),
            access_token_ttl: Some(30),
        };
        let v = serde_json::to_value(&b).unwrap();
        assert_eq!(v["apiClientId"], "ci");
        // TTLs are JSON integers (ApiToken.apiTokenTtl is int32), not strings.
        assert_eq!(v["apiTokenTtl"], 60);
        assert_eq!(v["accessTokenTtl"], 30);
        assert_eq!(v["tokenType"], "API_CLIENT");
        assert_eq!(
            crate::resources::fleet::paths::fill(
                crate::resources::fleet::paths::TOKEN,
                &["r 1", "x"]
            ),
            "/ssorealms/r%201/api-tokens/x"
        );
    }

    #[test]
    fn private_data_holds_no_secret() {
        let p = Private {
            realm: "r".into(),
            id: "i".into(),
        };
        assert_eq!(
            String::from_utf8(serde_json::to_vec(&p).unwrap()).unwrap(),
            r#"{"realm":"r","id":"i"}"#
        );
    }
}
