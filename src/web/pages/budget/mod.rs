//! The budget's pages: the public portal and its open data (`portal`), and the staff's
//! desk where documents are drafted, voted, approved and published (`desk`).

pub mod portal;
