//! A fake mobile-money provider on loopback, for the tests of `revenue::mobile`: Wave's
//! checkout sessions and MTN MoMo's collection API (token, request to pay, status). It
//! checks the credentials each call carries, records every request, and lets the test
//! say where each payment stands.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use serde_json::{json, Value};

/// The credentials the test app is configured with (see [`FakeProvider::settings`]).
pub const WAVE_KEY: &str = "wave-test-key";
pub const WAVE_SECRET: &str = "wave-test-webhook-secret";
pub const MOMO_SUBSCRIPTION: &str = "momo-test-subscription";
pub const MOMO_USER: &str = "3f2a9c1e-0000-4000-8000-000000000001";
pub const MOMO_KEY: &str = "momo-test-key";

/// A request the fake received.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub headers: BTreeMap<String, String>,
    pub body: Value,
}

#[derive(Default)]
struct Fake {
    base: String,
    requests: Vec<Seen>,
    /// Wave's checkout sessions, by id.
    sessions: BTreeMap<String, Value>,
    /// MoMo's requests to pay, by X-Reference-Id.
    momo: BTreeMap<String, Value>,
    tokens: u32,
}

pub struct FakeProvider {
    pub base: String,
    state: Arc<Mutex<Fake>>,
    server: actix_web::dev::ServerHandle,
    thread: Option<std::thread::JoinHandle<std::io::Result<()>>>,
}

impl FakeProvider {
    /// Starts the fake on a free loopback port, on a thread of its own.
    pub fn start() -> FakeProvider {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
        let base = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(Fake {
            base: base.clone(),
            ..Fake::default()
        }));
        let data = web::Data::from(state.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .default_service(web::to(answer))
        })
        .workers(1)
        .listen(listener)
        .expect("listen")
        .run();
        let handle = server.handle();
        let thread = std::thread::spawn(move || actix_web::rt::System::new().block_on(server));
        FakeProvider {
            base,
            state,
            server: handle,
            thread: Some(thread),
        }
    }

    /// The `[mobile_money]` table (as `COMMUNE_MOBILE_MONEY` holds it): Dakar-Plateau
    /// uses Wave, Abomey-Calavi MTN MoMo, both at this fake; no background polling
    /// unless `poll_seconds` says so.
    pub fn settings(&self, poll_seconds: u64) -> String {
        format!(
            "poll_seconds = {poll_seconds}\n\
             [dakar-plateau.wave]\nbase_url = \"{base}\"\napi_key = \"{WAVE_KEY}\"\n\
             webhook_secret = \"{WAVE_SECRET}\"\n\
             [abomey-calavi.mtn_momo]\nbase_url = \"{base}/\"\nsubscription_key = \"{MOMO_SUBSCRIPTION}\"\n\
             api_user = \"{MOMO_USER}\"\napi_key = \"{MOMO_KEY}\"\ntarget_environment = \"sandbox\"\n",
            base = self.base
        )
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Fake> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn requests(&self) -> Vec<Seen> {
        self.lock().requests.clone()
    }

    /// How many requests went to a path starting with `prefix` with `method`.
    pub fn count(&self, method: &str, prefix: &str) -> usize {
        self.lock()
            .requests
            .iter()
            .filter(|r| r.method == method && r.path.starts_with(prefix))
            .count()
    }

    /// The Wave session opened for the commune's reference.
    pub fn wave_session(&self, reference: &str) -> Value {
        self.lock()
            .sessions
            .values()
            .find(|s| s["client_reference"] == reference)
            .cloned()
            .unwrap_or_else(|| panic!("no Wave session for {reference}"))
    }

    /// The MoMo request to pay of the commune's reference, and its X-Reference-Id.
    pub fn momo_request(&self, reference: &str) -> (String, Value) {
        self.lock()
            .momo
            .iter()
            .find(|(_, r)| r["externalId"] == reference)
            .map(|(id, r)| (id.clone(), r.clone()))
            .unwrap_or_else(|| panic!("no MoMo request for {reference}"))
    }

    /// Says how a Wave session stands.
    pub fn set_wave(&self, session: &str, changes: Value) {
        let mut fake = self.lock();
        let s = fake.sessions.get_mut(session).expect("a session");
        merge(s, changes);
    }

    /// Says how a MoMo request stands (`status`, and any other field to change).
    pub fn set_momo(&self, reference_id: &str, changes: Value) {
        let mut fake = self.lock();
        let r = fake.momo.get_mut(reference_id).expect("a request to pay");
        merge(r, changes);
    }
}

fn merge(into: &mut Value, changes: Value) {
    if let (Value::Object(into), Value::Object(changes)) = (into, changes) {
        into.extend(changes);
    }
}

impl Drop for FakeProvider {
    fn drop(&mut self) {
        std::mem::drop(self.server.stop(false));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

async fn answer(req: HttpRequest, body: web::Bytes, state: web::Data<Mutex<Fake>>) -> HttpResponse {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let headers: BTreeMap<String, String> = [
        "authorization",
        "idempotency-key",
        "x-reference-id",
        "x-target-environment",
        "x-callback-url",
        "ocp-apim-subscription-key",
    ]
    .iter()
    .filter_map(|h| {
        Some((
            h.to_string(),
            req.headers().get(*h)?.to_str().ok()?.to_string(),
        ))
    })
    .collect();
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let method = req.method().to_string();
    let path = req.path().to_string();
    let mut fake = state.lock().unwrap_or_else(|p| p.into_inner());
    fake.requests.push(Seen {
        method: method.clone(),
        path: path.clone(),
        headers,
        body: body.clone(),
    });
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let wave_auth = header("authorization") == format!("Bearer {WAVE_KEY}");
    let momo_auth = header("authorization").starts_with("Bearer momo-token-")
        && header("ocp-apim-subscription-key") == MOMO_SUBSCRIPTION
        && header("x-target-environment") == "sandbox";
    match (method.as_str(), segments.as_slice()) {
        ("POST", ["v1", "checkout", "sessions"]) if wave_auth => {
            let reference = body["client_reference"].clone();
            if let Some(s) = fake
                .sessions
                .values()
                .find(|s| s["client_reference"] == reference)
            {
                return HttpResponse::Ok().json(s);
            }
            let id = format!("cos-{}", fake.sessions.len() + 1);
            let session = json!({
                "id": id,
                "amount": body["amount"],
                "currency": body["currency"],
                "client_reference": reference,
                "success_url": body["success_url"],
                "error_url": body["error_url"],
                "checkout_status": "open",
                "payment_status": "processing",
                "transaction_id": null,
                "wave_launch_url": format!("{}/c/{id}", fake.base),
            });
            fake.sessions.insert(id, session.clone());
            HttpResponse::Ok().json(session)
        }
        ("GET", ["v1", "checkout", "sessions", id]) if wave_auth => match fake.sessions.get(*id) {
            Some(s) => HttpResponse::Ok().json(s),
            None => HttpResponse::NotFound().json(json!({ "code": "not-found" })),
        },
        ("POST", ["collection", "token"]) => {
            use base64::Engine;
            let basic =
                base64::engine::general_purpose::STANDARD.encode(format!("{MOMO_USER}:{MOMO_KEY}"));
            if header("authorization") != format!("Basic {basic}")
                || header("ocp-apim-subscription-key") != MOMO_SUBSCRIPTION
            {
                return HttpResponse::Unauthorized().finish();
            }
            fake.tokens += 1;
            HttpResponse::Ok().json(json!({
                "access_token": format!("momo-token-{}", fake.tokens),
                "token_type": "access_token",
                "expires_in": 3600,
            }))
        }
        ("POST", ["collection", "v1_0", "requesttopay"]) if momo_auth => {
            let id = header("x-reference-id");
            if uuid::Uuid::parse_str(&id).is_err() || body["payer"]["partyIdType"] != "MSISDN" {
                return HttpResponse::BadRequest().finish();
            }
            if fake.momo.contains_key(&id) {
                return HttpResponse::Conflict().finish();
            }
            fake.momo.insert(
                id,
                json!({
                    "amount": body["amount"],
                    "currency": body["currency"],
                    "externalId": body["externalId"],
                    "payer": body["payer"],
                    "payerMessage": body["payerMessage"],
                    "payeeNote": body["payeeNote"],
                    "status": "PENDING",
                }),
            );
            HttpResponse::Accepted().finish()
        }
        ("GET", ["collection", "v1_0", "requesttopay", id]) if momo_auth => {
            match fake.momo.get(*id) {
                Some(r) => HttpResponse::Ok().json(r),
                None => HttpResponse::NotFound().json(json!({ "code": "RESOURCE_NOT_FOUND" })),
            }
        }
        ("GET", ["c", id]) => HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(format!(
                "<!doctype html><title>Wave</title><h1>Wave checkout {id}</h1>"
            )),
        _ => HttpResponse::Unauthorized().json(json!({ "code": "unauthorized" })),
    }
}
