//! How the transport names the provider it serves.

/// How the transport names the provider it serves, all from the provider's name
/// ([`crate::framework::Provider::type_name`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Names {
    /// The provider's name, as in `provider "NAME"` blocks.
    pub provider: &'static str,
    /// The binary, as Terraform names provider plugins: `terraform-provider-NAME`.
    pub binary: String,
    /// Environment variable choosing the listener, `unix` (default on unix) or `tcp`:
    /// `TF_PROVIDER_NAME_NETWORK`, the name in capitals.
    pub network_env: String,
    /// Environment variable with the provider's own log level, read before `TF_LOG_PROVIDER`
    /// and `TF_LOG`: `TF_LOG_PROVIDER_NAME`, the name in capitals.
    pub log_env: String,
}

impl Names {
    pub fn of(provider: &'static str) -> Names {
        let upper = provider.to_ascii_uppercase().replace('-', "_");
        Names {
            provider,
            binary: format!("terraform-provider-{provider}"),
            network_env: format!("TF_PROVIDER_{upper}_NETWORK"),
            log_env: format!("TF_LOG_PROVIDER_{upper}"),
        }
    }

    /// What the binary says when it is run by hand.
    pub(super) fn not_a_program(&self) -> String {
        format!(
            "This binary is a plugin for Terraform ({}). It is not \
meant to be run directly: Terraform starts it when a configuration uses the `{}` provider. Put it \
where Terraform finds providers (see the README: a filesystem mirror or `dev_overrides`) and run \
`terraform init`. To debug it, run it with `-debug` and set the TF_REATTACH_PROVIDERS value it prints.",
            self.binary, self.provider
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_the_provider_name() {
        let names = Names::of("my-cloud");
        assert_eq!(names.binary, "terraform-provider-my-cloud");
        assert_eq!(names.network_env, "TF_PROVIDER_MY_CLOUD_NETWORK");
        assert_eq!(names.log_env, "TF_LOG_PROVIDER_MY_CLOUD");
        assert!(
            names.not_a_program().starts_with(
                "This binary is a plugin for Terraform (terraform-provider-my-cloud)."
            )
        );
    }
}
