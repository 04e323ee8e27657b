//! What a researcher does, over real HTTP against the simulated ORCID: connect their
//! ORCID iD, read, add, edit and delete works on their page, and see their affiliations.

mod affiliation_form;
mod affiliation_steps;
mod affiliation_writes;
mod affiliations;
#[path = "../common/mod.rs"]
mod common;
mod connect;
mod demo_redirect;
mod exposure;
mod fairness;
mod grants;
mod reconnect;
mod works;
