//! Moving state from another resource type into one of ours (`moved { from = … to = … }` across
//! resource types and providers, Terraform 1.8+, the MoveResourceState RPC).
//!
//! A resource declares the sources it accepts with [`crate::framework::Resource::move_sources`]:
//! a provider address as Terraform writes it (`registry.terraform.io/<namespace>/<type>`), a
//! resource type name and the schema version of that type's stored state. Terraform sends the
//! source state as the JSON it keeps in the state file; it is decoded here into a
//! [`SourceState`] (attribute name → JSON value) and handed to
//! [`crate::framework::Resource::move_state`], which maps it onto the target schema without
//! calling any API (Terraform moves state before it configures the provider). The target's
//! identity is returned beside the state, as for an import.
//!
//! Whatever is not declared gets one error diagnostic that names what the target accepts.
//! The source state may hold secrets: [`SourceState`] never prints values, and no diagnostic
//! quotes one.

use serde_json::{Map, Value as Json};

use super::codec::encode_dynamic;
use super::diag::Diagnostics;
use super::identity::is_complete;
use super::rpc::diags_to_proto;
use super::traits::Resource;
use super::value::{Type, Value};
use crate::proto::tfplugin6 as pb;

/// One kind of state a resource accepts through a `moved` block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MoveSource {
    /// The source provider's address, as Terraform sends it:
    /// `registry.terraform.io/NAMESPACE/NAME`.
    pub provider: &'static str,
    /// The source resource type, as the `moved` block's `from` names it.
    pub type_name: &'static str,
    /// The schema version of the stored source state.
    pub schema_version: i64,
}

impl MoveSource {
    fn describe(&self) -> String {
        format!(
            "{} of {} (schema version {})",
            self.type_name, self.provider, self.schema_version
        )
    }
}

/// The source's stored state, decoded from its JSON: attribute name → JSON value. Its `Debug`
/// output names the attributes only, since values may be secrets.
pub struct SourceState {
    attrs: Map<String, Json>,
}

impl std::fmt::Debug for SourceState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SourceState")
            .field("attributes", &self.attrs.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl SourceState {
    /// Decodes the state JSON Terraform sent; the error never quotes the input.
    pub fn from_json(raw: &[u8]) -> Result<SourceState, String> {
        match serde_json::from_slice::<Json>(raw) {
            Ok(Json::Object(attrs)) => Ok(SourceState { attrs }),
            Ok(_) => Err("the state is not a JSON object".to_string()),
            Err(e) => Err(format!(
                "the state is not valid JSON (line {}, column {})",
                e.line(),
                e.column()
            )),
        }
    }

    /// The state as the source type's wire struct `T` (a serde struct with a field per source
    /// attribute, so a misspelt attribute does not compile). The error never quotes a value:
    /// serde's own message may, and the state may hold secrets.
    pub fn decode<T: serde::de::DeserializeOwned>(&self) -> Result<T, String> {
        T::deserialize(Json::Object(self.attrs.clone())).map_err(|_| {
            "the stored attributes do not have the types the source schema gives them".to_string()
        })
    }

    /// The attribute names.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.attrs.keys().map(String::as_str)
    }
}

/// The target of a move as the RPC layer found it: the resource, its state type and, when it
/// has identities, the identity type.
pub struct MoveTarget<'a> {
    pub resource: &'a dyn Resource,
    pub state_type: &'a Type,
    pub identity_type: Option<&'a Type>,
}

/// Answers MoveResourceState for `target` (None when the target type does not exist, with the
/// diagnostic already in `diags`).
pub fn move_resource_state(
    target: Option<MoveTarget<'_>>,
    req: &pb::move_resource_state::Request,
    mut diags: Diagnostics,
) -> pb::move_resource_state::Response {
    let mut resp = pb::move_resource_state::Response::default();
    if let Some(t) = target
        && let Some(state) = moved_state(&t, req, &mut diags)
    {
        match encode_dynamic(&state, t.state_type) {
            Ok(dv) => {
                resp.target_state = Some(dv);
                let identity = t.resource.identity(&state);
                if let Some(ty) = t.identity_type
                    && is_complete(&identity)
                {
                    match encode_dynamic(&identity, ty) {
                        Ok(dv) => {
                            resp.target_identity = Some(pb::ResourceIdentityData {
                                identity_data: Some(dv),
                            })
                        }
                        Err(e) => bug(&mut diags, "identity", &e.to_string()),
                    }
                }
            }
            Err(e) => bug(&mut diags, "state", &e.to_string()),
        }
    }
    if diags.has_errors() {
        resp.target_state = None;
        resp.target_identity = None;
    }
    resp.diagnostics = diags_to_proto(&diags);
    resp
}

fn bug(diags: &mut Diagnostics, what: &str, detail: &str) {
    diags.error(
        "Provider produced an invalid value",
        format!(
            "The moved {what} does not match the provider's own schema ({detail}). This is a bug in the provider."
        ),
    );
}

/// The target state, or None after recording why there is none.
fn moved_state(
    t: &MoveTarget<'_>,
    req: &pb::move_resource_state::Request,
    diags: &mut Diagnostics,
) -> Option<Value> {
    let target = t.resource.type_name();
    let accepted = t.resource.move_sources();
    let from = format!(
        "{} of {}",
        req.source_type_name, req.source_provider_address
    );
    let same_type: Vec<&MoveSource> = accepted
        .iter()
        .filter(|s| {
            s.provider == req.source_provider_address && s.type_name == req.source_type_name
        })
        .collect();
    let Some(source) = same_type
        .iter()
        .find(|s| s.schema_version == req.source_schema_version)
        .copied()
    else {
        let list = if accepted.is_empty() {
            "none: it accepts no state from other resource types".to_string()
        } else {
            accepted
                .iter()
                .map(MoveSource::describe)
                .collect::<Vec<_>>()
                .join("; ")
        };
        if same_type.is_empty() {
            diags.error(
                "Unsupported move source",
                format!(
                    "A moved block moves {from} to {target}, but {target} cannot take state from that type. \
                     What it accepts: {list}. Remove the moved block and import the object instead \
                     (see the import section of the {target} documentation)."
                ),
            );
        } else {
            diags.error(
                "Unsupported source schema version",
                format!(
                    "A moved block moves {from} to {target}, but the stored state has schema version {}, \
                     and {target} knows: {list}. Refresh or apply the configuration with the release of the \
                     source provider that matches, or remove the moved block and import the object instead.",
                    req.source_schema_version
                ),
            );
        }
        return None;
    };
    let raw = req.source_state.as_ref();
    let json = raw.map(|r| r.json.as_slice()).unwrap_or_default();
    if json.is_empty() {
        diags.error(
            "Unsupported source state",
            format!(
                "Terraform sent the state of {from} without its JSON form{}; {target} can only move JSON \
                 state (written by Terraform 0.12 or later).",
                if raw.is_some_and(|r| !r.flatmap.is_empty()) {
                    " (only the flatmap form of Terraform 0.11 and earlier)"
                } else {
                    ""
                }
            ),
        );
        return None;
    }
    let state = match SourceState::from_json(json) {
        Ok(s) => s,
        Err(e) => {
            diags.error(
                "Invalid source state",
                format!("The stored state of {from} cannot be read: {e}."),
            );
            return None;
        }
    };
    let v = t.resource.move_state(source, &state, diags);
    if diags.has_errors() {
        return None;
    }
    if v.is_null() || !v.is_wholly_known() {
        bug(
            diags,
            "state",
            "it is null or holds unknown values after the move",
        );
        return None;
    }
    Some(v)
}

#[cfg(test)]
mod tests {
    use async_trait::async_trait;

    use super::*;
    use crate::framework::codec::decode_dynamic;
    use crate::framework::schema::{Attribute, Block, Schema};
    use crate::framework::traits::Ctx;
    use crate::framework::{IdentityAttribute, IdentitySchema};

    const OLD: MoveSource = MoveSource {
        provider: "registry.terraform.io/example/old",
        type_name: "old_thing",
        schema_version: 2,
    };

    struct Thing;

    /// The stored state of `old_thing`.
    #[derive(serde::Deserialize)]
    struct OldThing {
        #[serde(default)]
        id: Option<String>,
        #[serde(default)]
        name: Option<String>,
        #[serde(default)]
        key: Option<String>,
        #[serde(default)]
        #[allow(dead_code)]
        revision: Option<i64>,
    }

    #[async_trait]
    impl Resource for Thing {
        fn type_name(&self) -> &'static str {
            "test_thing"
        }
        fn schema(&self) -> Schema {
            Schema::new(
                0,
                Block::new("t")
                    .attribute(Attribute::string("id").computed())
                    .attribute(Attribute::string("label").required())
                    .attribute(Attribute::string("secret").computed().sensitive()),
            )
        }
        async fn create(&self, _: &Ctx, p: &Value, _: &Value, _: &mut Diagnostics) -> Value {
            p.clone()
        }
        async fn read(&self, _: &Ctx, s: &Value, _: &mut Diagnostics) -> Value {
            s.clone()
        }
        async fn update(
            &self,
            _: &Ctx,
            _: &Value,
            p: &Value,
            _: &Value,
            _: &mut Diagnostics,
        ) -> Value {
            p.clone()
        }
        async fn delete(&self, _: &Ctx, _: &Value, _: &mut Diagnostics) {}
        fn identity_schema(&self) -> Option<IdentitySchema> {
            Some(IdentitySchema::new(
                0,
                vec![IdentityAttribute::required("id", "id")],
            ))
        }
        fn move_sources(&self) -> Vec<MoveSource> {
            vec![OLD]
        }
        fn move_state(
            &self,
            source: &MoveSource,
            state: &SourceState,
            diags: &mut Diagnostics,
        ) -> Value {
            assert_eq!(*source, OLD);
            let old: OldThing = match state.decode() {
                Ok(o) => o,
                Err(e) => {
                    diags.error("Bad old state", e);
                    return Value::Null;
                }
            };
            let Some(id) = old.id.filter(|s| !s.is_empty()) else {
                diags.error("No id", "the old state has no id");
                return Value::Null;
            };
            Value::object([
                ("id", Value::string(id)),
                ("label", Value::opt_string(old.name.as_deref())),
                (
                    "secret",
                    Value::opt_string(old.key.filter(|k| !k.is_empty()).as_deref()),
                ),
            ])
        }
    }

    fn request(
        provider: &str,
        ty: &str,
        version: i64,
        json: &str,
    ) -> pb::move_resource_state::Request {
        pb::move_resource_state::Request {
            source_provider_address: provider.into(),
            source_type_name: ty.into(),
            source_schema_version: version,
            source_state: Some(pb::RawState {
                json: json.as_bytes().to_vec(),
                ..Default::default()
            }),
            target_type_name: "test_thing".into(),
            ..Default::default()
        }
    }

    fn run(req: &pb::move_resource_state::Request) -> pb::move_resource_state::Response {
        let ty = Thing.schema().value_type();
        let id_ty = Thing.identity_schema().unwrap().value_type();
        move_resource_state(
            Some(MoveTarget {
                resource: &Thing,
                state_type: &ty,
                identity_type: Some(&id_ty),
            }),
            req,
            Diagnostics::new(),
        )
    }

    fn details(resp: &pb::move_resource_state::Response) -> String {
        resp.diagnostics
            .iter()
            .map(|d| format!("{}: {}", d.summary, d.detail))
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn a_declared_source_moves_with_its_identity() {
        let resp = run(&request(
            OLD.provider,
            OLD.type_name,
            2,
            r#"{"id":"u-1","name":"n","key":"s3cr3t-value","timeouts":null}"#,
        ));
        assert!(resp.diagnostics.is_empty(), "{}", details(&resp));
        let ty = Thing.schema().value_type();
        let state = decode_dynamic(resp.target_state.as_ref(), &ty).unwrap();
        assert_eq!(state.attr("id").as_str(), Some("u-1"));
        assert_eq!(state.attr("label").as_str(), Some("n"));
        assert_eq!(state.attr("secret").as_str(), Some("s3cr3t-value"));
        let id_ty = Thing.identity_schema().unwrap().value_type();
        let identity = decode_dynamic(
            resp.target_identity
                .as_ref()
                .and_then(|i| i.identity_data.as_ref()),
            &id_ty,
        )
        .unwrap();
        assert_eq!(identity.attr("id").as_str(), Some("u-1"));
    }

    #[test]
    fn undeclared_sources_get_a_diagnostic_naming_what_is_accepted() {
        for (provider, ty, version, summary) in [
            (
                "registry.terraform.io/other/old",
                "old_thing",
                2,
                "Unsupported move source",
            ),
            (OLD.provider, "old_other", 2, "Unsupported move source"),
            (
                OLD.provider,
                OLD.type_name,
                3,
                "Unsupported source schema version",
            ),
        ] {
            let resp = run(&request(provider, ty, version, r#"{"id":"u-1"}"#));
            assert!(resp.target_state.is_none());
            assert!(resp.target_identity.is_none());
            let text = details(&resp);
            assert!(text.starts_with(summary), "{text}");
            assert!(
                text.contains("old_thing of registry.terraform.io/example/old (schema version 2)"),
                "{text}"
            );
        }
    }

    #[test]
    fn bad_source_json_is_a_diagnostic_that_quotes_nothing() {
        for json in [
            r#"{"id":"s3cr3t-value""#,
            r#"["s3cr3t-value"]"#,
            "",
            // Valid JSON whose value has another type than the source schema gives it: serde's
            // own message would quote it.
            r#"{"id":"1","revision":"s3cr3t-value"}"#,
        ] {
            let resp = run(&request(OLD.provider, OLD.type_name, 2, json));
            assert!(resp.target_state.is_none());
            let text = details(&resp);
            assert!(!text.is_empty());
            assert!(!text.contains("s3cr3t"), "{text}");
        }
        // The resource's own refusal comes through as it is.
        let resp = run(&request(OLD.provider, OLD.type_name, 2, r#"{"id":""}"#));
        assert!(resp.target_state.is_none());
        assert!(details(&resp).contains("the old state has no id"));
    }

    #[test]
    fn source_state_debug_names_attributes_only() {
        let s = SourceState::from_json(br#"{"api_key":"s3cr3t-value","id":"1"}"#).unwrap();
        let text = format!("{s:?}");
        assert!(text.contains("api_key"), "{text}");
        assert!(!text.contains("s3cr3t"), "{text}");
        assert_eq!(s.names().collect::<Vec<_>>(), ["api_key", "id"]);
    }
}
