//! The budget's pages: the public portal and its open data (`portal`), and the staff's
//! desk where documents are drafted, voted, approved and published (`desk`), and the
//! execution of spending (`spending`).

pub mod portal;
pub mod spending;
