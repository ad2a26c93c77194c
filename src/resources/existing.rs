//! Look-up before create for the token resources (`vcf_api_token`, `vcf_director_api_token`):
//! when a plan creates a token, the provider first looks for usable tokens of the same name
//! and holder (API client; Director user) that the state does not hold — left by an apply that
//! was killed after the create call, dropped with `terraform state rm`, or made by hand — and
//! warns with their ids and how to adopt or revoke them, or refuses (`on_existing_token`).
//!
//! When the check runs, and why there (docs/guides/adopting-existing-identities.md says the
//! same for users):
//! - In the plan (`PlanResourceChange` of a new object), not in the create: Terraform's create
//!   call carries no prior state, so a create cannot tell the old token of a
//!   `create_before_destroy` replacement (still ACTIVE, same name, being replaced) from a stray
//!   one. The plan can: Terraform plans a replacement in two calls, first with the prior state,
//!   then with a null prior state and the private data the first call planned. The first call
//!   records the ids it replaces ([`remember_replaced`]); the second excludes them.
//! - Not in the re-plan Terraform makes during apply: that call (for a `create_before_destroy`
//!   replacement too) has neither prior state nor the plan's private data, so it cannot exclude
//!   the token being replaced. Terraform 1.11 and 1.15 mark it with the client capability
//!   `deferral_allowed` (the plan of a `terraform plan` or of the plan phase of
//!   `terraform apply` has it false); the provider takes that as "apply", where the check has
//!   already run at plan time. `tests/acceptance_duplicates.rs` pins this with both versions.
//! - In the second call of a replacement only with `on_existing_token = "fail"`: Terraform shows
//!   the errors of that call but drops its warnings.
//!
//! Names need not be unique (the references state no such rule, and the API takes a second
//! token of a name), so this is a check of the provider, not of the API.

use crate::framework::model::Model;
use crate::framework::validate::OneOf;
use crate::framework::{Attribute, AttributePath, Ctx, Diagnostic, Diagnostics, Plan, Val, Value};
use crate::resources::director::api_token::ApiTokenModel as DirectorTokenModel;
use crate::resources::fleet::api_token::ApiTokenModel;

/// The attribute of both token resources.
pub const ATTRIBUTE: &str = "on_existing_token";

/// What to do when a token of the name already exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Warn at plan time and create (the default).
    Warn,
    /// Refuse at plan time; nothing is created.
    Fail,
    /// Do not look.
    Ignore,
}

impl Mode {
    /// The mode `on_existing_token` sets (`None` while it is unknown).
    pub fn of(setting: &Val<String>) -> Option<Mode> {
        Some(match setting {
            Val::Unknown => return None,
            Val::Known(s) if s == "fail" => Mode::Fail,
            Val::Known(s) if s == "ignore" => Mode::Ignore,
            _ => Mode::Warn,
        })
    }
}

/// What the look-up reads of a token resource's model (both token models implement it).
pub trait TokenModel: Model {
    /// `on_existing_token`.
    fn on_existing_token(&self) -> &Val<String>;
    /// The ids of the tokens this state holds: the current one and a previous one kept alive
    /// beside it by an overlapping rotation.
    fn held_ids(&self) -> Vec<String>;
    /// The path of the attribute `name`, where a report on the existing tokens points.
    fn name_path() -> AttributePath
    where
        Self: Sized;
}

macro_rules! token_model {
    ($model:ty) => {
        impl TokenModel for $model {
            fn on_existing_token(&self) -> &Val<String> {
                &self.on_existing_token
            }
            fn held_ids(&self) -> Vec<String> {
                [&self.id, &self.previous_token_id]
                    .into_iter()
                    .filter_map(|v| v.get().cloned())
                    .collect()
            }
            fn name_path() -> AttributePath {
                crate::attr_path!($model, name)
            }
        }
    };
}
token_model!(ApiTokenModel);
token_model!(DirectorTokenModel);

/// `on_existing_token`; `holder` says whose tokens are looked at ("the API client's").
pub fn attribute(holder: &str) -> Attribute {
    Attribute::string(ATTRIBUTE)
        .optional()
        .description(&format!(
            "What the plan of a new token does when {holder} already has usable tokens of the same `name` that \
             the state does not hold (left by an apply that was interrupted after the create call, removed with \
             `terraform state rm`, or made outside Terraform): `warn` (default) shows their ids with the \
             `import` block that adopts one and how to revoke them, then creates another token; `fail` refuses \
             the plan, so nothing is created; `ignore` does not look. The look-up is one query, made when the \
             plan creates the token (not for updates); the token a replacement replaces is not counted, with or \
             without `create_before_destroy`. A token marked with `terraform taint` is counted (Terraform plans \
             its replacement as a new object); use `terraform apply -replace=…` instead."
        ))
        .validator(OneOf::new(&["warn", "fail", "ignore"]))
}

/// The key of the provider's private data that lists the token ids a replacement replaces.
const REPLACES: &str = "vcf_replaces";

/// First half of a planned replacement (or any plan of an existing token): records the ids the
/// prior state holds in the plan's private data, which Terraform hands to the second half (the
/// plan of the new object). Other keys of the private data are kept.
pub fn remember_replaced<M: TokenModel>(ctx: &Ctx, plan: &mut Plan<'_, M>) {
    let Some(prior) = &plan.prior else {
        return;
    };
    if ctx.deferral_allowed {
        // The apply's re-plan: nothing follows that reads it.
        return;
    }
    let ids = prior.held_ids();
    let mut data = match serde_json::from_slice::<serde_json::Value>(plan.prior_private) {
        Ok(serde_json::Value::Object(m)) => m,
        _ => serde_json::Map::new(),
    };
    data.insert(REPLACES.into(), serde_json::json!(ids));
    *plan.planned_private = serde_json::to_vec(&serde_json::Value::Object(data)).ok();
}

/// The ids the first half of a replacement recorded, when this plan is its second half.
fn replaced(prior_private: &[u8]) -> Option<Vec<String>> {
    let v: serde_json::Value = serde_json::from_slice(prior_private).ok()?;
    let list = v.get(REPLACES)?.as_array()?;
    Some(
        list.iter()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect(),
    )
}

/// Whether this plan looks, and which ids it does not count: `None` when it does not look
/// (not a create, `ignore`, the apply's re-plan, or a replacement's second half in `warn`
/// mode, whose warnings Terraform drops).
pub fn should_check<M: TokenModel>(ctx: &Ctx, plan: &Plan<'_, M>) -> Option<(Mode, Vec<String>)> {
    if plan.prior.is_some() || ctx.deferral_allowed {
        return None;
    }
    let mode = Mode::of(plan.config.on_existing_token())?;
    match (mode, replaced(plan.prior_private)) {
        (Mode::Ignore, _) | (Mode::Warn, Some(_)) => None,
        (m, r) => Some((m, r.unwrap_or_default())),
    }
}

/// One token of the name that the state does not hold.
#[derive(Debug, Clone)]
pub struct Existing {
    pub id: String,
    /// What the `import` block's `id` is for this token.
    pub import_id: String,
    /// How to revoke it (one sentence fragment).
    pub revoke: String,
    /// Creation time, expiry, owner: whatever the API says, as `key value` pairs.
    pub facts: Vec<String>,
}

/// What [`report`] says.
pub struct Report<'a> {
    /// "API token", "Director API token".
    pub what: &'a str,
    /// The resource type, for the `import` block.
    pub resource_type: &'a str,
    pub name: &'a str,
    /// Whose tokens ("API client \"ci\"").
    pub holder: String,
    pub found: Vec<Existing>,
}

/// A warning (or, in `fail` mode, an error) on `name` listing the tokens with the `import`
/// block that adopts one and how to revoke them.
pub fn report<M: TokenModel>(diags: &mut Diagnostics, mode: Mode, r: Report<'_>) {
    let Some(first) = r.found.first() else {
        return;
    };
    let n = r.found.len();
    let what = if n == 1 {
        r.what.to_string()
    } else {
        format!("{}s", r.what)
    };
    let list: Vec<String> = r
        .found
        .iter()
        .map(|e| {
            if e.facts.is_empty() {
                format!("  - {}", e.id)
            } else {
                format!("  - {} ({})", e.id, e.facts.join(", "))
            }
        })
        .collect();
    let revoke: Vec<String> = r.found.iter().map(|e| e.revoke.clone()).collect();
    let mut detail = format!(
        "{holder} already has {n} usable {what} named {name:?} that this resource's state does not hold \
         (left by an apply that was interrupted after the create call, removed with `terraform state rm`, or made \
         outside Terraform):\n{list}\n\n",
        holder = r.holder,
        name = r.name,
        list = list.join("\n"),
    );
    detail.push_str(&format!(
        "To adopt {one} instead of creating another, add this block to the configuration, with `to` set to this \
         resource's address (Terraform names it above), and plan again:\n\n\
         import {{\n  to = {ty}.EXAMPLE\n  id = \"{import_id}\"\n}}\n\n\
         or run: terraform import '{ty}.EXAMPLE' '{import_id}'\n\n\
         An adopted token has no secret in the state (the API shows it only when the token is made). \
         To get rid of {them} instead: {revoke}.",
        one = if n == 1 { "it" } else { "one of them" },
        ty = r.resource_type,
        import_id = first.import_id,
        them = if n == 1 { "it" } else { "them" },
        revoke = revoke.join("; "),
    ));
    let path = M::name_path();
    match mode {
        Mode::Fail => {
            detail.push_str(&format!(
                "\n\nNothing was created: {ATTRIBUTE} is \"fail\". Adopt or revoke the token first, or set \
                 {ATTRIBUTE} = \"warn\" to create another token of the name anyway."
            ));
            diags.attr_error(
                path,
                format!("{} named {:?} already exists", r.what, r.name),
                detail,
            );
        }
        _ => {
            detail.push_str(&format!(
                "\n\nApplying this plan creates another token of the name. Set {ATTRIBUTE} = \"fail\" to refuse \
                 such creates, or \"ignore\" to stop looking."
            ));
            diags.attr_warning(
                path,
                format!("{} named {:?} already exists", r.what, r.name),
                detail,
            );
        }
    }
}

/// When the look-up itself fails: a warning (the plan goes on) or, in `fail` mode, the error.
pub fn lookup_failed(diags: &mut Diagnostics, mode: Mode, e: crate::client::ApiError) {
    let mut d = e.to_diagnostic();
    if mode == Mode::Fail {
        d.detail.push_str(&format!(
            " The provider looks for existing tokens of the name before it creates one ({ATTRIBUTE} = \"fail\")."
        ));
        diags.push(d);
    } else {
        diags.warning(
            "Could not look for existing tokens of the name",
            format!(
                "{}: {} The token is created without this check.",
                d.summary, d.detail
            ),
        );
    }
}

/// The state of an update that sends nothing (only `on_existing_token` or other settings the API
/// does not hold changed): `planned` with every value still unknown taken from `prior` (a
/// computed value the prior state has as null, such as the `token` of an imported token, is
/// planned unknown).
pub fn unchanged<M: Model>(prior: &M, planned: &M) -> Result<M, Diagnostic> {
    let mut v = planned.to_value();
    if let (Value::Object(m), Value::Object(p)) = (&mut v, prior.to_value()) {
        for (k, x) in m.iter_mut() {
            if x.is_unknown() {
                *x = p.get(k).cloned().unwrap_or(Value::Null);
            }
        }
    }
    M::decode(&v)
}

// ---------------------------------------------------------------------------------------------
// vcf_api_token

/// `vcf_api_token`'s plan: records what a replacement replaces, and looks for usable tokens of
/// the planned name of the planned API client before a create (one token query, narrowed by the
/// server to the name).
pub async fn plan_api_token(
    ctx: &Ctx,
    plan: &mut Plan<'_, ApiTokenModel>,
    diags: &mut Diagnostics,
) {
    if plan.prior.is_some() {
        remember_replaced(ctx, plan);
        return;
    }
    let Some((mode, replaced)) = should_check(ctx, plan) else {
        return;
    };
    let planned = &plan.planned;
    let (Some(client), Some(name), Some(realm_shown)) = (
        planned.api_client_id.as_deref(),
        planned.name.as_deref(),
        planned.sso_realm_id.as_deref(),
    ) else {
        // Not known yet (the client is made in this apply, so it has no tokens).
        return;
    };
    // What stops these (no operations block, an unknown realm) was reported by the plan already.
    let Ok(f) = crate::resources::fleet::fleet_of(ctx) else {
        return;
    };
    let Ok(realm) = f.realm_of(&planned.sso_realm_id).await else {
        return;
    };
    let list = match f.tokens_named(&realm.id, client, name).await {
        Ok(l) => l,
        Err(e) => return lookup_failed(diags, mode, e),
    };
    let now = f.state().now_ms();
    let mut list: Vec<_> = list
        .into_iter()
        .filter(|t| {
            !replaced.contains(&t.id)
                && crate::resources::fleet::api_token::unusable(t, now).is_none()
        })
        .collect();
    // Newest first: the import block names the newest.
    list.sort_by_key(|t| std::cmp::Reverse(t.creation_date));
    let time = |ms: Option<i64>| ms.and_then(crate::resources::rfc3339_from_millis);
    let found = list
        .iter()
        .map(|t| {
            let mut facts = Vec::new();
            if let Some(c) = time(t.creation_date) {
                facts.push(format!("created {c}"));
            }
            if let Some(e) = time(t.expiration_date) {
                facts.push(format!("expires {e}"));
            }
            if let Some(l) = &t.token_last_chars {
                facts.push(format!("ends in {l}"));
            }
            Existing {
                id: t.id.clone(),
                import_id: format!("{realm_shown}/{client}/{}", t.id),
                revoke: format!(
                    "DELETE https://<operations.host>{}{}",
                    crate::client::contract::fleet::BASE_PATH,
                    crate::resources::fleet::paths::fill(
                        crate::resources::fleet::paths::TOKEN,
                        &[&realm.id, &t.id]
                    )
                ),
                facts,
            }
        })
        .collect();
    report::<ApiTokenModel>(
        diags,
        mode,
        Report {
            what: "API token",
            resource_type: "vcf_api_token",
            name,
            holder: format!("API client {client:?}"),
            found,
        },
    );
}

// ---------------------------------------------------------------------------------------------
// vcf_director_api_token

/// `vcf_director_api_token`'s plan of a new token: looks for API tokens of the planned name of
/// the user the provider logs in as (one token list, filtered by name; PROXY and EXTENSION
/// tokens are not API tokens and never count).
pub async fn plan_director_token(
    ctx: &Ctx,
    plan: &Plan<'_, DirectorTokenModel>,
    diags: &mut Diagnostics,
    vcf: &crate::resources::VcfContext,
    api: &crate::client::ApiClient,
) {
    let Some((mode, replaced)) = should_check(ctx, plan) else {
        return;
    };
    let Some(name) = plan.planned.name.as_deref() else {
        return;
    };
    let list = match super::director::api::list_tokens(api, Some(name)).await {
        Ok(l) => l,
        Err(e) => return lookup_failed(diags, mode, e),
    };
    let org = super::director::api::org_name(vcf.director_org.as_deref());
    let same = |want: Option<&str>, got: Option<&str>| match (want, got) {
        (Some(w), Some(g)) => w.eq_ignore_ascii_case(g),
        // Not said: it may be ours.
        _ => true,
    };
    let user = vcf.director_username.as_deref();
    let found = list
        .iter()
        .filter(|t| !replaced.contains(&t.id))
        // With "Manage all users' API tokens" the list holds other users' tokens too.
        .filter(|t| same(user, t.owner.as_ref().and_then(|o| o.name.as_deref())))
        .filter(|t| same(Some(&org), t.org.as_ref().and_then(|o| o.name.as_deref())))
        .map(|t| Existing {
            id: t.id.clone(),
            import_id: t.id.clone(),
            revoke: format!(
                "DELETE https://<director.host>/cloudapi/1.0.0/tokens/{} (or revoke it under the user's API tokens in \
                 the Director UI)",
                t.id
            ),
            facts: t
                .owner
                .as_ref()
                .and_then(|o| o.name.as_deref())
                .map(|o| vec![format!("owner {o}")])
                .unwrap_or_default(),
        })
        .collect();
    let holder = match user {
        Some(u) => format!("Director user {u:?} of organization {org:?}"),
        None => format!("The provider's Director session (organization {org:?})"),
    };
    report::<DirectorTokenModel>(
        diags,
        mode,
        Report {
            what: "Director API token",
            resource_type: "vcf_director_api_token",
            name,
            holder,
            found,
        },
    );
}

#[cfg(test)]
mod tests;
