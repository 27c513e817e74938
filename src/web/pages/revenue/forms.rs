//! The register's two forms (a taxpayer, a taxable item), checked field by field with
//! the parsers imports use ([`crate::fields`]), so that a form and a CSV file
//! accept and refuse the same values, with the same messages.

use serde::{Deserialize, Serialize};

use crate::communes::{Country, District};
use crate::error::{AppError, Refusal};
use crate::fields::{self, optional};
use crate::ids::DistrictId;
use crate::revenue::assess::ItemKind;
use crate::revenue::items::ItemFields;
use crate::revenue::taxpayers::{TaxpayerFields, TaxpayerKind};

/// A taxpayer as typed in the form; every field is sent by the browser, even empty.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct TaxpayerForm {
    #[serde(rename = "ref")]
    pub reference: String,
    pub kind: String,
    pub name: String,
    pub id_number: String,
    pub phone: String,
    pub email: String,
    pub district: String,
    pub address: String,
    pub gps: String,
}

pub const TAXPAYER_FIELDS: &[&str] = &[
    "ref",
    "kind",
    "name",
    "id_number",
    "phone",
    "email",
    "district",
    "address",
    "gps",
];

/// An item as typed in the form on the taxpayer's page.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct ItemForm {
    #[serde(rename = "ref")]
    pub reference: String,
    pub kind: String,
    pub district: String,
    pub address: String,
    pub rental_value: String,
    pub market_value: String,
    pub area_m2: String,
    pub category: String,
    pub market: String,
    pub stall_number: String,
}

pub const ITEM_FIELDS: &[&str] = &[
    "ref",
    "kind",
    "district",
    "address",
    "rental_value",
    "market_value",
    "area_m2",
    "category",
    "market",
    "stall_number",
];

/// The fields refused, each with its reason (each names its field).
pub type FieldErrors = Vec<Refusal>;

/// Collects the refusals of a form's fields.
#[derive(Default)]
struct Check {
    errors: FieldErrors,
}

impl Check {
    fn take<T>(&mut self, field: &'static str, r: Result<T, Refusal>) -> Option<T> {
        r.map_err(|refusal| self.errors.push(refusal.on(field)))
            .ok()
    }

    /// The value, when no field was refused; else every refusal, as a 422.
    fn finish<T>(self, value: Option<T>) -> Result<T, AppError> {
        match value {
            Some(v) if self.errors.is_empty() => Ok(v),
            _ => Err(AppError::Invalid(self.errors)),
        }
    }
}

fn owned(r: Result<&str, Refusal>) -> Result<String, Refusal> {
    r.map(str::to_string)
}

fn optional_text(v: &str, max: usize) -> Result<Option<String>, Refusal> {
    optional(v, |v| owned(fields::text(v, max)))
}

/// A district of the commune, chosen in a list: empty for none.
fn district(v: &str, districts: &[District]) -> Result<Option<DistrictId>, Refusal> {
    if v.trim().is_empty() {
        return Ok(None);
    }
    districts
        .iter()
        .find(|d| d.id.0.to_string() == v.trim())
        .map(|d| Some(d.id))
        .ok_or_else(|| Refusal::new("finance.form.unknown_district"))
}

/// One of a text enum's values, chosen in a list.
fn choice<E: Copy>(v: &str, all: &[E], name: impl Fn(E) -> &'static str) -> Result<E, Refusal> {
    let names: Vec<&str> = all.iter().map(|e| name(*e)).collect();
    let chosen = fields::enum_value(v, &names)?;
    all.iter()
        .copied()
        .find(|e| name(*e) == chosen)
        .ok_or_else(|| Refusal::new(fields::keys::NOT_IN_LIST))
}

pub fn taxpayer(
    f: &TaxpayerForm,
    country: Country,
    districts: &[District],
) -> Result<TaxpayerFields, AppError> {
    let mut c = Check::default();
    let reference = c.take("ref", owned(fields::text(&f.reference, 40)));
    let kind = c.take(
        "kind",
        choice(&f.kind, TaxpayerKind::ALL, TaxpayerKind::as_str),
    );
    let name = c.take("name", owned(fields::text(&f.name, 200)));
    let id_number = c.take(
        "id_number",
        optional(&f.id_number, |v| fields::national_id(v, country)),
    );
    let phone = c.take("phone", optional(&f.phone, |v| fields::phone(v, country)));
    let email = c.take("email", optional(&f.email, fields::email));
    let district_id = c.take("district", district(&f.district, districts));
    let address = c.take("address", optional_text(&f.address, 200));
    let gps = c.take("gps", optional(&f.gps, |v| fields::gps_in(v, country)));
    let fields = (|| {
        Some(TaxpayerFields {
            reference: reference?,
            kind: kind?,
            name: name?,
            id_number: id_number?,
            phone: phone?,
            email: email?,
            district_id: district_id?,
            address: address?,
            gps: gps?.map(|p| (p.lat_e6, p.lon_e6)),
        })
    })();
    c.finish(fields)
}

pub fn item(f: &ItemForm, districts: &[District]) -> Result<ItemFields, AppError> {
    let amount = |v: &str| optional(v, fields::amount);
    let mut c = Check::default();
    let reference = c.take("ref", owned(fields::text(&f.reference, 40)));
    let kind = c.take("kind", choice(&f.kind, ItemKind::ALL, ItemKind::as_str));
    let district_id = c.take("district", district(&f.district, districts));
    let address = c.take("address", optional_text(&f.address, 200));
    let rental_value = c.take("rental_value", amount(&f.rental_value));
    let market_value = c.take("market_value", amount(&f.market_value));
    let area_m2 = c.take("area_m2", optional(&f.area_m2, fields::area));
    let category = c.take("category", optional_text(&f.category, 40));
    let market = c.take("market", optional_text(&f.market, 80));
    let stall_number = c.take("stall_number", optional_text(&f.stall_number, 20));
    let fields = (|| {
        Some(ItemFields {
            reference: reference?,
            kind: kind?,
            district_id: district_id?,
            address: address?,
            rental_value: rental_value?,
            market_value: market_value?,
            area_m2: area_m2?,
            category: category?,
            market: market?,
            stall_number: stall_number?,
        })
    })();
    c.finish(fields)
}

pub use crate::web::pages::field_messages as messages;
