//! The open API that developers' servers call, in Douyin's shapes: `POST
//! /api/apps/v2/jscode2session` and `POST /api/apps/v2/token`. Every answer is HTTP 200 with
//! `{err_no, err_tips, data}`, as Douyin's, so existing server code ports by changing the base URL.

use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::routing::post;
use axum::{Json, Router};
use capsule_platform::OpenApiError;
use serde_json::{Value as Json_, json};

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/apps/v2/jscode2session", post(jscode2session))
        .route("/api/apps/v2/token", post(token))
}

fn answer(result: Result<Json_, OpenApiError>) -> Json<Json_> {
    Json(match result {
        Ok(data) => json!({ "err_no": 0, "err_tips": "success", "data": data }),
        Err(e) => json!({ "err_no": e.err_no, "err_tips": e.err_tips, "data": null }),
    })
}

/// The JSON body, or Douyin's "bad params" naming what was wrong with it.
fn body(body: Result<Json<Json_>, JsonRejection>) -> Result<Json_, OpenApiError> {
    body.map(|Json(v)| v)
        .map_err(|e| OpenApiError::bad_params(format!("the body must be JSON: {}", e.body_text())))
}

fn text<'a>(body: &'a Json_, key: &str) -> &'a str {
    body[key].as_str().unwrap_or("")
}

async fn jscode2session(
    State(state): State<AppState>,
    request: Result<Json<Json_>, JsonRejection>,
) -> Json<Json_> {
    answer(
        async {
            let b = body(request)?;
            let session = state
                .platform
                .code2session(
                    text(&b, "appid"),
                    text(&b, "secret"),
                    b["code"].as_str(),
                    b["anonymous_code"].as_str(),
                )
                .await?;
            Ok(serde_json::to_value(session).unwrap_or_default())
        }
        .await,
    )
}

async fn token(State(state): State<AppState>, request: Result<Json<Json_>, JsonRejection>) -> Json<Json_> {
    answer(
        async {
            let b = body(request)?;
            let (token, expires_in) = state
                .platform
                .access_token(text(&b, "appid"), text(&b, "secret"), text(&b, "grant_type"))
                .await?;
            Ok(json!({ "access_token": token, "expires_in": expires_in }))
        }
        .await,
    )
}
