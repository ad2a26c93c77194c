//! Resource `vcf_director_api_token`: a Cloud Director / VCF Automation API token of the user
//! the provider logs in as, created through the UNCONFIRMED OAuth exchange of
//! [`api::create_api_token`], found and revoked through the documented token list. Tokens never
//! expire and cannot be read back. A session opened with an API token cannot create, list or
//! revoke tokens, so the provider refuses at plan time when its own `director` block
//! authenticates with one. The plan of the resource (look-up before create, rotation) is in
//! [`plan`], its schema in [`schema`].

use async_trait::async_trait;

use crate::client::{ApiClient, AuthMethod};
use crate::framework::model::Model;
use crate::framework::{
    AttributePath, Ctx, Diagnostic, Diagnostics, Failure, IdentityAttribute, IdentitySchema, Plan,
    Read, Schema, Secret, TypedResource, Val, Value,
};
use crate::resources::rotating::{self, ServerClock, Triggers};

use super::api::{
    self, TokenEntry, director, list_tokens, list_tokens_noting, org_name, revoke_token,
};

mod plan;
mod schema;

use schema::schema;

/// `vcf_director_api_token`.
#[derive(Default)]
pub struct DirectorApiToken {
    /// Creates run one at a time in a process, so that the token a create made is the only new
    /// one of its name when it is looked up afterwards.
    create_lock: tokio::sync::Mutex<()>,
    /// Director's clock (from its `Date` header), which judges the grace of previous tokens.
    clock: ServerClock,
}

crate::model! {
    /// `vcf_director_api_token`.
    pub struct ApiTokenModel {
        pub id: Val<String>,
        pub name: Val<String>,
        pub org: Val<String>,
        pub rotation_triggers: Triggers,
        pub on_existing_token: Val<String>,
        pub owner: Val<String>,
        pub token: Val<Secret>,
        pub previous_token_grace: Val<String>,
        pub previous_token_id: Val<String>,
        pub previous_token_revoke_after: Val<String>,
        pub revoke_on_destroy: Val<bool>,
        pub ready_for_rotation: Val<bool>,
        pub rotation_due_at: Val<String>,
    }
}

crate::rotating_fields!(ApiTokenModel);

crate::model! {
    /// The resource identity of `vcf_director_api_token`.
    struct IdentityModel {
        id: Val<String>,
    }
}

impl ApiTokenModel {
    /// The state of the listed token `t` in organization `org`, with `token` and
    /// `rotation_triggers` as given and no settings (see [`with_settings`](Self::with_settings)).
    pub(super) fn of(t: &TokenEntry, org: &str, token: Val<Secret>, triggers: Triggers) -> Self {
        let mut m = ApiTokenModel {
            id: t.id.as_str().into(),
            name: t.name.as_str().into(),
            org: org.into(),
            owner: t.owner_name().map(str::to_string).into(),
            token,
            rotation_triggers: triggers,
            ..ApiTokenModel::default()
        };
        rotating::set_signal(&mut m, t.expires_ms(), rotating::local_now_ms());
        m
    }

    /// This state completed with the settings of `base` (the planned or prior state): the
    /// configuration's rotation and look-up settings and the previous token. A setting still
    /// unknown in `base` is null.
    fn with_settings(mut self, base: &ApiTokenModel) -> Self {
        fn known<T: Clone>(v: &Val<T>) -> Val<T> {
            if v.is_unknown() { Val::Null } else { v.clone() }
        }
        self.on_existing_token = known(&base.on_existing_token);
        self.previous_token_grace = known(&base.previous_token_grace);
        self.revoke_on_destroy = known(&base.revoke_on_destroy);
        self.previous_token_id = known(&base.previous_token_id);
        self.previous_token_revoke_after = known(&base.previous_token_revoke_after);
        self
    }

    /// The organization this state names, or else the provider's.
    fn org_or(&self, provider_org: Option<&str>) -> String {
        self.org
            .get()
            .cloned()
            .unwrap_or_else(|| org_name(provider_org))
    }
}

/// The diagnostic for a provider whose Director session was opened with an API token.
pub(super) fn api_token_session_refusal() -> Diagnostic {
    Diagnostic::error(
        "Director API tokens cannot be created with an API-token session",
        "The provider's director block authenticates with an API token (director.api_token or \
         VCF_DIRECTOR_API_TOKEN). Cloud Director does not let a session opened with an API token create, \
         view or revoke API tokens, so this token cannot be managed with it. Configure the director block \
         (or a second, aliased provider used by this resource) with director.username and director.password \
         of the user who should own the token; the token belongs to that user in director.org.",
    )
}

impl DirectorApiToken {
    /// Creates a token named `name`, one create at a time in this process.
    async fn create_token(
        &self,
        vcf: &crate::resources::VcfContext,
        api: &ApiClient,
        name: &str,
    ) -> Result<(TokenEntry, Secret), Failure> {
        let _one_at_a_time = self.create_lock.lock().await;
        api::create_api_token(vcf, api, name).await
    }
}

#[async_trait]
impl TypedResource for DirectorApiToken {
    type Model = ApiTokenModel;

    fn type_name(&self) -> &'static str {
        "vcf_director_api_token"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &ApiTokenModel, diags: &mut Diagnostics) {
        rotating::validate_grace(config.previous_token_grace.as_deref(), None, None, diags);
        if config.revoke_on_destroy.get() == Some(&false) {
            diags.attr_warning(
                AttributePath::attr(rotating::REVOKE_ON_DESTROY),
                "Director API tokens left behind never expire",
                "With revoke_on_destroy = false, every destroy and every rotation by replacement leaves a Director \
                 API token valid on the server, and Director API tokens do not expire: revoke them outside \
                 Terraform when they are no longer used (the vcf_director_api_tokens data source lists them), or \
                 use previous_token_grace for an overlap that ends on its own.",
            );
        }
    }

    async fn modify_plan(
        &self,
        ctx: &Ctx,
        plan: &mut Plan<'_, ApiTokenModel>,
        diags: &mut Diagnostics,
    ) -> crate::framework::typed::Result<()> {
        match plan.prior.clone() {
            Some(prior) => self.plan_change(ctx, plan, &prior, diags).await,
            None => plan::plan_new(ctx, plan, diags).await,
        }
    }

    async fn create(
        &self,
        ctx: &Ctx,
        plan: ApiTokenModel,
        _config: ApiTokenModel,
        _diags: &mut Diagnostics,
    ) -> crate::framework::typed::Result<ApiTokenModel> {
        let (vcf, api) = director(ctx)?;
        if api.auth_method() == AuthMethod::ApiToken {
            return Err(api_token_session_refusal().into());
        }
        let Some(name) = plan.name.as_deref() else {
            return Err(Failure::error(
                "Incomplete configuration",
                "name must be known to create a Director API token.",
            ));
        };
        let (entry, secret) = self.create_token(vcf, api, name).await?;
        // The planned org as written (it matched director.org ignoring case), else the provider's.
        let org = plan.org_or(vcf.director_org.as_deref());
        let triggers = plan.rotation_triggers.clone();
        Ok(ApiTokenModel::of(&entry, &org, Val::Known(secret), triggers).with_settings(&plan))
    }

    async fn read(
        &self,
        ctx: &Ctx,
        state: ApiTokenModel,
        diags: &mut Diagnostics,
    ) -> crate::framework::typed::Result<Read<ApiTokenModel>> {
        let (vcf, api) = director(ctx)?;
        let Some(id) = state.id.as_deref() else {
            return Ok(Read::gone(
                "Director API token without id",
                "The state of this vcf_director_api_token has no token id; it is removed from the state and \
                 the next apply creates a new token.",
            ));
        };
        let name = state.name.as_deref();
        let listed = list_tokens_noting(api, name, Some(&self.clock)).await?;
        let Some(t) = listed.iter().find(|t| t.id == id) else {
            return Ok(Read::gone(
                "Director API token revoked",
                format!(
                    "vcf_director_api_token {:?} ({id}) was revoked outside Terraform; it is removed from the state and \
                     the next apply creates a new token.{}",
                    name.unwrap_or(""),
                    rotating::previous_left_behind(
                        &mut state.clone(),
                        "vcf_director_api_token_revoke"
                    )
                ),
            ));
        };
        let org = state.org_or(vcf.director_org.as_deref());
        let (token, triggers) = (state.token.clone(), state.rotation_triggers.clone());
        let mut m = ApiTokenModel::of(t, &org, token, triggers).with_settings(&state);
        rotating::set_signal(&mut m, t.expires_ms(), self.clock.now_ms());
        if let Some(prev) = state.previous_token_id.as_deref()
            && !listed.iter().any(|t| t.id == prev)
        {
            // Gone on the server before its grace ended: nothing left to revoke, never an error.
            diags.warning(
                "Previous Director API token already gone",
                format!(
                    "The previous Director API token {prev} of vcf_director_api_token {:?} was revoked outside \
                     Terraform before its grace ended; it is dropped from the state.",
                    name.unwrap_or("")
                ),
            );
            rotating::clear_previous(&mut m);
        }
        Ok(Read::Found(m))
    }

    async fn update(
        &self,
        ctx: &Ctx,
        prior: ApiTokenModel,
        plan: ApiTokenModel,
        _config: ApiTokenModel,
        _diags: &mut Diagnostics,
    ) -> crate::framework::typed::Result<ApiTokenModel> {
        // Only overlap rotation and the end of a grace change anything in place; every other
        // argument change is a replacement.
        let rotate = plan.id.is_unknown();
        let superseded = prior
            .previous_token_id
            .as_deref()
            .filter(|old| plan.previous_token_id.as_deref() != Some(*old))
            .map(str::to_string);
        if !rotate && superseded.is_none() {
            return Ok(crate::resources::existing::unchanged(&prior, &plan)?);
        }
        let (vcf, api) = director(ctx).map_err(|f| f.with_state(&prior))?;
        let name = prior.name.as_deref().unwrap_or_default().to_string();
        if rotate && api.auth_method() == AuthMethod::ApiToken {
            return Err(Failure::from(api_token_session_refusal()).with_state(&prior));
        }
        // The superseded previous token goes first: when its revoke fails, nothing else is
        // changed and the state still tracks it, so the next apply tries again (Director API
        // tokens never expire: one dropped from the state would stay valid for good).
        let mut base = prior.clone();
        if let Some(old) = &superseded {
            if let Err(e) = revoke_token(api, old, &name).await {
                return Err(Failure::from(e).with_state(&base));
            }
            rotating::clear_previous(&mut base);
        }
        if !rotate {
            return Ok(plan);
        }
        let Some(old_id) = prior.id.as_deref() else {
            return Ok(base);
        };
        // Director's clock for the grace (this process has seen no answer yet).
        if let Err(e) = list_tokens_noting(api, Some(&name), Some(&self.clock)).await {
            return Err(Failure::from(e).with_state(&base));
        }
        let (entry, secret) = self
            .create_token(vcf, api, &name)
            .await
            .map_err(|f| f.with_state(&base))?;
        let org = prior.org_or(vcf.director_org.as_deref());
        let triggers = plan.rotation_triggers.clone();
        let mut new =
            ApiTokenModel::of(&entry, &org, Val::Known(secret), triggers).with_settings(&plan);
        let now = self.clock.now_ms();
        rotating::set_signal(&mut new, entry.expires_ms(), now);
        rotating::keep_previous(&mut new, old_id, now, rotating::grace_ms(&plan));
        Ok(new)
    }

    async fn delete(
        &self,
        ctx: &Ctx,
        state: ApiTokenModel,
        diags: &mut Diagnostics,
    ) -> crate::framework::typed::Result<()> {
        let Some(id) = state.id.as_deref() else {
            return Ok(());
        };
        let name = state.name.as_deref().unwrap_or("");
        let previous = state.previous_token_id.as_deref();
        if !rotating::revoke_on_destroy(&state) {
            diags.warning(
                "Director API token left valid",
                format!(
                    "revoke_on_destroy is false: Director API token {name:?} ({id}){} stays valid on the server and \
                     does not expire; Terraform no longer manages it.",
                    previous
                        .map(|p| format!(" and the previous token {p}"))
                        .unwrap_or_default()
                ),
            );
            return Ok(());
        }
        let (_, api) = director(ctx)?;
        let mut errors = Diagnostics::new();
        for token in std::iter::once(id).chain(previous) {
            if let Err(e) = revoke_token(api, token, name).await {
                errors.push(e.to_diagnostic());
            }
        }
        if errors.has_errors() {
            return Err(errors.into());
        }
        Ok(())
    }

    fn identity_schema(&self) -> Option<IdentitySchema> {
        Some(IdentitySchema::new(
            0,
            vec![IdentityAttribute::required(
                "id",
                "The token id, `urn:vcloud:token:…`.",
            )],
        ))
    }

    fn import_id_from_identity(&self, identity: &Value) -> Option<String> {
        IdentityModel::decode(identity).ok()?.id.into_option()
    }

    async fn import(
        &self,
        ctx: &Ctx,
        id: &str,
        _diags: &mut Diagnostics,
    ) -> crate::framework::typed::Result<ApiTokenModel> {
        let (vcf, api) = director(ctx)?;
        let found = list_tokens(api, None)
            .await?
            .into_iter()
            .find(|t| t.id == id.trim());
        match found {
            Some(t) => {
                let org = org_name(vcf.director_org.as_deref());
                Ok(ApiTokenModel::of(&t, &org, Val::Null, Val::Null))
            }
            None => Err(Failure::error(
                "Director API token not found",
                format!(
                    "No API token with id {id:?} is visible to the provider's Director session (its own tokens, or \
                     its organization's with \"Manage all users' API tokens\"). Token ids look like \
                     urn:vcloud:token:…; list them with the vcf_director_api_tokens data source."
                ),
            )),
        }
    }
}

/// For the fuzz targets (`crate::fuzzing`): Director token answers decoded and turned into
/// state as the resource does.
#[doc(hidden)]
#[cfg(feature = "fuzzing")]
pub fn fuzz_json(body: &[u8]) {
    use super::api::{Exchanged, Registered, TokenPage};
    use crate::framework::model::ToValue;
    let _ = serde_json::from_slice::<Registered>(body).map(|r| r.client_id.len());
    let _ = serde_json::from_slice::<Exchanged>(body).map(|e| e.refresh_token.is_some());
    if let Ok(p) = serde_json::from_slice::<TokenPage>(body) {
        let _ = p.page_count;
        for t in &p.values {
            let _ = ApiTokenModel::of(t, "rainpole", Val::Null, Val::Null).to_value();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::model::ToValue;
    use crate::framework::msgpack;

    #[test]
    fn a_listed_token_maps_to_the_schema() {
        let t: TokenEntry = serde_json::from_str(
            r#"{"id":"urn:vcloud:token:1","name":"ci","type":"REFRESH","owner":{"name":"tenant-admin","id":"u"}}"#,
        )
        .unwrap();
        let m = ApiTokenModel::of(&t, "rainpole", Val::Null, Val::Null);
        assert_eq!(m.owner.as_deref(), Some("tenant-admin"));
        assert_eq!(m.ready_for_rotation, Val::Known(false));
        msgpack::encode(&m.to_value(), &schema().value_type()).unwrap();
    }
}
