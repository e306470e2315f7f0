//! The writing half of the generated structs' serde impls (see
//! [`impl_serde!`](super::impl_serde)).
//!
//! A struct's `serialize` is one call per field on a [`StructWriter`], whose methods do the
//! work: compiled once per field type, and with no `?` per field in the generated code (the
//! first error is kept and returned by [`end`](StructWriter::end)). What is written is what
//! `#[derive(Serialize)]` writes.
#![allow(dead_code)] // which helpers the generated code uses depends on the spec

use serde::ser::{Serialize, SerializeStruct, Serializer};

/// A struct being serialized field by field.
pub(crate) struct StructWriter<S: Serializer> {
    state: S::SerializeStruct,
    error: Option<S::Error>,
}

impl<S: Serializer> StructWriter<S> {
    /// Starts struct `name` with `len` fields to be written.
    #[inline]
    pub(crate) fn new(serializer: S, name: &'static str, len: usize) -> Result<Self, S::Error> {
        Ok(StructWriter {
            state: serializer.serialize_struct(name, len)?,
            error: None,
        })
    }

    /// Writes field `name` (a `None` as `null`).
    #[inline]
    pub(crate) fn field<T: Serialize + ?Sized>(&mut self, name: &'static str, value: &T) {
        if self.error.is_some() {
            return;
        }
        if let Err(e) = self.state.serialize_field(name, value) {
            self.error = Some(e);
        }
    }

    /// Writes field `name` unless it is `None` (then the field is omitted).
    #[inline]
    pub(crate) fn unless_none<T: Serialize>(&mut self, name: &'static str, value: &Option<T>) {
        if value.is_some() {
            self.field(name, value);
            return;
        }
        if self.error.is_some() {
            return;
        }
        if let Err(e) = self.state.skip_field(name) {
            self.error = Some(e);
        }
    }

    /// Ends the struct, or returns the first error of its fields.
    #[inline]
    pub(crate) fn end(self) -> Result<S::Ok, S::Error> {
        match self.error {
            Some(e) => Err(e),
            None => self.state.end(),
        }
    }
}

/// 1 if a field omitted when `None` will be written (for the field count of
/// [`StructWriter::new`]).
#[inline]
pub(crate) fn count<T>(value: &Option<T>) -> usize {
    usize::from(value.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes `0`, or fails.
    struct Value(bool);

    impl Serialize for Value {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            match self.0 {
                true => s.serialize_u8(0),
                false => Err(serde::ser::Error::custom("cannot write this")),
            }
        }
    }

    /// Three fields, the second of which fails.
    struct Fails;

    impl Serialize for Fails {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let mut writer = StructWriter::new(serializer, "Fails", 3)?;
            writer.field("ok", &Value(true));
            writer.field("bad", &Value(false));
            writer.unless_none("after", &Some(Value(true)));
            writer.end()
        }
    }

    #[test]
    fn the_first_error_stops_the_writing_and_is_returned() {
        let mut out = Vec::new();
        let err = serde_json::to_writer(&mut out, &Fails).err();
        assert_eq!(
            err.map(|e| e.to_string()).as_deref(),
            Some("cannot write this")
        );
        assert_eq!(String::from_utf8_lossy(&out), r#"{"ok":0,"bad":"#);
    }

    #[test]
    fn count_is_one_for_a_value_and_zero_for_none() {
        assert_eq!(count(&Some(1)) + count::<u8>(&None), 1);
    }
}
