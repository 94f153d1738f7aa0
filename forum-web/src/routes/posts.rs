//! A post's permalink, and its writer's edit and delete.

use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use forum_core::CoreError;
use forum_core::ids::PostId;
use forum_core::models::{Post, PostStatus, Poster, Thread, Viewer};
use maud::Markup;
use serde::Deserialize;

use crate::app::AppState;
use crate::csrf;
use crate::error::{AppError, AppResult};
use crate::extract::{ClientIp, Identity, PageCtx};
use crate::rate_limit::LimitedAction;
use crate::routes::posting;
use crate::templates::pages::board::thread_href;
use crate::templates::pages::post_forms::{PostFormState, confirm_delete, edit_post};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/p/{id}", get(show_post))
        .route("/p/{id}/edit", get(show_edit).post(update_post))
        .route("/p/{id}/delete", get(show_delete).post(delete_post))
}

fn post_id(raw: &str) -> AppResult<PostId> {
    super::parse_id(raw)
}

/// The permalink: sends the reader to the page of the thread the post stands on.
async fn show_post(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<String>,
) -> AppResult<Redirect> {
    let id = post_id(&id)?;
    let key_hash = identity.key_hash(&state);
    let location = state
        .db(move |c| {
            let post = Post::by_id(c, id)?;
            let viewer = match key_hash {
                Some(hash) => Poster::by_key_hash(c, &hash)?.map(|p| p.id),
                None => None,
            };
            if post.status == PostStatus::Held && viewer != Some(post.poster_id) {
                return Err(CoreError::NotFound);
            }
            let thread = Thread::by_id(c, post.thread_id)?;
            let page = Post::page_number(c, &post, Viewer::Public(viewer))?;
            Ok(format!("{}?page={page}#p{}", thread_href(&thread), post.id))
        })
        .await?;
    Ok(Redirect::to(&location))
}

/// The post, if the visitor wrote it; otherwise 404, revealing nothing about who did.
async fn own_post(state: &AppState, identity: &Identity, id: PostId) -> AppResult<(Post, Poster)> {
    let hash = identity.key_hash(state).ok_or(AppError::NotFound)?;
    state
        .db(move |c| {
            let poster = Poster::by_key_hash(c, &hash)?.ok_or(CoreError::NotFound)?;
            let post = Post::by_id(c, id)?;
            if post.poster_id != poster.id || matches!(post.status, PostStatus::Removed | PostStatus::Deleted)
            {
                return Err(CoreError::NotFound);
            }
            Ok((post, poster))
        })
        .await
}

async fn show_edit(
    State(state): State<AppState>,
    ctx: PageCtx,
    identity: Identity,
    Path(id): Path<String>,
) -> AppResult<Markup> {
    let (post, _) = own_post(&state, &identity, post_id(&id)?).await?;
    let form = PostFormState {
        content_warning: post.content_warning.clone().unwrap_or_default(),
        body: post.body_markdown.clone(),
        ..PostFormState::default()
    };
    Ok(edit_post(&ctx, &post, &form))
}

#[derive(Deserialize)]
struct EditForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    content_warning: String,
    #[serde(default)]
    body: String,
}

async fn update_post(
    State(state): State<AppState>,
    uri: Uri,
    ClientIp(ip): ClientIp,
    identity: Identity,
    Path(id): Path<String>,
    Form(form): Form<EditForm>,
) -> AppResult<Response> {
    let id = post_id(&id)?;
    posting::limit_network(&state, LimitedAction::Edit, ip)?;
    csrf::check(&state, &identity, &form.csrf)?;
    let (post, _) = own_post(&state, &identity, id).await?;
    let mut form_state =
        PostFormState { content_warning: form.content_warning, body: form.body, ..PostFormState::default() };
    let Some(screened) = posting::check_and_screen(&state, &mut form_state, false).await else {
        let ctx = PageCtx::load(&state, &identity, uri.path()).await;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, edit_post(&ctx, &post, &form_state)).into_response());
    };
    let for_db = screened.clone();
    // Only the writer may edit: `edit` answers "not found" to anyone else.
    posting::write_as_author(&state, &identity, ip, LimitedAction::Edit, move |c, author| {
        forum_mod::submit::edit(c, id, author.id, &for_db)
    })
    .await?;
    let location = posting::after_posting(&screened, id, &format!("/p/{id}"));
    Ok(posting::see_other(&state, &location, None))
}

async fn show_delete(
    State(state): State<AppState>,
    ctx: PageCtx,
    identity: Identity,
    Path(id): Path<String>,
) -> AppResult<Markup> {
    let (post, _) = own_post(&state, &identity, post_id(&id)?).await?;
    Ok(confirm_delete(&ctx, &post))
}

#[derive(Deserialize)]
struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

async fn delete_post(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    identity: Identity,
    Path(id): Path<String>,
    Form(form): Form<CsrfOnly>,
) -> AppResult<Response> {
    let id = post_id(&id)?;
    csrf::check(&state, &identity, &form.csrf)?;
    let (_, poster) = own_post(&state, &identity, id).await?;
    posting::rate_limit(&state, LimitedAction::Edit, ip, Some(&poster))?;
    state.db(move |c| Post::delete_by_writer(c, id, poster.id)).await?;
    Ok(posting::see_other(&state, &format!("/p/{id}"), None))
}
