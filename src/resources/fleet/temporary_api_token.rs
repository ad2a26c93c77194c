//! Ephemeral resource `vcf_temporary_api_token`: an API-client token of the VCF Operations fleet
//! IAM API (contract B) created with a short lifetime when Terraform opens it and revoked when
//! Terraform closes it — including after a failed apply — so a CI job's credential never
//! outlives the run and is never written to plan or state.

use std::time::SystemTime;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::client::{ApiClient, ApiError, Call};
use crate::framework::validate::{IntBetween, Length, PathSegment};
use crate::framework::{
    Attribute, Block, Ctx, Diagnostics, Failure, OpenedModel, Schema, Secret, TypedEphemeral, Val,
};
use crate::resources::{VcfContext, rfc3339_from_millis};

use super::ephemeral::{from_private, to_private};
use super::{REALM_ATTRIBUTE, TokenCreate, fleet_of};

/// The two token calls of contract B this resource makes, on the shared fleet IAM paths and
/// JSON types of the fleet family.
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

/// What Terraform carries from Open to Close: where the token is, never its value. The
/// process's open tokens (`VcfContext::open_temporary_tokens`) are kept under the same name.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TemporaryToken {
    realm: String,
    id: String,
}

pub const DEFAULT_TTL_MINUTES: i64 = 60;
pub const DEFAULT_ACCESS_TTL_MINUTES: i64 = 30;

/// `vcf_temporary_api_token`.
pub struct TemporaryApiToken;

/// Revokes the temporary tokens this provider opened and Terraform never closed (Terraform
/// skips Close when an apply fails). Called when the provider stops; best effort.
pub async fn revoke_unclosed_temporary_tokens(vcf: &VcfContext) {
    let left = vcf.open_temporary_tokens.take_all();
    let Ok(api) = vcf.clients.operations() else {
        return;
    };
    for (TemporaryToken { realm, id }, ()) in left {
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

crate::model! {
    /// `vcf_temporary_api_token`.
    pub struct TemporaryApiTokenModel {
        pub sso_realm_id: Val<String>,
        pub api_client_id: Val<String>,
        pub name: Val<String>,
        pub ttl_minutes: Val<i64>,
        pub access_token_ttl_minutes: Val<i64>,
        pub id: Val<String>,
        pub token: Val<Secret>,
        pub token_endpoint_url: Val<String>,
        pub expires_at: Val<String>,
    }
}

#[async_trait]
impl TypedEphemeral for TemporaryApiToken {
    type Model = TemporaryApiTokenModel;

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
                Attribute::string(REALM_ATTRIBUTE)
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

    async fn open(
        &self,
        ctx: &Ctx,
        config: TemporaryApiTokenModel,
        _diags: &mut Diagnostics,
    ) -> Result<OpenedModel<TemporaryApiTokenModel>, Failure> {
        let vcf = crate::resources::vcf(ctx)?;
        let fleet = fleet_of(ctx)?;
        let api = fleet.api;
        let realm = fleet.realm_of(&config.sso_realm_id).await?.id.clone();
        let body = TokenCreate {
            api_client_id: config.api_client_id.as_deref().unwrap_or_default(),
            token_name: config.name.as_deref().unwrap_or("terraform-temporary"),
            token_description: Some(
                "Temporary token of one Terraform run; revoked when the run ends.",
            ),
            token_type: "API_CLIENT",
            api_token_ttl: Some(*config.ttl_minutes.get().unwrap_or(&DEFAULT_TTL_MINUTES)),
            access_token_ttl: Some(
                *config
                    .access_token_ttl_minutes
                    .get()
                    .unwrap_or(&DEFAULT_ACCESS_TTL_MINUTES),
            ),
        };
        let t = fleet_tokens::create(api, &realm, &body).await?;
        let opened = TemporaryToken {
            realm: realm.clone(),
            id: t.id.clone(),
        };
        let Some(secret) = t.token.filter(|s| !s.is_empty()) else {
            let mut failure = Failure::default();
            if let Err(e) = fleet_tokens::revoke(api, &realm, &t.id).await {
                failure.diags.push(e.to_diagnostic());
            }
            failure.diags.error(
                "Unexpected response",
                "VCF Operations answered the token creation without the token; the provider revoked it.",
            );
            return Err(failure);
        };
        let private = to_private(&opened);
        vcf.open_temporary_tokens.opened(opened, ());
        let mut result = config;
        // Terraform refuses a result that changes a configured value (a realm given by name).
        if result.sso_realm_id.is_null() {
            result.sso_realm_id = realm.into();
        }
        result.id = t.id.as_str().into();
        result.token = Val::Known(secret);
        result.token_endpoint_url = t.token_endpoint_url.into();
        result.expires_at = t.expiration_date.and_then(rfc3339_from_millis).into();
        Ok(OpenedModel {
            result,
            private,
            renew_at: None::<SystemTime>,
        })
    }

    async fn close(
        &self,
        ctx: &Ctx,
        private: Option<Vec<u8>>,
        _diags: &mut Diagnostics,
    ) -> Result<(), Failure> {
        let Some(p) = from_private::<TemporaryToken>(private.as_deref()) else {
            return Ok(());
        };
        let vcf = crate::resources::vcf(ctx)?;
        vcf.open_temporary_tokens.closed(&p);
        let fleet = fleet_of(ctx)?;
        if let Err(e) = fleet_tokens::revoke(fleet.api, &p.realm, &p.id).await {
            if e.kind() == crate::client::ErrorKind::Cancelled {
                // Terraform is stopping the run (Ctrl-C): the token is revoked when the
                // provider stops, with the other unclosed ones.
                vcf.open_temporary_tokens.opened(p, ());
                return Ok(());
            }
            let mut d = e.to_diagnostic();
            d.detail.push_str(&format!(
                " The temporary API token {} stays usable until it expires; revoke it in VCF Operations.",
                p.id
            ));
            return Err(d.into());
        }
        Ok(())
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
        let p = TemporaryToken {
            realm: "r".into(),
            id: "i".into(),
        };
        assert_eq!(
            String::from_utf8(to_private(&p).unwrap()).unwrap(),
            r#"{"realm":"r","id":"i"}"#
        );
    }
}
