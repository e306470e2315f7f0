//! The shapes of the generated dispatch (`OUT_DIR/dispatch.rs`) and the generic functions its
//! entries instantiate per Rust type.

use std::fmt::Debug;

use serde::Serialize;
use serde::de::DeserializeOwned;

/// One pinned API.
pub struct ApiDispatch {
    /// Folder name under `spec/`.
    pub name: &'static str,
    /// Package name of the generated crate.
    pub crate_name: &'static str,
    /// The newest spec, relative to the workspace root.
    pub spec_file: &'static str,
    /// That spec with the profile applied, as JSON.
    pub spec_json: &'static str,
    /// The older pinned versions (oldest first), the same way.
    pub older_specs: &'static [&'static str],
    /// Component schema name → the crate's type.
    pub components: &'static [(&'static str, Decoder)],
    /// operationId → what the operation decodes and sends.
    pub operations: &'static [(&'static str, OpDispatch)],
}

/// What one operation decodes and sends, as the IR says.
pub struct OpDispatch {
    /// The type every success response's JSON body decodes into (inside the envelope).
    pub success: Option<Decoder>,
    /// The response envelope's member, if any.
    pub envelope: Option<&'static str>,
    /// The type of one NDJSON line.
    pub ndjson: Option<Decoder>,
    /// Typed error bodies: status as the spec writes it (`404`, `4XX`, `default`) → type.
    pub errors: &'static [(&'static str, Decoder)],
    /// The request body.
    pub body: Option<Encoder>,
}

/// A response type: its name and its round trip.
pub struct Decoder {
    /// The Rust type.
    pub rust: &'static str,
    /// [`roundtrip`] for it.
    pub run: fn(&str) -> Result<RoundTrip, Failure>,
}

/// A request body type.
pub struct Encoder {
    /// The Rust type.
    pub rust: &'static str,
    /// The request envelope's member, if any.
    pub envelope: Option<&'static str>,
    /// The body must be sent (else the builder may send none).
    pub required: bool,
    /// [`request`] for it.
    pub run: fn(&str, Option<&'static str>) -> Result<Vec<u8>, String>,
}

/// A successful round trip: the first encoding (compared with the input by the caller).
pub struct RoundTrip {
    /// `encode(decode(input))`.
    pub encoded: String,
}

/// Why a round trip failed.
#[derive(Debug)]
pub enum Failure {
    /// The input (valid for the schema) did not decode.
    Decode(String),
    /// The value did not encode.
    Encode(String),
    /// The first encoding did not decode.
    Redecode { encoded: String, error: String },
    /// `decode(encode(v)) != v`.
    Value {
        encoded: String,
        first: String,
        second: String,
    },
    /// `encode(decode(encode(v))) != encode(v)`.
    Encoding { first: String, second: String },
}

/// decode → encode → decode → encode, the way the client decodes (`decode_body` on the bytes
/// of a body). Compared: the two decoded values (`PartialEq`: nothing may change after the
/// first decode) and the two encodings (byte for byte). Not compared here: the input with the
/// first encoding, which may differ legitimately (absent optional fields stay absent, `null`
/// optional fields of response types become absent, date-times are normalized to UTC,
/// unknown fields are dropped); the caller compares those with the schema in hand.
pub fn roundtrip<T: DeserializeOwned + Serialize + PartialEq + Debug>(
    text: &str,
    decode: fn(&[u8]) -> Result<T, String>,
) -> Result<RoundTrip, Failure> {
    let first: T = decode(text.as_bytes()).map_err(Failure::Decode)?;
    let encoded = serde_json::to_string(&first).map_err(|e| Failure::Encode(e.to_string()))?;
    let second: T = match decode(encoded.as_bytes()) {
        Ok(v) => v,
        Err(error) => return Err(Failure::Redecode { encoded, error }),
    };
    if first != second {
        return Err(Failure::Value {
            encoded,
            first: format!("{first:?}"),
            second: format!("{second:?}"),
        });
    }
    let again = serde_json::to_string(&second).map_err(|e| Failure::Encode(e.to_string()))?;
    if again != encoded {
        return Err(Failure::Encoding {
            first: encoded,
            second: again,
        });
    }
    Ok(RoundTrip { encoded })
}

/// A request body value built by decoding `member` (a valid instance of what goes inside the
/// envelope), serialized exactly as the client sends it: `serde_json::to_vec(&body)`, or
/// `{"<member>": body}` through a one-entry map (the runtime's `Request::json_member`).
pub fn request<T: DeserializeOwned + Serialize>(
    member: &str,
    envelope: Option<&'static str>,
    decode: fn(&[u8]) -> Result<T, String>,
) -> Result<Vec<u8>, String> {
    let value: T = decode(member.as_bytes()).map_err(|e| format!("decode: {e}"))?;
    let sent = match envelope {
        None => serde_json::to_vec(&value),
        Some(name) => serde_json::to_vec(&Envelope { name, body: &value }),
    };
    sent.map_err(|e| format!("encode: {e}"))
}

/// `{"<name>": body}`, serialized as the runtime's `Envelope`.
struct Envelope<'a, B> {
    name: &'static str,
    body: &'a B,
}

impl<B: Serialize> Serialize for Envelope<'_, B> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap as _;
        let mut map = s.serialize_map(Some(1))?;
        map.serialize_entry(self.name, self.body)?;
        map.end()
    }
}
