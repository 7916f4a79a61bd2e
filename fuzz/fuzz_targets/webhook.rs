//! Webhook decoding: any body, signed right or wrong. Checked: no panic; a body signed with
//! the secret is never refused for its signature; a wrong, malformed or missing signature is
//! always refused; what parses without a secret parses the same with a good signature.
#![no_main]

use libfuzzer_sys::fuzz_target;
use webex_bot::webhook::{Notification, Secret, WebhookError, sign};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, body)) = data.split_first() else {
        return;
    };
    let secret = Secret::new("fuzz-secret");
    let good = sign(&secret, body);
    let unsigned = Notification::parse_verified(body, None, None);
    let signed = Notification::parse_verified(body, Some(&good), Some(&secret));
    assert!(!matches!(signed, Err(WebhookError::Signature(_))));
    assert_eq!(unsigned.is_ok(), signed.is_ok());
    if let Ok(n) = &signed {
        // Every kind of event is read without a panic.
        let _ = n.kind();
    }
    let wrong = match mode % 4 {
        0 => sign(&Secret::new("another"), body),
        1 => good.replace(|c: char| c.is_ascii_digit(), "g"),
        2 => String::from_utf8_lossy(&body[..body.len().min(40)]).into_owned(),
        _ => String::new(),
    };
    if wrong != good && !wrong.eq_ignore_ascii_case(&good) {
        let refused = Notification::parse_verified(body, Some(&wrong), Some(&secret));
        assert!(matches!(refused, Err(WebhookError::Signature(_))));
    }
});
