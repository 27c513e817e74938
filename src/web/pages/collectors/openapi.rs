//! `GET /api/v1/openapi.json`: the collectors' API described in OpenAPI 3.1, written by
//! hand (a test checks that it names every route the route table gives a token).

use actix_web::{web, HttpResponse};
use serde_json::{json, Value};

use super::MAX_BATCH;
use crate::web::AppState;

pub async fn document(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(describe(&state.base_url))
}

fn error_response(description: &str) -> Value {
    json!({
        "description": description,
        "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ErrorBody" } } }
    })
}

/// The document, for a server at `base_url`.
pub fn describe(base_url: &str) -> Value {
    let commune = json!({
        "name": "commune", "in": "path", "required": true,
        "description": "The commune's slug, as in its address (`dakar-plateau`).",
        "schema": { "type": "string" }
    });
    let language = json!({
        "name": "Accept-Language", "in": "header", "required": false,
        "description": "`fr` or `en`: the language of error messages (default: the commune's).",
        "schema": { "type": "string" }
    });
    let refusals = json!({
        "400": error_response("The body is not the JSON described (`code` is `bad_request`, `detail` says where)."),
        "401": {
            "description": "No token, or an unknown or revoked one, or one whose holder is no longer a collector or administrator of the commune, or is disabled.",
            "headers": { "WWW-Authenticate": { "schema": { "type": "string" }, "description": "`Bearer realm=\"commune\"`" } },
            "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ErrorBody" } } }
        },
        "403": error_response("The token belongs to another commune, or its holder is not a collector here."),
        "404": error_response("No commune has this slug."),
    });
    let mut single = refusals.clone();
    single["201"] = json!({
        "description": "Recorded: the receipt.",
        "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Receipt" } } }
    });
    single["200"] = json!({
        "description": "This UUID had already recorded this same payment: the same receipt, and nothing new recorded.",
        "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Receipt" } } }
    });
    single["409"] = error_response("This UUID was already used for another payment (other content, or another collector): nothing recorded (`code` is `api.id_reused`).");
    single["422"] = error_response("Refused (an amount above the balance, an unknown taxpayer, a date more than 30 days back…): `code` is the refusal's key, `field` the field it concerns.");
    let mut batch = refusals.clone();
    batch["200"] = json!({
        "description": "One result per payment sent, in the same order; each was recorded or refused on its own.",
        "content": { "application/json": { "schema": { "$ref": "#/components/schemas/BatchAnswer" } } }
    });
    batch["422"] = error_response(&format!(
        "More than {MAX_BATCH} payments (`code` is `api.batch_too_large`): none recorded."
    ));
    let mut day = refusals;
    day["200"] = json!({
        "description": "The collector's own payments of the day, in receipt order, and the day's totals.",
        "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Day" } } }
    });
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Commune — collectors' API",
            "version": "1.0.0",
            "description": "For field collectors' phones: record payments on a taxpayer's balance and market tickets, offline first. Each payment carries a UUID the phone makes: sending it again (one by one or in a batch) returns the same receipt and records nothing new, so a phone can resend a whole day after losing its connection. Tokens are personal: a collector makes one in their space (`/{commune}/tokens`) or an operator with `commune token create --commune SLUG --email E`.",
            "license": { "name": "AGPL-3.0-or-later" }
        },
        "servers": [{ "url": base_url }],
        "security": [{ "bearerAuth": [] }],
        "paths": {
            "/api/v1/{commune}/payments": {
                "parameters": [commune, language],
                "post": {
                    "operationId": "createPayment",
                    "summary": "Record one payment, or sell one ticket",
                    "description": "Without `tax`: a payment on the balance of the taxpayer `taxpayer` (matched in any case), spread over the oldest lines first. With `tax` (a daily fee such as `DPLACE`): a market ticket, for which `taxpayer` is optional and `payer` names the stall or trader.",
                    "requestBody": {
                        "required": true,
                        "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Payment" } } }
                    },
                    "responses": single
                },
                "get": {
                    "operationId": "listPayments",
                    "summary": "The token holder's own payments of one day",
                    "parameters": [{
                        "name": "date", "in": "query", "required": false,
                        "description": "The day the money changed hands, `YYYY-MM-DD` (default: today in the commune).",
                        "schema": { "type": "string", "format": "date" }
                    }],
                    "responses": day
                }
            },
            "/api/v1/{commune}/payments/batch": {
                "parameters": [commune, language],
                "post": {
                    "operationId": "createPayments",
                    "summary": format!("Record up to {MAX_BATCH} payments, each on its own"),
                    "requestBody": {
                        "required": true,
                        "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Batch" } } }
                    },
                    "responses": batch
                }
            },
            "/api/v1/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "This document",
                    "security": [],
                    "responses": { "200": { "description": "The OpenAPI document.", "content": { "application/json": {} } } }
                }
            }
        },
        "components": {
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http", "scheme": "bearer",
                    "description": "A personal token (`cmn_…`), shown once when it is made; sent as `Authorization: Bearer <token>`."
                }
            },
            "schemas": schemas()
        }
    })
}

fn schemas() -> Value {
    let modes =
        json!({ "type": "string", "enum": ["cash", "mobile_money", "bank_transfer", "cheque"] });
    let statuses =
        json!({ "type": "string", "enum": ["recorded", "deposited", "reconciled", "cancelled"] });
    let code = json!({ "type": "string", "pattern": "^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$", "description": "The receipt's verification code, to type at `/verify`." });
    json!({
        "Payment": {
            "type": "object",
            "required": ["id", "amount", "mode"],
            "properties": {
                "id": { "type": "string", "format": "uuid", "description": "Made by the phone, once per payment: the key that makes a resend harmless." },
                "taxpayer": { "type": "string", "description": "The taxpayer's reference (`DKP-T0003`), in any case. Required without `tax`." },
                "amount": { "type": "integer", "minimum": 1, "description": "Whole francs CFA." },
                "mode": modes,
                "date": { "type": "string", "format": "date", "description": "The day the money changed hands (default today; at most 30 days back)." },
                "reference": { "type": "string", "maxLength": 80, "description": "The operator's or bank's reference; required unless `mode` is `cash`." },
                "tax": { "type": "string", "description": "A daily fee's code (`DPLACE`): the payment is then a market ticket." },
                "category": { "type": "string", "description": "A ticket's tariff category (`etal`, `cantine`, `table`): the amount is a whole number of its tariff." },
                "payer": { "type": "string", "maxLength": 120, "description": "A ticket's stall or trader, when there is no `taxpayer`." }
            }
        },
        "Receipt": {
            "type": "object",
            "required": ["id", "receipt", "verification_code", "amount", "date", "status"],
            "properties": {
                "id": { "type": "string", "format": "uuid" },
                "receipt": { "type": "string", "description": "`{CODE}-{year}-{n}`, gap-free per commune and year.", "examples": ["DKP-2026-000042"] },
                "verification_code": code,
                "amount": { "type": "integer" },
                "mode": modes,
                "date": { "type": "string", "format": "date" },
                "status": statuses,
                "taxpayer": { "type": ["string", "null"] },
                "tax": { "type": ["string", "null"] }
            }
        },
        "Error": {
            "type": "object",
            "required": ["status", "code", "message"],
            "properties": {
                "status": { "type": "integer" },
                "code": { "type": "string", "description": "A stable key: `bad_request`, `unauthenticated`, `forbidden`, `not_found`, `api.id_reused`, or the refusal's key (`payment.above_balance`, `api.unknown_taxpayer`, `ticket.not_tariff`…)." },
                "message": { "type": "string", "description": "In French or English, after `Accept-Language`." },
                "field": { "type": ["string", "null"], "description": "The field refused." },
                "detail": { "type": "string", "description": "For a 400: where the JSON went wrong." }
            }
        },
        "ErrorBody": {
            "type": "object",
            "required": ["error"],
            "properties": {
                "id": { "type": ["string", "null"] },
                "error": { "$ref": "#/components/schemas/Error" }
            }
        },
        "Batch": {
            "type": "object",
            "required": ["payments"],
            "properties": {
                "payments": { "type": "array", "maxItems": MAX_BATCH, "items": { "$ref": "#/components/schemas/Payment" } }
            }
        },
        "BatchResult": {
            "type": "object",
            "required": ["status"],
            "description": "A `Receipt` (status 201 or 200) or an `ErrorBody` (status 400, 409 or 422), with its status.",
            "properties": {
                "status": { "type": "integer", "enum": [200, 201, 400, 409, 422] },
                "id": { "type": ["string", "null"] },
                "receipt": { "type": "string" },
                "verification_code": code,
                "amount": { "type": "integer" },
                "mode": modes,
                "date": { "type": "string", "format": "date" },
                "error": { "$ref": "#/components/schemas/Error" }
            }
        },
        "BatchAnswer": {
            "type": "object",
            "required": ["results", "recorded", "refused"],
            "properties": {
                "results": { "type": "array", "items": { "$ref": "#/components/schemas/BatchResult" } },
                "recorded": { "type": "integer", "description": "Results 200 or 201." },
                "refused": { "type": "integer" }
            }
        },
        "DayPayment": {
            "type": "object",
            "properties": {
                "id": { "type": ["string", "null"], "description": "The phone's UUID (null for a payment recorded at the counter)." },
                "receipt": { "type": "string" },
                "verification_code": code,
                "amount": { "type": "integer" },
                "mode": modes,
                "date": { "type": "string", "format": "date" },
                "status": statuses,
                "channel": { "type": "string", "enum": ["counter", "api", "mobile_money"] },
                "taxpayer": { "type": ["string", "null"] },
                "tax": { "type": ["string", "null"] },
                "payer": { "type": ["string", "null"] },
                "received_at": { "type": "string", "format": "date-time" }
            }
        },
        "Day": {
            "type": "object",
            "required": ["date", "payments", "totals"],
            "properties": {
                "date": { "type": "string", "format": "date" },
                "payments": { "type": "array", "items": { "$ref": "#/components/schemas/DayPayment" } },
                "totals": {
                    "type": "object",
                    "description": "Cancelled receipts count for nothing; `cash` is what the collector hands over.",
                    "properties": {
                        "count": { "type": "integer" },
                        "total": { "type": "integer" },
                        "cash": { "type": "integer" },
                        "mobile_money": { "type": "integer" },
                        "other": { "type": "integer" }
                    }
                }
            }
        }
    })
}
