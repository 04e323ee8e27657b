//! Demo mode's simulated mailbox (`/demo/mailbox`): the messages idlink "sent", each
//! openable with its HTML and text parts and a working link. Open to anyone, like the
//! rest of the demo: a person invited in the demo is not signed in yet. 404 whenever mail
//! goes to a real SMTP server or nowhere.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use tower_sessions::Session;

use super::error::PageError;
use super::format::when;
use super::pages::{render, Layout};
use super::session;
use crate::mail::{DemoMailbox, StoredMessage};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/demo/mailbox", get(list))
        .route("/demo/mailbox/{id}", get(open))
}

#[derive(Template)]
#[template(path = "demo_mailbox.html")]
struct ListPage {
    layout: Layout,
    messages: Vec<Row>,
}

struct Row {
    href: String,
    to: String,
    subject: String,
    sent: String,
}

#[derive(Template)]
#[template(path = "demo_message.html")]
struct MessagePage {
    layout: Layout,
    m: StoredMessage,
    sent: String,
}

fn mailbox(state: &AppState) -> Result<&DemoMailbox, PageError> {
    state.mailer.demo_mailbox().ok_or_else(PageError::not_found)
}

async fn layout(state: &AppState, session: &Session) -> Result<Layout, PageError> {
    Ok(match session::current_user(session).await? {
        Some(_) => Layout::new(state, true, session::csrf_token(session).await?),
        None => Layout::new(state, false, String::new()),
    })
}

async fn list(State(state): State<AppState>, session: Session) -> Result<Response, PageError> {
    let messages = mailbox(&state)?
        .list()
        .into_iter()
        .map(|m| Row {
            href: format!("/demo/mailbox/{}", m.id),
            sent: when(m.sent_at.unix_timestamp()),
            to: m.to,
            subject: m.subject,
        })
        .collect();
    Ok(render(&ListPage {
        layout: layout(&state, &session).await?,
        messages,
    }))
}

async fn open(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let mailbox = mailbox(&state)?;
    let m = id
        .parse::<u64>()
        .ok()
        .and_then(|id| mailbox.get(id))
        .ok_or_else(PageError::not_found)?;
    Ok(render(&MessagePage {
        layout: layout(&state, &session).await?,
        sent: when(m.sent_at.unix_timestamp()),
        m,
    }))
}
