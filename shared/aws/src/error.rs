//! AWS call errors, classified so that the handler can make the right retry decision.

use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use serde::Serialize;

/// The classes of failure that lead to different decisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// Rate limited even after the SDK's own retries: retry later.
    Throttled,
    /// Network failure, timeout, 5xx: retry later.
    Transient,
    /// Permission missing: retrying will not help; report it.
    AccessDenied,
    /// The resource does not exist.
    NotFound,
    /// A precondition failed (e.g. DynamoDB conditional check).
    Conflict,
    /// Anything else the service rejected.
    Rejected,
}

/// A failed AWS call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[error("{service}:{operation} failed ({kind:?}{}): {message}", code.as_deref().map(|c| format!(", {c}")).unwrap_or_default())]
pub struct AwsError {
    pub service: &'static str,
    pub operation: &'static str,
    pub kind: ErrorKind,
    pub code: Option<String>,
    pub message: String,
}

impl AwsError {
    /// Whether trying the same call again later can succeed.
    pub fn retryable(&self) -> bool {
        matches!(self.kind, ErrorKind::Throttled | ErrorKind::Transient)
    }

    pub fn new(
        service: &'static str,
        operation: &'static str,
        kind: ErrorKind,
        message: impl Into<String>,
    ) -> Self {
        AwsError {
            service,
            operation,
            kind,
            code: None,
            message: message.into(),
        }
    }
}

const THROTTLING: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestLimitExceeded",
    "TooManyRequestsException",
    "RequestThrottled",
    "RequestThrottledException",
    "ProvisionedThroughputExceededException",
    "SlowDown",
];
const TRANSIENT: &[&str] = &[
    "InternalError",
    "InternalFailure",
    "InternalServerError",
    "ServiceUnavailable",
    "ServiceUnavailableException",
    "RequestTimeout",
    "RequestTimeoutException",
];
const DENIED: &[&str] = &[
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "AuthorizationError",
    "InvalidClientTokenId",
];

/// Classify an SDK error from any service.
pub fn classify<E, R>(
    service: &'static str,
    operation: &'static str,
    err: SdkError<E, R>,
) -> AwsError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    let code = err.code().map(str::to_string);
    let message = DisplayErrorContext(&err).to_string();
    let kind = match &err {
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => {
            ErrorKind::Transient
        }
        SdkError::ServiceError(_) => match code.as_deref() {
            Some(c) if THROTTLING.contains(&c) => ErrorKind::Throttled,
            Some(c) if TRANSIENT.contains(&c) => ErrorKind::Transient,
            Some(c) if DENIED.contains(&c) => ErrorKind::AccessDenied,
            Some(c) if c.contains("NotFound") || c.starts_with("NoSuch") => ErrorKind::NotFound,
            Some("ConditionalCheckFailedException") => ErrorKind::Conflict,
            // A service error without a code is an unparsable body (e.g. an HTML 5xx page).
            None => ErrorKind::Transient,
            _ => ErrorKind::Rejected,
        },
        _ => ErrorKind::Rejected,
    };
    AwsError {
        service,
        operation,
        kind,
        code,
        message,
    }
}

/// Turn NotFound into `None`: a resource deleted since the event is not an error.
/// A read whose NotFound means "no such thing" rather than a failure.
pub(crate) fn found<T>(r: Result<T, AwsError>) -> Result<Option<T>, AwsError> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(e) if e.kind == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}
