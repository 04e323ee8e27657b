//! The one helper module every integration test binary (and the benchmarks) share: idlink
//! on a real socket (port 0), a temporary SQLite file and the simulated ORCID mounted
//! beside it, exactly as in demo mode; requests as a browser makes them; and waiting by
//! polling rather than by fixed sleeps.
// Each binary uses a part of this module.
#![allow(dead_code, unused_imports)]

mod app;
mod forms;
mod http;
mod jobs;
pub mod measure;
mod smtp;
mod wait;

pub use app::TestApp;
pub use forms::{multipart, with_token, work_form};
pub use http::{hidden_value, location, ok, query_param, set_cookie};
pub use jobs::{affiliation_item, employment, job_item, journal_articles};
pub use smtp::{Received, TestSmtp};
pub use wait::{wait_for, wait_until, wait_until_every, TimedOut};
