//! Thread pages and replies.

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use forum_core::ids::{PosterId, ThreadId};
use forum_core::models::{Board, Post, Thread, Viewer};
use maud::Markup;
use serde::Deserialize;

use crate::app::AppState;
use crate::csrf;
use crate::error::{AppError, AppResult};
use crate::extract::{ClientIp, Identity, PageCtx};
use crate::rate_limit::LimitedAction;
use crate::routes::posting;
use crate::templates::pages::board::thread_href;
use crate::templates::pages::post_forms::PostFormState;
use crate::templates::pages::thread::{ThreadView, thread as thread_page};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/t/{id}", get(show_thread))
        .route("/t/{id}/{slug}", get(show_thread_with_slug))
        .route("/t/{id}/reply", post(create_reply))
}

#[derive(Deserialize)]
struct PageQuery {
    page: Option<String>,
}

/// A thread id from the URL; anything else is a 404, not a 400.
fn thread_id(raw: &str) -> AppResult<ThreadId> {
    super::parse_id(raw)
}

fn page_number(q: &PageQuery) -> AppResult<i64> {
    match q.page.as_deref() {
        None | Some("") => Ok(1),
        Some(p) => p
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=1_000_000).contains(n))
            .ok_or_else(|| AppError::BadRequest("That page number is not valid.".into())),
    }
}

async fn show_thread(
    State(state): State<AppState>,
    ctx: PageCtx,
    identity: Identity,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> AppResult<Markup> {
    let view = load_view(&state, &identity, thread_id(&id)?, page_number(&q)?).await?;
    Ok(thread_page(&ctx, &view, &PostFormState::default()))
}

async fn show_thread_with_slug(
    state: State<AppState>,
    ctx: PageCtx,
    identity: Identity,
    Path((id, _slug)): Path<(String, String)>,
    query: Query<PageQuery>,
) -> AppResult<Markup> {
    show_thread(state, ctx, identity, Path(id), query).await
}

/// Loads what the thread page shows to this visitor. A page past the end is a 404.
async fn load_view(state: &AppState, identity: &Identity, id: ThreadId, page: i64) -> AppResult<ThreadView> {
    let key_hash = identity.key_hash(state);
    state
        .db(move |c| {
            let thread = Thread::by_id(c, id)?;
            let viewer: Option<PosterId> = match key_hash {
                Some(hash) => forum_core::models::Poster::by_key_hash(c, &hash)?.map(|p| p.id),
                None => None,
            };
            if !thread.visible && viewer != Some(thread.poster_id) {
                return Err(forum_core::CoreError::NotFound);
            }
            let who = Viewer::Public(viewer);
            let total = Post::count_in_thread(c, id, who)?;
            let pages = ((total + Post::PER_PAGE - 1) / Post::PER_PAGE).max(1);
            if page > pages {
                return Err(forum_core::CoreError::NotFound);
            }
            let posts = Post::page_of_thread(c, id, who, page)?;
            let board = Board::by_id(c, thread.board_id)?;
            Ok(ThreadView { board, thread, posts, page, pages, viewer })
        })
        .await
}

/// The thread's last page, where a refused reply form is shown again.
async fn last_page(state: &AppState, identity: &Identity, id: ThreadId) -> AppResult<ThreadView> {
    let view = load_view(state, identity, id, 1).await?;
    if view.pages > 1 { load_view(state, identity, id, view.pages).await } else { Ok(view) }
}

#[derive(Deserialize)]
struct ReplyForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    content_warning: String,
    #[serde(default)]
    body: String,
}

async fn create_reply(
    State(state): State<AppState>,
    uri: Uri,
    ClientIp(ip): ClientIp,
    identity: Identity,
    Path(id): Path<String>,
    Form(form): Form<ReplyForm>,
) -> AppResult<Response> {
    let id = thread_id(&id)?;
    posting::limit_network(&state, LimitedAction::Reply, ip)?;
    csrf::check(&state, &identity, &form.csrf)?;
    let mut form_state =
        PostFormState { content_warning: form.content_warning, body: form.body, ..PostFormState::default() };
    let Some(screened) = posting::check_and_screen(&state, &mut form_state, false).await else {
        let ctx = PageCtx::load(&state, &identity, uri.path()).await;
        let view = last_page(&state, &identity, id).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, thread_page(&ctx, &view, &form_state)).into_response());
    };
    let secrets = state.secrets.clone();
    let for_db = screened.clone();
    let ((thread, post, page), new_key) =
        posting::write_as_author(&state, &identity, ip, LimitedAction::Reply, move |c, author| {
            let (thread, post) = forum_mod::submit::reply(c, &secrets, id, author.id, &for_db)?;
            let page = Post::page_number(c, &post, Viewer::Public(Some(author.id)))?;
            Ok((thread, post, page))
        })
        .await?;
    let permalink = format!("{}?page={page}#p{}", thread_href(&thread), post.id);
    let location = posting::after_posting(&screened, post.id, &permalink);
    Ok(posting::see_other(&state, &location, new_key.as_ref()))
}
