//! The administrator's pages: users and roles, districts, and the audit log.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use crate::accounts::{password, resets, users, Role};
use crate::audit;
use crate::communes::{self, districts, DistrictKind};
use crate::error::{AppError, AppResult};
use crate::ids::UserId;
use crate::notify::Mail;
use crate::web::{AppState, Ctx};

pub async fn home(state: web::Data<AppState>, ctx: Ctx) -> AppResult<HttpResponse> {
    let id = ctx.visitor.commune()?.id;
    // The full chain check reads every entry: it runs on the audit page, not here.
    let (entries, members, districts) = state
        .db(move |conn| {
            Ok((
                communes::journal_head(conn, id)?.0,
                users::members(conn, id)?.len(),
                districts::list(conn, id)?.len(),
            ))
        })
        .await?;
    ctx.render(
        &state,
        "pages/admin/home",
        "space.admin.title",
        json!({ "entries": entries, "member_count": members, "district_count": districts }),
    )
}

pub async fn list_users(state: web::Data<AppState>, ctx: Ctx) -> AppResult<HttpResponse> {
    let id = ctx.visitor.commune()?.id;
    let members = state
        .db(move |conn| users::members(conn, id).map_err(AppError::from))
        .await?;
    let roles: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
    ctx.render(
        &state,
        "pages/admin/users",
        "admin.users.title",
        json!({ "members": members, "all_roles": roles }),
    )
}

#[derive(Deserialize)]
pub struct NewUserForm {
    email: String,
    name: String,
    role: String,
}

/// Adds a role to an existing account, or creates the account and mails a link to
/// choose its password.
pub async fn create_user(
    state: web::Data<AppState>,
    ctx: Ctx,
    form: web::Form<NewUserForm>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    let commune = ctx.visitor.commune()?.clone();
    let role = Role::parse(&form.role).ok_or(AppError::BadRequest("admin.users.bad_role"))?;
    let actor = ctx.actor()?;
    let unusable = web::block(|| password::hash(&uuid::Uuid::new_v4().to_string()))
        .await?
        .map_err(AppError::Internal)?;
    let (cid, email, name) = (commune.id, form.email.clone(), form.name.clone());
    let outcome = state
        .write(move |conn| {
            if let Some(existing) = users::by_email(conn, &email)? {
                users::grant(conn, existing.id, cid, role, &actor)?;
                return Ok(None);
            }
            let id = users::create(conn, cid, &email, &name, &unusable, &actor).map_err(
                |e| match e {
                    users::UserError::Db(e) => AppError::from(e),
                    other => AppError::BadRequest(other.message_key()),
                },
            )?;
            users::grant(conn, id, cid, role, &actor)?;
            let token = resets::issue(conn, id, resets::WELCOME_TTL)?;
            Ok(Some((users::normalise_email(&email), token)))
        })
        .await?;
    let Some((email, token)) = outcome else {
        return Ok(ctx.redirect_with(
            &format!("/{}/admin/users", commune.slug),
            "ok",
            "admin.users.role_granted",
        ));
    };
    let mail = Mail {
        template: "welcome",
        to: email,
        locale: ctx.locale,
        data: json!({
            "name": form.name.trim(),
            "commune": commune.name,
            "role_key": format!("role.{}", role.as_str()),
            "link": format!("{}/password/reset/{token}", state.base_url),
        }),
    };
    state.mailer.send_logged(&state.hb, &mail).await;
    Ok(ctx.redirect_with(
        &format!("/{}/admin/users", commune.slug),
        "ok",
        "admin.users.created",
    ))
}

#[derive(Deserialize)]
pub struct RoleForm {
    role: String,
    action: String,
}

pub async fn change_role(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
    form: web::Form<RoleForm>,
) -> AppResult<HttpResponse> {
    let (_, user) = path.into_inner();
    let user = UserId(user);
    let commune = ctx.visitor.commune()?.clone();
    let role = Role::parse(&form.role).ok_or(AppError::BadRequest("admin.users.bad_role"))?;
    let actor = ctx.actor()?;
    if actor.id == Some(user) && role == Role::Admin && form.action == "revoke" {
        return Err(AppError::BadRequest("admin.users.self_revoke"));
    }
    let cid = commune.id;
    let grant = match form.action.as_str() {
        "grant" => true,
        "revoke" => false,
        _ => return Err(AppError::BadRequest("error.bad_request")),
    };
    state
        .write(move |conn| {
            // Only people of this commune: an id from elsewhere is not found here.
            if users::roles_in(conn, user, cid)?.is_empty() {
                return Err(AppError::NotFound);
            }
            if grant {
                users::grant(conn, user, cid, role, &actor)?;
            } else {
                users::revoke(conn, user, cid, role, &actor)?;
            }
            Ok(())
        })
        .await?;
    Ok(ctx.redirect_with(
        &format!("/{}/admin/users", commune.slug),
        "ok",
        "admin.users.roles_saved",
    ))
}

pub async fn list_districts(state: web::Data<AppState>, ctx: Ctx) -> AppResult<HttpResponse> {
    let id = ctx.visitor.commune()?.id;
    let list = state
        .db(move |conn| districts::list(conn, id).map_err(AppError::from))
        .await?;
    let kinds: Vec<&str> = DistrictKind::ALL.iter().map(|k| k.as_str()).collect();
    ctx.render(
        &state,
        "pages/admin/districts",
        "admin.districts.title",
        json!({ "districts": list, "kinds": kinds }),
    )
}

#[derive(Deserialize)]
pub struct DistrictForm {
    name: String,
    kind: String,
}

pub async fn create_district(
    state: web::Data<AppState>,
    ctx: Ctx,
    form: web::Form<DistrictForm>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    let commune = ctx.visitor.commune()?.clone();
    let kind = DistrictKind::parse(&form.kind).ok_or(AppError::BadRequest("district.bad_kind"))?;
    let actor = ctx.actor()?;
    let cid = commune.id;
    state
        .write(move |conn| Ok(districts::create(conn, cid, &form.name, kind, &actor)?))
        .await?;
    Ok(ctx.redirect_with(
        &format!("/{}/admin/districts", commune.slug),
        "ok",
        "admin.districts.created",
    ))
}

#[derive(Deserialize)]
pub struct AuditQuery {
    before: Option<i64>,
}

const AUDIT_PAGE: i64 = 50;

pub async fn show_audit(
    state: web::Data<AppState>,
    ctx: Ctx,
    q: web::Query<AuditQuery>,
) -> AppResult<HttpResponse> {
    let id = ctx.visitor.commune()?.id;
    let before = q.before;
    let (report, entries) = state
        .db(move |conn| {
            Ok((
                audit::verify(conn, id)?,
                audit::page(conn, id, before, AUDIT_PAGE)?,
            ))
        })
        .await?;
    let older = (entries.len() as i64 == AUDIT_PAGE)
        .then(|| entries.last().map(|e| e.seq))
        .flatten();
    ctx.render(
        &state,
        "pages/admin/audit",
        "admin.audit.title",
        json!({ "report": report, "entries": entries, "older": older }),
    )
}
