//! `impl_serde!`: a generated struct's `Serialize` and `Deserialize` from one list of its fields.
//!
//! `models.rs` invokes it after each struct without a serde tag or extra properties (those keep
//! serde's derives). Against `#[derive(Serialize, Deserialize)]` it emits no field enum and
//! visitor, no `visit_seq` for array-shaped input no JSON server sends, no wrapper type per
//! `deserialize_with` field and no `?` per field; the work is in the methods of
//! [`de::Object`](super::de::Object) and [`ser::StructWriter`](super::ser::StructWriter),
//! compiled once per field type (BENCHMARKS.md, ARCHITECTURE.md "Build cost").

/// `impl Serialize` and `impl Deserialize` for struct `$name`, one line per field:
/// `index "wire" rust_name: shape [datetime | datetimes];`, where `index` counts the fields from
/// 0 and `shape` is how the field is stored and sent:
/// - `required`: `T`; written always, missing when read is an error;
/// - `nullable`: `Option<T>`, required but nullable; written always (`None` as `null`), absent
///   or `null` when read is `None`;
/// - `optional`: `Option<T>`; omitted when `None`, absent or `null` when read is `None`;
/// - `double_option`: `Option<Option<T>>`, optional and nullable in a request body; omitted
///   when `None`, `Some(None)` is `null` (absent is `None`, `null` is `Some(None)`).
///
/// `datetime` / `datetimes` mark a `DateTime<Utc>` / `Vec<DateTime<Utc>>`, read through the
/// runtime's date-time parser. The slots are the fields' own names (macro hygiene keeps them
/// apart from the locals here); their types are inferred from the struct's field types. The
/// impls' own names (`__S`, `__D`, `__A`, `__Visitor`) cannot clash with a generated type's.
#[allow(unused_macros)] // used only if the spec has structs
macro_rules! impl_serde {
    // How a struct field is made from its slot once the object is read.
    (@take $object:ident $field:ident $wire:literal required) => {
        match $field {
            ::std::option::Option::Some(value) => value,
            ::std::option::Option::None => return ::std::result::Result::Err($object.missing($wire)),
        }
    };
    (@take $object:ident $field:ident $wire:literal required datetime) => {
        match $field {
            ::std::option::Option::Some(value) => $crate::runtime::de::datetime(value),
            ::std::option::Option::None => return ::std::result::Result::Err($object.missing($wire)),
        }
    };
    (@take $object:ident $field:ident $wire:literal required datetimes) => {
        match $field {
            ::std::option::Option::Some(value) => $crate::runtime::de::datetimes(value),
            ::std::option::Option::None => return ::std::result::Result::Err($object.missing($wire)),
        }
    };
    (@take $object:ident $field:ident $wire:literal nullable $($dates:ident)?) => {
        $crate::runtime::impl_serde!(@take $object $field $wire optional $($dates)?)
    };
    (@take $object:ident $field:ident $wire:literal optional) => {
        $crate::runtime::de::optional($field)
    };
    (@take $object:ident $field:ident $wire:literal optional datetime) => {
        $crate::runtime::de::option_datetime($field)
    };
    (@take $object:ident $field:ident $wire:literal optional datetimes) => {
        $crate::runtime::de::option_datetimes($field)
    };
    (@take $object:ident $field:ident $wire:literal double_option) => {
        $field
    };
    (@take $object:ident $field:ident $wire:literal double_option datetime) => {
        $crate::runtime::de::double_option_datetime($field)
    };
    (@take $object:ident $field:ident $wire:literal double_option datetimes) => {
        $crate::runtime::de::double_option_datetimes($field)
    };
    // How many fields are written, and how one is.
    (@count $value:expr, required $($dates:ident)?) => { 1 };
    (@count $value:expr, nullable $($dates:ident)?) => { 1 };
    (@count $value:expr, $shape:ident $($dates:ident)?) => {
        $crate::runtime::ser::count($value)
    };
    (@write $writer:ident $wire:literal $value:expr, required $($dates:ident)?) => {
        $writer.field($wire, $value)
    };
    (@write $writer:ident $wire:literal $value:expr, nullable $($dates:ident)?) => {
        $writer.field($wire, $value)
    };
    (@write $writer:ident $wire:literal $value:expr, $shape:ident $($dates:ident)?) => {
        $writer.unless_none($wire, $value)
    };
    ($name:ident; $($index:literal $wire:literal $field:ident : $shape:ident $($dates:ident)?;)*) => {
        #[allow(deprecated)]
        impl ::serde::Serialize for $name {
            fn serialize<__S: ::serde::Serializer>(
                &self,
                serializer: __S,
            ) -> ::std::result::Result<__S::Ok, __S::Error> {
                let len = 0 $(+ $crate::runtime::impl_serde!(@count &self.$field, $shape $($dates)?))*;
                let mut writer =
                    $crate::runtime::ser::StructWriter::new(serializer, stringify!($name), len)?;
                $($crate::runtime::impl_serde!(@write writer $wire &self.$field, $shape $($dates)?);)*
                writer.end()
            }
        }

        #[allow(deprecated)]
        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<__D: ::serde::Deserializer<'de>>(
                deserializer: __D,
            ) -> ::std::result::Result<Self, __D::Error> {
                #[allow(non_camel_case_types)]
                struct __Visitor;
                impl<'de> ::serde::de::Visitor<'de> for __Visitor {
                    type Value = $name;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(concat!("struct ", stringify!($name)))
                    }
                    fn visit_map<__A: ::serde::de::MapAccess<'de>>(
                        self,
                        map: __A,
                    ) -> ::std::result::Result<$name, __A::Error> {
                        const NAMES: &[&str] = &[$($wire),*];
                        $(let mut $field = ::std::option::Option::None;)*
                        let mut object = $crate::runtime::de::Object::new(map, NAMES);
                        while let ::std::option::Option::Some(index) = object.next_field() {
                            match index {
                                $($index => object.value(&mut $field, $wire),)*
                                _ => object.skip(),
                            }
                        }
                        object.finish()?;
                        ::std::result::Result::Ok($name {
                            $($field: $crate::runtime::impl_serde!(@take object $field $wire $shape $($dates)?),)*
                        })
                    }
                }
                deserializer.deserialize_map(__Visitor)
            }
        }
    };
}
#[allow(unused_imports)]
pub(crate) use impl_serde;

#[cfg(test)]
mod tests {
    use serde_json::json;

    /// What the generator emits: every shape, with and without date-times.
    #[derive(Debug, PartialEq, Clone, Default)]
    struct Run {
        id: String,
        at: chrono::DateTime<chrono::Utc>,
        note: Option<String>,
        ended: Option<chrono::DateTime<chrono::Utc>>,
        tags: Option<Vec<String>>,
        seen: Option<Vec<chrono::DateTime<chrono::Utc>>>,
        patch: Option<Option<String>>,
        moved: Option<Option<chrono::DateTime<chrono::Utc>>>,
    }

    impl_serde! {
        Run;
        0 "id" id: required;
        1 "at" at: required datetime;
        2 "note" note: nullable;
        3 "ended" ended: nullable datetime;
        4 "tags" tags: optional;
        5 "seen" seen: optional datetimes;
        6 "patch" patch: double_option;
        7 "moved" moved: double_option datetime;
    }

    fn at(text: &str) -> chrono::DateTime<chrono::Utc> {
        chrono::DateTime::parse_from_rfc3339(text)
            .map(|d| d.with_timezone(&chrono::Utc))
            .unwrap_or_default()
    }

    fn decode(json: &str) -> Result<Run, String> {
        serde_json::from_str(json).map_err(|e| e.to_string())
    }

    fn minimal() -> Run {
        Run {
            id: "a".into(),
            at: at("2026-01-02T02:04:05Z"),
            ..Run::default()
        }
    }

    #[test]
    fn fields_in_any_order_unknown_skipped() {
        let want = Run {
            note: Some("n".into()),
            ended: Some(at("2026-01-02T02:04:05Z")),
            ..minimal()
        };
        for json in [
            r#"{"id":"a","at":"2026-01-02T03:04:05+01:00","note":"n","ended":"2026-01-02T02:04:05Z"}"#,
            r#"{"ended":"2026-01-02T02:04:05Z","x":[1,{"y":2}],"note":"n","at":"2026-01-02T02:04:05Z","id":"a"}"#,
            r#"{"note":"n","id":"a","extra":null,"at":"2026-01-02T02:04:05Z","ended":"2026-01-02T02:04:05Z","tags":null}"#,
        ] {
            assert_eq!(decode(json), Ok(want.clone()), "{json}");
        }
        // Escaped keys (not borrowable) and values from a `serde_json::Value` (owned keys).
        assert_eq!(
            decode(r#"{"\u0069d":"a","at":"2026-01-02T02:04:05Z"}"#).map(|r| r.id),
            Ok("a".into())
        );
        let from_value = serde_json::from_value::<Run>(
            json!({"id": "v", "at": "2026-01-02T02:04:05Z", "ended": null}),
        );
        assert_eq!(
            from_value.map(|r| (r.id, r.ended)).ok(),
            Some(("v".into(), None))
        );
    }

    #[test]
    fn absent_null_missing_duplicate_and_wrong_types() {
        assert_eq!(
            decode(r#"{"id":"a","at":"2026-01-02T02:04:05Z"}"#),
            Ok(minimal())
        );
        let err = |json| decode(json).err().unwrap_or_default();
        assert!(err(r#"{"note":"n"}"#).starts_with("missing field `id`"));
        assert!(err(r#"{"id":"a"}"#).starts_with("missing field `at`"));
        assert!(err(r#"{"id":"a","id":"b"}"#).starts_with("duplicate field `id`"));
        assert!(err(r#"{"id":1}"#).starts_with("invalid type: integer `1`, expected a string"));
        assert!(
            err(r#"{"id":"a","at":"yesterday"}"#).contains("input contains invalid characters")
        );
        // The first error wins: a bad value before a repeated field.
        assert!(err(r#"{"id":1,"id":"b"}"#).starts_with("invalid type: integer `1`"));
        assert!(
            err(r#"{"id":"a","at":"2026-01-02T02:04:05Z","tags":[1]}"#)
                .starts_with("invalid type: integer `1`, expected a string")
        );
        assert!(
            err(r#"["a",null,null]"#).starts_with("invalid type: sequence, expected struct Run")
        );
        assert!(err(r#"{"id":"a","#).starts_with("EOF while parsing"));
    }

    #[test]
    fn absent_and_null_stay_apart_in_double_options() {
        let base = r#""id":"a","at":"2026-01-02T02:04:05Z""#;
        let run = |rest: &str| decode(&format!("{{{base}{rest}}}"));
        assert_eq!(run("").map(|r| (r.patch, r.moved)), Ok((None, None)));
        assert_eq!(
            run(r#","patch":null,"moved":null"#).map(|r| (r.patch, r.moved)),
            Ok((Some(None), Some(None)))
        );
        assert_eq!(
            run(r#","patch":"p","moved":"2026-01-02T02:04:05Z""#).map(|r| (r.patch, r.moved)),
            Ok((
                Some(Some("p".into())),
                Some(Some(at("2026-01-02T02:04:05Z")))
            ))
        );
    }

    #[test]
    fn serializes_as_the_derive_would() {
        // Required and nullable fields are always written; optional ones only when set.
        assert_eq!(
            serde_json::to_value(minimal()).ok(),
            Some(json!({"id": "a", "at": "2026-01-02T02:04:05Z", "note": null, "ended": null}))
        );
        let full = Run {
            note: Some("n".into()),
            tags: Some(vec!["t".into()]),
            seen: Some(vec![at("2026-01-02T02:04:05Z")]),
            patch: Some(None),
            moved: Some(Some(at("2026-01-02T02:04:05Z"))),
            ..minimal()
        };
        let text = serde_json::to_string(&full).unwrap_or_default();
        assert_eq!(
            text,
            r#"{"id":"a","at":"2026-01-02T02:04:05Z","note":"n","ended":null,"tags":["t"],"seen":["2026-01-02T02:04:05Z"],"patch":null,"moved":"2026-01-02T02:04:05Z"}"#
        );
        assert_eq!(decode(&text), Ok(full));
    }
}
