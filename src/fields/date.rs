//! Dates and years.

use chrono::NaiveDate;

use super::{keys, required, Refusal};

/// A date written `YYYY-MM-DD` or `DD/MM/YYYY` (days and months may have one digit).
pub fn date(v: &str) -> Result<NaiveDate, Refusal> {
    let t = required(v)?;
    let bad = || Refusal::new(keys::BAD_DATE);
    let number = |s: &str, len: std::ops::RangeInclusive<usize>| -> Option<u32> {
        (len.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let parts: Vec<&str> = if t.contains('-') {
        t.split('-').collect()
    } else {
        t.split('/').collect()
    };
    let [a, b, c] = parts[..] else {
        return Err(bad());
    };
    let (y, m, d) = if t.contains('-') {
        (number(a, 4..=4), number(b, 1..=2), number(c, 1..=2))
    } else {
        (number(c, 4..=4), number(b, 1..=2), number(a, 1..=2))
    };
    let (Some(y), Some(m), Some(d)) = (y, m, d) else {
        return Err(bad());
    };
    NaiveDate::from_ymd_opt(y as i32, m, d).ok_or_else(|| Refusal::new(keys::NO_SUCH_DATE))
}

/// A year, 4 digits from 1900 to 2100.
pub fn year(v: &str) -> Result<i32, Refusal> {
    let t = required(v)?;
    match t.parse::<i32>() {
        Ok(y) if t.len() == 4 && (1900..=2100).contains(&y) => Ok(y),
        _ => Err(Refusal::new(keys::BAD_YEAR)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fields::refused as key;

    #[test]
    fn dates_are_iso_or_day_first() {
        let d = NaiveDate::from_ymd_opt(2025, 3, 31).unwrap();
        assert_eq!(date("2025-03-31"), Ok(d));
        assert_eq!(date("31/03/2025"), Ok(d));
        assert_eq!(date("31/3/2025"), Ok(d));
        assert_eq!(key(date("31/02/2025")), keys::NO_SUCH_DATE);
        for text in [
            "31/03/25",
            "03-31-2025",
            "2025/03/31",
            "31.03.2025",
            "2025-03-31 00:00",
        ] {
            assert_eq!(key(date(text)), keys::BAD_DATE, "{text}");
        }
    }

    #[test]
    fn years_have_four_digits_in_a_sane_range() {
        assert_eq!(year("2025"), Ok(2025));
        for text in ["25", "1850", "20250", "+2025"] {
            assert_eq!(key(year(text)), keys::BAD_YEAR, "{text}");
        }
    }
}
