//! News by e-mail: anyone may ask to follow a subject (a project, the budget) with an
//! address. Nothing is sent to the address but one message with a link until its owner
//! follows that link; every later message carries a link to leave. The link's token
//! names the subscription and lets its holder confirm or leave, nothing else, so it is
//! kept as it is (it must be written into every message).
//!
//! Asking again for the same address and subject sends a new link if the first was not
//! followed, and nothing if it was: the page says the same either way, so that it tells
//! no one who follows what.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use rand::RngCore;

use crate::db::schema::subscriptions as s;
use crate::db::DbConn;
use crate::i18n::Locale;
use crate::ids::{CommuneId, SubscriptionId};

crate::text_enum!(
    /// What a subscription follows; `subject` is the id of the thing followed.
    pub Topic {
        Project = "project",
        Budget = "budget",
    }
);

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = s)]
pub struct Subscription {
    pub id: SubscriptionId,
    pub commune_id: CommuneId,
    pub topic: Topic,
    pub subject: i64,
    pub email: String,
    pub locale: String,
    pub token: String,
    pub confirmed_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

impl Subscription {
    pub fn locale(&self) -> Locale {
        Locale::parse(&self.locale).unwrap_or(Locale::Fr)
    }
}

/// What asking to follow did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Asked {
    /// Send this token in a link, to confirm.
    Confirm(String),
    /// The address already follows the subject: send nothing.
    Already,
}

fn new_token() -> String {
    let mut bytes = [0u8; 24];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Records that `email` (already checked) asks to follow `topic`/`subject`.
pub fn ask(
    conn: &mut DbConn,
    commune: CommuneId,
    topic: Topic,
    subject: i64,
    email: &str,
    locale: Locale,
) -> QueryResult<Asked> {
    let existing: Option<Subscription> = s::table
        .filter(s::commune_id.eq(commune))
        .filter(s::topic.eq(topic))
        .filter(s::subject.eq(subject))
        .filter(s::email.eq(email))
        .select(Subscription::as_select())
        .get_result(conn)
        .optional()?;
    let token = new_token();
    match existing {
        Some(sub) if sub.confirmed_at.is_some() => return Ok(Asked::Already),
        Some(sub) => {
            diesel::update(s::table.find(sub.id))
                .set((s::token.eq(&token), s::locale.eq(locale.as_str())))
                .execute(conn)?;
        }
        None => {
            diesel::insert_into(s::table)
                .values((
                    s::commune_id.eq(commune),
                    s::topic.eq(topic),
                    s::subject.eq(subject),
                    s::email.eq(email),
                    s::locale.eq(locale.as_str()),
                    s::token.eq(&token),
                    s::created_at.eq(crate::db::now()),
                ))
                .execute(conn)?;
        }
    }
    Ok(Asked::Confirm(token))
}

/// The subscription a link's token names, in the commune.
pub fn find(
    conn: &mut DbConn,
    commune: CommuneId,
    token: &str,
) -> QueryResult<Option<Subscription>> {
    s::table
        .filter(s::commune_id.eq(commune))
        .filter(s::token.eq(token))
        .select(Subscription::as_select())
        .get_result(conn)
        .optional()
}

/// Confirms the subscription (once; again is harmless).
pub fn confirm(conn: &mut DbConn, sub: &Subscription) -> QueryResult<()> {
    if sub.confirmed_at.is_none() {
        diesel::update(s::table.find(sub.id))
            .set(s::confirmed_at.eq(Some(crate::db::now())))
            .execute(conn)?;
    }
    Ok(())
}

/// Ends the subscription: the address is forgotten.
pub fn cancel(conn: &mut DbConn, sub: &Subscription) -> QueryResult<()> {
    diesel::delete(s::table.find(sub.id))
        .execute(conn)
        .map(|_| ())
}

/// The confirmed subscribers of a subject.
pub fn recipients(
    conn: &mut DbConn,
    commune: CommuneId,
    topic: Topic,
    subject: i64,
) -> QueryResult<Vec<Subscription>> {
    s::table
        .filter(s::commune_id.eq(commune))
        .filter(s::topic.eq(topic))
        .filter(s::subject.eq(subject))
        .filter(s::confirmed_at.is_not_null())
        .order(s::id)
        .select(Subscription::as_select())
        .load(conn)
}
