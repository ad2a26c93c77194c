//! Generates the gRPC code for the Terraform plugin protocol (tfplugin6) and go-plugin's
//! controller and stdio services, using the vendored `protoc` so no system install is needed.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let protoc = protoc_bin_vendored::protoc_bin_path()?;
    // SAFETY: build scripts are single-threaded; nothing else reads the environment concurrently.
    unsafe { std::env::set_var("PROTOC", protoc) };
    let protos = [
        "proto/tfplugin6.proto",
        "proto/grpc_controller.proto",
        "proto/grpc_stdio.proto",
    ];
    for p in &protos {
        println!("cargo:rerun-if-changed={p}");
    }
    tonic_prost_build::configure()
        .build_server(true)
        // Clients are generated for the protocol tests, which talk to the real server.
        .build_client(true)
        .compile_protos(&protos, &["proto"])?;
    Ok(())
}
