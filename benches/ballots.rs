//! `cargo bench --bench ballots`: online ballots cast through the running server over
//! loopback, as voters' browsers cast them, then counted.
//!
//! The server runs in this process on its own thread (two workers, the release build),
//! on a fresh SQLite file; with `BENCH_PG_URL=postgres://postgres@127.0.0.1:5432` it runs
//! again on a fresh PostgreSQL database. `BALLOTS` voters (2,000 by default) each prove
//! who they are with a one-time code (issued directly, then typed in over HTTP, from a
//! client address of their own behind a trusted proxy, as behind the reverse proxy of
//! a deployment); that is preparation, not timed. Then every voter posts their ballot at
//! once, `CONCURRENCY` at a time (64 by default): the timed part, each request being the
//! whole cast (the session check, the ballot checked against the round's rules, the
//! write under the commune's lock, the receipt page). Afterwards the vote is closed and
//! counted, and the count must hold every ballot.
//!
//! Target (issue 9): at least 1,000 ballots per second on SQLite.

use std::time::{Duration, Instant};

use commune::audit::Actor;
use commune::db::{self, DbConn};
use commune::ids::{RoundId, VoterId};
use commune::money::Xof;
use commune::participation::{
    codes, election, phases, proposals, results, review, rounds, setup, voters, BallotScope, Phase,
};
use commune::seed::Demo;
use futures_util::stream::{self, StreamExt};

#[path = "support/server.rs"]
mod server;

const SLUG: &str = "dakar-plateau";

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A round open for voting on the whole commune (approval, one to three of six
/// projects), with `n` voters; its id, the ballot's codes, and each voter with a fresh
/// one-time code.
fn open_round(conn: &mut DbConn, n: usize) -> (RoundId, Vec<String>, Vec<(String, String)>) {
    let commune = commune::communes::by_slug(conn, SLUG).unwrap().unwrap();
    let actor = Actor::system("bench");
    let author = commune::accounts::users::by_email(conn, "citoyen@dakar-plateau.demo")
        .unwrap()
        .expect("the demo citizen")
        .id;
    let new = setup::NewRound {
        title: "Banc d’essai".into(),
        summary: String::new(),
        fiscal_year: 2027,
        ballot: setup::BallotKind::Approval {
            min: 1,
            max: Some(3),
        },
        rule: commune::voting::Rule::Greedy,
        complete_greedy: false,
        score_threshold: None,
        scope: BallotScope::Commune,
        min_age: None,
        supports: false,
        max_proposal_cost: None,
        dates: vec![],
        areas: vec![setup::NewArea {
            district: None,
            name: "Commune".into(),
            envelope: setup::Envelope::Fixed(Xof(20_000_000)),
        }],
    };
    db::write_tx(conn, |c| -> commune::error::DomainResult<_> {
        let round = setup::create(c, &commune, &new, &actor)?;
        let area = rounds::areas(c, round)?[0].clone();
        let mut ids = Vec::new();
        for k in 0..6 {
            let p = proposals::NewProposal {
                area: area.id,
                title: format!("Projet {k}"),
                description: "Un projet du banc d’essai, décrit assez longuement.".into(),
                category: proposals::Category::Other,
                place: String::new(),
                estimated_cost: Xof(3_000_000 + 500_000 * k),
            };
            ids.push(proposals::submit(c, &commune, round, author, &p, &actor)?);
        }
        phases::advance(c, &commune, round, Phase::Proposals, &actor)?;
        for (k, id) in ids.iter().enumerate() {
            let cost = Xof(3_000_000 + 500_000 * k as i64);
            let verdict = review::Verdict::Feasible { cost };
            review::review(
                c,
                &commune,
                round,
                *id,
                &verdict,
                "Faisable, chiffré.",
                &actor,
            )?;
        }
        phases::advance(c, &commune, round, Phase::Review, &actor)?;
        let codes: Vec<String> = election::on_ballot(c, &area)?
            .into_iter()
            .map(|p| p.code)
            .collect();
        let now = db::now();
        let mut people = Vec::with_capacity(n);
        for i in 0..n {
            let identifier = format!("B{i:06}");
            let voter: VoterId =
                voters::add(c, round, area.id, &identifier, "Votant", 1980, None, None)?;
            people.push((identifier, codes::issue(c, voter, now)?));
        }
        Ok((round, codes, people))
    })
    .unwrap()
}

fn meta_csrf(page: &str) -> String {
    let key = "name=\"csrf-token\" content=\"";
    let at = page.find(key).expect("a csrf meta tag") + key.len();
    page[at..at + page[at..].find('"').unwrap()].to_string()
}

/// A browser of its own: its cookies, and the CSRF token of its session.
struct Voter {
    client: reqwest::Client,
    csrf: String,
    choice: Vec<String>,
}

/// Proves who the voter is: the vote page, then the code typed in.
async fn verified(
    base: &str,
    round: RoundId,
    i: usize,
    who: &str,
    code: &str,
    codes: &[String],
) -> Voter {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let vote = format!("{base}/{SLUG}/rounds/{round}/vote");
    let page = client
        .get(&vote)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = meta_csrf(&page);
    let address = format!("10.{}.{}.{}", (i >> 16) & 255, (i >> 8) & 255, i & 255);
    let res = client
        .post(format!("{vote}/verify"))
        .header("X-Forwarded-For", address)
        .form(&[("_csrf", csrf.as_str()), ("who", who), ("code", code)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303, "the code of {who} works");
    let choice = (0..1 + i % 3)
        .map(|k| codes[(i * 7 + k * 2) % codes.len()].clone())
        .collect();
    Voter {
        client,
        csrf,
        choice,
    }
}

async fn cast(base: &str, round: RoundId, v: &Voter) -> Duration {
    let mut form: Vec<(&str, &str)> = vec![("_csrf", v.csrf.as_str())];
    form.extend(v.choice.iter().map(|c| ("p", c.as_str())));
    let start = Instant::now();
    let res = v
        .client
        .post(format!("{base}/{SLUG}/rounds/{round}/vote"))
        .form(&form)
        .send()
        .await
        .unwrap();
    let status = res.status();
    let page = res.text().await.unwrap();
    let took = start.elapsed();
    assert!(
        status == 200 && page.contains("data-receipt"),
        "{status}: {page}"
    );
    took
}

fn run(label: &str, database_url: &str, n: usize, concurrency: usize) {
    let outbox = tempfile::tempdir().unwrap();
    let server::Running {
        base,
        pool,
        handle,
        thread,
    } = server::start(
        database_url,
        outbox.path(),
        &[("COMMUNE_TRUSTED_PROXIES", "127.0.0.1")],
        Demo::WithoutRegister,
    );

    let (round, codes, people) = open_round(&mut pool.get().unwrap(), n);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (wall, mut times) = rt.block_on(async {
        let prepared = Instant::now();
        let voters: Vec<Voter> = stream::iter(people.iter().enumerate())
            .map(|(i, (who, code))| verified(&base, round, i, who, code, &codes))
            .buffer_unordered(concurrency)
            .collect()
            .await;
        println!(
            "== {label}: {n} voters proved who they are in {:.1} s (not timed)",
            prepared.elapsed().as_secs_f64()
        );
        let start = Instant::now();
        let times: Vec<Duration> = stream::iter(voters.iter())
            .map(|v| cast(&base, round, v))
            .buffer_unordered(concurrency)
            .collect()
            .await;
        (start.elapsed(), times)
    });
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "   {n} ballots in {:.2} s: {:.0} ballots/s (target ≥ 1,000 on SQLite); per ballot median {:.1} ms, p90 {:.1} ms, max {:.1} ms; {concurrency} at a time",
        wall.as_secs_f64(),
        n as f64 / wall.as_secs_f64(),
        ms(times[n / 2]),
        ms(times[n * 9 / 10]),
        ms(times[n - 1]),
    );

    // Closed and counted: every ballot is in the count.
    let conn = &mut pool.get().unwrap();
    let commune = commune::communes::by_slug(conn, SLUG).unwrap().unwrap();
    let counting = Instant::now();
    db::write_tx(conn, |c| {
        phases::advance(c, &commune, round, Phase::Vote, &Actor::system("bench"))
    })
    .unwrap();
    let counted = results::of_round(conn, round).unwrap();
    let voters = counted[0].outcome["voters"].as_u64().unwrap();
    println!(
        "   closed and counted in {:.0} ms: {voters} ballots counted of {n} cast",
        ms(counting.elapsed())
    );
    assert_eq!(voters as usize, n, "every ballot is counted");
    drop(handle.stop(true));
    let _ = thread.join();
}

fn main() {
    let n = env_number("BALLOTS", 2_000);
    let concurrency = env_number("CONCURRENCY", 64);
    std::env::set_var("RUST_LOG", "error");
    commune::telemetry::init("text");
    let dir = tempfile::tempdir().unwrap();
    run(
        "SQLite",
        &format!("sqlite://{}", dir.path().join("ballots.db").display()),
        n,
        concurrency,
    );
    if let Ok(pg) = std::env::var("BENCH_PG_URL") {
        let name = format!("bench_ballots_{}", std::process::id());
        let admin = format!("{}/postgres", pg.trim_end_matches('/'));
        let mut conn = db::open_one(&admin, db::Create::Refused).expect("PostgreSQL");
        use diesel::RunQueryDsl;
        diesel::sql_query(format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .unwrap();
        run(
            "PostgreSQL",
            &format!("{}/{name}", pg.trim_end_matches('/')),
            n,
            concurrency,
        );
        diesel::sql_query(format!("DROP DATABASE {name} WITH (FORCE)"))
            .execute(&mut conn)
            .unwrap();
    }
}
