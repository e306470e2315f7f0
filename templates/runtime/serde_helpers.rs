//! Serde helpers for generated types.

use std::fmt;
use std::marker::PhantomData;

/// Deserializes an open enum (known variants plus a catch-all) from a string, accepting both
/// borrowed and owned strings.
#[allow(dead_code)] // used only if the spec has open enums
pub(crate) fn deserialize_open_enum<'de, D, T>(d: D) -> std::result::Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: for<'a> From<&'a str> + From<String>,
{
    struct Visitor<T>(PhantomData<fn() -> T>);

    impl<T> serde::de::Visitor<'_> for Visitor<T>
    where
        T: for<'a> From<&'a str> + From<String>,
    {
        type Value = T;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string")
        }

        fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<T, E> {
            Ok(T::from(v))
        }

        fn visit_string<E: serde::de::Error>(self, v: String) -> std::result::Result<T, E> {
            Ok(T::from(v))
        }
    }

    d.deserialize_str(Visitor(PhantomData))
}

/// Deserializes a date-time: RFC 3339 through chrono's dedicated parser (several times faster
/// than the general `FromStr` path that chrono's own `Deserialize` takes), then what chrono's
/// `FromStr` accepts, then the further formats the API's profile lists (e.g. a text without
/// an offset, read as UTC); the error message is chrono's.
#[allow(dead_code)] // used only if the spec has date-time fields
pub(crate) fn deserialize_datetime<'de, D>(
    d: D,
) -> std::result::Result<chrono::DateTime<chrono::Utc>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    d.deserialize_str(DateTimeVisitor)
}

/// [`deserialize_datetime`] for an `Option` (`null` is `None`).
#[allow(dead_code)] // used only if the spec has nullable or optional date-time fields
pub(crate) fn deserialize_option_datetime<'de, D>(
    d: D,
) -> std::result::Result<Option<chrono::DateTime<chrono::Utc>>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    struct OptionVisitor;

    impl<'de> serde::de::Visitor<'de> for OptionVisitor {
        type Value = Option<chrono::DateTime<chrono::Utc>>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an RFC 3339 date-time or null")
        }

        fn visit_none<E: serde::de::Error>(self) -> std::result::Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_unit<E: serde::de::Error>(self) -> std::result::Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_some<D2>(self, d: D2) -> std::result::Result<Self::Value, D2::Error>
        where
            D2: serde::Deserializer<'de>,
        {
            d.deserialize_str(DateTimeVisitor).map(Some)
        }
    }

    d.deserialize_option(OptionVisitor)
}

/// [`deserialize_datetime`] for every element of a list.
#[allow(dead_code)] // used only if the spec has date-time lists in serde-derived structs
pub(crate) fn deserialize_datetimes<'de, D>(
    d: D,
) -> std::result::Result<Vec<chrono::DateTime<chrono::Utc>>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    let list: Vec<super::de::DateTime> = serde::Deserialize::deserialize(d)?;
    Ok(list.into_iter().map(|d| d.0).collect())
}

/// [`deserialize_datetimes`] for an `Option` (`null` is `None`).
#[allow(dead_code)] // used only if the spec has date-time lists in serde-derived structs
pub(crate) fn deserialize_option_datetimes<'de, D>(
    d: D,
) -> std::result::Result<Option<Vec<chrono::DateTime<chrono::Utc>>>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    let list: Option<Vec<super::de::DateTime>> = serde::Deserialize::deserialize(d)?;
    Ok(list.map(|l| l.into_iter().map(|d| d.0).collect()))
}

struct DateTimeVisitor;

impl serde::de::Visitor<'_> for DateTimeVisitor {
    type Value = chrono::DateTime<chrono::Utc>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an RFC 3339 date-time")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<Self::Value, E> {
        parse_datetime(v).map_err(E::custom)
    }
}

/// Parses a date-time as described at [`deserialize_datetime`].
pub(crate) fn parse_datetime(
    v: &str,
) -> std::result::Result<chrono::DateTime<chrono::Utc>, chrono::ParseError> {
    if let Ok(dt) = chrono::DateTime::parse_from_rfc3339(v) {
        return Ok(dt.with_timezone(&chrono::Utc));
    }
    let general = v.parse::<chrono::DateTime<chrono::Utc>>();
    if general.is_ok() {
        return general;
    }
    for f in crate::api::API.datetimes {
        let parsed = if f.naive_utc {
            chrono::NaiveDateTime::parse_from_str(v, f.pattern).map(|n| n.and_utc())
        } else {
            chrono::DateTime::parse_from_str(v, f.pattern).map(|d| d.with_timezone(&chrono::Utc))
        };
        if let Ok(dt) = parsed {
            return Ok(dt);
        }
    }
    general
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq)]
    enum State {
        Running,
        Other(String),
    }

    impl From<&str> for State {
        fn from(s: &str) -> State {
            match s {
                "running" => State::Running,
                other => State::Other(other.to_owned()),
            }
        }
    }

    impl From<String> for State {
        fn from(s: String) -> State {
            match s.as_str() {
                "running" => State::Running,
                _ => State::Other(s),
            }
        }
    }

    #[derive(serde::Deserialize, Debug)]
    struct Holder {
        #[serde(deserialize_with = "deserialize_open_enum")]
        state: State,
    }

    #[test]
    fn open_enum_from_borrowed_and_owned() {
        let h: Holder = serde_json::from_str(r#"{"state":"running"}"#)
            .map_err(|e| e.to_string())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(h.state, State::Running);
        // An escaped string cannot be borrowed: exercises visit_string / visit_str with a buffer.
        let h: Holder = serde_json::from_str(r#"{"state":"new\u0041"}"#)
            .map_err(|e| e.to_string())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(h.state, State::Other("newA".into()));
        let h: Holder = serde_json::from_value(serde_json::json!({"state": "queued"}))
            .map_err(|e| e.to_string())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(h.state, State::Other("queued".into()));
        assert!(serde_json::from_str::<Holder>(r#"{"state":1}"#).is_err());
    }

    #[derive(serde::Deserialize, Debug)]
    struct Times {
        #[serde(deserialize_with = "deserialize_datetime")]
        at: chrono::DateTime<chrono::Utc>,
        #[serde(default, deserialize_with = "deserialize_option_datetime")]
        maybe: Option<chrono::DateTime<chrono::Utc>>,
    }

    #[test]
    fn datetimes_match_chrono_parsing() {
        let cases = [
            "2026-01-05T03:01:05.300308Z",
            "2026-01-05T03:01:05+00:00",
            "2026-01-04T19:04:01.629299-05:00",
            // Not RFC 3339 (space separator): chrono's FromStr still accepts it.
            "2026-01-05 03:01:05Z",
        ];
        for case in cases {
            let json = format!(r#"{{"at":"{case}","maybe":"{case}"}}"#);
            let t: Times = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{case}: {e}"));
            let want: chrono::DateTime<chrono::Utc> =
                case.parse().unwrap_or_else(|e| panic!("{case}: {e}"));
            assert_eq!(t.at, want, "{case}");
            assert_eq!(t.maybe, Some(want), "{case}");
        }
        let t: Times = serde_json::from_str(r#"{"at":"2026-01-05T03:01:05Z","maybe":null}"#)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(t.maybe, None);
        let t: Times = serde_json::from_str(r#"{"at":"2026-01-05T03:01:05Z"}"#)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(t.maybe, None);
        let err = serde_json::from_str::<Times>(r#"{"at":"yesterday"}"#)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("input contains invalid characters"), "{err}");
    }
}
