//! The budget's pages: the public portal and its open data (`portal`), following the
//! budget by e-mail (`follow`), the staff's desk where documents are drafted, voted,
//! approved and published (`desk`), and the execution of spending (`spending`).

pub mod desk;
pub mod follow;
pub mod portal;
pub mod spending;
