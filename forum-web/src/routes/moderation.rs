//! Moderators: log-in, the dashboard, the queue, actions, admin pages; and the public log.

use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::Duration;
use forum_core::db::now;
use forum_core::ids::{BoardId, ModLogId, ModeratorId, PostId, QueueItemId, WordRuleId};
use forum_core::models::{
    Board, Lane, ModLogEntry, ModSession as StoredSession, ModerationMode, Moderator, NewBoard, NewModerator,
    QueueItem, ReportReason, RuleAction, Supporter, WordRule, burn_password_check,
};
use forum_mod::actions::{BanLength, ItemAction, PostAction, act_on_item, act_on_post};
use forum_mod::queue::{QueueEntry, QueueQuery};
use maud::Markup;
use serde::Deserialize;

use crate::app::AppState;
use crate::csrf;
use crate::error::{AppError, AppResult};
use crate::extract::{AdminSession, ClientIp, Identity, MOD_COOKIE, ModSession, PageCtx, session_hash};
use crate::rate_limit::LimitedAction;
use crate::routes::posting;
use crate::templates::pages::moderation::{self as pages, Dashboard};

/// How long a moderator stays logged in.
const SESSION_HOURS: i64 = 12;

pub fn router() -> Router<AppState> {
    let private = Router::new()
        .route("/mod", get(show_dashboard))
        .route("/mod/login", get(show_login).post(login))
        .route("/mod/logout", post(logout))
        .route("/mod/queue", get(show_queue))
        .route("/mod/posts/{id}", post(act_on_post_route))
        .route("/mod/posts/{id}/reply", post(team_reply_route))
        .route("/mod/items/{id}", get(show_item).post(act_on_item_route))
        .route("/metrics", get(metrics))
        .route("/mod/admin", get(show_admin))
        .route("/mod/admin/moderators", post(add_moderator))
        .route("/mod/admin/moderators/{id}", post(set_moderator_disabled))
        .route("/mod/admin/boards", post(add_board))
        .route("/mod/admin/boards/{id}", post(update_board))
        .route("/mod/admin/rules", post(add_rule))
        .route("/mod/admin/rules/{id}/delete", post(delete_rule))
        .route("/mod/admin/supporters", post(grant_supporter))
        .route("/mod/admin/supporters/{id}/revoke", post(revoke_supporter))
        .layer(middleware::from_fn(no_store));
    Router::new().merge(private).route("/modlog", get(show_modlog))
}

/// Moderators' pages are never cached, by browsers or proxies.
async fn no_store(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn mod_ctx(mut ctx: PageCtx, session: &ModSession) -> PageCtx {
    ctx.csrf = session.csrf.clone();
    ctx
}

async fn show_login(ctx: PageCtx) -> Markup {
    pages::login(&ctx, None, "")
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
}

/// Logs a moderator in. Unknown names and wrong passwords get the same answer, in the same time.
async fn login(
    State(state): State<AppState>,
    ctx: PageCtx,
    ClientIp(ip): ClientIp,
    identity: Identity,
    headers: axum::http::HeaderMap,
    Form(form): Form<LoginForm>,
) -> AppResult<Response> {
    let previous_session = crate::extract::cookie(&headers, MOD_COOKIE).map(str::to_owned);
    csrf::check(&state, &identity, &form.csrf)?;
    // Throttled per network and per account, so neither many names from one place nor one
    // name from many places can be guessed at speed.
    posting::rate_limit(&state, LimitedAction::Login, ip, None)?;
    state
        .limiter
        .check_key(LimitedAction::Login, crate::rate_limit::ClientKey::account(&form.name))
        .map_err(|wait| AppError::RateLimited { retry_after: wait.0 })?;
    let name = form.name.trim().to_owned();
    let password = form.password;
    let lookup = name.clone();
    let moderator = state
        .db(move |c| {
            let found = Moderator::by_name(c, &lookup)?;
            Ok(match found {
                Some(m) if m.check_password(&password) && !m.disabled => Some(m),
                Some(_) => None,
                None => {
                    burn_password_check(&password);
                    None
                }
            })
        })
        .await?;
    let Some(moderator) = moderator else {
        let page =
            pages::login(&ctx, Some("That name and password do not match an active moderator."), &name);
        return Ok((StatusCode::UNAUTHORIZED, page).into_response());
    };
    // A fresh session at every log-in; a session this browser already had ends.
    let token = forum_core::secrets::hex(&rand::random::<[u8; 32]>());
    let hash = session_hash(&state, &token);
    let previous = previous_session.map(|token| session_hash(&state, &token));
    let id = moderator.id;
    state
        .db(move |c| {
            if let Some(previous) = previous {
                StoredSession::delete(c, &previous)?;
            }
            StoredSession::create(c, &hash, id, now() + Duration::hours(SESSION_HOURS))
        })
        .await?;
    let secure = if state.config.https { "; Secure" } else { "" };
    let cookie = format!(
        "{MOD_COOKIE}={token}; Path=/; Max-Age={}; HttpOnly; SameSite=Strict{secure}",
        SESSION_HOURS * 3600
    );
    let mut response = Redirect::to("/mod/queue").into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    Ok(response)
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

async fn logout(
    State(state): State<AppState>,
    session: ModSession,
    Form(form): Form<CsrfForm>,
) -> AppResult<Response> {
    session.check_csrf(&state, &form.csrf)?;
    let hash = session.token_hash.clone();
    state.db(move |c| StoredSession::delete(c, &hash)).await?;
    let mut response = Redirect::to("/").into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        HeaderValue::from_static("forum_mod=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict"),
    );
    Ok(response)
}

async fn show_dashboard(
    State(state): State<AppState>,
    ctx: PageCtx,
    session: ModSession,
) -> AppResult<Markup> {
    let dashboard = state
        .db(|c| {
            let counts = QueueItem::open_counts(c)?;
            let count = |lane: Lane| counts.iter().find(|(l, _)| *l == lane as i32).map_or(0, |(_, n)| *n);
            let oldest = QueueItem::open_items(c, None, 1_000_000)?.iter().map(|i| i.opened_at).min();
            Ok(Dashboard {
                crisis_open: count(Lane::Crisis),
                at_risk_reports_open: count(Lane::AtRiskReport),
                other_open: count(Lane::Ordinary),
                oldest,
                per_moderator: ModLogEntry::per_moderator_since(c, now() - Duration::days(7))?,
                crisis: forum_mod::figures::crisis_figures(c)?,
            })
        })
        .await?;
    Ok(pages::dashboard(&mod_ctx(ctx, &session), &session, &dashboard))
}

#[derive(Deserialize)]
struct QueueFilter {
    board: Option<String>,
    reason: Option<String>,
}

async fn show_queue(
    State(state): State<AppState>,
    ctx: PageCtx,
    session: ModSession,
    Query(filter): Query<QueueFilter>,
) -> AppResult<Markup> {
    let board_slug = filter.board.filter(|b| !b.is_empty());
    let reason = match filter.reason.as_deref() {
        None | Some("") => None,
        Some(r) => {
            Some(r.parse::<ReportReason>().map_err(|_| AppError::BadRequest("Unknown reason.".into()))?)
        }
    };
    let slug = board_slug.clone();
    let (boards, entries) = state
        .db(move |c| {
            let boards = Board::all(c)?;
            let board = match &slug {
                Some(s) => {
                    Some(boards.iter().find(|b| &b.slug == s).ok_or(forum_core::CoreError::NotFound)?.id)
                }
                None => None,
            };
            let entries = QueueQuery { board, reason, limit: 50 }.load(c)?;
            let conversations = forum_core::models::Conversation::flagged(c)?;
            Ok((boards, (entries, conversations)))
        })
        .await?;
    let (entries, conversations) = entries;
    Ok(pages::queue(
        &mod_ctx(ctx, &session),
        &session,
        &entries,
        &conversations,
        &boards,
        board_slug.as_deref(),
        reason,
    ))
}

/// One item on its own page, open or resolved: where webhooks about conversations link.
async fn show_item(
    State(state): State<AppState>,
    ctx: PageCtx,
    session: ModSession,
    Path(id): Path<String>,
) -> AppResult<Markup> {
    let id: QueueItemId = super::parse_id(&id)?;
    let entry = state.db(move |c| QueueEntry::load_one(c, id)).await?;
    Ok(pages::item(&mod_ctx(ctx, &session), &session, &entry))
}

#[derive(Deserialize)]
struct PostActionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    length: String,
    #[serde(default)]
    board: String,
}

async fn act_on_post_route(
    State(state): State<AppState>,
    session: ModSession,
    Path(id): Path<String>,
    Form(form): Form<PostActionForm>,
) -> AppResult<Response> {
    session.check_csrf(&state, &form.csrf)?;
    let id: PostId = super::parse_id(&id)?;
    let action = match form.action.as_str() {
        "approve" => PostAction::Approve,
        "hide" => PostAction::Hide,
        "remove" => PostAction::Remove,
        "restore" => PostAction::Restore,
        "lock" => PostAction::Lock,
        "unlock" => PostAction::Unlock,
        "pin" => PostAction::Pin,
        "unpin" => PostAction::Unpin,
        "warn" => PostAction::Warn(form.message.clone()),
        "ban" => PostAction::Ban(
            BanLength::parse(&form.length)
                .ok_or_else(|| AppError::BadRequest("Choose how long the ban lasts.".into()))?,
        ),
        "crisis_on" => PostAction::CrisisMode(true),
        "crisis_off" => PostAction::CrisisMode(false),
        "move" => PostAction::Move(BoardId(
            form.board.parse().map_err(|_| AppError::BadRequest("Choose a board.".into()))?,
        )),
        _ => return Err(AppError::BadRequest("Unknown action.".into())),
    };
    let moderator = session.moderator.clone();
    let reason = form.reason;
    state.db(move |c| act_on_post(c, &moderator, id, &action, &reason)).await?;
    state.forget_nav();
    Ok(Redirect::to("/mod/queue").into_response())
}

#[derive(Deserialize)]
struct TeamReplyForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    template: String,
    #[serde(default)]
    text: String,
}

/// The team replies in the thread: the moderator's own words, or a chosen template.
async fn team_reply_route(
    State(state): State<AppState>,
    session: ModSession,
    Path(id): Path<String>,
    Form(form): Form<TeamReplyForm>,
) -> AppResult<Response> {
    session.check_csrf(&state, &form.csrf)?;
    let id: PostId = super::parse_id(&id)?;
    let text = forum_core::models::limits::clean_text(&form.text);
    let text = if text.trim().is_empty() {
        forum_mod::replies::template(&form.template)
            .ok_or_else(|| AppError::BadRequest("Write a reply or choose a template.".into()))?
            .text
            .to_owned()
    } else {
        text
    };
    let moderator = session.moderator.clone();
    let secrets = state.secrets.clone();
    let reply = state.db(move |c| forum_mod::actions::team_reply(c, &secrets, &moderator, id, &text)).await?;
    Ok(Redirect::to(&format!("/p/{}", reply.id)).into_response())
}

/// Prometheus figures for the crisis lane. Moderators, or `Authorization: Bearer` with
/// `FORUM_METRICS_TOKEN`.
async fn metrics(
    State(state): State<AppState>,
    session: Option<ModSession>,
    headers: axum::http::HeaderMap,
) -> AppResult<Response> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let token_ok = match (&state.config.metrics_token, bearer) {
        (Some(expected), Some(given)) => {
            expected.len() == given.len()
                && expected.bytes().zip(given.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
        }
        _ => false,
    };
    if session.is_none() && !token_ok {
        return Ok((StatusCode::UNAUTHORIZED, [(header::WWW_AUTHENTICATE, "Bearer")]).into_response());
    }
    let figures = state.db(forum_mod::figures::crisis_figures).await?;
    let mut out = String::new();
    out.push_str("# HELP forum_crisis_items_open Crisis-lane queue items not yet resolved.\n");
    out.push_str("# TYPE forum_crisis_items_open gauge\n");
    out.push_str(&format!("forum_crisis_items_open {}\n", figures.open));
    out.push_str(
        "# HELP forum_crisis_first_action_seconds Time from a crisis post to the first moderator action.\n",
    );
    out.push_str("# TYPE forum_crisis_first_action_seconds gauge\n");
    for w in &figures.windows {
        for (q, v) in [("0.5", w.median_first_action_secs), ("0.9", w.p90_first_action_secs)] {
            if let Some(v) = v {
                out.push_str(&format!(
                    "forum_crisis_first_action_seconds{{window=\"{}d\",quantile=\"{q}\"}} {v}\n",
                    w.days
                ));
            }
        }
    }
    out.push_str("# HELP forum_crisis_false_alarm_ratio Resolved crisis items marked as false alarms.\n");
    out.push_str("# TYPE forum_crisis_false_alarm_ratio gauge\n");
    for w in &figures.windows {
        if let Some(rate) = w.false_alarm_rate {
            out.push_str(&format!("forum_crisis_false_alarm_ratio{{window=\"{}d\"}} {rate}\n", w.days));
        }
    }
    out.push_str("# TYPE forum_crisis_items_opened gauge\n");
    for w in &figures.windows {
        out.push_str(&format!("forum_crisis_items_opened{{window=\"{}d\"}} {}\n", w.days, w.items));
    }
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], out).into_response())
}

#[derive(Deserialize)]
struct ItemActionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    reason: String,
}

async fn act_on_item_route(
    State(state): State<AppState>,
    session: ModSession,
    Path(id): Path<String>,
    Form(form): Form<ItemActionForm>,
) -> AppResult<Response> {
    session.check_csrf(&state, &form.csrf)?;
    let id: QueueItemId = super::parse_id(&id)?;
    let action = match form.action.as_str() {
        "claim" => ItemAction::Claim,
        "note" => ItemAction::Note(form.note.clone()),
        "resolve" => ItemAction::Resolve,
        "support_offered" => ItemAction::SupportOffered,
        "false_alarm" => ItemAction::FalseAlarm,
        _ => return Err(AppError::BadRequest("Unknown action.".into())),
    };
    let moderator = session.moderator.clone();
    let reason = form.reason;
    state.db(move |c| act_on_item(c, &moderator, id, &action, &reason)).await?;
    Ok(Redirect::to(&format!("/mod/queue#item{id}")).into_response())
}

#[derive(Deserialize)]
struct LogQuery {
    before: Option<String>,
}

/// The public log: actions and reasons, newest first; moderators' names only for admins.
async fn show_modlog(
    State(state): State<AppState>,
    ctx: PageCtx,
    session: Option<ModSession>,
    Query(q): Query<LogQuery>,
) -> AppResult<Markup> {
    const PER_PAGE: i64 = 50;
    let before = match q.before.as_deref() {
        None | Some("") => None,
        Some(b) => Some(ModLogId(
            b.parse().map_err(|_| AppError::BadRequest("That page link is not valid.".into()))?,
        )),
    };
    let entries = state.db(move |c| ModLogEntry::recent(c, before, PER_PAGE + 1)).await?;
    let mut entries = entries;
    let next = if entries.len() as i64 > PER_PAGE {
        entries.truncate(PER_PAGE as usize);
        entries.last().map(|(e, _)| e.id.0)
    } else {
        None
    };
    let show_names = session.as_ref().is_some_and(|s| s.moderator.is_admin);
    Ok(pages::modlog(&ctx, session.as_ref(), &entries, show_names, next))
}

async fn show_admin(
    State(state): State<AppState>,
    ctx: PageCtx,
    AdminSession(session): AdminSession,
) -> AppResult<Markup> {
    admin_page(&state, ctx, &session, None).await.map(|(_, page)| page)
}

async fn admin_page(
    state: &AppState,
    ctx: PageCtx,
    session: &ModSession,
    error: Option<&str>,
) -> AppResult<(StatusCode, Markup)> {
    let (moderators, boards, rules, supporters) = state
        .db(|c| Ok((Moderator::all(c)?, Board::all(c)?, WordRule::all(c)?, Supporter::all_active(c)?)))
        .await?;
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let supporters: Vec<(String, Supporter)> =
        supporters.into_iter().map(|s| (state.secrets.supporter_code(s.poster_id), s)).collect();
    let page =
        pages::admin(&mod_ctx(ctx, session), session, &moderators, &boards, &rules, &supporters, error);
    Ok((status, page))
}

/// Runs an admin change; a refused change comes back as the admin page with its message.
async fn admin_change<F>(
    state: &AppState,
    ctx: PageCtx,
    session: &ModSession,
    change: F,
) -> AppResult<Response>
where
    F: FnOnce(&mut forum_core::DbConn) -> forum_core::CoreResult<()> + Send + 'static,
{
    match state.db(change).await {
        Ok(()) => {
            state.forget_nav();
            state.forget_word_rules();
            Ok(Redirect::to("/mod/admin").into_response())
        }
        Err(AppError::BadRequest(message) | AppError::Conflict(message)) => {
            Ok(admin_page(state, ctx, session, Some(&message)).await?.into_response())
        }
        Err(other) => Err(other),
    }
}

#[derive(Deserialize)]
struct NewModeratorForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    admin: Option<String>,
}

async fn add_moderator(
    State(state): State<AppState>,
    ctx: PageCtx,
    AdminSession(session): AdminSession,
    Form(form): Form<NewModeratorForm>,
) -> AppResult<Response> {
    session.check_csrf(&state, &form.csrf)?;
    let admin_id = session.moderator.id;
    admin_change(&state, ctx, &session, move |c| {
        let m = NewModerator { name: &form.name, password: &form.password, is_admin: form.admin.is_some() }
            .insert(c)?;
        forum_core::models::NewModLog::new(Some(admin_id), "add_moderator", "moderator", m.id.0, "")
            .insert(c)?;
        Ok(())
    })
    .await
}

#[derive(Deserialize)]
struct DisableForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    disabled: String,
}

async fn set_moderator_disabled(
    State(state): State<AppState>,
    ctx: PageCtx,
    AdminSession(session): AdminSession,
    Path(id): Path<String>,
    Form(form): Form<DisableForm>,
) -> AppResult<Response> {
    session.check_csrf(&state, &form.csrf)?;
    let id: ModeratorId = super::parse_id(&id)?;
    if id == session.moderator.id {
        return Err(AppError::BadRequest("You cannot disable your own account.".into()));
    }
    let disabled = form.disabled == "true";
    let admin_id = session.moderator.id;
    admin_change(&state, ctx, &session, move |c| {
        Moderator::set_disabled(c, id, disabled)?;
        if disabled {
            StoredSession::delete_all_for(c, id)?;
        }
        let action = if disabled { "disable_moderator" } else { "enable_moderator" };
        forum_core::models::NewModLog::new(Some(admin_id), action, "moderator", id.0, "").insert(c)?;
        Ok(())
    })
    .await
}

#[derive(Deserialize)]
struct BoardForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    slug: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    moderation_mode: String,
    #[serde(default)]
    hold_crisis_posts: Option<String>,
}

async fn add_board(
    State(state): State<AppState>,
    ctx: PageCtx,
    AdminSession(session): AdminSession,
    Form(form): Form<BoardForm>,
) -> AppResult<Response> {
    session.check_csrf(&state, &form.csrf)?;
    admin_change(&state, ctx, &session, move |c| {
        NewBoard::new(form.slug.trim(), &form.name, form.description.trim()).insert(c)?;
        Ok(())
    })
    .await
}

async fn update_board(
    State(state): State<AppState>,
    ctx: PageCtx,
    AdminSession(session): AdminSession,
    Path(id): Path<String>,
    Form(form): Form<BoardForm>,
) -> AppResult<Response> {
    session.check_csrf(&state, &form.csrf)?;
    let id: BoardId = super::parse_id(&id)?;
    let mode: ModerationMode =
        form.moderation_mode.parse().map_err(|_| AppError::BadRequest("Unknown moderation mode.".into()))?;
    admin_change(&state, ctx, &session, move |c| {
        Board::update(c, id, &form.name, form.description.trim(), mode, form.hold_crisis_posts.is_some())?;
        Ok(())
    })
    .await
}

#[derive(Deserialize)]
struct RuleForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    pattern: String,
    #[serde(default)]
    is_regex: Option<String>,
    #[serde(default)]
    action: String,
    #[serde(default)]
    message: String,
}

async fn add_rule(
    State(state): State<AppState>,
    ctx: PageCtx,
    AdminSession(session): AdminSession,
    Form(form): Form<RuleForm>,
) -> AppResult<Response> {
    session.check_csrf(&state, &form.csrf)?;
    let action: RuleAction =
        form.action.parse().map_err(|_| AppError::BadRequest("Unknown rule action.".into()))?;
    let is_regex = form.is_regex.is_some();
    if let Err(message) = forum_mod::rules::compile(&form.pattern, is_regex) {
        return Ok(admin_page(&state, ctx, &session, Some(&message)).await?.into_response());
    }
    admin_change(&state, ctx, &session, move |c| {
        WordRule::insert(c, form.pattern.trim(), is_regex, action, form.message.trim())?;
        Ok(())
    })
    .await
}

async fn delete_rule(
    State(state): State<AppState>,
    ctx: PageCtx,
    AdminSession(session): AdminSession,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> AppResult<Response> {
    session.check_csrf(&state, &form.csrf)?;
    let id: WordRuleId = super::parse_id(&id)?;
    admin_change(&state, ctx, &session, move |c| WordRule::delete(c, id)).await
}

#[derive(Deserialize)]
struct SupporterForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
}

/// An admin gives the peer-supporter role to the member whose code they were given.
async fn grant_supporter(
    State(state): State<AppState>,
    ctx: PageCtx,
    AdminSession(session): AdminSession,
    Form(form): Form<SupporterForm>,
) -> AppResult<Response> {
    session.check_csrf(&state, &form.csrf)?;
    let Some(poster) = state.secrets.parse_supporter_code(&form.code) else {
        return Ok(admin_page(&state, ctx, &session, Some("That is not a valid supporter code."))
            .await?
            .into_response());
    };
    let admin = session.moderator.id;
    admin_change(&state, ctx, &session, move |c| {
        forum_core::models::Poster::by_id(c, poster)?;
        let name = form.name.trim();
        Supporter::grant(c, poster, Some(admin), (!name.is_empty()).then_some(name))?;
        forum_core::models::NewModLog::new(Some(admin), "grant_supporter", "supporter", poster.0, "")
            .insert(c)?;
        Ok(())
    })
    .await
}

async fn revoke_supporter(
    State(state): State<AppState>,
    ctx: PageCtx,
    AdminSession(session): AdminSession,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> AppResult<Response> {
    session.check_csrf(&state, &form.csrf)?;
    let poster: forum_core::ids::PosterId = super::parse_id(&id)?;
    let admin = session.moderator.id;
    admin_change(&state, ctx, &session, move |c| {
        Supporter::revoke(c, poster)?;
        forum_core::models::NewModLog::new(Some(admin), "revoke_supporter", "supporter", poster.0, "")
            .insert(c)?;
        Ok(())
    })
    .await
}
