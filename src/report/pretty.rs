//! JSON as serde_json's pretty printer writes it (two spaces), starting some levels deep in a
//! document, for the entries of the JSON and SARIF reports: what it prints for a value is what
//! `serde_json::to_writer_pretty` prints for it at that depth of an enclosing document, line
//! breaks and indentation included. Strings are escaped eight bytes at a time, copying the
//! runs that need no escape (most of a report is the text of its messages).

use serde::ser::{self, Impossible, Serialize};
use std::fmt;

type Error = serde_json::Error;

/// Writes values into `out` as if `depth` levels deep in a pretty-printed document.
pub(super) struct Pretty<'w> {
    out: &'w mut Vec<u8>,
    depth: usize,
}

impl<'w> Pretty<'w> {
    pub fn at(out: &'w mut Vec<u8>, depth: usize) -> Pretty<'w> {
        Pretty { out, depth }
    }

    fn indent(&mut self) {
        for _ in 0..self.depth {
            self.out.extend_from_slice(b"  ");
        }
    }

    fn open(&mut self, bracket: u8) {
        self.depth += 1;
        self.out.push(bracket);
    }

    fn item(&mut self, first: bool) {
        self.out
            .extend_from_slice(if first { b"\n" } else { b",\n" });
        self.indent();
    }

    /// Close a bracket; `wrote` says whether anything was written inside.
    fn close(&mut self, wrote: bool, bracket: u8) {
        self.depth -= 1;
        if wrote {
            self.out.push(b'\n');
            self.indent();
        }
        self.out.push(bracket);
    }

    fn number(&mut self, n: impl fmt::Display) {
        use std::io::Write;
        let _ = write!(self.out, "{n}");
    }

    fn integer(&mut self, n: impl itoa::Integer) {
        self.out
            .extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
    }

    fn float<T: Serialize>(&mut self, v: T) -> Result<(), Error> {
        serde_json::to_writer(&mut *self.out, &v)
    }

    fn string(&mut self, s: &str) {
        let bytes = s.as_bytes();
        self.out.reserve(bytes.len() + 2);
        self.out.push(b'"');
        // Most strings need no escape: copied at once.
        match next_escape(bytes, 0) {
            None => self.out.extend_from_slice(bytes),
            Some(j) => escape_from(self.out, bytes, j),
        }
        self.out.push(b'"');
    }
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// Of eight bytes, the lowest set bit marks the first below 0x20 or equal to `"` or `\` (bits
/// above it may be wrong, never below); none is set when no byte is.
fn escapes(x: u64) -> u64 {
    let (q, b) = (x ^ (ONES * b'"' as u64), x ^ (ONES * b'\\' as u64));
    (x.wrapping_sub(ONES * 0x20) & !x | q.wrapping_sub(ONES) & !q | b.wrapping_sub(ONES) & !b)
        & HIGH
}

/// The first byte from `i` on that JSON escapes: a control character, `"` or `\`.
#[inline]
fn next_escape(bytes: &[u8], mut i: usize) -> Option<usize> {
    while let Some(chunk) = bytes.get(i..i + 8) {
        let m = escapes(u64::from_le_bytes(chunk.try_into().unwrap_or_default()));
        if m != 0 {
            return Some(i + (m.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    // The last bytes, after spaces (which need no escape) to make eight.
    let rest = bytes.get(i..).unwrap_or_default();
    if rest.is_empty() {
        return None;
    }
    let mut padded = [b' '; 8];
    padded[..rest.len()].copy_from_slice(rest);
    let m = escapes(u64::from_le_bytes(padded));
    (m != 0).then(|| i + (m.trailing_zeros() / 8) as usize)
}

/// `s` escaped as serde_json escapes a string's contents.
fn escape(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    match next_escape(bytes, 0) {
        None => out.extend_from_slice(bytes),
        Some(j) => escape_from(out, bytes, j),
    }
}

/// [`escape`] of `bytes`, whose first byte to escape is at `j`.
fn escape_from(out: &mut Vec<u8>, bytes: &[u8], j: usize) {
    let (mut start, mut next) = (0, Some(j));
    while let Some(j) = next {
        out.extend_from_slice(&bytes[start..j]);
        let b = bytes[j];
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(&[
                    b'\\',
                    b'u',
                    b'0',
                    b'0',
                    HEX[(b >> 4) as usize],
                    HEX[(b & 0xf) as usize],
                ]);
            }
        }
        start = j + 1;
        next = next_escape(bytes, start);
    }
    out.extend_from_slice(&bytes[start..]);
}

/// Writes what is displayed, escaped.
struct Escaping<'a>(&'a mut Vec<u8>);

impl fmt::Write for Escaping<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        escape(self.0, s);
        Ok(())
    }
}

/// An array, object or variant being written.
pub(super) struct Compound<'a, 'w> {
    ser: &'a mut Pretty<'w>,
    first: bool,
    /// Inside the one-entry object of an enum variant, closed with it.
    variant: bool,
}

impl Compound<'_, '_> {
    fn element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
        self.ser.item(self.first);
        self.first = false;
        value.serialize(&mut *self.ser)
    }

    fn field<T: ?Sized + Serialize>(&mut self, key: &str, value: &T) -> Result<(), Error> {
        self.ser.item(self.first);
        self.first = false;
        self.ser.string(key);
        self.ser.out.extend_from_slice(b": ");
        value.serialize(&mut *self.ser)
    }

    fn end(self, bracket: u8) -> Result<(), Error> {
        self.ser.close(!self.first, bracket);
        if self.variant {
            self.ser.close(true, b'}');
        }
        Ok(())
    }
}

impl<'w> Pretty<'w> {
    /// The start of a variant's one-entry object, up to its value.
    fn variant(&mut self, variant: &str) {
        self.open(b'{');
        self.item(true);
        self.string(variant);
        self.out.extend_from_slice(b": ");
    }

    fn compound<'a>(&'a mut self, bracket: u8, variant: bool) -> Compound<'a, 'w> {
        self.open(bracket);
        Compound {
            ser: self,
            first: true,
            variant,
        }
    }
}

/// The integer methods of a serializer: each writes its number in decimal.
macro_rules! integers {
    ($($method:ident: $ty:ty),*) => {$(
        fn $method(self, v: $ty) -> Result<(), Error> {
            self.integer(v);
            Ok(())
        }
    )*};
}

impl<'a, 'w> ser::Serializer for &'a mut Pretty<'w> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Compound<'a, 'w>;
    type SerializeTuple = Compound<'a, 'w>;
    type SerializeTupleStruct = Compound<'a, 'w>;
    type SerializeTupleVariant = Compound<'a, 'w>;
    type SerializeMap = Compound<'a, 'w>;
    type SerializeStruct = Compound<'a, 'w>;
    type SerializeStructVariant = Compound<'a, 'w>;

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.out
            .extend_from_slice(if v { b"true" } else { b"false" });
        Ok(())
    }
    integers!(
        serialize_i8: i8,
        serialize_i16: i16,
        serialize_i32: i32,
        serialize_i64: i64,
        serialize_i128: i128,
        serialize_u8: u8,
        serialize_u16: u16,
        serialize_u32: u32,
        serialize_u64: u64,
        serialize_u128: u128
    );
    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        self.float(v)
    }
    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        self.float(v)
    }
    fn serialize_char(self, v: char) -> Result<(), Error> {
        self.string(v.encode_utf8(&mut [0; 4]));
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Result<(), Error> {
        self.string(v);
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), Error> {
        use ser::SerializeSeq;
        let mut seq = self.serialize_seq(Some(v.len()))?;
        for b in v {
            seq.serialize_element(b)?;
        }
        SerializeSeq::end(seq)
    }
    fn serialize_none(self) -> Result<(), Error> {
        self.serialize_unit()
    }
    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Error> {
        self.out.extend_from_slice(b"null");
        Ok(())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Error> {
        self.serialize_unit()
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), Error> {
        self.string(variant);
        Ok(())
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.variant(variant);
        value.serialize(&mut *self)?;
        self.close(true, b'}');
        Ok(())
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Compound<'a, 'w>, Error> {
        Ok(self.compound(b'[', false))
    }
    fn serialize_tuple(self, _len: usize) -> Result<Compound<'a, 'w>, Error> {
        Ok(self.compound(b'[', false))
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Compound<'a, 'w>, Error> {
        Ok(self.compound(b'[', false))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'a, 'w>, Error> {
        self.variant(variant);
        Ok(self.compound(b'[', true))
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Compound<'a, 'w>, Error> {
        Ok(self.compound(b'{', false))
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Compound<'a, 'w>, Error> {
        Ok(self.compound(b'{', false))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'a, 'w>, Error> {
        self.variant(variant);
        Ok(self.compound(b'{', true))
    }
    fn collect_str<T: ?Sized + fmt::Display>(self, value: &T) -> Result<(), Error> {
        use fmt::Write;
        self.out.push(b'"');
        let _ = write!(Escaping(self.out), "{value}");
        self.out.push(b'"');
        Ok(())
    }
}

/// The list-like compounds: each element after a comma, the whole in `[...]`.
macro_rules! list_compound {
    ($($trait:ident :: $method:ident),*) => {$(
        impl ser::$trait for Compound<'_, '_> {
            type Ok = ();
            type Error = Error;
            fn $method<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
                self.element(value)
            }
            fn end(self) -> Result<(), Error> {
                Compound::end(self, b']')
            }
        }
    )*};
}

list_compound!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

impl ser::SerializeMap for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;
    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> Result<(), Error> {
        self.ser.item(self.first);
        self.first = false;
        key.serialize(MapKey(&mut *self.ser))
    }
    fn serialize_value<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
        self.ser.out.extend_from_slice(b": ");
        value.serialize(&mut *self.ser)
    }
    fn end(self) -> Result<(), Error> {
        Compound::end(self, b'}')
    }
}

/// The struct-like compounds: each field a key and a value, the whole in `{...}`.
macro_rules! struct_compound {
    ($($trait:ident),*) => {$(
        impl ser::$trait for Compound<'_, '_> {
            type Ok = ();
            type Error = Error;
            fn serialize_field<T: ?Sized + Serialize>(
                &mut self,
                key: &'static str,
                value: &T,
            ) -> Result<(), Error> {
                self.field(key, value)
            }
            fn end(self) -> Result<(), Error> {
                Compound::end(self, b'}')
            }
        }
    )*};
}

struct_compound!(SerializeStruct, SerializeStructVariant);

/// A map's key: a string, or what serde_json writes as one (a character, a number, a bool,
/// a unit variant).
struct MapKey<'a, 'w>(&'a mut Pretty<'w>);

fn key_must_be_a_string() -> Error {
    ser::Error::custom("key must be a string")
}

impl MapKey<'_, '_> {
    fn quoted(self, v: impl fmt::Display) -> Result<(), Error> {
        self.0.out.push(b'"');
        self.0.number(v);
        self.0.out.push(b'"');
        Ok(())
    }
}

impl ser::Serializer for MapKey<'_, '_> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Impossible<(), Error>;
    type SerializeTuple = Impossible<(), Error>;
    type SerializeTupleStruct = Impossible<(), Error>;
    type SerializeTupleVariant = Impossible<(), Error>;
    type SerializeMap = Impossible<(), Error>;
    type SerializeStruct = Impossible<(), Error>;
    type SerializeStructVariant = Impossible<(), Error>;

    fn serialize_str(self, v: &str) -> Result<(), Error> {
        self.0.string(v);
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result<(), Error> {
        self.0.string(v.encode_utf8(&mut [0; 4]));
        Ok(())
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), Error> {
        self.0.string(variant);
        Ok(())
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.quoted(v)
    }
    fn serialize_i8(self, v: i8) -> Result<(), Error> {
        self.quoted(v)
    }
    fn serialize_i16(self, v: i16) -> Result<(), Error> {
        self.quoted(v)
    }
    fn serialize_i32(self, v: i32) -> Result<(), Error> {
        self.quoted(v)
    }
    fn serialize_i64(self, v: i64) -> Result<(), Error> {
        self.quoted(v)
    }
    fn serialize_i128(self, v: i128) -> Result<(), Error> {
        self.quoted(v)
    }
    fn serialize_u8(self, v: u8) -> Result<(), Error> {
        self.quoted(v)
    }
    fn serialize_u16(self, v: u16) -> Result<(), Error> {
        self.quoted(v)
    }
    fn serialize_u32(self, v: u32) -> Result<(), Error> {
        self.quoted(v)
    }
    fn serialize_u64(self, v: u64) -> Result<(), Error> {
        self.quoted(v)
    }
    fn serialize_u128(self, v: u128) -> Result<(), Error> {
        self.quoted(v)
    }
    fn serialize_f32(self, _v: f32) -> Result<(), Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_f64(self, _v: f64) -> Result<(), Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_bytes(self, _v: &[u8]) -> Result<(), Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_none(self) -> Result<(), Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_some<T: ?Sized + Serialize>(self, _value: &T) -> Result<(), Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_unit(self) -> Result<(), Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<(), Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct, Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStruct, Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        Err(key_must_be_a_string())
    }
    fn collect_str<T: ?Sized + fmt::Display>(self, value: &T) -> Result<(), Error> {
        use fmt::Write;
        self.0.out.push(b'"');
        let _ = write!(Escaping(self.0.out), "{value}");
        self.0.out.push(b'"');
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;
    use std::collections::BTreeMap;

    /// serde_json's pretty printer, `depth` levels deep: the value as the member of that many
    /// nested arrays, then the lines of the member alone, unindented.
    fn serde_json_at(value: &impl Serialize, depth: usize) -> String {
        struct Nest<'a, T>(&'a T, usize);
        impl<T: Serialize> Serialize for Nest<'_, T> {
            fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                match self.1 {
                    0 => self.0.serialize(s),
                    d => s.collect_seq(std::iter::once(Nest(self.0, d - 1))),
                }
            }
        }
        let whole = serde_json::to_string_pretty(&Nest(value, depth)).unwrap();
        // Strip the `depth` enclosing brackets and the member's own leading indentation.
        let lines: Vec<&str> = whole.lines().collect();
        let inner = &lines[depth..lines.len() - depth];
        let mut s = inner.join("\n");
        s.drain(..2 * depth);
        s
    }

    fn ours(value: &impl Serialize, depth: usize) -> String {
        let mut out = Vec::new();
        value.serialize(&mut Pretty::at(&mut out, depth)).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[derive(Serialize)]
    enum E {
        Unit,
        New(u32),
        Tuple(u8, String),
        Struct { a: Vec<u8>, b: Option<bool> },
    }

    #[derive(Serialize)]
    struct S<'a> {
        text: &'a str,
        n: usize,
        neg: i32,
        f: f64,
        none: Option<u8>,
        empty: Vec<u8>,
        empty_map: BTreeMap<String, u8>,
        map: BTreeMap<&'a str, Vec<&'a str>>,
        nested: Vec<Vec<usize>>,
        enums: Vec<E>,
        unit: (),
        c: char,
    }

    /// Every kind of value a derived `Serialize` writes, with strings that need every escape,
    /// at several depths, as serde_json writes them.
    #[test]
    fn writes_what_serde_json_writes() {
        let mut texts: Vec<String> = vec![
            String::new(),
            "plain ASCII text that is longer than eight bytes".into(),
            "quote \" backslash \\ slash / end".into(),
            "controls \u{0}\u{1}\u{7}\u{8}\t\n\u{b}\u{c}\r\u{1b}\u{1f} del \u{7f}".into(),
            "wide: é 日本語 ✓ and `code`".into(),
        ];
        // Every control character, quote and backslash at every place of texts of 1 to 17
        // bytes, and a byte of a wider character beside them.
        for b in (0u8..0x20).chain([b'"', b'\\', b'a']) {
            for len in 1..=17 {
                for at in 0..len {
                    let mut t = vec![b'x'; len];
                    t[at] = b;
                    let mut t = String::from_utf8(t).unwrap();
                    texts.push(t.clone());
                    t.push('é');
                    texts.push(t);
                }
            }
        }
        for text in &texts {
            let mut map = BTreeMap::new();
            map.insert(text.as_str(), vec![text.as_str(), "b"]);
            map.insert("k", vec![]);
            let s = S {
                text,
                n: 12345,
                neg: -7,
                f: 1.5,
                none: None,
                empty: vec![],
                empty_map: BTreeMap::new(),
                map,
                nested: vec![vec![], vec![1, 22, 3]],
                enums: vec![
                    E::Unit,
                    E::New(5),
                    E::Tuple(1, text.clone()),
                    E::Struct {
                        a: vec![],
                        b: Some(true),
                    },
                ],
                unit: (),
                c: '"',
            };
            for depth in [0, 1, 2, 4, 6] {
                assert_eq!(
                    ours(&s, depth),
                    serde_json_at(&s, depth),
                    "{text:?} at {depth}"
                );
                assert_eq!(ours(text, depth), serde_json::to_string(text).unwrap());
            }
        }
    }

    #[test]
    fn integers_of_every_type_are_written_as_serde_json_writes_them() {
        let ints = (
            (i8::MIN, i8::MAX, 0i8),
            (i16::MIN, i16::MAX),
            (i32::MIN, i32::MAX, -1i32),
            (i64::MIN, i64::MAX),
            (i128::MIN, i128::MAX),
        );
        let uints = (
            (u8::MAX, 0u8),
            u16::MAX,
            (u32::MAX, 10u32),
            (u64::MAX, 9u64),
            u128::MAX,
        );
        for depth in [0, 3] {
            assert_eq!(ours(&ints, depth), serde_json_at(&ints, depth));
            assert_eq!(ours(&uints, depth), serde_json_at(&uints, depth));
        }
    }
}
