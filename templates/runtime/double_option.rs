//! Serde `with` module for `Option<Option<T>>` fields that distinguish an absent field
//! (`None`) from an explicit `null` (`Some(None)`).
//!
//! Use with `#[serde(default, skip_serializing_if = "Option::is_none", with = "...")]`.
#![allow(dead_code)] // used only if the spec has nullable optional fields

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Serializes `Some(None)` as `null` and `Some(Some(v))` as `v` (`None` is skipped by
/// `skip_serializing_if`; if not, it is written as `null` too).
pub(crate) fn serialize<T, S>(value: &Option<Option<T>>, serializer: S) -> Result<S::Ok, S::Error>
where
    T: Serialize,
    S: Serializer,
{
    match value {
        Some(Some(v)) => v.serialize(serializer),
        Some(None) | None => serializer.serialize_none(),
    }
}

/// Deserializes a present field: `null` becomes `Some(None)`, a value `Some(Some(v))`
/// (an absent field is `None` through `#[serde(default)]`).
pub(crate) fn deserialize<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

#[cfg(test)]
mod tests {
    #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq, Default)]
    struct Patch {
        #[serde(default, skip_serializing_if = "Option::is_none", with = "super")]
        note: Option<Option<String>>,
    }

    #[test]
    fn absent_null_value() {
        let parse = |s: &str| serde_json::from_str::<Patch>(s).map_err(|e| e.to_string());
        assert_eq!(parse("{}"), Ok(Patch { note: None }));
        assert_eq!(parse(r#"{"note":null}"#), Ok(Patch { note: Some(None) }));
        assert_eq!(
            parse(r#"{"note":"x"}"#),
            Ok(Patch {
                note: Some(Some("x".into()))
            })
        );
        let show = |p: &Patch| serde_json::to_string(p).map_err(|e| e.to_string());
        assert_eq!(show(&Patch { note: None }), Ok("{}".into()));
        assert_eq!(
            show(&Patch { note: Some(None) }),
            Ok(r#"{"note":null}"#.into())
        );
        assert_eq!(
            show(&Patch {
                note: Some(Some("x".into()))
            }),
            Ok(r#"{"note":"x"}"#.into())
        );
    }
}
