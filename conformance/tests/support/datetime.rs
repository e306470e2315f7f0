//! Date-times: RFC 3339 `date-time` (the spec's `format`) and the further forms a profile's
//! `x-rust-datetime` says the server sends; generating them, recognising them, and reading the
//! instant they stand for (to compare a decoded and re-encoded value with the input).

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, Utc};
use serde_json::Value;

use super::rng::Rng;

/// A form of `x-rust-datetime.accept`.
#[derive(Debug, Clone)]
pub struct Form {
    /// chrono `strftime` pattern.
    pub pattern: String,
    /// Without offset: the text is a UTC wall time (`{format, zone: utc}`).
    pub naive_utc: bool,
}

/// The profile's forms, from the document root's `x-rust-datetime` (none without it).
pub fn forms(doc: &Value) -> Result<Vec<Form>, String> {
    let Some(accept) = doc.pointer("/x-rust-datetime/accept") else {
        return Ok(Vec::new());
    };
    let list = accept
        .as_array()
        .ok_or("x-rust-datetime.accept is not a list")?;
    list.iter()
        .map(|f| match f {
            Value::String(p) => Ok(Form {
                pattern: p.clone(),
                naive_utc: false,
            }),
            Value::Object(o) => match (o.get("format"), o.get("zone")) {
                (Some(Value::String(p)), Some(Value::String(z))) if z == "utc" => Ok(Form {
                    pattern: p.clone(),
                    naive_utc: true,
                }),
                _ => Err(format!("unsupported x-rust-datetime form {f}")),
            },
            _ => Err(format!("unsupported x-rust-datetime form {f}")),
        })
        .collect()
}

/// Strict RFC 3339 `date-time` (section 5.6), with RFC 3339's own range checks (days per
/// month, `60` seconds only as a leap second at `23:59` UTC is not checked).
pub fn is_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |from: usize, n: usize| -> Option<u32> {
        let part = b.get(from..from + n)?;
        if !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(part).ok()?.parse().ok()
    };
    let (Some(year), Some(month), Some(day)) = (digits(0, 4), digits(5, 2), digits(8, 2)) else {
        return false;
    };
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return false;
    }
    if !matches!(b.get(10), Some(b'T' | b't')) {
        return false;
    }
    let (Some(h), Some(m), Some(sec)) = (digits(11, 2), digits(14, 2), digits(17, 2)) else {
        return false;
    };
    if b.get(13) != Some(&b':') || b.get(16) != Some(&b':') {
        return false;
    }
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year as i32, month) {
        return false;
    }
    if h > 23 || m > 59 || sec > 60 {
        return false;
    }
    let mut i = 19;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    match b.get(i) {
        Some(b'Z' | b'z') => i + 1 == b.len(),
        Some(b'+' | b'-') => {
            let (Some(oh), Some(om)) = (digits(i + 1, 2), digits(i + 4, 2)) else {
                return false;
            };
            b.get(i + 3) == Some(&b':') && oh <= 23 && om <= 59 && i + 6 == b.len()
        }
        _ => false,
    }
}

/// Whether `s` is in one of the profile's forms.
pub fn is_profile_form(s: &str, forms: &[Form]) -> bool {
    forms.iter().any(|f| parse_form(s, f).is_some())
}

fn parse_form(s: &str, f: &Form) -> Option<DateTime<Utc>> {
    if f.naive_utc {
        NaiveDateTime::parse_from_str(s, &f.pattern)
            .ok()
            .map(|n| n.and_utc())
    } else {
        DateTime::parse_from_str(s, &f.pattern)
            .ok()
            .map(|d| d.with_timezone(&Utc))
    }
}

/// The instant a date-time text stands for (RFC 3339, else a profile form).
pub fn instant(s: &str, forms: &[Form]) -> Option<DateTime<Utc>> {
    if is_rfc3339(s) {
        if let Ok(d) = DateTime::parse_from_rfc3339(s) {
            return Some(d.with_timezone(&Utc));
        }
    }
    forms.iter().find_map(|f| parse_form(s, f))
}

fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(y) => 29,
        _ => 28,
    }
}

/// A random calendar date (years 1000–9998: every offset keeps the UTC instant in RFC 3339's
/// four-digit years; mostly 1970–2100, where servers live).
pub fn random_date(rng: &mut Rng) -> (i32, u32, u32) {
    let year = if rng.chance(4, 5) {
        rng.range_i128(1970, 2100) as i32
    } else {
        rng.range_i128(1000, 9998) as i32
    };
    let month = rng.range_i128(1, 12) as u32;
    // Month ends and leap days now and then.
    let last = days_in_month(year, month);
    let day = if rng.chance(1, 5) {
        last
    } else {
        rng.range_i128(1, i128::from(last)) as u32
    };
    (year, month, day)
}

/// Fractional seconds: none, milli, micro (Python's precision), nano, or 1–9 digits.
fn random_nanos(rng: &mut Rng) -> (u32, usize) {
    match rng.below(5) {
        0 => (0, 0),
        1 => (rng.below(1000) as u32 * 1_000_000, 3),
        2 => (rng.below(1_000_000) as u32 * 1000, 6),
        3 => (rng.below(1_000_000_000) as u32, 9),
        _ => {
            let digits = rng.range_i128(1, 9) as usize;
            let unit = 10u32.pow(9 - digits as u32);
            let n = rng.below(10u64.pow(digits as u32)) as u32;
            (n * unit, digits)
        }
    }
}

/// An RFC 3339 date-time: `Z`, `+00:00` or another offset, 0–9 fraction digits; rarely what
/// RFC 3339 allows but servers seldom send: lower-case `t`/`z`, 10–12 fraction digits, a leap
/// second, years 0000 and 9999 (with offsets that keep the UTC instant in four-digit years).
pub fn random_rfc3339(rng: &mut Rng) -> String {
    let (mut y, mut mo, mut d) = random_date(rng);
    let (mut h, mut mi, mut s) = (rng.below(24), rng.below(60), rng.below(60));
    let (nanos, digits) = random_nanos(rng);
    let mut frac = if digits == 0 {
        String::new()
    } else {
        let all = format!("{nanos:09}");
        format!(".{}", &all[..digits])
    };
    let rare = rng.below(40);
    match rare {
        0 => frac = format!(".{:012}", rng.below(1_000_000_000_000)),
        1 => {
            (y, mo, d, h, mi, s) = (rng.range_i128(1972, 2016) as i32, 12, 31, 23, 59, 60);
        }
        2 => y = 0,
        3 => y = 9999,
        _ => {}
    }
    d = d.min(days_in_month(y, mo));
    let mut offset = match rng.below(5) {
        0 | 1 => "Z".to_string(),
        2 => "+00:00".to_string(),
        _ => {
            let sign = match y {
                0 => '-',
                9999 => '+',
                _ if rng.chance(1, 2) => '+',
                _ => '-',
            };
            format!(
                "{sign}{:02}:{:02}",
                rng.below(24),
                rng.pick(&[0, 15, 30, 45, 59])
            )
        }
    };
    if s == 60 {
        offset = "Z".to_string();
    }
    let t = if rare == 4 { 't' } else { 'T' };
    if rare == 5 && offset == "Z" {
        offset = "z".to_string();
    }
    format!("{y:04}-{mo:02}-{d:02}{t}{h:02}:{mi:02}:{s:02}{frac}{offset}")
}

/// A date-time in profile form `f` (chrono formats it: `%.f` prints 0, 3, 6 or 9 digits).
pub fn random_in_form(rng: &mut Rng, f: &Form) -> Option<String> {
    let (y, mo, d) = random_date(rng);
    let (nanos, _) = random_nanos(rng);
    let naive = NaiveDate::from_ymd_opt(y, mo, d)?.and_hms_nano_opt(
        rng.below(24) as u32,
        rng.below(60) as u32,
        rng.below(60) as u32,
        nanos,
    )?;
    if f.naive_utc {
        return Some(naive.format(&f.pattern).to_string());
    }
    let secs = if rng.chance(1, 2) {
        0
    } else {
        rng.range_i128(-23 * 3600, 23 * 3600) as i32 / 60 * 60
    };
    let offset = FixedOffset::east_opt(secs)?;
    let local = naive.and_local_timezone(offset).single()?;
    Some(local.format(&f.pattern).to_string())
}

/// A random `date` (`YYYY-MM-DD`).
pub fn random_date_text(rng: &mut Rng) -> String {
    let (y, m, d) = random_date(rng);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_checker() {
        for ok in [
            "2026-01-05T03:01:05Z",
            "2026-01-05T03:01:05.3Z",
            "2024-02-29T23:59:59.123456789+14:00",
            "2026-01-05t03:01:05z",
            "2026-01-05T03:01:05-00:00",
        ] {
            assert!(is_rfc3339(ok), "{ok}");
        }
        for bad in [
            "2026-01-05 03:01:05Z",
            "2026-01-05T03:01:05",
            "2025-02-29T00:00:00Z",
            "2026-13-05T03:01:05Z",
            "2026-01-05T03:01:05.Z",
            "2026-01-05T03:01:05+0100",
            "2026-01-05T24:01:05Z",
        ] {
            assert!(!is_rfc3339(bad), "{bad}");
        }
        let mut rng = Rng::new(7);
        for _ in 0..1000 {
            let s = random_rfc3339(&mut rng);
            assert!(is_rfc3339(&s), "{s}");
            assert!(instant(&s, &[]).is_some(), "{s}");
        }
    }
}
