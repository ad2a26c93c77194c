//! What a refused create of `vcf_sddc_user` says: when SDDC Manager already has a user of that
//! name, its id and the import that adopts it.

use crate::client::{ApiClient, ApiError, ErrorKind};
use crate::framework::{Diagnostic, Failure};

use super::api::{User, list_users};

/// After a refused create: the error that names the user of that name which exists already,
/// with the import that adopts it (`None` when there is none, or the look-up fails).
async fn existing_user(
    api: &ApiClient,
    name: &str,
    domain: Option<&str>,
    refused: &ApiError,
) -> Option<Diagnostic> {
    let users = list_users(api).await.ok()?;
    let u = users.iter().find(|u| u.is_named(name, domain))?;
    let id = u.id()?;
    let who = User::who(&u.name, u.domain.as_deref());
    let mut facts = vec![format!("id {id}"), format!("type {}", u.user_type)];
    if let Some(t) = &u.creation_timestamp {
        facts.push(format!("created {t}"));
    }
    let key_note = if u.user_type.eq_ignore_ascii_case("SERVICE") {
        " An adopted SERVICE account has no api_key in the state (SDDC Manager shows the key only when it \
         creates the account); change rotation_triggers once afterwards to replace the account and get a key."
    } else {
        ""
    };
    Some(
        Diagnostic::error(
            "SDDC Manager user already exists",
            format!(
                "SDDC Manager refused to create {who:?} (HTTP {status}) because it already has that user ({facts}) — \
                 made outside Terraform, or removed from this state with `terraform state rm`. To manage it with \
                 this resource, add this block to the configuration, with `to` set to this resource's address \
                 (Terraform names it above), and apply again:\n\n\
                 import {{\n  to = vcf_sddc_user.EXAMPLE\n  id = \"{id}\"\n}}\n\n\
                 or run: terraform import 'vcf_sddc_user.EXAMPLE' '{id}'\n\n\
                 The import keeps the user as it is; a configuration that differs from it (type, role, domain) \
                 then plans its replacement.{key_note} To start over instead, delete the user in SDDC Manager \
                 (DELETE /v1/users/{id}) and apply again.\n\nThe answer of SDDC Manager: {answer}",
                answer = refused.detail(),
                status = refused.status().unwrap_or_default(),
                facts = facts.join(", "),
            ),
        )
        .at(crate::attr_path!(super::user::SddcUserModel, name)),
    )
}

/// The error of a refused create: when a user of that name exists, the one that says how to
/// adopt it.
pub async fn refused_create(
    api: &ApiClient,
    name: &str,
    domain: Option<&str>,
    e: ApiError,
) -> Failure {
    // The reference documents a refused create as 400 and no conflict answer: a user that
    // exists already may get either. When one of this name exists, the error says how to adopt
    // it.
    if matches!(e.status(), Some(409) | Some(400))
        && let Some(d) = existing_user(api, name, domain, &e).await
    {
        return d.into();
    }
    let mut d = e.to_diagnostic();
    if e.kind() == ErrorKind::Conflict {
        let who = User::who(name, domain);
        d.detail.push_str(&format!(
            " A user {who:?} may already exist: find its id with GET /v1/users and import it \
             (terraform import 'vcf_sddc_user.EXAMPLE' '<id>'), or choose another name."
        ));
    }
    d.into()
}
