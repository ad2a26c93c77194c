//! Resource `vcf_role_assignment`: one role at one scope for one principal, non-authoritative.
//! The API only replaces a principal's whole set, so every write is a read-modify-write under
//! the principal's lock in this process (see `rmw.rs`), reading right before writing and
//! touching only its own entry.

use async_trait::async_trait;

use crate::framework::plan::{RequiresReplace, UseStateForUnknown};
use crate::framework::traits::PlanChange;
use crate::framework::validate::{Length, PathSegment};
use crate::framework::{
    Attribute, AttributePath, Block, Ctx, Diagnostics, Resource, Schema, Value,
};

use super::role_assignment_list::{
    role_assignment_identity, role_assignment_identity_schema, role_assignment_import_id,
};
use super::role_schema::*;
use super::{
    AssignmentJson, fail, fleet, fleet_realm, plan_realm, realm_attribute, realm_state_value, s,
};

pub struct RoleAssignment;

impl RoleAssignment {
    pub(super) fn state(
        realm_value: Value,
        realm_id: &str,
        principal: &str,
        a: &AssignmentJson,
        prior: &Value,
    ) -> Value {
        Value::object([
            ("id", Value::string(import_id(realm_id, principal, a))),
            ("sso_realm_id", realm_value),
            ("principal_id", Value::string(principal)),
            ("role_name", Value::string(&a.role_name)),
            ("scope_type", Value::string(&a.role_scope.scope_type)),
            ("scope_resource_ids", ids_value(a)),
            (
                "expires_at",
                expires_value(a.expires_at, prior.attr("expires_at")),
            ),
        ])
    }

    async fn write(&self, ctx: &Ctx, planned: &Value, diags: &mut Diagnostics) -> Option<Value> {
        let f = fleet(ctx, diags)?;
        let realm = f
            .realm(planned.attr("sso_realm_id"), "sso_realm_id", diags)
            .await?;
        let principal = s(planned, "principal_id")?;
        let mine = assignment_from(planned)?;
        let wanted = mine.clone();
        let written = f
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
            .await;
        match written {
            Ok(set) => {
                let found = set.iter().find(|a| a.same_binding(&mine)).unwrap_or(&mine);
                Some(Self::state(
                    realm_state_value(planned.attr("sso_realm_id"), realm),
                    &realm.id,
                    &principal,
                    found,
                    planned,
                ))
            }
            Err(e) => fail(diags, e),
        }
    }
}

#[async_trait]
impl Resource for RoleAssignment {
    fn type_name(&self) -> &'static str {
        "vcf_role_assignment"
    }

    fn schema(&self) -> Schema {
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

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        check_scope(config, &AttributePath::root(), diags);
    }

    async fn modify_plan(&self, ctx: &Ctx, plan: &mut PlanChange<'_>, diags: &mut Diagnostics) {
        let Some(vcf) = ctx.data::<crate::resources::VcfContext>() else {
            return;
        };
        check_future(
            vcf.fleet.now_ms(),
            plan.planned.attr("expires_at"),
            plan.prior.attr("expires_at"),
            AttributePath::attr("expires_at"),
            diags,
        );
        let Some((f, realm)) = plan_realm(ctx, plan, diags).await else {
            return;
        };
        let role = plan.planned.attr("role_name").clone();
        if &role != plan.prior.attr("role_name")
            && let Some(r) = role.as_str()
        {
            check_role(f, r, AttributePath::attr("role_name"), diags).await;
        }
        if plan.planned.attr("scope_resource_ids") != plan.prior.attr("scope_resource_ids") {
            check_instances(
                realm,
                &plan.planned,
                AttributePath::attr("scope_resource_ids"),
                diags,
            );
        }
    }

    async fn create(
        &self,
        ctx: &Ctx,
        planned: &Value,
        _c: &Value,
        diags: &mut Diagnostics,
    ) -> Value {
        self.write(ctx, planned, diags).await.unwrap_or(Value::Null)
    }

    async fn read(&self, ctx: &Ctx, state: &Value, diags: &mut Diagnostics) -> Value {
        let Some((f, realm)) = fleet_realm(ctx, state, diags).await else {
            return Value::Null;
        };
        let (Some(principal), Some(mine)) = (s(state, "principal_id"), assignment_from(state))
        else {
            return Value::Null;
        };
        let found = match f.cached_assignments(&realm.id, &principal).await {
            Ok(set) => set.into_iter().find(|a| a.same_binding(&mine)),
            Err(e) if e.is_not_found() => None,
            Err(e) => return fail(diags, e).unwrap_or(Value::Null),
        };
        match found {
            Some(a) => Self::state(
                state.attr("sso_realm_id").clone(),
                &realm.id,
                &principal,
                &a,
                state,
            ),
            None => {
                diags.warning(
                    "Role assignment no longer exists",
                    format!(
                        "Principal {principal} no longer has role {} at scope {}; it is removed from the state and the next apply assigns it again.",
                        mine.role_name, mine.role_scope.scope_type
                    ),
                );
                Value::Null
            }
        }
    }

    async fn update(
        &self,
        ctx: &Ctx,
        prior: &Value,
        planned: &Value,
        _c: &Value,
        diags: &mut Diagnostics,
    ) -> Value {
        self.write(ctx, planned, diags)
            .await
            .unwrap_or_else(|| prior.clone())
    }

    async fn delete(&self, ctx: &Ctx, state: &Value, diags: &mut Diagnostics) {
        let Some((f, realm)) = fleet_realm(ctx, state, diags).await else {
            return;
        };
        let (Some(principal), Some(mine)) = (s(state, "principal_id"), assignment_from(state))
        else {
            return;
        };
        let res = f
            .modify_assignments(
                &realm.id,
                &principal,
                Box::new(move |set| set.retain(|a| !a.same_binding(&mine))),
            )
            .await;
        match res {
            Ok(_) => {}
            Err(e) if e.is_not_found() => {}
            Err(e) => diags.push(e.to_diagnostic()),
        }
    }

    fn identity_schema(&self) -> Option<crate::framework::IdentitySchema> {
        role_assignment_identity_schema()
    }

    fn identity(&self, state: &Value) -> Value {
        role_assignment_identity(state)
    }

    fn import_id_from_identity(&self, identity: &Value) -> Option<String> {
        role_assignment_import_id(identity)
    }

    async fn import(&self, _ctx: &Ctx, id: &str, diags: &mut Diagnostics) -> Value {
        let parts: Vec<&str> = id.split('/').collect();
        let ok = matches!(
            (parts.len(), parts.get(3).copied()),
            (4, Some("SSO_REALM")) | (5, Some("VCF_INSTANCE"))
        ) && parts.iter().all(|p| !p.is_empty());
        if !ok {
            diags.error(
                "Invalid import ID",
                format!(
                    "vcf_role_assignment is imported as <sso_realm_id>/<principal_id>/<role_name>/SSO_REALM or \
                     <sso_realm_id>/<principal_id>/<role_name>/VCF_INSTANCE/<id>[,<id>…]; got {id:?}."
                ),
            );
            return Value::Null;
        }
        let ids = match parts.get(4) {
            Some(list) => Value::Set(list.split(',').map(Value::string).collect()),
            None => Value::Null,
        };
        Value::object([
            ("id", Value::string(id)),
            ("sso_realm_id", Value::string(parts[0])),
            ("principal_id", Value::string(parts[1])),
            ("role_name", Value::string(parts[2])),
            ("scope_type", Value::string(parts[3])),
            ("scope_resource_ids", ids),
            ("expires_at", Value::Null),
        ])
    }
}
