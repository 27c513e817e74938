//! Handlebars in strict mode, templates embedded in release builds (read from disk in
//! debug builds), and the helpers pages use: `t`, `money`, `percent`, `date`,
//! `datetime`, `local_phone`, `of_name` and `tax_name`.

use std::sync::Arc;

use handlebars::{
    Context, Handlebars, Helper, HelperResult, Output, RenderContext, RenderErrorReason,
};
use rust_embed::RustEmbed;

use crate::i18n::{Arg, Catalog, Locale};
use crate::money::Xof;

#[derive(RustEmbed)]
#[folder = "templates/"]
#[exclude = "i18n/*"]
#[exclude = "static/*"]
pub struct TemplateFiles;

#[derive(RustEmbed)]
#[folder = "templates/static/"]
pub struct StaticFiles;

/// The names of every page, partial and mail template.
pub fn template_names() -> Vec<String> {
    TemplateFiles::iter()
        .filter_map(|f| f.strip_suffix(".hbs").map(str::to_string))
        .collect()
}

/// The source text of a template (for the catalogue test).
pub fn template_source(name: &str) -> Option<String> {
    TemplateFiles::get(&format!("{name}.hbs")).and_then(|f| String::from_utf8(f.data.to_vec()).ok())
}

pub fn build(catalog: Arc<Catalog>) -> anyhow::Result<Handlebars<'static>> {
    let mut hb = Handlebars::new();
    hb.set_strict_mode(true);
    hb.register_embed_templates_with_extension::<TemplateFiles>(".hbs")?;
    let c = catalog.clone();
    hb.register_helper(
        "t",
        Box::new(
            move |h: &Helper,
                  _: &Handlebars,
                  ctx: &Context,
                  _: &mut RenderContext,
                  out: &mut dyn Output|
                  -> HelperResult {
                let key = h
                    .param(0)
                    .and_then(|p| p.value().as_str())
                    .ok_or_else(|| RenderErrorReason::ParamNotFoundForIndex("t", 0))?;
                let locale = root_locale(ctx);
                let args: Vec<(&str, Arg)> = h
                    .hash()
                    .iter()
                    .map(|(k, v)| (*k, value_arg(v.value())))
                    .collect();
                let text = c
                    .render(locale, key, args.iter().map(|(k, v)| (*k, v)))
                    .ok_or_else(|| {
                        RenderErrorReason::Other(format!(
                            "missing message {key:?} in {}",
                            locale.as_str()
                        ))
                    })?;
                out.write(&handlebars::html_escape(&text))?;
                Ok(())
            },
        ),
    );
    hb.register_helper(
        "concat",
        Box::new(
            |h: &Helper,
             _: &Handlebars,
             _: &Context,
             _: &mut RenderContext,
             out: &mut dyn Output|
             -> HelperResult {
                let joined: String = h.params().iter().map(|p| value_text(p.value())).collect();
                out.write(&joined)?;
                Ok(())
            },
        ),
    );
    hb.register_helper(
        "urlencode",
        Box::new(
            |h: &Helper,
             _: &Handlebars,
             _: &Context,
             _: &mut RenderContext,
             out: &mut dyn Output|
             -> HelperResult {
                let v = h
                    .param(0)
                    .map(|p| value_text(p.value()))
                    .unwrap_or_default();
                out.write(&url::form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>())?;
                Ok(())
            },
        ),
    );
    // ` aria-current="page"` on the menu's link to the page shown: the link whose
    // address is the page's, or, with `section=true`, a prefix of it.
    hb.register_helper(
        "current",
        Box::new(
            |h: &Helper,
             _: &Handlebars,
             ctx: &Context,
             _: &mut RenderContext,
             out: &mut dyn Output|
             -> HelperResult {
                let href = h.param(0).and_then(|p| p.value().as_str()).unwrap_or("");
                let section = h
                    .hash_get("section")
                    .is_some_and(|v| v.value().as_bool() == Some(true));
                let path = ctx.data()["path"].as_str().unwrap_or("");
                let path = path.split('?').next().unwrap_or("");
                let here = path == href
                    || (section && path.starts_with(href) && path[href.len()..].starts_with('/'));
                if here && !href.is_empty() {
                    out.write(" aria-current=\"page\"")?;
                }
                Ok(())
            },
        ),
    );
    // Helpers of one value: the value, with the page's data (for its language and its
    // commune's time zone), gives the text shown.
    one_value_helper(&mut hb, "money", |v, page| {
        Some(Xof(v.as_i64()?).display(page_locale(page).as_str()))
    });
    one_value_helper(&mut hb, "percent", |v, page| {
        Some(percent(v.as_i64()?, page_locale(page)))
    });
    one_value_helper(&mut hb, "date", |v, page| {
        Some(date(v.as_str()?, page_locale(page)))
    });
    one_value_helper(&mut hb, "datetime", |v, page| {
        Some(local_time(
            v.as_str()?,
            page["commune"]["timezone"].as_str(),
            page_locale(page),
        ))
    });
    // A phone number as its owner writes it; no number, nothing.
    one_value_helper(&mut hb, "local_phone", |v, _| match v {
        serde_json::Value::Null => Some(String::new()),
        v => Some(phone(v.as_str()?)),
    });
    one_value_helper(&mut hb, "of_name", |v, page| {
        Some(crate::i18n::of_name(page_locale(page), v.as_str()?))
    });
    // A thing named in both languages (a tax type: `name_fr`, `name_en`), in the page's.
    one_value_helper(&mut hb, "tax_name", |v, page| {
        let key = format!("name_{}", page_locale(page).as_str());
        Some(v.get(&key)?.as_str()?.to_string())
    });
    Ok(hb)
}

/// A stored UTC time (`2026-11-28T10:15:30.123456`) to the minute, in the commune's
/// time zone when the page has one, else in UTC, as people write it: `28/11/2026 à
/// 11 h 15` in French, `28 Nov 2026, 11:15` in English.
pub fn local_time(stored: &str, zone: Option<&str>, locale: Locale) -> String {
    let Ok(utc) = chrono::NaiveDateTime::parse_from_str(stored, "%Y-%m-%dT%H:%M:%S%.f") else {
        return stored.to_string();
    };
    let (local, utc_suffix) = match zone.and_then(|z| z.parse::<chrono_tz::Tz>().ok()) {
        Some(tz) => (utc.and_utc().with_timezone(&tz).naive_local(), ""),
        None => (utc, " UTC"),
    };
    let text = match locale {
        Locale::Fr => local.format("%d/%m/%Y à %H h %M").to_string(),
        Locale::En => local.format("%-d %b %Y, %H:%M").to_string(),
    };
    format!("{text}{utc_suffix}")
}

/// A stored phone number as its owner writes it: `+221771234567` → `77 123 45 67`,
/// `+2290197123456` → `01 97 12 34 56`; a foreign number keeps its country code.
pub fn phone(stored: &str) -> String {
    let pairs = |digits: &str, first: usize| {
        let (head, rest) = digits.split_at(first.min(digits.len()));
        let mut out = head.to_string();
        for pair in rest.as_bytes().chunks(2) {
            out.push(' ');
            out.push_str(std::str::from_utf8(pair).unwrap_or(""));
        }
        out
    };
    match stored {
        s if s.starts_with("+221") && s.len() == 13 => {
            let (head, rest) = s[4..].split_at(2);
            format!("{head} {}", pairs(rest, 3))
        }
        s if s.starts_with("+229") && s.len() == 14 => pairs(&s[4..], 2),
        s => s.to_string(),
    }
}

/// Basis points as a percentage: 360 → `3,6 %` in French, `3.6%` in English.
pub fn percent(bp: i64, locale: Locale) -> String {
    let sign = if bp < 0 { "-" } else { "" };
    let (whole, hundredths) = (bp.unsigned_abs() / 100, bp.unsigned_abs() % 100);
    let number = match (hundredths, locale) {
        (0, _) => whole.to_string(),
        (h, Locale::Fr) => format!("{whole},{}", format!("{h:02}").trim_end_matches('0')),
        (h, Locale::En) => format!("{whole}.{}", format!("{h:02}").trim_end_matches('0')),
    };
    match locale {
        Locale::Fr => format!("{sign}{number}\u{A0}%"),
        Locale::En => format!("{sign}{number}%"),
    }
}

/// An ISO date (`2026-03-31`, or the date part of a timestamp) as people write it:
/// `31/03/2026` in French, `31 Mar 2026` in English. Anything else is shown as given.
pub fn date(iso: &str, locale: Locale) -> String {
    let Some(d) = iso
        .get(..10)
        .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
    else {
        return iso.to_string();
    };
    crate::i18n::date(d, locale)
}

fn root_locale(ctx: &Context) -> Locale {
    page_locale(ctx.data())
}

/// The language a page is rendered in: its `lang`, French by default.
fn page_locale(page: &serde_json::Value) -> Locale {
    page.get("lang")
        .and_then(|l| l.as_str())
        .and_then(Locale::parse)
        .unwrap_or(Locale::Fr)
}

/// Registers `name` as a helper of one value: `render(value, page data)` gives the
/// text, written escaped. A value of the wrong kind is an error, as in strict mode.
fn one_value_helper(
    hb: &mut Handlebars<'static>,
    name: &'static str,
    render: impl Fn(&serde_json::Value, &serde_json::Value) -> Option<String> + Send + Sync + 'static,
) {
    hb.register_helper(
        name,
        Box::new(
            move |h: &Helper,
                  _: &Handlebars,
                  ctx: &Context,
                  _: &mut RenderContext,
                  out: &mut dyn Output|
                  -> HelperResult {
                let text = h
                    .param(0)
                    .and_then(|p| render(p.value(), ctx.data()))
                    .ok_or(RenderErrorReason::ParamNotFoundForIndex(name, 0))?;
                out.write(&handlebars::html_escape(&text))?;
                Ok(())
            },
        ),
    );
}

/// A hash argument of `t`: a number stays a number (it may choose a plural form).
fn value_arg(v: &serde_json::Value) -> Arg {
    match v.as_i64() {
        Some(n) => Arg::Number(n),
        None => Arg::Text(value_text(v)),
    }
}

fn value_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_show_in_the_communes_zone_to_the_minute_as_each_language_writes_them() {
        let t = "2026-11-28T23:30:05.123456";
        assert_eq!(
            local_time(t, Some("Africa/Porto-Novo"), Locale::Fr),
            "29/11/2026 à 00 h 30"
        );
        assert_eq!(
            local_time(t, Some("Africa/Dakar"), Locale::En),
            "28 Nov 2026, 23:30"
        );
        assert_eq!(local_time(t, None, Locale::Fr), "28/11/2026 à 23 h 30 UTC");
        assert_eq!(
            local_time("2026-11-28T23:30:05", Some("Nowhere/Else"), Locale::En),
            "28 Nov 2026, 23:30 UTC"
        );
    }

    #[test]
    fn phone_numbers_show_as_their_owners_write_them() {
        assert_eq!(phone("+221771234567"), "77 123 45 67");
        assert_eq!(phone("+2290197123456"), "01 97 12 34 56");
        assert_eq!(phone("+33612345678"), "+33612345678");
    }

    #[test]
    fn percents_and_dates_follow_the_language() {
        assert_eq!(percent(360, Locale::Fr), "3,6\u{A0}%");
        assert_eq!(percent(360, Locale::En), "3.6%");
        assert_eq!(percent(1_000, Locale::Fr), "10\u{A0}%");
        assert_eq!(percent(725, Locale::En), "7.25%");
        assert_eq!(date("2026-03-31", Locale::Fr), "31/03/2026");
        assert_eq!(date("2026-03-01T10:00:00", Locale::En), "1 Mar 2026");
        assert_eq!(date("soon", Locale::En), "soon");
    }
}
