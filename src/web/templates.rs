//! Handlebars in strict mode, templates embedded in release builds (read from disk in
//! debug builds), and the helpers pages use: `t`, `money`, `percent`, `date`, `datetime`.

use std::sync::Arc;

use handlebars::{
    Context, Handlebars, Helper, HelperResult, Output, RenderContext, RenderErrorReason,
};
use rust_embed::RustEmbed;

use super::i18n::{fill, Catalog, Locale};
use crate::money::Xof;

#[derive(RustEmbed)]
#[folder = "templates/"]
#[exclude = "i18n/*"]
#[exclude = "static/*"]
pub struct TemplateFiles;

#[derive(RustEmbed)]
#[folder = "templates/i18n/"]
struct I18nFiles;

#[derive(RustEmbed)]
#[folder = "templates/static/"]
pub struct StaticFiles;

/// The catalogue: `i18n/fr.toml` and `i18n/en.toml`, plus any `i18n/<area>.fr.toml` and
/// `i18n/<area>.en.toml` that an area keeps beside them.
pub fn load_catalog() -> anyhow::Result<Catalog> {
    let read = |suffix: &str| -> anyhow::Result<Vec<String>> {
        let mut names: Vec<String> = I18nFiles::iter()
            .filter(|n| n.as_ref() == suffix || n.ends_with(&format!(".{suffix}")))
            .map(|n| n.to_string())
            .collect();
        names.sort();
        names
            .iter()
            .map(|n| {
                let file = I18nFiles::get(n).ok_or_else(|| anyhow::anyhow!("missing i18n/{n}"))?;
                Ok(String::from_utf8(file.data.to_vec())?)
            })
            .collect()
    };
    Catalog::from_toml_files(&read("fr.toml")?, &read("en.toml")?)
}

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
    hb.set_dev_mode(cfg!(debug_assertions));
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
                let text = c.get(locale, key).ok_or_else(|| {
                    RenderErrorReason::Other(format!(
                        "missing message {key:?} in {}",
                        locale.as_str()
                    ))
                })?;
                let args: Vec<(&str, String)> = h
                    .hash()
                    .iter()
                    .map(|(k, v)| (*k, value_text(v.value())))
                    .collect();
                out.write(&handlebars::html_escape(&fill(text, &args)))?;
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
        ))
    });
    Ok(hb)
}

/// A stored UTC time (`2026-11-28T10:15:30.123456`) to the minute, in the commune's
/// time zone when the page has one (`2026-11-28 11:15 WAT` in Porto-Novo), else in UTC.
pub fn local_time(stored: &str, zone: Option<&str>) -> String {
    let utc = chrono::NaiveDateTime::parse_from_str(stored, "%Y-%m-%dT%H:%M:%S%.f");
    match (utc, zone.and_then(|z| z.parse::<chrono_tz::Tz>().ok())) {
        (Ok(t), Some(tz)) => t
            .and_utc()
            .with_timezone(&tz)
            .format("%Y-%m-%d %H:%M %Z")
            .to_string(),
        (Ok(t), None) => t.format("%Y-%m-%d %H:%M UTC").to_string(),
        (Err(_), _) => stored.to_string(),
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
    match locale {
        Locale::Fr => d.format("%d/%m/%Y").to_string(),
        Locale::En => d.format("%-d %b %Y").to_string(),
    }
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
    fn times_show_in_the_communes_zone_to_the_minute() {
        let t = "2026-11-28T23:30:05.123456";
        assert_eq!(
            local_time(t, Some("Africa/Porto-Novo")),
            "2026-11-29 00:30 WAT"
        );
        assert_eq!(local_time(t, Some("Africa/Dakar")), "2026-11-28 23:30 GMT");
        assert_eq!(local_time(t, None), "2026-11-28 23:30 UTC");
        assert_eq!(
            local_time("2026-11-28T23:30:05", Some("Nowhere/Else")),
            "2026-11-28 23:30 UTC"
        );
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
