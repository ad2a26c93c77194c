//! Code generated from `proto/` by `build.rs`.
#![allow(clippy::all, clippy::pedantic, missing_docs)]

pub mod tfplugin6 {
    tonic::include_proto!("tfplugin6");
}

/// go-plugin's services (`plugin.GRPCController`, `plugin.GRPCStdio`).
pub mod plugin {
    tonic::include_proto!("plugin");
}
