//! The one error type of the HTTP service and its mapping to a status code,
//! a stable error code and an `application/problem+json` body (RFC 9457).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// Every error a handler returns. `code` is stable: clients may match on it.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub detail: String,
    /// Seconds a client should wait before retrying (429, 503).
    pub retry_after_s: Option<u32>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            detail: detail.into(),
            retry_after_s: None,
        }
    }

    pub fn bad_parameter(detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_parameter", detail)
    }

    pub fn bad_body(detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_body", detail)
    }

    pub fn not_found(code: &'static str, detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, code, detail)
    }

    pub fn unauthorized(detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", detail)
    }

    pub fn forbidden(detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, "forbidden", detail)
    }

    pub fn too_large(detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", detail)
    }

    pub fn unsupported_media(detail: impl Into<String>) -> ApiError {
        ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            detail,
        )
    }

    pub fn unprocessable(code: &'static str, detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, detail)
    }

    pub fn overloaded(detail: impl Into<String>) -> ApiError {
        ApiError {
            retry_after_s: Some(1),
            ..ApiError::new(StatusCode::TOO_MANY_REQUESTS, "overloaded", detail)
        }
    }

    pub fn unavailable(detail: impl Into<String>) -> ApiError {
        ApiError {
            retry_after_s: Some(5),
            ..ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", detail)
        }
    }

    pub fn internal(detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", detail)
    }
}

impl From<engine::EngineError> for ApiError {
    fn from(error: engine::EngineError) -> ApiError {
        match error {
            engine::EngineError::Invalid(message) => ApiError::bad_parameter(message),
            engine::EngineError::Query(e) => ApiError::unprocessable("query_failed", e.to_string()),
            engine::EngineError::Store(e) => ApiError::internal(e.to_string()),
            engine::EngineError::Arrow(e) => ApiError::internal(e.to_string()),
            engine::EngineError::NotFound(message) => ApiError::not_found("not_found", message),
        }
    }
}

#[derive(Serialize)]
struct Problem<'a> {
    #[serde(rename = "type")]
    kind: String,
    title: &'a str,
    status: u16,
    detail: &'a str,
    code: &'a str,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let problem = Problem {
            kind: format!("https://touchpoint.dev/problems/{}", self.code),
            title: self.status.canonical_reason().unwrap_or("Error"),
            status: self.status.as_u16(),
            detail: &self.detail,
            code: self.code,
        };
        let body = serde_json::to_vec(&problem).expect("a problem serialises");
        let mut response = (self.status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(seconds) = self.retry_after_s {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}
