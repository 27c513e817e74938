//! The commune budget on a real database (SQLite and PostgreSQL): documents from draft
//! to publication, the balance rules and the participatory winners flowing in.

mod documents;
