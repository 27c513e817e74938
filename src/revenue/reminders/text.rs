//! The words of a reminder, in the commune's language: a mail (templates
//! `emails/reminder.*`) and a text message. Both state the amount overdue, the oldest
//! due date, the reference to quote and how to pay (the commune's mobile-money numbers,
//! and its cashier's desk).
//!
//! A text message is kept within the GSM 7-bit alphabet (no narrow spaces, no curly
//! apostrophes), so that it goes as one 160-character message, not as 70-character
//! Unicode parts that cost more.

use serde_json::json;

use super::Reminder;
use crate::communes::Commune;
use crate::i18n::{self, Arg, Catalog, Locale};
use crate::notify::Mail;
use crate::revenue::channels::Channel;

/// The language reminders are written in: the commune's.
pub fn locale(commune: &Commune) -> Locale {
    Locale::parse(&commune.default_locale).unwrap_or(Locale::Fr)
}

/// The mail of one reminder.
pub fn mail(r: &Reminder, commune: &Commune, channels: &[Channel], locale: Locale) -> Mail {
    Mail {
        template: "reminder",
        to: r.to.clone(),
        locale,
        data: json!({
            "name": r.name, "reference": r.reference, "amount": r.amount,
            "since": r.oldest_due.to_string(),
            "commune": { "name": commune.name, "country": commune.country },
            "channels": channels,
        }),
    }
}

/// The text message of one reminder.
pub fn sms(
    catalog: &Catalog,
    locale: Locale,
    r: &Reminder,
    commune: &Commune,
    channels: &[Channel],
) -> String {
    let arg = |s: String| Arg::Text(s);
    let mut text = catalog.text(
        locale,
        "reminder.sms.body",
        [
            ("commune", &arg(i18n::of_name(locale, &commune.name))),
            ("amount", &Arg::Money(r.amount)),
            ("since", &arg(i18n::date(r.oldest_due, locale))),
            ("reference", &arg(r.reference.clone())),
        ],
    );
    text.push(' ');
    match channels.first() {
        Some(c) => text.push_str(&catalog.text(
            locale,
            "reminder.sms.pay_mobile",
            [
                (
                    "provider",
                    &arg(catalog.t(locale, &format!("revenue.provider.{}", c.provider))),
                ),
                ("number", &arg(c.merchant_number.clone())),
            ],
        )),
        None => text.push_str(&catalog.t(locale, "reminder.sms.pay_counter")),
    }
    gsm7(&text)
}

/// The text with the characters a French message takes outside the GSM 7-bit alphabet
/// replaced by their plain equivalents.
fn gsm7(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{202F}' | '\u{A0}' => ' ',
            '’' | '‘' => '\'',
            'ô' => 'o',
            'ê' => 'e',
            'â' => 'a',
            'î' => 'i',
            'û' => 'u',
            'ç' => 'c',
            other => other,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::communes::Country;
    use crate::ids::{CommuneId, TaxpayerId};
    use crate::money::Xof;
    use crate::revenue::channels::Provider;
    use crate::revenue::reminders::Medium;

    /// The GSM 03.38 basic character set (what one 160-character SMS can carry).
    const GSM7: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?\
                        ¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

    fn commune(name: &str, country: Country, locale: &str) -> Commune {
        Commune {
            id: CommuneId(1),
            slug: "x".into(),
            name: name.into(),
            country,
            currency: "XOF".into(),
            timezone: country.timezone().name().into(),
            default_locale: locale.into(),
            code: "DKP".into(),
            created_at: chrono::NaiveDateTime::default(),
        }
    }

    fn reminder() -> Reminder {
        Reminder {
            taxpayer: TaxpayerId(3),
            reference: "DKP-T0003".into(),
            name: "Moussa Diallo".into(),
            medium: Medium::Sms,
            to: "+221762105581".into(),
            amount: Xof(60_000),
            oldest_due: NaiveDate::from_ymd_opt(2026, 3, 31).unwrap(),
        }
    }

    fn wave() -> Vec<Channel> {
        vec![Channel {
            provider: Provider::Wave,
            merchant_number: "+221 70 000 00 00".into(),
            display_name: "Mairie".into(),
        }]
    }

    #[test]
    fn the_sms_states_the_amount_the_date_the_reference_and_where_to_pay() {
        let catalog = Catalog::embedded().unwrap();
        let dakar = commune("Dakar-Plateau", Country::Senegal, "fr");
        let fr = sms(&catalog, Locale::Fr, &reminder(), &dakar, &wave());
        for part in ["de Dakar-Plateau", "60 000 FCFA", "31/03/2026", "DKP-T0003"] {
            assert!(fr.contains(part), "{part} missing from {fr}");
        }
        assert!(
            fr.contains("Wave") && fr.contains("+221 70 000 00 00"),
            "{fr}"
        );
        let en = sms(&catalog, Locale::En, &reminder(), &dakar, &wave());
        for part in ["XOF 60,000", "31 Mar 2026", "DKP-T0003", "Wave"] {
            assert!(en.contains(part), "{part} missing from {en}");
        }
        // Without a mobile-money channel, the cashier's desk.
        let desk = sms(&catalog, Locale::Fr, &reminder(), &dakar, &[]);
        assert!(desk.contains(&catalog.t(Locale::Fr, "reminder.sms.pay_counter")));
    }

    #[test]
    fn the_sms_fits_one_gsm_message_in_both_languages() {
        let catalog = Catalog::embedded().unwrap();
        let calavi = commune("Abomey-Calavi", Country::Benin, "fr");
        for locale in Locale::ALL {
            for channels in [wave(), Vec::new()] {
                let text = sms(&catalog, locale, &reminder(), &calavi, &channels);
                let odd: Vec<char> = text.chars().filter(|c| !GSM7.contains(*c)).collect();
                assert!(odd.is_empty(), "{odd:?} outside GSM 7-bit in {text}");
                assert!(text.chars().count() <= 160, "{} chars: {text}", text.len());
            }
        }
    }

    #[test]
    fn the_mail_goes_to_the_address_in_the_communes_language_with_its_channels() {
        let mut r = reminder();
        r.medium = Medium::Email;
        r.to = "moussa@example.sn".into();
        let dakar = commune("Dakar-Plateau", Country::Senegal, "en");
        let m = mail(&r, &dakar, &wave(), locale(&dakar));
        assert_eq!(
            (m.template, m.to.as_str()),
            ("reminder", "moussa@example.sn")
        );
        assert_eq!(m.locale, Locale::En);
        assert_eq!(m.data["amount"], 60_000);
        assert_eq!(m.data["since"], "2026-03-31");
        assert_eq!(m.data["channels"][0]["provider"], "wave");
        assert_eq!(m.data["commune"]["country"], "SN");
    }
}
