//! The shared half of the generated structs' `Deserialize` impls.
//!
//! Each generated struct gets a small `visit_map`: a loop over the keys and one `match` arm per
//! field, calling the generic helpers below. Against what `#[derive(Deserialize)]` emits per
//! struct (a field enum with its own visitor, `visit_seq` for array-shaped input no JSON server
//! sends, and a wrapper type per `deserialize_with` field), this halves the crate's build time,
//! because the helpers are compiled once per field type instead of once per struct and field.
//! Key lookup starts at the field after the last one matched, so the server's own field order
//! costs one string comparison per key. Semantics are the derive's: unknown fields are skipped,
//! a repeated field is an error (`duplicate field`), a missing required field is an error
//! (`missing field`), a missing optional one is `None`.
#![allow(dead_code)] // which helpers the generated code uses depends on the spec

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};

/// Iterates the keys of an object as indexes into a struct's wire names
/// (`names.len()` for a key the struct does not know).
pub(crate) struct Keys {
    names: &'static [&'static str],
    /// Where the next key is expected: the index after the last match.
    hint: usize,
}

impl Keys {
    pub(crate) fn new(names: &'static [&'static str]) -> Keys {
        Keys { names, hint: 0 }
    }

    /// The next key's index, `None` at the end of the object.
    #[inline]
    pub(crate) fn next<'de, A: MapAccess<'de>>(
        &mut self,
        map: &mut A,
    ) -> Result<Option<usize>, A::Error> {
        map.next_key_seed(KeySeed(self))
    }

    fn find(&mut self, key: &str) -> usize {
        let names = self.names;
        let index = match names.get(self.hint) {
            Some(name) if *name == key => self.hint,
            _ => match names.iter().position(|name| *name == key) {
                Some(index) => index,
                None => return names.len(),
            },
        };
        self.hint = index + 1;
        index
    }
}

struct KeySeed<'a>(&'a mut Keys);

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = usize;

    #[inline]
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<usize, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl Visitor<'_> for KeySeed<'_> {
    type Value = usize;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    #[inline]
    fn visit_str<E: de::Error>(self, key: &str) -> Result<usize, E> {
        Ok(self.0.find(key))
    }

    fn visit_bytes<E: de::Error>(self, key: &[u8]) -> Result<usize, E> {
        Ok(match std::str::from_utf8(key) {
            Ok(key) => self.0.find(key),
            Err(_) => self.0.names.len(),
        })
    }
}

/// Reads the value of field `name` into `slot`; a field seen twice is an error.
#[inline]
pub(crate) fn value<'de, A, T>(
    map: &mut A,
    slot: &mut Option<T>,
    name: &'static str,
) -> Result<(), A::Error>
where
    A: MapAccess<'de>,
    T: de::Deserialize<'de>,
{
    if slot.is_some() {
        return Err(de::Error::duplicate_field(name));
    }
    *slot = Some(map.next_value()?);
    Ok(())
}

/// Skips the value of a field the struct does not know.
#[inline]
pub(crate) fn skip<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<IgnoredAny>().map(|_| ())
}

/// The value of a required field, or the `missing field` error.
#[inline]
pub(crate) fn required<T, E: de::Error>(slot: Option<T>, name: &'static str) -> Result<T, E> {
    match slot {
        Some(v) => Ok(v),
        None => Err(E::missing_field(name)),
    }
}

/// An RFC 3339 date-time, decoded through chrono's dedicated parser (see
/// [`deserialize_datetime`](super::deserialize_datetime)).
pub(crate) struct DateTime(pub(crate) chrono::DateTime<chrono::Utc>);

impl<'de> de::Deserialize<'de> for DateTime {
    #[inline]
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        super::deserialize_datetime(deserializer).map(DateTime)
    }
}

/// A nullable or optional field: absent and `null` are `None`.
#[inline]
pub(crate) fn optional<T>(slot: Option<Option<T>>) -> Option<T> {
    slot.flatten()
}

/// An optional, nullable field of a request body: absent is `None`, `null` is `Some(None)`.
#[inline]
pub(crate) fn double_option<T>(slot: Option<Option<T>>) -> Option<Option<T>> {
    slot
}

/// A required date-time field, or the `missing field` error.
#[inline]
pub(crate) fn required_datetime<E: de::Error>(
    slot: Option<DateTime>,
    name: &'static str,
) -> Result<chrono::DateTime<chrono::Utc>, E> {
    required(slot, name).map(|d| d.0)
}

/// A nullable or optional date-time field: absent and `null` are `None`.
pub(crate) fn option_datetime(
    slot: Option<Option<DateTime>>,
) -> Option<chrono::DateTime<chrono::Utc>> {
    slot.flatten().map(|d| d.0)
}

/// An optional, nullable date-time field of a request body: absent is `None`, `null` is
/// `Some(None)`.
pub(crate) fn double_option_datetime(
    slot: Option<Option<DateTime>>,
) -> Option<Option<chrono::DateTime<chrono::Utc>>> {
    slot.map(|d| d.map(|d| d.0))
}

/// A required list of date-times, or the `missing field` error.
pub(crate) fn required_datetimes<E: de::Error>(
    slot: Option<Vec<DateTime>>,
    name: &'static str,
) -> Result<Vec<chrono::DateTime<chrono::Utc>>, E> {
    required(slot, name).map(|v| v.into_iter().map(|d| d.0).collect())
}

/// A nullable or optional list of date-times: absent and `null` are `None`.
pub(crate) fn option_datetimes(
    slot: Option<Option<Vec<DateTime>>>,
) -> Option<Vec<chrono::DateTime<chrono::Utc>>> {
    slot.flatten().map(|v| v.into_iter().map(|d| d.0).collect())
}

/// An optional, nullable list of date-times of a request body: absent is `None`, `null` is
/// `Some(None)`.
pub(crate) fn double_option_datetimes(
    slot: Option<Option<Vec<DateTime>>>,
) -> Option<Option<Vec<chrono::DateTime<chrono::Utc>>>> {
    slot.map(|o| o.map(|v| v.into_iter().map(|d| d.0).collect()))
}

/// `impl Deserialize for $name` from its fields: `index "wire" rust_name: how;` where `how`
/// is one of the functions above taking the slot (`required`, `required_datetime`,
/// `required_datetimes`, `optional`, `option_datetime`, `option_datetimes`, `double_option`,
/// `double_option_datetime`, `double_option_datetimes`). The slots are the fields'
/// own names (macro hygiene keeps them apart from the locals here); their types are inferred
/// from the `how` functions and the struct's field types.
#[allow(unused_macros)] // used only if the spec has structs
macro_rules! impl_deserialize {
    // How a field is made from its slot: only required fields can fail.
    (@field required $field:ident $wire:literal) => {
        $crate::runtime::de::required($field, $wire)?
    };
    (@field required_datetime $field:ident $wire:literal) => {
        $crate::runtime::de::required_datetime($field, $wire)?
    };
    (@field required_datetimes $field:ident $wire:literal) => {
        $crate::runtime::de::required_datetimes($field, $wire)?
    };
    (@field $how:ident $field:ident $wire:literal) => {
        $crate::runtime::de::$how($field)
    };
    ($name:ident; $($index:literal $wire:literal $field:ident : $how:ident;)*) => {
        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                struct Visitor;
                impl<'de> ::serde::de::Visitor<'de> for Visitor {
                    type Value = $name;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(concat!("struct ", stringify!($name)))
                    }
                    #[allow(deprecated)]
                    fn visit_map<A: ::serde::de::MapAccess<'de>>(
                        self,
                        mut map: A,
                    ) -> ::std::result::Result<$name, A::Error> {
                        use $crate::runtime::de;
                        const NAMES: &[&str] = &[$($wire),*];
                        $(let mut $field = ::std::option::Option::None;)*
                        let mut keys = de::Keys::new(NAMES);
                        while let ::std::option::Option::Some(i) = keys.next(&mut map)? {
                            match i {
                                $($index => de::value(&mut map, &mut $field, $wire),)*
                                _ => de::skip(&mut map),
                            }?;
                        }
                        ::std::result::Result::Ok($name {
                            $($field: $crate::runtime::de::impl_deserialize!(@field $how $field $wire),)*
                        })
                    }
                }
                deserializer.deserialize_map(Visitor)
            }
        }
    };
}
#[allow(unused_imports)]
pub(crate) use impl_deserialize;

#[cfg(test)]
mod tests {
    use super::*;

    /// What the generator emits: one required, one optional and one nullable date-time field.
    #[derive(Debug, PartialEq, Clone)]
    struct Run {
        id: String,
        note: Option<String>,
        at: Option<chrono::DateTime<chrono::Utc>>,
    }

    impl_deserialize! {
        Run;
        0 "id" id: required;
        1 "note" note: optional;
        2 "at" at: option_datetime;
    }

    fn decode(json: &str) -> Result<Run, String> {
        serde_json::from_str(json).map_err(|e| e.to_string())
    }

    #[test]
    fn fields_in_any_order_unknown_skipped() {
        let at = chrono::DateTime::parse_from_rfc3339("2026-01-02T03:04:05+01:00")
            .map(|d| d.with_timezone(&chrono::Utc))
            .ok();
        let want = Run {
            id: "a".into(),
            note: Some("n".into()),
            at,
        };
        for json in [
            r#"{"id":"a","note":"n","at":"2026-01-02T03:04:05+01:00"}"#,
            r#"{"at":"2026-01-02T02:04:05Z","x":[1,{"y":2}],"note":"n","id":"a"}"#,
            r#"{"note":"n","id":"a","extra":null,"at":"2026-01-02T02:04:05Z"}"#,
        ] {
            assert_eq!(decode(json), Ok(want.clone()), "{json}");
        }
        // Escaped keys (not borrowable) and values from a `serde_json::Value` (owned keys).
        assert_eq!(
            decode(r#"{"\u0069d":"a","note":null}"#).map(|r| r.id),
            Ok("a".into())
        );
        let from_value = serde_json::from_value::<Run>(serde_json::json!({"id": "v", "at": null}));
        assert_eq!(
            from_value.map(|r| (r.id, r.at)).ok(),
            Some(("v".into(), None))
        );
    }

    #[test]
    fn absent_null_missing_duplicate_and_wrong_types() {
        assert_eq!(
            decode(r#"{"id":"a"}"#),
            Ok(Run {
                id: "a".into(),
                note: None,
                at: None
            })
        );
        let err = |json| decode(json).err().unwrap_or_default();
        assert!(err(r#"{"note":"n"}"#).starts_with("missing field `id`"));
        assert!(err(r#"{"id":"a","id":"b"}"#).starts_with("duplicate field `id`"));
        assert!(err(r#"{"id":1}"#).starts_with("invalid type: integer `1`, expected a string"));
        assert!(
            err(r#"{"id":"a","at":"yesterday"}"#).contains("input contains invalid characters")
        );
        assert!(
            err(r#"["a",null,null]"#).starts_with("invalid type: sequence, expected struct Run")
        );
    }

    #[test]
    fn keys_follow_the_hint_and_fall_back_to_a_scan() {
        let mut keys = Keys::new(&["a", "b", "c"]);
        assert_eq!(keys.find("a"), 0);
        assert_eq!(keys.find("b"), 1);
        assert_eq!(keys.find("a"), 0);
        assert_eq!(keys.find("c"), 2);
        assert_eq!(keys.find("zzz"), 3);
        assert_eq!(keys.find("c"), 2);
        // After the last field the hint points past the end: a scan, no panic.
        assert_eq!(keys.find("b"), 1);
    }

    #[test]
    fn double_option_datetime_keeps_null_apart_from_absent() {
        assert_eq!(double_option_datetime(None), None);
        assert_eq!(double_option_datetime(Some(None)), Some(None));
        assert!(option_datetime(Some(None)).is_none());
        assert_eq!(double_option::<i64>(Some(None)), Some(None));
        assert_eq!(optional::<i64>(Some(None)), None);
    }
}
