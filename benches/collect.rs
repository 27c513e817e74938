//! `cargo bench --bench collect`: the collectors' API (`POST /api/v1/{commune}/payments`
//! and `…/payments/batch`, `Authorization: Bearer`) driven over loopback, as field
//! collectors' phones drive it, on SQLite and on PostgreSQL.
//!
//! For each backend: the real server ([`Application`], two workers, the release build)
//! starts on a fresh database with the demo communes as `commune serve --demo
//! --without-history` loads them, on a loopback port. Before anything is timed,
//! Dakar-Plateau gets a generated register of `TAXPAYERS` taxpayers (2,000 by default,
//! through the real import) whose stall rents and signboard taxes of last year are
//! generated and issued (arrears to pay), and `CLIENTS` collectors (16 by default), each
//! with a personal token made as `commune token create` makes it.
//!
//! Then each collector's phone sends its share of `PAYMENTS` payments (20,000 by
//! default), each phone one request at a time, all phones at once: half payments on a
//! taxpayer's balance (cash, a tenth by mobile money with its reference), half market
//! tickets (`DPLACE`, a stall's tariff for one to three days). Timed twice, with fresh
//! payments each time: one payment per `POST …/payments`, then batches of `BATCH` (50)
//! per `POST …/payments/batch`. Printed: payments per second over the wall time, and the
//! latency of a request (p50, p99, max): for a batch, of the whole batch.
//!
//! Afterwards, checked and printed: each collector's payments sent again (single and
//! batch) return the same receipts and record nothing; receipt numbers run from 1 without
//! gap or repeat for the year, each number spelling its sequence; the count and sum of the
//! payments stored equal what was sent; each balance payment's allocations add up to its
//! amount, and the register's total balance fell by exactly what was paid on it; one
//! audit entry per payment, and the commune's audit chain verifies.
//!
//! PostgreSQL runs on `BENCH_PG_URL` (`postgres://postgres@127.0.0.1:5432` by default;
//! `BENCH_PG_URL=` skips it): the bench creates its own database there and drops it.
//! Target (issue 11): at least 2,000 payments per second on SQLite, p99 under 50 ms.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use chrono::{Datelike, NaiveDate};
use commune::accounts::membership::{self, Added};
use commune::accounts::{password, tokens, Role};
use commune::audit::{self, Actor};
use commune::communes::{self, districts, Commune};
use commune::db::schema::{audit_log, payment_allocations, payments};
use commune::db::{self, Create, DbConn};
use commune::ids::{PaymentId, TaxTypeId, TaxpayerId, UserId};
use commune::money::Xof;
use commune::revenue::imports::{self, Outcome, What};
use commune::revenue::{demo, ledger, rolls, tax_types, Seen};
use commune::seed::Demo;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use futures_util::stream::{self, StreamExt};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};

#[path = "support/server.rs"]
mod server;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const SLUG: &str = "dakar-plateau";
const TARIFFS: &[(&str, i64)] = &[("etal", 100), ("cantine", 200), ("table", 150)];
const MARKETS: &[&str] = &["Sandaga", "Kermel", "Tilène", "Petersen"];

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// What the bench is asked to do.
#[derive(Clone, Copy)]
struct Sizes {
    payments: usize,
    clients: usize,
    batch: usize,
    taxpayers: usize,
}

/// The generated register imported, and last year's rolls of the commune's own taxes
/// generated and issued: what each taxpayer owes, by reference.
fn register(conn: &mut DbConn, commune: &Commune, n: usize) -> Vec<(String, TaxpayerId, i64)> {
    let actor = Actor::system("bench");
    let names: Vec<String> = districts::list(conn, commune.id)
        .unwrap()
        .into_iter()
        .map(|d| d.name)
        .collect();
    let taxes = tax_types::list(conn, commune.id).unwrap();
    let size = demo::Size {
        taxpayers: n,
        tickets: (0, 1),
    };
    let (people, items) = demo::register(commune, &names, &taxes, size);
    let dir = tempfile::tempdir().unwrap();
    for (name, text, what) in [
        ("taxpayers.csv", people, What::Taxpayers),
        ("items.csv", items, What::Items),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let (_, outcome) = imports::run_file(conn, commune, &what, &path, false, &actor).unwrap();
        assert!(matches!(outcome, Outcome::Applied(..)), "{name} refused");
    }
    let year = commune.today().year() - 1;
    for view in &taxes {
        let tax = &view.tax;
        if tax.assessed_by_state() || tax.period == "daily" || !tax.active {
            continue;
        }
        db::write_tx(conn, |c| rolls::generate(c, commune, tax, year, &actor)).unwrap();
        let roll = rolls::find(conn, commune.id, tax.id, i64::from(year))
            .unwrap()
            .unwrap();
        let seen = Seen {
            lines: roll.line_count,
            total: roll.total,
        };
        db::write_tx(conn, |c| rolls::issue(c, commune.id, roll.id, seen, &actor)).unwrap();
    }
    owed(conn, commune)
}

/// Every taxpayer of the commune with what they owe today.
fn owed(conn: &mut DbConn, commune: &Commune) -> Vec<(String, TaxpayerId, i64)> {
    use commune::db::schema::taxpayers as tp;
    let all: Vec<(TaxpayerId, String)> = tp::table
        .filter(tp::commune_id.eq(commune.id))
        .order(tp::id.asc())
        .select((tp::id, tp::reference))
        .load(conn)
        .unwrap();
    let today = commune.today();
    all.into_iter()
        .map(|(id, reference)| {
            let balance = ledger::of(conn, id, today).unwrap().balance.0;
            (reference, id, balance)
        })
        .collect()
}

/// `n` collectors of the commune, each with a personal token: (user, secret).
fn collectors(conn: &mut DbConn, commune: &Commune, n: usize) -> Vec<(UserId, String)> {
    let actor = Actor::system("bench");
    let hash = password::hash("bench-collector").unwrap();
    (0..n)
        .map(|i| {
            let email = format!("collecteur-banc-{i:02}@{SLUG}.demo");
            db::write_tx(conn, |c| -> commune::error::DomainResult<_> {
                let user = match membership::add(
                    c,
                    commune.id,
                    &email,
                    &format!("Collecteur {i}"),
                    Role::Collector,
                    &hash,
                    &actor,
                )? {
                    Added::Created(u) | Added::Granted(u) | Added::AlreadyHeld(u) => u,
                };
                let token = tokens::create(c, commune.id, user, "banc d’essai", &actor)?;
                Ok((user, token.secret))
            })
            .unwrap()
        })
        .collect()
}

/// One payment as a phone sends it, and what it is.
struct Sent {
    body: Value,
    amount: i64,
    on_balance: bool,
}

/// `n` payments for one day: half on balances (taken from `owed`, never above what is
/// still owed), half market tickets.
fn plan(
    n: usize,
    owed: &mut [(String, TaxpayerId, i64)],
    day: NaiveDate,
    rng: &mut StdRng,
) -> Vec<Sent> {
    let date = day.to_string();
    let mut next = rng.gen_range(0..owed.len());
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let id = uuid::Uuid::new_v4().to_string();
        if i % 2 == 0 {
            // The next taxpayer who still owes, round the register.
            let mut tries = 0;
            while owed[next].2 < 500 {
                next = (next + 1) % owed.len();
                tries += 1;
                assert!(
                    tries <= owed.len(),
                    "the register owes too little for PAYMENTS"
                );
            }
            let (reference, _, left) = &mut owed[next];
            let amount = (*[500, 1_000, 1_500, 2_000, 2_500, 5_000]
                .get(rng.gen_range(0..6))
                .unwrap())
            .min(*left / 500 * 500);
            *left -= amount;
            let mobile = rng.gen_bool(0.1);
            let mut body = json!({ "id": id, "taxpayer": reference.to_lowercase(),
                "amount": amount, "mode": if mobile { "mobile_money" } else { "cash" },
                "date": date });
            if mobile {
                body["reference"] = json!(format!("MM{}", uuid::Uuid::new_v4().simple()));
            }
            next = (next + 1 + rng.gen_range(0..7)) % owed.len();
            out.push(Sent {
                body,
                amount,
                on_balance: true,
            });
        } else {
            let (category, tariff) = TARIFFS[rng.gen_range(0..TARIFFS.len())];
            let amount = tariff * rng.gen_range(1..=3);
            let stall = format!(
                "Étal {}, marché {}",
                rng.gen_range(1..400),
                MARKETS[rng.gen_range(0..MARKETS.len())]
            );
            out.push(Sent {
                body: json!({ "id": id, "tax": "DPLACE", "category": category, "payer": stall,
                    "amount": amount, "mode": "cash", "date": date }),
                amount,
                on_balance: false,
            });
        }
    }
    out
}

/// What one phone sends: its token, and its requests' bodies in order.
struct Phone {
    token: String,
    requests: Vec<Vec<u8>>,
}

/// Each phone sends its requests one after the other, all phones at once. The wall
/// time, each request's time, and each answer (status, body).
async fn drive(
    base: &str,
    path: &str,
    phones: &[Phone],
) -> (Duration, Vec<Duration>, Vec<(u16, Vec<u8>)>) {
    let url = format!("{base}{path}");
    let start = Instant::now();
    let per_phone: Vec<Vec<(Duration, u16, Vec<u8>)>> = stream::iter(phones)
        .map(|phone| {
            let url = url.clone();
            async move {
                let http = reqwest::Client::new();
                let mut out = Vec::with_capacity(phone.requests.len());
                for body in &phone.requests {
                    let sent = Instant::now();
                    let res = http
                        .post(&url)
                        .bearer_auth(&phone.token)
                        .header("Content-Type", "application/json")
                        .body(body.clone())
                        .send()
                        .await
                        .unwrap();
                    let status = res.status().as_u16();
                    let bytes = res.bytes().await.unwrap().to_vec();
                    out.push((sent.elapsed(), status, bytes));
                }
                out
            }
        })
        .buffer_unordered(phones.len())
        .collect()
        .await;
    let wall = start.elapsed();
    let mut times = Vec::new();
    let mut answers = Vec::new();
    for (t, s, b) in per_phone.into_iter().flatten() {
        times.push(t);
        answers.push((s, b));
    }
    (wall, times, answers)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn report(what: &str, payments: usize, wall: Duration, mut times: Vec<Duration>) {
    times.sort();
    let at = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)];
    println!(
        "   {what:<16} {payments} payments in {:.2} s: {:>6.0} payments/s; per request p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms ({} requests)",
        wall.as_secs_f64(),
        payments as f64 / wall.as_secs_f64(),
        ms(at(0.5)),
        ms(at(0.99)),
        ms(times[times.len() - 1]),
        times.len(),
    );
}

/// The receipt numbers of the answers; every one a success with `expected` status.
fn receipts(answers: &[(u16, Vec<u8>)], expected: u16, batch: bool) -> Vec<String> {
    let mut out = Vec::new();
    for (status, body) in answers {
        let v: Value = serde_json::from_slice(body).unwrap();
        if batch {
            assert_eq!(*status, 200, "{v}");
            assert_eq!(v["refused"], 0, "{v}");
            for r in v["results"].as_array().unwrap() {
                assert_eq!(r["status"], expected, "{r}");
                out.push(r["receipt"].as_str().unwrap().to_string());
            }
        } else {
            assert_eq!(*status, expected, "{v}");
            out.push(v["receipt"].as_str().unwrap().to_string());
        }
    }
    out
}

/// Splits `sent` between the phones, as single bodies or batches of `batch`.
fn phones(sent: &[Sent], tokens: &[(UserId, String)], batch: Option<usize>) -> Vec<Phone> {
    let k = tokens.len();
    tokens
        .iter()
        .enumerate()
        .map(|(i, (_, token))| {
            let mine: Vec<&Value> = sent.iter().skip(i).step_by(k).map(|s| &s.body).collect();
            let requests = match batch {
                None => mine
                    .iter()
                    .map(|b| serde_json::to_vec(b).unwrap())
                    .collect(),
                Some(size) => mine
                    .chunks(size)
                    .map(|c| serde_json::to_vec(&json!({ "payments": c })).unwrap())
                    .collect(),
            };
            Phone {
                token: token.clone(),
                requests,
            }
        })
        .collect()
}

/// The checks after the run; panics on the first that fails, after printing it.
fn check(conn: &mut DbConn, commune: &Commune, sent: &[Sent], users: &[UserId], before: i64) {
    let year = commune.today().year();
    // Receipt numbers: 1, 2, 3… for the year, each spelling its sequence.
    let numbered: Vec<(i64, String)> = payments::table
        .filter(payments::commune_id.eq(commune.id))
        .filter(payments::receipt_year.eq(i64::from(year)))
        .order(payments::receipt_seq.asc())
        .select((payments::receipt_seq, payments::receipt_number))
        .load(conn)
        .unwrap();
    let gap_free = numbered.iter().enumerate().all(|(i, (seq, number))| {
        *seq == i as i64 + 1 && *number == format!("{}-{year}-{seq:06}", commune.code)
    });
    println!(
        "   receipts of {year}: {} numbered 1 to {} without gap or repeat: {}",
        numbered.len(),
        numbered.last().map_or(0, |r| r.0),
        ok(gap_free)
    );
    // What was stored against what was sent.
    let stored: Vec<(PaymentId, Xof, Option<TaxTypeId>)> = payments::table
        .filter(payments::commune_id.eq(commune.id))
        .filter(payments::received_by.eq_any(users))
        .select((payments::id, payments::amount, payments::tax_type_id))
        .load(conn)
        .unwrap();
    let sent_sum: i64 = sent.iter().map(|s| s.amount).sum();
    let stored_sum: i64 = stored.iter().map(|p| p.1 .0).sum();
    let tickets = stored.iter().filter(|p| p.2.is_some()).count();
    let counted = stored.len() == sent.len() && stored_sum == sent_sum;
    println!(
        "   stored {} payments ({} tickets) for {} F; sent {} for {} F: {}",
        stored.len(),
        tickets,
        stored_sum,
        sent.len(),
        sent_sum,
        ok(counted)
    );
    // Allocations: each balance payment spread exactly; the register owes that much less.
    let allocated: HashMap<PaymentId, i64> = payment_allocations::table
        .inner_join(payments::table)
        .filter(payments::received_by.eq_any(users))
        .select((payment_allocations::payment_id, payment_allocations::amount))
        .load::<(PaymentId, Xof)>(conn)
        .unwrap()
        .into_iter()
        .fold(HashMap::new(), |mut m, (p, a)| {
            *m.entry(p).or_insert(0) += a.0;
            m
        });
    let exact = stored
        .iter()
        .filter(|p| p.2.is_none())
        .all(|p| allocated.get(&p.0) == Some(&p.1 .0))
        && stored
            .iter()
            .filter(|p| p.2.is_some())
            .all(|p| !allocated.contains_key(&p.0));
    let on_balances: i64 = sent.iter().filter(|s| s.on_balance).map(|s| s.amount).sum();
    let after: i64 = owed(conn, commune).iter().map(|o| o.2).sum();
    println!(
        "   allocations equal each balance payment: {}; register owed {} F, now {} F, paid {} F: {}",
        ok(exact),
        before,
        after,
        on_balances,
        ok(before - after == on_balances)
    );
    // One audit entry per payment, and the chain holds.
    let ids: Vec<String> = stored.iter().map(|p| p.0 .0.to_string()).collect();
    let mut entries: HashMap<String, usize> = HashMap::new();
    for chunk in ids.chunks(10_000) {
        let found: Vec<String> = audit_log::table
            .filter(audit_log::commune_id.eq(commune.id))
            .filter(audit_log::entity.eq("payment"))
            .filter(audit_log::action.eq_any(["payment.record", "ticket.sell"]))
            .filter(audit_log::entity_id.eq_any(chunk))
            .select(audit_log::entity_id)
            .load(conn)
            .unwrap();
        for id in found {
            *entries.entry(id).or_insert(0) += 1;
        }
    }
    let one_each = entries.len() == ids.len() && entries.values().all(|n| *n == 1);
    let chain = audit::verify(conn, commune.id).unwrap();
    println!(
        "   audit: {} entries for {} payments, one each: {}; chain of {} entries verifies: {}",
        entries.values().sum::<usize>(),
        ids.len(),
        ok(one_each),
        chain.entries,
        ok(chain.ok())
    );
    assert!(
        gap_free && counted && exact && before - after == on_balances && one_each && chain.ok(),
        "a check failed"
    );
}

fn ok(b: bool) -> &'static str {
    if b {
        "ok"
    } else {
        "FAILED"
    }
}

fn run(label: &str, url: &str, sizes: Sizes) {
    let prepared = Instant::now();
    let outbox = tempfile::tempdir().unwrap();
    // As `commune serve --demo --without-history` starts.
    let server::Running {
        base,
        pool,
        handle,
        thread,
    } = server::start(url, outbox.path(), &[], Demo::Full);
    let mut conn = pool.get().unwrap();
    let commune = communes::by_slug(&mut conn, SLUG).unwrap().unwrap();
    let mut owed = register(&mut conn, &commune, sizes.taxpayers);
    if matches!(*conn, DbConn::Pg(_)) {
        conn.batch_execute("ANALYZE").unwrap();
    }
    let before: i64 = owed.iter().map(|o| o.2).sum();
    let staff = collectors(&mut conn, &commune, sizes.clients);
    let users: Vec<UserId> = staff.iter().map(|s| s.0).collect();
    let mut rng = StdRng::seed_from_u64(11);
    let today = commune.today();
    let single = plan(sizes.payments, &mut owed, today, &mut rng);
    let batched = plan(sizes.payments, &mut owed, today, &mut rng);
    println!(
        "== {label}: {} taxpayers owing {before} F, {} phones; prepared in {:.1} s (not timed)",
        owed.len(),
        staff.len(),
        prepared.elapsed().as_secs_f64()
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let singles = phones(&single, &staff, None);
    let batches = phones(&batched, &staff, Some(sizes.batch));
    let (wall, times, answers) =
        rt.block_on(drive(&base, &format!("/api/v1/{SLUG}/payments"), &singles));
    report("single POST", sizes.payments, wall, times);
    let mut first = receipts(&answers, 201, false);
    let (wall, times, batch_answers) = rt.block_on(drive(
        &base,
        &format!("/api/v1/{SLUG}/payments/batch"),
        &batches,
    ));
    report(
        &format!("batches of {}", sizes.batch),
        sizes.payments,
        wall,
        times,
    );
    first.extend(receipts(&batch_answers, 201, true));

    // Sent again, as after a lost connection: the same receipts, nothing recorded.
    let first_three = |list: &[Phone]| -> Vec<Phone> {
        list.iter()
            .map(|p| Phone {
                token: p.token.clone(),
                requests: p.requests.iter().take(3).cloned().collect(),
            })
            .collect()
    };
    let (_, _, replayed_single) = rt.block_on(drive(
        &base,
        &format!("/api/v1/{SLUG}/payments"),
        &first_three(&singles),
    ));
    let (_, _, replayed_batch) = rt.block_on(drive(
        &base,
        &format!("/api/v1/{SLUG}/payments/batch"),
        &first_three(&batches),
    ));
    let mut resent = receipts(&replayed_single, 200, false);
    resent.extend(receipts(&replayed_batch, 200, true));
    let known: std::collections::HashSet<&String> = first.iter().collect();
    let same = resent.iter().all(|r| known.contains(r));
    println!(
        "   sent again: {} payments answered 200 with their first receipt: {}",
        resent.len(),
        ok(same)
    );
    assert!(
        same && known.len() == first.len(),
        "receipts repeat, or a payment sent again got another"
    );

    let mut all = single;
    all.extend(batched);
    check(&mut conn, &commune, &all, &users, before);
    drop(conn);
    drop(pool);
    rt.block_on(handle.stop(true));
    let _ = thread.join();
}

fn main() {
    let sizes = Sizes {
        payments: env_number("PAYMENTS", 20_000),
        clients: env_number("CLIENTS", 16),
        batch: env_number("BATCH", 50),
        taxpayers: env_number("TAXPAYERS", 2_000),
    };
    std::env::set_var("RUST_LOG", "error");
    commune::telemetry::init("text");
    println!(
        "collect benchmark: {} payments sent one per request, then {} in batches of {}, by {} phones at once; half on balances, half market tickets",
        sizes.payments, sizes.payments, sizes.batch, sizes.clients
    );
    let dir = tempfile::tempdir().unwrap();
    run(
        "SQLite",
        &format!("sqlite://{}", dir.path().join("collect.db").display()),
        sizes,
    );

    let pg = std::env::var("BENCH_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_string());
    if pg.is_empty() {
        return;
    }
    let pg = pg.trim_end_matches('/');
    let name = format!("commune_bench_collect_{}", std::process::id());
    let mut admin = db::open_one(&format!("{pg}/postgres"), Create::Refused)
        .expect("PostgreSQL answers at BENCH_PG_URL");
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .unwrap();
    run("PostgreSQL", &format!("{pg}/{name}"), sizes);
    admin
        .batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .unwrap();
}
