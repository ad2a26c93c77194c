//! Every type the provider serves. Adding a type is one line here (plus its file and test).

use std::sync::Arc;

use crate::framework::{Action, DataSource, EphemeralResource, ListResource, Resource};

use super::*;

pub fn resources() -> Vec<Arc<dyn Resource>> {
    vec![
        Arc::new(SddcUser),
        Arc::new(DirectorApiToken::default()),
        Arc::new(ApiClientResource),
        Arc::new(RoleAssignment),
        Arc::new(PrincipalRoles),
        Arc::new(ApiToken),
        Arc::new(CustomRole),
    ]
}

pub fn data_sources() -> Vec<Arc<dyn DataSource>> {
    vec![
        Arc::new(SsoRealm),
        Arc::new(SsoRealms),
        Arc::new(SddcRoles),
        Arc::new(DirectorApiTokens),
        Arc::new(ApiClientData),
        Arc::new(ApiClientsData),
        Arc::new(IamSettings),
        Arc::new(ApiTokens),
        Arc::new(PrincipalRolesData),
        Arc::new(RolesData),
    ]
}

pub fn ephemeral_resources() -> Vec<Arc<dyn EphemeralResource>> {
    vec![
        Arc::new(AccessToken::default()),
        Arc::new(TemporaryApiToken),
    ]
}

pub fn list_resources() -> Vec<Arc<dyn ListResource>> {
    vec![
        Arc::new(ApiClientList),
        Arc::new(ApiTokenList),
        Arc::new(RoleAssignmentList),
        Arc::new(CustomRoleList),
        Arc::new(PrincipalRolesList),
        Arc::new(SddcUserList),
        Arc::new(DirectorApiTokenList),
    ]
}

pub fn actions() -> Vec<Arc<dyn Action>> {
    vec![Arc::new(ApiTokenRevoke), Arc::new(DirectorApiTokenRevoke)]
}
