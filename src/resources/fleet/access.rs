//! The configured fleet client for resources ([`Fleet`]): realm resolution (`sso_realm_id` or
//! the provider's `default_sso_realm`, a name or an id), roles, API clients and settings.

use crate::client::{ApiClient, ApiError, Call};
use crate::framework::{AttributePath, Ctx, Diagnostic, Diagnostics, Failure, Val};
use crate::resources::VcfContext;

use super::*;

// ---------------------------------------------------------------------------------------------
// Access for resources

/// The configured provider's fleet IAM client and shared state.
#[derive(Clone, Copy)]
pub struct Fleet<'a> {
    pub vcf: &'a VcfContext,
    pub api: &'a ApiClient,
}

/// The fleet client, or the failure saying why there is none (provider not configured, or no
/// `operations` block).
pub fn fleet_of(ctx: &Ctx) -> Result<Fleet<'_>, Failure> {
    let vcf = crate::resources::vcf(ctx)?;
    let api = vcf.clients.operations()?;
    Ok(Fleet { vcf, api })
}

/// The fleet client and the realm `sso_realm_id` names (or the provider's default realm), or
/// the failure saying which is missing.
pub async fn fleet_realm_of<'a>(
    ctx: &'a Ctx,
    sso_realm_id: &Val<String>,
) -> Result<(Fleet<'a>, &'a RealmJson), Failure> {
    let f = fleet_of(ctx)?;
    let realm = f.realm_of(sso_realm_id).await?;
    Ok((f, realm))
}

/// The sentence that ends the message of a realm not found: "Realms visible to the provider's
/// credentials: NAME (ID), …" (or none).
pub fn visible_realms(realms: &[RealmJson]) -> String {
    let names: Vec<String> = realms
        .iter()
        .map(|r| format!("{} ({})", r.name, r.id))
        .collect();
    format!(
        "Realms visible to the provider's credentials: {}.",
        if names.is_empty() {
            "none".to_string()
        } else {
            names.join(", ")
        }
    )
}

/// The role every fleet IAM write needs (named in 403 messages).
pub const WRITE_ROLE: &str =
    "a VCF role with VCF_OPERATIONS/Administrator at SSO_REALM scope (vcf_admin)";

/// Pushes an API error and returns `None`.
pub fn fail<T>(diags: &mut Diagnostics, e: ApiError) -> Option<T> {
    diags.push(e.to_diagnostic());
    None
}

impl<'a> Fleet<'a> {
    pub fn state(&self) -> &'a FleetState {
        &self.vcf.fleet
    }

    /// Every realm (one request per provider process).
    pub async fn realms(&self) -> Result<&'a Vec<RealmJson>, ApiError> {
        let api = self.api;
        let state = self.state();
        state
            .realms
            .get_or_try_init(|| async move {
                let resp = api
                    .call(Call::get(paths::REALMS).what("list SSO realms"))
                    .await?;
                state.note_server_date(&resp);
                resp.json::<RealmList>().map(|r| r.sso_realms)
            })
            .await
    }

    /// The realm `configured` names (a name or id), else the provider's `default_sso_realm`,
    /// or the failure (on the realm attribute, [`REALM_ATTRIBUTE`]) saying why there is none.
    pub async fn realm_of(&self, configured: &Val<String>) -> Result<&'a RealmJson, Failure> {
        Ok(self
            .find_realm(configured.as_deref(), !configured.is_null())
            .await?)
    }

    /// The realm named `wanted` (an id or a name), else the provider's `default_sso_realm`.
    /// A realm not found is an error on the realm attribute when the configuration set it
    /// (`configured`).
    async fn find_realm(
        &self,
        wanted: Option<&str>,
        configured: bool,
    ) -> Result<&'a RealmJson, Diagnostic> {
        let wanted = match wanted {
            Some(s) => s.to_string(),
            None => match &self.vcf.default_sso_realm {
                Some(d) => d.clone(),
                None => {
                    return Err(Diagnostic::error(
                        "No SSO realm",
                        format!(
                            "Set {REALM_ATTRIBUTE} (an SSO realm id or name, see data source vcf_sso_realm) or the provider's default_sso_realm."
                        ),
                    )
                    .at(AttributePath::attr(REALM_ATTRIBUTE)));
                }
            },
        };
        let realms = self.realms().await?;
        let found = realms
            .iter()
            .find(|r| r.id == wanted)
            .or_else(|| realms.iter().find(|r| r.name == wanted));
        found.ok_or_else(|| {
            let d = Diagnostic::error(
                "SSO realm not found",
                format!(
                    "No SSO realm has the id or name {wanted:?}. {}",
                    visible_realms(realms)
                ),
            );
            if configured {
                d.at(AttributePath::attr(REALM_ATTRIBUTE))
            } else {
                d
            }
        })
    }

    /// Every VCF role of the fleet, built-in and custom, read page by page (one listing per
    /// process until a custom role changes).
    pub async fn roles(&self) -> Result<Vec<RoleJson>, ApiError> {
        let api = self.api;
        self.state()
            .roles
            .get("", || async move {
                let mut out = Vec::new();
                let mut page = 0i64;
                loop {
                    let p: RoleList = api
                        .json(
                            Call::get(paths::ROLES)
                                .query("page", page)
                                .query("pageSize", paths::ROLE_PAGE_SIZE)
                                .success(&[200])
                                .what("list VCF roles"),
                        )
                        .await?;
                    let n = p.vcf_roles.len() as i64;
                    let total = p.page_info.and_then(|i| i.total_count);
                    out.extend(p.vcf_roles);
                    page += 1;
                    let seen = page.saturating_mul(paths::ROLE_PAGE_SIZE);
                    if n < paths::ROLE_PAGE_SIZE
                        || total.is_some_and(|t| seen >= t)
                        || page > 10_000
                    {
                        break;
                    }
                }
                Ok(out)
            })
            .await
    }

    /// Page `page` (0-based) of the realm's API clients, narrowed by `search` (ClientTokenQuery
    /// `searchTerms`; `None` for all). Also says whether a further page may follow.
    pub async fn clients_page(
        &self,
        realm: &str,
        search: Option<&serde_json::Value>,
        page: i64,
    ) -> Result<(Vec<ClientJson>, bool), ApiError> {
        let body = match search {
            Some(terms) => serde_json::json!({ "searchTerms": terms }),
            None => serde_json::json!({}),
        };
        let p: ClientPage = self
            .api
            .json(
                Call::post(paths::fill(paths::CLIENT_QUERY, &[realm]))
                    .query("page", page)
                    .query("pageSize", paths::CLIENT_PAGE_SIZE)
                    .json(&body)
                    .idempotent(true)
                    .success(&[200])
                    .what("list API clients"),
            )
            .await?;
        let n = p.api_clients.len() as i64;
        let total = p.page_info.and_then(|i| i.total_count);
        let seen = (page + 1).saturating_mul(paths::CLIENT_PAGE_SIZE);
        let more = n >= paths::CLIENT_PAGE_SIZE && total.is_none_or(|t| seen < t) && page < 10_000;
        let clients = p
            .api_clients
            .into_iter()
            .map(|c| c.checked("list API clients"))
            .collect::<Result<Vec<_>, _>>()?;
        Ok((clients, more))
    }

    /// The appliance's IAM settings (one request per provider process).
    pub async fn settings(&self) -> Result<&'a SettingsJson, ApiError> {
        let api = self.api;
        self.state()
            .settings
            .get_or_try_init(|| async move {
                api.json(
                    Call::get(paths::SETTINGS)
                        .success(&[200])
                        .what("read the IAM settings"),
                )
                .await
            })
            .await
    }

    /// Every API client of the realm, page by page.
    pub async fn all_clients(&self, realm: &str) -> Result<Vec<ClientJson>, ApiError> {
        let mut out = Vec::new();
        let mut page = 0;
        loop {
            let (list, more) = self.clients_page(realm, None, page).await?;
            out.extend(list);
            if !more {
                return Ok(out);
            }
            page += 1;
        }
    }

    /// One VCF role by name (`getRole`), `None` when there is none.
    pub async fn role(&self, name: &str) -> Result<Option<RoleJson>, ApiError> {
        self.api
            .json_if_found::<RoleJson>(
                Call::get(paths::fill(paths::ROLE, &[name]))
                    .success(&[200])
                    .what(format!("read VCF role {name:?}")),
            )
            .await
    }

    /// The role names a component offers for custom VCF roles (component role summaries,
    /// one request per component type and process, for a minute).
    pub async fn component_role_names(
        &self,
        component_type: &str,
    ) -> Result<Vec<String>, ApiError> {
        let api = self.api;
        self.state()
            .component_roles
            .get(component_type, || async move {
                let s: ComponentRoleSummaries = api
                    .json(
                        Call::get(paths::COMPONENT_ROLE_SUMMARIES)
                            .query("componentType", component_type)
                            .success(&[200])
                            .what(format!("list the {component_type} component roles")),
                    )
                    .await?;
                Ok(s.component_role_summaries
                    .into_iter()
                    .filter(|c| {
                        c.component_type
                            .as_deref()
                            .is_none_or(|t| t == component_type)
                    })
                    .filter_map(|c| c.name)
                    .collect())
            })
            .await
    }

    /// Records that a custom role `name` is planned to exist after this run.
    pub fn plan_custom_role(&self, name: &str) {
        if let Ok(mut set) = self.state().planned_roles.lock() {
            set.insert(name.to_string());
        }
    }

    /// Whether a custom role `name` was planned in this run.
    pub fn custom_role_planned(&self, name: &str) -> bool {
        self.state()
            .planned_roles
            .lock()
            .is_ok_and(|set| set.contains(name))
    }

    /// Forgets the cached role list (after a custom role changed).
    pub fn invalidate_roles(&self) {
        self.state().roles.forget("");
    }
}
