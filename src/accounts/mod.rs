//! Accounts: users, roles, passwords, login limits and authorisation.

pub mod authz;
pub mod membership;
pub mod password;
pub mod resets;
mod role;
pub mod throttle;
pub mod users;

pub use authz::{Access, Perm};
pub use role::Role;
pub use users::User;
