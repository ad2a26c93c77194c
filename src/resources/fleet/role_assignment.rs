//! Resource `vcf_role_assignment`: one role at one scope for one principal, non-authoritative.
//! The API only replaces a principal's whole set, so every write is a read-modify-write under
//! the principal's lock in this process (see `rmw.rs`), reading right before writing and
//! touching only its own entry.
//!
//! Its identity is `{sso_realm_id, principal_id, role_name, scope}` where `scope` is
//! `SSO_REALM`, or `VCF_INSTANCE:<id>[,<id>…]` with the instance ids sorted (Terraform refuses an
//! identity that changes without replacement, and these are what an assignment cannot change in
//! place).

use async_trait::async_trait;

use crate::framework::model::{Model, ToValue};
use crate::framework::plan::{RequiresReplace, UseStateForUnknown};
use crate::framework::typed::Result;
use crate::framework::validate::{Length, PathSegment};
use crate::framework::{
    Attribute, AttributePath, Block, Ctx, Diagnostics, Failure, IdentityAttribute, IdentitySchema,
    Plan, Read, Schema, SetOf, TypedResource, Val, Value,
};

use super::role_schema::*;
use super::{AssignmentJson, realm_attribute};

fn schema() -> Schema {
    Schema::new(
        0,
        Block::new(
            "One VCF role at one scope for one principal (an API client's `principal_id`, or an SSO user or \
             group), **non-authoritative**: other assignments of the principal, made by hand or by other \
             resources, are left alone. Concurrent changes to the same principal are serialised inside the \
             provider. The API only replaces a principal's whole set and offers no conditional write, so \
             each write reads the set, reads it again right before writing, and reads it once more after: \
             when another writer changed the set in between, the provider starts over from what it read \
             (never undoing that change), up to 5 attempts with a backoff, and then fails with an error \
             naming the principal and the change.\n\n\
             **One principal belongs in one Terraform state**: manage all Terraform-made assignments of a \
             principal from one state, and do not change them by hand or from a pipeline while an apply \
             runs; a change that lands in the instant between the provider's last read and its write can \
             still be overwritten.\n\n\
             Do not combine with `vcf_principal_roles` for the same principal: that resource owns the whole \
             set and removes what it does not list.\n\n\
             Import ID: `<sso_realm_id>/<principal_id>/<role_name>/<scope_type>` for `SSO_REALM`, and \
             `<sso_realm_id>/<principal_id>/<role_name>/VCF_INSTANCE/<id>[,<id>…]` for instances.",
        )
        .attribute(
            Attribute::string("id")
                .computed()
                .description("The import ID (see above).")
                .plan_modifier(UseStateForUnknown),
        )
        .attribute(realm_attribute())
        .attribute(
            Attribute::string("principal_id")
                .validator(PathSegment)
                .required()
                .description("Principal that gets the role, for example `vcf_api_client.x.principal_id`. Changing it replaces the assignment.")
                .validator(Length::at_least(1))
                .plan_modifier(RequiresReplace),
        )
        .attribute(
            Attribute::string("role_name")
                .validator(PathSegment)
                .required()
                .description("A VCF role (see data source `vcf_roles`), for example `vcf_viewer` or `sddc_admin`. Changing it replaces the assignment.")
                .validator(Length::at_least(1))
                .plan_modifier(RequiresReplace),
        )
        .attribute(scope_type_attr().plan_modifier(RequiresReplace))
        .attribute(scope_ids_attr().plan_modifier(RequiresReplace))
        .attribute(expires_attr()),
    )
}

crate::model! {
    /// `vcf_role_assignment`.
    pub struct RoleAssignmentModel {
        pub id: Val<String>,
        pub sso_realm_id: Val<String>,
        pub principal_id: Val<String>,
        pub role_name: Val<String>,
        pub scope_type: Val<String>,
        pub scope_resource_ids: ScopeIds,
        pub expires_at: Val<String>,
    }
}

crate::model! {
    /// The resource identity of `vcf_role_assignment`.
    pub struct RoleAssignmentIdentity {
        pub sso_realm_id: Val<String>,
        pub principal_id: Val<String>,
        pub role_name: Val<String>,
        pub scope: Val<String>,
    }
}

impl RoleAssignmentModel {
    /// The state of assignment `a` of `principal` in realm `realm_id`, with `sso_realm_id` as
    /// given and `prior_expiry` kept where it means the same instant.
    pub(super) fn of(
        sso_realm_id: Val<String>,
        realm_id: &str,
        principal: &str,
        a: &AssignmentJson,
        prior_expiry: &Val<String>,
    ) -> Self {
        let AssignmentModel {
            role_name,
            scope_type,
            scope_resource_ids,
            expires_at,
        } = AssignmentModel::of(a, prior_expiry);
        RoleAssignmentModel {
            id: import_id(realm_id, principal, a).into(),
            sso_realm_id,
            principal_id: principal.into(),
            role_name,
            scope_type,
            scope_resource_ids,
            expires_at,
        }
    }

    /// The assignment this resource stands for.
    fn assignment(&self) -> AssignmentModel {
        AssignmentModel {
            role_name: self.role_name.clone(),
            scope_type: self.scope_type.clone(),
            scope_resource_ids: self.scope_resource_ids.clone(),
            expires_at: self.expires_at.clone(),
        }
    }

    /// The `scope` of the identity: `SSO_REALM` or `VCF_INSTANCE:<ids>` (None while not known).
    pub(super) fn scope_text(&self) -> Option<String> {
        let scope_type = self.scope_type.as_deref()?;
        if self.scope_resource_ids.is_unknown() {
            return None;
        }
        let mut ids: Vec<&str> = known_ids(&self.scope_resource_ids).collect();
        if ids.is_empty() {
            return Some(scope_type.to_string());
        }
        ids.sort_unstable();
        ids.dedup();
        Some(format!("{scope_type}:{}", ids.join(",")))
    }

    fn identity(&self) -> RoleAssignmentIdentity {
        RoleAssignmentIdentity {
            sso_realm_id: self.sso_realm_id.clone(),
            principal_id: self.principal_id.clone(),
            role_name: self.role_name.clone(),
            scope: self.scope_text().map_or(Val::Unknown, Val::Known),
        }
    }
}

impl RoleAssignmentIdentity {
    /// The import ID of `vcf_role_assignment` for this identity.
    fn import_id(&self) -> Option<String> {
        let scope = self.scope.as_deref()?;
        let scope = match scope.split_once(':') {
            Some((t, ids)) => format!("{t}/{ids}"),
            None => scope.to_string(),
        };
        Some(format!(
            "{}/{}/{}/{scope}",
            self.sso_realm_id.as_deref()?,
            self.principal_id.as_deref()?,
            self.role_name.as_deref()?
        ))
    }
}

/// Adds this resource's assignment to the principal's set (or updates its expiry), and returns
/// the state of what the server then stores.
async fn write(ctx: &Ctx, plan: &RoleAssignmentModel) -> Result<RoleAssignmentModel> {
    let (f, realm, principal) =
        principal_realm(ctx, &plan.sso_realm_id, &plan.principal_id).await?;
    let mine = plan.assignment().known_json()?;
    let wanted = mine.clone();
    let set = f
        .modify_assignments(
            &realm.id,
            &principal,
            Box::new(
                move |set| match set.iter_mut().find(|a| a.same_binding(&wanted)) {
                    Some(a) => a.expires_at = wanted.expires_at,
                    None => set.push(wanted.clone()),
                },
            ),
        )
        .await?;
    let found = set.iter().find(|a| a.same_binding(&mine)).unwrap_or(&mine);
    Ok(RoleAssignmentModel::of(
        realm_in_state(&plan.sso_realm_id, realm),
        &realm.id,
        &principal,
        found,
        &plan.expires_at,
    ))
}

/// `vcf_role_assignment`.
pub struct RoleAssignment;

#[async_trait]
impl TypedResource for RoleAssignment {
    type Model = RoleAssignmentModel;

    fn type_name(&self) -> &'static str {
        "vcf_role_assignment"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &RoleAssignmentModel, diags: &mut Diagnostics) {
        config
            .assignment()
            .check_scope(&AttributePath::root(), diags);
    }

    async fn modify_plan(
        &self,
        ctx: &Ctx,
        plan: &mut Plan<'_, RoleAssignmentModel>,
        diags: &mut Diagnostics,
    ) -> Result<()> {
        let prior = plan.prior.clone().unwrap_or_default();
        let planned = plan.planned.assignment();
        let items = [PlannedAssignment {
            item: &planned,
            prior_expiry: prior.expires_at,
            new_role: plan.planned.role_name != prior.role_name,
            new_scope: plan.planned.scope_resource_ids != prior.scope_resource_ids,
        }];
        let paths = CheckPaths {
            expires_at: crate::attr_path!(RoleAssignmentModel, expires_at),
            role_name: crate::attr_path!(RoleAssignmentModel, role_name),
            scope_resource_ids: crate::attr_path!(RoleAssignmentModel, scope_resource_ids),
        };
        check_planned(
            ctx,
            &mut plan.planned.sso_realm_id,
            &plan.config.sso_realm_id,
            &items,
            &paths,
            diags,
        )
        .await
    }

    async fn create(
        &self,
        ctx: &Ctx,
        plan: RoleAssignmentModel,
        _config: RoleAssignmentModel,
        _diags: &mut Diagnostics,
    ) -> Result<RoleAssignmentModel> {
        write(ctx, &plan).await
    }

    async fn read(
        &self,
        ctx: &Ctx,
        state: RoleAssignmentModel,
        _diags: &mut Diagnostics,
    ) -> Result<Read<RoleAssignmentModel>> {
        let (f, realm, principal) =
            principal_realm(ctx, &state.sso_realm_id, &state.principal_id).await?;
        let mine = state.assignment().known_json()?;
        let found = match f.cached_assignments(&realm.id, &principal).await {
            Ok(set) => set.into_iter().find(|a| a.same_binding(&mine)),
            Err(e) if e.is_not_found() => None,
            Err(e) => return Err(e.into()),
        };
        Ok(match found {
            Some(a) => Read::Found(RoleAssignmentModel::of(
                state.sso_realm_id.clone(),
                &realm.id,
                &principal,
                &a,
                &state.expires_at,
            )),
            None => Read::gone(
                "Role assignment no longer exists",
                format!(
                    "Principal {principal} no longer has role {} at scope {}; it is removed from the state and the next apply assigns it again.",
                    mine.role_name, mine.role_scope.scope_type
                ),
            ),
        })
    }

    async fn update(
        &self,
        ctx: &Ctx,
        prior: RoleAssignmentModel,
        plan: RoleAssignmentModel,
        _config: RoleAssignmentModel,
        _diags: &mut Diagnostics,
    ) -> Result<RoleAssignmentModel> {
        write(ctx, &plan).await.map_err(|f| f.with_state(&prior))
    }

    async fn delete(
        &self,
        ctx: &Ctx,
        state: RoleAssignmentModel,
        _diags: &mut Diagnostics,
    ) -> Result<()> {
        let (f, realm, principal) =
            principal_realm(ctx, &state.sso_realm_id, &state.principal_id).await?;
        let mine = state.assignment().known_json()?;
        let removed = f
            .modify_assignments(
                &realm.id,
                &principal,
                Box::new(move |set| set.retain(|a| !a.same_binding(&mine))),
            )
            .await;
        gone_is_done(removed)
    }

    fn identity_schema(&self) -> Option<IdentitySchema> {
        let mut attrs = principal_identity_schema()?.attributes;
        attrs.push(IdentityAttribute::required("role_name", "The VCF role."));
        attrs.push(IdentityAttribute::required(
            "scope",
            "`SSO_REALM`, or `VCF_INSTANCE:<id>[,<id>…]` with the VCF instance ids sorted and joined by commas.",
        ));
        Some(IdentitySchema::new(0, attrs))
    }

    fn identity(&self, state: &RoleAssignmentModel) -> Option<Value> {
        Some(state.identity().to_value())
    }

    fn import_id_from_identity(&self, identity: &Value) -> Option<String> {
        RoleAssignmentIdentity::decode(identity).ok()?.import_id()
    }

    async fn import(
        &self,
        _ctx: &Ctx,
        id: &str,
        _diags: &mut Diagnostics,
    ) -> Result<RoleAssignmentModel> {
        let parts: Vec<&str> = id.split('/').collect();
        let ok = matches!(
            (parts.len(), parts.get(3).copied()),
            (4, Some("SSO_REALM")) | (5, Some("VCF_INSTANCE"))
        ) && parts.iter().all(|p| !p.is_empty());
        if !ok {
            return Err(Failure::error(
                "Invalid import ID",
                format!(
                    "vcf_role_assignment is imported as <sso_realm_id>/<principal_id>/<role_name>/SSO_REALM or \
                     <sso_realm_id>/<principal_id>/<role_name>/VCF_INSTANCE/<id>[,<id>…]; got {id:?}."
                ),
            ));
        }
        Ok(RoleAssignmentModel {
            id: id.into(),
            sso_realm_id: parts[0].into(),
            principal_id: parts[1].into(),
            role_name: parts[2].into(),
            scope_type: parts[3].into(),
            scope_resource_ids: match parts.get(4) {
                Some(list) => Val::Known(SetOf(list.split(',').map(Val::from).collect())),
                None => Val::Null,
            },
            expires_at: Val::Null,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::Resource;

    #[test]
    fn role_assignment_identity_round_trips_through_the_import_id() {
        let state = RoleAssignmentModel {
            sso_realm_id: "r".into(),
            principal_id: "p".into(),
            role_name: "vcf_viewer".into(),
            scope_type: "VCF_INSTANCE".into(),
            scope_resource_ids: Val::Known(SetOf(vec!["b".into(), "a".into()])),
            ..RoleAssignmentModel::default()
        };
        let id = Resource::identity(&RoleAssignment, &state.to_value());
        let scope = RoleAssignmentIdentity::decode(&id).unwrap().scope;
        assert_eq!(scope.as_deref(), Some("VCF_INSTANCE:a,b"));
        assert_eq!(
            Resource::import_id_from_identity(&RoleAssignment, &id).as_deref(),
            Some("r/p/vcf_viewer/VCF_INSTANCE/a,b")
        );
        let realm_wide = RoleAssignmentModel {
            scope_type: "SSO_REALM".into(),
            scope_resource_ids: Val::Null,
            ..state
        };
        let id = Resource::identity(&RoleAssignment, &realm_wide.to_value());
        let scope = RoleAssignmentIdentity::decode(&id).unwrap().scope;
        assert_eq!(scope.as_deref(), Some("SSO_REALM"));
        assert_eq!(
            Resource::import_id_from_identity(&RoleAssignment, &id).as_deref(),
            Some("r/p/vcf_viewer/SSO_REALM")
        );
    }
}
