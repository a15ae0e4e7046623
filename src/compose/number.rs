//! Plain YAML scalars that Compose's YAML reader takes for numbers or booleans, as the text
//! the container gets.
//!
//! Docker Compose reads a file with `gopkg.in/yaml.v3` into untyped values, then turns an
//! `environment` value back into a string with Go's `fmt` (`%v`). So an unquoted `0x3E8`
//! reaches the container as `1000`, `1_000` as `1000`, `1e3` and `1000.0` as `1000`,
//! `01000` (an octal, as in YAML 1.1) as `512`, `1e6` as `1e+06`, `True` as `true`. A quoted
//! value keeps every character. The rules here are yaml.v3's `resolve` (underscores removed,
//! then a Go integer of any base, an unsigned one, a YAML-style float, `0b`/`0o` forms, the
//! `.inf`/`.nan`/boolean words) and Go's shortest float formatting; each case was checked
//! against Docker Compose v2.40.3 (`docker compose config`).

/// The string Compose makes of a plain (unquoted, untagged) scalar that YAML reads as a
/// number or a boolean; `None` when it stays the text as written.
pub fn plain_value(s: &str) -> Option<String> {
    match s {
        "true" | "True" | "TRUE" => return Some("true".into()),
        "false" | "False" | "FALSE" => return Some("false".into()),
        ".nan" | ".NaN" | ".NAN" => return Some("NaN".into()),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return Some("+Inf".into()),
        "-.inf" | "-.Inf" | "-.INF" => return Some("-Inf".into()),
        _ => {}
    }
    let first = *s.as_bytes().first()?;
    if first == b'.' {
        return decimal_float(s).map(go_format_float);
    }
    if !(first.is_ascii_digit() || first == b'+' || first == b'-') {
        return None;
    }
    if is_timestamp_like(s) {
        return None;
    }
    let plain: String = s.chars().filter(|&c| c != '_').collect();
    if let Some(i) = go_parse_int(&plain) {
        return Some(i.to_string());
    }
    if is_yaml_float(&plain)
        && let Some(f) = decimal_float(&plain)
    {
        return Some(go_format_float(f));
    }
    let (neg, rest) = match plain.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, plain.as_str()),
    };
    for (prefix, radix) in [("0b", 2), ("0o", 8)] {
        if let Some(digits) = rest.strip_prefix(prefix)
            && !digits.is_empty()
            && !digits.starts_with(['+', '-'])
            && let Ok(v) = i128::from_str_radix(digits, radix)
        {
            let v = if neg { -v } else { v };
            if v >= i128::from(i64::MIN) && v <= i128::from(u64::MAX) {
                return Some(v.to_string());
            }
        }
    }
    None
}

/// Whether yaml.v3 reads a plain (unquoted, untagged) scalar as a float (`80.5`, `1e3`,
/// `.inf`), not an integer, a boolean or a string: where compose-go takes only an integer
/// (a `ports` item), a float is refused ("invalid type float64 for port").
pub fn plain_is_float(s: &str) -> bool {
    if matches!(
        s,
        ".nan"
            | ".NaN"
            | ".NAN"
            | ".inf"
            | ".Inf"
            | ".INF"
            | "+.inf"
            | "+.Inf"
            | "+.INF"
            | "-.inf"
            | "-.Inf"
            | "-.INF"
    ) {
        return true;
    }
    let Some(&first) = s.as_bytes().first() else {
        return false;
    };
    if first == b'.' {
        return decimal_float(s).is_some();
    }
    if !(first.is_ascii_digit() || first == b'+' || first == b'-') || is_timestamp_like(s) {
        return false;
    }
    let plain: String = s.chars().filter(|&c| c != '_').collect();
    go_parse_int(&plain).is_none() && is_yaml_float(&plain) && decimal_float(&plain).is_some()
}

/// yaml.v3 tries a timestamp first for values that start with four digits and a `-`; those
/// are left as written here.
fn is_timestamp_like(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() > 4 && b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'-'
}

/// Go's `strconv.ParseInt(s, 0, 64)`, then `ParseUint`: a sign, then `0x`/`0o`/`0b`, a
/// leading `0` (octal) or decimal digits.
fn go_parse_int(s: &str) -> Option<i128> {
    let (neg, rest) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    if rest.is_empty() {
        return None;
    }
    let lower = rest.to_ascii_lowercase();
    let (digits, radix) = if let Some(d) = lower.strip_prefix("0x") {
        (d, 16)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (d, 8)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (d, 2)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (&lower[1..], 8)
    } else {
        (lower.as_str(), 10)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let v = u128::from_str_radix(digits, radix).ok()?;
    let v = i128::try_from(v).ok()?;
    let v = if neg { -v } else { v };
    let fits = if neg {
        v >= i128::from(i64::MIN)
    } else {
        v <= i128::from(u64::MAX)
    };
    fits.then_some(v)
}

/// yaml.v3's `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn is_yaml_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'-' | b'+')) {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// Go's `strconv.ParseFloat(s, 64)` for the decimal forms YAML floats take; out of range is
/// an error there, so `None` here.
fn decimal_float(s: &str) -> Option<f64> {
    if !s
        .bytes()
        .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+' | b'-'))
    {
        return None;
    }
    let f: f64 = s.parse().ok()?;
    f.is_finite().then_some(f)
}

/// Go's `fmt` `%v` of a float64: the shortest digits that read back, in `%e` form
/// (`1e+06`, `3e-05`) when the exponent is below -4 or at least 6 (strconv's precision for
/// shortest `%g`), else plain (`1000`, `0.0001`).
fn go_format_float(f: f64) -> String {
    if f == 0.0 {
        return if f.is_sign_negative() { "-0" } else { "0" }.into();
    }
    let e = format!("{f:e}");
    let (mantissa, exp) = e.split_once('e').unwrap_or((&e, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if !(-4..6).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        return format!("{mantissa}e{sign}{:02}", exp.abs());
    }
    format!("{f}")
}

/// Go's `strconv.ParseFloat(s, 64)`: `inf`, `infinity` (with a sign) and `nan` in any case, a
/// decimal or a hexadecimal (`0x1p-2`, whose `p` exponent is required) float, with `_` only
/// between digits; `None` for an error, out of range (`1e400`) included.
pub fn go_parse_float(s: &str) -> Option<f64> {
    let (neg, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = body.to_ascii_lowercase();
    let signed = |v: f64| if neg { -v } else { v };
    if lower == "inf" || lower == "infinity" {
        return Some(signed(f64::INFINITY));
    }
    if lower == "nan" {
        // `special` takes no sign before `nan`.
        return (body.len() == s.len()).then_some(f64::NAN);
    }
    if lower.contains('_') && !underscores_ok(&lower) {
        return None;
    }
    let plain: String = lower.chars().filter(|&c| c != '_').collect();
    let v = match plain.strip_prefix("0x") {
        Some(hex) => hex_float(hex)?,
        None => {
            let b = plain.as_bytes();
            let ok = !b.is_empty()
                && b.iter()
                    .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'+' | b'-'))
                && b.iter().any(u8::is_ascii_digit)
                && !b[0].is_ascii_alphabetic()
                && !matches!(b[0], b'+' | b'-');
            if !ok {
                return None;
            }
            plain.parse::<f64>().ok()?
        }
    };
    v.is_finite().then_some(signed(v))
}

/// Go's `underscoreOK` for a number without its sign: each `_` between two digits, or between a
/// base prefix and a digit.
fn underscores_ok(s: &str) -> bool {
    let b = s.as_bytes();
    let (mut i, mut saw, hex) =
        if b.len() >= 2 && b[0] == b'0' && matches!(b[1], b'b' | b'o' | b'x') {
            (2, b'0', b[1] == b'x')
        } else {
            (0, b'^', false)
        };
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_digit() || (hex && (b'a'..=b'f').contains(&c)) {
            saw = b'0';
        } else if c == b'_' {
            if saw != b'0' {
                return false;
            }
            saw = b'_';
        } else if saw == b'_' {
            return false;
        } else {
            saw = b'!';
        }
        i += 1;
    }
    saw != b'_'
}

/// A hexadecimal float after its `0x`: hex digits, an optional `.` and more, then a required
/// `p` and a decimal exponent.
fn hex_float(s: &str) -> Option<f64> {
    let (mantissa, exp) = s.split_once('p')?;
    let exp: i32 = {
        let digits = exp.strip_prefix(['+', '-']).unwrap_or(exp);
        if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        exp.parse().unwrap_or(if exp.starts_with('-') {
            i32::MIN
        } else {
            i32::MAX
        })
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    let mut v = 0f64;
    for c in int.chars().chain(frac.chars()) {
        v = v * 16.0 + f64::from(c.to_digit(16)?);
    }
    let shift = exp.saturating_sub(4 * frac.len() as i32);
    Some(v * 2f64.powi(shift))
}

/// go-units' `RAMInBytes` (v0.5.0, what compose-go v2.9.1 uses): the number is what comes up to
/// the last digit, `.` or space (a space there is dropped), read with `strconv.ParseFloat` and
/// 0 or more; the rest is empty, `b`, or `k`, `m`, `g`, `t` or `p` (binary multiples) with an
/// optional `b` or `ib`, in any case. A number beyond 64 bits is not refused (Go converts it).
pub fn ram_in_bytes(s: &str) -> Option<i64> {
    let sep = s.rfind(|c: char| c.is_ascii_digit() || c == '.' || c == ' ')?;
    let (num, sfx) = if s.as_bytes()[sep] == b' ' {
        (&s[..sep], &s[sep + 1..])
    } else {
        s.split_at(sep + 1)
    };
    let size = go_parse_float(num)?;
    if size < 0.0 {
        return None;
    }
    // Go's `int64(f)` on amd64: the integer part, or the lowest `int64` when out of range.
    let int64 = |f: f64| {
        if f < 2f64.powi(63) {
            f as i64
        } else {
            i64::MIN
        }
    };
    if sfx.is_empty() {
        return Some(int64(size));
    }
    if sfx.len() > 3 {
        return None;
    }
    let sfx = sfx.to_lowercase();
    let mut chars = sfx.chars();
    let exp = match chars.next()? {
        'b' => return chars.as_str().is_empty().then_some(int64(size)),
        'k' => 1,
        'm' => 2,
        'g' => 3,
        't' => 4,
        'p' => 5,
        _ => return None,
    };
    if !matches!(chars.as_str(), "" | "b" | "ib") {
        return None;
    }
    Some(int64(size * 1024f64.powi(exp)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each pair as Docker Compose v2.40.3 prints the value of `environment: {K: <plain>}`.
    #[test]
    fn floats_as_yaml_v3_reads_them() {
        // Checked with Docker Compose v2.40.3 as `ports` items ("invalid type float64").
        for f in ["80.5", "1e3", "80.0", ".inf", "-.Inf", ".5", "1_0.5"] {
            assert!(super::plain_is_float(f), "{f}");
        }
        for n in ["80", "0x50", "8_0", "0o17", "true", "abc", "2024-01-01", ""] {
            assert!(!super::plain_is_float(n), "{n}");
        }
    }

    #[test]
    fn plain_scalars_become_what_compose_gives_the_container() {
        let cases = [
            ("0x3E8", "1000"),
            ("1_000", "1000"),
            ("1e3", "1000"),
            ("1E3", "1000"),
            ("1000.0", "1000"),
            ("01000", "512"),
            ("-01000", "-512"),
            ("0o1000", "512"),
            ("0o17", "15"),
            ("0b101", "5"),
            ("-0x10", "-16"),
            ("+0x10", "16"),
            ("+1000", "1000"),
            ("0x_1F", "31"),
            ("1__0", "10"),
            ("0_1", "1"),
            ("08", "8"),
            ("00", "0"),
            ("-0", "0"),
            ("1e6", "1e+06"),
            ("100000.0", "100000"),
            ("123456.0", "123456"),
            ("1234567.0", "1.234567e+06"),
            ("0.0001", "0.0001"),
            ("0.00001", "1e-05"),
            ("3.0e-5", "3e-05"),
            ("1.0e+3", "1000"),
            ("1_000.5", "1000.5"),
            ("1e21", "1e+21"),
            ("0.1", "0.1"),
            (".5", "0.5"),
            ("1.", "1"),
            ("1.5", "1.5"),
            ("9223372036854775807", "9223372036854775807"),
            ("9223372036854775808", "9223372036854775808"),
            ("18446744073709551615", "18446744073709551615"),
            ("0xFFFFFFFFFFFFFFFF", "18446744073709551615"),
            ("123456789012345678901234", "1.2345678901234569e+23"),
            (".inf", "+Inf"),
            ("-.inf", "-Inf"),
            (".NaN", "NaN"),
            ("True", "true"),
            ("TRUE", "true"),
            ("false", "false"),
        ];
        for (plain, want) in cases {
            assert_eq!(plain_value(plain).as_deref(), Some(want), "{plain}");
        }
        // Kept as written.
        for plain in [
            "1e400",
            "yes",
            "ON",
            "off",
            "1:20",
            "1h",
            "revision",
            "1000 ",
            "0x",
            "0b",
            "-",
            "2001-12-14",
            "v3",
            "",
        ] {
            assert_eq!(plain_value(plain), None, "{plain}");
        }
    }
}
