//! The reading half of the generated structs' serde impls (see
//! [`impl_serde!`](super::impl_serde)).
//!
//! A struct's `visit_map` is a loop over the keys of an [`Object`] with one `match` arm per
//! field; the work is in [`Object`]'s methods, compiled once per field type instead of once per
//! struct and field. Key lookup starts at the field after the last one matched, so the server's
//! own field order costs one string comparison per key. Semantics are the derive's: unknown
//! fields are skipped, a repeated field is an error (`duplicate field`), a missing required
//! field is an error (`missing field`), a missing optional one is `None`.
#![allow(dead_code)] // which helpers the generated code uses depends on the spec

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};

/// A JSON object being read into a struct's slots (one `Option` per field). The first error
/// stops the reading and is kept until [`finish`](Self::finish), so the generated loop needs no
/// `?` per field.
pub(crate) struct Object<'de, A: MapAccess<'de>> {
    map: A,
    keys: Keys,
    error: Option<A::Error>,
    _de: PhantomData<&'de ()>,
}

impl<'de, A: MapAccess<'de>> Object<'de, A> {
    /// Reads `map` as an object whose fields have these wire names.
    #[inline]
    pub(crate) fn new(map: A, names: &'static [&'static str]) -> Self {
        Object {
            map,
            keys: Keys::new(names),
            error: None,
            _de: PhantomData,
        }
    }

    /// The next key's index into the wire names (their count for a key the struct does not
    /// know); `None` at the end of the object or after an error.
    #[inline]
    pub(crate) fn next_field(&mut self) -> Option<usize> {
        if self.error.is_some() {
            return None;
        }
        match self.map.next_key_seed(KeySeed(&mut self.keys)) {
            Ok(index) => index,
            Err(e) => {
                self.error = Some(e);
                None
            }
        }
    }

    /// Reads the value of field `name` into `slot`; a field seen twice is an error.
    #[inline]
    pub(crate) fn value<T: de::Deserialize<'de>>(
        &mut self,
        slot: &mut Option<T>,
        name: &'static str,
    ) {
        if slot.is_some() {
            self.error = Some(de::Error::duplicate_field(name));
            return;
        }
        match self.map.next_value() {
            Ok(value) => *slot = Some(value),
            Err(e) => self.error = Some(e),
        }
    }

    /// Skips the value of a field the struct does not know.
    #[inline]
    pub(crate) fn skip(&mut self) {
        if let Err(e) = self.map.next_value::<IgnoredAny>() {
            self.error = Some(e);
        }
    }

    /// The error that stopped the reading, if any.
    #[inline]
    pub(crate) fn finish(&mut self) -> Result<(), A::Error> {
        match self.error.take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// The error for required field `name`, absent from the object.
    pub(crate) fn missing(&self, name: &'static str) -> A::Error {
        de::Error::missing_field(name)
    }
}

/// Maps the keys of an object to indexes into a struct's wire names
/// (`names.len()` for a key the struct does not know).
struct Keys {
    names: &'static [&'static str],
    /// Where the next key is expected: the index after the last match.
    hint: usize,
}

impl Keys {
    fn new(names: &'static [&'static str]) -> Keys {
        Keys { names, hint: 0 }
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

/// An RFC 3339 date-time, decoded through chrono's dedicated parser (see
/// [`deserialize_datetime`](super::deserialize_datetime)).
pub(crate) struct DateTime(pub(crate) chrono::DateTime<chrono::Utc>);

impl<'de> de::Deserialize<'de> for DateTime {
    #[inline]
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        super::deserialize_datetime(deserializer).map(DateTime)
    }
}

// How a struct field is made from its slot, for each field shape of `impl_serde!` (required
// fields are unwrapped by the macro itself, which returns the `missing field` error).

/// A required date-time field.
pub(crate) fn datetime(slot: DateTime) -> chrono::DateTime<chrono::Utc> {
    slot.0
}

/// A required list of date-times.
pub(crate) fn datetimes(slot: Vec<DateTime>) -> Vec<chrono::DateTime<chrono::Utc>> {
    slot.into_iter().map(|d| d.0).collect()
}

/// A nullable or optional field: absent and `null` are `None`.
#[inline]
pub(crate) fn optional<T>(slot: Option<Option<T>>) -> Option<T> {
    slot.flatten()
}

/// A nullable or optional date-time field: absent and `null` are `None`.
pub(crate) fn option_datetime(
    slot: Option<Option<DateTime>>,
) -> Option<chrono::DateTime<chrono::Utc>> {
    slot.flatten().map(|d| d.0)
}

/// A nullable or optional list of date-times: absent and `null` are `None`.
pub(crate) fn option_datetimes(
    slot: Option<Option<Vec<DateTime>>>,
) -> Option<Vec<chrono::DateTime<chrono::Utc>>> {
    slot.flatten().map(|v| v.into_iter().map(|d| d.0).collect())
}

/// An optional, nullable date-time field of a request body: absent is `None`, `null` is
/// `Some(None)`.
pub(crate) fn double_option_datetime(
    slot: Option<Option<DateTime>>,
) -> Option<Option<chrono::DateTime<chrono::Utc>>> {
    slot.map(|d| d.map(|d| d.0))
}

/// An optional, nullable list of date-times of a request body: absent is `None`, `null` is
/// `Some(None)`.
pub(crate) fn double_option_datetimes(
    slot: Option<Option<Vec<DateTime>>>,
) -> Option<Option<Vec<chrono::DateTime<chrono::Utc>>>> {
    slot.map(|o| o.map(|v| v.into_iter().map(|d| d.0).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(optional::<i64>(Some(None)), None);
    }
}
