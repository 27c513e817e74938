//! Handlers, one file per area. Each parses, calls the domain, and renders.

pub mod account;
pub mod admin;
pub mod api;
pub mod auth;
pub mod public;
pub mod revenue;
pub mod spaces;
pub mod system;
