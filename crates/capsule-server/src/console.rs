//! The developer console's REST API: organisations and their members, creating mini-programs
//! (the answer is the only place the AppSecret is shown), changing them, uploading their PNG
//! icon, resetting the secret.
//! Every route needs a logged-in user ([`CurrentUser`], which also checks the CSRF token).

use axum::body::Bytes;
use axum::extract::rejection::JsonRejection;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use capsule_platform::icons::MAX_ICON_BYTES;
use capsule_platform::{AppSettings, Role};
use serde::Deserialize;
use serde_json::{Value as Json_, json};

use crate::account::CurrentUser;
use crate::{AppError, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/orgs", get(list_orgs).post(create_org))
        .route("/api/orgs/{org}/members", get(list_members).post(set_member))
        .route("/api/orgs/{org}/apps", get(list_apps).post(create_app))
        .route("/api/console/apps/{appid}", get(show_app).put(update_app))
        .route("/api/console/apps/{appid}/secret", post(reset_secret))
        .route("/api/console/apps/{appid}/ledger", get(ledger))
        .route("/api/console/apps/{appid}/order-sync", put(set_order_sync))
        .route(
            "/api/console/apps/{appid}/icon",
            put(upload_icon).layer(DefaultBodyLimit::max(MAX_ICON_BYTES + 1024)),
        )
}

/// A JSON body, or a 400 saying what is wrong with it.
pub(crate) fn parse<T>(body: Result<Json<T>, JsonRejection>) -> Result<T, AppError> {
    body.map(|Json(v)| v).map_err(|e| AppError::BadRequest(e.body_text()))
}

async fn list_orgs(State(state): State<AppState>, me: CurrentUser) -> Result<Json<Json_>, AppError> {
    let orgs: Vec<Json_> = state
        .platform
        .orgs_of(&me.user)
        .await?
        .into_iter()
        .map(|(org, role)| json!({ "id": org.id, "name": org.name, "role": role }))
        .collect();
    Ok(Json(json!({ "orgs": orgs })))
}

#[derive(Deserialize)]
struct NewOrg {
    name: String,
}

async fn create_org(
    State(state): State<AppState>,
    me: CurrentUser,
    body: Result<Json<NewOrg>, JsonRejection>,
) -> Result<Json<Json_>, AppError> {
    let org = state.platform.create_org(&me.user, &parse(body)?.name).await?;
    Ok(Json(json!({ "id": org.id, "name": org.name, "role": Role::Owner })))
}

#[derive(Deserialize)]
struct Member {
    username: String,
    role: String,
}

async fn set_member(
    State(state): State<AppState>,
    Path(org): Path<String>,
    me: CurrentUser,
    body: Result<Json<Member>, JsonRejection>,
) -> Result<Json<Json_>, AppError> {
    let member = parse(body)?;
    let role = Role::parse(&member.role)?;
    state.platform.set_member(&me.user, &org, &member.username, role).await?;
    Ok(Json(json!({ "username": member.username, "role": role })))
}

async fn list_members(
    State(state): State<AppState>,
    Path(org): Path<String>,
    me: CurrentUser,
) -> Result<Json<Json_>, AppError> {
    let members: Vec<Json_> = state
        .platform
        .members(&me.user, &org)
        .await?
        .into_iter()
        .map(|(username, display_name, role)| json!({ "username": username, "display_name": display_name, "role": role }))
        .collect();
    Ok(Json(json!({ "members": members })))
}

async fn list_apps(
    State(state): State<AppState>,
    Path(org): Path<String>,
    me: CurrentUser,
) -> Result<Json<Json_>, AppError> {
    state.platform.require_role(&me.user, &org, &[Role::Owner, Role::Developer, Role::Operator]).await?;
    Ok(Json(json!({ "apps": state.platform.apps_of_org(&org).await? })))
}

async fn create_app(
    State(state): State<AppState>,
    Path(org): Path<String>,
    me: CurrentUser,
    body: Result<Json<AppSettings>, JsonRejection>,
) -> Result<Json<Json_>, AppError> {
    let created = state.platform.create_app(&me.user, &org, parse(body)?).await?;
    Ok(Json(serde_json::to_value(created).unwrap_or_default()))
}

async fn show_app(
    State(state): State<AppState>,
    Path(appid): Path<String>,
    me: CurrentUser,
) -> Result<Json<Json_>, AppError> {
    let app = state.platform.app(&appid).await?;
    state
        .platform
        .require_role(&me.user, &app.org_id, &[Role::Owner, Role::Developer, Role::Operator])
        .await?;
    Ok(Json(serde_json::to_value(app).unwrap_or_default()))
}

async fn update_app(
    State(state): State<AppState>,
    Path(appid): Path<String>,
    me: CurrentUser,
    body: Result<Json<AppSettings>, JsonRejection>,
) -> Result<Json<Json_>, AppError> {
    let app = state.platform.update_app(&me.user, &appid, parse(body)?).await?;
    Ok(Json(serde_json::to_value(app).unwrap_or_default()))
}

/// `PUT /api/console/apps/{appid}/icon` with a PNG body: the app's icon from now on.
async fn upload_icon(
    State(state): State<AppState>,
    Path(appid): Path<String>,
    me: CurrentUser,
    bytes: Bytes,
) -> Result<Json<Json_>, AppError> {
    let app = state.platform.set_app_icon(&me.user, &appid, state.catalog.store(), &bytes).await?;
    Ok(Json(serde_json::to_value(app).unwrap_or_default()))
}

/// The app's payments, refunds and settlement totals.
async fn ledger(
    State(state): State<AppState>,
    Path(appid): Path<String>,
    me: CurrentUser,
) -> Result<Json<Json_>, AppError> {
    let ledger = state.platform.ledger(&me.user, &appid).await?;
    Ok(Json(serde_json::to_value(ledger).unwrap_or_default()))
}

/// `PUT …/order-sync {enabled}`: whether the app's orders appear in the host's order list.
async fn set_order_sync(
    State(state): State<AppState>,
    Path(appid): Path<String>,
    me: CurrentUser,
    body: Result<Json<Json_>, JsonRejection>,
) -> Result<Json<Json_>, AppError> {
    let body = parse(body)?;
    let enabled = body["enabled"]
        .as_bool()
        .ok_or_else(|| AppError::BadRequest("enabled must be true or false".into()))?;
    state.platform.set_order_sync(&me.user, &appid, enabled).await?;
    Ok(Json(json!({ "appid": appid, "order_sync": enabled })))
}

async fn reset_secret(
    State(state): State<AppState>,
    Path(appid): Path<String>,
    me: CurrentUser,
) -> Result<Json<Json_>, AppError> {
    let secret = state.platform.reset_secret(&me.user, &appid).await?;
    Ok(Json(json!({ "appid": appid, "secret": secret })))
}
