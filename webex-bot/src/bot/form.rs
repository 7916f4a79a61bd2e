//! Card inputs read into the author's type, and what the user is told when they do not
//! read: the field and the problem in plain words, not serde's message.

use std::fmt;

/// Why a card submission did not read into the handler's type: the field (a path such as
/// `address.city`, empty for the whole form) and what was wrong, in words for the person
/// who filled it in.
#[derive(Debug)]
pub(crate) struct FormError {
    path: String,
    source: serde_json::Error,
}

impl fmt::Display for FormError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // serde's messages, without their position (a form has no lines).
        let full = self.source.to_string();
        let msg = full.split(" at line ").next().unwrap_or(&full);
        let field = |f: &mut fmt::Formatter<'_>| -> fmt::Result {
            if self.path.is_empty() || self.path == "." {
                Ok(())
            } else {
                write!(f, "`{}`: ", self.path)
            }
        };
        if let Some(name) = between(msg, "missing field `", "`") {
            return write!(f, "please fill in `{name}`");
        }
        if let Some(rest) = msg.strip_prefix("invalid type: ")
            && let Some((got, expected)) = rest.split_once(", expected ")
        {
            field(f)?;
            return write!(f, "{} is not {}", shown(got), friendly(expected));
        }
        if let Some(rest) = msg.strip_prefix("invalid value: ")
            && let Some((got, expected)) = rest.split_once(", expected ")
        {
            field(f)?;
            return write!(f, "{} is not {}", shown(got), friendly(expected));
        }
        if let Some(got) = between(msg, "unknown variant `", "`")
            && let Some((_, choices)) = msg.split_once("expected ")
        {
            field(f)?;
            return write!(f, "`{got}` is not {choices}");
        }
        field(f)?;
        f.write_str(msg)
    }
}

impl std::error::Error for FormError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// Reads card inputs into `T`.
pub(crate) fn read<T: serde::de::DeserializeOwned>(
    inputs: &serde_json::Value,
) -> Result<T, FormError> {
    serde_path_to_error::deserialize(inputs).map_err(|e| FormError {
        path: e.path().to_string(),
        source: e.into_inner(),
    })
}

fn between<'a>(s: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let rest = &s[s.find(start)? + start.len()..];
    Some(&rest[..rest.find(end)?])
}

/// serde's `string "abc"` as `` `abc` ``; other kinds as they are (`a map`, `null`).
fn shown(got: &str) -> String {
    match got
        .strip_prefix("string \"")
        .and_then(|g| g.strip_suffix('"'))
    {
        Some(text) => format!("`{text}`"),
        None => got.to_owned(),
    }
}

/// serde's expectation in the words the command replies use.
fn friendly(expected: &str) -> String {
    match expected {
        "u8" | "u16" | "u32" | "u64" | "u128" | "usize" => "a whole number of 0 or more".into(),
        "i8" | "i16" | "i32" | "i64" | "i128" | "isize" => "a whole number".into(),
        "f32" | "f64" => "a number".into(),
        "a boolean" => "`true` or `false`".into(),
        "a string" => "text".into(),
        other => other.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Order {
        title: String,
        count: u32,
        size: Size,
        urgent: bool,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(rename_all = "lowercase")]
    enum Size {
        Small,
        Large,
    }

    fn problem(v: serde_json::Value) -> String {
        read::<Order>(&v).unwrap_err().to_string()
    }

    #[test]
    fn form_problems_are_said_in_plain_words_with_their_field() {
        let ok = json!({"title": "t", "count": 2, "size": "small", "urgent": true});
        assert!(read::<Order>(&ok).is_ok());
        assert_eq!(
            problem(json!({"count": 2, "size": "small", "urgent": true})),
            "please fill in `title`"
        );
        assert_eq!(
            problem(json!({"title": "t", "count": "lots", "size": "small", "urgent": true})),
            "`count`: `lots` is not a whole number of 0 or more"
        );
        assert_eq!(
            problem(json!({"title": "t", "count": 2, "size": "huge", "urgent": true})),
            "`size`: `huge` is not `small` or `large`"
        );
        assert_eq!(
            problem(json!({"title": "t", "count": 2, "size": "small", "urgent": "yes"})),
            "`urgent`: `yes` is not `true` or `false`"
        );
        assert_eq!(
            problem(json!({"title": 5, "count": 2, "size": "small", "urgent": true})),
            "`title`: integer `5` is not text"
        );
    }
}
