//! idlink: researchers connect their ORCID iD; the institution reads and writes their
//! ORCID records through the ORCID Member API v3.0.

pub mod affiliations;
pub mod config;
pub mod crypto;
#[cfg(feature = "demo")]
pub mod demo;
pub mod grants;
pub mod invitations;
pub mod jobs;
pub mod lookups;
pub mod mail;
pub mod metrics;
pub mod server;
pub mod state;
pub mod store;
pub mod web;
pub mod works;

pub use state::AppState;
pub use web::app;
