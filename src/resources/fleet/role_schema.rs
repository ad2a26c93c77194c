//! What the role-assignment types share: the attributes of one assignment (`role_name`,
//! `scope_type`, `scope_resource_ids`, `expires_at`) with their plan-time checks and their
//! model ([`AssignmentModel`]), the API form of an assignment and its state, the identity of a
//! principal's assignment set, and the configuration of the two list resources.

use crate::client::ApiError;
use crate::framework::typed::Result;
use crate::framework::validate::{Check, Length, OneOf, PathSegment};
use crate::framework::{
    Attribute, AttributePath, Block, Ctx, Diagnostics, Failure, IdentityAttribute, IdentitySchema,
    Schema, SetOf, Type, Val, Value,
};
use crate::resources::rfc3339_from_millis;

use super::{
    AssignmentJson, Fleet, REALM_ATTRIBUTE, REALM_IDENTITY, RealmJson, ResourceRef, ScopeJson,
    fleet_realm_of, millis_from_rfc3339, plan_realm_of, realm_lookup_attribute,
};

pub(super) const SCOPES: [&str; 2] = ["SSO_REALM", "VCF_INSTANCE"];

/// `scope_resource_ids`: a set whose elements may be unknown at plan time.
pub type ScopeIds = Val<SetOf<Val<String>>>;

pub(super) fn rfc3339_check(v: &Value) -> Option<String> {
    let text = v.as_str()?;
    match millis_from_rfc3339(text) {
        Some(_) => None,
        None => Some(format!(
            "{text:?} is not an RFC 3339 timestamp such as \"2027-01-31T23:59:59Z\"."
        )),
    }
}

pub(super) fn scope_type_attr() -> Attribute {
    Attribute::string("scope_type")
        .required()
        .description(
            "`SSO_REALM` (the whole realm) or `VCF_INSTANCE` (the VCF instances in `scope_resource_ids`).",
        )
        .validator(OneOf::new(&SCOPES))
}

pub(super) fn scope_ids_attr() -> Attribute {
    Attribute::new("scope_resource_ids", Type::set(Type::String))
        .optional()
        .description(
            "Ids of the VCF instances the role applies to (for example `vcf_instance_id` of data source \
             `vcf_sso_realm`): required for `VCF_INSTANCE`, not allowed for `SSO_REALM`.",
        )
}

pub(super) fn expires_attr() -> Attribute {
    Attribute::string("expires_at")
        .optional()
        .description(
            "When the assignment ends, RFC 3339 (for example `2027-01-31T23:59:59Z`); must be in the future \
             when set or changed. Without it the assignment does not expire.",
        )
        .validator(Check::new("must be an RFC 3339 timestamp", rfc3339_check))
}

pub(super) fn assignment_attrs(computed: bool) -> Vec<Attribute> {
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

crate::model! {
    /// One assignment: an element of `assignments` (resource and data source
    /// `vcf_principal_roles`), and what `vcf_role_assignment` says beside its principal.
    pub struct AssignmentModel {
        pub role_name: Val<String>,
        pub scope_type: Val<String>,
        pub scope_resource_ids: ScopeIds,
        pub expires_at: Val<String>,
    }
}

/// The known ids of `scope_resource_ids` (none while it is null or unknown).
pub(super) fn known_ids(ids: &ScopeIds) -> impl Iterator<Item = &str> {
    ids.get()
        .into_iter()
        .flat_map(|set| set.0.iter().filter_map(Val::as_deref))
}

impl AssignmentModel {
    /// The state of `a`, keeping `prior_expiry` where it means the same instant.
    pub(super) fn of(a: &AssignmentJson, prior_expiry: &Val<String>) -> Self {
        let ids = a.resource_ids();
        AssignmentModel {
            role_name: a.role_name.as_str().into(),
            scope_type: a.role_scope.scope_type.as_str().into(),
            scope_resource_ids: if ids.is_empty() {
                Val::Null
            } else {
                Val::Known(SetOf(ids.into_iter().map(Val::Known).collect()))
            },
            expires_at: expires_value(a.expires_at, prior_expiry),
        }
    }

    /// The API form; `None` while the role or the scope type is not known.
    pub(super) fn to_json(&self) -> Option<AssignmentJson> {
        let mut ids: Vec<String> = known_ids(&self.scope_resource_ids)
            .map(str::to_string)
            .collect();
        ids.sort();
        ids.dedup();
        Some(AssignmentJson {
            role_name: self.role_name.get()?.clone(),
            role_scope: ScopeJson {
                scope_type: self.scope_type.get()?.clone(),
                resources: ids.into_iter().map(|id| ResourceRef { id }).collect(),
            },
            expires_at: self.expires_at.as_deref().and_then(millis_from_rfc3339),
        })
    }

    /// [`to_json`](Self::to_json) where the schema makes role and scope type known (apply).
    pub(super) fn known_json(&self) -> Result<AssignmentJson> {
        self.to_json().ok_or_else(|| {
            Failure::error(
                "Provider bug: role assignment is not known",
                "The role_name or scope_type of a role assignment is not known here. Please report this issue \
                 to the provider developers.",
            )
        })
    }

    /// The element of `prior` that assigns the same role at the same scope as `a`.
    pub(super) fn same_binding_in<'p>(
        prior: &[&'p AssignmentModel],
        a: &AssignmentJson,
    ) -> Option<&'p AssignmentModel> {
        prior
            .iter()
            .copied()
            .find(|p| p.to_json().is_some_and(|pa| pa.same_binding(a)))
    }

    /// Checks the scope rule on this assignment; `base` is where it sits.
    pub(super) fn check_scope(&self, base: &AttributePath, diags: &mut Diagnostics) {
        let ids = &self.scope_resource_ids;
        let has_ids = ids.get().is_some_and(|set| !set.0.is_empty());
        match self.scope_type.as_deref() {
            Some("VCF_INSTANCE") if ids.is_null() || (ids.is_known() && !has_ids) => diags.attr_error(
                crate::attr_path!(at base, AssignmentModel, scope_resource_ids),
                "Missing scope resources",
                "scope_type VCF_INSTANCE needs scope_resource_ids: the ids of the VCF instances the role applies to.",
            ),
            Some("SSO_REALM") if has_ids || ids.is_unknown() => diags.attr_error(
                crate::attr_path!(at base, AssignmentModel, scope_resource_ids),
                "Scope resources not allowed",
                "scope_type SSO_REALM covers the whole realm and takes no scope_resource_ids; remove them or use VCF_INSTANCE.",
            ),
            _ => {}
        }
    }

    /// Errors on `path` for scope resources that are not VCF instances covered by the realm.
    fn check_instances(&self, realm: &RealmJson, path: AttributePath, diags: &mut Diagnostics) {
        for id in known_ids(&self.scope_resource_ids) {
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
}

/// The known elements of a set of assignments (none while it is null or unknown).
pub(super) fn known_items(items: &Val<SetOf<Val<AssignmentModel>>>) -> Vec<&AssignmentModel> {
    items
        .get()
        .map(|set| set.0.iter().filter_map(Val::get).collect())
        .unwrap_or_default()
}

/// The states of `list`, keeping the `expires_at` text of the same assignment in `prior` where
/// it means the same time.
pub(super) fn assignments_of(
    list: &[AssignmentJson],
    prior: &[&AssignmentModel],
) -> Vec<AssignmentModel> {
    list.iter()
        .map(|a| {
            let prior_expiry = AssignmentModel::same_binding_in(prior, a)
                .map(|p| p.expires_at.clone())
                .unwrap_or_default();
            AssignmentModel::of(a, &prior_expiry)
        })
        .collect()
}

/// `expires_at` as state text: the prior text when it means the same instant.
pub(super) fn expires_value(ms: Option<i64>, prior: &Val<String>) -> Val<String> {
    match ms {
        None => Val::Null,
        Some(ms) => match prior.as_deref() {
            Some(p) if millis_from_rfc3339(p) == Some(ms) => prior.clone(),
            _ => rfc3339_from_millis(ms).into(),
        },
    }
}

/// One planned assignment for [`check_planned`], with what it is compared to.
pub(super) struct PlannedAssignment<'a> {
    pub item: &'a AssignmentModel,
    /// The `expires_at` it had: a set or changed expiry must be in the future.
    pub prior_expiry: Val<String>,
    /// Its role is new: checked against the fleet's roles.
    pub new_role: bool,
    /// Its scope resources are new: checked against the realm's VCF instances.
    pub new_scope: bool,
}

/// Where the errors of [`check_planned`] point.
pub(super) struct CheckPaths {
    pub expires_at: AttributePath,
    pub role_name: AttributePath,
    pub scope_resource_ids: AttributePath,
}

impl CheckPaths {
    /// Every error on the one attribute `name` (the `assignments` set of `vcf_principal_roles`).
    pub(super) fn all_at(name: &str) -> Self {
        CheckPaths {
            expires_at: AttributePath::attr(name),
            role_name: AttributePath::attr(name),
            scope_resource_ids: AttributePath::attr(name),
        }
    }
}

/// The plan-time checks of planned assignments, in this order: expiries in the future, then
/// (once the realm is resolved, the default realm's id filled into `planned_realm` when the
/// configuration leaves it out) new roles known to the fleet, then new scope resources covered
/// by the realm. Nothing is checked before the provider is configured, and nothing against the
/// fleet while the configured realm is unknown.
pub(super) async fn check_planned(
    ctx: &Ctx,
    planned_realm: &mut Val<String>,
    configured_realm: &Val<String>,
    items: &[PlannedAssignment<'_>],
    paths: &CheckPaths,
    diags: &mut Diagnostics,
) -> Result<()> {
    let Ok(vcf) = crate::resources::vcf(ctx) else {
        return Ok(());
    };
    let now = vcf.fleet.now_ms();
    for p in items {
        check_future(
            now,
            &p.item.expires_at,
            &p.prior_expiry,
            paths.expires_at.clone(),
            diags,
        );
    }
    let Some((f, realm)) = plan_realm_of(ctx, planned_realm, configured_realm).await? else {
        return Ok(());
    };
    for p in items.iter().filter(|p| p.new_role) {
        if let Some(role) = p.item.role_name.as_deref() {
            check_role(f, role, paths.role_name.clone(), diags).await;
        }
    }
    for p in items.iter().filter(|p| p.new_scope) {
        p.item
            .check_instances(realm, paths.scope_resource_ids.clone(), diags);
    }
    Ok(())
}

/// The future-time rule for `expires_at`, checked when it is set or changed.
fn check_future(
    now_ms: i64,
    planned: &Val<String>,
    prior: &Val<String>,
    path: AttributePath,
    diags: &mut Diagnostics,
) {
    let Some(text) = planned.as_deref() else {
        return;
    };
    if prior.as_deref() == Some(text) {
        return;
    }
    if let Some(ms) = millis_from_rfc3339(text)
        && ms <= now_ms
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

pub(super) fn import_id(realm: &str, principal: &str, a: &AssignmentJson) -> String {
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

/// The `sso_realm_id` to keep in state: what the plan says (the configuration's name or id),
/// else the resolved id.
pub(super) fn realm_in_state(planned: &Val<String>, realm: &RealmJson) -> Val<String> {
    planned
        .get()
        .cloned()
        .unwrap_or_else(|| realm.id.clone())
        .into()
}

/// A removal's outcome: what is already gone counts as removed.
pub(super) fn gone_is_done<T>(removed: std::result::Result<T, ApiError>) -> Result<()> {
    match removed {
        Ok(_) => Ok(()),
        Err(e) if e.is_not_found() => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// The fleet client, the realm `sso_realm_id` names (or the provider's default realm) and the
/// principal of a state or plan.
pub(super) async fn principal_realm<'a>(
    ctx: &'a Ctx,
    sso_realm_id: &Val<String>,
    principal_id: &Val<String>,
) -> Result<(Fleet<'a>, &'a RealmJson, String)> {
    let (f, realm) = fleet_realm_of(ctx, sso_realm_id).await?;
    let principal = principal_id.get().cloned().ok_or_else(|| {
        Failure::error(
            "Provider bug: principal_id is not known",
            "The principal_id of the role assignments is not known here. Please report this issue to the \
             provider developers.",
        )
    })?;
    Ok((f, realm, principal))
}

crate::model! {
    /// The identity of a principal's assignment set.
    pub struct PrincipalIdentityModel {
        pub sso_realm_id: Val<String>,
        pub principal_id: Val<String>,
    }
}

/// The identity of a principal's assignment set: `{sso_realm_id, principal_id}`.
pub fn principal_identity_schema() -> Option<IdentitySchema> {
    Some(IdentitySchema::new(
        0,
        vec![
            IdentityAttribute::required(REALM_ATTRIBUTE, REALM_IDENTITY),
            IdentityAttribute::required(
                "principal_id",
                "The principal (an API client's `principal_id`, or an SSO user or group).",
            ),
        ],
    ))
}

crate::model! {
    /// The `config` block of `list "vcf_role_assignment"` and `list "vcf_principal_roles"`.
    pub struct PrincipalListConfig {
        pub sso_realm_id: Val<String>,
        pub principal_id: Val<String>,
        pub role_name: Val<String>,
    }
}

/// The schema of the `config` block of the role-assignment list resources (see
/// [`PrincipalListConfig`]), with their own descriptions.
pub(super) fn principal_list_schema(about: &str, principal: &str, role: &str) -> Schema {
    Schema::new(
        0,
        Block::new(about)
            .attribute(realm_lookup_attribute())
            .attribute(
                Attribute::string("principal_id")
                    .validator(PathSegment)
                    .optional()
                    .description(principal)
                    .validator(Length::at_least(1)),
            )
            .attribute(
                Attribute::string("role_name")
                    .validator(PathSegment)
                    .optional()
                    .description(role),
            ),
    )
}
