//! libFuzzer target: `terraform_provider_vcf::fuzzing::dynamic_value` (see src/fuzzing.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    terraform_provider_vcf::fuzzing::dynamic_value(data);
});
