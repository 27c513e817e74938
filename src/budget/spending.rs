//! The execution of the budget as the ordonnateur's services record it: commitments
//! (*engagements*) against a spending article's open credit, payment orders (*mandats*)
//! against a commitment, each paid once by the comptable (the treasurer), and revenue
//! titles (*titres de recette*) for what does not pass the counter (State transfers,
//! grants, loans). Each record is in the audit chain. The rules are the pure
//! [`check_commitment`], [`check_order`], [`check_title`] and [`check_payment`]; the
//! figures per article ([`by_article`], [`titles_by_article`]) are what the portal and
//! the compte administratif read.

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;
use serde_json::json;

use super::documents;
use super::nomenclature::{Direction, Nomenclature};
use crate::audit::{self, Actor, Event};
use crate::communes::{self, Commune};
use crate::db::schema::{budget_commitments as bc, budget_orders as bo, budget_titles as bt};
use crate::db::DbConn;
use crate::error::{DomainError, DomainResult, Refusal};
use crate::ids::{CommitmentId, CommuneId, OrderId, TitleId, UserId};
use crate::money::Xof;

crate::text_enum!(
    /// The kinds of record, as a CSV file names them.
    pub RecordKind {
        Commitment = "engagement",
        Order = "mandat",
        Title = "titre",
    }
);

/// A record as typed in a form or a CSV row. A mandat names its commitment's reference
/// in `commitment` (its article, when given, must be the commitment's); a mandat has no
/// label of its own.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Record {
    pub reference: String,
    pub on: Option<NaiveDate>,
    pub article: String,
    pub amount: Xof,
    pub label: String,
    pub commitment: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = bc)]
pub struct Commitment {
    pub id: CommitmentId,
    pub commune_id: CommuneId,
    pub fiscal_year: i64,
    pub reference: String,
    pub article: String,
    pub label: String,
    pub amount: i64,
    pub committed_on: NaiveDate,
    pub created_by: Option<UserId>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = bo)]
pub struct Order {
    pub id: OrderId,
    pub commune_id: CommuneId,
    pub fiscal_year: i64,
    pub number: String,
    pub commitment_id: CommitmentId,
    pub amount: i64,
    pub ordered_on: NaiveDate,
    pub created_by: Option<UserId>,
    pub created_at: NaiveDateTime,
    pub paid_on: Option<NaiveDate>,
    pub paid_by: Option<UserId>,
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = bt)]
pub struct Title {
    pub id: TitleId,
    pub commune_id: CommuneId,
    pub fiscal_year: i64,
    pub reference: String,
    pub article: String,
    pub label: String,
    pub amount: i64,
    pub issued_on: NaiveDate,
    pub created_by: Option<UserId>,
    pub created_at: NaiveDateTime,
}

/// One spending article's execution: its open credit, and what was committed, ordered
/// and paid on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Execution {
    pub article: String,
    pub credit: i64,
    pub committed: i64,
    pub ordered: i64,
    pub paid: i64,
}

impl Execution {
    /// The credit still free for commitments (negative if credits were reduced since).
    pub fn available(&self) -> i64 {
        self.credit - self.committed
    }
}

// ---------------------------------------------------------------------------------
// The rules, pure.

/// Where a record is checked: the nomenclature, the fiscal year and today.
#[derive(Debug, Clone, Copy)]
pub struct Frame<'a> {
    pub n: &'a Nomenclature,
    pub year: i64,
    pub today: NaiveDate,
}

fn check_common(f: &Frame<'_>, r: &Record, label: bool, errors: &mut Vec<Refusal>) {
    let reference = r.reference.trim().chars().count();
    if !(1..=40).contains(&reference) {
        errors.push(Refusal::new("spending.reference").on("reference"));
    }
    if label && !(1..=200).contains(&r.label.trim().chars().count()) {
        errors.push(Refusal::new("spending.label").on("label"));
    }
    if r.amount.0 <= 0 || r.amount > Xof::MAX_ENTRY {
        errors.push(
            Refusal::new("spending.amount")
                .arg("max", Xof::MAX_ENTRY)
                .on("amount"),
        );
    }
    match r.on {
        Some(on) if i64::from(on.year()) == f.year && on <= f.today => {}
        _ => errors.push(Refusal::new("spending.date").arg("year", f.year).on("date")),
    }
}

/// The article must be one of the nomenclature's in `direction`, not the transfer.
fn check_article(f: &Frame<'_>, article: &str, direction: Direction) -> Option<Refusal> {
    let ok =
        f.n.article(article.trim())
            .is_some_and(|a| a.direction == direction && !a.transfer);
    let key = match direction {
        Direction::Spending => "spending.article_spending",
        Direction::Revenue => "spending.article_revenue",
    };
    (!ok).then(|| {
        Refusal::new(key)
            .arg("article", article.trim())
            .on("article")
    })
}

fn taken(taken: bool) -> Option<Refusal> {
    taken.then(|| Refusal::new("spending.reference_taken").on("reference"))
}

/// A commitment: a spending article, within its available credit (`credit` open for
/// the year, `committed` already), with a reference not yet used this year.
pub fn check_commitment(
    f: &Frame<'_>,
    r: &Record,
    credit: i64,
    committed: i64,
    reference_taken: bool,
) -> Vec<Refusal> {
    let mut errors = Vec::new();
    check_common(f, r, true, &mut errors);
    errors.extend(taken(reference_taken));
    if let Some(e) = check_article(f, &r.article, Direction::Spending) {
        errors.push(e);
    } else if r.amount.0 > 0 && r.amount.0 > credit - committed {
        errors.push(
            Refusal::new("spending.over_credit")
                .arg("article", r.article.trim())
                .arg("credit", Xof(credit))
                .arg("committed", Xof(committed))
                .arg("remaining", Xof((credit - committed).max(0)))
                .arg("amount", r.amount)
                .on("amount"),
        );
    }
    errors
}

/// What a mandat is checked against: its commitment, and what was ordered on it.
#[derive(Debug, Clone)]
pub struct OrderBasis {
    pub article: String,
    pub amount: i64,
    pub committed_on: NaiveDate,
    pub ordered: i64,
}

/// A mandat: on a known commitment, not above what remains of it, not before it.
pub fn check_order(
    f: &Frame<'_>,
    r: &Record,
    basis: Option<&OrderBasis>,
    number_taken: bool,
) -> Vec<Refusal> {
    let mut errors = Vec::new();
    check_common(f, r, false, &mut errors);
    errors.extend(taken(number_taken));
    let Some(b) = basis else {
        errors.push(
            Refusal::new("spending.unknown_commitment")
                .arg("commitment", r.commitment.trim())
                .on("commitment"),
        );
        return errors;
    };
    if !r.article.trim().is_empty() && r.article.trim() != b.article {
        errors.push(
            Refusal::new("spending.order_article")
                .arg("article", b.article.as_str())
                .on("article"),
        );
    }
    let remaining = b.amount - b.ordered;
    if r.amount.0 > 0 && r.amount.0 > remaining {
        errors.push(
            Refusal::new("spending.over_commitment")
                .arg("commitment", r.commitment.trim())
                .arg("committed", Xof(b.amount))
                .arg("ordered", Xof(b.ordered))
                .arg("remaining", Xof(remaining.max(0)))
                .on("amount"),
        );
    }
    if r.on.is_some_and(|on| on < b.committed_on) {
        errors.push(
            Refusal::new("spending.order_before_commitment")
                .arg("date", b.committed_on.to_string())
                .on("date"),
        );
    }
    errors
}

/// A revenue title: a revenue article (not the transfer), a reference not yet used.
pub fn check_title(f: &Frame<'_>, r: &Record, reference_taken: bool) -> Vec<Refusal> {
    let mut errors = Vec::new();
    check_common(f, r, true, &mut errors);
    errors.extend(taken(reference_taken));
    errors.extend(check_article(f, &r.article, Direction::Revenue));
    errors
}

/// A payment: once, by someone other than who ordered it, on or after the order's date
/// and not in the future.
pub fn check_payment(
    order: &Order,
    payer: Option<UserId>,
    on: NaiveDate,
    today: NaiveDate,
) -> Option<Refusal> {
    if order.paid_on.is_some() {
        return Some(Refusal::new("spending.already_paid"));
    }
    if payer.is_some() && payer == order.created_by {
        return Some(Refusal::new("spending.payer_is_orderer"));
    }
    if on < order.ordered_on || on > today {
        return Some(
            Refusal::new("spending.paid_on")
                .arg("date", order.ordered_on.to_string())
                .on("date"),
        );
    }
    None
}

// ---------------------------------------------------------------------------------
// Reads.

fn frame(commune: &Commune, year: i64) -> Frame<'static> {
    Frame {
        n: super::nomenclature::of(commune.country),
        year,
        today: commune.today(),
    }
}

pub fn commitments(
    conn: &mut DbConn,
    commune: CommuneId,
    year: i64,
) -> QueryResult<Vec<Commitment>> {
    bc::table
        .filter(bc::commune_id.eq(commune))
        .filter(bc::fiscal_year.eq(year))
        .order(bc::id)
        .select(Commitment::as_select())
        .load(conn)
}

pub fn orders(conn: &mut DbConn, commune: CommuneId, year: i64) -> QueryResult<Vec<Order>> {
    bo::table
        .filter(bo::commune_id.eq(commune))
        .filter(bo::fiscal_year.eq(year))
        .order(bo::id)
        .select(Order::as_select())
        .load(conn)
}

pub fn titles(conn: &mut DbConn, commune: CommuneId, year: i64) -> QueryResult<Vec<Title>> {
    bt::table
        .filter(bt::commune_id.eq(commune))
        .filter(bt::fiscal_year.eq(year))
        .order(bt::id)
        .select(Title::as_select())
        .load(conn)
}

fn sum_by<K: Ord>(rows: impl IntoIterator<Item = (K, i64)>) -> std::collections::BTreeMap<K, i64> {
    let mut by = std::collections::BTreeMap::new();
    for (k, v) in rows {
        *by.entry(k).or_insert(0) += v;
    }
    by
}

/// Each spending article with a credit or a record, in the nomenclature's order: its
/// credit, and what was committed, ordered and paid on it (the transfer is left out).
pub fn by_article(conn: &mut DbConn, commune: &Commune, year: i64) -> QueryResult<Vec<Execution>> {
    let credits = sum_by(documents::credits(conn, commune.id, year)?);
    let committed = sum_by(
        bc::table
            .filter(bc::commune_id.eq(commune.id))
            .filter(bc::fiscal_year.eq(year))
            .select((bc::article, bc::amount))
            .load::<(String, i64)>(conn)?,
    );
    let orders: Vec<(String, i64, Option<NaiveDate>)> = bo::table
        .inner_join(bc::table)
        .filter(bo::commune_id.eq(commune.id))
        .filter(bo::fiscal_year.eq(year))
        .select((bc::article, bo::amount, bo::paid_on))
        .load(conn)?;
    let ordered = sum_by(orders.iter().map(|(a, v, _)| (a.clone(), *v)));
    let paid = sum_by(
        orders
            .iter()
            .filter(|(_, _, p)| p.is_some())
            .map(|(a, v, _)| (a.clone(), *v)),
    );
    let n = super::nomenclature::of(commune.country);
    let get = |m: &std::collections::BTreeMap<String, i64>, k: &str| m.get(k).copied().unwrap_or(0);
    Ok(n.articles()
        .filter(|a| a.direction == Direction::Spending && !a.transfer)
        .map(|a| Execution {
            article: a.code.clone(),
            credit: get(&credits, &a.code),
            committed: get(&committed, &a.code),
            ordered: get(&ordered, &a.code),
            paid: get(&paid, &a.code),
        })
        .filter(|e| e.credit != 0 || e.committed != 0)
        .collect())
}

/// The revenue titles of `year`, summed by article.
pub fn titles_by_article(
    conn: &mut DbConn,
    commune: CommuneId,
    year: i64,
) -> QueryResult<Vec<(String, Xof)>> {
    let rows: Vec<(String, i64)> = bt::table
        .filter(bt::commune_id.eq(commune))
        .filter(bt::fiscal_year.eq(year))
        .select((bt::article, bt::amount))
        .load(conn)?;
    Ok(sum_by(rows).into_iter().map(|(a, v)| (a, Xof(v))).collect())
}

/// The mandats of `year`, summed by the article of their commitment.
pub fn ordered_by_article(
    conn: &mut DbConn,
    commune: CommuneId,
    year: i64,
) -> QueryResult<Vec<(String, i64)>> {
    let rows: Vec<(String, i64)> = bo::table
        .inner_join(bc::table)
        .filter(bo::commune_id.eq(commune))
        .filter(bo::fiscal_year.eq(year))
        .select((bc::article, bo::amount))
        .load(conn)?;
    Ok(sum_by(rows).into_iter().collect())
}

// ---------------------------------------------------------------------------------
// Writes, each in the caller's write transaction, under the commune's lock.

fn refused(errors: Vec<Refusal>) -> DomainResult<()> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(DomainError::Invalid(errors))
    }
}

fn record_audit(
    conn: &mut DbConn,
    commune: &Commune,
    actor: &Actor,
    event: Event<'_>,
) -> DomainResult<()> {
    audit::append(conn, commune.id, actor, event)?;
    Ok(())
}

/// Records a commitment; refused (every reason) when a rule is broken.
pub fn commit(
    conn: &mut DbConn,
    commune: &Commune,
    year: i64,
    r: &Record,
    actor: &Actor,
) -> DomainResult<CommitmentId> {
    communes::lock(conn, commune.id)?;
    let (article, reference) = (r.article.trim(), r.reference.trim());
    let credit: i64 = documents::credits(conn, commune.id, year)?
        .into_iter()
        .filter(|(a, _)| a == article)
        .map(|(_, v)| v)
        .sum();
    let mine = bc::table
        .filter(bc::commune_id.eq(commune.id))
        .filter(bc::fiscal_year.eq(year));
    let committed: i64 = mine
        .filter(bc::article.eq(article))
        .select(bc::amount)
        .load::<i64>(conn)?
        .into_iter()
        .sum();
    let taken: i64 = mine
        .filter(bc::reference.eq(reference))
        .count()
        .get_result(conn)?;
    refused(check_commitment(
        &frame(commune, year),
        r,
        credit,
        committed,
        taken > 0,
    ))?;
    let on = r.on.expect("checked");
    let id: CommitmentId = diesel::insert_into(bc::table)
        .values((
            bc::commune_id.eq(commune.id),
            bc::fiscal_year.eq(year),
            bc::reference.eq(reference),
            bc::article.eq(article),
            bc::label.eq(r.label.trim()),
            bc::amount.eq(r.amount.0),
            bc::committed_on.eq(on),
            bc::created_by.eq(actor.id),
            bc::created_at.eq(crate::db::now()),
        ))
        .returning(bc::id)
        .get_result(conn)?;
    let details = json!({ "year": year, "reference": reference, "article": article,
        "amount": r.amount.0, "on": on, "label": r.label.trim() });
    record_audit(
        conn,
        commune,
        actor,
        Event::new("budget.commit", "commitment", id).details(details),
    )?;
    Ok(id)
}

/// Records a mandat on a commitment of the same year.
pub fn order(
    conn: &mut DbConn,
    commune: &Commune,
    year: i64,
    r: &Record,
    actor: &Actor,
) -> DomainResult<OrderId> {
    communes::lock(conn, commune.id)?;
    let number = r.reference.trim();
    let found: Option<Commitment> = bc::table
        .filter(bc::commune_id.eq(commune.id))
        .filter(bc::fiscal_year.eq(year))
        .filter(bc::reference.eq(r.commitment.trim()))
        .select(Commitment::as_select())
        .get_result(conn)
        .optional()?;
    let basis = match &found {
        Some(c) => {
            let ordered: i64 = bo::table
                .filter(bo::commitment_id.eq(c.id))
                .select(bo::amount)
                .load::<i64>(conn)?
                .into_iter()
                .sum();
            Some(OrderBasis {
                article: c.article.clone(),
                amount: c.amount,
                committed_on: c.committed_on,
                ordered,
            })
        }
        None => None,
    };
    let taken: i64 = bo::table
        .filter(bo::commune_id.eq(commune.id))
        .filter(bo::fiscal_year.eq(year))
        .filter(bo::number.eq(number))
        .count()
        .get_result(conn)?;
    refused(check_order(
        &frame(commune, year),
        r,
        basis.as_ref(),
        taken > 0,
    ))?;
    let (c, on) = (found.expect("checked"), r.on.expect("checked"));
    let id: OrderId = diesel::insert_into(bo::table)
        .values((
            bo::commune_id.eq(commune.id),
            bo::fiscal_year.eq(year),
            bo::number.eq(number),
            bo::commitment_id.eq(c.id),
            bo::amount.eq(r.amount.0),
            bo::ordered_on.eq(on),
            bo::created_by.eq(actor.id),
            bo::created_at.eq(crate::db::now()),
        ))
        .returning(bo::id)
        .get_result(conn)?;
    let details = json!({ "year": year, "number": number, "commitment": c.reference,
        "article": c.article, "amount": r.amount.0, "on": on });
    record_audit(
        conn,
        commune,
        actor,
        Event::new("budget.order", "order", id).details(details),
    )?;
    Ok(id)
}

/// Records a revenue title.
pub fn title(
    conn: &mut DbConn,
    commune: &Commune,
    year: i64,
    r: &Record,
    actor: &Actor,
) -> DomainResult<TitleId> {
    communes::lock(conn, commune.id)?;
    let (article, reference) = (r.article.trim(), r.reference.trim());
    let taken: i64 = bt::table
        .filter(bt::commune_id.eq(commune.id))
        .filter(bt::fiscal_year.eq(year))
        .filter(bt::reference.eq(reference))
        .count()
        .get_result(conn)?;
    refused(check_title(&frame(commune, year), r, taken > 0))?;
    let on = r.on.expect("checked");
    let id: TitleId = diesel::insert_into(bt::table)
        .values((
            bt::commune_id.eq(commune.id),
            bt::fiscal_year.eq(year),
            bt::reference.eq(reference),
            bt::article.eq(article),
            bt::label.eq(r.label.trim()),
            bt::amount.eq(r.amount.0),
            bt::issued_on.eq(on),
            bt::created_by.eq(actor.id),
            bt::created_at.eq(crate::db::now()),
        ))
        .returning(bt::id)
        .get_result(conn)?;
    let details = json!({ "year": year, "reference": reference, "article": article,
        "amount": r.amount.0, "on": on, "label": r.label.trim() });
    record_audit(
        conn,
        commune,
        actor,
        Event::new("budget.title", "title", id).details(details),
    )?;
    Ok(id)
}

/// Records a record of any kind (the CSV import's one entry).
pub fn record(
    conn: &mut DbConn,
    commune: &Commune,
    year: i64,
    kind: RecordKind,
    r: &Record,
    actor: &Actor,
) -> DomainResult<()> {
    match kind {
        RecordKind::Commitment => commit(conn, commune, year, r, actor).map(|_| ()),
        RecordKind::Order => order(conn, commune, year, r, actor).map(|_| ()),
        RecordKind::Title => title(conn, commune, year, r, actor).map(|_| ()),
    }
}

/// The comptable pays a mandat of `year`: once, not by who ordered it.
pub fn pay(
    conn: &mut DbConn,
    commune: &Commune,
    year: i64,
    id: OrderId,
    on: NaiveDate,
    actor: &Actor,
) -> DomainResult<()> {
    communes::lock(conn, commune.id)?;
    let o: Order = bo::table
        .filter(bo::commune_id.eq(commune.id))
        .filter(bo::fiscal_year.eq(year))
        .filter(bo::id.eq(id))
        .select(Order::as_select())
        .get_result(conn)?;
    if let Some(r) = check_payment(&o, actor.id, on, commune.today()) {
        return Err(r.into());
    }
    diesel::update(bo::table.find(id).filter(bo::paid_on.is_null()))
        .set((bo::paid_on.eq(Some(on)), bo::paid_by.eq(actor.id)))
        .execute(conn)?;
    let details = json!({ "year": year, "number": o.number, "amount": o.amount, "on": on });
    record_audit(
        conn,
        commune,
        actor,
        Event::new("budget.pay", "order", id).details(details),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::budget::nomenclature;
    use crate::communes::Country;

    fn frame() -> Frame<'static> {
        Frame {
            n: nomenclature::of(Country::Senegal),
            year: 2026,
            today: NaiveDate::from_ymd_opt(2026, 6, 30).unwrap(),
        }
    }

    fn day(m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(2026, m, d)
    }

    fn rec(article: &str, amount: i64) -> Record {
        Record {
            reference: "ENG-001".into(),
            on: day(3, 1),
            article: article.into(),
            amount: Xof(amount),
            label: "Quincaillerie Ndiaye".into(),
            commitment: String::new(),
        }
    }

    fn keys(errors: &[Refusal]) -> Vec<&'static str> {
        errors.iter().map(|e| e.key).collect()
    }

    #[test]
    fn a_commitment_stays_within_the_available_credit() {
        let f = frame();
        assert!(check_commitment(&f, &rec("6131", 400), 1_000, 600, false).is_empty());
        let over = check_commitment(&f, &rec("6131", 401), 1_000, 600, false);
        assert_eq!(keys(&over), ["spending.over_credit"]);
        assert_eq!(over[0].get("remaining"), Some(&Xof(400).into()));
        assert_eq!(over[0].field, Some("amount"));
    }

    #[test]
    fn a_commitment_is_on_a_spending_article_and_in_its_year() {
        let f = frame();
        let revenue = check_commitment(&f, &rec("7011", 1), 10, 0, false);
        assert_eq!(keys(&revenue), ["spending.article_spending"]);
        let transfer = check_commitment(&f, &rec("6911", 1), 10, 0, false);
        assert_eq!(keys(&transfer), ["spending.article_spending"]);
        let mut late = rec("6131", 1);
        late.on = day(7, 1);
        late.reference = " ".into();
        let errors = check_commitment(&f, &late, 10, 0, true);
        assert_eq!(
            keys(&errors),
            [
                "spending.reference",
                "spending.date",
                "spending.reference_taken"
            ]
        );
        let mut zero = rec("6131", 0);
        zero.on = NaiveDate::from_ymd_opt(2025, 12, 31);
        assert_eq!(
            keys(&check_commitment(&f, &zero, 10, 0, false)),
            ["spending.amount", "spending.date"]
        );
    }

    #[test]
    fn a_mandat_stays_within_its_commitment_and_follows_it() {
        let f = frame();
        let basis = OrderBasis {
            article: "6131".into(),
            amount: 1_000,
            committed_on: day(3, 1).unwrap(),
            ordered: 700,
        };
        let mut r = rec("", 300);
        r.commitment = "ENG-001".into();
        assert!(check_order(&f, &r, Some(&basis), false).is_empty());
        r.amount = Xof(301);
        r.on = day(2, 28);
        assert_eq!(
            keys(&check_order(&f, &r, Some(&basis), false)),
            [
                "spending.over_commitment",
                "spending.order_before_commitment"
            ]
        );
        r.article = "6011".into();
        r.amount = Xof(1);
        r.on = day(3, 1);
        assert_eq!(
            keys(&check_order(&f, &r, Some(&basis), false)),
            ["spending.order_article"]
        );
        assert_eq!(
            keys(&check_order(&f, &r, None, true)),
            ["spending.reference_taken", "spending.unknown_commitment"]
        );
    }

    #[test]
    fn a_title_is_on_a_revenue_article_other_than_the_transfer() {
        let f = frame();
        assert!(check_title(&f, &rec("7411", 5), false).is_empty());
        assert_eq!(
            keys(&check_title(&f, &rec("1011", 5), false)),
            ["spending.article_revenue"]
        );
        assert_eq!(
            keys(&check_title(&f, &rec("6131", 5), false)),
            ["spending.article_revenue"]
        );
    }

    #[test]
    fn a_mandat_is_paid_once_by_someone_else_after_it_was_ordered() {
        let today = day(6, 30).unwrap();
        let mut o = Order {
            id: OrderId(1),
            commune_id: CommuneId(1),
            fiscal_year: 2026,
            number: "M-1".into(),
            commitment_id: CommitmentId(1),
            amount: 10,
            ordered_on: day(4, 1).unwrap(),
            created_by: Some(UserId(7)),
            created_at: crate::db::now(),
            paid_on: None,
            paid_by: None,
        };
        let key = |r: Option<Refusal>| r.map(|r| r.key);
        assert_eq!(
            key(check_payment(
                &o,
                Some(UserId(8)),
                day(4, 1).unwrap(),
                today
            )),
            None
        );
        assert_eq!(
            key(check_payment(
                &o,
                Some(UserId(7)),
                day(4, 2).unwrap(),
                today
            )),
            Some("spending.payer_is_orderer")
        );
        assert_eq!(
            key(check_payment(
                &o,
                Some(UserId(8)),
                day(3, 31).unwrap(),
                today
            )),
            Some("spending.paid_on")
        );
        assert_eq!(
            key(check_payment(
                &o,
                Some(UserId(8)),
                day(7, 1).unwrap(),
                today
            )),
            Some("spending.paid_on")
        );
        o.paid_on = day(5, 1);
        assert_eq!(
            key(check_payment(
                &o,
                Some(UserId(8)),
                day(5, 2).unwrap(),
                today
            )),
            Some("spending.already_paid")
        );
    }
}
