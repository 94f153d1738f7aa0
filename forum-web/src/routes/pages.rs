//! The home page, help, about, health check and static files.

use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Router, extract::Path};
use diesel::connection::SimpleConnection;
use maud::{Markup, html};

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::extract::PageCtx;
use crate::routes::RegionQuery;
use crate::templates::page;
use crate::templates::pages::{help, home};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(show_home))
        .route("/help", get(show_help))
        .route("/about", get(show_about))
        .route("/healthz", get(health))
        .route("/static/{file}", get(static_file))
}

async fn show_home(State(state): State<AppState>, ctx: PageCtx) -> AppResult<Markup> {
    let boards = state.board_summaries().await?;
    Ok(home::home(&ctx, &boards))
}

async fn show_help(State(state): State<AppState>, ctx: PageCtx, Query(q): Query<RegionQuery>) -> Markup {
    help::help(&ctx, &state.helplines, q.region.as_deref())
}

async fn show_about(ctx: PageCtx) -> Markup {
    page(
        &ctx,
        "Privacy and rules",
        html! {
            h1 { "Privacy and rules" }
            h2 { "What we keep" }
            ul {
                li { "Reading needs no account and sets no cookie. We do not record who reads what." }
                li { "When you post, your browser is given a random key. We store only a scrambled form of it, never your email, a password or your IP address." }
                li { "Your name is different in every thread, so your threads cannot be linked together by other readers." }
                li { "You can edit and delete your posts. Deleting erases the text." }
                li { "Nothing on this site comes from other companies: no adverts, trackers, fonts or analytics." }
            }
            h2 { "Being kind here" }
            ul {
                li { "Share from your own experience; do not diagnose or give medical instructions." }
                li { "No descriptions of methods, and no images of injuries." }
                li { "If someone may be in danger, use Report and choose \"someone may be at risk\": moderators see those first." }
            }
        },
    )
}

/// 200 while the database answers; 503 otherwise.
async fn health(State(state): State<AppState>) -> Response {
    let reachable = state.db(|c| Ok(c.batch_execute("SELECT 1")?)).await;
    match reachable {
        Ok(()) => (StatusCode::OK, "ok\n").into_response(),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database unreachable\n").into_response(),
    }
}

const STYLE: &str = include_str!("../../static/style.css");
const HELP_JS: &str = include_str!("../../static/help.js");

/// The few static files, compiled in: no file system access from a URL.
async fn static_file(Path(file): Path<String>) -> AppResult<Response> {
    let (body, kind) = match file.as_str() {
        "style.css" => (STYLE, "text/css; charset=utf-8"),
        "help.js" => (HELP_JS, "text/javascript; charset=utf-8"),
        _ => return Err(AppError::NotFound),
    };
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    Ok(response)
}
