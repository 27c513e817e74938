//! What the public verify page says of a code: the receipt it belongs to, with the
//! payer's name partly masked, whether it is valid or cancelled, and whether what the
//! database holds still matches the code (a row altered behind Commune's back does not).

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::Serialize;

use super::code::{self, Content};
use super::Status;
use crate::communes;
use crate::db::schema::{
    assessments, communes as communes_t, payment_allocations, payments, tax_types, taxpayers,
};
use crate::db::DbConn;
use crate::ids::{CommuneId, PaymentId};
use crate::money::Xof;

/// A receipt as the verify page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Verified {
    pub commune_name: String,
    pub commune_slug: String,
    pub country: String,
    pub receipt_number: String,
    pub amount: Xof,
    pub paid_on: NaiveDate,
    /// The taxes paid, French and English names.
    pub taxes: Vec<(String, String)>,
    pub payer: String,
    pub status: Status,
    /// The code still matches what the receipt says.
    pub genuine: bool,
}

type Row = (
    PaymentId,
    CommuneId,
    String,
    String,
    String,
    String,
    Xof,
    NaiveDate,
    Option<String>,
    Option<String>,
    Option<String>,
    Status,
);

/// The receipt whose code is `code` (as [`code::parse`] returns it), if any.
pub fn verify(conn: &mut DbConn, code: &str) -> QueryResult<Option<Verified>> {
    let row: Option<Row> = payments::table
        .inner_join(communes_t::table)
        .left_join(taxpayers::table)
        .filter(payments::verification_code.eq(code))
        .select((
            payments::id,
            payments::commune_id,
            communes_t::name,
            communes_t::slug,
            communes_t::country,
            payments::receipt_number,
            payments::amount,
            payments::paid_on,
            taxpayers::reference.nullable(),
            taxpayers::name.nullable(),
            payments::payer,
            payments::status,
        ))
        .get_result(conn)
        .optional()?;
    let Some((
        id,
        commune,
        name,
        slug,
        country,
        receipt,
        amount,
        paid_on,
        tref,
        tname,
        payer,
        status,
    )) = row
    else {
        return Ok(None);
    };
    let key = communes::receipt_key(conn, commune)?;
    let payer_ref = tref.or(payer.clone()).unwrap_or_default();
    let expected = code::sign(
        &key,
        &Content {
            commune: &slug,
            receipt: &receipt,
            amount: amount.0,
            paid_on,
            payer: &payer_ref,
        },
    );
    Ok(Some(Verified {
        commune_name: name,
        commune_slug: slug,
        country,
        receipt_number: receipt,
        amount,
        paid_on,
        taxes: taxes_paid(conn, id)?,
        payer: mask(tname.or(payer).as_deref().unwrap_or("")),
        status,
        genuine: expected == code,
    }))
}

/// The names of the taxes a receipt paid: a ticket's fee, or the fees of the lines a
/// payment settled.
pub fn taxes_paid(conn: &mut DbConn, id: PaymentId) -> QueryResult<Vec<(String, String)>> {
    let ticket: Vec<(String, String)> = payments::table
        .inner_join(tax_types::table)
        .filter(payments::id.eq(id))
        .select((tax_types::name_fr, tax_types::name_en))
        .load(conn)?;
    if !ticket.is_empty() {
        return Ok(ticket);
    }
    payment_allocations::table
        .inner_join(assessments::table.inner_join(tax_types::table))
        .filter(payment_allocations::payment_id.eq(id))
        .select((tax_types::name_fr, tax_types::name_en))
        .distinct()
        .order(tax_types::name_fr.asc())
        .load(conn)
}

/// A name partly masked for a public page: each word keeps its first letter, and the
/// first word its last one too when long enough ("Moussa Diallo" → "M••••a D•••••").
pub fn mask(name: &str) -> String {
    name.split_whitespace()
        .enumerate()
        .map(|(i, w)| {
            let chars: Vec<char> = w.chars().collect();
            let n = chars.len();
            let mut out = String::new();
            for (j, c) in chars.iter().enumerate() {
                let keep = j == 0 || (i == 0 && n >= 4 && j == n - 1) || !c.is_alphanumeric();
                out.push(if keep { *c } else { '•' });
            }
            out
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_keeps_its_initials_and_hides_the_rest() {
        assert_eq!(mask("Moussa Diallo"), "M••••a D•••••");
        assert_eq!(mask("Awa  Ndiaye-Sow"), "A•• N•••••-•••");
        assert_eq!(mask("Étal 14"), "É••l 1•");
        assert_eq!(mask(""), "");
    }
}
