//! A fresh world: the fixed SDDC Manager roles, then the realms, users, roles, API clients,
//! Director organizations and credentials of the configuration (`sim/README.md`), and the
//! credentials the ready line prints.

use super::{
    ApiClient, Assignment, Coverage, DirUser, Org, Realm, SDDC_ROLE_IDS, SddcRole, SddcUser,
    SsoUser, VcfRole, World, group_component_roles, iso8601, new_uuid, random_b64,
};
use crate::config::Config;

impl World {
    /// A fresh world seeded from the configuration.
    pub fn seed(cfg: &Config, now: i64) -> Result<World, String> {
        let mut w = World {
            jwt_key: random_b64(32),
            lockout_cfg: cfg.lockout.clone(),
            dirty: true,
            ..World::default()
        };
        // SDDC Manager
        for (name, id, desc) in SDDC_ROLE_IDS {
            w.sddc.roles.push(SddcRole {
                id: id.into(),
                name: name.into(),
                description: desc.into(),
            });
        }
        for u in &cfg.sddc_manager.users {
            let role = w
                .sddc_role_by_name(&u.role)
                .ok_or_else(|| format!("config: unknown SDDC role {:?}", u.role))?
                .id
                .clone();
            w.sddc.users.push(SddcUser {
                id: new_uuid(),
                name: u.name.clone(),
                domain: u.domain.clone(),
                user_type: "USER".into(),
                role_id: role,
                creation_timestamp: iso8601(now),
                password: Some(u.password.clone()),
                api_key: None,
            });
        }
        if let Some(admin) = cfg.sddc_manager.users.iter().find(|u| u.role == "ADMIN") {
            w.ready.sddc_username = admin.name.clone();
            w.ready.sddc_password = admin.password.clone();
        }
        // Fleet realms
        for r in &cfg.realms {
            let mut coverage = Vec::new();
            for i in &r.vcf_instances {
                coverage.push(Coverage {
                    id: i.id.clone().unwrap_or_else(new_uuid),
                    name: i.name.clone(),
                    entity_type: "VCF_INSTANCE".into(),
                });
            }
            for c in &r.management_components {
                coverage.push(Coverage {
                    id: c.id.clone().unwrap_or_else(new_uuid),
                    name: c.name.clone(),
                    entity_type: "MANAGEMENT_COMPONENT".into(),
                });
            }
            let created = now - 86_400_000;
            w.fleet.realms.push(Realm {
                id: r.id.clone().unwrap_or_else(new_uuid),
                name: r.name.clone(),
                vidb_resource_id: r.vidb_resource_id.clone().unwrap_or_else(new_uuid),
                vcf_instance_id: coverage
                    .iter()
                    .find(|c| c.entity_type == "VCF_INSTANCE")
                    .map(|c| c.id.clone())
                    .unwrap_or_default(),
                coverage,
                idp_id: r.idp_id.clone().unwrap_or_else(new_uuid),
                created_at: created,
                updated_at: created,
            });
        }
        let first_realm = w
            .fleet
            .realms
            .first()
            .map(|r| r.id.clone())
            .ok_or("config: at least one realm is required")?;
        w.ready.realm_id = first_realm.clone();
        w.ready.vcf_instance_id = w.fleet.realms[0].vcf_instance_id.clone();
        for role in crate::fleet::builtin_roles() {
            w.fleet.custom_roles.push(role);
        }
        for r in &cfg.custom_roles {
            w.fleet.custom_roles.push(VcfRole {
                name: r.name.clone(),
                display_name: r.display_name.clone().unwrap_or_else(|| r.name.clone()),
                description: r.description.clone(),
                built_in: false,
                component_roles: group_component_roles(&r.component_roles),
                created_by: "admin".into(),
                updated_by: "admin".into(),
                created_at: 0,
                updated_at: 0,
            });
        }
        for u in &cfg.operations.users {
            let realm_id = match &u.realm {
                Some(name) => w
                    .fleet
                    .realms
                    .iter()
                    .find(|r| &r.name == name)
                    .map(|r| r.id.clone())
                    .ok_or_else(|| format!("config: unknown realm {name:?}"))?,
                None => first_realm.clone(),
            };
            let id = u.id.clone().unwrap_or_else(new_uuid);
            w.fleet.users.push(SsoUser {
                id: id.clone(),
                name: u.name.clone(),
                password: u.password.clone(),
                realm_id: realm_id.clone(),
            });
            w.set_realm_roles(&realm_id, &id, &u.roles)?;
        }
        if let Some(u) = cfg.operations.users.first() {
            w.ready.ops_username = u.name.clone();
            w.ready.ops_password = u.password.clone();
        }
        // Bootstrap API client and token.
        let ops = &cfg.operations;
        let client_uuid = new_uuid();
        w.fleet.clients.push(ApiClient {
            realm_id: first_realm.clone(),
            client_id: ops.bootstrap_client_id.clone(),
            client_uuid: client_uuid.clone(),
            client_name: "vcf-sim bootstrap client".into(),
            client_description: "Owns the API token printed in the vcf-sim ready line".into(),
        });
        w.set_realm_roles(&first_realm, &client_uuid, &ops.bootstrap_client_roles)?;
        let tok = crate::fleet::new_token(
            crate::fleet::TokenSpec {
                realm_id: first_realm.clone(),
                api_client_id: Some(ops.bootstrap_client_id.clone()),
                principal_id: client_uuid,
                principal_name: ops.bootstrap_client_id.clone(),
                token_name: "vcf-sim-bootstrap".into(),
                token_description: "Bootstrap token of vcf-sim".into(),
                api_token_ttl: ops.bootstrap_api_token_ttl,
                access_token_ttl: ops.bootstrap_access_token_ttl,
                token_type: "API_CLIENT".into(),
            },
            now,
        );
        w.ready.ops_api_token = tok.secret.clone();
        w.fleet.tokens.push(tok);
        // Director
        w.director.flavor = cfg
            .director
            .flavor
            .clone()
            .unwrap_or_else(|| crate::director::CLOUD_DIRECTOR.into());
        for o in &cfg.director.orgs {
            let org_id = format!("urn:vcloud:org:{}", new_uuid());
            w.director.orgs.push(Org {
                id: org_id.clone(),
                name: o.name.clone(),
            });
            for u in &o.users {
                w.director.users.push(DirUser {
                    id: format!("urn:vcloud:user:{}", new_uuid()),
                    org_id: org_id.clone(),
                    name: u.name.clone(),
                    password: u.password.clone(),
                    role: u.role.clone(),
                });
            }
        }
        if let Some(o) = cfg
            .director
            .orgs
            .iter()
            .find(|o| !o.name.eq_ignore_ascii_case("System") && !o.users.is_empty())
        {
            w.ready.director_org = o.name.clone();
            w.ready.director_username = o.users[0].name.clone();
            w.ready.director_password = o.users[0].password.clone();
        }
        Ok(w)
    }

    fn set_realm_roles(
        &mut self,
        realm_id: &str,
        principal: &str,
        roles: &[String],
    ) -> Result<(), String> {
        for r in roles {
            if !self.fleet.custom_roles.iter().any(|x| &x.name == r) {
                return Err(format!("config: unknown VCF role {r:?}"));
            }
        }
        self.fleet.assignments.insert(
            format!("{realm_id}/{principal}"),
            roles
                .iter()
                .map(|r| Assignment {
                    role_name: r.clone(),
                    scope_type: "SSO_REALM".into(),
                    resources: Vec::new(),
                    expires_at: None,
                })
                .collect(),
        );
        Ok(())
    }
}
