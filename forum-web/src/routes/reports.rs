//! Reporting a post (anyone, no account) and the support page shown after a crisis post.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use forum_core::CoreError;
use forum_core::ids::PostId;
use forum_core::models::{Post, PostStatus, ReportReason, Thread};
use forum_mod::reports::{check_note, file_report};
use maud::Markup;
use serde::Deserialize;

use crate::app::AppState;
use crate::csrf;
use crate::error::{AppError, AppResult};
use crate::extract::{ClientIp, Identity, PageCtx};
use crate::rate_limit::LimitedAction;
use crate::routes::RegionQuery;
use crate::routes::posting;
use crate::templates::pages::report::{report_form, report_sent, support};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/p/{id}/report", get(show_report_form).post(create_report))
        .route("/p/{id}/support", get(show_support))
}

fn post_id(raw: &str) -> AppResult<PostId> {
    super::parse_id(raw)
}

/// A post that can be reported (published), with its thread.
async fn reportable(state: &AppState, id: PostId) -> AppResult<(Post, Thread)> {
    state
        .db(move |c| {
            let post = Post::by_id(c, id)?;
            if post.status != PostStatus::Visible {
                return Err(CoreError::NotFound);
            }
            let thread = Thread::by_id(c, post.thread_id)?;
            Ok((post, thread))
        })
        .await
}

async fn show_report_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
) -> AppResult<Markup> {
    let (post, thread) = reportable(&state, post_id(&id)?).await?;
    Ok(report_form(&ctx, &post, &thread, None, "", None))
}

#[derive(Deserialize)]
struct ReportForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    note: String,
}

async fn create_report(
    State(state): State<AppState>,
    ctx: PageCtx,
    ClientIp(ip): ClientIp,
    identity: Identity,
    Path(id): Path<String>,
    Form(form): Form<ReportForm>,
) -> AppResult<Response> {
    let id = post_id(&id)?;
    csrf::check(&state, &identity, &form.csrf)?;
    let (post, thread) = reportable(&state, id).await?;
    let reason = form.reason.parse::<ReportReason>().ok();
    let note = forum_core::models::limits::clean_text(&form.note);
    let checked = check_note(&note);
    let (Some(reason), Ok(note)) = (reason, checked.clone()) else {
        let error = match (reason, checked) {
            (None, _) => "Please choose what the problem is.".to_owned(),
            (_, Err(e)) => e,
            _ => String::new(),
        };
        let page = report_form(&ctx, &post, &thread, reason, &form.note, Some(&error));
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    posting::rate_limit(&state, LimitedAction::Report, ip, None)?;
    let reporter = posting::network_hash(&state, ip);
    let threshold = state.config.hide_after_reports;
    state.db(move |c| file_report(c, id, reason, &note, &reporter, threshold)).await?;
    if reason == ReportReason::AtRisk {
        crate::webhooks::WAKE.notify_one();
    }
    Ok(report_sent(&ctx, &thread, reason == ReportReason::AtRisk, &state.helplines).into_response())
}

/// Only the post's writer sees this page: it speaks to them about their post.
async fn show_support(
    State(state): State<AppState>,
    ctx: PageCtx,
    identity: Identity,
    Path(id): Path<String>,
    Query(q): Query<RegionQuery>,
) -> AppResult<Markup> {
    let id = post_id(&id)?;
    let key_hash = identity.key_hash(&state).ok_or(AppError::NotFound)?;
    let (post, thread) = state
        .db(move |c| {
            let post = Post::by_id(c, id)?;
            let viewer = forum_core::models::Poster::by_key_hash(c, &key_hash)?;
            if viewer.map(|p| p.id) != Some(post.poster_id) {
                return Err(CoreError::NotFound);
            }
            let thread = Thread::by_id(c, post.thread_id)?;
            Ok((post, thread))
        })
        .await?;
    Ok(support(&ctx, &post, &thread, &format!("/p/{}", post.id), &state.helplines, q.region.as_deref()))
}
