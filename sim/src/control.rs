//! The control API under `/_sim/` — never part of the product contract. Open to loopback peers;
//! other peers must send `X-Sim-Admin-Secret: <control.admin_secret of the ready line>`.
//! Control calls are not counted in the stats and are never subject to faults.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use crate::faults::FaultRule;
use crate::http::{ApiError, HResult, Req, Resp};
use crate::routes::Contract;
use crate::server::{Shared, Stats, lock};
use crate::world::{DirToken, SddcUser, World, iso8601, new_uuid, random_alnum, random_b64};

pub const HELP: &str = "\
CONTROL API (under /_sim/, open to loopback peers; others send X-Sim-Admin-Secret):
  GET    /_sim/health                 {\"ok\":true}
  GET    /_sim/clock                  {\"now_ms\",\"now\",\"time_scale\"}
  POST   /_sim/clock/advance          {\"seconds\":N} | {\"minutes\":N} | {\"hours\":N} | {\"ms\":N}
  GET    /_sim/faults                 {\"rules\":[rule…]}
  POST   /_sim/faults                 rule -> rule with its id. Rule fields:
           path (glob, * matches anything), method (optional), kind: latency | error |
           rate_limit | reset_before | reset_after | unauthorized | advance_clock | echo |
           html | huge_body | answer | other_writer | hang,
           probability (0..1, default 1),
           times (firings before the rule disappears; unlimited when absent),
           latency_ms [min,max] (latency), status (error; default 503), retry_after
           (seconds; rate_limit, default 1; also sent with error when given),
           advance_seconds (advance_clock: the clock moves forward by this much, then the
           request is applied as usual), format (echo: jackson | text | yaml | xml |
           refresh_id — the error echoes the request body and Authorization header; status
           default 400), html (status default 404: a load balancer's HTML page, or `body`), size_mb
           (huge_body: 200 with a chunked body of that many MiB, default 24); answer:
           status (default 200) with `body` (default {}) as JSON; other_writer (GET only):
           role and change (revoke | assign | toggle) — after a GET of a principal's role
           assignments is answered, that principal's set changes (another writer); hang: hold
           the request (before it is applied) for hold_seconds (default 600), until released or until
           the client goes away (stats: holds, and the request counted as client_gone);
           with after: true the request is applied first and its answer held
  POST   /_sim/faults/release         let every held request go on (then applied as usual)
  DELETE /_sim/faults                 remove all rules and restart the fault RNG from --seed
  DELETE /_sim/faults/{id}            remove one rule
  GET    /_sim/secrets                {\"secrets\":[…],\"issued\":[{secret,kind}]}: every secret an API answer
                                       carried or a request gave since start
  GET    /_sim/stats                  {\"total\",\"endpoints\":{\"METHOD /route/{template}\":{\"200\":n,\"reset\":n}},
                                       \"max_in_flight\",\"holds\":{started,holding,released,expired,client_gone}}
  DELETE /_sim/stats                  reset the counters (also POST /_sim/stats/reset)
  GET    /_sim/state                  dump the whole world (secrets included)
  GET    /_sim/routes                 every route with SEEN/ASSUMED
  POST   /_sim/objects                out-of-band change: {\"op\":\"create\"|\"patch\"|\"delete\",
           \"kind\":K, \"realm\":id (fleet kinds; default first realm), \"id\":…, \"fields\":{…},
           \"count\":n (create)}. Kinds: api_client, api_token, role_assignments, custom_role,
           sso_user (fleet principal for username/password login and role assignment),
           sddc_user, director_token, sessions (delete: every access token), lockouts (delete).
           patch merges `fields` into the object as GET /_sim/state shows it (snake_case names),
           e.g. {\"op\":\"patch\",\"kind\":\"api_token\",\"id\":…,\"fields\":{\"expiration_date\":0}}
  POST   /_sim/save                   write the state file now
";

pub fn handle(shared: &Shared, req: &Req) -> HResult {
    let secret_ok = req
        .header("x-sim-admin-secret")
        .is_some_and(|s| s == shared.admin_secret);
    if !req.peer_loopback && !secret_ok {
        return Err(ApiError::forbidden(
            "The control API is open to loopback peers only, or with X-Sim-Admin-Secret",
        ));
    }
    let segs: Vec<&str> = req.path.split('/').filter(|s| !s.is_empty()).collect();
    let m = req.method.as_str();
    match (m, &segs[1..]) {
        ("GET", ["health"]) => Ok(Resp::ok(json!({ "ok": true }))),
        ("GET", ["clock"]) => Ok(Resp::ok(clock_json(shared))),
        ("POST", ["clock", "advance"]) => {
            let o: Map<String, Value> = req.json()?;
            let num = |k: &str| o.get(k).and_then(Value::as_f64);
            let ms = num("ms")
                .or_else(|| num("seconds").map(|s| s * 1000.0))
                .or_else(|| num("minutes").map(|m| m * 60_000.0))
                .or_else(|| num("hours").map(|h| h * 3_600_000.0))
                .ok_or_else(|| ApiError::bad_request("give ms, seconds, minutes or hours"))?;
            if !(0.0..=100.0 * 365.0 * 86_400_000.0).contains(&ms) {
                return Err(ApiError::bad_request(
                    "the clock only moves forward, by at most 100 years at a time",
                ));
            }
            shared.clock.advance(ms as i64);
            lock(&shared.world).dirty = true;
            Ok(Resp::ok(clock_json(shared)))
        }
        ("GET", ["faults"]) => Ok(Resp::ok(json!({ "rules": lock(&shared.faults).rules() }))),
        ("POST", ["faults"]) => {
            let r: FaultRule = req.json()?;
            let r = lock(&shared.faults).add(r)?;
            Ok(Resp::ok(json!(r)))
        }
        ("DELETE", ["faults"]) => {
            lock(&shared.faults).clear();
            Ok(Resp::no_content())
        }
        ("POST", ["faults", "release"]) => {
            shared.release.notify_waiters();
            Ok(Resp::no_content())
        }
        ("DELETE", ["faults", id]) => {
            let id: u64 = id
                .parse()
                .map_err(|_| ApiError::bad_request("fault id must be a number"))?;
            if lock(&shared.faults).remove(id) {
                Ok(Resp::no_content())
            } else {
                Err(ApiError::not_found(format!("fault rule {id} not found")))
            }
        }
        ("GET", ["stats"]) => Ok(Resp::ok(lock(&shared.stats).to_json())),
        ("DELETE", ["stats"]) | ("POST", ["stats", "reset"]) => {
            *lock(&shared.stats) = Stats::default();
            Ok(Resp::no_content())
        }
        ("GET", ["state"]) => {
            let w = lock(&shared.world);
            let v = serde_json::to_value(&*w)
                .map_err(|e| ApiError::new(500, "INTERNAL", e.to_string()))?;
            Ok(Resp::ok(v))
        }
        ("GET", ["secrets"]) => {
            let issued = lock(&shared.issued);
            let list: Vec<&String> = issued.keys().collect();
            let kinds: Vec<Value> = issued
                .iter()
                .map(|(secret, kind)| json!({ "secret": secret, "kind": kind }))
                .collect();
            Ok(Resp::ok(json!({ "secrets": list, "issued": kinds })))
        }
        ("GET", ["routes"]) => {
            let list: Vec<Value> = shared
                .router
                .entries()
                .iter()
                .map(|e| {
                    json!({
                        "method": e.route.method,
                        "template": e.route.template,
                        "contract": match e.route.contract { Contract::Seen => "SEEN", Contract::Assumed => "ASSUMED" },
                    })
                })
                .collect();
            Ok(Resp::ok(json!({ "routes": list })))
        }
        ("POST", ["objects"]) => {
            let o: Map<String, Value> = req.json()?;
            let mut w = lock(&shared.world);
            let ctx = crate::world::Ctx::new(&shared.clock, &shared.base_url);
            let out = objects(&mut w, &ctx, &o)?;
            w.dirty = true;
            Ok(Resp::ok(out))
        }
        ("POST", ["save"]) => {
            shared
                .save(true)
                .map_err(|e| ApiError::new(500, "INTERNAL", format!("save failed: {e}")))?;
            Ok(Resp::ok(json!({ "saved": shared.state_file.is_some() })))
        }
        _ => Err(ApiError::not_found(format!(
            "No control API at {m} {}; see vcf-sim --help",
            req.path
        ))),
    }
}

fn clock_json(shared: &Shared) -> Value {
    let now = shared.clock.now_ms();
    json!({ "now_ms": now, "now": iso8601(now), "time_scale": shared.clock.scale() })
}

fn s<'a>(o: &'a Map<String, Value>, k: &str) -> Result<&'a str, ApiError> {
    o.get(k)
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::bad_request(format!("{k} (string) is required")))
}

/// Merge `fields` into `obj` as serialized, then read it back: unknown fields and wrong types
/// are 400s.
fn patch<T: Serialize + DeserializeOwned>(
    obj: &mut T,
    fields: &Map<String, Value>,
) -> Result<(), ApiError> {
    let mut v = serde_json::to_value(&*obj).map_err(|e| ApiError::bad_request(e.to_string()))?;
    let Some(m) = v.as_object_mut() else {
        return Err(ApiError::bad_request("object is not patchable"));
    };
    for (k, val) in fields {
        if !m.contains_key(k) {
            let known: Vec<&String> = m.keys().collect();
            return Err(ApiError::bad_request(format!(
                "unknown field {k:?}; known fields: {known:?}"
            )));
        }
        m.insert(k.clone(), val.clone());
    }
    *obj = serde_json::from_value(v).map_err(|e| ApiError::bad_request(format!("patch: {e}")))?;
    Ok(())
}

fn objects(
    w: &mut World,
    ctx: &crate::world::Ctx,
    o: &Map<String, Value>,
) -> Result<Value, ApiError> {
    let op = s(o, "op")?;
    let kind = s(o, "kind")?;
    let realm = match o.get("realm").and_then(Value::as_str) {
        Some(r) => r.to_string(),
        None => w
            .fleet
            .realms
            .first()
            .map(|r| r.id.clone())
            .unwrap_or_default(),
    };
    let empty = Map::new();
    let fields = o.get("fields").and_then(Value::as_object).unwrap_or(&empty);
    let count = o
        .get("count")
        .and_then(Value::as_u64)
        .unwrap_or(1)
        .clamp(1, 10_000);
    let suffix = |base: &str, i: u64| {
        if count == 1 {
            base.to_string()
        } else {
            format!("{base}-{i}")
        }
    };
    let not_found = || ApiError::not_found(format!("{kind} not found"));
    match (op, kind) {
        ("create", "api_client") => {
            let base = s(fields, "clientId")?;
            let mut out = Vec::new();
            for i in 0..count {
                let c = crate::fleet::insert_client(
                    w,
                    &realm,
                    &suffix(base, i),
                    fields
                        .get("clientName")
                        .and_then(Value::as_str)
                        .map(String::from),
                    fields
                        .get("clientDescription")
                        .and_then(Value::as_str)
                        .map(String::from),
                )?;
                out.push(crate::fleet::client_json(&c));
            }
            Ok(json!({ "created": out }))
        }
        ("create", "api_token") => {
            let base = s(fields, "tokenName")?.to_string();
            let mut out = Vec::new();
            for i in 0..count {
                let mut f = fields.clone();
                f.insert("tokenName".into(), json!(suffix(&base, i)));
                let t = crate::fleet::token_from_body(w, &realm, None, &f, ctx.now)?;
                out.push(crate::fleet::token_json(&t, ctx, true));
                w.fleet.tokens.push(t);
            }
            Ok(json!({ "created": out }))
        }
        ("create" | "patch", "role_assignments") => {
            let principal = s(o, "id")?;
            let body = serde_json::to_vec(fields).unwrap_or_default();
            let list = crate::fleet::parse_assignments(w, &realm, &body)?;
            let out: Vec<Value> = list
                .iter()
                .map(|a| crate::fleet::assignment_json(w, &realm, a))
                .collect();
            w.fleet
                .assignments
                .insert(format!("{realm}/{principal}"), list);
            Ok(json!({ "vcfRoleAssignments": out }))
        }
        ("delete", "role_assignments") => {
            let principal = s(o, "id")?;
            w.fleet
                .assignments
                .remove(&format!("{realm}/{principal}"))
                .ok_or_else(not_found)?;
            Ok(json!({ "deleted": principal }))
        }
        ("create", "custom_role") => {
            // `fields` is a VcfRole body, as POST /roles takes it.
            let body = serde_json::to_vec(fields).unwrap_or_default();
            crate::fleet::insert_role(w, ctx, &body, "admin")
        }
        ("create", "sso_user") => {
            let u = crate::world::SsoUser {
                id: fields
                    .get("id")
                    .and_then(Value::as_str)
                    .map(String::from)
                    .unwrap_or_else(new_uuid),
                name: s(fields, "name")?.to_string(),
                password: fields
                    .get("password")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
                realm_id: realm,
            };
            let out = json!({ "id": u.id, "name": u.name, "realm_id": u.realm_id });
            w.fleet.users.push(u);
            Ok(out)
        }
        ("delete", "sso_user") => {
            let id = s(o, "id")?;
            let n = w.fleet.users.len();
            w.fleet.users.retain(|u| u.id != id && u.name != id);
            if n == w.fleet.users.len() {
                return Err(not_found());
            }
            w.fleet
                .assignments
                .retain(|k, _| !k.ends_with(&format!("/{id}")));
            Ok(json!({ "deleted": id }))
        }
        ("create", "sddc_user") => {
            let role_name = fields
                .get("role")
                .and_then(Value::as_str)
                .unwrap_or("VIEWER");
            let role_id = w
                .sddc_role_by_name(role_name)
                .map(|r| r.id.clone())
                .ok_or_else(|| ApiError::bad_request(format!("unknown SDDC role {role_name:?}")))?;
            let ty = fields.get("type").and_then(Value::as_str).unwrap_or("USER");
            let u = SddcUser {
                id: new_uuid(),
                name: s(fields, "name")?.to_string(),
                domain: fields
                    .get("domain")
                    .and_then(Value::as_str)
                    .unwrap_or("vsphere.local")
                    .to_string(),
                user_type: ty.to_string(),
                role_id,
                creation_timestamp: iso8601(ctx.now),
                password: fields
                    .get("password")
                    .and_then(Value::as_str)
                    .map(String::from),
                api_key: (ty == "SERVICE").then(|| random_b64(24)),
            };
            let out = crate::sddc::user_json(w, &u, true);
            w.sddc.users.push(u);
            Ok(out)
        }
        ("create", "director_token") => {
            let org_name = fields
                .get("org")
                .and_then(Value::as_str)
                .unwrap_or(w.ready.director_org.as_str())
                .to_string();
            let org = w
                .director
                .orgs
                .iter()
                .find(|x| x.name.eq_ignore_ascii_case(&org_name))
                .cloned()
                .ok_or_else(|| ApiError::bad_request(format!("unknown org {org_name:?}")))?;
            let user_name = fields
                .get("user")
                .and_then(Value::as_str)
                .unwrap_or(w.ready.director_username.as_str())
                .to_string();
            let user = w
                .director
                .users
                .iter()
                .find(|u| u.org_id == org.id && u.name.eq_ignore_ascii_case(&user_name))
                .cloned()
                .ok_or_else(|| ApiError::bad_request(format!("unknown user {user_name:?}")))?;
            let base = s(fields, "name")?.to_string();
            let mut out = Vec::new();
            for i in 0..count {
                let t = DirToken {
                    id: format!("urn:vcloud:token:{}", new_uuid()),
                    name: suffix(&base, i),
                    org_id: org.id.clone(),
                    owner_user_id: user.id.clone(),
                    secret: random_alnum(32),
                    created: ctx.now + 1 + i as i64,
                    token_type: "REFRESH".into(),
                };
                out.push(json!({ "id": t.id, "name": t.name, "refresh_token": t.secret }));
                w.director.tokens.push(t);
            }
            Ok(json!({ "created": out }))
        }
        ("patch", "api_client") => {
            let id = s(o, "id")?;
            let c = w
                .fleet
                .clients
                .iter_mut()
                .find(|c| c.realm_id == realm && c.client_id == id)
                .ok_or_else(not_found)?;
            patch(c, fields)?;
            Ok(json!(crate::fleet::client_json(c)))
        }
        ("patch", "api_token") => {
            let id = s(o, "id")?;
            let t = w
                .fleet
                .tokens
                .iter_mut()
                .find(|t| t.id == id)
                .ok_or_else(not_found)?;
            patch(t, fields)?;
            Ok(crate::fleet::token_json(t, ctx, false))
        }
        ("patch", "custom_role") => {
            let id = s(o, "id")?;
            let r = w
                .fleet
                .custom_roles
                .iter_mut()
                .find(|r| r.name == id)
                .ok_or_else(not_found)?;
            patch(r, fields)?;
            Ok(crate::fleet::role_json(r))
        }
        ("patch", "sddc_user") => {
            let id = s(o, "id")?;
            let i = w
                .sddc
                .users
                .iter()
                .position(|u| u.id == id || u.name == id)
                .ok_or_else(not_found)?;
            let mut u = w.sddc.users[i].clone();
            patch(&mut u, fields)?;
            w.sddc.users[i] = u.clone();
            Ok(crate::sddc::user_json(w, &u, false))
        }
        ("patch", "director_token") => {
            let id = s(o, "id")?;
            let t = w
                .director
                .tokens
                .iter_mut()
                .find(|t| t.id == id)
                .ok_or_else(not_found)?;
            patch(t, fields)?;
            Ok(json!({ "id": t.id, "name": t.name }))
        }
        ("delete", "api_client") => {
            crate::fleet::remove_client(w, &realm, s(o, "id")?)?;
            Ok(json!({ "deleted": s(o, "id")? }))
        }
        ("delete", "api_token") => {
            let id = s(o, "id")?;
            let n = w.fleet.tokens.len();
            w.fleet.tokens.retain(|t| t.id != id);
            if n == w.fleet.tokens.len() {
                return Err(not_found());
            }
            Ok(json!({ "deleted": id }))
        }
        ("delete", "custom_role") => {
            let id = s(o, "id")?;
            let n = w.fleet.custom_roles.len();
            w.fleet.custom_roles.retain(|r| r.name != id || r.built_in);
            if n == w.fleet.custom_roles.len() {
                return Err(not_found());
            }
            Ok(json!({ "deleted": id }))
        }
        ("delete", "sddc_user") => {
            let id = s(o, "id")?;
            let n = w.sddc.users.len();
            w.sddc.users.retain(|u| u.id != id && u.name != id);
            if n == w.sddc.users.len() {
                return Err(not_found());
            }
            Ok(json!({ "deleted": id }))
        }
        ("delete", "director_token") => {
            let id = s(o, "id")?;
            crate::director::remove_token(w, id)?;
            Ok(json!({ "deleted": id }))
        }
        ("delete", "sessions") => {
            let n = w.sessions.len();
            w.sessions.clear();
            Ok(json!({ "deleted": n }))
        }
        ("delete", "lockouts") => {
            let n = w.lockouts.len();
            w.lockouts.clear();
            Ok(json!({ "deleted": n }))
        }
        _ => Err(ApiError::bad_request(format!(
            "unsupported op/kind {op:?}/{kind:?}; see vcf-sim --help"
        ))),
    }
}
