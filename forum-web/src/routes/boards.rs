//! Board pages and starting a thread.

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use forum_core::models::{Board, BoardCursor, Thread};
use maud::Markup;
use serde::Deserialize;

use crate::app::AppState;
use crate::csrf;
use crate::error::{AppError, AppResult};
use crate::extract::{ClientIp, Identity, PageCtx};
use crate::rate_limit::LimitedAction;
use crate::routes::posting;
use crate::templates::pages::board::{board as board_page, thread_href};
use crate::templates::pages::post_forms::{PostFormState, new_thread};

const THREADS_PER_PAGE: i64 = 30;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/b/{slug}", get(show_board))
        .route("/b/{slug}/new", get(show_new_thread).post(create_thread))
}

#[derive(Deserialize)]
struct BoardQuery {
    after: Option<String>,
}

async fn show_board(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(slug): Path<String>,
    Query(q): Query<BoardQuery>,
) -> AppResult<Markup> {
    let after = match q.after.as_deref() {
        None | Some("") => None,
        Some(text) => Some(
            BoardCursor::decode(text)
                .ok_or_else(|| AppError::BadRequest("That page link is not valid.".into()))?,
        ),
    };
    let (board, threads, next) = state
        .db(move |c| {
            let board = Board::by_slug(c, &slug)?;
            let (threads, next) = Thread::list_for_board(c, board.id, after, THREADS_PER_PAGE)?;
            Ok((board, threads, next))
        })
        .await?;
    Ok(board_page(&ctx, &board, &threads, next, after.is_none()))
}

async fn show_new_thread(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(slug): Path<String>,
) -> AppResult<Markup> {
    let board = state.db(move |c| Board::by_slug(c, &slug)).await?;
    Ok(new_thread(&ctx, &board, &PostFormState::default()))
}

#[derive(Deserialize)]
struct NewThreadForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    content_warning: String,
    #[serde(default)]
    body: String,
}

async fn create_thread(
    State(state): State<AppState>,
    uri: Uri,
    ClientIp(ip): ClientIp,
    identity: Identity,
    Path(slug): Path<String>,
    Form(form): Form<NewThreadForm>,
) -> AppResult<Response> {
    posting::limit_network(&state, LimitedAction::NewThread, ip)?;
    csrf::check(&state, &identity, &form.csrf)?;
    let board = state.db(move |c| Board::by_slug(c, &slug)).await?;
    let mut form_state = PostFormState {
        title: form.title,
        content_warning: form.content_warning,
        body: form.body,
        ..PostFormState::default()
    };
    let Some(screened) = posting::check_and_screen(&state, &mut form_state, true).await else {
        let ctx = PageCtx::load(&state, &identity, uri.path()).await;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, new_thread(&ctx, &board, &form_state)).into_response());
    };
    let secrets = state.secrets.clone();
    let for_db = screened.clone();
    let ((thread, post), new_key) =
        posting::write_as_author(&state, &identity, ip, LimitedAction::NewThread, move |c, author| {
            forum_mod::submit::start_thread(c, &secrets, &board, author.id, &for_db)
        })
        .await?;
    let permalink = format!("{}#p{}", thread_href(&thread), post.id);
    let location = posting::after_posting(&screened, post.id, &permalink);
    Ok(posting::see_other(&state, &location, new_key.as_ref()))
}
