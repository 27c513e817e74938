//! GPS points, in micro-degrees: no float is stored.

use super::{keys, required, Refusal};
use crate::communes::Country;

/// A point in micro-degrees (millionths of a degree, about 11 cm): no float is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GeoPoint {
    pub lat_e6: i64,
    pub lon_e6: i64,
}

/// A GPS point, latitude first, in decimal degrees: `14.6937,-17.4441`,
/// `14.6937; -17.4441`, `14,6937;-17,4441` (decimal commas, as French spreadsheets
/// write them), `14,6937, -17,4441` or `14.6937 -17.4441`. More than 6 decimals are
/// rounded (half away from zero). Latitude must be within ±90, longitude within ±180.
pub fn gps(v: &str) -> Result<GeoPoint, Refusal> {
    let t = required(v)?;
    let bad = || Refusal::new(keys::BAD_GPS);
    let commas = t.matches(',').count();
    let (lat, lon) = if t.contains(';') {
        t.split_once(';').ok_or_else(bad)?
    } else if commas == 1 {
        t.split_once(',').ok_or_else(bad)?
    } else if commas > 1 && t.matches(", ").count() == 1 {
        t.split_once(", ").ok_or_else(bad)?
    } else if commas == 0 {
        let mut parts = t.split_whitespace();
        match (parts.next(), parts.next(), parts.next()) {
            (Some(a), Some(b), None) => (a, b),
            _ => return Err(bad()),
        }
    } else {
        return Err(bad());
    };
    let (Some(lat_e6), Some(lon_e6)) = (micro_degrees(lat), micro_degrees(lon)) else {
        return Err(bad());
    };
    if lat_e6.abs() > 90_000_000 || lon_e6.abs() > 180_000_000 {
        return Err(Refusal::new(keys::GPS_OUT_OF_RANGE));
    }
    Ok(GeoPoint { lat_e6, lon_e6 })
}

/// A GPS point that must fall in the commune's country: this catches latitude and
/// longitude swapped, and `0,0`. The boxes are whole degrees around each country:
/// Senegal lies between 12° and 17° N and 11° and 18° W, Benin between 6° and 13° N
/// and 0° and 4° E (the extents given in the countries' geography references).
pub fn gps_in(v: &str, country: Country) -> Result<GeoPoint, Refusal> {
    let p = gps(v)?;
    let ((lat_min, lat_max), (lon_min, lon_max)) = match country {
        Country::Senegal => ((12, 17), (-18, -11)),
        Country::Benin => ((6, 13), (0, 4)),
    };
    let inside = (lat_min * 1_000_000..=lat_max * 1_000_000).contains(&p.lat_e6)
        && (lon_min * 1_000_000..=lon_max * 1_000_000).contains(&p.lon_e6);
    if !inside {
        return Err(Refusal::new(keys::GPS_OUTSIDE_COUNTRY));
    }
    Ok(p)
}

/// `-17.44415` → -17_444_150; `.` or `,` as the decimal separator.
fn micro_degrees(s: &str) -> Option<i64> {
    let s = s.trim();
    let (neg, s) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let (int, frac) = match s.find(['.', ',']) {
        Some(i) => (&s[..i], &s[i + 1..]),
        None => (s, ""),
    };
    let digits = |x: &str| x.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() || int.len() > 3 || !digits(int) || !digits(frac) || frac.len() > 15 {
        return None;
    }
    // The first 6 decimals, then the 7th to round half away from zero.
    let mut micro = 0i64;
    for i in 0..6 {
        micro = micro * 10 + frac.as_bytes().get(i).map_or(0, |d| i64::from(d - b'0'));
    }
    let round_up = frac.as_bytes().get(6).is_some_and(|&d| d >= b'5');
    let value = int.parse::<i64>().ok()? * 1_000_000 + micro + i64::from(round_up);
    Some(if neg { -value } else { value })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fields::refused as key;

    #[test]
    fn gps_points_read_in_every_common_writing_as_micro_degrees() {
        let dakar = GeoPoint {
            lat_e6: 14_693_700,
            lon_e6: -17_444_100,
        };
        for text in [
            "14.6937,-17.4441",
            "14.6937, -17.4441",
            "14,6937;-17,4441",
            "14.6937 ; -17.4441",
            "14,6937, -17,4441",
            "14.6937 -17.4441",
            "+14.6937,-17.4441",
        ] {
            assert_eq!(gps(text), Ok(dakar), "{text}");
        }
        assert_eq!(gps("14.69370049,-17.44409951"), Ok(dakar));
        assert_eq!(
            gps("6.4,2.35").unwrap(),
            GeoPoint {
                lat_e6: 6_400_000,
                lon_e6: 2_350_000
            }
        );
    }

    #[test]
    fn gps_points_out_of_range_or_unreadable_are_refused() {
        assert_eq!(key(gps("91,0")), keys::GPS_OUT_OF_RANGE);
        assert_eq!(key(gps("14.6;-181")), keys::GPS_OUT_OF_RANGE);
        for text in ["14.6937", "14,6,-17,4", "a,b", "14.6 -17.4 3", "1e3,2"] {
            assert_eq!(key(gps(text)), keys::BAD_GPS, "{text}");
        }
    }

    #[test]
    fn a_gps_point_outside_the_country_is_refused_which_catches_swapped_coordinates() {
        assert!(gps_in("14.6937,-17.4441", Country::Senegal).is_ok());
        assert_eq!(
            key(gps_in("-17.4441,14.6937", Country::Senegal)),
            keys::GPS_OUTSIDE_COUNTRY
        );
        assert_eq!(
            key(gps_in("0,0", Country::Benin)),
            keys::GPS_OUTSIDE_COUNTRY
        );
        assert!(gps_in("6.45,2.35", Country::Benin).is_ok());
    }
}
