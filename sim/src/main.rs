//! vcf-sim: the in-repo simulator of the VCF APIs (built out in its own issue).
fn main() {}
