//! Resource and data source `vcf_api_client`: an API client of an SSO realm, the machine
//! identity that API tokens are created under. Its `principal_id` (the API's `clientUuid`) is
//! what roles are assigned to. Data source `vcf_api_clients` lists a realm's clients.

use async_trait::async_trait;
use serde_json::json;

use crate::client::Call;
use crate::framework::plan::{RequiresReplace, UseStateForUnknown};
use crate::framework::traits::PlanChange;
use crate::framework::validate::{Length, Matches, PathSegment};
use crate::framework::{
    Attribute, AttributePath, Block, Ctx, DataSource, Diagnostics, IdentityAttribute,
    IdentitySchema, Nesting, Resource, Schema, Value,
};

use super::fleet_realm;
use super::{
    ClientJson, Fleet, WRITE_ROLE, fail, fleet, paths, plan_realm, realm_attribute,
    realm_lookup_attribute, realm_state_value, s,
};

const CLIENT_ID_PATTERN: &str = r"^[A-Za-z0-9._-]{1,128}$";
const CLIENT_ID_HINT: &str = "1 to 128 letters, digits, `.`, `_` or `-`";

pub struct ApiClientResource;

pub(super) fn state_from(
    client: &ClientJson,
    realm_value: Value,
    realm_id: &str,
    prior: &Value,
) -> Value {
    // The API answers "" for a client without description; keep null when the configuration
    // left it out, so that an empty re-plan stays empty.
    let description = match client.client_description.as_deref() {
        None | Some("") if prior.attr("description").is_null() => Value::Null,
        d => Value::opt_string(d.map(str::to_string).or(Some(String::new()))),
    };
    Value::object([
        (
            "id",
            Value::string(format!("{realm_id}/{}", client.client_id)),
        ),
        ("sso_realm_id", realm_value),
        ("client_id", Value::string(&client.client_id)),
        ("name", Value::opt_string(client.client_name.clone())),
        ("description", description),
        ("principal_id", Value::string(&client.client_uuid)),
    ])
}

pub(super) async fn get_client(
    f: Fleet<'_>,
    realm: &str,
    client_id: &str,
) -> Result<Option<ClientJson>, crate::client::ApiError> {
    let what = format!("read API client {client_id:?}");
    f.api
        .json_if_found::<ClientJson>(
            Call::get(paths::fill(paths::CLIENT, &[realm, client_id]))
                .success(&[200])
                .what(what.clone()),
        )
        .await?
        .map(|c| c.checked(&what))
        .transpose()
}

#[async_trait]
impl Resource for ApiClientResource {
    fn type_name(&self) -> &'static str {
        "vcf_api_client"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            0,
            Block::new(
                "An API client of an SSO realm: the machine identity that automation authenticates as. \
                 Assign it roles with `vcf_role_assignment` (or `vcf_principal_roles`) on its `principal_id`, \
                 and give it tokens with `vcf_api_token`. Deleting the client revokes its tokens.\n\n\
                 Import with `terraform import vcf_api_client.x <sso_realm_id>/<client_id>`.",
            )
            .attribute(
                Attribute::string("id")
                    .computed()
                    .description("`<sso_realm_id>/<client_id>`, also the import ID.")
                    .plan_modifier(UseStateForUnknown),
            )
            .attribute(realm_attribute())
            .attribute(
                Attribute::string("client_id")
                    .validator(PathSegment)
                    .required()
                    .description(
                        "The client's identifier in the realm (the `apiClientId` of its tokens): 1 to 128 letters, \
                         digits, `.`, `_` or `-`, unique in the realm regardless of case. Changing it replaces the client.",
                    )
                    .validator(Matches::new(CLIENT_ID_PATTERN, CLIENT_ID_HINT))
                    .plan_modifier(RequiresReplace),
            )
            .attribute(
                Attribute::string("name")
                    .optional()
                    .computed()
                    .description("Display name. Defaults to `client_id`. Updated in place.")
                    .validator(Length::between(1, 256)),
            )
            .attribute(
                Attribute::string("description")
                    .optional()
                    .description("Free-text description. Updated in place.")
                    .validator(Length::between(0, 1024)),
            )
            .attribute(
                Attribute::string("principal_id")
                    .computed()
                    .description(
                        "The client's principal id (the API's `clientUuid`): use it as `principal_id` of role assignments.",
                    )
                    .plan_modifier(UseStateForUnknown),
            ),
        )
    }

    async fn modify_plan(&self, ctx: &Ctx, plan: &mut PlanChange<'_>, diags: &mut Diagnostics) {
        plan_realm(ctx, plan, diags).await;
    }

    async fn create(
        &self,
        ctx: &Ctx,
        planned: &Value,
        _config: &Value,
        diags: &mut Diagnostics,
    ) -> Value {
        let Some((f, realm)) = fleet_realm(ctx, planned, diags).await else {
            return Value::Null;
        };
        let Some(client_id) = s(planned, "client_id") else {
            return Value::Null;
        };
        // clientName is required by the API; it defaults to the client id.
        let mut body = json!({
            "clientId": client_id,
            "clientName": s(planned, "name").unwrap_or_else(|| client_id.clone()),
        });
        if let Some(d) = s(planned, "description") {
            body["clientDescription"] = json!(d);
        }
        let what = format!("create API client {client_id:?}");
        let call = Call::post(paths::fill(paths::CLIENTS, &[&realm.id]))
            .json(&body)
            .success(&[201])
            .what(what.clone())
            .needs_role(WRITE_ROLE)
            .import_hint("vcf_api_client", format!("{}/{client_id}", realm.id));
        let created = f
            .api
            .create_with_lookup(call, || get_client(f, &realm.id, &client_id))
            .await;
        match created.and_then(|c| c.into_inner().checked(&what)) {
            Ok(c) => state_from(
                &c,
                realm_state_value(planned.attr("sso_realm_id"), realm),
                &realm.id,
                planned,
            ),
            Err(e) => fail(diags, e).unwrap_or(Value::Null),
        }
    }

    async fn read(&self, ctx: &Ctx, state: &Value, diags: &mut Diagnostics) -> Value {
        let Some((f, realm)) = fleet_realm(ctx, state, diags).await else {
            return Value::Null;
        };
        let Some(client_id) = s(state, "client_id") else {
            return Value::Null;
        };
        match get_client(f, &realm.id, &client_id).await {
            Ok(Some(c)) => state_from(&c, state.attr("sso_realm_id").clone(), &realm.id, state),
            Ok(None) => {
                diags.warning(
                    "API client no longer exists",
                    format!(
                        "API client {client_id:?} is gone from SSO realm {}; it is removed from the state and the next apply creates it again.",
                        realm.name
                    ),
                );
                Value::Null
            }
            Err(e) => fail(diags, e).unwrap_or(Value::Null),
        }
    }

    async fn update(
        &self,
        ctx: &Ctx,
        prior: &Value,
        planned: &Value,
        _config: &Value,
        diags: &mut Diagnostics,
    ) -> Value {
        let Some(f) = fleet(ctx, diags) else {
            return prior.clone();
        };
        let Some(realm) = f
            .realm(planned.attr("sso_realm_id"), "sso_realm_id", diags)
            .await
        else {
            return prior.clone();
        };
        let Some(client_id) = s(planned, "client_id") else {
            return prior.clone();
        };
        // The client is named by its clientUuid in the body; the answer is 204 without a body,
        // so the client is read back.
        let Some(uuid) = s(prior, "principal_id").or_else(|| s(planned, "principal_id")) else {
            diags.error(
                "API client without principal_id",
                format!("The state of API client {client_id:?} has no principal_id; run `terraform apply -refresh-only` first."),
            );
            return prior.clone();
        };
        let body = json!({
            "clientUuid": uuid,
            "clientId": client_id,
            "clientName": s(planned, "name").unwrap_or_else(|| client_id.clone()),
            "clientDescription": s(planned, "description").unwrap_or_default(),
        });
        let written = f
            .api
            .call(
                Call::patch(paths::fill(paths::CLIENTS, &[&realm.id]))
                    .json(&body)
                    .idempotent(true)
                    .success(&[204])
                    .what(format!("update API client {client_id:?}"))
                    .needs_role(WRITE_ROLE),
            )
            .await;
        if let Err(e) = written {
            return fail(diags, e).unwrap_or_else(|| prior.clone());
        }
        match get_client(f, &realm.id, &client_id).await {
            Ok(Some(c)) => state_from(&c, planned.attr("sso_realm_id").clone(), &realm.id, planned),
            Ok(None) => {
                diags.error(
                    "API client vanished",
                    format!("API client {client_id:?} was updated but is gone when read back; run Terraform again."),
                );
                prior.clone()
            }
            Err(e) => fail(diags, e).unwrap_or_else(|| prior.clone()),
        }
    }

    async fn delete(&self, ctx: &Ctx, state: &Value, diags: &mut Diagnostics) {
        let Some((f, realm)) = fleet_realm(ctx, state, diags).await else {
            return;
        };
        let Some(client_id) = s(state, "client_id") else {
            return;
        };
        match f
            .api
            .call(
                Call::delete(paths::fill(paths::CLIENT, &[&realm.id, &client_id]))
                    .success(&[204])
                    .what(format!("delete API client {client_id:?}"))
                    .needs_role(WRITE_ROLE),
            )
            .await
        {
            Ok(_) => f.state().invalidate_tokens(&realm.id, &client_id),
            Err(e) if e.is_not_found() => {}
            Err(e) => diags.push(e.to_diagnostic()),
        }
    }

    fn identity_schema(&self) -> Option<IdentitySchema> {
        Some(IdentitySchema::new(
            0,
            vec![
                IdentityAttribute::required("sso_realm_id", super::REALM_IDENTITY),
                IdentityAttribute::required("client_id", "The API client's `client_id`."),
            ],
        ))
    }

    fn import_id_from_identity(&self, identity: &Value) -> Option<String> {
        Some(format!(
            "{}/{}",
            s(identity, "sso_realm_id")?,
            s(identity, "client_id")?
        ))
    }

    async fn import(&self, _ctx: &Ctx, id: &str, diags: &mut Diagnostics) -> Value {
        match id.split_once('/') {
            Some((realm, client)) if !realm.is_empty() && !client.is_empty() => Value::object([
                ("id", Value::string(id)),
                ("sso_realm_id", Value::string(realm)),
                ("client_id", Value::string(client)),
                ("name", Value::Null),
                ("description", Value::Null),
                ("principal_id", Value::Null),
            ]),
            _ => {
                diags.error(
                    "Invalid import ID",
                    format!(
                        "vcf_api_client is imported as <sso_realm_id>/<client_id>, for example \
                         d86a0d9d-f267-45fd-b966-ed8b30e59452/IamClient; got {id:?}."
                    ),
                );
                Value::Null
            }
        }
    }
}

/// Data source `vcf_api_client`.
pub struct ApiClientData;

#[async_trait]
impl DataSource for ApiClientData {
    fn type_name(&self) -> &'static str {
        "vcf_api_client"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            0,
            Block::new(
                "Looks up an API client of an SSO realm by `client_id`, for its `principal_id`.",
            )
            .attribute(realm_lookup_attribute())
            .attribute(
                Attribute::string("client_id")
                    .validator(PathSegment)
                    .required()
                    .description("The client's identifier in the realm.")
                    .validator(Length::at_least(1)),
            )
            .attribute(
                Attribute::string("id")
                    .computed()
                    .description("`<sso_realm_id>/<client_id>`."),
            )
            .attribute(
                Attribute::string("name")
                    .computed()
                    .description("Display name."),
            )
            .attribute(
                Attribute::string("description")
                    .computed()
                    .description("Description."),
            )
            .attribute(
                Attribute::string("principal_id")
                    .computed()
                    .description("The client's principal id (`clientUuid`), for role assignments."),
            ),
        )
    }

    async fn read(&self, ctx: &Ctx, config: &Value, diags: &mut Diagnostics) -> Value {
        let Some((f, realm)) = fleet_realm(ctx, config, diags).await else {
            return Value::Null;
        };
        let Some(client_id) = s(config, "client_id") else {
            return Value::Null;
        };
        match get_client(f, &realm.id, &client_id).await {
            Ok(Some(c)) => Value::object([
                ("id", Value::string(format!("{}/{}", realm.id, c.client_id))),
                ("sso_realm_id", config.attr("sso_realm_id").clone()),
                ("client_id", Value::string(&c.client_id)),
                ("name", Value::opt_string(c.client_name)),
                ("description", Value::opt_string(c.client_description)),
                ("principal_id", Value::string(c.client_uuid)),
            ]),
            Ok(None) => {
                diags.attr_error(
                    AttributePath::attr("client_id"),
                    "API client not found",
                    format!("SSO realm {} has no API client {client_id:?}.", realm.name),
                );
                Value::Null
            }
            Err(e) => fail(diags, e).unwrap_or(Value::Null),
        }
    }
}

/// Data source `vcf_api_clients`: every API client of a realm through the paged query (the
/// API has no other list), for Terraform versions without list resources.
pub struct ApiClientsData;

#[async_trait]
impl DataSource for ApiClientsData {
    fn type_name(&self) -> &'static str {
        "vcf_api_clients"
    }

    fn schema(&self) -> Schema {
        let client = vec![
            Attribute::string("client_id")
                .computed()
                .description("The client's identifier in the realm."),
            Attribute::string("name")
                .computed()
                .description("Display name."),
            Attribute::string("description")
                .computed()
                .description("Description."),
            Attribute::string("principal_id")
                .computed()
                .description("The client's principal id (`clientUuid`), for role assignments."),
        ];
        Schema::new(
            0,
            Block::new(
                "The API clients of an SSO realm, read page by page: for example to find clients no \
                 configuration manages. With Terraform 1.14+ `terraform query` with `list \"vcf_api_client\"` \
                 does the same and can generate import configuration.",
            )
            .attribute(realm_lookup_attribute())
            .attribute(
                Attribute::string("client_id_prefix")
                    .optional()
                    .description("Only clients whose `client_id` starts with this text."),
            )
            .attribute(
                Attribute::nested("clients", Nesting::List, client)
                    .computed()
                    .description("The matching clients, ordered by `client_id`."),
            ),
        )
    }

    async fn read(&self, ctx: &Ctx, config: &Value, diags: &mut Diagnostics) -> Value {
        let Some((f, realm)) = fleet_realm(ctx, config, diags).await else {
            return Value::Null;
        };
        let prefix = s(config, "client_id_prefix").unwrap_or_default();
        let mut list = match f.all_clients(&realm.id).await {
            Ok(l) => l,
            Err(e) => return fail(diags, e).unwrap_or(Value::Null),
        };
        list.retain(|c| c.client_id.starts_with(&prefix));
        list.sort_by(|a, b| a.client_id.cmp(&b.client_id));
        let items = list
            .into_iter()
            .map(|c| {
                Value::object([
                    ("client_id", Value::string(&c.client_id)),
                    ("name", Value::opt_string(c.client_name)),
                    ("description", Value::opt_string(c.client_description)),
                    ("principal_id", Value::string(c.client_uuid)),
                ])
            })
            .collect();
        let mut v = config.clone();
        v.set_attr("clients", Value::List(items));
        v
    }
}
