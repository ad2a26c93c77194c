//! What the role-assignment types share: the attributes of one assignment (`role_name`,
//! `scope_type`, `scope_resource_ids`, `expires_at`) with their plan-time checks, the API form
//! of an assignment and its state, and the identity of a principal's assignment set.

use crate::framework::validate::{Check, Length, OneOf, PathSegment};
use crate::framework::{
    Attribute, AttributePath, Diagnostics, IdentityAttribute, IdentitySchema, Type, Value,
};
use crate::resources::rfc3339_from_millis;

use super::{
    AssignmentJson, Fleet, REALM_IDENTITY, ResourceRef, ScopeJson, millis_from_rfc3339, s,
};

pub(super) const SCOPES: [&str; 2] = ["SSO_REALM", "VCF_INSTANCE"];

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

/// Checks the scope rule on one assignment object; `base` is where it sits.
pub(super) fn check_scope(obj: &Value, base: &AttributePath, diags: &mut Diagnostics) {
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
pub(super) fn check_instances(
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
pub(super) fn assignment_from(v: &Value) -> Option<AssignmentJson> {
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
pub(super) fn expires_value(ms: Option<i64>, prior: &Value) -> Value {
    match ms {
        None => Value::Null,
        Some(ms) => match prior.as_str() {
            Some(p) if millis_from_rfc3339(p) == Some(ms) => prior.clone(),
            _ => Value::opt_string(rfc3339_from_millis(ms)),
        },
    }
}

pub(super) fn ids_value(a: &AssignmentJson) -> Value {
    let ids = a.resource_ids();
    if ids.is_empty() {
        Value::Null
    } else {
        Value::Set(ids.into_iter().map(Value::String).collect())
    }
}

/// The future-time rule for `expires_at`, checked when it is set or changed.
pub(super) fn check_future(
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
pub(super) async fn check_role(
    f: Fleet<'_>,
    role: &str,
    path: AttributePath,
    diags: &mut Diagnostics,
) {
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

/// The set value of assignments, keeping prior `expires_at` text where it means the same time.
pub(super) fn assignments_value(list: &[AssignmentJson], prior: &Value) -> Value {
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

/// The identity of a principal's assignment set: `{sso_realm_id, principal_id}`.
pub fn principal_identity_schema() -> Option<IdentitySchema> {
    Some(IdentitySchema::new(
        0,
        vec![
            IdentityAttribute::required("sso_realm_id", REALM_IDENTITY),
            IdentityAttribute::required(
                "principal_id",
                "The principal (an API client's `principal_id`, or an SSO user or group).",
            ),
        ],
    ))
}
