//! Reminders of overdue balances: once a day at most, each taxpayer whose account has a
//! line past its due date and still unpaid gets one message, by e-mail when the
//! register has an address, else by SMS when it has a phone; a taxpayer with neither is
//! listed as unreachable.
//!
//! **Record, then send.** A reminder is claimed (its row written with `sent_at` empty,
//! and committed) before its message leaves, and confirmed (`sent_at` set) once the mail
//! server or the SMS gateway took it. A send that fails releases its claim, so a later
//! run tries again. A crash between the claim and the confirmation leaves the claim:
//! the next run that day sends nothing to that taxpayer, and the run's summary counts it
//! as unconfirmed. So a crash may cost a taxpayer that day's reminder (they will be
//! reminded on the next day's run), but never sends one twice. Sending first and
//! recording after would do the opposite: a crash after sending would repeat messages
//! that cost the commune money (SMS) and its credibility with taxpayers. The unique
//! index on (commune, taxpayer, day) makes two runs at once claim each taxpayer once.
//!
//! Amounts are read for the whole commune by one grouped query ([`overdue`]), by the
//! ledger's rule: a line is overdue when it is on an issued roll, its due date has
//! passed, and its amount with approved adjustments, less the payments allocated to it,
//! is above zero; records merged into a taxpayer count as theirs.
//!
//! [`run::run`] drives a run (the command line and the finance officer's button);
//! [`text`] writes the messages.

pub mod run;
pub mod text;

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Date};
use serde::Serialize;

use crate::audit::{self, Actor, Event};
use crate::db::schema::{assessments, reminders, rolls, taxpayers};
use crate::db::DbConn;
use crate::ids::{CommuneId, TaxpayerId};
use crate::money::Xof;

crate::text_enum!(
    /// How a reminder goes out.
    pub Medium { Email = "email", Sms = "sms" }
);

/// A taxpayer's overdue balance: the sum of what their overdue lines still owe, and the
/// oldest due date among them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Balance {
    pub taxpayer: TaxpayerId,
    pub amount: Xof,
    pub oldest_due: NaiveDate,
}

/// What a line still owes, by the ledger's rule (see [`crate::revenue::ledger`]).
const OUTSTANDING: &str = "(assessments.amount \
     + COALESCE((SELECT SUM(adjustments.amount) FROM adjustments \
                 WHERE adjustments.assessment_id = assessments.id \
                   AND adjustments.status = 'approved'), 0) \
     - COALESCE((SELECT SUM(payment_allocations.amount) FROM payment_allocations \
                 JOIN payments ON payments.id = payment_allocations.payment_id \
                 WHERE payment_allocations.assessment_id = assessments.id \
                 AND payments.status <> 'cancelled'), 0))";

/// Whose account a line is on: the record it was assessed to, or the one that record
/// was merged into.
const OWNER: &str = "COALESCE(taxpayers.merged_into, taxpayers.id)";

/// Every overdue balance of the commune on `today`, in taxpayer order: one query,
/// grouped by account, whatever the size of the register.
pub fn overdue(
    conn: &mut DbConn,
    commune: CommuneId,
    today: NaiveDate,
) -> QueryResult<Vec<Balance>> {
    let rows: Vec<(TaxpayerId, Xof, NaiveDate)> = assessments::table
        .inner_join(rolls::table)
        .inner_join(taxpayers::table)
        .filter(assessments::commune_id.eq(commune))
        .filter(rolls::status.eq("issued"))
        .filter(assessments::due_date.lt(today))
        .filter(sql::<Bool>(&format!("{OUTSTANDING} > 0")))
        .group_by(sql::<BigInt>(OWNER))
        .order(sql::<BigInt>(OWNER))
        .select((
            sql::<BigInt>(OWNER),
            sql::<BigInt>(&format!("CAST(SUM({OUTSTANDING}) AS BIGINT)")),
            sql::<Date>("MIN(assessments.due_date)"),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(taxpayer, amount, oldest_due)| Balance {
            taxpayer,
            amount,
            oldest_due,
        })
        .collect())
}

/// Who a reminder is addressed to, from the register.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Serialize)]
pub struct Contact {
    pub id: TaxpayerId,
    pub reference: String,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// The contacts of some taxpayers, by id.
pub type Contacts = HashMap<TaxpayerId, Contact>;

/// Taxpayers whose contacts one query reads.
const CONTACTS_AT_ONCE: usize = 5_000;

/// The register's contacts of these taxpayers (a taxpayer of another commune is left
/// out): one query for each few thousand, by primary key. The commune is checked here,
/// not in the query: with it in the `WHERE`, SQLite chose the commune's index and read
/// the whole register for each query (34 s for 100,000 overdue taxpayers read 200 at a
/// time, against about a second now).
pub fn contacts(
    conn: &mut DbConn,
    commune: CommuneId,
    ids: &[TaxpayerId],
) -> QueryResult<Contacts> {
    let mut out = Contacts::with_capacity(ids.len());
    for chunk in ids.chunks(CONTACTS_AT_ONCE) {
        let rows: Vec<(CommuneId, Contact)> = taxpayers::table
            .filter(taxpayers::id.eq_any(chunk))
            .select((
                taxpayers::commune_id,
                (
                    taxpayers::id,
                    taxpayers::reference,
                    taxpayers::name,
                    taxpayers::email,
                    taxpayers::phone,
                ),
            ))
            .load(conn)?;
        out.extend(
            rows.into_iter()
                .filter(|(of, _)| *of == commune)
                .map(|(_, c)| (c.id, c)),
        );
    }
    Ok(out)
}

/// The contacts a run needs: those of the overdue taxpayers not reminded today.
pub fn contacts_due(
    conn: &mut DbConn,
    commune: CommuneId,
    balances: &[Balance],
    reminded_today: &HashSet<TaxpayerId>,
) -> QueryResult<Contacts> {
    let ids: Vec<TaxpayerId> = balances
        .iter()
        .map(|b| b.taxpayer)
        .filter(|t| !reminded_today.contains(t))
        .collect();
    contacts(conn, commune, &ids)
}

/// The taxpayers reminded (or claimed) on `day`, each with whether its send was
/// confirmed.
pub fn reminded_on(
    conn: &mut DbConn,
    commune: CommuneId,
    day: NaiveDate,
) -> QueryResult<HashMap<TaxpayerId, bool>> {
    Ok(reminders::table
        .filter(reminders::commune_id.eq(commune))
        .filter(reminders::day.eq(day))
        .select((reminders::taxpayer_id, reminders::sent_at.is_not_null()))
        .load::<(TaxpayerId, bool)>(conn)?
        .into_iter()
        .collect())
}

/// How to reach a taxpayer: e-mail first (it costs nothing), else SMS.
pub fn medium(contact: &Contact) -> Option<Medium> {
    let filled = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.trim().is_empty());
    if filled(&contact.email) {
        Some(Medium::Email)
    } else if filled(&contact.phone) {
        Some(Medium::Sms)
    } else {
        None
    }
}

/// One reminder to send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reminder {
    pub taxpayer: TaxpayerId,
    pub reference: String,
    pub name: String,
    pub medium: Medium,
    /// The address or the phone number.
    pub to: String,
    pub amount: Xof,
    pub oldest_due: NaiveDate,
}

/// A taxpayer named in a summary: who could not be reached, or whose send failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Person {
    pub reference: String,
    pub name: String,
    pub amount: Xof,
}

/// What to do with some overdue balances.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    pub send: Vec<Reminder>,
    /// Reminded already today.
    pub already: u64,
    /// No e-mail and no phone.
    pub unreachable: Vec<Person>,
}

/// Who is due a reminder among `balances`: each taxpayer not reminded today, by the
/// medium their contact allows; those with no contact are unreachable.
pub fn plan(
    balances: &[Balance],
    contacts: &Contacts,
    reminded_today: &HashSet<TaxpayerId>,
) -> Plan {
    let mut out = Plan::default();
    for b in balances {
        if reminded_today.contains(&b.taxpayer) {
            out.already += 1;
            continue;
        }
        let Some(contact) = contacts.get(&b.taxpayer) else {
            continue;
        };
        let to = match medium(contact) {
            Some(Medium::Email) => (Medium::Email, contact.email.clone()),
            Some(Medium::Sms) => (Medium::Sms, contact.phone.clone()),
            None => {
                out.unreachable.push(Person {
                    reference: contact.reference.clone(),
                    name: contact.name.clone(),
                    amount: b.amount,
                });
                continue;
            }
        };
        out.send.push(Reminder {
            taxpayer: b.taxpayer,
            reference: contact.reference.clone(),
            name: contact.name.clone(),
            medium: to.0,
            to: to.1.unwrap_or_default().trim().to_string(),
            amount: b.amount,
            oldest_due: b.oldest_due,
        });
    }
    out
}

/// Claims `due` for `day`: writes a row for each taxpayer that has none yet that day,
/// and returns those reminders (the others were claimed by another run meanwhile).
/// Run it in a write transaction, committed before anything is sent.
pub fn claim(
    conn: &mut DbConn,
    commune: CommuneId,
    day: NaiveDate,
    due: &[Reminder],
) -> QueryResult<Vec<Reminder>> {
    // Nothing to claim (a batch all reminded already, or unreachable): no lock taken.
    if due.is_empty() {
        return Ok(Vec::new());
    }
    crate::communes::lock(conn, commune)?;
    let ids: Vec<TaxpayerId> = due.iter().map(|r| r.taxpayer).collect();
    let (first, last) = span(&ids);
    // The day's claims in the batch's span (for a run's batch, hardly more than its
    // own), read by range rather than by list: see [`span`].
    let taken: HashSet<TaxpayerId> = reminders::table
        .filter(reminders::commune_id.eq(commune))
        .filter(reminders::day.eq(day))
        .filter(reminders::taxpayer_id.between(first, last))
        .select(reminders::taxpayer_id)
        .load::<TaxpayerId>(conn)?
        .into_iter()
        .collect();
    let mine: Vec<Reminder> = due
        .iter()
        .filter(|r| !taken.contains(&r.taxpayer))
        .cloned()
        .collect();
    if mine.is_empty() {
        return Ok(mine);
    }
    let rows: Vec<_> = mine
        .iter()
        .map(|r| {
            (
                reminders::commune_id.eq(commune),
                reminders::taxpayer_id.eq(r.taxpayer),
                reminders::day.eq(day),
                reminders::channel.eq(r.medium),
                reminders::amount.eq(r.amount),
            )
        })
        .collect();
    crate::on_inner!(conn, c => diesel::insert_into(reminders::table).values(&rows).execute(c))?;
    Ok(mine)
}

/// Confirms the reminders that left, and releases the claims of those that failed so
/// that a later run tries them again.
pub fn settle(
    conn: &mut DbConn,
    commune: CommuneId,
    day: NaiveDate,
    sent: &[TaxpayerId],
    failed: &[TaxpayerId],
) -> QueryResult<()> {
    let of_day = reminders::commune_id
        .eq(commune)
        .and(reminders::day.eq(day))
        .and(reminders::sent_at.is_null());
    if !sent.is_empty() {
        let (first, last) = span(sent);
        diesel::update(
            reminders::table
                .filter(of_day)
                .filter(reminders::taxpayer_id.between(first, last))
                .filter(reminders::taxpayer_id.eq_any(sent)),
        )
        .set(reminders::sent_at.eq(Some(crate::db::now())))
        .execute(conn)?;
    }
    if !failed.is_empty() {
        let (first, last) = span(failed);
        diesel::delete(
            reminders::table
                .filter(of_day)
                .filter(reminders::taxpayer_id.between(first, last))
                .filter(reminders::taxpayer_id.eq_any(failed)),
        )
        .execute(conn)?;
    }
    Ok(())
}

/// The smallest and the largest of some taxpayers.
///
/// A run claims and settles its taxpayers batch by batch in id order, so a batch spans a
/// narrow range of ids, and each statement on the day's reminders bounds them by that
/// range as well as by their list. PostgreSQL always searches the index by a range,
/// whereas with statistics taken before the day's claims it chose to check the list
/// against every claim of the day: on 100,000 taxpayers each batch then read all the
/// claims before it, and a run spent 46 s claiming instead of 7.
fn span(ids: &[TaxpayerId]) -> (TaxpayerId, TaxpayerId) {
    let first = ids.iter().min().copied().unwrap_or(TaxpayerId(0));
    let last = ids.iter().max().copied().unwrap_or(TaxpayerId(0));
    (first, last)
}

/// What a run did (or, before it, what it would do).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub day: Option<NaiveDate>,
    /// Taxpayers with an overdue balance.
    pub overdue: u64,
    /// Reminders sent (or to send) by e-mail and by SMS.
    pub email: u64,
    pub sms: u64,
    /// What those reminders state in all.
    pub total: Xof,
    /// Reminded already today, by an earlier run.
    pub already: u64,
    /// Of those, claims an interrupted run left unconfirmed (perhaps not sent).
    pub unconfirmed: u64,
    /// No e-mail and no phone: the first [`LISTED`] of them, and how many in all.
    pub unreachable: Vec<Person>,
    pub unreachable_count: u64,
    /// Sends that failed (the next run tries them again).
    pub failed: Vec<Person>,
}

/// People listed by name in a summary; the counts count them all.
pub const LISTED: usize = 500;

impl Summary {
    /// Adds a planned batch: the reminders in `sent` went (or would go) out.
    pub fn add(&mut self, plan: &Plan, sent: &[&Reminder]) {
        self.already += plan.already;
        self.unreachable_count += plan.unreachable.len() as u64;
        let room = LISTED.saturating_sub(self.unreachable.len());
        self.unreachable
            .extend(plan.unreachable.iter().take(room).cloned());
        for r in sent {
            match r.medium {
                Medium::Email => self.email += 1,
                Medium::Sms => self.sms += 1,
            }
            self.total = Xof(self.total.0.saturating_add(r.amount.0));
        }
    }
}

/// What a run would do now, without sending: the finance officer's page shows it
/// before the button.
pub fn preview(conn: &mut DbConn, commune: CommuneId, day: NaiveDate) -> QueryResult<Summary> {
    let balances = overdue(conn, commune, day)?;
    let reminded = reminded_on(conn, commune, day)?;
    let done: HashSet<TaxpayerId> = reminded.keys().copied().collect();
    let mut summary = Summary {
        day: Some(day),
        overdue: balances.len() as u64,
        unconfirmed: reminded.values().filter(|sent| !**sent).count() as u64,
        ..Summary::default()
    };
    let plan = plan(
        &balances,
        &contacts_due(conn, commune, &balances, &done)?,
        &done,
    );
    summary.add(&plan, &plan.send.iter().collect::<Vec<_>>());
    Ok(summary)
}

/// Taxpayers claimed, sent and confirmed together.
pub const BATCH: usize = 200;

/// One audit entry for the run, with its counts (not one per message).
pub fn record_run(
    conn: &mut DbConn,
    commune: CommuneId,
    summary: &Summary,
    actor: &Actor,
) -> QueryResult<()> {
    audit::append(
        conn,
        commune,
        actor,
        Event::new("reminder.run", "commune", commune).details(serde_json::json!({
            "day": summary.day.map(|d| d.to_string()), "overdue": summary.overdue,
            "email": summary.email, "sms": summary.sms, "total": summary.total,
            "already": summary.already, "unconfirmed": summary.unconfirmed,
            "unreachable": summary.unreachable_count, "failed": summary.failed.len(),
        })),
    )
    .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn balance(id: i64, amount: i64) -> Balance {
        Balance {
            taxpayer: TaxpayerId(id),
            amount: Xof(amount),
            oldest_due: NaiveDate::from_ymd_opt(2026, 3, 31).unwrap(),
        }
    }

    fn contact(id: i64, email: Option<&str>, phone: Option<&str>) -> Contact {
        Contact {
            id: TaxpayerId(id),
            reference: format!("T{id}"),
            name: format!("Taxpayer {id}"),
            email: email.map(str::to_string),
            phone: phone.map(str::to_string),
        }
    }

    #[test]
    fn mail_is_preferred_then_sms_and_a_blank_contact_does_not_count() {
        assert_eq!(
            medium(&contact(1, Some("a@b.sn"), Some("+221770000000"))),
            Some(Medium::Email)
        );
        assert_eq!(
            medium(&contact(1, Some("  "), Some("+221770000000"))),
            Some(Medium::Sms)
        );
        assert_eq!(medium(&contact(1, None, Some(""))), None);
    }

    #[test]
    fn each_overdue_taxpayer_is_due_one_reminder_unless_reminded_today_or_unreachable() {
        let balances = [
            balance(1, 10_000),
            balance(2, 20_000),
            balance(3, 30_000),
            balance(4, 40_000),
        ];
        let contacts: Contacts = [
            contact(1, Some("awa@example.sn"), None),
            contact(2, None, Some("+221770000002")),
            contact(3, None, None),
            contact(4, Some("x@example.sn"), None),
        ]
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
        let reminded = HashSet::from([TaxpayerId(4)]);
        let p = plan(&balances, &contacts, &reminded);
        let sent: Vec<(i64, Medium, &str)> = p
            .send
            .iter()
            .map(|r| (r.taxpayer.0, r.medium, r.to.as_str()))
            .collect();
        assert_eq!(
            sent,
            [
                (1, Medium::Email, "awa@example.sn"),
                (2, Medium::Sms, "+221770000002")
            ]
        );
        assert_eq!(p.already, 1);
        assert_eq!(
            p.unreachable,
            [Person {
                reference: "T3".into(),
                name: "Taxpayer 3".into(),
                amount: Xof(30_000)
            }]
        );
        let mut summary = Summary::default();
        summary.add(&p, &p.send.iter().collect::<Vec<_>>());
        assert_eq!(
            (summary.email, summary.sms, summary.total),
            (1, 1, Xof(30_000))
        );
        assert_eq!((summary.already, summary.unreachable_count), (1, 1));
    }

    #[test]
    fn a_summary_names_a_bounded_number_of_unreachable_taxpayers_but_counts_them_all() {
        let balances: Vec<Balance> = (0..LISTED as i64 + 7).map(|i| balance(i, 1)).collect();
        let contacts: Contacts = (0..LISTED as i64 + 7)
            .map(|i| (TaxpayerId(i), contact(i, None, None)))
            .collect();
        let p = plan(&balances, &contacts, &HashSet::new());
        let mut summary = Summary::default();
        summary.add(&p, &[]);
        summary.add(&p, &[]);
        assert_eq!(summary.unreachable.len(), LISTED);
        assert_eq!(summary.unreachable_count, 2 * (LISTED as u64 + 7));
    }
}
