//! The schema of `vcf_director_api_token`.

use crate::framework::plan::{RequiresReplace, UseStateForUnknown};
use crate::framework::validate::{Length, PathSegment};
use crate::framework::{Attribute, Block, Schema, Type};
use crate::resources::rotating::{self, BlockExt};

pub(super) fn schema() -> Schema {
    Schema::new(
        0,
        Block::new(
            "A Cloud Director / VCF Automation API token of the user the provider logs in as. Applications \
             exchange it for access tokens with an OAuth refresh grant at `/oauth/tenant/<org>/token` (or \
             `/oauth/provider/token`) on Cloud Director, at `/tm/oauth/tenant/<org>/token` on VCF Automation \
             (see `director.flavor`). The token is shown once, at creation, and kept \
             in state as the sensitive `token`; Director tokens never expire. Destroying the resource revokes the \
             token; a token revoked outside Terraform disappears from the state and the next apply creates a new \
             one. Changing any argument replaces the token.\n\n\
             The provider's `director` block must log in with `username` and `password`: sessions opened with an \
             API token cannot create, view or revoke tokens, and the plan fails saying so. The user needs the \
             right \"Manage user's own API token\".\n\n\
             With `previous_token_grace` (overlap rotation) a change of `rotation_triggers` creates the new token \
             in place and keeps the previous one valid for the grace; the first plan/apply after it revokes it. \
             `revoke_on_destroy = false` leaves the token valid when the resource is destroyed.\n\n\
             Import with the token id (`urn:vcloud:token:…`); `token` is null after an import.",
        )
        .attribute(
            Attribute::string("id")
                .computed()
                .description("The token id, `urn:vcloud:token:…`.")
                .plan_modifier(UseStateForUnknown),
        )
        .attribute(
            Attribute::string("name")
                .required()
                .description("Token name as shown in the user's preferences; choose one that says which application holds it. Changing it replaces the token.")
                .validator(Length::at_least(1))
                .plan_modifier(RequiresReplace),
        )
        .attribute(
            Attribute::string("org")
                .validator(PathSegment)
                .optional()
                .computed()
                .description("Organization of the token: the provider's `director.org` (`System` for the provider organization). A token belongs to the user the provider logs in as, so when set it must equal `director.org`; it documents the scope in the configuration. Changing it replaces the token.")
                .validator(Length::at_least(1))
                .plan_modifier(UseStateForUnknown)
                .plan_modifier(RequiresReplace),
        )
        .attribute(
            Attribute::new("rotation_triggers", Type::map(Type::String))
                .optional()
                .description("Arbitrary values; any change rotates the token, for example `{ rotated = time_rotating.vcd.id }`: a replacement (a new token is created and the old one revoked), or with `previous_token_grace` an in-place update that keeps the old token valid for the grace."),
        )
        .attribute(
            crate::resources::existing::attribute("the Director user the provider logs in as"),
        )
        .attribute(
            Attribute::string("owner")
                .computed()
                .description("Name of the user who owns the token.")
                .plan_modifier(UseStateForUnknown),
        )
        .attribute(
            Attribute::string("token")
                .computed()
                .sensitive()
                .description("The API token, shown once by Cloud Director at creation. Null after an import.")
                .plan_modifier(UseStateForUnknown),
        )
        .attributes(rotating::overlap_attributes("Director API token", true))
        .attributes(rotating::signal_attributes(
            "When the token is due for rotation (RFC 3339): the expiry Director reports for it \
             (`expirationTimeUtc`). Null for tokens without one — Cloud Director and VCF Automation API tokens \
             do not expire —, so rotate them on a schedule with `rotation_triggers` (for example from \
             `time_rotating`).",
        )),
    )
}
