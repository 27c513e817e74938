//! Exact decimal amounts and the display of exact fractions.
//!
//! Money is kept as an integer count of minor units (`10^-decimals` of the
//! currency). A `.pb` file may write `12,5` or `12.50`; both parse exactly.

use num_bigint::BigInt;
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::{Signed, ToPrimitive, Zero};

/// A non-negative decimal as written in a file: `digits / 10^decimals`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decimal {
    pub digits: u128,
    pub decimals: u32,
}

impl Decimal {
    /// Parses `123`, `123.45` or `123,45` (pabulib allows a decimal comma).
    pub fn parse(text: &str) -> Result<Decimal, String> {
        let t = text.trim();
        let bad = || format!("\"{t}\" is not a non-negative number");
        let (int, frac) = match t.find(['.', ',']) {
            Some(i) => (&t[..i], &t[i + 1..]),
            None => (t, ""),
        };
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if (int.is_empty() && frac.is_empty()) || !all_digits(int) || !all_digits(frac) {
            return Err(bad());
        }
        let mut digits: u128 = 0;
        for b in int.bytes().chain(frac.bytes()) {
            digits = digits
                .checked_mul(10)
                .and_then(|d| d.checked_add(u128::from(b - b'0')))
                .ok_or_else(|| format!("\"{t}\" is too large"))?;
        }
        let decimals = u32::try_from(frac.len()).map_err(|_| bad())?;
        Ok(Decimal { digits, decimals })
    }

    /// The amount in units of `10^-decimals`, if it is exact and fits in a `u64`.
    pub fn to_minor(self, decimals: u32) -> Option<u64> {
        if decimals < self.decimals {
            return None;
        }
        let scale = 10u128.checked_pow(decimals - self.decimals)?;
        u64::try_from(self.digits.checked_mul(scale)?).ok()
    }
}

/// Formats an amount of minor units with `decimals` digits after the point.
pub fn format_minor(minor: u64, decimals: u32) -> String {
    if decimals == 0 {
        return minor.to_string();
    }
    let s = format!("{minor:0>width$}", width = decimals as usize + 1);
    let (int, frac) = s.split_at(s.len() - decimals as usize);
    format!("{int}.{frac}")
}

/// `value` rounded half away from zero to `places` decimals, for display only.
pub fn format_ratio(value: &BigRational, places: u32) -> String {
    let scale = BigInt::from(10u32).pow(places);
    let two = BigInt::from(2u32);
    let doubled: BigInt = value.numer().abs() * &scale * &two + value.denom();
    let rounded = doubled.div_floor(&(value.denom() * &two));
    let negative = value.is_negative() && !rounded.is_zero();
    let (int, frac) = rounded.div_rem(&scale);
    let sign = if negative { "-" } else { "" };
    if places == 0 {
        return format!("{sign}{int}");
    }
    format!("{sign}{int}.{frac:0>width$}", width = places as usize)
}

/// `value / 10^decimals` as a decimal number with `places` digits.
pub fn format_minor_ratio(value: &BigRational, decimals: u32, places: u32) -> String {
    let scale = BigRational::from_integer(BigInt::from(10u32).pow(decimals));
    format_ratio(&(value / scale), places)
}

/// A fraction written `num/den`, or `num` when it is whole.
pub fn ratio_text(value: &BigRational) -> String {
    if value.denom() == &BigInt::from(1) {
        value.numer().to_string()
    } else {
        format!("{}/{}", value.numer(), value.denom())
    }
}

/// An approximate `f64` of a fraction, for display only: it never decides anything.
pub fn ratio_to_f64(value: &BigRational) -> f64 {
    value.to_f64().unwrap_or(f64::NAN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_decimal_point_and_a_decimal_comma_alike() {
        let a = Decimal::parse("1234,50").unwrap();
        let b = Decimal::parse("1234.50").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.to_minor(2), Some(123_450));
        assert_eq!(a.to_minor(3), Some(1_234_500));
        assert_eq!(a.to_minor(1), None);
    }

    #[test]
    fn rejects_signs_letters_and_empty_text() {
        for bad in ["", "-5", "12a", "1.2.3", ".", "1 000", "none"] {
            assert!(Decimal::parse(bad).is_err(), "{bad}");
        }
        assert!(Decimal::parse("99999999999999999999999999999999999999999").is_err());
    }

    #[test]
    fn formats_minor_units_with_their_decimals() {
        assert_eq!(format_minor(123_450, 2), "1234.50");
        assert_eq!(format_minor(5, 2), "0.05");
        assert_eq!(format_minor(7, 0), "7");
    }

    #[test]
    fn formats_fractions_rounded_half_away_from_zero() {
        let r = |n: i64, d: i64| BigRational::new(n.into(), d.into());
        assert_eq!(format_ratio(&r(1, 3), 2), "0.33");
        assert_eq!(format_ratio(&r(2, 3), 2), "0.67");
        assert_eq!(format_ratio(&r(1, 200), 2), "0.01");
        assert_eq!(format_ratio(&r(-1, 200), 2), "-0.01");
        assert_eq!(format_ratio(&r(5, 2), 0), "3");
        assert_eq!(ratio_text(&r(6, 4)), "3/2");
        assert_eq!(ratio_text(&r(4, 2)), "2");
    }
}
