//! One-on-one peer support: members ask, supporters accept, and the two talk privately.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::Duration;
use forum_core::ids::{ConversationId, PosterId, SupportRequestId};
use forum_core::models::{Conversation, Poster, SupportRequest, Supporter};
use maud::Markup;
use serde::Deserialize;

use crate::app::AppState;
use crate::csrf;
use crate::error::{AppError, AppResult};
use crate::extract::{ClientIp, Identity, ModSession, PageCtx};
use crate::rate_limit::LimitedAction;
use crate::routes::RegionQuery;
use crate::routes::posting;
use crate::templates::pages::support::{self as pages, ConversationSummary};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/support", get(show_ask).post(create_request))
        .route("/supporters", get(show_supporters))
        .route("/supporters/availability", post(set_availability))
        .route("/supporters/name", post(set_name))
        .route("/support/requests/{id}/accept", post(accept_request))
        .route("/c/{id}", get(show_conversation))
        .route("/c/{id}/messages", post(send_message))
        .route("/c/{id}/help", get(show_message_help))
        .route("/c/{id}/end", post(end_conversation))
        .route("/c/{id}/delete", post(delete_conversation))
        .route("/c/{id}/report", post(report_conversation))
        .route("/mod/conversations/{id}", get(moderator_view))
        .route("/mod/conversations/{id}/resolve", post(resolve_conversation))
}

fn retention(state: &AppState) -> Duration {
    Duration::days(state.config.retention.conversation_days.max(1))
}

/// The member behind the browser's identity, if any.
async fn member(state: &AppState, identity: &Identity) -> AppResult<Option<Poster>> {
    let Some(hash) = identity.key_hash(state) else { return Ok(None) };
    state.db(move |c| Poster::by_key_hash(c, &hash)).await
}

async fn summaries(state: &AppState, poster: PosterId) -> AppResult<Vec<ConversationSummary>> {
    state
        .db(move |c| {
            let mut out = Vec::new();
            for conversation in Conversation::of(c, poster)? {
                let topic = SupportRequest::by_id(c, conversation.request_id)?.topic;
                let unread = conversation.unread_messages(c, poster)?;
                out.push(ConversationSummary { conversation, topic, unread });
            }
            Ok(out)
        })
        .await
}

async fn show_ask(State(state): State<AppState>, ctx: PageCtx, identity: Identity) -> AppResult<Markup> {
    ask_page(&state, &ctx, &identity, None).await.map(|(_, page)| page)
}

async fn ask_page(
    state: &AppState,
    ctx: &PageCtx,
    identity: &Identity,
    error: Option<&str>,
) -> AppResult<(StatusCode, Markup)> {
    let me = member(state, identity).await?;
    let available = state.db(Supporter::available_count).await?;
    let (requests, conversations, is_supporter) = match &me {
        Some(p) => {
            let id = p.id;
            let requests = state.db(move |c| SupportRequest::for_member(c, id)).await?;
            let supporter = state.db(move |c| Supporter::active(c, id)).await?.is_some();
            (requests, summaries(state, id).await?, supporter)
        }
        None => (Vec::new(), Vec::new(), false),
    };
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok((status, pages::ask(ctx, available, &requests, &conversations, error, is_supporter)))
}

#[derive(Deserialize)]
struct RequestForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    topic: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    preferences: String,
}

async fn create_request(
    State(state): State<AppState>,
    ctx: PageCtx,
    ClientIp(ip): ClientIp,
    identity: Identity,
    Form(form): Form<RequestForm>,
) -> AppResult<Response> {
    posting::limit_network(&state, LimitedAction::NewThread, ip)?;
    csrf::check(&state, &identity, &form.csrf)?;
    let topic = forum_core::models::limits::clean_text(&form.topic);
    if topic.trim().is_empty() {
        return Ok(ask_page(
            &state,
            &ctx,
            &identity,
            Some("Please say in a few words what you'd like to talk about."),
        )
        .await?
        .into_response());
    }
    let detector = state.detector.clone();
    let (note, preferences) = (
        forum_core::models::limits::clean_text(&form.note),
        forum_core::models::limits::clean_text(&form.preferences),
    );
    let result =
        posting::write_as_author(&state, &identity, ip, LimitedAction::NewThread, move |c, author| {
            forum_mod::support::request(c, &detector, author.id, &topic, &note, &preferences)
        })
        .await;
    match result {
        Ok((_, new_key)) => Ok(posting::see_other(&state, "/support#requests", new_key.as_ref())),
        Err(AppError::BadRequest(message)) => {
            Ok(ask_page(&state, &ctx, &identity, Some(&message)).await?.into_response())
        }
        Err(e) => Err(e),
    }
}

/// The supporter behind the browser; anyone else gets 404.
async fn supporter(state: &AppState, identity: &Identity) -> AppResult<(Poster, Supporter)> {
    let poster = member(state, identity).await?.ok_or(AppError::NotFound)?;
    let id = poster.id;
    let role = state.db(move |c| Supporter::active(c, id)).await?.ok_or(AppError::NotFound)?;
    Ok((poster, role))
}

async fn show_supporters(
    State(state): State<AppState>,
    ctx: PageCtx,
    identity: Identity,
) -> AppResult<Markup> {
    let (poster, role) = supporter(&state, &identity).await?;
    let waiting = state.db(SupportRequest::waiting).await?;
    let conversations = summaries(&state, poster.id).await?;
    Ok(pages::supporters(&ctx, &role, &waiting, &conversations, None))
}

#[derive(Deserialize)]
struct AvailabilityForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    available: String,
    #[serde(default)]
    public_name: String,
}

async fn set_availability(
    State(state): State<AppState>,
    identity: Identity,
    Form(form): Form<AvailabilityForm>,
) -> AppResult<Response> {
    csrf::check(&state, &identity, &form.csrf)?;
    let (poster, _) = supporter(&state, &identity).await?;
    let available = form.available == "true";
    state.db(move |c| Supporter::set_available(c, poster.id, available)).await?;
    Ok(Redirect::to("/supporters").into_response())
}

async fn set_name(
    State(state): State<AppState>,
    identity: Identity,
    Form(form): Form<AvailabilityForm>,
) -> AppResult<Response> {
    csrf::check(&state, &identity, &form.csrf)?;
    let (poster, _) = supporter(&state, &identity).await?;
    let name = forum_core::models::limits::clean_text(&form.public_name);
    state.db(move |c| Supporter::set_public_name(c, poster.id, Some(&name))).await?;
    Ok(Redirect::to("/supporters").into_response())
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    reason: String,
}

async fn accept_request(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> AppResult<Response> {
    let id: SupportRequestId = super::parse_id(&id)?;
    csrf::check(&state, &identity, &form.csrf)?;
    let (poster, _) = supporter(&state, &identity).await?;
    let keep = retention(&state);
    let conversation = state.db(move |c| forum_mod::support::accept(c, id, poster.id, keep)).await?;
    Ok(Redirect::to(&format!("/c/{}", conversation.id)).into_response())
}

/// The conversation and the participant looking at it; anyone else gets 404.
async fn participant(state: &AppState, identity: &Identity, id: &str) -> AppResult<(Conversation, Poster)> {
    let id: ConversationId = super::parse_id(id)?;
    let poster = member(state, identity).await?.ok_or(AppError::NotFound)?;
    let me = poster.id;
    let conversation = state.db(move |c| Conversation::for_participant(c, id, me)).await?;
    Ok((conversation, poster))
}

async fn show_conversation(
    State(state): State<AppState>,
    ctx: PageCtx,
    identity: Identity,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let (conversation, poster) = participant(&state, &identity, &id).await?;
    let me = poster.id;
    let conversation_id = conversation.id;
    let (topic, messages, name) = state
        .db(move |c| {
            let topic = SupportRequest::by_id(c, conversation.request_id)?.topic;
            let messages = conversation.messages(c)?;
            Conversation::mark_read(c, &conversation, me)?;
            let name = Supporter::active(c, conversation.supporter_id)?
                .and_then(|s| s.public_name)
                .unwrap_or_else(|| "your peer supporter".to_owned());
            Ok((topic, messages, name))
        })
        .await?;
    let conversation = state.db(move |c| Conversation::by_id(c, conversation_id)).await?;
    let mut response = pages::conversation(&ctx, &conversation, &topic, &messages, me, &name).into_response();
    response
        .headers_mut()
        .insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    Ok(response)
}

async fn send_message(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    identity: Identity,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> AppResult<Response> {
    posting::limit_network(&state, LimitedAction::Reply, ip)?;
    csrf::check(&state, &identity, &form.csrf)?;
    let (conversation, _) = participant(&state, &identity, &id).await?;
    let body = forum_core::models::limits::clean_text(&form.body);
    let body = forum_core::models::limits::body(&body).map_err(AppError::BadRequest)?.to_owned();
    let (detector, keep) = (state.detector.clone(), retention(&state));
    let ((_, tier), _) =
        posting::write_as_author(&state, &identity, ip, LimitedAction::Reply, move |c, author| {
            forum_mod::support::send(c, &detector, conversation.id, author.id, &body, keep)
        })
        .await?;
    if tier.is_at_risk() {
        crate::webhooks::WAKE.notify_one();
        return Ok(Redirect::to(&format!("/c/{}/help", conversation.id)).into_response());
    }
    Ok(Redirect::to(&format!("/c/{}", conversation.id)).into_response())
}

async fn show_message_help(
    State(state): State<AppState>,
    ctx: PageCtx,
    identity: Identity,
    Path(id): Path<String>,
    Query(q): Query<RegionQuery>,
) -> AppResult<Markup> {
    let (conversation, _) = participant(&state, &identity, &id).await?;
    Ok(pages::message_help(&ctx, &conversation, &state.helplines, q.region.as_deref()))
}

async fn end_conversation(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> AppResult<Response> {
    csrf::check(&state, &identity, &form.csrf)?;
    let (conversation, poster) = participant(&state, &identity, &id).await?;
    state.db(move |c| Conversation::end(c, conversation.id, poster.id)).await?;
    Ok(Redirect::to(&format!("/c/{}", conversation.id)).into_response())
}

async fn delete_conversation(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> AppResult<Response> {
    csrf::check(&state, &identity, &form.csrf)?;
    let (conversation, poster) = participant(&state, &identity, &id).await?;
    state.db(move |c| Conversation::delete_by_member(c, conversation.id, poster.id)).await?;
    Ok(Redirect::to("/support").into_response())
}

async fn report_conversation(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    identity: Identity,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> AppResult<Response> {
    posting::rate_limit(&state, LimitedAction::Report, ip, None)?;
    csrf::check(&state, &identity, &form.csrf)?;
    let (conversation, poster) = participant(&state, &identity, &id).await?;
    let reason = forum_core::models::limits::clean_text(&form.reason);
    state.db(move |c| forum_mod::support::report(c, conversation.id, poster.id, &reason)).await?;
    crate::webhooks::WAKE.notify_one();
    Ok(Redirect::to(&format!("/c/{}", conversation.id)).into_response())
}

async fn moderator_view(
    State(state): State<AppState>,
    ctx: PageCtx,
    session: ModSession,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let id: ConversationId = super::parse_id(&id)?;
    let moderator = session.moderator.clone();
    let (conversation, messages) =
        state.db(move |c| forum_mod::support::read_as_moderator(c, &moderator, id)).await?;
    let mut response = pages::moderator_view(&ctx, &conversation, &messages, &session.csrf).into_response();
    response
        .headers_mut()
        .insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    Ok(response)
}

async fn resolve_conversation(
    State(state): State<AppState>,
    session: ModSession,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> AppResult<Response> {
    session.check_csrf(&state, &form.csrf)?;
    let id: ConversationId = super::parse_id(&id)?;
    let moderator = session.moderator.clone();
    let reason = form.reason;
    state.db(move |c| forum_mod::support::resolve_flag(c, &moderator, id, &reason)).await?;
    Ok(Redirect::to("/mod/queue").into_response())
}
