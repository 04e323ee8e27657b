//! What institution staff do, over real HTTP against the simulated ORCID: the pages under
//! /admin, bulk pushes from the CSV upload to the results, and the demo's staff member.

mod admin;
#[path = "../common/mod.rs"]
mod common;
mod demo_staff;
mod invitations;
mod invitations_lookups;
mod invitations_recovery;
mod invitations_reminders;
mod job_setup;
mod jobs_affiliations;
mod jobs_intake;
mod jobs_lookups;
mod jobs_runner;
mod mail;
mod mail_outbox;
mod org_settings;
mod reconcile_limits;
mod reconsent;
