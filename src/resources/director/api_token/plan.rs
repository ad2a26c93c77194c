//! The plan of `vcf_director_api_token`: a new token is checked against the provider's session
//! and organization and looked for among the tokens the state does not hold
//! ([`existing`](crate::resources::existing)); a planned change records what a replacement
//! replaces and plans rotation (replacement, or overlap rotation with `previous_token_grace`) and
//! the end of a previous token's grace.

use crate::client::AuthMethod;
use crate::framework::typed::Result;
use crate::framework::{Ctx, Diagnostic, Diagnostics, Plan, Val};
use crate::resources::VcfContext;
use crate::resources::{existing, rotating};

use super::super::api::{list_tokens_noting, org_name};
use super::{ApiTokenModel, DirectorApiToken, api_token_session_refusal};

/// The plan of a new token: no previous token, a password session, the provider's organization,
/// and the look-up of tokens of the name that the state does not hold.
pub(super) async fn plan_new(
    ctx: &Ctx,
    plan: &mut Plan<'_, ApiTokenModel>,
    diags: &mut Diagnostics,
) -> Result<()> {
    // A new token has no previous one.
    rotating::clear_previous(&mut plan.planned);
    // Unknown provider configuration: checked again at apply.
    let Some(vcf) = ctx.data::<VcfContext>() else {
        return Ok(());
    };
    let api = vcf.clients.director()?;
    if api.auth_method() == AuthMethod::ApiToken {
        return Err(api_token_session_refusal().into());
    }
    let provider_org = org_name(vcf.director_org.as_deref());
    let mut org_error = None;
    match plan.config.org.as_deref() {
        Some(o) if !o.eq_ignore_ascii_case(&provider_org) => {
            org_error = Some(
                Diagnostic::error(
                    "Organization differs from the provider's",
                    format!(
                        "org is {o:?}, but the provider logs in to {provider_org:?} (director.org). A Director API token \
                         belongs to the user who creates it, in that user's organization: use a provider (alias) whose \
                         director block logs in to {o:?}, or set org = {provider_org:?}."
                    ),
                )
                .at(crate::attr_path!(ApiTokenModel, org)),
            );
        }
        Some(_) => {}
        None => plan.planned.org = provider_org.into(),
    }
    existing::plan_director_token(ctx, plan, diags, vcf, api).await;
    match org_error {
        Some(d) => Err(d.into()),
        None => Ok(()),
    }
}

impl DirectorApiToken {
    /// The plan of a change to an existing token. Records what a replacement replaces; then a
    /// change of `rotation_triggers` replaces the token, or with `previous_token_grace` rotates it
    /// in place (the current token becomes the previous one); otherwise a previous token whose
    /// grace has ended is planned away (the apply revokes it).
    pub(super) async fn plan_change(
        &self,
        ctx: &Ctx,
        plan: &mut Plan<'_, ApiTokenModel>,
        prior: &ApiTokenModel,
        diags: &mut Diagnostics,
    ) -> Result<()> {
        existing::remember_replaced(ctx, plan);
        if plan.planned.rotation_triggers != prior.rotation_triggers {
            if rotating::overlap(&plan.config) {
                let planned = &mut plan.planned;
                planned.id = Val::Unknown;
                planned.token = Val::Unknown;
                planned.owner = Val::Unknown;
                planned.previous_token_id = prior.id.clone();
                planned.previous_token_revoke_after = Val::Unknown;
                planned.ready_for_rotation = Val::Unknown;
                planned.rotation_due_at = Val::Unknown;
            } else {
                plan.requires_replace
                    .push(crate::attr_path!(ApiTokenModel, rotation_triggers));
            }
            return Ok(());
        }
        if !prior.previous_token_id.is_null()
            && !self.clock.known()
            && let Some(api) = ctx
                .data::<VcfContext>()
                .and_then(|c| c.clients.director().ok())
        {
            // No answer of Director in this process yet (the plan Terraform repeats during apply
            // runs in a new one): learn its clock before judging the grace. A failure here
            // leaves the local clock; the apply then reports the real error.
            let _ = list_tokens_noting(api, prior.name.as_deref(), Some(&self.clock)).await;
        }
        let now = self.clock.now_ms();
        let mut prior = prior.clone();
        let planned = &mut plan.planned;
        rotating::plan_previous(&mut prior, planned, now, "Director API token", diags);
        let due = prior
            .rotation_due_at
            .as_deref()
            .and_then(crate::resources::fleet::millis_from_rfc3339);
        rotating::plan_signal(&mut prior, planned, due, now);
        Ok(())
    }
}
