//! Tax rolls: the list, generating a commune-assessed tax's draft roll for a year, one
//! roll with its totals by district and its lines, and issuing it.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use super::{form_id, href};
use crate::accounts::users;
use crate::error::{AppError, AppResult};
use crate::ids::{RollId, UserId};
use crate::money::Xof;
use crate::revenue::{rolls, tax_types, Seen};
use crate::web::{AppState, Ctx};

const LINES_PAGE: i64 = 100;

pub async fn list(state: web::Data<AppState>, ctx: Ctx) -> AppResult<HttpResponse> {
    let commune = ctx.visitor.commune()?.clone();
    let cid = commune.id;
    let (all, taxes) = state
        .db(move |conn| Ok((rolls::list(conn, cid)?, tax_types::list(conn, cid)?)))
        .await?;
    // Only a commune-assessed tax with yearly or monthly periods has a roll to generate.
    let generable: Vec<_> = taxes
        .iter()
        .filter(|t| !t.tax.assessed_by_state() && t.tax.period != "daily")
        .collect();
    let day = commune.today();
    ctx.render(
        &state,
        "pages/revenue/rolls",
        "finance.rolls.title",
        json!({
            "rolls": all, "generable": generable,
            "year": chrono::Datelike::year(&day), "today": day.to_string(),
        }),
    )
}

#[derive(Deserialize)]
pub struct GenerateForm {
    tax: String,
    year: String,
}

pub async fn generate(
    state: web::Data<AppState>,
    ctx: Ctx,
    form: web::Form<GenerateForm>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    let year = rolls::check_year(crate::fields::year(&form.year)?.into())?;
    let commune = ctx.visitor.commune()?.clone();
    let actor = ctx.actor()?;
    let c = commune.clone();
    let (tax, generated) = state
        .write(move |conn| -> AppResult<_> {
            // The form offers the commune's taxes only: another is a malformed request.
            let tax = tax_types::by_code(conn, c.id, &form.tax)?
                .ok_or(AppError::BadRequest("finance.rolls.unknown_tax"))?;
            let generated = rolls::generate(conn, &c, &tax, year, &actor)?;
            Ok((tax, generated))
        })
        .await?;
    ctx.render(
        &state,
        "pages/revenue/roll_generated",
        "finance.rolls.generated",
        json!({ "tax": tax, "year": year, "generated": generated,
                "roll_href": href(&commune, &format!("/rolls/{}", generated.roll)) }),
    )
}

#[derive(Deserialize)]
pub struct LinesQuery {
    after: Option<String>,
}

fn user_name(conn: &mut crate::db::DbConn, id: Option<UserId>) -> AppResult<Option<String>> {
    match id {
        Some(id) => Ok(Some(users::by_id(conn, id)?.name)),
        None => Ok(None),
    }
}

pub async fn show(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
    query: web::Query<LinesQuery>,
) -> AppResult<HttpResponse> {
    let id = RollId(path.into_inner().1);
    let cid = ctx.visitor.commune()?.id;
    let after = query.into_inner().after.unwrap_or_default();
    let (roll, tax, districts, lines, created_by, issued_by) = state
        .db(move |conn| {
            let roll = rolls::by_id(conn, cid, id)?;
            let tax = tax_types::by_id(conn, cid, roll.tax_type_id)?;
            let districts = rolls::totals_by_district(conn, cid, id)?;
            let lines = rolls::lines(conn, id, &after, LINES_PAGE)?;
            let created_by = user_name(conn, roll.created_by)?;
            let issued_by = user_name(conn, roll.issued_by)?;
            Ok((roll, tax, districts, lines, created_by, issued_by))
        })
        .await?;
    let next = (lines.len() as i64 == LINES_PAGE)
        .then(|| lines.last().map(|l| l.reference.clone()))
        .flatten();
    ctx.render(
        &state,
        "pages/revenue/roll",
        "finance.roll.title",
        json!({
            "roll": roll, "tax": tax, "districts": districts, "lines": lines, "next": next,
            "created_by": created_by, "issued_by": issued_by,
        }),
    )
}

/// The page that asks before issuing: what the roll holds, and that it will never
/// change again.
pub async fn confirm_issue(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
) -> AppResult<HttpResponse> {
    let id = RollId(path.into_inner().1);
    let cid = ctx.visitor.commune()?.id;
    let (roll, tax) = state
        .db(move |conn| {
            let roll = rolls::by_id(conn, cid, id)?;
            let tax = tax_types::by_id(conn, cid, roll.tax_type_id)?;
            Ok((roll, tax))
        })
        .await?;
    ctx.render(
        &state,
        "pages/revenue/roll_issue",
        "finance.roll.confirm_title",
        json!({ "roll": roll, "tax": tax }),
    )
}

#[derive(Deserialize)]
pub struct IssueForm {
    /// What the officer saw on the page: a roll generated again since is not issued.
    lines: String,
    total: String,
}

pub async fn issue(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
    form: web::Form<IssueForm>,
) -> AppResult<HttpResponse> {
    let id = RollId(path.into_inner().1);
    let seen = Seen {
        lines: form_id(&form.lines)?,
        total: Xof(form_id(&form.total)?),
    };
    let commune = ctx.visitor.commune()?.clone();
    let (cid, actor) = (commune.id, ctx.actor()?);
    state
        .write(move |conn| rolls::issue(conn, cid, id, seen, &actor))
        .await?;
    Ok(ctx.redirect_with(
        &href(&commune, &format!("/rolls/{id}")),
        "ok",
        "finance.roll.issued",
    ))
}
