//! Query strings from the list-filter structs.

use serde::Serialize;

/// The pairs of a query string, from a struct that serializes to a flat JSON object.
/// `None` fields are left out; arrays become comma lists, as Webex expects.
pub(crate) fn pairs<T: Serialize>(filters: &T) -> Vec<(String, String)> {
    let value = serde_json::to_value(filters).expect("filters always serialize");
    let serde_json::Value::Object(map) = value else {
        return Vec::new();
    };
    map.into_iter()
        .filter_map(|(k, v)| {
            let v = match v {
                serde_json::Value::Null => return None,
                serde_json::Value::String(s) => s,
                serde_json::Value::Array(items) => items
                    .iter()
                    .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned))
                    .collect::<Vec<_>>()
                    .join(","),
                other => other.to_string(),
            };
            Some((k, v))
        })
        .collect()
}
