//! The fleet IAM examples, applied as written with real Terraform (every version in
//! TF_ACC_TERRAFORM_PATHS) against vcf-sim: apply, empty re-plan, destroy.

mod common;

use common::{Sim, SyncControl, fleet_workdir, terraforms};

#[test]
fn machine_identity_example_applies_and_replans_empty() {
    let example = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/machine-identity/main.tf"
    ))
    .expect("example");
    for tf in terraforms() {
        let v = tf.version.clone();
        let sim = Sim::start();
        let ctl = SyncControl::new(&sim);
        let wd = fleet_workdir(&tf, &sim);
        wd.write_config(&example);
        wd.apply();
        wd.assert_no_changes("after applying the example");
        let out = wd.ok(&["output", "-raw", "token"]);
        assert!(out.contains("vidb_"), "{v}");
        wd.ok(&["destroy", "-auto-approve", "-no-color", "-input=false"]);
        let clients = ctl.state()["fleet"]["clients"].clone();
        assert!(
            clients
                .as_array()
                .is_some_and(|l| l.iter().all(|c| c["client_id"] != "IamClient")),
            "{v}: {clients}"
        );
    }
}
