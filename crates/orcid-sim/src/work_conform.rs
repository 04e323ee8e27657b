//! Checks a JSON body against [`super::work_schema`] the way ORCID's Jackson binding does:
//! anything unknown or of the wrong JSON type is rejected (error 9047) with Jackson's
//! wording ("Unrecognized field …"), the line and column of the offending key and the
//! reference chain of Java classes.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::work_schema::{Class, Kind};

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Seg {
    Key(String),
    Index(usize),
}

/// One shape problem, located by its JSON path.
struct Problem {
    path: Vec<Seg>,
    /// Java class chain for Jackson's "(through reference chain: …)".
    chain: String,
    message: String,
}

/// Checks `value` against `class` and returns it with scalars coerced to strings, `{"value":
/// null}` wrappers dropped and `contributor-email` reduced to its text. Err: the 9047
/// `${error}` text, positioned in `raw` (the request body) as Jackson would.
pub(crate) fn conform(raw: &str, value: &Value, class: &'static Class) -> Result<Value, String> {
    let mut problems = Vec::new();
    let root_chain = class.full_name();
    let out = walk_obj(value, class, &mut Vec::new(), &root_chain, &mut problems);
    if problems.is_empty() {
        return Ok(out);
    }
    let positions = key_positions(raw);
    let first = problems.into_iter().min_by_key(|p| {
        positions
            .get(&p.path)
            .copied()
            .unwrap_or((usize::MAX, 0, 0))
            .0
    });
    Err(first.map_or_else(String::new, |p| {
        let (_, line, col) = positions.get(&p.path).copied().unwrap_or((0, 1, 1));
        format!(
            "{}\n at [Source: (org.apache.catalina.connector.CoyoteInputStream); line: {line}, column: {col}] (through reference chain: {})",
            p.message, p.chain
        )
    }))
}

fn token_name(v: &Value) -> (&'static str, &'static str) {
    match v {
        Value::String(_) => ("String", "VALUE_STRING"),
        Value::Number(n) if n.is_f64() => ("Floating-point", "VALUE_NUMBER_FLOAT"),
        Value::Number(_) => ("Integer", "VALUE_NUMBER_INT"),
        Value::Bool(true) => ("Boolean", "VALUE_TRUE"),
        Value::Bool(false) => ("Boolean", "VALUE_FALSE"),
        Value::Array(_) => ("Array", "START_ARRAY"),
        Value::Object(_) => ("Object", "START_OBJECT"),
        Value::Null => ("Null", "VALUE_NULL"),
    }
}

fn mismatch(java_type: &str, v: &Value) -> String {
    let (kind, token) = token_name(v);
    format!("Cannot deserialize value of type `{java_type}` from {kind} value (token `JsonToken.{token}`)")
}

fn walk_obj(
    v: &Value,
    class: &'static Class,
    path: &mut Vec<Seg>,
    chain: &str,
    problems: &mut Vec<Problem>,
) -> Value {
    let Value::Object(map) = v else {
        if !v.is_null() {
            problems.push(Problem {
                path: path.clone(),
                chain: chain.to_owned(),
                message: mismatch(&class.full_name(), v),
            });
        }
        return Value::Null;
    };
    let mut out = Map::new();
    for (key, child) in map {
        path.push(Seg::Key(key.clone()));
        let child_chain = format!("{chain}[\"{key}\"]");
        match class.fields.iter().find(|(k, _)| k == key) {
            None => problems.push(Problem {
                path: path.clone(),
                chain: format!("{chain}[\"{key}\"]"),
                message: unrecognized(key, class),
            }),
            Some((_, kind)) => {
                let c = walk_kind(child, *kind, path, &child_chain, problems);
                if !c.is_null() {
                    out.insert(key.clone(), c);
                }
            }
        }
        path.pop();
    }
    // A value wrapper without a value is as good as absent.
    if class.fields.len() == 1 && class.fields[0].0 == "value" && !out.contains_key("value") {
        return Value::Null;
    }
    Value::Object(out)
}

fn walk_kind(
    v: &Value,
    kind: Kind,
    path: &mut Vec<Seg>,
    chain: &str,
    problems: &mut Vec<Problem>,
) -> Value {
    let mut bad = |java: &str| {
        problems.push(Problem {
            path: path.clone(),
            chain: chain.to_owned(),
            message: mismatch(java, v),
        });
        Value::Null
    };
    match (kind, v) {
        (_, Value::Null) => Value::Null,
        (Kind::Str | Kind::StrOrObj(_), Value::String(_)) => v.clone(),
        (Kind::Str | Kind::StrOrObj(_), Value::Number(n)) => Value::String(n.to_string()),
        (Kind::Str | Kind::StrOrObj(_), Value::Bool(b)) => Value::String(b.to_string()),
        (Kind::Str, _) => bad("java.lang.String"),
        (Kind::StrOrObj(class), Value::Object(_)) => {
            let inner = walk_obj(
                v,
                class,
                path,
                &format!("{chain}->{}", class.full_name()),
                problems,
            );
            inner.get("value").cloned().unwrap_or(Value::Null)
        }
        (Kind::StrOrObj(_), _) => bad("java.lang.String"),
        (Kind::Num, Value::Number(n)) if n.is_i64() => v.clone(),
        (Kind::Num, Value::String(s)) => match s.trim().parse::<i64>() {
            Ok(n) => Value::from(n),
            Err(_) => {
                problems.push(Problem {
                    path: path.clone(),
                    chain: chain.to_owned(),
                    message: format!(
                        "Cannot deserialize value of type `java.lang.Long` from String \"{s}\": not a valid `java.lang.Long` value"
                    ),
                });
                Value::Null
            }
        },
        (Kind::Num, _) => bad("java.lang.Long"),
        (Kind::Bool, Value::Bool(_)) => v.clone(),
        (Kind::Bool, _) => bad("java.lang.Boolean"),
        (Kind::Obj(class), _) => walk_obj(
            v,
            class,
            path,
            &format!("{chain}->{}", class.full_name()),
            problems,
        ),
        (Kind::List(class), Value::Array(items)) => {
            let mut out = Vec::new();
            for (i, item) in items.iter().enumerate() {
                path.push(Seg::Index(i));
                let item_chain =
                    format!("{chain}->java.util.ArrayList[{i}]->{}", class.full_name());
                let c = walk_obj(item, class, path, &item_chain, problems);
                out.push(c);
                path.pop();
            }
            Value::Array(out)
        }
        (Kind::List(class), _) => bad(&format!("java.util.ArrayList<{}>", class.full_name())),
    }
}

fn unrecognized(key: &str, class: &Class) -> String {
    let known: Vec<String> = class
        .fields
        .iter()
        .map(|(k, _)| format!("\"{k}\""))
        .collect();
    let list = if known.len() == 1 {
        format!("one known property: {}", known[0])
    } else {
        format!("{} known properties: {}", known.len(), known.join(", "))
    };
    format!(
        "Unrecognized field \"{key}\" (class {}), not marked as ignorable ({list}])",
        class.full_name()
    )
}

/// Where each object key ends in `raw`: path → (byte offset, line, column), 1-based like
/// Jackson's locations. `raw` is known to be valid JSON.
pub(crate) fn key_positions(raw: &str) -> HashMap<Vec<Seg>, (usize, usize, usize)> {
    enum Frame {
        Obj { key: Option<String> },
        Arr { index: usize },
    }
    let mut out = HashMap::new();
    let mut stack: Vec<Frame> = Vec::new();
    let bytes = raw.as_bytes();
    let (mut line, mut line_start) = (1usize, 0usize);
    let mut i = 0;
    let path_of = |stack: &[Frame]| -> Vec<Seg> {
        stack
            .iter()
            .filter_map(|f| match f {
                Frame::Obj { key } => key.clone().map(Seg::Key),
                Frame::Arr { index } => Some(Seg::Index(*index)),
            })
            .collect()
    };
    let mut expecting_key = false;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => {
                line += 1;
                line_start = i + 1;
            }
            b'{' => {
                stack.push(Frame::Obj { key: None });
                expecting_key = true;
            }
            b'[' => stack.push(Frame::Arr { index: 0 }),
            b'}' | b']' => {
                stack.pop();
                expecting_key = false;
            }
            b',' => match stack.last_mut() {
                Some(Frame::Arr { index }) => *index += 1,
                Some(Frame::Obj { key }) => {
                    *key = None;
                    expecting_key = true;
                }
                None => {}
            },
            b'"' => {
                let start = i + 1;
                let mut j = start;
                while j < bytes.len() && bytes[j] != b'"' {
                    j += if bytes[j] == b'\\' { 2 } else { 1 };
                }
                let end = j.min(bytes.len());
                if expecting_key {
                    let text: String =
                        serde_json::from_str(&raw[start - 1..(end + 1).min(raw.len())])
                            .unwrap_or_else(|_| raw[start..end].to_owned());
                    if let Some(Frame::Obj { key }) = stack.last_mut() {
                        *key = Some(text);
                    }
                    let col = raw[line_start..(end + 1).min(raw.len())].chars().count() + 1;
                    out.insert(path_of(&stack), (end, line, col));
                    expecting_key = false;
                }
                i = end;
            }
            _ => {}
        }
        i += 1;
    }
    out
}
