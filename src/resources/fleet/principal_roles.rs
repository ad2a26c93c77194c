//! Resource `vcf_principal_roles`: the complete set of VCF role assignments of one principal,
//! authoritative.

use async_trait::async_trait;

use crate::framework::model::Model;
use crate::framework::plan::{RequiresReplace, UseStateForUnknown};
use crate::framework::typed::Result;
use crate::framework::validate::{Length, PathSegment};
use crate::framework::{
    Attribute, Block, Ctx, Diagnostics, Failure, IdentitySchema, Nesting, Plan, Read, Schema,
    SetOf, TypedResource, Val, Value,
};

use super::role_schema::*;
use super::{AssignmentJson, realm_attribute};

fn schema() -> Schema {
    Schema::new(
        0,
        Block::new(
            "The **complete** set of VCF role assignments of one principal (authoritative): assignments \
             not listed here, including ones made by hand or by `vcf_role_assignment`, are removed on apply. \
             Destroying it removes all of the principal's assignments.\n\n\
             Never use it together with `vcf_role_assignment` for the same principal: each apply would undo \
             the other. Use it for principals that Terraform owns outright.\n\n\
             **One principal belongs in one Terraform state.** This resource writes the whole set it is \
             given (in the same process, after any queued `vcf_role_assignment` writes), so a change another \
             writer makes to the principal — another state, a pipeline, a person — is replaced by the next \
             apply; until then the plan shows it as drift.\n\n\
             Import ID: `<sso_realm_id>/<principal_id>`.",
        )
        .attribute(
            Attribute::string("id")
                .computed()
                .description("`<sso_realm_id>/<principal_id>`, also the import ID.")
                .plan_modifier(UseStateForUnknown),
        )
        .attribute(realm_attribute())
        .attribute(
            Attribute::string("principal_id")
                .validator(PathSegment)
                .required()
                .description("Principal whose assignments this resource owns. Changing it replaces the resource.")
                .validator(Length::at_least(1))
                .plan_modifier(RequiresReplace),
        )
        .attribute(
            Attribute::nested("assignments", Nesting::Set, assignment_attrs(false))
                .optional()
                .description("Every assignment the principal has; empty or absent means none."),
        ),
    )
}

crate::model! {
    /// `vcf_principal_roles`, the resource.
    pub struct PrincipalRolesModel {
        pub id: Val<String>,
        pub sso_realm_id: Val<String>,
        pub principal_id: Val<String>,
        pub assignments: Val<SetOf<Val<AssignmentModel>>>,
    }
}

impl PrincipalRolesModel {
    /// The principal's set as the server stores it, keeping the `expires_at` text of `prior`
    /// where it means the same time.
    fn assignments_from(
        set: &[AssignmentJson],
        prior: &Val<SetOf<Val<AssignmentModel>>>,
    ) -> Val<SetOf<Val<AssignmentModel>>> {
        let items = assignments_of(set, &known_items(prior));
        Val::Known(SetOf(items.into_iter().map(Val::Known).collect()))
    }
}

/// Writes the planned set (in place of whatever the principal has) and returns the state of
/// what the server then stores.
async fn put(ctx: &Ctx, plan: &PrincipalRolesModel) -> Result<PrincipalRolesModel> {
    let (f, realm, principal) =
        principal_realm(ctx, &plan.sso_realm_id, &plan.principal_id).await?;
    let list: Vec<AssignmentJson> = known_items(&plan.assignments)
        .iter()
        .filter_map(|a| a.to_json())
        .collect();
    let set = f.replace_assignments(&realm.id, &principal, list).await?;
    Ok(PrincipalRolesModel {
        id: format!("{}/{principal}", realm.id).into(),
        sso_realm_id: realm_in_state(&plan.sso_realm_id, realm),
        assignments: PrincipalRolesModel::assignments_from(&set, &plan.assignments),
        principal_id: principal.into(),
    })
}

/// `vcf_principal_roles`, the resource.
pub struct PrincipalRoles;

#[async_trait]
impl TypedResource for PrincipalRoles {
    type Model = PrincipalRolesModel;

    fn type_name(&self) -> &'static str {
        "vcf_principal_roles"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &PrincipalRolesModel, diags: &mut Diagnostics) {
        for item in known_items(&config.assignments) {
            item.check_scope(&crate::attr_path!(PrincipalRolesModel, assignments), diags);
        }
    }

    async fn modify_plan(
        &self,
        ctx: &Ctx,
        plan: &mut Plan<'_, PrincipalRolesModel>,
        diags: &mut Diagnostics,
    ) -> Result<()> {
        if plan.planned.assignments.get().is_none() {
            return Ok(());
        }
        let prior = plan
            .prior
            .as_ref()
            .map(|p| known_items(&p.assignments))
            .unwrap_or_default();
        let items: Vec<PlannedAssignment> = known_items(&plan.planned.assignments)
            .into_iter()
            .map(|item| PlannedAssignment {
                item,
                prior_expiry: item
                    .to_json()
                    .and_then(|a| AssignmentModel::same_binding_in(&prior, &a))
                    .map(|p| p.expires_at.clone())
                    .unwrap_or_default(),
                new_role: !prior.iter().any(|p| p.role_name == item.role_name),
                new_scope: true,
            })
            .collect();
        check_planned(
            ctx,
            &mut plan.planned.sso_realm_id,
            &plan.config.sso_realm_id,
            &items,
            &CheckPaths::all_at("assignments"),
            diags,
        )
        .await
    }

    async fn create(
        &self,
        ctx: &Ctx,
        plan: PrincipalRolesModel,
        _config: PrincipalRolesModel,
        _diags: &mut Diagnostics,
    ) -> Result<PrincipalRolesModel> {
        put(ctx, &plan).await
    }

    async fn read(
        &self,
        ctx: &Ctx,
        state: PrincipalRolesModel,
        _diags: &mut Diagnostics,
    ) -> Result<Read<PrincipalRolesModel>> {
        let (f, realm, principal) =
            principal_realm(ctx, &state.sso_realm_id, &state.principal_id).await?;
        match f.assignments(&realm.id, &principal).await {
            Ok(set) => {
                let assignments = if set.is_empty() && state.assignments.is_null() {
                    Val::Null
                } else {
                    PrincipalRolesModel::assignments_from(&set, &state.assignments)
                };
                Ok(Read::Found(PrincipalRolesModel {
                    id: format!("{}/{principal}", realm.id).into(),
                    assignments,
                    ..state
                }))
            }
            Err(e) if e.is_not_found() => Ok(Read::gone(
                "Principal no longer exists",
                format!(
                    "Principal {principal} is gone from SSO realm {}; it is removed from the state.",
                    realm.name
                ),
            )),
            Err(e) => Err(e.into()),
        }
    }

    async fn update(
        &self,
        ctx: &Ctx,
        prior: PrincipalRolesModel,
        plan: PrincipalRolesModel,
        _config: PrincipalRolesModel,
        _diags: &mut Diagnostics,
    ) -> Result<PrincipalRolesModel> {
        // An empty set stays unset when the configuration leaves `assignments` out.
        let unset = plan.assignments.is_null();
        let keep_unset = |mut m: PrincipalRolesModel| {
            if unset && m.assignments.get().is_some_and(|set| set.0.is_empty()) {
                m.assignments = Val::Null;
            }
            m
        };
        match put(ctx, &plan).await {
            Ok(m) => Ok(keep_unset(m)),
            Err(f) => Err(f.with_state(&keep_unset(prior))),
        }
    }

    async fn delete(
        &self,
        ctx: &Ctx,
        state: PrincipalRolesModel,
        _diags: &mut Diagnostics,
    ) -> Result<()> {
        let (f, realm, principal) =
            principal_realm(ctx, &state.sso_realm_id, &state.principal_id).await?;
        gone_is_done(
            f.replace_assignments(&realm.id, &principal, Vec::new())
                .await,
        )
    }

    fn identity_schema(&self) -> Option<IdentitySchema> {
        principal_identity_schema()
    }

    fn import_id_from_identity(&self, identity: &Value) -> Option<String> {
        let identity = PrincipalIdentityModel::decode(identity).ok()?;
        Some(format!(
            "{}/{}",
            identity.sso_realm_id.as_deref()?,
            identity.principal_id.as_deref()?
        ))
    }

    async fn import(
        &self,
        _ctx: &Ctx,
        id: &str,
        _diags: &mut Diagnostics,
    ) -> Result<PrincipalRolesModel> {
        match id.split_once('/') {
            Some((realm, principal))
                if !realm.is_empty() && !principal.is_empty() && !principal.contains('/') =>
            {
                Ok(PrincipalRolesModel {
                    id: id.into(),
                    sso_realm_id: realm.into(),
                    principal_id: principal.into(),
                    assignments: Val::Known(SetOf(Vec::new())),
                })
            }
            _ => Err(Failure::error(
                "Invalid import ID",
                format!(
                    "vcf_principal_roles is imported as <sso_realm_id>/<principal_id>; got {id:?}."
                ),
            )),
        }
    }
}
