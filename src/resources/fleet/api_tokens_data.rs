//! Data source `vcf_api_tokens`: the API tokens of one API client (never their secrets), for
//! monitoring expiry.

use async_trait::async_trait;

use crate::framework::validate::{Length, PathSegment};
use crate::framework::{Attribute, Block, Ctx, DataSource, Diagnostics, Nesting, Schema, Value};

use super::api_token::time_value;
use super::{fail, fleet_realm, realm_lookup_attribute, s};

pub struct ApiTokens;

#[async_trait]
impl DataSource for ApiTokens {
    fn type_name(&self) -> &'static str {
        "vcf_api_tokens"
    }

    fn schema(&self) -> Schema {
        let token = vec![
            Attribute::string("id").computed().description("Token id."),
            Attribute::string("name").computed().description("Token name."),
            Attribute::string("description").computed().description("Description."),
            Attribute::string("status").computed().description("`ACTIVE`, `EXPIRED` or `UNKNOWN`."),
            Attribute::string("token_last_chars").computed().description("Last characters of the secret."),
            Attribute::string("created_at").computed().description("Creation time (RFC 3339)."),
            Attribute::string("expires_at").computed().description("Expiry time (RFC 3339)."),
            Attribute::string("last_used_at").computed().description("Last use (RFC 3339)."),
            Attribute::number("seconds_until_expiry")
                .computed()
                .description("Seconds until expiry by the server's clock (negative once expired): alert on it."),
        ];
        Schema::new(
            0,
            Block::new(
                "The API tokens of one API client (never their secrets), for monitoring expiry: for example a \
                 `check` block that fails when a token expires within 14 days.",
            )
            .attribute(realm_lookup_attribute())
            .attribute(
                Attribute::string("api_client_id")
                    .validator(PathSegment)
                    .required()
                    .description("`client_id` of the API client.")
                    .validator(Length::at_least(1)),
            )
            .attribute(
                Attribute::string("name")
                    .optional()
                    .description("Only tokens with exactly this name."),
            )
            .attribute(
                Attribute::bool("active_only")
                    .optional()
                    .description("Only `ACTIVE` tokens (default false: all)."),
            )
            .attribute(
                Attribute::nested("tokens", Nesting::List, token)
                    .computed()
                    .description("The matching tokens, oldest first."),
            ),
        )
    }

    async fn read(&self, ctx: &Ctx, config: &Value, diags: &mut Diagnostics) -> Value {
        let Some((f, realm)) = fleet_realm(ctx, config, diags).await else {
            return Value::Null;
        };
        let Some(client) = s(config, "api_client_id") else {
            return Value::Null;
        };
        let list = match f.query_tokens(&realm.id, &client).await {
            Ok(l) => l,
            Err(e) => return fail(diags, e).unwrap_or(Value::Null),
        };
        let now = f.state().now_ms();
        let name = s(config, "name");
        let active_only = config.attr("active_only").as_bool() == Some(true);
        let items = list
            .iter()
            .filter(|t| name.is_none() || t.token_name == name)
            .filter(|t| !active_only || t.token_status.as_deref() == Some("ACTIVE"))
            .map(|t| {
                Value::object([
                    ("id", Value::string(&t.id)),
                    ("name", Value::opt_string(t.token_name.clone())),
                    (
                        "description",
                        Value::opt_string(t.token_description.clone()),
                    ),
                    ("status", Value::opt_string(t.token_status.clone())),
                    (
                        "token_last_chars",
                        Value::opt_string(t.token_last_chars.clone()),
                    ),
                    ("created_at", time_value(t.creation_date)),
                    ("expires_at", time_value(t.expiration_date)),
                    ("last_used_at", time_value(t.last_used_date)),
                    (
                        "seconds_until_expiry",
                        t.expiration_date
                            .map_or(Value::Null, |e| Value::from(e.saturating_sub(now) / 1000)),
                    ),
                ])
            })
            .collect();
        let mut v = config.clone();
        v.set_attr("tokens", Value::List(items));
        v
    }
}
