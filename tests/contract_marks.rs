//! The provider's table of fleet IAM calls (`resources::fleet::paths::ENDPOINTS`, each marked
//! SEEN or ASSUMED, `docs/dev/api-contract.md` § B) against the routes vcf-sim serves
//! (`GET /_sim/routes`, marked the same way): both sides must list the same calls with the same
//! marks, so a path corrected or confirmed on one side only fails here.

mod common;

use std::collections::BTreeMap;

use common::{Sim, SyncControl};
use terraform_provider_vcf::client::contract::fleet::BASE_PATH;
use terraform_provider_vcf::resources::fleet::paths::{Contract, ENDPOINTS};

/// `template` with every `{parameter}` written `{}`: parameter names are not part of the call.
fn without_parameter_names(template: &str) -> String {
    let mut out = String::new();
    let mut in_param = false;
    for c in template.chars() {
        match c {
            '{' => {
                in_param = true;
                out.push_str("{}");
            }
            '}' => in_param = false,
            _ if in_param => {}
            _ => out.push(c),
        }
    }
    out
}

#[test]
fn fleet_calls_of_the_provider_are_the_sims_fleet_routes_with_the_same_marks() {
    let sim = Sim::start();
    let routes = SyncControl::new(&sim).get("/routes");
    // (method, template) → mark, for the sim's routes under the fleet IAM base path.
    let mut served: BTreeMap<(String, String), String> = routes["routes"]
        .as_array()
        .expect("routes")
        .iter()
        .filter_map(|r| {
            let template = r["template"].as_str()?;
            template.starts_with(&format!("{BASE_PATH}/")).then(|| {
                (
                    (
                        r["method"].as_str().unwrap_or_default().to_string(),
                        without_parameter_names(template),
                    ),
                    r["contract"].as_str().unwrap_or_default().to_string(),
                )
            })
        })
        .collect();
    assert!(
        served.len() >= 10,
        "the sim lists only {} fleet IAM routes: {routes}",
        served.len()
    );

    let mut problems = Vec::new();
    for (method, path, contract, _) in ENDPOINTS {
        let mark = match contract {
            Contract::Seen => "SEEN",
            Contract::Assumed => "ASSUMED",
        };
        let key = (
            method.to_string(),
            without_parameter_names(&format!("{BASE_PATH}{path}")),
        );
        match served.remove(&key) {
            None => problems.push(format!("{method} {path}: vcf-sim serves no such route")),
            Some(sim_mark) if sim_mark != mark => problems.push(format!(
                "{method} {path}: {mark} in the provider's table, {sim_mark} in vcf-sim"
            )),
            Some(_) => {}
        }
    }
    for ((method, template), _) in served {
        problems.push(format!(
            "{method} {template}: served by vcf-sim, missing from the provider's table"
        ));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn parameter_names_do_not_count() {
    assert_eq!(
        without_parameter_names("/ssorealms/{realm}/api-tokens/{id}/regenerate"),
        "/ssorealms/{}/api-tokens/{}/regenerate"
    );
    assert_eq!(without_parameter_names("/roles"), "/roles");
}
