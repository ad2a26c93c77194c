//! The MessagePack encoding of values that Terraform uses for `DynamicValue.msgpack`.
//!
//! Decoding is driven by the schema's type, checks every length against the bytes that remain,
//! and bounds nesting, so malformed input becomes an error, never a panic or a huge allocation.
//! Unknown values are any extension (refinements are dropped); they are written as `d4 00 00`.

use std::collections::BTreeMap;

use super::codec::CodecError;
use super::diag::PathStep;
use super::value::{MAX_DEPTH, Number, Type, Value};

/// Decodes a msgpack document holding a value of type `ty`.
pub fn decode(bytes: &[u8], ty: &Type) -> Result<Value, CodecError> {
    let mut r = Reader {
        buf: bytes,
        pos: 0,
        path: Vec::new(),
    };
    let v = r.value(ty, 0)?;
    if r.pos != bytes.len() {
        return Err(r.err(format!(
            "{} unexpected bytes after the value",
            bytes.len() - r.pos
        )));
    }
    Ok(v)
}

/// Encodes `v` as a msgpack document of type `ty`.
pub fn encode(v: &Value, ty: &Type) -> Result<Vec<u8>, CodecError> {
    let mut out = Vec::with_capacity(64);
    let mut path = Vec::new();
    write_value(&mut out, v, ty, &mut path)?;
    Ok(out)
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    path: Vec<PathStep>,
}

impl<'a> Reader<'a> {
    fn err(&self, msg: impl Into<String>) -> CodecError {
        CodecError::new(&self.path, msg)
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], CodecError> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.buf.len());
        match end {
            Some(end) => {
                let s = &self.buf[self.pos..end];
                self.pos = end;
                Ok(s)
            }
            None => Err(self.err("truncated msgpack data")),
        }
    }

    fn byte(&mut self) -> Result<u8, CodecError> {
        Ok(self.take(1)?[0])
    }
    fn peek(&self) -> Result<u8, CodecError> {
        self.buf
            .get(self.pos)
            .copied()
            .ok_or_else(|| self.err("truncated msgpack data"))
    }
    fn be(&mut self, n: usize) -> Result<u64, CodecError> {
        Ok(self
            .take(n)?
            .iter()
            .fold(0u64, |acc, b| (acc << 8) | u64::from(*b)))
    }
    fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// Reads an extension if one starts here (any extension is an unknown value).
    fn skip_ext(&mut self) -> Result<bool, CodecError> {
        let marker = self.peek()?;
        let len = match marker {
            0xd4 => 1,
            0xd5 => 2,
            0xd6 => 4,
            0xd7 => 8,
            0xd8 => 16,
            0xc7..=0xc9 => {
                self.pos += 1;
                let width = match marker {
                    0xc7 => 1,
                    0xc8 => 2,
                    _ => 4,
                };
                self.be(width)? as usize
            }
            _ => return Ok(false),
        };
        if matches!(marker, 0xd4..=0xd8) {
            self.pos += 1;
        }
        self.take(1)?; // extension type code
        self.take(len)?; // payload (refinements), ignored
        Ok(true)
    }

    fn value(&mut self, ty: &Type, depth: usize) -> Result<Value, CodecError> {
        if depth > MAX_DEPTH {
            return Err(self.err(format!("value nested deeper than {MAX_DEPTH} levels")));
        }
        if self.peek()? == 0xc0 {
            self.pos += 1;
            return Ok(Value::Null);
        }
        if self.skip_ext()? {
            return Ok(Value::Unknown);
        }
        match ty {
            Type::Bool => match self.byte()? {
                0xc2 => Ok(Value::Bool(false)),
                0xc3 => Ok(Value::Bool(true)),
                m => Err(self.err(format!("expected bool, found {}", marker_name(m)))),
            },
            Type::Number => self.number().map(Value::Number),
            Type::String => self.string().map(Value::String),
            Type::List(elem) | Type::Set(elem) => {
                let n = self.array_len()?;
                let mut items = Vec::with_capacity(n.min(self.remaining()));
                for i in 0..n {
                    self.path.push(PathStep::Index(i as i64));
                    items.push(self.value(elem, depth + 1)?);
                    self.path.pop();
                }
                Ok(if matches!(ty, Type::Set(_)) {
                    Value::Set(items)
                } else {
                    Value::List(items)
                })
            }
            Type::Tuple(elems) => {
                let n = self.array_len()?;
                if n != elems.len() {
                    return Err(
                        self.err(format!("tuple needs {} elements, found {n}", elems.len()))
                    );
                }
                let mut items = Vec::with_capacity(n);
                for (i, et) in elems.iter().enumerate() {
                    self.path.push(PathStep::Index(i as i64));
                    items.push(self.value(et, depth + 1)?);
                    self.path.pop();
                }
                Ok(Value::Tuple(items))
            }
            Type::Map(elem) => {
                let n = self.map_len()?;
                let mut m = BTreeMap::new();
                for _ in 0..n {
                    let k = self.string()?;
                    self.path.push(PathStep::Key(k.clone()));
                    let v = self.value(elem, depth + 1)?;
                    self.path.pop();
                    m.insert(k, v);
                }
                Ok(Value::Map(m))
            }
            Type::Object(attrs) => {
                let n = self.map_len()?;
                let mut m = BTreeMap::new();
                for _ in 0..n {
                    let k = self.string()?;
                    let Some(at) = attrs.get(&k) else {
                        return Err(self.err(format!("unsupported attribute {k:?}")));
                    };
                    self.path.push(PathStep::Attr(k.clone()));
                    let v = self.value(at, depth + 1)?;
                    self.path.pop();
                    if m.insert(k.clone(), v).is_some() {
                        return Err(self.err(format!("attribute {k:?} appears twice")));
                    }
                }
                for k in attrs.keys() {
                    m.entry(k.clone()).or_insert(Value::Null);
                }
                Ok(Value::Object(m))
            }
            Type::Dynamic => {
                if self.array_len()? != 2 {
                    return Err(self.err("a dynamic value must be a [type, value] pair"));
                }
                let ty_bytes = self.bytes_or_str()?;
                let inner = Type::from_json_bytes(ty_bytes).map_err(|e| self.err(e))?;
                self.value(&inner, depth + 1)
            }
        }
    }

    fn array_len(&mut self) -> Result<usize, CodecError> {
        let m = self.byte()?;
        let n = match m {
            0x90..=0x9f => usize::from(m & 0x0f),
            0xdc => self.be(2)? as usize,
            0xdd => self.be(4)? as usize,
            _ => return Err(self.err(format!("expected a sequence, found {}", marker_name(m)))),
        };
        // Every element takes at least one byte.
        if n > self.remaining() {
            return Err(self.err("truncated msgpack data"));
        }
        Ok(n)
    }

    fn map_len(&mut self) -> Result<usize, CodecError> {
        let m = self.byte()?;
        let n = match m {
            0x80..=0x8f => usize::from(m & 0x0f),
            0xde => self.be(2)? as usize,
            0xdf => self.be(4)? as usize,
            _ => return Err(self.err(format!("expected a map, found {}", marker_name(m)))),
        };
        if n.saturating_mul(2) > self.remaining() {
            return Err(self.err("truncated msgpack data"));
        }
        Ok(n)
    }

    fn str_len(&mut self, m: u8) -> Result<Option<usize>, CodecError> {
        Ok(Some(match m {
            0xa0..=0xbf => usize::from(m & 0x1f),
            0xd9 => self.be(1)? as usize,
            0xda => self.be(2)? as usize,
            0xdb => self.be(4)? as usize,
            _ => return Ok(None),
        }))
    }

    fn string(&mut self) -> Result<String, CodecError> {
        let m = self.byte()?;
        let Some(n) = self.str_len(m)? else {
            return Err(self.err(format!("expected string, found {}", marker_name(m))));
        };
        let raw = self.take(n)?;
        String::from_utf8(raw.to_vec()).map_err(|_| self.err("string is not valid UTF-8"))
    }

    fn bytes_or_str(&mut self) -> Result<&'a [u8], CodecError> {
        let m = self.byte()?;
        let n = match m {
            0xc4 => self.be(1)? as usize,
            0xc5 => self.be(2)? as usize,
            0xc6 => self.be(4)? as usize,
            _ => match self.str_len(m)? {
                Some(n) => n,
                None => {
                    return Err(self.err(format!("expected type bytes, found {}", marker_name(m))));
                }
            },
        };
        self.take(n)
    }

    fn number(&mut self) -> Result<Number, CodecError> {
        let m = self.byte()?;
        let n = match m {
            0x00..=0x7f => Number::from(i64::from(m)),
            0xe0..=0xff => Number::from(i64::from(m as i8)),
            0xcc => Number::from(self.be(1)?),
            0xcd => Number::from(self.be(2)?),
            0xce => Number::from(self.be(4)?),
            0xcf => Number::from(self.be(8)?),
            0xd0 => Number::from(i64::from(self.be(1)? as u8 as i8)),
            0xd1 => Number::from(i64::from(self.be(2)? as u16 as i16)),
            0xd2 => Number::from(i64::from(self.be(4)? as u32 as i32)),
            0xd3 => Number::from(self.be(8)? as i64),
            0xca => {
                let f = f64::from(f32::from_bits(self.be(4)? as u32));
                self.float(f)?
            }
            0xcb => {
                let f = f64::from_bits(self.be(8)?);
                self.float(f)?
            }
            _ => match self.str_len(m)? {
                // Numbers too precise for int64 / float64 travel as decimal strings.
                Some(n) => {
                    let raw = self.take(n)?;
                    let s = std::str::from_utf8(raw)
                        .map_err(|_| self.err("number is not valid UTF-8"))?;
                    s.parse::<Number>().map_err(|e| self.err(e))?
                }
                None => return Err(self.err(format!("expected number, found {}", marker_name(m)))),
            },
        };
        Ok(n)
    }

    fn float(&self, f: f64) -> Result<Number, CodecError> {
        Number::from_f64(f).ok_or_else(|| self.err("number is NaN or infinite"))
    }
}

fn marker_name(m: u8) -> &'static str {
    match m {
        0xc0 => "null",
        0xc2 | 0xc3 => "bool",
        0x00..=0x7f | 0xe0..=0xff | 0xcc..=0xd3 | 0xca | 0xcb => "number",
        0xa0..=0xbf | 0xd9..=0xdb => "string",
        0x90..=0x9f | 0xdc | 0xdd => "sequence",
        0x80..=0x8f | 0xde | 0xdf => "map",
        0xc4..=0xc6 => "binary",
        _ => "an unsupported msgpack marker",
    }
}

fn mismatch(path: &[PathStep], v: &Value, ty: &Type) -> CodecError {
    let found = match v {
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::List(_) => "list",
        Value::Set(_) => "set",
        Value::Map(_) => "map",
        Value::Object(_) => "object",
        Value::Tuple(_) => "tuple",
        Value::Null | Value::Unknown => "null",
    };
    CodecError::new(
        path,
        format!(
            "a {found} value where the schema says {}",
            ty.friendly_name()
        ),
    )
}

fn write_value(
    out: &mut Vec<u8>,
    v: &Value,
    ty: &Type,
    path: &mut Vec<PathStep>,
) -> Result<(), CodecError> {
    // Writes into a Vec cannot fail; rmp's Result only reflects its generic writer.
    macro_rules! w {
        ($e:expr) => {
            let _ = $e;
        };
    }
    match (v, ty) {
        (Value::Null, _) => {
            w!(rmp::encode::write_nil(out));
        }
        (Value::Unknown, _) => out.extend_from_slice(&[0xd4, 0x00, 0x00]),
        (_, Type::Dynamic) => {
            let inner = v.infer_type();
            w!(rmp::encode::write_array_len(out, 2));
            w!(rmp::encode::write_bin(out, &inner.to_json_bytes()));
            write_value(out, v, &inner, path)?;
        }
        (Value::Bool(b), Type::Bool) => {
            w!(rmp::encode::write_bool(out, *b));
        }
        (Value::String(s), Type::String) => {
            w!(rmp::encode::write_str(out, s));
        }
        (Value::Number(n), Type::Number) => {
            if let Some(i) = n.as_i64() {
                w!(rmp::encode::write_sint(out, i));
            } else if let Some(f) = n.as_exact_f64() {
                w!(rmp::encode::write_f64(out, f));
            } else {
                w!(rmp::encode::write_str(out, &n.to_string()));
            }
        }
        (Value::List(items), Type::List(et)) | (Value::Set(items), Type::Set(et)) => {
            w!(rmp::encode::write_array_len(out, len32(items.len(), path)?));
            for (i, item) in items.iter().enumerate() {
                path.push(PathStep::Index(i as i64));
                write_value(out, item, et, path)?;
                path.pop();
            }
        }
        (Value::Tuple(items), Type::Tuple(ets)) => {
            if items.len() != ets.len() {
                return Err(CodecError::new(
                    path,
                    format!("tuple needs {} elements, has {}", ets.len(), items.len()),
                ));
            }
            w!(rmp::encode::write_array_len(out, len32(items.len(), path)?));
            for (i, (item, et)) in items.iter().zip(ets).enumerate() {
                path.push(PathStep::Index(i as i64));
                write_value(out, item, et, path)?;
                path.pop();
            }
        }
        (Value::Map(m), Type::Map(et)) => {
            w!(rmp::encode::write_map_len(out, len32(m.len(), path)?));
            for (k, item) in m {
                w!(rmp::encode::write_str(out, k));
                path.push(PathStep::Key(k.clone()));
                write_value(out, item, et, path)?;
                path.pop();
            }
        }
        (Value::Object(m), Type::Object(attrs)) => {
            if let Some(extra) = m.keys().find(|k| !attrs.contains_key(*k)) {
                return Err(CodecError::new(
                    path,
                    format!("attribute {extra:?} is not in the schema"),
                ));
            }
            w!(rmp::encode::write_map_len(out, len32(attrs.len(), path)?));
            for (k, at) in attrs {
                w!(rmp::encode::write_str(out, k));
                path.push(PathStep::Attr(k.clone()));
                write_value(out, m.get(k).unwrap_or(&Value::Null), at, path)?;
                path.pop();
            }
        }
        _ => return Err(mismatch(path, v, ty)),
    }
    Ok(())
}

fn len32(n: usize, path: &[PathStep]) -> Result<u32, CodecError> {
    u32::try_from(n).map_err(|_| CodecError::new(path, "collection too large to encode"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An ext32 header that ends the input, or whose type code looks like a fixext marker, is
    /// an error or an unknown value, never an out-of-bounds read.
    #[test]
    fn truncated_or_odd_extensions_do_not_panic() {
        assert!(decode(&[0xc9, 0, 0, 0, 0], &Type::String).is_err());
        assert!(decode(&[0xc7, 0], &Type::String).is_err());
        assert_eq!(
            decode(&[0xc7, 1, 0xd4, 0], &Type::String).ok(),
            Some(Value::Unknown)
        );
    }

    #[test]
    fn unknown_is_written_as_go_cty_does() {
        assert_eq!(
            encode(&Value::Unknown, &Type::String).unwrap(),
            vec![0xd4, 0, 0]
        );
    }

    #[test]
    fn any_extension_reads_as_unknown() {
        // fixext1 type 0, empty ext8 type 0, and a refined unknown (ext 12 with a map payload).
        for bytes in [
            &[0xd4, 0, 0][..],
            &[0xc7, 0, 0],
            &[0xc7, 3, 12, 0x81, 0x01, 0xc2],
        ] {
            assert_eq!(decode(bytes, &Type::String).unwrap(), Value::Unknown);
        }
    }

    #[test]
    fn objects_fill_missing_attributes_with_null() {
        let ty = Type::object([("a", Type::String), ("b", Type::Number)]);
        let mut bytes = Vec::new();
        rmp::encode::write_map_len(&mut bytes, 1).unwrap();
        rmp::encode::write_str(&mut bytes, "a").unwrap();
        rmp::encode::write_str(&mut bytes, "x").unwrap();
        assert_eq!(
            decode(&bytes, &ty).unwrap(),
            Value::object([("a", Value::string("x")), ("b", Value::Null)])
        );
    }

    #[test]
    fn numbers_use_the_smallest_faithful_form() {
        let big: Number = "12345678901234567890123".parse().unwrap();
        let cases = [
            Value::from(5),
            Value::from(-70000),
            Value::number(Number::from_f64(1.5).unwrap()),
            Value::Number(big),
        ];
        for v in cases {
            let bytes = encode(&v, &Type::Number).unwrap();
            assert_eq!(decode(&bytes, &Type::Number).unwrap(), v);
        }
        // The big integer does not fit int64 or float64 exactly, so it travels as a string.
        let bytes = encode(
            &Value::Number("12345678901234567890123".parse().unwrap()),
            &Type::Number,
        )
        .unwrap();
        assert_eq!(bytes[0], 0xb7);
    }

    #[test]
    fn errors_name_the_attribute() {
        let ty = Type::object([("outer", Type::object([("inner", Type::Bool)]))]);
        let v = Value::object([("outer", Value::object([("inner", Value::string("yes"))]))]);
        let err = encode(&v, &ty).unwrap_err();
        assert_eq!(err.path_string(), "outer.inner");
        let mut bytes = Vec::new();
        rmp::encode::write_map_len(&mut bytes, 1).unwrap();
        rmp::encode::write_str(&mut bytes, "outer").unwrap();
        rmp::encode::write_map_len(&mut bytes, 1).unwrap();
        rmp::encode::write_str(&mut bytes, "inner").unwrap();
        rmp::encode::write_str(&mut bytes, "yes").unwrap();
        let err = decode(&bytes, &ty).unwrap_err();
        assert_eq!(err.path_string(), "outer.inner");
        assert!(err.message.contains("expected bool"), "{}", err.message);
    }

    #[test]
    fn malformed_input_is_an_error() {
        let ty = Type::object([("a", Type::list(Type::String))]);
        let good = encode(
            &Value::object([(
                "a",
                Value::List(vec![Value::string("x"), Value::string("y")]),
            )]),
            &ty,
        )
        .unwrap();
        for cut in 0..good.len() {
            assert!(decode(&good[..cut], &ty).is_err(), "truncated at {cut}");
        }
        // Claims of huge lengths with no bytes behind them.
        assert!(decode(&[0xdd, 0xff, 0xff, 0xff, 0xff], &Type::list(Type::String)).is_err());
        assert!(decode(&[0xdb, 0xff, 0xff, 0xff, 0xff], &Type::String).is_err());
        assert!(decode(&[0xc9, 0xff, 0xff, 0xff, 0xff, 0], &Type::String).is_err());
        // Extensions cut off after their length, or before their type code.
        for cut in [
            &[0xc7][..],
            &[0xc7, 0x00],
            &[0xc8, 0x00, 0x01],
            &[0xd4],
            &[0xd4, 0x00],
            &[0xd8, 0x00, 1, 2],
        ] {
            assert!(decode(cut, &Type::String).is_err(), "{cut:?}");
        }
        // Trailing garbage, wrong types, invalid UTF-8, unknown attributes.
        assert!(decode(&[0xc3, 0xc3], &Type::Bool).is_err());
        assert!(decode(&[0xc3], &Type::String).is_err());
        assert!(decode(&[0xa1, 0xff], &Type::String).is_err());
        assert!(decode(&[0x81, 0xa1, b'z', 0xc0], &ty).is_err());
        assert!(decode(&[0xcb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0], &Type::Number).is_err()); // NaN
    }

    #[test]
    fn deep_nesting_is_refused_without_overflowing_the_stack() {
        // 10 000 nested one-element sequences under a dynamic type whose JSON is also deep.
        let mut ty_json = String::new();
        for _ in 0..10_000 {
            ty_json.push_str("[\"list\",");
        }
        ty_json.push_str("\"string\"");
        for _ in 0..10_000 {
            ty_json.push(']');
        }
        let mut bytes = vec![0x92, 0xc6];
        bytes.extend_from_slice(&(ty_json.len() as u32).to_be_bytes());
        bytes.extend_from_slice(ty_json.as_bytes());
        bytes.extend(std::iter::repeat_n(0x91, 10_000));
        bytes.push(0xa0);
        assert!(decode(&bytes, &Type::Dynamic).is_err());

        // A deep type built in Rust (not parsed from JSON) meets the value depth bound instead.
        let mut deep = Type::String;
        for _ in 0..10_000 {
            deep = Type::list(deep);
        }
        let mut bytes: Vec<u8> = std::iter::repeat_n(0x91, 10_000).collect();
        bytes.push(0xa0);
        let err = decode(&bytes, &deep).unwrap_err();
        assert!(err.message.contains("nested deeper"), "{}", err.message);
        // Dropping a 10 000-level type recursively is fine on the test thread's stack.
    }

    #[test]
    fn dynamic_values_carry_their_type() {
        let v = Value::object([("k", Value::List(vec![Value::string("a")]))]);
        let bytes = encode(&v, &Type::Dynamic).unwrap();
        assert_eq!(decode(&bytes, &Type::Dynamic).unwrap(), v);
    }
}
