//! Durable background work: bulk pushes of works from staff CSV uploads, driven from the
//! database so a restart resumes where it stopped.

pub mod csv_rows;
pub mod findings;
pub mod intake;
pub mod progress;

pub mod reconcile;
pub mod retry;
pub mod runner;

// The statuses are stored as they are defined, next to their rows; this is their home
// for everything above the store.
pub use crate::store::{ItemStatus, JobStatus};
