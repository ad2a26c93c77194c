//! The provider binary: Terraform starts it and talks to it over gRPC.

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let code = terraform_provider_vcf::server::run(
        terraform_provider_vcf::provider::VcfProvider,
        terraform_provider_vcf::provider::SOURCE_ADDRESS,
        &args,
    );
    std::process::exit(code);
}
