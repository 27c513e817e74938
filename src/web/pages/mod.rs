//! Handlers, one file per area. Each parses, calls the domain, and renders.

pub mod account;
pub mod admin;
pub mod api;
pub mod auth;
pub mod collect;
pub mod finance;
pub mod imports;
pub mod public;
pub mod spaces;
pub mod system;
