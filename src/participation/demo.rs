//! The demo communes' participatory budgets: a finished round, with its proposals, its
//! review, its ballots, its results and two of its projects under way; and a round open for voting, on whose register
//! the demo citizen is, so that anyone trying the demo can vote.

use chrono::Datelike;

use super::ballots::{self, Choice};
use super::projects::{self, Status};
use super::proposals::{self, Category, NewProposal};
use super::setup::{self, BallotKind, Envelope, NewArea, NewRound};
use super::{phases, review, rounds, voters, BallotScope, Channel, Phase};
use crate::audit::Actor;
use crate::communes::{districts, Commune};
use crate::db::{self, DbConn};
use crate::error::DomainResult;
use crate::ids::{ProposalId, RoundId, UserId};
use crate::money::Xof;
use crate::voting::Rule;

/// Projects people ask for, with a cost in francs.
const IDEAS: [(&str, Category, i64, &str); 6] = [
    ("Un forage et deux bornes-fontaines", Category::Water, 4_500_000, "Les familles portent l’eau depuis la route principale. Un forage et deux bornes-fontaines leur épargneraient ce trajet."),
    ("Éclairage solaire de la rue principale", Category::Lighting, 3_200_000, "Vingt lampadaires solaires pour que les commerçantes et les élèves rentrent en sécurité après la nuit tombée."),
    ("Une salle de classe de plus à l’école", Category::Schools, 6_800_000, "L’école élémentaire compte plus de 70 élèves par classe. Une salle de plus permettrait d’ouvrir une classe."),
    ("Curage des caniveaux avant l’hivernage", Category::Environment, 2_100_000, "Les caniveaux bouchés inondent les maisons à chaque pluie. Un curage complet avant l’hivernage."),
    ("Un terrain de sport pour les jeunes", Category::Sport, 5_000_000, "Un terrain aplani et clôturé, avec deux buts, pour les équipes de quartier et les écoles."),
    ("Des étals couverts au marché", Category::Markets, 3_900_000, "Des étals couverts pour que les vendeuses ne travaillent plus au soleil ni sous la pluie."),
];

/// A small deterministic sequence, so that the demo is the same at every load.
struct Dice(u64);

impl Dice {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

/// Creates a round through every phase up to `until`, with the demo's proposals, each
/// reviewed; the round's id, and its proposals' codes per area.
fn round_until(
    conn: &mut DbConn,
    commune: &Commune,
    year: i64,
    title: String,
    author: UserId,
    actor: &Actor,
) -> DomainResult<RoundId> {
    let all = districts::list(conn, commune.id)?;
    let new = NewRound {
        title,
        summary: "Les habitants proposent, les services étudient, tout le monde vote.".into(),
        fiscal_year: year,
        ballot: BallotKind::Approval {
            min: 1,
            max: Some(3),
        },
        // Equal shares, completed greedily: add1's many recounts would slow every test
        // server's start, for a demo that shows the same explanations.
        rule: Rule::Mes,
        complete_greedy: true,
        score_threshold: None,
        scope: BallotScope::District,
        min_age: Some(16),
        supports: true,
        max_proposal_cost: Some(Xof(10_000_000)),
        dates: vec![],
        areas: all
            .iter()
            .take(2)
            .map(|d| NewArea {
                district: Some(d.id),
                name: d.name.clone(),
                envelope: Envelope::Fixed(Xof(12_000_000)),
            })
            .collect(),
    };
    let round = setup::create(conn, commune, &new, actor)?;
    let mut ids: Vec<ProposalId> = Vec::new();
    for (i, area) in rounds::areas(conn, round)?.iter().enumerate() {
        for (j, (title, category, cost, description)) in IDEAS.iter().enumerate() {
            if (i + j) % 3 == 2 {
                continue;
            }
            let p = NewProposal {
                area: area.id,
                title: title.to_string(),
                description: description.to_string(),
                category: *category,
                place: format!("{}, quartier {}", commune.name, area.name),
                estimated_cost: Xof(*cost),
            };
            ids.push(proposals::submit(conn, commune, round, author, &p, actor)?);
        }
    }
    phases::advance(conn, commune, round, Phase::Proposals, actor)?;
    for (k, id) in ids.iter().enumerate() {
        let estimated = proposals::get(conn, round, *id)?.estimated_cost;
        let (verdict, note) = if k == 3 {
            (
                review::Verdict::Unfeasible,
                "Le terrain visé appartient à l’État : la commune ne peut pas y construire.",
            )
        } else {
            (
                review::Verdict::Feasible {
                    cost: Xof(estimated + 150_000),
                },
                "Faisable : les services techniques ont vérifié le site et chiffré les travaux.",
            )
        };
        review::review(conn, commune, round, *id, &verdict, note, actor)?;
    }
    phases::advance(conn, commune, round, Phase::Review, actor)?;
    Ok(round)
}

/// A demo project's news: days ago, status, progress, francs spent, note, caption.
type News = (u64, Status, i64, i64, &'static str, &'static str);

/// Two of the finished round's projects under way, with their news: one in works, one
/// out to tender. The projects are dated as if the vote had closed three months ago.
fn follow_two(
    conn: &mut DbConn,
    commune: &Commune,
    round: RoundId,
    actor: &Actor,
) -> DomainResult<()> {
    use crate::db::schema::projects as p;
    use diesel::prelude::*;
    let today = commune.today();
    let ago = |days: u64| today - chrono::Days::new(days);
    diesel::update(p::table.filter(p::round_id.eq(round)))
        .set(p::updated_on.eq(ago(90)))
        .execute(conn)?;
    let built = projects::of_round(conn, round)?;
    let news: [&[News]; 2] = [
        &[
            (75, Status::Tendering, 0, 0, "Le dossier d’appel d’offres est publié au tableau d’affichage de la mairie et dans la presse.", ""),
            (40, Status::Works, 10, 1_400_000, "Marché attribué après ouverture publique des plis. L’entreprise a installé son chantier.", "Installation du chantier"),
            (12, Status::Works, 45, 2_300_000, "Les fondations sont terminées ; la suite des travaux avant la fin du mois prochain.", "Fondations coulées, vues depuis la rue"),
        ],
        &[(20, Status::Tendering, 0, 0, "Les services techniques préparent le cahier des charges ; l’appel d’offres sera publié ce mois-ci.", "")],
    ];
    for (project, news) in built.iter().zip(news) {
        for (days, status, progress, spent, note, caption) in news {
            let update = projects::NewUpdate {
                on: ago(*days),
                status: *status,
                progress: *progress,
                spent: Xof(*spent),
                note: note.to_string(),
                caption: caption.to_string(),
            };
            projects::record(conn, commune, project.id, &update, actor)?;
        }
    }
    Ok(())
}

/// Loads the demo's two rounds into a commune that has its districts and accounts.
pub fn load(
    conn: &mut DbConn,
    commune: &Commune,
    citizen: UserId,
    citizen_email: &str,
    actor: &Actor,
) -> DomainResult<()> {
    let year = i64::from(commune.today().year());
    db::write_tx(conn, |conn| -> DomainResult<()> {
        // Last year's round, counted.
        let done = round_until(
            conn,
            commune,
            year,
            format!("Budget participatif {year} — {}", commune.name),
            citizen,
            actor,
        )?;
        let mut dice = Dice(commune.id.0 as u64);
        for area in rounds::areas(conn, done)? {
            let codes: Vec<String> = super::election::on_ballot(conn, &area)?
                .into_iter()
                .map(|p| p.code)
                .collect();
            for n in 0..60 {
                let identifier = format!("{}-{year}-{}-{n:03}", commune.code, area.id);
                let voter = voters::add(
                    conn,
                    done,
                    area.id,
                    &identifier,
                    &format!("Habitant {n}"),
                    1960 + (n % 40) as i64,
                    None,
                    Some(&format!("{identifier}@demo.invalid")),
                )?;
                let mut choice = Choice::default();
                for _ in 0..1 + dice.next(3) {
                    let c = codes[dice.next(codes.len())].clone();
                    if !choice.codes.contains(&c) {
                        choice.codes.push(c);
                    }
                }
                ballots::cast(conn, commune, done, voter, &choice, Channel::Online)?;
            }
        }
        phases::advance(conn, commune, done, Phase::Vote, actor)?;
        phases::advance(conn, commune, done, Phase::Results, actor)?;
        follow_two(conn, commune, done, actor)?;
        // This year's round, open for voting; the demo citizen is on its register.
        let open = round_until(
            conn,
            commune,
            year + 1,
            format!("Budget participatif {} — {}", year + 1, commune.name),
            citizen,
            actor,
        )?;
        let areas = rounds::areas(conn, open)?;
        voters::add(
            conn,
            open,
            areas[0].id,
            &format!("{}-CITOYEN", commune.code),
            "Citoyen de démonstration",
            1985,
            None,
            Some(citizen_email),
        )?;
        for (n, area) in areas.iter().enumerate() {
            voters::add(
                conn,
                open,
                area.id,
                &format!("{}-{}-{n:03}", commune.code, year + 1),
                &format!("Habitante {n}"),
                1990,
                None,
                Some(&format!("habitante{n}@demo.invalid")),
            )?;
        }
        Ok(())
    })
}
