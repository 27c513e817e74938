//! The commune's mobile-money channels: for each provider it takes payments with, its
//! merchant number there and the name payers see. Notices and reminders tell payers
//! where to send money and which reference to quote; the payments themselves arrive
//! through the providers' confirmations.

use diesel::prelude::*;
use serde::Serialize;

use crate::audit::{self, Actor, Event};
use crate::db::schema::payment_channels;
use crate::db::DbConn;
use crate::error::{DomainResult, Refusal};
use crate::ids::CommuneId;

crate::text_enum!(
    /// A mobile-money provider.
    pub Provider { Wave = "wave", MtnMomo = "mtn_momo", OrangeMoney = "orange_money" }
);

/// One way to pay the commune by mobile money.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Serialize)]
#[diesel(table_name = payment_channels)]
pub struct Channel {
    pub provider: Provider,
    pub merchant_number: String,
    pub display_name: String,
}

/// The commune's channels, in the order they were added.
pub fn list(conn: &mut DbConn, commune: CommuneId) -> QueryResult<Vec<Channel>> {
    payment_channels::table
        .filter(payment_channels::commune_id.eq(commune))
        .order(payment_channels::id.asc())
        .select(Channel::as_select())
        .load(conn)
}

/// Adds a channel; an empty or overlong number or name, or a channel the commune has
/// already, is refused.
pub fn add(
    conn: &mut DbConn,
    commune: CommuneId,
    channel: &Channel,
    actor: &Actor,
) -> DomainResult<()> {
    let number = channel.merchant_number.trim();
    let name = channel.display_name.trim();
    if number.is_empty() || number.chars().count() > 40 {
        return Err(Refusal::new("channel.bad_number")
            .on("merchant_number")
            .into());
    }
    if name.is_empty() || name.chars().count() > 120 {
        return Err(Refusal::new("channel.bad_name").on("display_name").into());
    }
    if list(conn, commune)?
        .iter()
        .any(|c| c.provider == channel.provider && c.merchant_number == number)
    {
        return Err(Refusal::new("channel.exists").into());
    }
    diesel::insert_into(payment_channels::table)
        .values((
            payment_channels::commune_id.eq(commune),
            payment_channels::provider.eq(channel.provider),
            payment_channels::merchant_number.eq(number),
            payment_channels::display_name.eq(name),
        ))
        .execute(conn)?;
    audit::append(
        conn,
        commune,
        actor,
        Event::new("payment_channel.add", "commune", commune).details(serde_json::json!({
            "provider": channel.provider, "merchant_number": number, "display_name": name,
        })),
    )?;
    Ok(())
}
