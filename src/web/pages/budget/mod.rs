//! The budget's pages: the public portal and its open data (`portal`), following the
//! budget by e-mail (`follow`), and the staff's desk where documents are drafted, voted,
//! approved and published (`desk`).

pub mod desk;
pub mod follow;
pub mod portal;
