//! Resource `vcf_api_client`: an API client of an SSO realm, the machine identity that API
//! tokens are created under. Its `principal_id` (the API's `clientUuid`) is what roles are
//! assigned to. The data sources `vcf_api_client` and `vcf_api_clients` and the list resource
//! share its model and [`get_client`].

use async_trait::async_trait;
use serde_json::json;

use crate::client::{ApiError, Call};
use crate::framework::model::Model;
use crate::framework::plan::{RequiresReplace, UseStateForUnknown};
use crate::framework::typed::Result;
use crate::framework::validate::{Length, Matches, PathSegment};
use crate::framework::{
    Attribute, Block, Ctx, Diagnostics, Failure, IdentityAttribute, IdentitySchema, Plan, Read,
    Schema, TypedResource, Val, Value,
};

use super::{
    ClientJson, Fleet, REALM_ATTRIBUTE, REALM_IDENTITY, WRITE_ROLE, fleet_realm_of, paths,
    plan_realm_of, realm_attribute,
};

const CLIENT_ID_PATTERN: &str = r"^[A-Za-z0-9._-]{1,128}$";
const CLIENT_ID_HINT: &str = "1 to 128 letters, digits, `.`, `_` or `-`";

fn schema() -> Schema {
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

crate::model! {
    /// `vcf_api_client`, the resource and the data source (both have these attributes).
    pub struct ApiClientModel {
        pub id: Val<String>,
        pub sso_realm_id: Val<String>,
        pub client_id: Val<String>,
        pub name: Val<String>,
        pub description: Val<String>,
        pub principal_id: Val<String>,
    }
}

crate::model! {
    /// The resource identity of `vcf_api_client`.
    struct IdentityModel {
        sso_realm_id: Val<String>,
        client_id: Val<String>,
    }
}

impl ApiClientModel {
    /// The state of `client` of realm `realm_id`, with `sso_realm_id` as given.
    /// `description_unset`: the configuration leaves `description` out, so the API's "" for a
    /// client without description stays null and an empty re-plan stays empty.
    pub(super) fn of(
        client: &ClientJson,
        sso_realm_id: Val<String>,
        realm_id: &str,
        description_unset: bool,
    ) -> Self {
        let description = match client.client_description.as_deref() {
            None | Some("") if description_unset => None,
            d => Some(d.unwrap_or_default().to_string()),
        };
        ApiClientModel {
            id: format!("{realm_id}/{}", client.client_id).into(),
            sso_realm_id,
            client_id: client.client_id.as_str().into(),
            name: client.client_name.clone().into(),
            description: description.into(),
            principal_id: client.client_uuid.as_str().into(),
        }
    }

    /// The client's `client_id`; the schema requires it, so only a provider bug leaves it unset.
    pub(super) fn known_client_id(&self) -> Result<&str> {
        self.client_id.as_deref().ok_or_else(|| {
            Failure::error(
                "Provider bug: client_id is not known",
                "The API client's client_id is not known here. Please report this issue to the provider developers.",
            )
        })
    }
}

/// The API client `client_id` of `realm`, `None` when there is none.
pub(super) async fn get_client(
    f: Fleet<'_>,
    realm: &str,
    client_id: &str,
) -> std::result::Result<Option<ClientJson>, ApiError> {
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

/// `vcf_api_client`.
pub struct ApiClientResource;

#[async_trait]
impl TypedResource for ApiClientResource {
    type Model = ApiClientModel;

    fn type_name(&self) -> &'static str {
        "vcf_api_client"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn modify_plan(
        &self,
        ctx: &Ctx,
        plan: &mut Plan<'_, ApiClientModel>,
        _diags: &mut Diagnostics,
    ) -> Result<()> {
        plan_realm_of(
            ctx,
            &mut plan.planned.sso_realm_id,
            &plan.config.sso_realm_id,
        )
        .await?;
        Ok(())
    }

    async fn create(
        &self,
        ctx: &Ctx,
        plan: ApiClientModel,
        _config: ApiClientModel,
        _diags: &mut Diagnostics,
    ) -> Result<ApiClientModel> {
        let (f, realm) = fleet_realm_of(ctx, &plan.sso_realm_id).await?;
        let client_id = plan.known_client_id()?;
        // clientName is required by the API; it defaults to the client id.
        let mut body = json!({
            "clientId": client_id,
            "clientName": plan.name.as_deref().unwrap_or(client_id),
        });
        if let Some(d) = plan.description.as_deref() {
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
            .create_with_lookup(call, || get_client(f, &realm.id, client_id))
            .await?
            .into_inner()
            .checked(&what)?;
        // The configured realm (a name or an id), else the one resolved.
        let sso_realm_id = plan
            .sso_realm_id
            .get()
            .cloned()
            .unwrap_or_else(|| realm.id.clone());
        Ok(ApiClientModel::of(
            &created,
            sso_realm_id.into(),
            &realm.id,
            plan.description.is_null(),
        ))
    }

    async fn read(
        &self,
        ctx: &Ctx,
        state: ApiClientModel,
        _diags: &mut Diagnostics,
    ) -> Result<Read<ApiClientModel>> {
        let (f, realm) = fleet_realm_of(ctx, &state.sso_realm_id).await?;
        let client_id = state.known_client_id()?;
        match get_client(f, &realm.id, client_id).await? {
            Some(c) => Ok(Read::Found(ApiClientModel::of(
                &c,
                state.sso_realm_id.clone(),
                &realm.id,
                state.description.is_null(),
            ))),
            None => Ok(Read::gone(
                "API client no longer exists",
                format!(
                    "API client {client_id:?} is gone from SSO realm {}; it is removed from the state and the next apply creates it again.",
                    realm.name
                ),
            )),
        }
    }

    async fn update(
        &self,
        ctx: &Ctx,
        prior: ApiClientModel,
        plan: ApiClientModel,
        _config: ApiClientModel,
        _diags: &mut Diagnostics,
    ) -> Result<ApiClientModel> {
        // What failed to change keeps the prior state.
        update_client(ctx, &prior, plan)
            .await
            .map_err(|f| f.with_state(&prior))
    }

    async fn delete(
        &self,
        ctx: &Ctx,
        state: ApiClientModel,
        _diags: &mut Diagnostics,
    ) -> Result<()> {
        let (f, realm) = fleet_realm_of(ctx, &state.sso_realm_id).await?;
        let client_id = state.known_client_id()?;
        let deleted = f
            .api
            .call(
                Call::delete(paths::fill(paths::CLIENT, &[&realm.id, client_id]))
                    .success(&[204])
                    .what(format!("delete API client {client_id:?}"))
                    .needs_role(WRITE_ROLE),
            )
            .await;
        match deleted {
            Ok(_) => f.state().invalidate_tokens(&realm.id, client_id),
            Err(e) if e.is_not_found() => {}
            Err(e) => return Err(e.into()),
        }
        Ok(())
    }

    fn identity_schema(&self) -> Option<IdentitySchema> {
        Some(IdentitySchema::new(
            0,
            vec![
                IdentityAttribute::required(REALM_ATTRIBUTE, REALM_IDENTITY),
                IdentityAttribute::required("client_id", "The API client's `client_id`."),
            ],
        ))
    }

    fn import_id_from_identity(&self, identity: &Value) -> Option<String> {
        let identity = IdentityModel::decode(identity).ok()?;
        Some(format!(
            "{}/{}",
            identity.sso_realm_id.as_deref()?,
            identity.client_id.as_deref()?
        ))
    }

    async fn import(
        &self,
        _ctx: &Ctx,
        id: &str,
        _diags: &mut Diagnostics,
    ) -> Result<ApiClientModel> {
        match id.split_once('/') {
            Some((realm, client)) if !realm.is_empty() && !client.is_empty() => {
                Ok(ApiClientModel {
                    id: id.into(),
                    sso_realm_id: realm.into(),
                    client_id: client.into(),
                    ..ApiClientModel::default()
                })
            }
            _ => Err(Failure::error(
                "Invalid import ID",
                format!(
                    "vcf_api_client is imported as <sso_realm_id>/<client_id>, for example \
                     d86a0d9d-f267-45fd-b966-ed8b30e59452/IamClient; got {id:?}."
                ),
            )),
        }
    }
}

/// Updates the name and description in place, then reads the client back (the API answers 204
/// without a body).
async fn update_client(
    ctx: &Ctx,
    prior: &ApiClientModel,
    plan: ApiClientModel,
) -> Result<ApiClientModel> {
    let (f, realm) = fleet_realm_of(ctx, &plan.sso_realm_id).await?;
    let client_id = plan.known_client_id()?;
    // The client is named by its clientUuid in the body.
    let Some(uuid) = prior
        .principal_id
        .as_deref()
        .or(plan.principal_id.as_deref())
    else {
        return Err(Failure::error(
            "API client without principal_id",
            format!(
                "The state of API client {client_id:?} has no principal_id; run `terraform apply -refresh-only` first."
            ),
        ));
    };
    let body = json!({
        "clientUuid": uuid,
        "clientId": client_id,
        "clientName": plan.name.as_deref().unwrap_or(client_id),
        "clientDescription": plan.description.as_deref().unwrap_or_default(),
    });
    f.api
        .call(
            Call::patch(paths::fill(paths::CLIENTS, &[&realm.id]))
                .json(&body)
                .idempotent(true)
                .success(&[204])
                .what(format!("update API client {client_id:?}"))
                .needs_role(WRITE_ROLE),
        )
        .await?;
    match get_client(f, &realm.id, client_id).await? {
        Some(c) => Ok(ApiClientModel::of(
            &c,
            plan.sso_realm_id.clone(),
            &realm.id,
            plan.description.is_null(),
        )),
        None => Err(Failure::error(
            "API client vanished",
            format!(
                "API client {client_id:?} was updated but is gone when read back; run Terraform again."
            ),
        )),
    }
}
