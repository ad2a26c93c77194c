//! VCF role assignments and roles:
//! - `vcf_role_assignment`: one role at one scope for one principal, non-authoritative. The API
//!   only replaces a principal's whole set, so every write is a read-modify-write under the
//!   principal's lock in this process, reading right before writing and touching only its own
//!   entry;
//! - `vcf_principal_roles`: the principal's complete set, authoritative;
//! - data sources `vcf_principal_roles` and `vcf_roles` (the fleet's VCF roles: roles are
//!   fleet-wide, and are assigned in a realm).

use async_trait::async_trait;

use crate::framework::plan::{RequiresReplace, UseStateForUnknown};
use crate::framework::traits::PlanChange;
use crate::framework::validate::{Check, Length, OneOf, PathSegment};
use crate::framework::{
    Attribute, AttributePath, Block, Ctx, DataSource, Diagnostics, Nesting, Resource, Schema, Type,
    Value,
};
use crate::resources::rfc3339_from_millis;

use super::fleet_realm;
use super::{
    AssignmentJson, Fleet, ResourceRef, ScopeJson, fail, fleet, millis_from_rfc3339, plan_realm,
    realm_attribute, realm_lookup_attribute, realm_state_value, s,
};

const SCOPES: [&str; 2] = ["SSO_REALM", "VCF_INSTANCE"];

fn rfc3339_check(v: &Value) -> Option<String> {
    let text = v.as_str()?;
    match millis_from_rfc3339(text) {
        Some(_) => None,
        None => Some(format!(
            "{text:?} is not an RFC 3339 timestamp such as \"2027-01-31T23:59:59Z\"."
        )),
    }
}

fn scope_type_attr() -> Attribute {
    Attribute::string("scope_type")
        .required()
        .description(
            "`SSO_REALM` (the whole realm) or `VCF_INSTANCE` (the VCF instances in `scope_resource_ids`).",
        )
        .validator(OneOf::new(&SCOPES))
}

fn scope_ids_attr() -> Attribute {
    Attribute::new("scope_resource_ids", Type::set(Type::String))
        .optional()
        .description(
            "Ids of the VCF instances the role applies to (for example `vcf_instance_id` of data source \
             `vcf_sso_realm`): required for `VCF_INSTANCE`, not allowed for `SSO_REALM`.",
        )
}

fn expires_attr() -> Attribute {
    Attribute::string("expires_at")
        .optional()
        .description(
            "When the assignment ends, RFC 3339 (for example `2027-01-31T23:59:59Z`); must be in the future \
             when set or changed. Without it the assignment does not expire.",
        )
        .validator(Check::new("must be an RFC 3339 timestamp", rfc3339_check))
}

/// Checks the scope rule on one assignment object; `base` is where it sits.
fn check_scope(obj: &Value, base: &AttributePath, diags: &mut Diagnostics) {
    let ids = obj.attr("scope_resource_ids");
    let has_ids = ids.elements().is_some_and(|e| !e.is_empty());
    match obj.attr("scope_type").as_str() {
        Some("VCF_INSTANCE") if ids.is_null() || (ids.is_known() && !has_ids) => diags.attr_error(
            base.join_attr("scope_resource_ids"),
            "Missing scope resources",
            "scope_type VCF_INSTANCE needs scope_resource_ids: the ids of the VCF instances the role applies to.",
        ),
        Some("SSO_REALM") if has_ids || ids.is_unknown() => diags.attr_error(
            base.join_attr("scope_resource_ids"),
            "Scope resources not allowed",
            "scope_type SSO_REALM covers the whole realm and takes no scope_resource_ids; remove them or use VCF_INSTANCE.",
        ),
        _ => {}
    }
}

/// Errors on `path` for scope resources that are not VCF instances covered by the realm.
fn check_instances(
    realm: &super::RealmJson,
    obj: &Value,
    path: AttributePath,
    diags: &mut Diagnostics,
) {
    let Some(ids) = obj.attr("scope_resource_ids").elements() else {
        return;
    };
    for id in ids.iter().filter_map(Value::as_str) {
        if !realm.vcf_instances().any(|c| c.id == id) {
            let known: Vec<String> = realm
                .vcf_instances()
                .map(|c| format!("{} ({})", c.id, c.name.as_deref().unwrap_or("")))
                .collect();
            diags.attr_error(
                path.clone(),
                "Not a VCF instance of the realm",
                format!(
                    "{id:?} is not a VCF instance covered by SSO realm {}. Its VCF instances: {}.",
                    realm.name,
                    if known.is_empty() {
                        "none".to_string()
                    } else {
                        known.join(", ")
                    }
                ),
            );
        }
    }
}

/// The API form of one assignment object (`role_name`, `scope_type`, `scope_resource_ids`,
/// `expires_at`).
fn assignment_from(v: &Value) -> Option<AssignmentJson> {
    let mut ids: Vec<String> = v
        .attr("scope_resource_ids")
        .elements()
        .map(|e| {
            e.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    ids.sort();
    ids.dedup();
    Some(AssignmentJson {
        role_name: s(v, "role_name")?,
        role_scope: ScopeJson {
            scope_type: s(v, "scope_type")?,
            resources: ids.into_iter().map(|id| ResourceRef { id }).collect(),
        },
        expires_at: v.attr("expires_at").as_str().and_then(millis_from_rfc3339),
    })
}

/// `expires_at` as state text: the prior text when it means the same instant.
fn expires_value(ms: Option<i64>, prior: &Value) -> Value {
    match ms {
        None => Value::Null,
        Some(ms) => match prior.as_str() {
            Some(p) if millis_from_rfc3339(p) == Some(ms) => prior.clone(),
            _ => Value::opt_string(rfc3339_from_millis(ms)),
        },
    }
}

fn ids_value(a: &AssignmentJson) -> Value {
    let ids = a.resource_ids();
    if ids.is_empty() {
        Value::Null
    } else {
        Value::Set(ids.into_iter().map(Value::String).collect())
    }
}

/// The future-time rule for `expires_at`, checked when it is set or changed.
fn check_future(
    f_now_ms: i64,
    planned: &Value,
    prior: &Value,
    path: AttributePath,
    diags: &mut Diagnostics,
) {
    let Some(text) = planned.as_str() else {
        return;
    };
    if prior.as_str() == Some(text) {
        return;
    }
    if let Some(ms) = millis_from_rfc3339(text)
        && ms <= f_now_ms
    {
        diags.attr_error(
            path,
            "Expiry in the past",
            format!("expires_at {text:?} has already passed; use a time in the future."),
        );
    }
}

/// Errors on `path` when `role` is not a VCF role of the fleet.
async fn check_role(f: Fleet<'_>, role: &str, path: AttributePath, diags: &mut Diagnostics) {
    if f.custom_role_planned(role) {
        return;
    }
    match f.roles().await {
        Ok(roles) if !roles.iter().any(|r| r.role_name == role) => {
            let names: Vec<&str> = roles.iter().map(|r| r.role_name.as_str()).collect();
            diags.attr_error(
                path,
                "Unknown VCF role",
                format!(
                    "{role:?} is not a VCF role. Roles: {}. Use one of them (data source \
                     vcf_roles lists them), or create the role with vcf_custom_role and refer to its name \
                     (vcf_custom_role.<name>.name).",
                    names.join(", ")
                ),
            );
        }
        // Plan-time checking is a convenience: when the roles cannot be listed, apply reports.
        _ => {}
    }
}

fn import_id(realm: &str, principal: &str, a: &AssignmentJson) -> String {
    let mut id = format!(
        "{realm}/{principal}/{}/{}",
        a.role_name, a.role_scope.scope_type
    );
    let ids = a.resource_ids();
    if !ids.is_empty() {
        id.push('/');
        id.push_str(&ids.join(","));
    }
    id
}

// ---------------------------------------------------------------------------------------------

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
        super::list::role_assignment_identity_schema()
    }

    fn identity(&self, state: &Value) -> Value {
        super::list::role_assignment_identity(state)
    }

    fn import_id_from_identity(&self, identity: &Value) -> Option<String> {
        super::list::role_assignment_import_id(identity)
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

// ---------------------------------------------------------------------------------------------

fn assignment_attrs(computed: bool) -> Vec<Attribute> {
    if computed {
        return vec![
            Attribute::string("role_name")
                .computed()
                .description("VCF role."),
            Attribute::string("scope_type")
                .computed()
                .description("`SSO_REALM` or `VCF_INSTANCE`."),
            Attribute::new("scope_resource_ids", Type::set(Type::String))
                .computed()
                .description("VCF instance ids of a `VCF_INSTANCE` scope."),
            Attribute::string("expires_at")
                .computed()
                .description("Expiry (RFC 3339), or null."),
        ];
    }
    vec![
        Attribute::string("role_name")
            .validator(PathSegment)
            .required()
            .description("A VCF role (see data source `vcf_roles`).")
            .validator(Length::at_least(1)),
        scope_type_attr(),
        scope_ids_attr(),
        expires_attr(),
    ]
}

/// The set value of assignments, keeping prior `expires_at` text where it means the same time.
fn assignments_value(list: &[AssignmentJson], prior: &Value) -> Value {
    let prior_items: Vec<&Value> = prior
        .elements()
        .map(|e| e.iter().collect())
        .unwrap_or_default();
    Value::Set(
        list.iter()
            .map(|a| {
                let prior_expiry = prior_items
                    .iter()
                    .find(|p| assignment_from(p).is_some_and(|pa| pa.same_binding(a)))
                    .map(|p| p.attr("expires_at").clone())
                    .unwrap_or(Value::Null);
                Value::object([
                    ("role_name", Value::string(&a.role_name)),
                    ("scope_type", Value::string(&a.role_scope.scope_type)),
                    ("scope_resource_ids", ids_value(a)),
                    ("expires_at", expires_value(a.expires_at, &prior_expiry)),
                ])
            })
            .collect(),
    )
}

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
        super::list::principal_identity_schema()
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

// ---------------------------------------------------------------------------------------------

pub struct PrincipalRolesData;

#[async_trait]
impl DataSource for PrincipalRolesData {
    fn type_name(&self) -> &'static str {
        "vcf_principal_roles"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            0,
            Block::new("The VCF role assignments a principal has now.")
                .attribute(realm_lookup_attribute())
                .attribute(
                    Attribute::string("principal_id")
                        .validator(PathSegment)
                        .required()
                        .description("The principal, for example an API client's `principal_id`.")
                        .validator(Length::at_least(1)),
                )
                .attribute(
                    Attribute::nested("assignments", Nesting::List, assignment_attrs(true))
                        .computed()
                        .description(
                            "The principal's assignments, in the order the API returns them.",
                        ),
                ),
        )
    }

    async fn read(&self, ctx: &Ctx, config: &Value, diags: &mut Diagnostics) -> Value {
        let Some((f, realm)) = fleet_realm(ctx, config, diags).await else {
            return Value::Null;
        };
        let Some(principal) = s(config, "principal_id") else {
            return Value::Null;
        };
        match f.assignments(&realm.id, &principal).await {
            Ok(set) => {
                let Value::Set(items) = assignments_value(&set, &Value::Null) else {
                    return Value::Null;
                };
                let mut v = config.clone();
                v.set_attr("assignments", Value::List(items));
                v
            }
            Err(e) => fail(diags, e).unwrap_or(Value::Null),
        }
    }
}

pub struct RolesData;

const ROLE_TYPES: [&str; 2] = ["BUILT_IN", "CUSTOM"];

#[async_trait]
impl DataSource for RolesData {
    fn type_name(&self) -> &'static str {
        "vcf_roles"
    }

    fn schema(&self) -> Schema {
        let component = vec![
            Attribute::string("component_type").computed().description(
                "`VCENTER`, `NSX_MANAGER`, `VCF_OPERATIONS`, `VCF_AUTOMATION`, `HCX`, `VCF_ORCHESTRATOR`, \
                 `VCF_SALT_RAAS` (or `UNKNOWN`).",
            ),
            Attribute::new("roles", Type::list(Type::String))
                .computed()
                .description("The component's roles the VCF role grants."),
        ];
        let role = vec![
            Attribute::string("name")
                .computed()
                .description("Role name, as `role_name` of assignments."),
            Attribute::string("display_name")
                .computed()
                .description("Display name."),
            Attribute::string("description")
                .computed()
                .description("Description."),
            Attribute::string("type")
                .computed()
                .description("`BUILT_IN`, `CUSTOM` or `UNKNOWN`."),
            Attribute::bool("built_in")
                .computed()
                .description("True for the product's built-in roles, which cannot be changed."),
            Attribute::nested("component_roles", Nesting::List, component)
                .computed()
                .description("The component roles the VCF role grants, one entry per component."),
        ];
        Schema::new(
            0,
            Block::new(
                "The VCF roles of the fleet: built-in ones and custom ones. VCF roles are fleet-wide; they are \
                 assigned to principals in an SSO realm.",
            )
            .attribute(
                Attribute::string("type")
                    .optional()
                    .description("Only roles of this type: `BUILT_IN` or `CUSTOM`. All roles when unset.")
                    .validator(OneOf::new(&ROLE_TYPES)),
            )
            .attribute(
                Attribute::new("names", Type::list(Type::String))
                    .computed()
                    .description("Every role name (of the type, when set), for validation in modules."),
            )
            .attribute(
                Attribute::nested("roles", Nesting::List, role)
                    .computed()
                    .description("Every role (of the type, when set) with its component roles."),
            ),
        )
    }

    async fn read(&self, ctx: &Ctx, config: &Value, diags: &mut Diagnostics) -> Value {
        let Some(f) = fleet(ctx, diags) else {
            return Value::Null;
        };
        let roles = match f.roles().await {
            Ok(r) => r,
            Err(e) => return fail(diags, e).unwrap_or(Value::Null),
        };
        let wanted = config.attr("type").as_str();
        let roles: Vec<&super::RoleJson> = roles
            .iter()
            .filter(|r| wanted.is_none_or(|t| r.role_type.as_deref() == Some(t)))
            .collect();
        let mut v = config.clone();
        v.set_attr(
            "names",
            Value::List(roles.iter().map(|r| Value::string(&r.role_name)).collect()),
        );
        v.set_attr(
            "roles",
            Value::List(
                roles
                    .iter()
                    .map(|r| super::custom_role::role_value(r))
                    .collect(),
            ),
        );
        v
    }
}
