//! The SDK interceptor that appends each request attempt to the call log.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

use crate::recorded_call::{RecordedCall, resource_fields};

/// Environment variable naming the file calls are appended to; unset, nothing is recorded.
pub const CALL_LOG_ENV: &str = "ANALYST_AWS_CALL_LOG";

/// Appends every request attempt of the clients it is installed on to one file.
#[derive(Debug, Clone)]
pub struct CallRecorder {
    file: Arc<Mutex<File>>,
}

impl CallRecorder {
    /// A recorder appending to `path`, created if missing.
    pub fn append_to(path: &Path) -> std::io::Result<Self> {
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        Ok(CallRecorder {
            file: Arc::new(Mutex::new(file)),
        })
    }

    fn record(&self, call: &RecordedCall) -> std::io::Result<()> {
        let mut line = serde_json::to_vec(call)?;
        line.push(b'\n');
        let mut file = self
            .file
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        file.write_all(&line)
    }
}

/// The process's recorder when [`CALL_LOG_ENV`] is set: one per process, shared by every client.
///
/// Panics when the variable is set but the file cannot be opened: an audit that silently
/// records nothing would pass.
pub fn recorder_from_env() -> Option<CallRecorder> {
    static RECORDER: OnceLock<Option<CallRecorder>> = OnceLock::new();
    RECORDER
        .get_or_init(|| {
            let path = std::env::var_os(CALL_LOG_ENV)?;
            Some(
                CallRecorder::append_to(Path::new(&path)).unwrap_or_else(|error| {
                    panic!("{CALL_LOG_ENV}={}: {error}", Path::new(&path).display())
                }),
            )
        })
        .clone()
}

impl Intercept for CallRecorder {
    fn name(&self) -> &'static str {
        "CallRecorder"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let (service, operation) = cfg
            .load::<Metadata>()
            .map(|metadata| (metadata.service().to_owned(), metadata.name().to_owned()))
            .unwrap_or_else(|| ("unknown".to_owned(), "unknown".to_owned()));
        let request = context.request();
        let call = RecordedCall {
            service,
            operation,
            method: request.method().to_owned(),
            uri: request.uri().to_owned(),
            fields: request
                .body()
                .bytes()
                .map(resource_fields)
                .unwrap_or_default(),
        };
        self.record(&call)?;
        Ok(())
    }
}
