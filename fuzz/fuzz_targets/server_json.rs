//! libFuzzer target: `terraform_provider_vcf::fuzzing::server_json` (see src/fuzzing.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    terraform_provider_vcf::fuzzing::server_json(data);
});
