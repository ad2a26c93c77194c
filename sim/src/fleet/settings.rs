//! The global IAM settings (token lifetimes).

use serde_json::json;

use super::ACCESS_TOKEN_TTL_MAX;
use super::access::{Access, authorize};
use crate::http::{HResult, Req, Resp};
use crate::world::{Ctx, World};

/// getIamSettings: GlobalIamSettings, TTLs in minutes, with the reference example's values
/// (its defaults). Whether a real appliance caps new tokens at them is not documented, so the
/// sim does not: it enforces only the absolute ranges (API tokens up to 259200 minutes, access
/// tokens up to 480).
pub(super) fn get_settings(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
    authorize(w, ctx, req, None, Access::Read)?;
    Ok(Resp::ok(json!({
        "apiTokenTtl": 43_200,
        "accessTokenTtl": ACCESS_TOKEN_TTL_MAX,
        "apiTokenRetentionPeriod": 43_200,
        "allUsersGroupEnabled": false,
        "jitInactiveUserEnabled": false,
        "jitInactiveUserTtl": 10_080,
    })))
}
