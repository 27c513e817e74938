//! Accounts: users, roles, passwords, login limits, API tokens and authorisation.

pub mod authz;
pub mod membership;
pub mod password;
pub mod resets;
mod role;
pub mod throttle;
pub mod tokens;
pub mod users;

pub use authz::{Access, Perm};
pub use role::Role;
pub use users::User;
