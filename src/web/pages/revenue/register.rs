//! The taxpayer register: search with keyset pages, and the form to add a taxpayer.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use super::forms::{self, TaxpayerForm, TAXPAYER_FIELDS};
use super::{form_id, href, with_status};
use crate::communes::districts;
use crate::error::{AppResult, Refusal};
use crate::ids::{DistrictId, TaxpayerId};
use crate::revenue::taxpayers::{self, Filter, Query, TaxpayerKind};
use crate::web::{AppState, Ctx};

const PAGE: i64 = 50;

#[derive(Deserialize)]
pub struct RegisterQuery {
    q: Option<String>,
    district: Option<String>,
    after: Option<String>,
}

fn optional_id(v: Option<&str>) -> AppResult<Option<i64>> {
    match v.map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) => form_id(v).map(Some),
        None => Ok(None),
    }
}

pub async fn list(
    state: web::Data<AppState>,
    ctx: Ctx,
    query: web::Query<RegisterQuery>,
) -> AppResult<HttpResponse> {
    let commune = ctx.visitor.commune()?;
    let (cid, country) = (commune.id, commune.country);
    let q = query.into_inner();
    let text = q.q.unwrap_or_default();
    let district = optional_id(q.district.as_deref())?.map(DistrictId);
    let after = optional_id(q.after.as_deref())?.map(TaxpayerId);
    let filter = Filter {
        query: Query::parse(&text, country),
        district,
        include_merged: false,
    };
    let (rows, next, all_districts) = state
        .db(move |conn| {
            let after = match after {
                Some(id) => {
                    let t = taxpayers::by_id(conn, cid, id)?;
                    Some((t.reference, t.id))
                }
                None => None,
            };
            let (rows, next) = taxpayers::page(conn, cid, &filter, after, PAGE)?;
            Ok((rows, next, districts::list(conn, cid)?))
        })
        .await?;
    let next = next.map(|(_, id)| {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("q", &text)
            .append_pair(
                "district",
                &district.map(|d| d.0.to_string()).unwrap_or_default(),
            )
            .append_pair("after", &id.0.to_string())
            .finish();
        format!("?{query}")
    });
    ctx.render(
        &state,
        "pages/revenue/taxpayers",
        "finance.taxpayers.title",
        json!({ "rows": rows, "next": next, "q": text, "district": district, "districts": all_districts }),
    )
}

pub async fn new_form(state: web::Data<AppState>, ctx: Ctx) -> AppResult<HttpResponse> {
    let blank = TaxpayerForm {
        kind: TaxpayerKind::Person.as_str().to_string(),
        ..TaxpayerForm::default()
    };
    render_new(&state, &ctx, &blank, &Vec::new(), StatusCode::OK).await
}

async fn render_new(
    state: &AppState,
    ctx: &Ctx,
    form: &TaxpayerForm,
    errors: &[Refusal],
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let cid = ctx.visitor.commune()?.id;
    let all_districts = state
        .db(move |conn| Ok(districts::list(conn, cid)?))
        .await?;
    let errors = forms::messages(TAXPAYER_FIELDS, errors, &state.catalog, ctx.locale);
    let html = ctx.render_string(
        state,
        "pages/revenue/taxpayer_new",
        "finance.taxpayers.new",
        json!({ "form": form, "errors": errors, "kinds": TaxpayerKind::ALL, "districts": all_districts }),
    )?;
    Ok(with_status(status, html))
}

pub async fn create(
    state: web::Data<AppState>,
    ctx: Ctx,
    form: web::Form<TaxpayerForm>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    let commune = ctx.visitor.commune()?.clone();
    let (cid, country, actor) = (commune.id, commune.country, ctx.actor()?);
    let typed = form.clone();
    let created = state
        .write(move |conn| -> AppResult<_> {
            let all_districts = districts::list(conn, cid)?;
            let fields = forms::taxpayer(&typed, country, &all_districts)?;
            Ok(taxpayers::create(conn, cid, &fields, &actor)?)
        })
        .await;
    match created {
        Ok(id) => Ok(ctx.redirect_with(
            &href(&commune, &format!("/taxpayers/{id}")),
            "ok",
            "finance.taxpayers.created",
        )),
        Err(e) => {
            let errors = e.into_field_errors()?;
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            render_new(&state, &ctx, &form, &errors, status).await
        }
    }
}
