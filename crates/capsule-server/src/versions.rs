//! The console's routes for versions: upload a package (the automatic checks answer with
//! their report), list, submit for review, approve or reject, release (or gray-release),
//! roll back, pick the trial version, add testers, unpublish; and the platform's public key
//! hosts verify packages with.

use axum::body::Bytes;
use axum::extract::rejection::JsonRejection;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use capsule_platform::Actor;
use capsule_platform::versions::MAX_UPLOAD_BYTES;
use serde::Deserialize;
use serde_json::{Value as Json_, json};

use crate::account::CurrentUser;
use crate::console::parse;
use crate::{AppError, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/console/apps/{appid}/versions",
            get(list).post(upload).layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES)),
        )
        .route("/api/console/apps/{appid}/versions/{id}/submit", post(submit))
        .route("/api/console/apps/{appid}/versions/{id}/review", post(review))
        .route("/api/console/apps/{appid}/versions/{id}/release", post(release))
        .route("/api/console/apps/{appid}/versions/{id}/rollback", post(rollback))
        .route("/api/console/apps/{appid}/versions/{id}/trial", post(trial))
        .route("/api/console/apps/{appid}/testers", post(add_tester))
        .route("/api/console/apps/{appid}/unpublish", post(unpublish))
        .route("/api/console/apps/{appid}/channels", get(channels))
        .route("/api/platform/release-key", get(release_key))
}

fn answer(value: impl serde::Serialize) -> Json<Json_> {
    Json(serde_json::to_value(value).unwrap_or_default())
}

#[derive(Deserialize)]
struct UploadQuery {
    version: String,
    #[serde(default)]
    description: String,
}

/// `POST …/versions?version=1.2.0&description=…` with the `.capsule` file as the body.
async fn upload(
    State(state): State<AppState>,
    Path(appid): Path<String>,
    Query(query): Query<UploadQuery>,
    me: CurrentUser,
    package: Bytes,
) -> Result<Json<Json_>, AppError> {
    let store = state.catalog.store();
    let version = state
        .platform
        .upload_version(
            Actor::User(&me.user),
            store,
            &appid,
            &query.version,
            &query.description,
            package.to_vec(),
        )
        .await?;
    Ok(answer(version))
}

async fn list(
    State(state): State<AppState>,
    Path(appid): Path<String>,
    me: CurrentUser,
) -> Result<Json<Json_>, AppError> {
    Ok(Json(json!({ "versions": state.platform.versions(Actor::User(&me.user), &appid).await? })))
}

async fn submit(
    State(state): State<AppState>,
    Path((appid, id)): Path<(String, String)>,
    me: CurrentUser,
) -> Result<Json<Json_>, AppError> {
    Ok(answer(state.platform.submit_for_review(Actor::User(&me.user), &appid, &id).await?))
}

#[derive(Deserialize)]
struct Review {
    approve: bool,
    #[serde(default)]
    reason: String,
}

async fn review(
    State(state): State<AppState>,
    Path((appid, id)): Path<(String, String)>,
    me: CurrentUser,
    body: Result<Json<Review>, JsonRejection>,
) -> Result<Json<Json_>, AppError> {
    let review = parse(body)?;
    let actor = Actor::User(&me.user);
    Ok(answer(state.platform.review(actor, &appid, &id, review.approve, &review.reason).await?))
}

#[derive(Deserialize)]
struct Release {
    #[serde(default = "everyone")]
    percent: i64,
}

fn everyone() -> i64 {
    100
}

async fn release(
    State(state): State<AppState>,
    Path((appid, id)): Path<(String, String)>,
    me: CurrentUser,
    body: Result<Json<Release>, JsonRejection>,
) -> Result<Json<Json_>, AppError> {
    let percent = parse(body)?.percent;
    Ok(answer(state.platform.release(Actor::User(&me.user), &appid, &id, percent).await?))
}

async fn rollback(
    State(state): State<AppState>,
    Path((appid, id)): Path<(String, String)>,
    me: CurrentUser,
) -> Result<Json<Json_>, AppError> {
    Ok(answer(state.platform.rollback(Actor::User(&me.user), &appid, &id).await?))
}

async fn trial(
    State(state): State<AppState>,
    Path((appid, id)): Path<(String, String)>,
    me: CurrentUser,
) -> Result<Json<Json_>, AppError> {
    Ok(answer(state.platform.set_trial(Actor::User(&me.user), &appid, &id).await?))
}

#[derive(Deserialize)]
struct Tester {
    username: String,
}

async fn add_tester(
    State(state): State<AppState>,
    Path(appid): Path<String>,
    me: CurrentUser,
    body: Result<Json<Tester>, JsonRejection>,
) -> Result<Json<Json_>, AppError> {
    let tester = parse(body)?;
    state.platform.add_tester(Actor::User(&me.user), &appid, &tester.username).await?;
    Ok(Json(json!({ "appid": appid, "tester": tester.username })))
}

async fn unpublish(
    State(state): State<AppState>,
    Path(appid): Path<String>,
    me: CurrentUser,
) -> Result<Json<Json_>, AppError> {
    state.platform.unpublish(Actor::User(&me.user), &appid).await?;
    Ok(Json(json!({ "appid": appid, "published": false })))
}

async fn channels(
    State(state): State<AppState>,
    Path(appid): Path<String>,
    me: CurrentUser,
) -> Result<Json<Json_>, AppError> {
    Ok(Json(json!({ "channels": state.platform.channels(Actor::User(&me.user), &appid).await? })))
}

async fn release_key(State(state): State<AppState>) -> Json<Json_> {
    Json(json!({ "algorithm": "ed25519", "public_key": state.platform.release_key().to_hex() }))
}
