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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::Schema;

    fn names_of(schema: &Schema) -> Vec<String> {
        let mut names: Vec<String> = schema
            .block
            .attributes
            .iter()
            .map(|a| a.name.clone())
            .chain(schema.block.blocks.iter().map(|b| b.name.clone()))
            .collect();
        names.sort();
        names
    }

    /// Every attribute of every type is described (the registry docs come from these texts);
    /// the token secrets are sensitive.
    #[test]
    fn every_attribute_is_described() {
        use crate::framework::schema::{AttrType, Block};
        fn walk(block: &Block, owner: &str) {
            assert!(
                !block.description.is_empty() || owner.contains('.'),
                "{owner}"
            );
            for a in &block.attributes {
                assert!(
                    a.description.len() > 5,
                    "{owner}.{} has no description",
                    a.name
                );
                if let AttrType::Nested(_, inner) = &a.ty {
                    let inner = Block {
                        attributes: inner.clone(),
                        ..Default::default()
                    };
                    walk(&inner, &format!("{owner}.{}", a.name));
                }
            }
            for b in &block.blocks {
                walk(&b.block, &format!("{owner}.{}", b.name));
            }
        }
        for r in resources() {
            walk(&r.schema().block, r.type_name());
        }
        for d in data_sources() {
            walk(&d.schema().block, d.type_name());
        }
        for e in ephemeral_resources() {
            walk(&e.schema().block, e.type_name());
        }
        for l in list_resources() {
            walk(&l.schema().block, l.type_name());
        }
        for a in actions() {
            walk(&a.schema().block, a.type_name());
        }
        for (name, attribute) in [
            ("vcf_api_token", "token"),
            ("vcf_director_api_token", "token"),
        ] {
            let r = resources().into_iter().find(|r| r.type_name() == name);
            let schema = r.map(|r| r.schema());
            assert!(
                schema.is_some_and(|s| s
                    .block
                    .get_attribute(attribute)
                    .is_some_and(|a| a.sensitive)),
                "{name}.{attribute} is sensitive"
            );
        }
    }

    /// Every type's model has exactly the attributes of its schema: a model field misspelt or
    /// missing, or a schema attribute without a field, fails here (and would fail every request).
    #[test]
    fn models_match_their_schemas() {
        let mut types: Vec<(&str, Schema, Option<Vec<&'static str>>)> = Vec::new();
        types.extend(
            resources()
                .iter()
                .map(|t| (t.type_name(), t.schema(), t.model_attributes())),
        );
        types.extend(
            data_sources()
                .iter()
                .map(|t| (t.type_name(), t.schema(), t.model_attributes())),
        );
        types.extend(
            ephemeral_resources()
                .iter()
                .map(|t| (t.type_name(), t.schema(), t.model_attributes())),
        );
        types.extend(
            list_resources()
                .iter()
                .map(|t| (t.type_name(), t.schema(), t.model_attributes())),
        );
        types.extend(
            actions()
                .iter()
                .map(|t| (t.type_name(), t.schema(), t.model_attributes())),
        );
        let mut checked = 0;
        for (name, schema, model) in types {
            let Some(model) = model else { continue };
            let mut model: Vec<String> = model.iter().map(|s| s.to_string()).collect();
            model.sort();
            assert_eq!(model, names_of(&schema), "model of {name}");
            checked += 1;
        }
        assert!(checked > 0);
    }
}
