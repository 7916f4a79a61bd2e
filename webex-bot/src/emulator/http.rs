//! The emulator's HTTP side: authentication, faults, pagination, tracking ids, and turning
//! requests into calls on the [`World`].

use std::sync::Arc;
use std::sync::atomic::Ordering;

use crate::server::{Request, Response};
use serde_json::json;

use super::Inner;
use super::fault::Injected;
use super::world::devices::Service;
use super::world::{Answer, Rejection, Req, err};

fn tracking_id() -> String {
    let r = crate::util::random_hex(16);
    format!(
        "ROUTER_{}-{}-{}-{}-{}",
        &r[..8],
        &r[8..12],
        &r[12..16],
        &r[16..20],
        &r[20..]
    )
}

/// The largest request body the emulator reads (uploads of up to 100 MB, like Webex).
pub(crate) const MAX_BODY: usize = 110 * 1024 * 1024;

pub(crate) fn serve(inner: &Arc<Inner>, request: Request) -> Response {
    let tracking = tracking_id();
    let method = request.method().to_owned();
    let path = request.path().to_owned();
    let query = request.query().unwrap_or("");
    let Some((service, rest)) = Service::split(&path) else {
        return send_error(
            &tracking,
            err(404, "The requested resource could not be found."),
            None,
        );
    };
    // Ids are taken in any base64 form clients write (padded or not, URL-safe or not).
    let segments: Vec<String> = rest
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| crate::util::percent_decode(s).unwrap_or_default())
        .map(|s| crate::models::RestId::canonical(&s))
        .collect();
    let query: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let get = |name: &str| request.header(name).map(str::to_owned);
    let auth = get("Authorization");
    let content_type = get("Content-Type").unwrap_or_default();

    // Faults apply before anything else, as an overloaded Webex would answer.
    let latency = inner.faults.lock().expect("faults").latency;
    if !latency.is_zero() {
        std::thread::sleep(latency);
    }
    let injected = inner.faults.lock().expect("faults").take_api_fault(
        &method,
        rest,
        auth.as_deref()
            .and_then(|a| a.strip_prefix("Bearer "))
            .map(str::trim),
    );
    match injected {
        Some(Injected::Error(f)) => {
            let retry = f.retry_after.map(|s| s.to_string());
            return send_error(&tracking, err(f.status, f.message), retry.as_deref());
        }
        Some(Injected::Reset) => return Response::reset(),
        Some(Injected::Slow(delay)) => std::thread::sleep(delay),
        None => {}
    }

    // The token endpoint authenticates the client by its id and secret, not a bearer.
    if service == Service::Rest && rest == "/access_token" && method == "POST" {
        let body = request.into_body();
        let form: serde_json::Map<String, serde_json::Value> = form_urlencoded::parse(&body)
            .map(|(k, v)| (k.into_owned(), json!(v)))
            .collect();
        let answer = inner
            .world
            .lock()
            .expect("world")
            .access_token(&serde_json::Value::Object(form));
        inner.touch();
        return match answer {
            Ok(Answer::Json(v)) => send_json(&tracking, 200, &v, None),
            Ok(_) => Response::new(500),
            Err(e) => send_error(&tracking, e, None),
        };
    }
    let caller = {
        let token = auth
            .as_deref()
            .and_then(|a| a.strip_prefix("Bearer "))
            .map(str::trim);
        let world = inner.world.lock().expect("world");
        token.and_then(|t| world.caller_of(t))
    };
    let Some(caller) = caller else {
        return send_error(
            &tracking,
            err(
                401,
                "The request requires a valid access token set in the Authorization request header.",
            ),
            None,
        );
    };

    let body = request.into_body();
    let (json, form) = if body.is_empty() {
        (None, None)
    } else if content_type.starts_with("multipart/form-data") {
        match super::multipart::parse(&content_type, &body) {
            Ok(f) => (None, Some(f)),
            Err(e) => return send_error(&tracking, err(400, e), None),
        }
    } else if content_type.starts_with("application/json") || content_type.is_empty() {
        match serde_json::from_slice(&body) {
            Ok(v) => (Some(v), None),
            Err(e) => {
                return send_error(
                    &tracking,
                    err(400, format!("Malformed JSON body: {e}")),
                    None,
                );
            }
        }
    } else if content_type.starts_with("application/x-www-form-urlencoded") {
        let map: serde_json::Map<String, serde_json::Value> = form_urlencoded::parse(&body)
            .map(|(k, v)| (k.into_owned(), json!(v)))
            .collect();
        (Some(serde_json::Value::Object(map)), None)
    } else {
        return send_error(
            &tracking,
            err(415, format!("Unsupported Content-Type: {content_type}")),
            None,
        );
    };
    let req = Req {
        method: method.clone(),
        segments,
        query,
        json,
        form,
    };

    let answer = {
        let mut world = inner.world.lock().expect("world");
        let a = world.handle_service(service, &caller, &req);
        let (deliveries, activities) = world.take_deliveries();
        // Counted as in flight before the change is visible: whoever sees the new
        // message also sees its deliveries pending.
        for d in deliveries {
            inner.deliver(d);
        }
        inner.mercury.publish(activities);
        drop(world);
        inner.changed.notify_all();
        inner.version.fetch_add(1, Ordering::SeqCst);
        a
    };
    match answer {
        Err(e) => send_error(&tracking, e, None),
        Ok(Answer::Empty) => Response::new(204).with_header("TrackingID", tracking),
        Ok(Answer::Redirect(location)) => Response::new(302)
            .with_header("Location", location)
            .with_header("TrackingID", tracking),
        Ok(Answer::Json(v)) => send_json(&tracking, 200, &v, None),
        Ok(Answer::Page { items, max }) => {
            let offset = req.q("cursor").and_then(decode_cursor).unwrap_or(0);
            let end = (offset + max).min(items.len());
            let page: Vec<_> = items
                .get(offset..end)
                .map(<[_]>::to_vec)
                .unwrap_or_default();
            let link = (end < items.len()).then(|| {
                let mut q: Vec<(String, String)> = req
                    .query
                    .iter()
                    .filter(|(k, _)| k != "cursor" && k != "max")
                    .cloned()
                    .collect();
                q.push(("max".into(), max.to_string()));
                q.push(("cursor".into(), encode_cursor(end)));
                let qs: String = form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(q)
                    .finish();
                format!("<{}{}?{}>; rel=\"next\"", inner.origin, path, qs)
            });
            send_json(&tracking, 200, &json!({ "items": page }), link.as_deref())
        }
        Ok(Answer::Content {
            bytes,
            content_type,
            name,
        }) => Response::new(200)
            .with_body(bytes)
            .with_header("TrackingID", tracking)
            .with_header("Content-Type", content_type)
            .with_header(
                "Content-Disposition",
                format!("attachment; filename=\"{}\"", name.replace('"', "%22")),
            ),
    }
}

fn encode_cursor(offset: usize) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("offset:{offset}"))
}

fn decode_cursor(c: &str) -> Option<usize> {
    use base64::Engine;
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(c)
        .ok()?;
    String::from_utf8(raw)
        .ok()?
        .strip_prefix("offset:")?
        .parse()
        .ok()
}

fn send_json(tracking: &str, status: u16, v: &serde_json::Value, link: Option<&str>) -> Response {
    let body = serde_json::to_vec(v).expect("json");
    let resp = Response::new(status)
        .with_body(body)
        .with_header("Content-Type", "application/json;charset=UTF-8")
        .with_header("TrackingID", tracking);
    match link {
        Some(l) => resp.with_header("Link", l),
        None => resp,
    }
}

fn send_error(tracking: &str, e: Rejection, retry_after: Option<&str>) -> Response {
    let mut body = json!({
        "message": e.message,
        "errors": [{ "description": e.message }],
        "trackingId": tracking,
    });
    // OAuth's own error fields, for the token endpoint's answers (`error: description`).
    if let Some((error, description)) = e.message.split_once(": ")
        && !error.contains(' ')
        && error.chars().all(|c| c.is_ascii_lowercase() || c == '_')
    {
        body["error"] = json!(error);
        body["error_description"] = json!(description);
    }
    let bytes = serde_json::to_vec(&body).expect("json");
    let resp = Response::new(e.status)
        .with_body(bytes)
        .with_header("Content-Type", "application/json;charset=UTF-8")
        .with_header("TrackingID", tracking);
    match retry_after {
        Some(r) => resp.with_header("Retry-After", r),
        None => resp,
    }
}
