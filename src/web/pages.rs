//! askama page types: one struct per template, all sharing [`Layout`].

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::config::OrcidEnv;
use crate::state::AppState;

/// What the base layout needs on every page.
pub struct Layout {
    pub institution: String,
    pub demo: bool,
    /// Mail goes to the simulated mailbox: the demo banner links to it.
    pub demo_mailbox: bool,
    pub signed_in: bool,
    pub csrf: String,
    /// Show the "Staff" link in the header (set on staff pages with [`Layout::staff`]).
    pub staff: bool,
}

impl Layout {
    pub fn new(state: &AppState, signed_in: bool, csrf: String) -> Self {
        Self {
            institution: state.settings.institution_name.clone(),
            demo: state.settings.orcid_env == OrcidEnv::Mock,
            demo_mailbox: state.mailer.demo_mailbox().is_some(),
            signed_in,
            csrf,
            staff: false,
        }
    }

    /// For staff pages: the header links to /admin.
    pub fn staff(self) -> Self {
        Self {
            staff: true,
            ..self
        }
    }
}

pub fn render<T: Template>(t: &T) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed to render");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "idlink could not draw this page.",
            )
                .into_response()
        }
    }
}

/// An iD as ORCID's display guidelines ask: icon + full record URL, linked.
pub struct IdDisplay {
    pub url: String,
}

#[derive(Template)]
#[template(path = "landing.html")]
pub struct Landing {
    pub layout: Layout,
    /// PUBLIC_URL, when the page was opened at another address in demo mode.
    pub other_address: Option<String>,
    pub signed_in_name: Option<String>,
    pub signin_only_scope: &'static str,
    /// In demo mode, the simulated researcher to pick to see the staff pages.
    pub demo_staff: Option<DemoStaff>,
}

/// The demo's staff member, as the landing page names them.
pub struct DemoStaff {
    pub name: &'static str,
    pub orcid: String,
}

#[derive(Template)]
#[template(path = "denied.html")]
pub struct Denied {
    pub layout: Layout,
    pub signin_only_scope: &'static str,
}

#[derive(Template)]
#[template(path = "notice.html")]
pub struct Notice<'a> {
    pub layout: Layout,
    pub title: &'a str,
    pub message: &'a str,
    pub action: Option<(&'a str, &'a str)>,
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage<'a> {
    pub layout: Layout,
    pub status: u16,
    pub title: &'a str,
    pub message: &'a str,
    pub action: Option<(&'a str, &'a str)>,
}
