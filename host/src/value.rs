//! [`Value`]: one value of a PyRadiomics params file (YAML or JSON), with its maps kept in file
//! order (the order of `imageType` and `featureClass` is PyRadiomics' output order).

use std::fmt;

/// A params-file value: what YAML's core schema and JSON produce. Maps keep their keys in file
/// order (a repeated key keeps its first position and its last value, as Python's `dict`).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null`, `~` or an empty value.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A floating-point number.
    Float(f64),
    /// A string.
    Str(String),
    /// A sequence.
    List(Vec<Value>),
    /// A mapping with string keys, in file order.
    Map(Vec<(String, Value)>),
}

impl Value {
    /// The PyRadiomics (Python) type name of the value, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::Str(_) => "str",
            Value::List(_) => "list",
            Value::Map(_) => "map",
        }
    }

    /// Inserts or replaces `key` in a map value (Python `dict` semantics: a replaced key keeps
    /// its position). Does nothing on other values.
    pub(crate) fn map_insert(entries: &mut Vec<(String, Value)>, key: &str, value: Value) {
        match entries.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => slot.1 = value,
            None => entries.push((key.to_string(), value)),
        }
    }

    /// Converts a parsed YAML node. Keys must be strings (or scalars, printed as YAML writes
    /// them); aliases are resolved by the parser.
    pub(crate) fn from_yaml(y: &yaml_rust2::Yaml) -> Result<Value, String> {
        use yaml_rust2::Yaml;
        Ok(match y {
            Yaml::Null => Value::Null,
            Yaml::Boolean(b) => Value::Bool(*b),
            Yaml::Integer(i) => Value::Int(*i),
            Yaml::Real(s) => Value::Float(
                parse_yaml_float(s).ok_or_else(|| format!("cannot read {s:?} as a number"))?,
            ),
            Yaml::String(s) => Value::Str(s.clone()),
            Yaml::Array(a) => {
                Value::List(a.iter().map(Value::from_yaml).collect::<Result<_, _>>()?)
            }
            Yaml::Hash(h) => {
                let mut out = Vec::with_capacity(h.len());
                for (k, v) in h {
                    let key = match k {
                        Yaml::String(s) => s.clone(),
                        Yaml::Integer(i) => i.to_string(),
                        Yaml::Real(s) => s.clone(),
                        Yaml::Boolean(b) => if *b { "True" } else { "False" }.to_string(),
                        Yaml::Null => "None".to_string(),
                        other => {
                            return Err(format!("a map key must be a string, found {other:?}"))
                        }
                    };
                    Value::map_insert(&mut out, &key, Value::from_yaml(v)?);
                }
                Value::Map(out)
            }
            Yaml::Alias(_) => return Err("unresolved YAML alias".into()),
            Yaml::BadValue => return Err("unreadable YAML value".into()),
        })
    }
}

/// YAML 1.2 core-schema floats, including `.inf`, `-.inf` and `.nan`.
fn parse_yaml_float(s: &str) -> Option<f64> {
    match s {
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => Some(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => Some(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => Some(f64::NAN),
        _ => s.parse::<f64>().ok(),
    }
}

/// YAML-like display (flow style): `null`, `true`, `25`, `2.5`, `coif1`, `[1.0, 3.0]`,
/// `{sigma: [1.0]}`, as a params file would spell the value.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => write!(f, "{x:?}"),
            Value::Str(s) => f.write_str(s),
            Value::List(l) => {
                f.write_str("[")?;
                for (i, v) in l.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{v}")?;
                }
                f.write_str("]")
            }
            Value::Map(m) => {
                f.write_str("{")?;
                for (i, (k, v)) in m.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k}: {v}")?;
                }
                f.write_str("}")
            }
        }
    }
}

impl<'de> serde::Deserialize<'de> for Value {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Value;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_unit<E>(self) -> Result<Value, E> {
                Ok(Value::Null)
            }
            fn visit_none<E>(self) -> Result<Value, E> {
                Ok(Value::Null)
            }
            fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
                Ok(Value::Bool(b))
            }
            fn visit_i64<E>(self, i: i64) -> Result<Value, E> {
                Ok(Value::Int(i))
            }
            fn visit_u64<E: serde::de::Error>(self, u: u64) -> Result<Value, E> {
                i64::try_from(u)
                    .map(Value::Int)
                    .map_err(|_| E::custom(format!("integer {u} is too large")))
            }
            fn visit_f64<E>(self, x: f64) -> Result<Value, E> {
                Ok(Value::Float(x))
            }
            fn visit_str<E>(self, s: &str) -> Result<Value, E> {
                Ok(Value::Str(s.to_string()))
            }
            fn visit_string<E>(self, s: String) -> Result<Value, E> {
                Ok(Value::Str(s))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut a: A) -> Result<Value, A::Error> {
                let mut out = Vec::new();
                while let Some(v) = a.next_element::<Value>()? {
                    out.push(v);
                }
                Ok(Value::List(out))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut a: A) -> Result<Value, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = a.next_entry::<String, Value>()? {
                    Value::map_insert(&mut out, &k, v);
                }
                Ok(Value::Map(out))
            }
        }
        d.deserialize_any(V)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}
impl From<i64> for Value {
    fn from(i: i64) -> Value {
        Value::Int(i)
    }
}
impl From<f64> for Value {
    fn from(x: f64) -> Value {
        Value::Float(x)
    }
}
impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::Str(s.to_string())
    }
}
impl<T: Into<Value>> From<Vec<T>> for Value {
    fn from(v: Vec<T>) -> Value {
        Value::List(v.into_iter().map(Into::into).collect())
    }
}
