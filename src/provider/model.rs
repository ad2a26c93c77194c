//! The provider configuration as typed models: [`ProviderModel`] with one model per API family
//! block, decoded once from the wire value when Terraform validates or configures the provider
//! (`super::VcfProvider`). Every field is a [`Val`]: at validate time any of them may be unknown.

use crate::framework::{Number, Secret, Val};

crate::model! {
    /// The `provider "vcf"` block.
    pub struct ProviderModel {
        pub ca_pem: Val<String>,
        pub ca_file: Val<String>,
        pub insecure: Val<bool>,
        pub request_timeout: Val<String>,
        /// A number in the schema: a fraction is refused by its validator, not by decoding.
        pub max_retries: Val<Number>,
        pub parallel_requests: Val<Number>,
        pub default_sso_realm: Val<String>,
        pub operations: Val<OperationsModel>,
        pub sddc_manager: Val<SddcManagerModel>,
        pub director: Val<DirectorModel>,
    }
}

crate::model! {
    /// The `operations` block (VCF Operations fleet IAM).
    pub struct OperationsModel {
        pub host: Val<String>,
        pub api_token: Val<Secret>,
        pub access_token: Val<Secret>,
        pub username: Val<String>,
        pub password: Val<Secret>,
        pub auth_source: Val<String>,
        pub token_endpoint_url: Val<String>,
    }
}

crate::model! {
    /// The `sddc_manager` block.
    pub struct SddcManagerModel {
        pub host: Val<String>,
        pub username: Val<String>,
        pub password: Val<Secret>,
        pub api_key: Val<Secret>,
    }
}

crate::model! {
    /// The `director` block (Cloud Director / VCF Automation).
    pub struct DirectorModel {
        pub host: Val<String>,
        pub flavor: Val<String>,
        pub org: Val<String>,
        pub api_token: Val<Secret>,
        pub username: Val<String>,
        pub password: Val<Secret>,
    }
}

/// What the settings code reads of every API family block alike. The names are those of the
/// block in diagnostics and of its environment variables; the values come from the fields.
pub(super) trait FamilyBlock: Default + Clone {
    /// The block's name, as messages and attribute paths spell it.
    const BLOCK: &'static str;
    /// The prefix of the block's environment variables (`<PREFIX>_HOST`, `<PREFIX>_USERNAME`, …).
    const ENV: &'static str;
    fn host(&self) -> &Val<String>;
    /// None where the family takes no API token (`sddc_manager` has `api_key` instead).
    fn api_token(&self) -> Option<&Val<Secret>>;
    fn username(&self) -> &Val<String>;
    fn password(&self) -> &Val<Secret>;
}

impl FamilyBlock for OperationsModel {
    const BLOCK: &'static str = "operations";
    const ENV: &'static str = "VCF_OPERATIONS";
    fn host(&self) -> &Val<String> {
        &self.host
    }
    fn api_token(&self) -> Option<&Val<Secret>> {
        Some(&self.api_token)
    }
    fn username(&self) -> &Val<String> {
        &self.username
    }
    fn password(&self) -> &Val<Secret> {
        &self.password
    }
}

impl FamilyBlock for SddcManagerModel {
    const BLOCK: &'static str = "sddc_manager";
    const ENV: &'static str = "VCF_SDDC_MANAGER";
    fn host(&self) -> &Val<String> {
        &self.host
    }
    fn api_token(&self) -> Option<&Val<Secret>> {
        None
    }
    fn username(&self) -> &Val<String> {
        &self.username
    }
    fn password(&self) -> &Val<Secret> {
        &self.password
    }
}

impl FamilyBlock for DirectorModel {
    const BLOCK: &'static str = "director";
    const ENV: &'static str = "VCF_DIRECTOR";
    fn host(&self) -> &Val<String> {
        &self.host
    }
    fn api_token(&self) -> Option<&Val<Secret>> {
        Some(&self.api_token)
    }
    fn username(&self) -> &Val<String> {
        &self.username
    }
    fn password(&self) -> &Val<Secret> {
        &self.password
    }
}
