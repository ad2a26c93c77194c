//! Planning: how a proposed new state becomes the planned state, and the plan modifiers that
//! attributes carry (replace on change, keep the prior value of a computed attribute, …).

use std::sync::Arc;

use super::diag::{AttributePath, Diagnostics};
use super::schema::{Block, Nesting, Schema};
use super::value::Value;

/// What a plan modifier sees for one attribute.
pub struct PlanAttr<'a> {
    pub path: &'a AttributePath,
    pub config: &'a Value,
    /// The prior state's value (null when the resource is being created).
    pub state: &'a Value,
    /// True when the resource exists already (an update, not a create).
    pub exists: bool,
}

/// What a plan modifier may change.
pub struct PlanOutcome {
    pub planned: Value,
    pub requires_replace: bool,
}

pub trait PlanModifier: Send + Sync {
    fn description(&self) -> String;
    fn modify(&self, attr: &PlanAttr<'_>, out: &mut PlanOutcome, diags: &mut Diagnostics);
}

/// A change of this attribute destroys and re-creates the resource.
pub struct RequiresReplace;

impl PlanModifier for RequiresReplace {
    fn description(&self) -> String {
        "changing this value forces a new resource".into()
    }
    fn modify(&self, attr: &PlanAttr<'_>, out: &mut PlanOutcome, _: &mut Diagnostics) {
        if attr.exists && out.planned != *attr.state {
            out.requires_replace = true;
        }
    }
}

/// Decides from (prior value, planned value) whether a change forces replacement.
pub type ReplaceCondition = Arc<dyn Fn(&Value, &Value) -> bool + Send + Sync>;

/// Like [`RequiresReplace`], but only when `condition(state, planned)` says so.
pub struct RequiresReplaceIf {
    description: String,
    condition: ReplaceCondition,
}

impl RequiresReplaceIf {
    pub fn new(
        description: &str,
        condition: impl Fn(&Value, &Value) -> bool + Send + Sync + 'static,
    ) -> Self {
        RequiresReplaceIf {
            description: description.to_string(),
            condition: Arc::new(condition),
        }
    }
}

impl PlanModifier for RequiresReplaceIf {
    fn description(&self) -> String {
        self.description.clone()
    }
    fn modify(&self, attr: &PlanAttr<'_>, out: &mut PlanOutcome, _: &mut Diagnostics) {
        if attr.exists && out.planned != *attr.state && (self.condition)(attr.state, &out.planned) {
            out.requires_replace = true;
        }
    }
}

/// A computed value that does not change after creation: keep the prior state's value instead
/// of showing "(known after apply)" on every update.
pub struct UseStateForUnknown;

impl PlanModifier for UseStateForUnknown {
    fn description(&self) -> String {
        "the value does not change once the resource exists".into()
    }
    fn modify(&self, attr: &PlanAttr<'_>, out: &mut PlanOutcome, _: &mut Diagnostics) {
        if attr.exists && out.planned.is_unknown() && !attr.state.is_null() {
            out.planned = attr.state.clone();
        }
    }
}

/// The result of planning a resource change at the framework level.
pub struct Planned {
    pub planned: Value,
    pub requires_replace: Vec<AttributePath>,
}

/// Turns Terraform's proposed new state into the planned state:
/// computed attributes that the configuration leaves null become unknown when anything changes
/// (or on create), write-only attributes are null, then each attribute's plan modifiers run.
pub fn plan_resource(
    schema: &Schema,
    prior: &Value,
    proposed: &Value,
    config: &Value,
    diags: &mut Diagnostics,
) -> Planned {
    let exists = !prior.is_null();
    let mut planned = proposed.clone();
    let changing = !exists || prior != proposed;
    mark_block(&schema.block, prior, config, &mut planned, changing);
    let mut requires_replace = Vec::new();
    modify_block(
        &schema.block,
        &AttributePath::root(),
        prior,
        config,
        &mut planned,
        exists,
        &mut requires_replace,
        diags,
    );
    Planned {
        planned,
        requires_replace,
    }
}

fn mark_block(block: &Block, prior: &Value, config: &Value, planned: &mut Value, changing: bool) {
    if !matches!(planned, Value::Object(_)) {
        return;
    }
    for a in &block.attributes {
        let Some(slot) = planned.attr_mut(&a.name) else {
            return;
        };
        if a.write_only {
            *slot = Value::Null;
        } else if a.computed && config.attr(&a.name).is_null() && changing {
            *slot = Value::Unknown;
        }
    }
    for b in &block.blocks {
        if matches!(b.nesting, Nesting::Single | Nesting::Group)
            && let Some(slot) = planned.attr_mut(&b.name)
        {
            mark_block(
                &b.block,
                prior.attr(&b.name),
                config.attr(&b.name),
                slot,
                changing,
            );
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn modify_block(
    block: &Block,
    base: &AttributePath,
    prior: &Value,
    config: &Value,
    planned: &mut Value,
    exists: bool,
    replace: &mut Vec<AttributePath>,
    diags: &mut Diagnostics,
) {
    if !matches!(planned, Value::Object(_)) {
        return;
    }
    for a in &block.attributes {
        if a.plan_modifiers.is_empty() {
            continue;
        }
        let path = base.join_attr(&a.name);
        let Some(slot) = planned.attr_mut(&a.name) else {
            return;
        };
        let mut out = PlanOutcome {
            planned: std::mem::replace(slot, Value::Null),
            requires_replace: false,
        };
        let attr = PlanAttr {
            path: &path,
            config: config.attr(&a.name),
            state: prior.attr(&a.name),
            exists,
        };
        for m in &a.plan_modifiers {
            m.modify(&attr, &mut out, diags);
        }
        *slot = out.planned;
        if out.requires_replace {
            replace.push(path);
        }
    }
    for b in &block.blocks {
        if matches!(b.nesting, Nesting::Single | Nesting::Group)
            && let Some(slot) = planned.attr_mut(&b.name)
        {
            let path = base.join_attr(&b.name);
            modify_block(
                &b.block,
                &path,
                prior.attr(&b.name),
                config.attr(&b.name),
                slot,
                exists,
                replace,
                diags,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::schema::Attribute;

    fn schema() -> Schema {
        Schema::new(
            0,
            Block::new("")
                .attribute(
                    Attribute::string("id")
                        .computed()
                        .plan_modifier(UseStateForUnknown),
                )
                .attribute(
                    Attribute::string("client_id")
                        .required()
                        .plan_modifier(RequiresReplace),
                )
                .attribute(Attribute::string("name").optional())
                .attribute(Attribute::string("updated").computed())
                .attribute(Attribute::string("secret_wo").optional().write_only())
                .attribute(Attribute::string("mode").optional().plan_modifier(
                    RequiresReplaceIf::new("only when leaving `a`", |old, _| {
                        old.as_str() == Some("a")
                    }),
                )),
        )
    }

    fn obj(pairs: &[(&str, Value)]) -> Value {
        let mut all = Value::object([
            ("id", Value::Null),
            ("client_id", Value::Null),
            ("name", Value::Null),
            ("updated", Value::Null),
            ("secret_wo", Value::Null),
            ("mode", Value::Null),
        ]);
        for (k, v) in pairs {
            all.set_attr(k, v.clone());
        }
        all
    }

    #[test]
    fn create_marks_computed_unknown_and_drops_write_only() {
        let config = obj(&[("client_id", "c".into()), ("secret_wo", "s".into())]);
        let mut d = Diagnostics::new();
        let p = plan_resource(&schema(), &Value::Null, &config, &config, &mut d);
        assert!(p.planned.attr("id").is_unknown());
        assert!(p.planned.attr("updated").is_unknown());
        assert!(p.planned.attr("secret_wo").is_null());
        assert!(p.requires_replace.is_empty());
    }

    #[test]
    fn update_keeps_stable_computed_values_and_flags_replacement() {
        let prior = obj(&[
            ("id", "1".into()),
            ("client_id", "c".into()),
            ("updated", "t".into()),
            ("mode", "a".into()),
        ]);
        let config = obj(&[("client_id", "d".into()), ("mode", "b".into())]);
        let proposed = obj(&[
            ("id", "1".into()),
            ("client_id", "d".into()),
            ("updated", "t".into()),
            ("mode", "b".into()),
        ]);
        let mut d = Diagnostics::new();
        let p = plan_resource(&schema(), &prior, &proposed, &config, &mut d);
        assert_eq!(p.planned.attr("id").as_str(), Some("1"));
        assert!(p.planned.attr("updated").is_unknown());
        let paths: Vec<String> = p.requires_replace.iter().map(|p| p.to_string()).collect();
        assert_eq!(paths, vec!["client_id", "mode"]);
    }

    #[test]
    fn no_change_plans_the_prior_state() {
        let prior = obj(&[
            ("id", "1".into()),
            ("client_id", "c".into()),
            ("updated", "t".into()),
        ]);
        let config = obj(&[("client_id", "c".into())]);
        let mut d = Diagnostics::new();
        let p = plan_resource(&schema(), &prior, &prior, &config, &mut d);
        assert_eq!(p.planned, prior);
        assert!(p.requires_replace.is_empty());
    }

    #[test]
    fn conditional_replace_does_not_fire_when_condition_is_false() {
        let prior = obj(&[
            ("id", "1".into()),
            ("client_id", "c".into()),
            ("mode", "b".into()),
        ]);
        let proposed = obj(&[
            ("id", "1".into()),
            ("client_id", "c".into()),
            ("mode", "a".into()),
        ]);
        let mut d = Diagnostics::new();
        let p = plan_resource(&schema(), &prior, &proposed, &proposed, &mut d);
        assert!(p.requires_replace.is_empty());
    }
}
