//! The register's two forms (a taxpayer, a taxable item), checked field by field with
//! the parsers imports use ([`crate::revenue::fields`]), so that a form and a CSV file
//! accept and refuse the same values, with the same messages.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::communes::{Country, District};
use crate::ids::DistrictId;
use crate::revenue::assess::ItemKind;
use crate::revenue::fields::{self, optional, Reason};
use crate::revenue::items::ItemFields;
use crate::revenue::taxpayers::{TaxpayerFields, TaxpayerKind};
use crate::web::i18n::{fill, Catalog, Locale};

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

/// The fields refused, each with its reason.
pub type FieldErrors = Vec<(&'static str, Reason)>;

/// Collects the refusals of a form's fields; a refused field takes its default value,
/// which is never used since the form as a whole is refused.
#[derive(Default)]
struct Check {
    errors: FieldErrors,
}

impl Check {
    fn take<T: Default>(&mut self, field: &'static str, r: Result<T, Reason>) -> T {
        r.unwrap_or_else(|reason| {
            self.errors.push((field, reason));
            T::default()
        })
    }

    fn finish<T>(self, value: T) -> Result<T, FieldErrors> {
        if self.errors.is_empty() {
            Ok(value)
        } else {
            Err(self.errors)
        }
    }
}

fn owned(r: Result<&str, Reason>) -> Result<String, Reason> {
    r.map(str::to_string)
}

fn optional_text(v: &str, max: usize) -> Result<Option<String>, Reason> {
    optional(v, |v| owned(fields::text(v, max)))
}

/// A district of the commune, chosen in a list: empty for none.
fn district(v: &str, districts: &[District]) -> Result<Option<DistrictId>, Reason> {
    if v.trim().is_empty() {
        return Ok(None);
    }
    districts
        .iter()
        .find(|d| d.id.0.to_string() == v.trim())
        .map(|d| Some(d.id))
        .ok_or_else(|| Reason::new("finance.form.unknown_district"))
}

pub fn taxpayer(
    f: &TaxpayerForm,
    country: Country,
    districts: &[District],
) -> Result<TaxpayerFields, FieldErrors> {
    let kinds: Vec<&str> = TaxpayerKind::ALL.iter().map(|k| k.as_str()).collect();
    let mut c = Check::default();
    let fields = TaxpayerFields {
        reference: c.take("ref", owned(fields::text(&f.reference, 40))),
        kind: c.take("kind", owned(fields::enum_value(&f.kind, &kinds))),
        name: c.take("name", owned(fields::text(&f.name, 200))),
        id_number: c.take(
            "id_number",
            optional(&f.id_number, |v| fields::national_id(v, country)),
        ),
        phone: c.take("phone", optional(&f.phone, |v| fields::phone(v, country))),
        email: c.take("email", optional(&f.email, fields::email)),
        district_id: c.take("district", district(&f.district, districts)),
        address: c.take("address", optional_text(&f.address, 200)),
        gps: c
            .take("gps", optional(&f.gps, |v| fields::gps_in(v, country)))
            .map(|p| (p.lat_e6, p.lon_e6)),
    };
    c.finish(fields)
}

pub fn item(f: &ItemForm, districts: &[District]) -> Result<ItemFields, FieldErrors> {
    let kinds: Vec<&str> = ItemKind::ALL.iter().map(|k| k.as_str()).collect();
    let amount = |v: &str| optional(v, fields::amount).map(|a| a.map(|x| x.0));
    let mut c = Check::default();
    let fields = ItemFields {
        reference: c.take("ref", owned(fields::text(&f.reference, 40))),
        kind: c.take("kind", owned(fields::enum_value(&f.kind, &kinds))),
        district_id: c.take("district", district(&f.district, districts)),
        address: c.take("address", optional_text(&f.address, 200)),
        rental_value: c.take("rental_value", amount(&f.rental_value)),
        market_value: c.take("market_value", amount(&f.market_value)),
        area_m2: c.take("area_m2", optional(&f.area_m2, fields::area)),
        category: c.take("category", optional_text(&f.category, 40)),
        market: c.take("market", optional_text(&f.market, 80)),
        stall_number: c.take("stall_number", optional_text(&f.stall_number, 20)),
    };
    c.finish(fields)
}

/// One entry per field of the form (strict templates name them all): the message in
/// the visitor's language, or null.
pub fn messages(all: &[&str], errors: &FieldErrors, catalog: &Catalog, locale: Locale) -> Value {
    let mut out: Map<String, Value> = all.iter().map(|f| (f.to_string(), Value::Null)).collect();
    for (field, reason) in errors {
        let text = fill(&catalog.t(locale, reason.key), &reason.args);
        out.insert(field.to_string(), Value::String(text));
    }
    Value::Object(out)
}
