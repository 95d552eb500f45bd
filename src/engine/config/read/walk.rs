//! The reader proper: a serde `Deserializer` over one value of the parsed
//! document that knows the value's path, skips what earlier passes left
//! out, and says which type was asked for when a value does not fit.

use std::collections::BTreeSet;

use serde::de::{
    self, DeserializeSeed, EnumAccess, IntoDeserializer, MapAccess, SeqAccess, VariantAccess,
    Visitor,
};
use serde_json::{Map, Value};

use super::problem::{found_in, Expect, Problem, What};
use crate::engine::error::{ErrorKind, FieldPath};

/// One value of the document, with its path.
pub(super) struct Walk<'a> {
    v: &'a Value,
    at: FieldPath,
    skips: &'a BTreeSet<FieldPath>,
    /// 0 for the document, 1 for its sections.
    depth: usize,
}

impl<'a> Walk<'a> {
    /// The document itself, leaving out `skips`.
    pub(super) fn root(doc: &'a Value, skips: &'a BTreeSet<FieldPath>) -> Walk<'a> {
        Walk {
            v: doc,
            at: FieldPath::root(),
            skips,
            depth: 0,
        }
    }

    fn child(&self, v: &'a Value, at: FieldPath) -> Walk<'a> {
        Walk {
            v,
            at,
            skips: self.skips,
            depth: self.depth + 1,
        }
    }

    /// This value is not of the JSON type `expect` needs.
    fn wrong(&self, expect: Expect) -> Problem {
        Problem::new(What::Type {
            kind: ErrorKind::WrongType,
            expect: Some(expect),
            serde: String::new(),
            found: found_in(self.v),
        })
    }

    fn number<'de, V: Visitor<'de>>(
        &self,
        visitor: V,
        expect: Expect,
    ) -> Result<V::Value, Problem> {
        let Value::Number(n) = self.v else {
            return Err(self.wrong(expect));
        };
        let r = if let Some(u) = n.as_u64() {
            visitor.visit_u64(u)
        } else if let Some(i) = n.as_i64() {
            visitor.visit_i64(i)
        } else if let Some(f) = n.as_f64() {
            visitor.visit_f64(f)
        } else {
            return Err(self.wrong(expect));
        };
        r.map_err(|p: Problem| p.expecting(expect, self.v))
    }

    fn text<'de, V: Visitor<'de>>(&self, visitor: V) -> Result<V::Value, Problem> {
        match self.v {
            Value::String(s) => visitor
                .visit_str(s)
                .map_err(|p: Problem| p.expecting(Expect::Text, self.v)),
            _ => Err(self.wrong(Expect::Text)),
        }
    }

    fn seq<'de, V: Visitor<'de>>(
        &self,
        items: &'a [Value],
        visitor: V,
    ) -> Result<V::Value, Problem> {
        let mut access = Items {
            walk: self,
            items: items.iter().enumerate(),
        };
        let value = visitor.visit_seq(&mut access)?;
        // As serde_json: items the visitor did not take (a struct read
        // from a longer array) are an error.
        let left = access
            .items
            .filter(|(i, _)| !self.skips.contains(&self.at.index(*i)))
            .count();
        if left > 0 {
            return Err(Problem::new(What::Other(format!(
                "expected fewer items ({left} left over)"
            ))));
        }
        Ok(value)
    }

    fn map<'de, V: Visitor<'de>>(
        &self,
        obj: &'a Map<String, Value>,
        visitor: V,
    ) -> Result<V::Value, Problem> {
        visitor.visit_map(Entries {
            walk: self,
            iter: obj.iter(),
            value: None,
        })
    }

    /// An object failed as a whole (a required field is missing): the
    /// error names the field, the next pass leaves the object out.
    fn whole(&self, mut p: Problem) -> Problem {
        if p.at.is_none() {
            p.at = Some(match &*p.what {
                What::MissingField(f) => self.at.key(f),
                _ => self.at.clone(),
            });
            p.skip = Some((self.at.clone(), true));
        }
        p
    }
}

/// The items of a list, skipping those left out (paths keep the original
/// index).
struct Items<'w, 'a> {
    walk: &'w Walk<'a>,
    items: std::iter::Enumerate<std::slice::Iter<'a, Value>>,
}

impl<'de> SeqAccess<'de> for Items<'_, '_> {
    type Error = Problem;

    fn next_element_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, Problem> {
        let (walk, items) = (self.walk, &mut self.items);
        let Some((i, v)) = items.find(|(i, _)| !walk.skips.contains(&walk.at.index(*i))) else {
            return Ok(None);
        };
        let at = walk.at.index(i);
        seed.deserialize(walk.child(v, at.clone()))
            .map(Some)
            .map_err(|p| p.located(&at, true))
    }
}

/// The fields of an object, skipping those left out.
struct Entries<'w, 'a> {
    walk: &'w Walk<'a>,
    iter: serde_json::map::Iter<'a>,
    value: Option<(&'a Value, FieldPath)>,
}

impl<'de> MapAccess<'de> for Entries<'_, '_> {
    type Error = Problem;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Problem> {
        let walk = self.walk;
        let Some((k, v)) = self
            .iter
            .find(|(k, _)| !walk.skips.contains(&walk.at.key(k)))
        else {
            return Ok(None);
        };
        let at = walk.at.key(k);
        self.value = Some((v, at.clone()));
        let key: de::value::StrDeserializer<'_, Problem> = k.as_str().into_deserializer();
        // An unknown field is reported at its own path and left out.
        seed.deserialize(key)
            .map(Some)
            .map_err(|p| p.located(&at, false))
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, Problem> {
        let Some((v, at)) = self.value.take() else {
            return Err(Problem::new(What::Other("a value without its key".into())));
        };
        seed.deserialize(self.walk.child(v, at.clone()))
            .map_err(|p| p.located(&at, false))
    }
}

/// An enum written as a one-key object (`{"block": null}`), which
/// serde_json reads too.
struct OneKey<'a> {
    walk: Walk<'a>,
    key: &'a str,
}

impl<'de, 'a> EnumAccess<'de> for OneKey<'a> {
    type Error = Problem;
    type Variant = Walk<'a>;

    fn variant_seed<S: DeserializeSeed<'de>>(
        self,
        seed: S,
    ) -> Result<(S::Value, Walk<'a>), Problem> {
        let key: de::value::StrDeserializer<'_, Problem> = self.key.into_deserializer();
        Ok((seed.deserialize(key)?, self.walk))
    }
}

impl<'de> VariantAccess<'de> for Walk<'_> {
    type Error = Problem;

    fn unit_variant(self) -> Result<(), Problem> {
        de::Deserialize::deserialize(self)
    }

    fn newtype_variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<S::Value, Problem> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, Problem> {
        de::Deserializer::deserialize_seq(self, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Problem> {
        de::Deserializer::deserialize_struct(self, "", fields, visitor)
    }
}

macro_rules! whole {
    ($($method:ident: $ty:ty),*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Problem> {
            self.number(visitor, Expect::Whole { max: u64::from(<$ty>::MAX) })
        }
    )*};
}

macro_rules! signed {
    ($($method:ident),*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Problem> {
            self.number(visitor, Expect::Signed)
        }
    )*};
}

impl<'de> de::Deserializer<'de> for Walk<'_> {
    type Error = Problem;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Problem> {
        match self.v {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Number(_) => self.number(visitor, Expect::Number),
            Value::String(s) => visitor.visit_str(s),
            Value::Array(items) => self.seq(items, visitor),
            Value::Object(obj) => self.map(obj, visitor),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Problem> {
        match self.v {
            Value::Bool(b) => visitor
                .visit_bool(*b)
                .map_err(|p: Problem| p.expecting(Expect::Bool, self.v)),
            _ => Err(self.wrong(Expect::Bool)),
        }
    }

    whole!(deserialize_u8: u8, deserialize_u16: u16, deserialize_u32: u32, deserialize_u64: u64);
    signed!(
        deserialize_i8,
        deserialize_i16,
        deserialize_i32,
        deserialize_i64
    );

    fn deserialize_u128<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Problem> {
        self.number(visitor, Expect::Whole { max: u64::MAX })
    }

    fn deserialize_i128<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Problem> {
        self.number(visitor, Expect::Signed)
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Problem> {
        self.number(visitor, Expect::Number)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Problem> {
        self.number(visitor, Expect::Number)
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Problem> {
        self.text(visitor)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Problem> {
        self.text(visitor)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Problem> {
        self.text(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Problem> {
        self.text(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Problem> {
        self.deserialize_any(visitor)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Problem> {
        self.deserialize_any(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Problem> {
        match self.v {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Problem> {
        match self.v {
            Value::Null => visitor.visit_unit(),
            _ => Err(self.wrong(Expect::Null)),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Problem> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Problem> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Problem> {
        match self.v {
            Value::Array(items) => self.seq(items, visitor),
            _ => Err(self.wrong(Expect::List)),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Problem> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Problem> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Problem> {
        match self.v {
            Value::Object(obj) => self.map(obj, visitor),
            _ => Err(self.wrong(Expect::Object)),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Problem> {
        match self.v {
            Value::Object(obj) => self.map(obj, visitor).map_err(|p| self.whole(p)),
            // See the module docs: sections are objects; deeper down
            // serde_json's reading of a struct from an array is kept.
            Value::Array(items) if self.depth != 1 => {
                self.seq(items, visitor).map_err(|p| self.whole(p))
            }
            _ => Err(self.wrong(Expect::Object)),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Problem> {
        match self.v {
            Value::String(s) => {
                let name: de::value::StrDeserializer<'_, Problem> = s.as_str().into_deserializer();
                visitor.visit_enum(name)
            }
            Value::Object(obj) if obj.len() == 1 => {
                let Some((key, value)) = obj.iter().next() else {
                    return Err(self.wrong(Expect::Name(variants)));
                };
                let at = self.at.key(key);
                let walk = self.child(value, at);
                visitor.visit_enum(OneKey { walk, key })
            }
            _ => Err(self.wrong(Expect::Name(variants))),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Problem> {
        visitor.visit_unit()
    }
}
