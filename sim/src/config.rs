//! `--config FILE` (TOML): what a fresh sim is seeded with. Every section is optional; the defaults
//! reproduce the names and ids of the source documents (realm `flt-idb02` covering VCF instance
//! `sfo-vcf02` and two management components, seed 001).

use serde::Deserialize;

pub const DEFAULT_PASSWORD: &str = "VMware123!VMware123!";

#[derive(Deserialize, Debug, Clone)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub sddc_manager: SddcConfig,
    pub operations: OpsConfig,
    pub realms: Vec<RealmConfig>,
    pub custom_roles: Vec<CustomRoleConfig>,
    pub director: DirectorConfig,
    pub lockout: LockoutConfig,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(default, deny_unknown_fields)]
pub struct SddcConfig {
    pub users: Vec<SddcUserConfig>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct SddcUserConfig {
    /// Login name, e.g. `administrator@vsphere.local`.
    pub name: String,
    #[serde(default = "default_domain")]
    pub domain: String,
    pub password: String,
    /// ADMIN, OPERATOR or VIEWER.
    pub role: String,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(default, deny_unknown_fields)]
pub struct OpsConfig {
    /// SSO users that can acquire a token with username/password.
    pub users: Vec<OpsUserConfig>,
    /// The API client that owns the bootstrap `vidb_` token printed in the ready line.
    pub bootstrap_client_id: String,
    /// VCF roles of the bootstrap client, assigned at SSO_REALM scope of the first realm.
    pub bootstrap_client_roles: Vec<String>,
    /// Lifetime of the bootstrap token, minutes.
    pub bootstrap_api_token_ttl: i64,
    /// Access-token lifetime of the bootstrap token, minutes.
    pub bootstrap_access_token_ttl: i64,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct OpsUserConfig {
    pub name: String,
    pub password: String,
    /// Principal id (random when absent).
    #[serde(default)]
    pub id: Option<String>,
    /// Realm name; the first realm when absent.
    #[serde(default)]
    pub realm: Option<String>,
    /// VCF roles assigned at SSO_REALM scope.
    #[serde(default)]
    pub roles: Vec<String>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct RealmConfig {
    pub name: String,
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub vidb_resource_id: Option<String>,
    #[serde(default)]
    pub idp_id: Option<String>,
    #[serde(default)]
    pub vcf_instances: Vec<EntityConfig>,
    #[serde(default)]
    pub management_components: Vec<EntityConfig>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct EntityConfig {
    pub name: String,
    #[serde(default)]
    pub id: Option<String>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct CustomRoleConfig {
    pub name: String,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub description: String,
    /// `[["VCF_OPERATIONS", "Administrator"], …]`
    pub component_roles: Vec<(String, String)>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(default, deny_unknown_fields)]
pub struct DirectorConfig {
    /// Organizations; `System` is the provider organization.
    pub orgs: Vec<OrgConfig>,
    /// `cloud_director` (default) or `vcf_automation`; `--director-flavor` overrides it.
    pub flavor: Option<String>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct OrgConfig {
    pub name: String,
    #[serde(default)]
    pub users: Vec<DirectorUserConfig>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct DirectorUserConfig {
    pub name: String,
    pub password: String,
    /// e.g. "Organization Administrator", "System Administrator", "vApp User". Administrators
    /// hold "Manage all users' API tokens"; everybody holds "Manage user's own API token".
    #[serde(default = "default_director_role")]
    pub role: String,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(default, deny_unknown_fields)]
pub struct LockoutConfig {
    pub max_failures: usize,
    pub window_minutes: i64,
    pub lock_minutes: i64,
}

fn default_domain() -> String {
    "vsphere.local".into()
}

fn default_director_role() -> String {
    "Organization Administrator".into()
}

impl Default for SddcConfig {
    fn default() -> Self {
        SddcConfig {
            users: vec![SddcUserConfig {
                name: "administrator@vsphere.local".into(),
                domain: default_domain(),
                password: DEFAULT_PASSWORD.into(),
                role: "ADMIN".into(),
            }],
        }
    }
}

impl Default for OpsConfig {
    fn default() -> Self {
        OpsConfig {
            users: vec![OpsUserConfig {
                name: "admin".into(),
                password: DEFAULT_PASSWORD.into(),
                id: None,
                realm: None,
                roles: vec!["vcf_admin".into()],
            }],
            bootstrap_client_id: "vcf-sim-bootstrap".into(),
            bootstrap_client_roles: vec!["vcf_admin".into()],
            bootstrap_api_token_ttl: 259_200,
            bootstrap_access_token_ttl: 30,
        }
    }
}

impl Default for DirectorConfig {
    fn default() -> Self {
        DirectorConfig {
            orgs: vec![
                OrgConfig {
                    name: "rainpole".into(),
                    users: vec![DirectorUserConfig {
                        name: "tenant-admin".into(),
                        password: DEFAULT_PASSWORD.into(),
                        role: default_director_role(),
                    }],
                },
                OrgConfig {
                    name: "System".into(),
                    users: vec![DirectorUserConfig {
                        name: "administrator".into(),
                        password: DEFAULT_PASSWORD.into(),
                        role: "System Administrator".into(),
                    }],
                },
            ],
            flavor: None,
        }
    }
}

impl Default for LockoutConfig {
    fn default() -> Self {
        LockoutConfig {
            max_failures: 5,
            window_minutes: 5,
            lock_minutes: 15,
        }
    }
}

pub fn default_realms() -> Vec<RealmConfig> {
    vec![RealmConfig {
        name: "flt-idb02".into(),
        id: Some("d86a0d9d-f267-45fd-b966-ed8b30e59452".into()),
        vidb_resource_id: Some("60b347fc-cb9b-452a-bfdc-5e483ab813d8".into()),
        idp_id: Some("d5709a7f-8c6b-45e5-8189-4da573f98798".into()),
        vcf_instances: vec![EntityConfig {
            name: "sfo-vcf02".into(),
            id: Some("a79554c3-4c83-46c1-975a-92f94bbcd56d".into()),
        }],
        management_components: vec![
            EntityConfig {
                name: "Operations Appliance".into(),
                id: Some("0cdb4cb5-17c0-41c1-962f-f027e599b392".into()),
            },
            EntityConfig {
                name: "Automation Appliance".into(),
                id: Some("9a1dbfbb-92ba-41ee-98f3-cb2b14f2375f".into()),
            },
        ],
    }]
}

impl Default for Config {
    fn default() -> Self {
        Config {
            sddc_manager: SddcConfig::default(),
            operations: OpsConfig::default(),
            realms: default_realms(),
            custom_roles: Vec::new(),
            director: DirectorConfig::default(),
            lockout: LockoutConfig::default(),
        }
    }
}

impl Config {
    pub fn load(path: &std::path::Path) -> Result<Config, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read config {}: {e}", path.display()))?;
        let cfg: Config =
            toml::from_str(&text).map_err(|e| format!("invalid config {}: {e}", path.display()))?;
        if cfg.realms.is_empty() {
            return Err("config: at least one realm is required".into());
        }
        Ok(cfg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_toml_keeps_defaults() {
        let cfg: Config = toml::from_str(
            r#"
            [sddc_manager]
            users = [{ name = "root@vsphere.local", password = "x", role = "VIEWER" }]
            "#,
        )
        .expect("parse");
        assert_eq!(cfg.sddc_manager.users[0].domain, "vsphere.local");
        assert_eq!(cfg.realms[0].name, "flt-idb02");
        assert_eq!(cfg.lockout.max_failures, 5);
    }
}
