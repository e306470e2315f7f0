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
}
