//! SSO realms: the list of the realms the caller can see.

use serde_json::{Value, json};

use super::access::{Access, authorize};
use crate::http::{HResult, Req, Resp};
use crate::world::{Ctx, World};

pub(super) fn list_realms(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
    authorize(w, ctx, req, None, Access::Read)?;
    let realms: Vec<Value> = w
        .fleet
        .realms
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "name": r.name,
                "vidbResourceId": r.vidb_resource_id,
                "vcfInstanceId": r.vcf_instance_id,
                "issues": [],
                "ssoRealmCoverage": r.coverage.iter().map(|c| json!({
                    "id": c.id, "name": c.name, "ssoEntityType": c.entity_type,
                })).collect::<Vec<_>>(),
                "totalConfiguredComponents": r.coverage.len() + 1,
                "idpId": r.idp_id,
                "createdAt": r.created_at,
                "updatedAt": r.updated_at,
            })
        })
        .collect();
    Ok(Resp::ok(json!({ "ssoRealms": realms })))
}
