//! Resource `vcf_principal_roles`: the complete set of VCF role assignments of one principal,
//! authoritative.

use async_trait::async_trait;

use crate::framework::plan::{RequiresReplace, UseStateForUnknown};
use crate::framework::traits::PlanChange;
use crate::framework::validate::{Length, PathSegment};
use crate::framework::{
    Attribute, AttributePath, Block, Ctx, Diagnostics, Nesting, Resource, Schema, Value,
};

use super::role_schema::*;
use super::{
    AssignmentJson, fail, fleet, fleet_realm, plan_realm, realm_attribute, realm_state_value, s,
};

pub struct PrincipalRoles;

impl PrincipalRoles {
    async fn put(&self, ctx: &Ctx, planned: &Value, diags: &mut Diagnostics) -> Option<Value> {
        let f = fleet(ctx, diags)?;
        let realm = f
            .realm(planned.attr("sso_realm_id"), "sso_realm_id", diags)
            .await?;
        let principal = s(planned, "principal_id")?;
        let list: Vec<AssignmentJson> = planned
            .attr("assignments")
            .elements()
            .map(|e| e.iter().filter_map(assignment_from).collect())
            .unwrap_or_default();
        let queue = f.state().principal_queue(&realm.id, &principal);
        let _held = queue.write.lock().await;
        match f.put_assignments(&realm.id, &principal, list).await {
            Ok(set) => Some(Value::object([
                ("id", Value::string(format!("{}/{principal}", realm.id))),
                (
                    "sso_realm_id",
                    realm_state_value(planned.attr("sso_realm_id"), realm),
                ),
                ("principal_id", Value::string(&principal)),
                (
                    "assignments",
                    assignments_value(&set, planned.attr("assignments")),
                ),
            ])),
            Err(e) => fail(diags, e),
        }
    }
}

#[async_trait]
impl Resource for PrincipalRoles {
    fn type_name(&self) -> &'static str {
        "vcf_principal_roles"
    }

    fn schema(&self) -> Schema {
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

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        if let Some(items) = config.attr("assignments").elements() {
            for item in items {
                check_scope(item, &AttributePath::attr("assignments"), diags);
            }
        }
    }

    async fn modify_plan(&self, ctx: &Ctx, plan: &mut PlanChange<'_>, diags: &mut Diagnostics) {
        let Some(vcf) = ctx.data::<crate::resources::VcfContext>() else {
            return;
        };
        let now = vcf.fleet.now_ms();
        let prior_items = plan.prior.attr("assignments").elements().unwrap_or(&[]);
        let Some(items) = plan.planned.attr("assignments").elements() else {
            return;
        };
        let mut roles = Vec::new();
        for item in items {
            let prior_expiry = prior_items
                .iter()
                .find(|p| {
                    matches!((assignment_from(p), assignment_from(item)), (Some(a), Some(b)) if a.same_binding(&b))
                })
                .map(|p| p.attr("expires_at"))
                .unwrap_or(&Value::Null);
            check_future(
                now,
                item.attr("expires_at"),
                prior_expiry,
                AttributePath::attr("assignments"),
                diags,
            );
            if let Some(r) = item.attr("role_name").as_str()
                && !prior_items
                    .iter()
                    .any(|p| p.attr("role_name").as_str() == Some(r))
            {
                roles.push(r.to_string());
            }
        }
        let Some((f, realm)) = plan_realm(ctx, plan, diags).await else {
            return;
        };
        for r in roles {
            check_role(f, &r, AttributePath::attr("assignments"), diags).await;
        }
        if let Some(items) = plan.planned.attr("assignments").elements() {
            for item in items {
                check_instances(realm, item, AttributePath::attr("assignments"), diags);
            }
        }
    }

    async fn create(
        &self,
        ctx: &Ctx,
        planned: &Value,
        _c: &Value,
        diags: &mut Diagnostics,
    ) -> Value {
        self.put(ctx, planned, diags).await.unwrap_or(Value::Null)
    }

    async fn read(&self, ctx: &Ctx, state: &Value, diags: &mut Diagnostics) -> Value {
        let Some((f, realm)) = fleet_realm(ctx, state, diags).await else {
            return Value::Null;
        };
        let Some(principal) = s(state, "principal_id") else {
            return Value::Null;
        };
        match f.assignments(&realm.id, &principal).await {
            Ok(set) => {
                let mut v = state.clone();
                v.set_attr("id", Value::string(format!("{}/{principal}", realm.id)));
                let prior = state.attr("assignments");
                v.set_attr(
                    "assignments",
                    if set.is_empty() && prior.is_null() {
                        Value::Null
                    } else {
                        assignments_value(&set, prior)
                    },
                );
                v
            }
            Err(e) if e.is_not_found() => {
                diags.warning(
                    "Principal no longer exists",
                    format!("Principal {principal} is gone from SSO realm {}; it is removed from the state.", realm.name),
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
        _c: &Value,
        diags: &mut Diagnostics,
    ) -> Value {
        let mut v = self
            .put(ctx, planned, diags)
            .await
            .unwrap_or_else(|| prior.clone());
        if planned.attr("assignments").is_null()
            && v.attr("assignments")
                .elements()
                .is_some_and(<[Value]>::is_empty)
        {
            v.set_attr("assignments", Value::Null);
        }
        v
    }

    async fn delete(&self, ctx: &Ctx, state: &Value, diags: &mut Diagnostics) {
        let Some((f, realm)) = fleet_realm(ctx, state, diags).await else {
            return;
        };
        let Some(principal) = s(state, "principal_id") else {
            return;
        };
        let queue = f.state().principal_queue(&realm.id, &principal);
        let _held = queue.write.lock().await;
        match f.put_assignments(&realm.id, &principal, Vec::new()).await {
            Ok(_) => {}
            Err(e) if e.is_not_found() => {}
            Err(e) => diags.push(e.to_diagnostic()),
        }
    }

    fn identity_schema(&self) -> Option<crate::framework::IdentitySchema> {
        principal_identity_schema()
    }

    fn import_id_from_identity(&self, identity: &Value) -> Option<String> {
        let realm = identity.attr("sso_realm_id").as_str()?;
        Some(format!(
            "{realm}/{}",
            identity.attr("principal_id").as_str()?
        ))
    }

    async fn import(&self, _ctx: &Ctx, id: &str, diags: &mut Diagnostics) -> Value {
        match id.split_once('/') {
            Some((realm, principal))
                if !realm.is_empty() && !principal.is_empty() && !principal.contains('/') =>
            {
                Value::object([
                    ("id", Value::string(id)),
                    ("sso_realm_id", Value::string(realm)),
                    ("principal_id", Value::string(principal)),
                    ("assignments", Value::Set(Vec::new())),
                ])
            }
            _ => {
                diags.error(
                    "Invalid import ID",
                    format!("vcf_principal_roles is imported as <sso_realm_id>/<principal_id>; got {id:?}."),
                );
                Value::Null
            }
        }
    }
}
