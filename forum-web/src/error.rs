//! One error type for handlers. Each kind picks its status; the page is rendered by the
//! layout (see `routes::error_pages`), and internals are logged, never shown.

use std::time::Duration;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use forum_core::CoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Forbidden(&'static str),
    #[error("{0}")]
    Conflict(String),
    /// The member is banned; the message says why and until when.
    #[error("{0}")]
    Banned(String),
    #[error("too many requests")]
    RateLimited { retry_after: Duration },
    #[error("service unavailable")]
    Unavailable,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

pub type AppResult<T> = Result<T, AppError>;

impl From<CoreError> for AppError {
    fn from(error: CoreError) -> Self {
        match error {
            CoreError::NotFound => Self::NotFound,
            CoreError::Conflict(what) => Self::Conflict(format!("There is already {what}.")),
            CoreError::Invalid(message) => Self::BadRequest(message),
            CoreError::Unavailable(cause) => {
                tracing::error!(%cause, "database unavailable");
                Self::Unavailable
            }
            other => Self::Internal(other.into()),
        }
    }
}

/// The message shown on an error page, carried to the layout as a response extension.
#[derive(Debug, Clone)]
pub struct ErrorMessage(pub String);

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Forbidden(_) | Self::Banned(_) => StatusCode::FORBIDDEN,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// What a visitor may be told.
    fn public_message(&self) -> Option<String> {
        match self {
            Self::BadRequest(m) | Self::Conflict(m) | Self::Banned(m) => Some(m.clone()),
            Self::Forbidden(m) => Some((*m).to_owned()),
            _ => None,
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let Self::Internal(cause) = &self {
            tracing::error!(error = %cause, "internal error");
        }
        let mut response = self.status().into_response();
        if let Some(message) = self.public_message() {
            response.extensions_mut().insert(ErrorMessage(message));
        }
        if let Self::RateLimited { retry_after } = self {
            let secs = retry_after.as_secs_f64().ceil().max(1.0) as u64;
            if let Ok(value) = HeaderValue::from_str(&secs.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_messages() {
        let cases = [
            (AppError::NotFound, 404),
            (AppError::BadRequest("x".into()), 400),
            (AppError::Forbidden("x"), 403),
            (AppError::RateLimited { retry_after: Duration::from_millis(1500) }, 429),
            (AppError::Internal(anyhow::anyhow!("secret detail")), 500),
            (CoreError::NotFound.into(), 404),
            (CoreError::Invalid("bad".into()).into(), 400),
        ];
        for (error, status) in cases {
            let response = error.into_response();
            assert_eq!(response.status().as_u16(), status);
            if status == 500 {
                assert!(response.extensions().get::<ErrorMessage>().is_none());
            }
            if status == 429 {
                assert_eq!(response.headers()[header::RETRY_AFTER], "2");
            }
        }
    }
}
