//! go-plugin's side services: the controller (Shutdown) and stdio streaming.

use std::pin::Pin;
use std::sync::Arc;

use tokio::sync::watch;
use tokio_stream::wrappers::WatchStream;
use tokio_stream::{Stream, StreamExt};
use tonic::{Request, Response, Status};

use crate::proto::plugin::grpc_controller_server::GrpcController;
use crate::proto::plugin::grpc_stdio_server::GrpcStdio;
use crate::proto::plugin::{Empty, StdioData};

/// `plugin.GRPCController`: Terraform calls Shutdown when it is done with the provider.
pub struct Controller {
    pub shutdown: Arc<watch::Sender<bool>>,
}

#[tonic::async_trait]
impl GrpcController for Controller {
    async fn shutdown(&self, _: Request<Empty>) -> Result<Response<Empty>, Status> {
        tracing::debug!("shutdown requested by Terraform");
        self.shutdown.send_replace(true);
        Ok(Response::new(Empty {}))
    }
}

/// `plugin.GRPCStdio`: the provider writes its logs to its real stderr, which Terraform reads
/// directly, so the stream carries nothing; it stays open until shutdown so the client does
/// not see an early end.
#[derive(Clone)]
pub struct Stdio {
    pub shutdown: watch::Receiver<bool>,
}

type StdioStream = Pin<Box<dyn Stream<Item = Result<StdioData, Status>> + Send + 'static>>;

#[tonic::async_trait]
impl GrpcStdio for Stdio {
    type StreamStdioStream = StdioStream;

    async fn stream_stdio(&self, _: Request<()>) -> Result<Response<StdioStream>, Status> {
        let stream = WatchStream::new(self.shutdown.clone())
            .take_while(|stop| !*stop)
            .filter_map(|_| None::<Result<StdioData, Status>>);
        Ok(Response::new(Box::pin(stream)))
    }
}
