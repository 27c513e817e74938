//! Voting online, without JavaScript: a citizen names themselves (identifier, phone or
//! e-mail), receives a one-time code by e-mail or SMS, types it, fills in the ballot, and
//! gets a receipt code, shown once. With the code they later find their ballot in the
//! published file (`/receipt`).
//!
//! The session remembers only that this browser proved to be a voter of this round,
//! until the ballot is cast; never what was voted.

use actix_web::http::header::{HeaderValue, CACHE_CONTROL};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::error::{AppError, AppResult, Refusal};
use crate::ids::{RoundId, VoterId};
use crate::notify::Mail;
use crate::participation::ballots::{self, Choice};
use crate::participation::election::{self, OnBallot};
use crate::participation::{codes, rounds, voters, Channel, Phase, Round};
use crate::web::pages::with_status;
use crate::web::{AppState, Ctx};

/// Proof, in the session, that this browser is a voter of a round.
#[derive(Serialize, Deserialize)]
struct Verified {
    round: RoundId,
    voter: VoterId,
}

const SESSION_KEY: &str = "voter";

fn verified(ctx: &Ctx, round: RoundId) -> Option<VoterId> {
    match ctx.session.get::<Verified>(SESSION_KEY) {
        Ok(Some(v)) if v.round == round => Some(v.voter),
        _ => None,
    }
}

fn no_store(mut res: HttpResponse) -> HttpResponse {
    res.headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

fn vote_path(ctx: &Ctx, round: RoundId) -> AppResult<String> {
    Ok(format!(
        "/{}/rounds/{round}/vote",
        ctx.visitor.commune()?.slug
    ))
}

/// What the ballot form shows: the projects of the voter's area, with what was ticked.
fn ballot_json(round: &Round, on_ballot: &[OnBallot], choice: &Choice, ctx: &Ctx) -> Vec<Value> {
    on_ballot
        .iter()
        .map(|p| {
            let at = choice.codes.iter().position(|c| c == &p.code);
            json!({
                "code": p.code, "title": p.title,
                "cost": round.money(p.cost.unwrap_or(0), ctx.locale.as_str()),
                "checked": at.is_some(),
                "points": at.and_then(|i| choice.points.get(i)).copied(),
            })
        })
        .collect()
}

async fn render(
    state: &AppState,
    ctx: &Ctx,
    round: RoundId,
    step: &str,
    extra: Value,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let cid = ctx.visitor.commune()?.id;
    let voter = verified(ctx, round);
    let (r, ballot, voted) = state
        .db(move |conn| {
            let r = rounds::get(conn, cid, round)?;
            let (ballot, voted) = match voter {
                Some(v) => {
                    let voter = voters::get(conn, round, v)?;
                    let area = rounds::areas(conn, round)?
                        .into_iter()
                        .find(|a| a.id == voter.area_id)
                        .ok_or(AppError::NotFound)?;
                    let on_ballot = election::on_ballot(conn, &area)?;
                    let voted = ballots::has_voted(conn, round, v)?;
                    (Some((area, on_ballot)), voted)
                }
                None => (None, false),
            };
            Ok((r, ballot, voted))
        })
        .await?;
    let step = match (r.phase == Phase::Vote, &ballot, voted) {
        (false, ..) => "closed",
        (true, Some(_), true) => "voted",
        (true, Some(_), false) if step == "identify" => "ballot",
        _ => step,
    };
    let choice: Choice = serde_json::from_value(extra["choice"].clone()).unwrap_or_default();
    let (area, projects, rules) = match &ballot {
        Some((area, on_ballot)) => {
            let rules = r.ballot_rules(area);
            (
                Some(area.name.clone()),
                ballot_json(&r, on_ballot, &choice, ctx),
                json!({
                    "min": rules.min_length, "max": rules.max_length,
                    "budget": rules.max_sum_cost.map(|b| r.money(b as i64, ctx.locale.as_str())),
                    "points": rules.max_sum_points,
                }),
            )
        }
        None => (None, Vec::new(), Value::Null),
    };
    let mut data = json!({
        "round": { "id": r.id, "title": r.title, "phase": r.phase,
                   "points": r.vote_type().has_points(), "knapsack": r.knapsack },
        "step": step,
        "area": area,
        "projects": projects,
        "rules": rules,
        "who": "",
        "error": null,
    });
    if let (Value::Object(d), Value::Object(e)) = (&mut data, extra) {
        for (k, v) in e {
            if k != "choice" {
                d.insert(k, v);
            }
        }
    }
    let html = ctx.render_string(state, "pages/participation/vote", "vote.title", data)?;
    Ok(no_store(with_status(status, html)))
}

pub async fn show(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
) -> AppResult<HttpResponse> {
    let round = RoundId(path.into_inner().1);
    render(&state, &ctx, round, "identify", json!({}), StatusCode::OK).await
}

#[derive(Deserialize)]
pub struct WhoForm {
    who: String,
}

/// Sends a code to the voter named, if registered; the answer is the same either way.
pub async fn send_code(
    state: web::Data<AppState>,
    ctx: Ctx,
    req: HttpRequest,
    path: web::Path<(String, i64)>,
    form: web::Form<WhoForm>,
) -> AppResult<HttpResponse> {
    let ip = state.client_ip(&req);
    state.voter_codes.attempt(ip)?;
    let commune = ctx.visitor.commune()?.clone();
    let round = RoundId(path.into_inner().1);
    let who = form.into_inner().who;
    let asked = who.clone();
    let sent = state
        .write(move |conn| -> AppResult<Option<(voters::Voter, String)>> {
            let r = rounds::get(conn, commune.id, round)?;
            if r.phase != Phase::Vote {
                return Err(crate::participation::phases::require(&r, Phase::Vote)
                    .unwrap_err()
                    .into());
            }
            let Some(voter) = voters::find(conn, &commune, &r, &asked)? else {
                return Ok(None);
            };
            let code = codes::issue(conn, voter.id, crate::db::now())?;
            Ok(Some((voter, code)))
        })
        .await;
    let error = match sent {
        Ok(Some((voter, code))) => {
            deliver(&state, &ctx, round, &voter, &code).await;
            None
        }
        Ok(None) => None,
        Err(AppError::Refused(r)) => Some(r.message(&state.catalog, ctx.locale)),
        Err(e) => return Err(e),
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render(
        &state,
        &ctx,
        round,
        "code",
        json!({ "who": who, "error": error }),
        status,
    )
    .await
}

/// By e-mail when the register has one (sent after the answer, so that its time tells
/// nothing), else by SMS through the gateway (the default one writes a file at once).
async fn deliver(
    state: &web::Data<AppState>,
    ctx: &Ctx,
    round: RoundId,
    voter: &voters::Voter,
    code: &str,
) {
    let text = state.catalog.text(
        ctx.locale,
        "vote.code.sms",
        [("code", &crate::i18n::Arg::Text(code.to_string()))],
    );
    match (&voter.email, &voter.phone) {
        (Some(email), _) => {
            let mail = Mail {
                template: "voter_code",
                to: email.clone(),
                locale: ctx.locale,
                data: json!({ "name": voter.name, "code": code, "round": round,
                              "minutes": codes::TTL_MINUTES }),
            };
            let state = state.clone();
            actix_web::rt::spawn(async move { state.mailer.send_logged(&state.hb, &mail).await });
        }
        (None, Some(phone)) => {
            if let Err(e) = state.sms.send(phone, &text) {
                tracing::error!(error = %e, "the SMS gateway refused a voter's code");
            }
        }
        (None, None) => {}
    }
}

#[derive(Deserialize)]
pub struct CodeForm {
    who: String,
    code: String,
}

pub async fn verify(
    state: web::Data<AppState>,
    ctx: Ctx,
    req: HttpRequest,
    path: web::Path<(String, i64)>,
    form: web::Form<CodeForm>,
) -> AppResult<HttpResponse> {
    let ip = state.client_ip(&req);
    state.voter_codes.attempt(ip)?;
    let commune = ctx.visitor.commune()?.clone();
    let round = RoundId(path.into_inner().1);
    let CodeForm { who, code } = form.into_inner();
    let asked = who.clone();
    let checked = state
        .write(move |conn| -> AppResult<Result<VoterId, Refusal>> {
            let r = rounds::get(conn, commune.id, round)?;
            let Some(voter) = voters::find(conn, &commune, &r, &asked)? else {
                return Ok(Err(Refusal::new("vote.code.wrong")));
            };
            Ok(codes::check(conn, voter.id, &code, crate::db::now())?.map(|()| voter.id))
        })
        .await?;
    match checked {
        Ok(voter) => {
            ctx.session
                .insert(SESSION_KEY, Verified { round, voter })
                .map_err(|e| AppError::Internal(anyhow::anyhow!("session: {e}")))?;
            Ok(crate::web::ctx::redirect(&vote_path(&ctx, round)?))
        }
        Err(r) => {
            let error = r.message(&state.catalog, ctx.locale);
            render(
                &state,
                &ctx,
                round,
                "code",
                json!({ "who": who, "error": error }),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

/// The ballot's fields: `p` once per project ticked, or `points_<code>` per project.
fn choice_of(form: &[(String, String)], points: bool) -> AppResult<Choice> {
    let mut choice = Choice::default();
    for (k, v) in form {
        if !points && k == "p" {
            choice.codes.push(v.clone());
        } else if let (true, Some(code)) = (points, k.strip_prefix("points_")) {
            let v = v.trim();
            if v.is_empty() || v == "0" {
                continue;
            }
            let n: i64 = v
                .parse()
                .map_err(|_| AppError::Refused(Refusal::new("vote.points_number")))?;
            choice.codes.push(code.to_string());
            choice.points.push(n);
        }
    }
    Ok(choice)
}

pub async fn cast(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
    form: web::Form<Vec<(String, String)>>,
) -> AppResult<HttpResponse> {
    let commune = ctx.visitor.commune()?.clone();
    let round = RoundId(path.into_inner().1);
    let Some(voter) = verified(&ctx, round) else {
        return Ok(crate::web::ctx::redirect(&vote_path(&ctx, round)?));
    };
    let cid = commune.id;
    let points = state
        .db(move |conn| Ok(rounds::get(conn, cid, round)?.vote_type().has_points()))
        .await?;
    let choice = choice_of(&form, points);
    let result = match &choice {
        Ok(choice) => {
            let choice = choice.clone();
            state
                .write(move |conn| {
                    ballots::cast(conn, &commune, round, voter, &choice, Channel::Online)
                })
                .await
        }
        Err(_) => Err(AppError::Refused(Refusal::new("vote.points_number"))),
    };
    match result {
        Ok(receipt) => {
            ctx.session.remove(SESSION_KEY);
            let r = render(
                &state,
                &ctx,
                round,
                "receipt",
                json!({ "receipt": receipt }),
                StatusCode::OK,
            )
            .await?;
            Ok(r)
        }
        Err(AppError::Refused(r)) => {
            let error = r.message(&state.catalog, ctx.locale);
            let kept = serde_json::to_value(choice.unwrap_or_default()).unwrap_or_default();
            render(
                &state,
                &ctx,
                round,
                "ballot",
                json!({ "error": error, "choice": kept }),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
pub struct ReceiptQuery {
    code: Option<String>,
}

/// A voter types their receipt code and sees their ballot, and whether it was counted.
pub async fn receipt(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
    query: web::Query<ReceiptQuery>,
) -> AppResult<HttpResponse> {
    let cid = ctx.visitor.commune()?.id;
    let round = RoundId(path.into_inner().1);
    let code = query.into_inner().code.unwrap_or_default();
    let lookup = code.clone();
    let (r, found) = state
        .db(move |conn| {
            let r = rounds::get(conn, cid, round)?;
            let found = match lookup.trim() {
                "" => None,
                c => match ballots::by_receipt(conn, round, c)? {
                    Some((area, choice)) => {
                        let area = rounds::areas(conn, round)?
                            .into_iter()
                            .find(|a| a.id == area);
                        let titles = match &area {
                            Some(a) => election::on_ballot(conn, a)?,
                            None => Vec::new(),
                        };
                        Some((area.map(|a| a.name), choice, titles))
                    }
                    None => None,
                },
            };
            Ok((r, found))
        })
        .await?;
    let ballot = found.as_ref().map(|(area, choice, titles)| {
        let chosen: Vec<Value> = choice
            .codes
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let title = titles.iter().find(|t| &t.code == c).map(|t| t.title.clone());
                json!({ "code": c, "title": title.unwrap_or_else(|| c.clone()), "points": choice.points.get(i) })
            })
            .collect();
        json!({ "area": area, "chosen": chosen, "public_id": ballots::public_id(&code) })
    });
    ctx.render(
        &state,
        "pages/participation/receipt",
        "vote.receipt_title",
        json!({
            "round": { "id": r.id, "title": r.title, "counted": r.phase >= Phase::Results },
            "code": code,
            "asked": !code.trim().is_empty(),
            "ballot": ballot,
        }),
    )
}
