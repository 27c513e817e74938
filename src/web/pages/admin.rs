//! The administrator's pages: users and roles, districts, and the audit log.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use crate::accounts::membership::{self, Invited};
use crate::accounts::{password, users, Role};
use crate::audit;
use crate::communes::{self, districts, DistrictKind};
use crate::error::{AppError, AppResult, Refusal};
use crate::ids::UserId;
use crate::notify::Mail;
use crate::web::{AppState, Ctx};

pub async fn home(state: web::Data<AppState>, ctx: Ctx) -> AppResult<HttpResponse> {
    let id = ctx.visitor.commune()?.id;
    // The full chain check reads every entry: it runs on the audit page, not here.
    let figures = state
        .db(move |conn| Ok(communes::figures(conn, id)?))
        .await?;
    ctx.render(
        &state,
        "pages/admin/home",
        "space.admin.title",
        json!({
            "entries": figures.audit_entries, "member_count": figures.members,
            "district_count": figures.districts,
        }),
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

/// Invites someone into a role: a new address gets an account and a link to choose
/// its password; an existing account's owner gets an invitation to accept. The page
/// answers the same in both cases, and the mail leaves after the answer, so that
/// nothing tells an administrator whether an address has an account elsewhere.
pub async fn create_user(
    state: web::Data<AppState>,
    ctx: Ctx,
    form: web::Form<NewUserForm>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    let commune = ctx.visitor.commune()?.clone();
    let role = Role::parse(&form.role).ok_or(AppError::BadRequest("admin.users.bad_role"))?;
    let actor = ctx.actor()?;
    let inviter = ctx.visitor.user()?.name.clone();
    let unusable = web::block(|| password::hash(&uuid::Uuid::new_v4().to_string()))
        .await?
        .map_err(AppError::Internal)?;
    let (cid, email, name) = (commune.id, form.email.clone(), form.name.clone());
    let invited = state
        .write(move |conn| membership::invite(conn, cid, &email, &name, role, &unusable, &actor))
        .await?;
    let base = &state.base_url;
    let data = |name: &str, link: String| {
        json!({
            "name": name, "inviter": inviter, "commune": commune.name,
            "role_key": format!("role.{}", role.as_str()), "link": link,
        })
    };
    let mail = match invited {
        Invited::NewAccount { email, token } => Some(Mail {
            template: "welcome",
            to: email,
            locale: ctx.locale,
            data: data(form.name.trim(), format!("{base}/password/reset/{token}")),
        }),
        Invited::Existing { email, name, token } => Some(Mail {
            template: "invitation",
            to: email,
            locale: ctx.locale,
            data: data(&name, format!("{base}/invitations/{token}")),
        }),
        Invited::Nothing => None,
    };
    if let Some(mail) = mail {
        let state = state.clone();
        actix_web::rt::spawn(async move { state.mailer.send_logged(&state.hb, &mail).await });
    }
    Ok(ctx.redirect_with(
        &format!("/{}/admin/users", commune.slug),
        "ok",
        "admin.users.invited",
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
        return Err(Refusal::new("admin.users.self_revoke").into());
    }
    let cid = commune.id;
    let grant = match form.action.as_str() {
        "grant" => true,
        "revoke" => false,
        _ => return Err(AppError::BadRequest("error.bad_request")),
    };
    state
        .write(move |conn| -> AppResult<()> {
            // Only people of this commune: an id from elsewhere is not found here.
            if users::roles_in(conn, user, cid)?.is_empty() {
                return Err(AppError::NotFound);
            }
            if grant {
                membership::refuse_self(&actor, user)?;
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
        .write(move |conn| districts::create(conn, cid, &form.name, kind, &actor))
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
    // Who did it, in words: a person's address, or what the system was doing.
    let entries: Vec<serde_json::Value> = entries
        .into_iter()
        .map(|e| {
            let who = match e.actor.strip_prefix("system:") {
                Some(what) => ctx.t(&state, &format!("audit.system.{what}")),
                None => e.actor.clone(),
            };
            let mut v = json!(e);
            v["who"] = json!(who);
            v
        })
        .collect();
    ctx.render(
        &state,
        "pages/admin/audit",
        "admin.audit.title",
        json!({ "report": report, "entries": entries, "older": older }),
    )
}
