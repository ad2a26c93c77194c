//! Contract tests of vcf-sim: every row of api-contract.md, the seed replays, the permission
//! rules, faults, the control API and persistence. Each test starts its own sim process.

mod common;
mod control;
mod director;
mod fleet;
mod inprocess;
mod robustness;
mod sddc;
