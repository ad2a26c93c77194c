//! `list "vcf_role_assignment"` of `terraform query` (the assignments of one principal, or of
//! every API client) and the identity of `vcf_role_assignment`:
//! `{sso_realm_id, principal_id, role_name, scope}` where `scope` is `SSO_REALM`, or
//! `VCF_INSTANCE:<id>[,<id>…]` with the instance ids sorted (Terraform refuses an identity that
//! changes without replacement, and these are what an assignment cannot change in place).

use async_trait::async_trait;

use crate::framework::validate::{Length, PathSegment};
use crate::framework::{
    Attribute, Block, Ctx, Diagnostics, IdentityAttribute, IdentitySchema, ListResource, ListSink,
    Schema, Value,
};

use super::list::{finish, list_fleet_realm};
use super::role_assignment::RoleAssignment;
use super::role_schema::principal_identity_schema;
use super::{AssignmentJson, realm_lookup_attribute, s};

pub fn role_assignment_identity_schema() -> Option<IdentitySchema> {
    let mut attrs = principal_identity_schema()?.attributes;
    attrs.push(IdentityAttribute::required("role_name", "The VCF role."));
    attrs.push(IdentityAttribute::required(
        "scope",
        "`SSO_REALM`, or `VCF_INSTANCE:<id>[,<id>…]` with the VCF instance ids sorted and joined by commas.",
    ));
    Some(IdentitySchema::new(0, attrs))
}

/// The `scope` identity attribute of a role assignment state (None while not known).
fn scope_text(state: &Value) -> Option<String> {
    let scope_type = state.attr("scope_type").as_str()?;
    let ids = state.attr("scope_resource_ids");
    if !ids.is_known() {
        return None;
    }
    let mut ids: Vec<&str> = ids
        .elements()
        .unwrap_or_default()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    if ids.is_empty() {
        return Some(scope_type.to_string());
    }
    ids.sort_unstable();
    ids.dedup();
    Some(format!("{scope_type}:{}", ids.join(",")))
}

pub fn role_assignment_identity(state: &Value) -> Value {
    if state.is_null() {
        return Value::Null;
    }
    Value::object([
        ("sso_realm_id", state.attr("sso_realm_id").clone()),
        ("principal_id", state.attr("principal_id").clone()),
        ("role_name", state.attr("role_name").clone()),
        (
            "scope",
            scope_text(state).map_or(Value::Unknown, Value::String),
        ),
    ])
}

/// The import ID of `vcf_role_assignment` for an identity.
pub fn role_assignment_import_id(identity: &Value) -> Option<String> {
    let realm = s(identity, "sso_realm_id")?;
    let principal = s(identity, "principal_id")?;
    let role = s(identity, "role_name")?;
    let scope = s(identity, "scope")?;
    let scope = match scope.split_once(':') {
        Some((t, ids)) => format!("{t}/{ids}"),
        None => scope,
    };
    Some(format!("{realm}/{principal}/{role}/{scope}"))
}

/// `list "vcf_role_assignment"`: the assignments of one principal, or of every API client.
pub struct RoleAssignmentList;

#[async_trait]
impl ListResource for RoleAssignmentList {
    fn type_name(&self) -> &'static str {
        "vcf_role_assignment"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            0,
            Block::new(
                "Finds VCF role assignments: those of one principal, or (without `principal_id`) those of every \
                 API client of the realm, one principal at a time. SSO users and groups are listed only by \
                 `principal_id` (the API cannot enumerate them).",
            )
            .attribute(realm_lookup_attribute())
            .attribute(
                Attribute::string("principal_id")
                    .validator(PathSegment)
                    .optional()
                    .description("Only this principal's assignments.")
                    .validator(Length::at_least(1)),
            )
            .attribute(
                Attribute::string("role_name")
                    .validator(PathSegment)
                    .optional()
                    .description("Only assignments of this VCF role."),
            ),
        )
    }

    async fn list(&self, ctx: &Ctx, config: &Value, sink: &mut ListSink) {
        let Some((f, realm)) = list_fleet_realm(ctx, config, sink).await else {
            return;
        };
        let mut diags = Diagnostics::new();
        // (principal, label) pairs.
        let principals: Vec<(String, String)> = match s(config, "principal_id") {
            Some(p) => vec![(p.clone(), p)],
            None => match f.all_clients(&realm.id).await {
                Ok(l) => l
                    .into_iter()
                    .map(|c| (c.client_uuid, c.client_id))
                    .collect(),
                Err(e) => {
                    diags.push(e.to_diagnostic());
                    return finish(sink, diags).await;
                }
            },
        };
        let role = s(config, "role_name");
        for (principal, label) in principals {
            let set: Vec<AssignmentJson> = match f.assignments(&realm.id, &principal).await {
                Ok(set) => set,
                Err(e) if e.is_not_found() => continue,
                Err(e) => {
                    diags.push(e.to_diagnostic());
                    return finish(sink, diags).await;
                }
            };
            for a in set
                .iter()
                .filter(|a| role.as_deref().is_none_or(|r| r == a.role_name))
            {
                let state = RoleAssignment::state(
                    Value::string(&realm.id),
                    &realm.id,
                    &principal,
                    a,
                    &Value::Null,
                );
                let scope = scope_text(&state).unwrap_or_default();
                if !sink
                    .send(state, format!("{label}: {} at {scope}", a.role_name))
                    .await
                {
                    return;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_assignment_identity_round_trips_through_the_import_id() {
        let state = Value::object([
            ("sso_realm_id", Value::string("r")),
            ("principal_id", Value::string("p")),
            ("role_name", Value::string("vcf_viewer")),
            ("scope_type", Value::string("VCF_INSTANCE")),
            (
                "scope_resource_ids",
                Value::Set(vec![Value::string("b"), Value::string("a")]),
            ),
        ]);
        let id = role_assignment_identity(&state);
        assert_eq!(id.attr("scope").as_str(), Some("VCF_INSTANCE:a,b"));
        assert_eq!(
            role_assignment_import_id(&id).as_deref(),
            Some("r/p/vcf_viewer/VCF_INSTANCE/a,b")
        );
        let mut realm_wide = state.clone();
        realm_wide.set_attr("scope_type", Value::string("SSO_REALM"));
        realm_wide.set_attr("scope_resource_ids", Value::Null);
        let id = role_assignment_identity(&realm_wide);
        assert_eq!(id.attr("scope").as_str(), Some("SSO_REALM"));
        assert_eq!(
            role_assignment_import_id(&id).as_deref(),
            Some("r/p/vcf_viewer/SSO_REALM")
        );
    }
}
