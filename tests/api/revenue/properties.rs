//! The ledger's promise, under any sequence of acts: whatever the payments, market
//! tickets, cancellations, replays and adjustments, in any order, each taxpayer's
//! balance is what was assessed (adjusted) minus their valid payments; every valid
//! payment's receipt equals what was apportioned to the lines; tickets count in full;
//! and receipt numbers stay gap-free. Run against the real database (SQLite, and
//! PostgreSQL in CI) through the domain functions the pages and the API call.

use chrono::Datelike;
use diesel::prelude::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use commune::accounts::users;
use commune::audit::Actor;
use commune::communes::{self, Commune};
use commune::db::{self, schema, DbConn};
use commune::ids::{AssessmentId, PaymentId, TaxpayerId, UserId};
use commune::money::Xof;
use commune::revenue::adjustments::{self, AdjustmentKind};
use commune::revenue::payments::{self, cancel, tickets, Channel, Method, NewPayment};
use commune::revenue::{ledger, rolls};

use crate::helpers::{demo_email, TestApp, DAKAR};

/// One act, as generated: indexes are taken modulo what exists when it runs.
#[derive(Debug, Clone)]
enum Act {
    /// A payment of `share`/8 of the taxpayer's balance (at least 1 franc), or, when
    /// `over`, of more than the balance (refused, writes nothing).
    Pay {
        who: usize,
        share: u8,
        over: bool,
        mobile: bool,
    },
    /// The last payment's form sent again: records nothing.
    Replay,
    /// A market ticket of `days` days at the stall's tariff, with or without a
    /// register entry.
    Ticket { days: u8, registered: Option<usize> },
    /// A receipt cancelled by the treasurer and approved by a second person.
    Cancel { which: usize },
    /// A reduction or an increase of a line, asked and approved.
    Adjust { line: usize, up: bool, share: u8 },
}

fn act() -> impl Strategy<Value = Act> {
    prop_oneof![
        4 => (0..4usize, 1..=8u8, prop::bool::weighted(0.1), any::<bool>())
            .prop_map(|(who, share, over, mobile)| Act::Pay { who, share, over, mobile }),
        1 => Just(Act::Replay),
        2 => (1..=5u8, prop::option::of(0..4usize))
            .prop_map(|(days, registered)| Act::Ticket { days, registered }),
        2 => (0..64usize).prop_map(|which| Act::Cancel { which }),
        1 => (0..8usize, any::<bool>(), 1..=4u8)
            .prop_map(|(line, up, share)| Act::Adjust { line, up, share }),
    ]
}

struct World {
    commune: Commune,
    taxpayers: Vec<TaxpayerId>,
    lines: Vec<AssessmentId>,
    collector: UserId,
    treasurer: UserId,
    admin: UserId,
    officer: UserId,
    last: Option<NewPayment>,
    n: usize,
}

fn user(conn: &mut DbConn, role: &str) -> UserId {
    users::by_email(conn, &demo_email(DAKAR, role))
        .unwrap()
        .unwrap()
        .id
}

fn world(conn: &mut DbConn) -> World {
    let commune = communes::by_slug(conn, DAKAR).unwrap().unwrap();
    let mut taxpayers = Vec::new();
    let mut lines = Vec::new();
    for r in rolls::list(conn, commune.id).unwrap() {
        if !r.roll.is_issued() {
            continue;
        }
        for l in rolls::lines(conn, r.roll.id, "", 200).unwrap() {
            let t = commune::revenue::taxpayers::by_ref(conn, commune.id, &l.taxpayer_ref)
                .unwrap()
                .unwrap();
            if t.merged_into.is_none() && !taxpayers.contains(&t.id) && taxpayers.len() < 4 {
                taxpayers.push(t.id);
            }
        }
    }
    for &t in &taxpayers {
        let acct = ledger::of(conn, t, commune.today()).unwrap();
        lines.extend(acct.lines.iter().map(|l| l.row.id));
    }
    assert_eq!(
        taxpayers.len(),
        4,
        "the demo has four taxpayers with issued lines"
    );
    World {
        collector: user(conn, "collector"),
        treasurer: user(conn, "treasurer"),
        admin: user(conn, "admin"),
        officer: user(conn, "finance_officer"),
        commune,
        taxpayers,
        lines,
        last: None,
        n: 0,
    }
}

fn run(conn: &mut DbConn, w: &mut World, act: &Act) {
    let actor = Actor::system("property");
    let today = w.commune.today();
    w.n += 1;
    let token = format!("prop-{}-{}", w.n, uuid::Uuid::new_v4().simple());
    match *act {
        Act::Pay {
            who,
            share,
            over,
            mobile,
        } => {
            let t = w.taxpayers[who % w.taxpayers.len()];
            let balance = ledger::of(conn, t, today).unwrap().balance.0;
            let amount = if over {
                balance.max(0) + 1
            } else {
                (balance * i64::from(share) / 8).max(1)
            };
            let p = NewPayment {
                taxpayer: t,
                amount: Xof(amount),
                method: if mobile {
                    Method::MobileMoney
                } else {
                    Method::Cash
                },
                reference: mobile.then(|| format!("MM-{token}")),
                token,
                paid_on: None,
                channel: Channel::Counter,
            };
            let before = count(conn);
            let done = db::write_tx(conn, |c| {
                payments::record(c, &w.commune, &p, today, &actor, w.collector)
            });
            match done {
                Ok(_) => {
                    assert!(amount <= balance, "{amount} above the balance {balance}");
                    w.last = Some(p);
                }
                Err(_) => {
                    assert!(over || balance <= 0, "a fair payment refused");
                    assert_eq!(count(conn), before, "a refused payment wrote");
                }
            }
        }
        Act::Replay => {
            if let Some(p) = w.last.clone() {
                let before = count(conn);
                let again = db::write_tx(conn, |c| {
                    payments::record(c, &w.commune, &p, today, &actor, w.collector)
                });
                // Either the same receipt back, or (if it was cancelled since, and the
                // balance changed) still nothing new.
                if let Ok(issued) = again {
                    assert!(!issued.receipt_number.is_empty());
                }
                assert_eq!(count(conn), before, "a replay recorded a second payment");
            }
        }
        Act::Ticket { days, registered } => {
            let t = tickets::NewTicket {
                tax: "DPLACE".into(),
                category: Some("etal".into()),
                taxpayer: registered.map(|i| w.taxpayers[i % w.taxpayers.len()]),
                payer: Some(format!("Étal {}", w.n)),
                amount: Xof(100 * i64::from(days)),
                method: Method::Cash,
                reference: None,
                token,
                paid_on: None,
                channel: Channel::Api,
            };
            db::write_tx(conn, |c| {
                tickets::sell(c, &w.commune, &t, today, &actor, w.collector)
            })
            .expect("a ticket at the tariff sells");
        }
        Act::Cancel { which } => {
            let valid: Vec<PaymentId> = schema::payments::table
                .filter(schema::payments::commune_id.eq(w.commune.id))
                .filter(schema::payments::status.ne("cancelled"))
                .order(schema::payments::id.asc())
                .select(schema::payments::id)
                .load(conn)
                .unwrap();
            if valid.is_empty() {
                return;
            }
            let p = valid[which % valid.len()];
            let asked = db::write_tx(conn, |c| {
                cancel::request(
                    c,
                    &w.commune,
                    p,
                    "erreur de saisie (test)",
                    &actor,
                    w.treasurer,
                )
            });
            // Refused only for a receipt already cancelled (it was filtered out) or
            // reconciled (none are, here).
            let id = asked.expect("a valid receipt can be asked to be cancelled");
            db::write_tx(conn, |c| {
                cancel::decide(c, &w.commune, id, true, &actor, w.admin)
            })
            .expect("a second person approves");
        }
        Act::Adjust { line, up, share } => {
            let l = w.lines[line % w.lines.len()];
            let outstanding = adjustments::outstanding(conn, l).unwrap().0;
            let amount = (outstanding * i64::from(share) / 8).max(1);
            let req = adjustments::Request {
                line: l,
                kind: if up {
                    AdjustmentKind::Increase
                } else {
                    AdjustmentKind::Reduction
                },
                amount: Some(Xof(amount)),
                reason: "réclamation instruite (test)".into(),
            };
            // A request or an approval may be refused (a reduction below what was
            // paid): either way the ledger must stay right.
            let asked = db::write_tx(conn, |c| {
                adjustments::request(c, w.commune.id, &req, &actor, w.officer)
            });
            if let Ok(id) = asked {
                let _ = db::write_tx(conn, |c| {
                    adjustments::decide(c, w.commune.id, id, true, &actor, w.admin)
                });
            }
        }
    }
}

fn count(conn: &mut DbConn) -> i64 {
    schema::payments::table.count().get_result(conn).unwrap()
}

/// The invariants, computed from the tables without the ledger's code.
fn check(conn: &mut DbConn, w: &World) {
    use schema::{adjustments as adj, assessments, payment_allocations as alloc, payments as pay};
    let today = w.commune.today();
    for &t in &w.taxpayers {
        let assessed: Vec<(AssessmentId, i64)> = assessments::table
            .inner_join(schema::rolls::table)
            .filter(assessments::taxpayer_id.eq(t))
            .filter(schema::rolls::status.eq("issued"))
            .select((assessments::id, assessments::amount))
            .load(conn)
            .unwrap();
        let ids: Vec<AssessmentId> = assessed.iter().map(|(id, _)| *id).collect();
        let adjusted: i64 = adj::table
            .filter(adj::assessment_id.eq_any(&ids))
            .filter(adj::status.eq("approved"))
            .select(adj::amount)
            .load::<i64>(conn)
            .unwrap()
            .into_iter()
            .sum();
        let paid: i64 = pay::table
            .filter(pay::taxpayer_id.eq(t))
            .filter(pay::tax_type_id.is_null())
            .filter(pay::status.ne("cancelled"))
            .select(pay::amount)
            .load::<i64>(conn)
            .unwrap()
            .into_iter()
            .sum();
        let expected = assessed.iter().map(|(_, a)| a).sum::<i64>() + adjusted - paid;
        let acct = ledger::of(conn, t, today).unwrap();
        assert_eq!(acct.balance.0, expected, "taxpayer {t:?}'s balance");
        assert!(acct.lines.iter().all(|l| l.outstanding.0 >= 0));
    }
    // Every valid payment on a balance was apportioned in full; tickets are not
    // apportioned; a cancelled payment's allocations stay, as the record of what it did.
    let receipts: Vec<(PaymentId, i64, Option<i64>)> = pay::table
        .filter(pay::commune_id.eq(w.commune.id))
        .select((pay::id, pay::amount, pay::tax_type_id))
        .load(conn)
        .unwrap();
    for (id, amount, ticket) in &receipts {
        let spread: i64 = alloc::table
            .filter(alloc::payment_id.eq(id))
            .select(alloc::amount)
            .load::<i64>(conn)
            .unwrap()
            .into_iter()
            .sum();
        let expected = if ticket.is_some() { 0 } else { *amount };
        assert_eq!(spread, expected, "payment {id:?} apportioned");
    }
    // Receipt numbers: 1..=n for the year, no gap, none twice.
    let mut seqs: Vec<i64> = pay::table
        .filter(pay::commune_id.eq(w.commune.id))
        .filter(pay::receipt_year.eq(i64::from(today.year())))
        .select(pay::receipt_seq)
        .load(conn)
        .unwrap();
    seqs.sort_unstable();
    assert!(seqs.iter().enumerate().all(|(i, s)| *s == i as i64 + 1));
}

#[actix_web::test]
async fn balances_equal_assessments_minus_valid_payments_whatever_the_sequence() {
    let app = TestApp::spawn().await;
    let mut conn = app.conn();
    let w = world(&mut conn);
    let state = std::cell::RefCell::new((conn, w));
    let mut runner = TestRunner::new(Config {
        cases: 24,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&prop::collection::vec(act(), 1..24), |acts| {
            let (conn, w) = &mut *state.borrow_mut();
            for a in &acts {
                run(conn, w, a);
            }
            check(conn, w);
            Ok(())
        })
        .unwrap();
    // The sequences did what they say: payments, tickets and cancellations all ran.
    let (conn, _) = &mut *state.borrow_mut();
    let mut kinds = |f: &str| -> i64 {
        diesel::sql_query(format!("SELECT COUNT(*) AS n FROM payments WHERE {f}"))
            .get_result::<Counted>(conn)
            .unwrap()
            .n
    };
    assert!(kinds("tax_type_id IS NOT NULL") > 0, "no ticket sold");
    assert!(
        kinds("tax_type_id IS NULL AND status <> 'cancelled'") > 0,
        "no payment"
    );
    assert!(kinds("status = 'cancelled'") > 0, "no cancellation");
}

#[derive(QueryableByName)]
struct Counted {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}
