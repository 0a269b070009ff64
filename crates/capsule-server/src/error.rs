//! One error type for every handler, turned into a JSON HTTP answer.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use capsule_platform::PlatformError;
use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    BadRequest(String),
    /// Not logged in.
    #[error("{0}")]
    Unauthorized(String),
    /// Logged in but not allowed, or a request without its CSRF token.
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    Conflict(String),
    /// The mini-program could not run (its worker died, its code failed to load).
    #[error("{0}")]
    Runtime(String),
    /// Understood but cannot be acted on: a package that failed verification (altered after
    /// the platform signed it, so never run), a picture with no QR code in it, a payment the
    /// provider refused (a wrong PIN).
    #[error("{0}")]
    Refused(String),
    /// Something on the server's side (the database); the person can only retry.
    #[error("{0}")]
    Internal(String),
}

impl From<PlatformError> for AppError {
    fn from(error: PlatformError) -> Self {
        match error {
            PlatformError::Invalid(m) => AppError::BadRequest(m),
            PlatformError::Unauthorized(m) => AppError::Unauthorized(m),
            PlatformError::Forbidden(m) => AppError::Forbidden(m),
            PlatformError::NotFound(m) => AppError::NotFound(m),
            PlatformError::Conflict(m) => AppError::Conflict(m),
            PlatformError::Payment(m) => AppError::Refused(m),
            PlatformError::Db(e) => AppError::Internal(format!("storage failed: {e}")),
            PlatformError::Store(e) | PlatformError::Search(e) => AppError::Internal(e),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = match self {
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Runtime(_) => StatusCode::BAD_GATEWAY,
            AppError::Refused(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        (status, Json(json!({ "error": self.to_string() }))).into_response()
    }
}
