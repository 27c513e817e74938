//! Running a round, for a councillor or an admin: `GET|POST /{commune}/rounds/new`
//! (its settings, phases and envelopes) and `GET|POST /{commune}/rounds/{round}/advance`
//! (the next phase, after a confirmation that says what it will do).

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::communes::{districts, District};
use crate::error::{AppError, AppResult, Refusal};
use crate::ids::RoundId;
use crate::money::Xof;
use crate::participation::setup::{self, BallotKind, Envelope, NewArea, NewRound};
use crate::participation::{phases, rounds, voters, BallotScope, Phase};
use crate::voting::Rule;
use crate::web::pages::{field_messages, with_status};
use crate::web::{AppState, Ctx};

/// The form's fields that can carry an error.
const FIELDS: &[&str] = &[
    "title",
    "summary",
    "fiscal_year",
    "max_projects",
    "points",
    "score_threshold",
    "min_age",
    "max_proposal_cost",
    "dates",
    "areas",
];

/// The rules a new round may use.
const RULES: [Rule; 6] = [
    Rule::Greedy,
    Rule::GreedyThreshold,
    Rule::Mes,
    Rule::MesAdd1e,
    Rule::MesAdd1,
    Rule::Phragmen,
];

type Form = HashMap<String, String>;

fn field<'a>(form: &'a Form, name: &str) -> &'a str {
    form.get(name).map(|v| v.trim()).unwrap_or("")
}

fn number(form: &Form, name: &'static str, key: &'static str) -> Result<Option<i64>, Refusal> {
    match field(form, name) {
        "" => Ok(None),
        v => v.parse().map(Some).map_err(|_| Refusal::new(key).on(name)),
    }
}

/// The form as a new round, or every reason it is refused.
fn parse(form: &Form, all_districts: &[District]) -> Result<NewRound, AppError> {
    let mut errors = Vec::new();
    let mut keep = |r: Result<Option<i64>, Refusal>| {
        r.unwrap_or_else(|e| {
            errors.push(e);
            None
        })
    };
    let fiscal_year = keep(number(form, "fiscal_year", "round.setup.year")).unwrap_or(0);
    let min = keep(number(form, "min_projects", "round.setup.approval_limits")).unwrap_or(0);
    let max = keep(number(form, "max_projects", "round.setup.approval_limits"));
    let points = keep(number(form, "points", "round.setup.points")).unwrap_or(0);
    let score_threshold = keep(number(form, "score_threshold", "round.setup.threshold"));
    let min_age = keep(number(form, "min_age", "round.setup.min_age"));
    let ballot = match field(form, "ballot") {
        "approval" => BallotKind::Approval { min, max },
        "knapsack" => BallotKind::Knapsack,
        "cumulative" => BallotKind::Cumulative { points },
        _ => return Err(AppError::BadRequest("error.bad_request")),
    };
    let rule = Rule::from_name(field(form, "rule"))
        .filter(|r| RULES.contains(r))
        .ok_or(AppError::BadRequest("error.bad_request"))?;
    let scope = BallotScope::parse(field(form, "scope"))
        .ok_or(AppError::BadRequest("error.bad_request"))?;
    let max_proposal_cost = match field(form, "max_proposal_cost") {
        "" => None,
        v => match Xof::parse(v).filter(|x| x.0 > 0) {
            Some(x) => Some(x),
            None => {
                errors.push(Refusal::new("round.setup.envelope").on("max_proposal_cost"));
                None
            }
        },
    };
    let mut dates = Vec::new();
    for p in Phase::ALL {
        let name = format!("date_{p}");
        let d = match field(form, &name) {
            "" => None,
            v => match NaiveDate::parse_from_str(v, "%Y-%m-%d") {
                Ok(d) => Some(d),
                Err(_) => {
                    errors.push(Refusal::new("round.setup.dates_order").on("dates"));
                    None
                }
            },
        };
        dates.push((*p, d));
    }
    let mut areas = Vec::new();
    let wanted = std::iter::once((None, "commune".to_string(), String::new())).chain(
        all_districts
            .iter()
            .map(|d| (Some(d.id), d.id.to_string(), d.name.clone())),
    );
    for (district, key, name) in wanted {
        let text = field(form, &format!("envelope_{key}"));
        if text.is_empty() {
            continue;
        }
        match Envelope::parse(text) {
            Some(envelope) => areas.push(NewArea {
                district,
                name: if district.is_none() {
                    "commune".into()
                } else {
                    name
                },
                envelope,
            }),
            None => errors.push(Refusal::new("round.setup.envelope").on("areas")),
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    Ok(NewRound {
        title: field(form, "title").to_string(),
        summary: field(form, "summary").to_string(),
        fiscal_year,
        ballot,
        rule,
        complete_greedy: field(form, "complete_greedy") == "on",
        score_threshold,
        scope,
        min_age,
        supports: field(form, "supports") == "on",
        max_proposal_cost,
        dates,
        areas,
    })
}

pub async fn new_form(state: web::Data<AppState>, ctx: Ctx) -> AppResult<HttpResponse> {
    let commune = ctx.visitor.commune()?;
    let next_year = commune.today().year() as i64 + 1;
    let blank: Form = [
        ("fiscal_year", next_year.to_string()),
        ("ballot", "approval".into()),
        ("min_projects", "1".into()),
        ("max_projects", "3".into()),
        ("points", "10".into()),
        ("rule", "mes-add1e".into()),
        ("scope", "district".into()),
        ("complete_greedy", "on".into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    render_form(&state, &ctx, &blank, &[], StatusCode::OK).await
}

async fn render_form(
    state: &AppState,
    ctx: &Ctx,
    form: &Form,
    errors: &[Refusal],
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let cid = ctx.visitor.commune()?.id;
    let all = state
        .db(move |conn| Ok(districts::list(conn, cid)?))
        .await?;
    let year: i64 = field(form, "fiscal_year").parse().unwrap_or(0);
    let value = |k: &str| json!(field(form, k));
    let areas: Vec<Value> = std::iter::once(json!({ "key": "commune", "name": Value::Null }))
        .chain(
            all.iter()
                .map(|d| json!({ "key": d.id.to_string(), "name": d.name })),
        )
        .map(|mut a| {
            let k = format!("envelope_{}", a["key"].as_str().unwrap_or(""));
            a["value"] = value(&k);
            a["field"] = json!(k);
            a
        })
        .collect();
    let mut fields = serde_json::Map::new();
    for k in [
        "title",
        "summary",
        "fiscal_year",
        "ballot",
        "min_projects",
        "max_projects",
        "points",
        "rule",
        "score_threshold",
        "scope",
        "min_age",
        "max_proposal_cost",
    ] {
        fields.insert(k.to_string(), value(k));
    }
    for p in Phase::ALL {
        fields.insert(format!("date_{p}"), value(&format!("date_{p}")));
    }
    fields.insert(
        "complete_greedy".into(),
        json!(field(form, "complete_greedy") == "on"),
    );
    fields.insert("supports".into(), json!(field(form, "supports") == "on"));
    let html = ctx.render_string(
        state,
        "pages/participation/new",
        "round.new.title",
        json!({
            "form": fields,
            "errors": field_messages(FIELDS, errors, &state.catalog, ctx.locale),
            "areas": areas,
            "rules": RULES.map(Rule::name),
            "phases": Phase::ALL,
            "revenue_year": year - 1,
        }),
    )?;
    Ok(with_status(status, html))
}

pub async fn create(
    state: web::Data<AppState>,
    ctx: Ctx,
    form: web::Form<Form>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    let commune = ctx.visitor.commune()?.clone();
    let actor = ctx.actor()?;
    let typed = form.clone();
    let c = commune.clone();
    let created = state
        .write(move |conn| -> AppResult<RoundId> {
            let all = districts::list(conn, c.id)?;
            let new = parse(&typed, &all)?;
            Ok(setup::create(conn, &c, &new, &actor)?)
        })
        .await;
    match created {
        Ok(id) => Ok(ctx.redirect_with(
            &format!("/{}/rounds/{id}", commune.slug),
            "ok",
            "round.new.created",
        )),
        Err(e) => {
            let errors = e.into_field_errors()?;
            render_form(
                &state,
                &ctx,
                &form,
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

pub async fn confirm_advance(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
) -> AppResult<HttpResponse> {
    let cid = ctx.visitor.commune()?.id;
    let id = RoundId(path.into_inner().1);
    let (round, step) = state
        .db(move |conn| {
            let round = rounds::get(conn, cid, id)?;
            let step = phases::next_step(conn, &round).map_err(AppError::from);
            Ok((round, step))
        })
        .await?;
    let (step, refusal) = match step {
        Ok(s) => (Some(s), None),
        Err(AppError::Refused(r)) => (None, Some(r.message(&state.catalog, ctx.locale))),
        Err(other) => return Err(other),
    };
    ctx.render(
        &state,
        "pages/participation/advance",
        "round.advance_title",
        json!({
            "round": { "id": round.id, "title": round.title, "phase": round.phase },
            "step": step.map(|s| json!({ "from": s.from, "to": s.to, "on_ballot": s.on_ballot })),
            "refusal": refusal,
        }),
    )
}

#[derive(Deserialize)]
pub struct AdvanceForm {
    seen: String,
}

pub async fn advance(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
    form: web::Form<AdvanceForm>,
) -> AppResult<HttpResponse> {
    let commune = ctx.visitor.commune()?.clone();
    let id = RoundId(path.into_inner().1);
    let seen = Phase::parse(&form.seen).ok_or(AppError::BadRequest("error.bad_request"))?;
    let actor = ctx.actor()?;
    let c = commune.clone();
    state
        .write(move |conn| phases::advance(conn, &c, id, seen, &actor))
        .await?;
    Ok(ctx.redirect_with(
        &format!("/{}/rounds/{id}", commune.slug),
        "ok",
        "round.advanced",
    ))
}

/// `GET /{commune}/rounds/{round}/voters`: the register's size and the form to import it.
pub async fn voters_page(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
) -> AppResult<HttpResponse> {
    let id = RoundId(path.into_inner().1);
    render_voters(&state, &ctx, id, json!(null), StatusCode::OK).await
}

async fn render_voters(
    state: &AppState,
    ctx: &Ctx,
    id: RoundId,
    outcome: Value,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let cid = ctx.visitor.commune()?.id;
    let (round, count) = state
        .db(move |conn| Ok((rounds::get(conn, cid, id)?, voters::count(conn, id)?)))
        .await?;
    let html = ctx.render_string(
        state,
        "pages/participation/voters",
        "voters_page.title",
        json!({
            "round": { "id": round.id, "title": round.title },
            "count": count,
            "outcome": outcome,
        }),
    )?;
    Ok(with_status(status, html))
}

/// `POST /{commune}/rounds/{round}/voters`: the register from CSV, all or nothing, with
/// the report of every bad row.
pub async fn upload_voters(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
    payload: actix_multipart::Multipart,
) -> AppResult<HttpResponse> {
    use crate::tabular::import::{Options, Outcome};
    use crate::tabular::CsvSource;
    let commune = ctx.visitor.commune()?.clone();
    let id = RoundId(path.into_inner().1);
    let actor = ctx.actor()?;
    let up = crate::web::pages::revenue::imports::read_upload(payload).await?;
    if up.file_name.is_empty() {
        return Err(AppError::Refused(Refusal::new("imports.choose_file")));
    }
    let file_name = up.file_name.clone();
    let outcome = state
        .db(move |conn| {
            let path = up.file.path();
            let opts = Options {
                file_name: up.file_name.clone(),
                ..Options::for_file(path, false)?
            };
            Ok(match CsvSource::open(path) {
                Ok(source) => voters::import(conn, &commune, id, source, &opts, &actor)?,
                Err(issue) => Outcome::rejected(issue),
            })
        })
        .await?;
    let catalog = &state.catalog;
    let (status, shown) = match &outcome {
        Outcome::Applied(applied, _) => (
            StatusCode::OK,
            json!({ "file": file_name, "created": applied.created, "issues": [] }),
        ),
        Outcome::Rejected(report) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({
                "file": file_name, "created": null, "problems": report.len(),
                "issues": report.issues().iter().map(|i| json!({
                    "line": i.line, "column": i.column, "value": i.value,
                    "reason": i.message(catalog, ctx.locale),
                })).collect::<Vec<_>>(),
            }),
        ),
    };
    render_voters(&state, &ctx, id, shown, status).await
}
