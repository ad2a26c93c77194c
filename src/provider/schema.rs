//! The provider configuration schema: one optional block per API family (`operations`,
//! `sddc_manager`, `director`) plus the settings shared by all, each with an
//! environment-variable fallback named in its description.

use crate::framework::validate::{
    AlsoRequires, Check, ConflictsWith, IntBetween, Length, OneOf, PathSegment,
};
use crate::framework::{Attribute, Block, Nesting, Schema};

use super::validate::{
    duration_problem, host_problem, https_scheme_problem, of_string, pem_problem,
};

/// Where Terraform finds this provider until it is published.
pub const SOURCE_ADDRESS: &str = "local/vmware/vcf";

/// The values of `director.flavor`.
pub const DIRECTOR_FLAVORS: [&str; 3] = ["auto", "cloud_director", "vcf_automation"];

fn host_attr(env: &str, what: &str) -> Attribute {
    Attribute::string("host")
        .optional()
        .description(&format!(
            "Host name or address of {what}, with an optional `:port` and without `https://` or a path. \
             Falls back to the `{env}` environment variable."
        ))
        .validator(Check::new("must be a host name with an optional port, without scheme or path", |v| of_string(v, host_problem)))
}

fn operations_block() -> Block {
    Block::new(
        "Connection to the VCF Operations fleet IAM API (API clients, role assignments, API tokens). \
         Authenticate with an API-client token (`api_token`, preferred) or with `username` and `password`.",
    )
    .attribute(host_attr("VCF_OPERATIONS_HOST", "the VCF Operations appliance, for example `flt-ops01.rainpole.io`"))
    .attribute(
        Attribute::string("api_token")
            .optional()
            .sensitive()
            .description(
                "An API-client token (`vidb_…`) exchanged for short-lived access tokens at `token_endpoint_url`. \
                 Conflicts with `username`. Falls back to `VCF_OPERATIONS_API_TOKEN`.",
            )
            .validator(ConflictsWith::new(&["username"])),
    )
    .attribute(
        Attribute::string("access_token")
            .optional()
            .sensitive()
            .description(
                "An access token obtained elsewhere, sent as the bearer as is — typically `ephemeral.vcf_access_token.<name>.access_token` of another provider configuration, so that no credential of this one is stored anywhere. The provider cannot renew it: it must stay valid for the whole run. Conflicts with `api_token` and `username`.",
            )
            .validator(ConflictsWith::new(&["api_token", "username"])),
    )
    .attribute(
        Attribute::string("username")
            .optional()
            .description("User name for password authentication. Falls back to `VCF_OPERATIONS_USERNAME`.")
            .validator(AlsoRequires::new(&["password"]).or_env(&["VCF_OPERATIONS_PASSWORD"])),
    )
    .attribute(
        Attribute::string("password")
            .optional()
            .sensitive()
            .description("Password for `username`. Falls back to `VCF_OPERATIONS_PASSWORD`.")
            .validator(AlsoRequires::new(&["username"]).or_env(&["VCF_OPERATIONS_USERNAME"])),
    )
    .attribute(
        Attribute::string("auth_source")
            .optional()
            .description(
                "Authentication source of `username` (for example an identity source name); the appliance's \
                 local users when unset. Falls back to `VCF_OPERATIONS_AUTH_SOURCE`.",
            )
            .validator(AlsoRequires::new(&["username"]).or_env(&["VCF_OPERATIONS_USERNAME"])),
    )
    .attribute(
        Attribute::string("token_endpoint_url")
            .optional()
            .description(
                "The token endpoint where `api_token` is exchanged, as shown with the token \
                 (`https://<identity broker>/acs/t/CUSTOMER/token`). Falls back to \
                 `VCF_OPERATIONS_TOKEN_ENDPOINT_URL`; required with `api_token`.",
            )
            .validator(Check::new("must be an https:// URL", |v| of_string(v, https_scheme_problem))),
    )
}

fn sddc_manager_block() -> Block {
    Block::new(
        "Connection to the SDDC Manager API (service accounts and users). Authenticate with `username` and `password`, \
         or with the `api_key` of a SERVICE account; set exactly one of `password` and `api_key`. User management \
         needs the ADMIN role.",
    )
        .attribute(host_attr("VCF_SDDC_MANAGER_HOST", "the SDDC Manager appliance, for example `sfo-vcf01.rainpole.io`"))
        .attribute(
            Attribute::string("username")
                .optional()
                .description("SDDC Manager user, for example `administrator@vsphere.local`. Falls back to `VCF_SDDC_MANAGER_USERNAME`.")
                .validator(AlsoRequires::new(&["password"]).or_env(&["VCF_SDDC_MANAGER_PASSWORD"])),
        )
        .attribute(
            Attribute::string("password")
                .optional()
                .sensitive()
                .description("Password of `username`. Falls back to `VCF_SDDC_MANAGER_PASSWORD`.")
                .validator(AlsoRequires::new(&["username"]).or_env(&["VCF_SDDC_MANAGER_USERNAME"])),
        )
        .attribute(
            Attribute::string("api_key")
                .optional()
                .sensitive()
                .description(
                    "API key of an SDDC Manager SERVICE account (for example the `api_key` of a `vcf_sddc_user` of type \
                     `SERVICE`), exchanged for tokens with `POST /v1/tokens`. The account's role decides what the provider \
                     may do. Conflicts with `username` and `password`. Falls back to `VCF_SDDC_MANAGER_API_KEY`.",
                )
                .validator(ConflictsWith::new(&["username", "password"]))
                .validator(Length::at_least(1)),
        )
}

fn director_block() -> Block {
    Block::new(
        "Connection to VMware Cloud Director / VCF Automation for tenant API tokens. Creating API tokens needs a \
         session opened with `username` and `password`: sessions opened with an API token cannot create or view tokens.",
    )
    .attribute(host_attr("VCF_DIRECTOR_HOST", "the Cloud Director / VCF Automation endpoint"))
    .attribute(
        Attribute::string("flavor")
            .optional()
            .description(
                "Which product answers at `host`: `cloud_director` (VMware Cloud Director 10.x: OAuth under `/oauth`, \
                 API version 39.1), `vcf_automation` (VCF Automation 9.x: OAuth under `/tm/oauth`, API version 9.1.0), \
                 or `auto` (the default: the first login reads the unauthenticated `GET /api/versions` and picks the \
                 product from the versions it lists). Falls back to `VCF_DIRECTOR_FLAVOR`.",
            )
            .validator(OneOf::new(&DIRECTOR_FLAVORS)),
    )
    .attribute(
        Attribute::string("org")
            .validator(PathSegment)
            .optional()
            .description("Organization to log in to; `System` (or unset) for the provider organization. Falls back to `VCF_DIRECTOR_ORG`.")
            .validator(Length::at_least(1)),
    )
    .attribute(
        Attribute::string("api_token")
            .optional()
            .sensitive()
            .description("A Director API token (refresh token). Conflicts with `username`. Falls back to `VCF_DIRECTOR_API_TOKEN`.")
            .validator(ConflictsWith::new(&["username"])),
    )
    .attribute(
        Attribute::string("username")
            .optional()
            .description("User name for session login. Falls back to `VCF_DIRECTOR_USERNAME`.")
            .validator(AlsoRequires::new(&["password"]).or_env(&["VCF_DIRECTOR_PASSWORD"])),
    )
    .attribute(
        Attribute::string("password")
            .optional()
            .sensitive()
            .description("Password of `username`. Falls back to `VCF_DIRECTOR_PASSWORD`.")
            .validator(AlsoRequires::new(&["username"]).or_env(&["VCF_DIRECTOR_USERNAME"])),
    )
}

/// The provider configuration schema.
pub fn schema() -> Schema {
    Schema::new(
        0,
        Block::new(
            "The `vcf` provider manages the identity and access layer of VMware Cloud Foundation 9: API clients, \
             role assignments, custom roles and rotating API tokens (fleet IAM), SDDC Manager service accounts, and \
             Cloud Director / VCF Automation API tokens. Configure only the blocks for the APIs you use; every setting \
             can also come from an environment variable.",
        )
        .attribute(
            Attribute::string("ca_pem")
                .optional()
                .description("PEM-encoded CA certificates to trust in addition to the system roots. Conflicts with `ca_file`. Falls back to `VCF_CA_PEM`.")
                .validator(ConflictsWith::new(&["ca_file"]))
                .validator(Check::new("must hold PEM certificates", |v| of_string(v, pem_problem))),
        )
        .attribute(
            Attribute::string("ca_file")
                .optional()
                .description("Path of a PEM file with CA certificates to trust in addition to the system roots. Falls back to `VCF_CA_FILE`.")
                .validator(Length::at_least(1)),
        )
        .attribute(Attribute::bool("insecure").optional().description(
            "Skip TLS certificate verification. Only for throw-away lab appliances: anyone on the network path can then \
             read the credentials. Defaults to `false`; falls back to `VCF_INSECURE`.",
        ))
        .attribute(
            Attribute::string("request_timeout")
                .optional()
                .description("Time limit for one HTTP request, as a duration such as `\"60s\"`. Defaults to `\"60s\"`; falls back to `VCF_REQUEST_TIMEOUT`.")
                .validator(Check::new("must be a positive duration", |v| of_string(v, duration_problem))),
        )
        .attribute(
            Attribute::number("max_retries")
                .optional()
                .description("How often an idempotent request is retried after a throttling, server or connection error (0–20). Defaults to 5; falls back to `VCF_MAX_RETRIES`.")
                .validator(IntBetween(0, 20)),
        )
        .attribute(
            Attribute::number("parallel_requests")
                .optional()
                .description("Most HTTP requests in flight at once across all resources (1–64), so a large apply does not flood an appliance. Defaults to 8; falls back to `VCF_PARALLEL_REQUESTS`.")
                .validator(IntBetween(1, 64)),
        )
        .attribute(
            Attribute::string("default_sso_realm")
                .optional()
                .description("SSO realm (name or id) used by fleet IAM resources that do not set `sso_realm_id`. Falls back to `VCF_DEFAULT_SSO_REALM`.")
                .validator(Length::at_least(1)),
        )
        .block("operations", Nesting::Single, operations_block())
        .block("sddc_manager", Nesting::Single, sddc_manager_block())
        .block("director", Nesting::Single, director_block()),
    )
}
