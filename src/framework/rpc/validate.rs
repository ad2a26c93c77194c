//! The one validate path: ValidateProviderConfig, ValidateResourceConfig,
//! ValidateDataResourceConfig, ValidateEphemeralResourceConfig and ValidateListResourceConfig
//! all decode the configuration against the type's schema, run the schema's validators and
//! then the type's own checks ([`Entry::check`]); the action RPCs use the same path.

use super::{Entry, ProviderService, RpcLog, decode, diags_to_proto};
use crate::framework::action::Action;
use crate::framework::diag::{AttributePath, Diagnostics, PathStep};
use crate::framework::schema::Schema;
use crate::framework::traits::{DataSource, EphemeralResource, ListResource, Provider, Resource};
use crate::framework::value::Value;
use crate::proto::tfplugin6 as pb;

/// A type with checks of its own beyond its schema's validators (its `validate`).
pub(super) trait OwnChecks {
    fn own_checks(&self, config: &Value, diags: &mut Diagnostics);
}

impl<P: Provider> OwnChecks for P {
    fn own_checks(&self, config: &Value, diags: &mut Diagnostics) {
        self.validate(config, diags)
    }
}

/// Implements [`OwnChecks`] for the trait objects of the provider's types.
macro_rules! own_checks {
    ($($t:ident),*) => {$(
        impl OwnChecks for dyn $t {
            fn own_checks(&self, config: &Value, diags: &mut Diagnostics) {
                self.validate(config, diags)
            }
        }
    )*};
}
own_checks!(
    Resource,
    DataSource,
    EphemeralResource,
    ListResource,
    Action
);

/// Whether the validate path refuses write-only values: resources, whose validate request
/// says whether this Terraform can send them, check; the other kinds have none to check.
#[derive(Clone, Copy)]
pub(super) enum WriteOnly<'a> {
    Unchecked,
    Checked(Option<&'a pb::ClientCapabilities>),
}

impl<T: ?Sized + OwnChecks> Entry<T> {
    /// Decodes `config` (named `what` in diagnostics), checks its write-only values when asked,
    /// runs the schema's validators and then the type's own checks. Returns the decoded
    /// configuration, or None when it could not be decoded.
    pub(super) fn check(
        &self,
        config: Option<&pb::DynamicValue>,
        what: &str,
        write_only: WriteOnly<'_>,
        diags: &mut Diagnostics,
    ) -> Option<Value> {
        let config = decode(config, &self.ty, what, diags)?;
        if let WriteOnly::Checked(caps) = write_only {
            check_write_only(&self.schema, &config, caps, diags);
        }
        self.schema
            .block
            .validate(&config, &AttributePath::root(), diags);
        self.imp.own_checks(&config, diags);
        Some(config)
    }
}

/// One validate RPC: the type looked up by `find` (None records why), then [`Entry::check`].
/// Returns the response's diagnostics.
pub(super) fn validate<'e, T: ?Sized + OwnChecks + 'e>(
    rpc: &'static str,
    type_name: &str,
    find: impl FnOnce(&mut Diagnostics) -> Option<&'e Entry<T>>,
    config: Option<&pb::DynamicValue>,
    what: &str,
    write_only: WriteOnly<'_>,
) -> Vec<pb::Diagnostic> {
    let _log = RpcLog::new(rpc, type_name);
    let mut diags = Diagnostics::new();
    if let Some(e) = find(&mut diags) {
        e.check(config, what, write_only, &mut diags);
    }
    diags_to_proto(&diags)
}

impl<P: Provider> ProviderService<P> {
    pub(super) fn validate_provider(
        &self,
        req: pb::validate_provider_config::Request,
    ) -> pb::validate_provider_config::Response {
        pb::validate_provider_config::Response {
            diagnostics: validate(
                "ValidateProviderConfig",
                "",
                |_| Some(&self.provider),
                req.config.as_ref(),
                "provider configuration",
                WriteOnly::Unchecked,
            ),
        }
    }

    pub(super) fn validate_resource(
        &self,
        req: pb::validate_resource_config::Request,
    ) -> pb::validate_resource_config::Response {
        pb::validate_resource_config::Response {
            diagnostics: validate(
                "ValidateResourceConfig",
                &req.type_name,
                |diags| self.resource(&req.type_name, diags),
                req.config.as_ref(),
                "resource configuration",
                WriteOnly::Checked(req.client_capabilities.as_ref()),
            ),
        }
    }

    pub(super) fn validate_data_source(
        &self,
        req: pb::validate_data_resource_config::Request,
    ) -> pb::validate_data_resource_config::Response {
        pb::validate_data_resource_config::Response {
            diagnostics: validate(
                "ValidateDataResourceConfig",
                &req.type_name,
                |diags| self.data_source(&req.type_name, diags),
                req.config.as_ref(),
                "data source configuration",
                WriteOnly::Unchecked,
            ),
        }
    }

    pub(super) fn validate_ephemeral(
        &self,
        req: pb::validate_ephemeral_resource_config::Request,
    ) -> pb::validate_ephemeral_resource_config::Response {
        pb::validate_ephemeral_resource_config::Response {
            diagnostics: validate(
                "ValidateEphemeralResourceConfig",
                &req.type_name,
                |diags| self.ephemeral(&req.type_name, diags),
                req.config.as_ref(),
                "ephemeral resource configuration",
                WriteOnly::Unchecked,
            ),
        }
    }

    pub(super) fn validate_list(
        &self,
        req: pb::validate_list_resource_config::Request,
    ) -> pb::validate_list_resource_config::Response {
        pb::validate_list_resource_config::Response {
            diagnostics: validate(
                "ValidateListResourceConfig",
                &req.type_name,
                |diags| self.lister(&req.type_name, diags),
                req.config.as_ref(),
                "list configuration",
                WriteOnly::Unchecked,
            ),
        }
    }
}

/// Write-only attributes need a Terraform that can send them (1.11+).
fn check_write_only(
    schema: &Schema,
    config: &Value,
    caps: Option<&pb::ClientCapabilities>,
    diags: &mut Diagnostics,
) {
    if caps.is_some_and(|c| c.write_only_attributes_allowed) {
        return;
    }
    for p in schema.attribute_paths(|a| a.write_only) {
        let mut cur = config;
        for step in &p.0 {
            if let PathStep::Attr(n) = step {
                cur = cur.attr(n);
            }
        }
        if !cur.is_null() {
            diags.attr_error(
                p.clone(),
                "Write-only attribute not supported",
                format!("{p} is write-only, which needs Terraform 1.11 or later. Upgrade Terraform or use the non-write-only attribute."),
            );
        }
    }
}
