//! The provider's types by name: each with its schema and that schema's value type, looked
//! up by the name a request carries (an unknown name is an error diagnostic).

use std::collections::HashMap;
use std::sync::Arc;

use super::ProviderService;
use crate::framework::diag::Diagnostics;
use crate::framework::schema::Schema;
use crate::framework::traits::{DataSource, EphemeralResource, ListResource, Provider, Resource};
use crate::framework::value::Type;

/// A type the provider serves, with its schema and the value type of that schema.
pub(super) struct Entry<T: ?Sized> {
    pub(super) imp: Arc<T>,
    pub(super) schema: Schema,
    pub(super) ty: Type,
}

impl<T: ?Sized> Entry<T> {
    pub(super) fn new(imp: Arc<T>, schema: Schema) -> Self {
        let ty = schema.value_type();
        Entry { imp, schema, ty }
    }
}

impl<P: Provider> ProviderService<P> {
    pub(super) fn resource(
        &self,
        name: &str,
        diags: &mut Diagnostics,
    ) -> Option<&Entry<dyn Resource>> {
        lookup(&self.resources, "resource", name, diags)
    }

    pub(super) fn data_source(
        &self,
        name: &str,
        diags: &mut Diagnostics,
    ) -> Option<&Entry<dyn DataSource>> {
        lookup(&self.data_sources, "data source", name, diags)
    }

    pub(super) fn ephemeral(
        &self,
        name: &str,
        diags: &mut Diagnostics,
    ) -> Option<&Entry<dyn EphemeralResource>> {
        lookup(&self.ephemerals, "ephemeral resource", name, diags)
    }

    pub(super) fn lister(
        &self,
        name: &str,
        diags: &mut Diagnostics,
    ) -> Option<&Entry<dyn ListResource>> {
        lookup(&self.list_resources, "list resource", name, diags)
    }
}

pub(super) fn lookup<'a, T: ?Sized>(
    map: &'a HashMap<String, Entry<T>>,
    kind: &str,
    name: &str,
    diags: &mut Diagnostics,
) -> Option<&'a Entry<T>> {
    let found = map.get(name);
    if found.is_none() {
        let mut known: Vec<&str> = map.keys().map(String::as_str).collect();
        known.sort_unstable();
        diags.error(
            format!("Unknown {kind} type"),
            format!(
                "This provider has no {kind} type {name:?}. Known {kind} types: {}.",
                if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                }
            ),
        );
    }
    found
}
