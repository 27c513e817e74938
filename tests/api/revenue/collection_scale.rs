//! The collection dashboard on a large commune: 100,000 taxpayers, two years of a tax
//! with last year's penalties (300,000 lines), a year of payments and market tickets.
//! A measure, not a timed test: `cargo test --test api collection_scale -- --ignored
//! --nocapture` prints how long each figure takes (on PostgreSQL too with
//! `COMMUNE_TEST_DATABASE_URL`). The test build compiles SQLite without optimisation:
//! a release build answers faster.

use std::time::{Duration, Instant};

use chrono::{Datelike, NaiveDate};
use diesel::prelude::*;

use commune::audit::Actor;
use commune::communes::{self, districts};
use commune::db::{self, schema, DbConn};
use commune::ids::{DistrictId, TaxTypeId, TaxpayerId, UserId};
use commune::revenue::{penalties, rolls, stats, tax_types, Seen};

use crate::helpers::{demo_email, TestApp, DAKAR};

pub(super) const TAXPAYERS: i64 = 100_000;
const TICKETS: i64 = 60_000;
const BATCH: usize = 1_000;

fn user(conn: &mut DbConn, role: &str) -> UserId {
    commune::accounts::users::by_email(conn, &demo_email(DAKAR, role))
        .unwrap()
        .unwrap()
        .id
}

/// The fastest of three runs.
fn timed<T>(what: &str, mut f: impl FnMut() -> T) -> T {
    let mut best = Duration::MAX;
    let mut out = None;
    for _ in 0..3 {
        let t = Instant::now();
        out = Some(f());
        best = best.min(t.elapsed());
    }
    println!("{what:<28} {:>8.1} ms", best.as_secs_f64() * 1e3);
    out.unwrap()
}

/// `TAXPAYERS` taxpayers spread over the commune's districts (returned), each with a
/// sign of 1 to 4 m² (TAXPUB) taxed in each of `years`; eight in ten have a phone, one
/// in ten an e-mail address, one in ten neither.
pub(super) fn signs_register(
    conn: &mut DbConn,
    commune: &communes::Commune,
    years: &[i32],
) -> Vec<DistrictId> {
    let places: Vec<DistrictId> = districts::list(conn, commune.id)
        .unwrap()
        .into_iter()
        .map(|d| d.id)
        .collect();
    register(conn, commune.id, &places);
    let sign = tax_types::by_code(conn, commune.id, "TAXPUB")
        .unwrap()
        .unwrap();
    for y in years {
        issued(conn, commune, &sign, *y);
    }
    places
}

fn register(conn: &mut DbConn, commune: commune::ids::CommuneId, places: &[DistrictId]) {
    use schema::{taxable_items as i, taxpayers as t};
    let now = chrono::Utc::now().naive_utc();
    for chunk in (0..TAXPAYERS).collect::<Vec<_>>().chunks(BATCH) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|k| {
                (
                    t::commune_id.eq(commune),
                    t::reference.eq(format!("BK-{k:06}")),
                    t::kind.eq("person"),
                    t::name.eq(format!("Contribuable {k}")),
                    t::search_name.eq(format!("contribuable {k}")),
                    t::district_id.eq(places[*k as usize % places.len()]),
                    t::phone.eq((k % 10 < 8).then(|| format!("+22177{k:07}"))),
                    t::email.eq((k % 10 == 8).then(|| format!("c{k}@example.sn"))),
                    t::created_at.eq(now),
                    t::updated_at.eq(now),
                )
            })
            .collect();
        commune::on_inner!(conn, c => diesel::insert_into(t::table).values(&rows).execute(c))
            .unwrap();
    }
    let ids: Vec<(TaxpayerId, Option<DistrictId>)> = t::table
        .filter(t::commune_id.eq(commune))
        .order(t::id.asc())
        .select((t::id, t::district_id))
        .load(conn)
        .unwrap();
    for chunk in ids.chunks(BATCH) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|(id, d)| {
                (
                    i::commune_id.eq(commune),
                    i::taxpayer_id.eq(*id),
                    i::reference.eq(format!("SG-{id}")),
                    i::kind.eq("other"),
                    i::district_id.eq(*d),
                    i::area_m2.eq(Some(1 + id.0 % 4)),
                    i::active.eq(true),
                    i::created_at.eq(now),
                    i::updated_at.eq(now),
                )
            })
            .collect();
        commune::on_inner!(conn, c => diesel::insert_into(i::table).values(&rows).execute(c))
            .unwrap();
    }
}

#[actix_web::test]
#[ignore = "a measure on 100,000 taxpayers: run with --ignored --nocapture"]
async fn the_dashboard_answers_quickly_for_100_000_taxpayers_and_a_year_of_payments() {
    let app = TestApp::spawn_without_register().await;
    let mut conn = app.conn();
    let commune = communes::by_slug(&mut conn, DAKAR).unwrap().unwrap();
    let (today, year) = (commune.today(), commune.today().year());
    let actor = Actor::system("bench");
    let started = Instant::now();
    let places = signs_register(&mut conn, &commune, &[year - 1, year]);
    let last_day = NaiveDate::from_ymd_opt(year - 1, 12, 31).unwrap();
    let due = penalties::due(&mut conn, &commune, last_day).unwrap();
    let seen = Seen {
        lines: due.lines,
        total: due.total,
    };
    db::write_tx(&mut conn, |c| {
        penalties::apply(c, &commune, last_day, seen, &actor)
    })
    .unwrap();
    payments(&mut conn, &commune, today);
    println!(
        "data: {TAXPAYERS} taxpayers, {} lines, {} payments, made in {:.1} s",
        count_lines(&mut conn),
        count_payments(&mut conn),
        started.elapsed().as_secs_f64()
    );

    // PostgreSQL's autovacuum gathers the statistics of tables this size soon after
    // they are loaded; here, at once.
    if db::backend(&conn) == db::Backend::Postgres {
        diesel::sql_query("ANALYZE").execute(&mut conn).unwrap();
    }
    // `COMMUNE_SCALE_SAVE=/tmp/scale.db` keeps a copy of the SQLite database (and keeps
    // the PostgreSQL one), to study the query plans.
    let save = std::env::var("COMMUNE_SCALE_SAVE").ok();
    match (&save, db::backend(&conn)) {
        (Some(to), db::Backend::Sqlite) => {
            let _ = std::fs::remove_file(to);
            diesel::sql_query(format!("VACUUM INTO '{to}'"))
                .execute(&mut conn)
                .unwrap();
        }
        (Some(_), db::Backend::Postgres) => println!("database kept: {}", app.db.url()),
        (None, _) => {}
    }
    let id = commune.id;
    let y = i64::from(year);
    timed("rates (tax, district)", || {
        stats::rates(&mut conn, id, y).unwrap()
    });
    timed("by month", || {
        stats::by_month(&mut conn, id, y, today).unwrap()
    });
    timed("by collector", || {
        stats::by_collector(&mut conn, id, y).unwrap()
    });
    timed("arrears by age", || {
        stats::arrears(&mut conn, id, today).unwrap()
    });
    timed("top 20 debtors", || {
        stats::debtors(&mut conn, id, today, 20).unwrap()
    });
    timed("cash not deposited", || {
        stats::undeposited(&mut conn, id).unwrap()
    });
    let d = timed("the whole dashboard", || {
        stats::dashboard(&mut conn, &commune, y, &stats::Part::ALL).unwrap()
    });
    assert_eq!(d.debtors.len(), 20);
    assert!(d.rates.total.collected.0 > 0 && d.rates.by_district.len() == places.len() + 1);
    drop(conn);
    let officer = app.login(&demo_email(DAKAR, "finance_officer")).await;
    let path = format!("/{DAKAR}/finance/collection?year={year}");
    let mut best = Duration::MAX;
    for _ in 0..3 {
        let t = Instant::now();
        let res = officer.get(&path).await;
        assert!(res.status().is_success());
        res.bytes().await.unwrap();
        best = best.min(t.elapsed());
    }
    println!(
        "{:<28} {:>8.1} ms",
        "the page over HTTP",
        best.as_secs_f64() * 1e3
    );
    if save.is_some() && app.db.is_postgres() {
        std::mem::forget(app);
    }
}

/// The roll of `tax` for `year`, generated and issued.
fn issued(
    conn: &mut DbConn,
    commune: &communes::Commune,
    tax: &commune::revenue::tax_types::TaxType,
    year: i32,
) {
    let actor = Actor::system("bench");
    let g = db::write_tx(conn, |c| rolls::generate(c, commune, tax, year, &actor)).unwrap();
    let seen = Seen {
        lines: g.lines,
        total: g.total,
    };
    db::write_tx(conn, |c| rolls::issue(c, commune.id, g.roll, seen, &actor)).unwrap();
}

fn count_lines(conn: &mut DbConn) -> i64 {
    schema::assessments::table.count().get_result(conn).unwrap()
}

fn count_payments(conn: &mut DbConn) -> i64 {
    schema::payments::table.count().get_result(conn).unwrap()
}

/// A year of payments up to `today`: 60 % of taxpayers pay last year's tax, 30 % this
/// year's too, one in four by mobile money, one in a hundred cancelled, a week's cash
/// not deposited yet; and market tickets every day.
fn payments(conn: &mut DbConn, commune: &communes::Commune, today: NaiveDate) {
    use schema::{assessments as a, payment_allocations as pa, payments as p};
    let year = today.year();
    let first = NaiveDate::from_ymd_opt(year, 1, 1).unwrap();
    let days = i64::from(today.ordinal0()) + 1;
    let (collector, treasurer) = (user(conn, "collector"), user(conn, "treasurer"));
    let fee: TaxTypeId = tax_types::by_code(conn, commune.id, "DPLACE")
        .unwrap()
        .unwrap()
        .id;
    let lines: Vec<(i64, TaxpayerId, i64, i64)> = a::table
        .filter(a::commune_id.eq(commune.id))
        .filter(a::kind.eq("principal"))
        .order(a::id.asc())
        .select((a::id, a::taxpayer_id, a::fiscal_year, a::amount))
        .load(conn)
        .unwrap();
    let mut next: i64 = p::table
        .select(diesel::dsl::max(p::id))
        .get_result::<Option<i64>>(conn)
        .unwrap()
        .unwrap_or(0)
        + 1;
    let mut seq = 0i64;
    // (payment, line and amount paid on it, or a ticket's amount)
    let mut plan: Vec<(i64, TaxpayerId, Option<i64>, i64)> = Vec::new();
    for (line, who, fy, amount) in &lines {
        let k = who.0;
        let pays = if *fy < i64::from(year) {
            k % 10 < 6
        } else {
            k % 10 < 3
        };
        if pays {
            plan.push((k, *who, Some(*line), *amount));
        }
    }
    for t in 0..TICKETS {
        plan.push((t, TaxpayerId(0), None, 100 * (1 + t % 5)));
    }
    for chunk in plan.chunks(BATCH) {
        let mut rows = Vec::with_capacity(chunk.len());
        let mut allocations = Vec::new();
        for (k, who, line, amount) in chunk {
            seq += 1;
            let id = next;
            next += 1;
            let paid_on = first + chrono::Duration::days((k * 7 + seq) % days);
            let mobile = line.is_some() && k % 4 == 0;
            let status = if k % 100 == 7 {
                "cancelled"
            } else if (today - paid_on).num_days() < 7 {
                "recorded"
            } else {
                "deposited"
            };
            rows.push((
                (
                    p::id.eq(id),
                    p::commune_id.eq(commune.id),
                    p::taxpayer_id.eq(line.map(|_| *who)),
                    p::receipt_number.eq(format!("BK-{year}-{seq:07}")),
                    p::receipt_year.eq(i64::from(year)),
                    p::receipt_seq.eq(seq),
                    p::amount.eq(amount),
                    p::method.eq(if mobile { "mobile_money" } else { "cash" }),
                    p::method_reference.eq(mobile.then(|| format!("MM{seq}"))),
                ),
                (
                    p::received_by.eq(if seq % 3 == 0 { treasurer } else { collector }),
                    p::received_at.eq(paid_on.and_hms_opt(10, 0, 0).unwrap()),
                    p::form_token.eq(format!("bk-{seq}")),
                    p::paid_on.eq(paid_on),
                    p::channel.eq("counter"),
                    p::tax_type_id.eq(line.is_none().then_some(fee)),
                    p::payer.eq(line.is_none().then(|| "Étal".to_string())),
                    p::status.eq(status),
                ),
            ));
            if let Some(line) = line {
                allocations.push((
                    pa::payment_id.eq(id),
                    pa::assessment_id.eq(*line),
                    pa::amount.eq(amount),
                ));
            }
        }
        db::write_tx(conn, |conn| {
            commune::on_inner!(conn, c => diesel::insert_into(p::table).values(&rows).execute(c))?;
            commune::on_inner!(conn, c => diesel::insert_into(pa::table).values(&allocations).execute(c))
        })
        .unwrap();
    }
}
