//! OAuth for integrations against the emulator: the whole flow, a wrong state, refreshing,
//! an expired access token, a revoked refresh token, a used code, a wrong secret.

use std::time::Duration;

use webex_bot::Client;
use webex_bot::Secret;
use webex_bot::client::RetryPolicy;
use webex_bot::emulator::Emulator;
use webex_bot::oauth::{Integration, OAuthError, Tokens};

const REDIRECT: &str = "http://127.0.0.1:9/callback";

// ANCHOR: setup
fn setup() -> (Emulator, Integration) {
    let emu = Emulator::builder()
        .user("Alice", "alice@example.com")
        .start()
        .unwrap();
    emu.add_integration("client-1", "secret-1", REDIRECT);
    let app =
        Integration::new("client-1", Secret::new("secret-1"), REDIRECT).base_url(emu.base_url());
    (emu, app)
}
// ANCHOR_END: setup

/// What the user's browser does: opens the URL (as Alice, who accepts), and is redirected.
/// Returns the redirect's `code` and `state`.
fn approve(emu: &Emulator, url: &str) -> (String, String) {
    let agent = ureq::Agent::new_with_config(
        ureq::Agent::config_builder()
            .max_redirects(0)
            .http_status_as_error(false)
            .build(),
    );
    let resp = agent
        .get(url)
        .header("Authorization", &format!("Bearer {}", emu.users()[0].token))
        .call()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 302);
    let location = resp.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(REDIRECT), "{location}");
    let query = location.split_once('?').unwrap().1;
    let mut code = String::new();
    let mut state = String::new();
    for (k, v) in form_urlencoded_parse(query) {
        match k.as_str() {
            "code" => code = v,
            "state" => state = v,
            _ => {}
        }
    }
    (code, state)
}

fn form_urlencoded_parse(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.replace('+', " ")))
        .collect()
}

fn client(emu: &Emulator, tokens: &Tokens) -> Client {
    Client::builder()
        .token(tokens.access_token.expose())
        .base_url(emu.base_url())
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
}

// ANCHOR: flow
#[test]
fn the_whole_flow_gives_tokens_that_act_for_the_user() {
    let (emu, app) = setup();
    let auth = app.authorization(&["spark:people_read", "spark:messages_write"]);
    let (code, state) = approve(&emu, auth.url());
    let tokens = app.exchange(&auth, &state, &code).unwrap();
    assert!(
        !tokens.expires_within(Duration::from_secs(13 * 24 * 3600)),
        "14 days"
    );
    let me = client(&emu, &tokens).people().me().unwrap();
    assert_eq!(me.display_name.as_deref(), Some("Alice"));
    // A code works once.
    let e = app.exchange(&auth, &state, &code).unwrap_err();
    assert!(
        matches!(&e, OAuthError::Refused { error, .. } if error == "invalid_grant"),
        "{e:?}"
    );
}
// ANCHOR_END: flow

#[test]
fn a_wrong_state_is_refused_before_the_code_is_used() {
    let (emu, app) = setup();
    let auth = app.authorization(&["spark:all"]);
    let other = app.authorization(&["spark:all"]);
    let (code, _) = approve(&emu, other.url());
    let e = app.exchange(&auth, "not-the-state", &code).unwrap_err();
    assert!(matches!(e, OAuthError::StateMismatch), "{e:?}");
    assert!(e.to_string().contains("state"));
    // The code was not spent: with its own request's state it still works.
    let (_, other_state) = {
        let url = other.url();
        let s = url.split("state=").nth(1).unwrap().to_owned();
        ((), s)
    };
    assert!(app.exchange(&other, &other_state, &code).is_ok());
}

#[test]
fn an_expired_access_token_is_refused_and_a_refresh_gives_a_working_one() {
    let (emu, app) = setup();
    emu.set_token_lifetimes(Duration::ZERO, Duration::from_secs(3600));
    let auth = app.authorization(&["spark:all"]);
    let (code, state) = approve(&emu, auth.url());
    let expired = app.exchange(&auth, &state, &code).unwrap();
    assert!(expired.expires_within(Duration::ZERO));
    assert_eq!(
        client(&emu, &expired).people().me().unwrap_err().status(),
        Some(401)
    );
    emu.set_token_lifetimes(Duration::from_secs(3600), Duration::from_secs(3600));
    let fresh = app.refresh(&expired.refresh_token).unwrap();
    assert_ne!(fresh.access_token, expired.access_token);
    assert!(client(&emu, &fresh).people().me().is_ok());
}

#[test]
fn a_revoked_refresh_token_and_a_wrong_secret_are_clear_errors() {
    let (emu, app) = setup();
    let auth = app.authorization(&["spark:all"]);
    let (code, state) = approve(&emu, auth.url());
    let tokens = app.exchange(&auth, &state, &code).unwrap();
    emu.revoke_refresh_token(tokens.refresh_token.expose());
    let e = app.refresh(&tokens.refresh_token).unwrap_err();
    assert!(
        matches!(&e, OAuthError::Refused { status: 400, error, .. } if error == "invalid_grant"),
        "{e:?}"
    );
    let text = e.to_string();
    assert!(
        text.contains("revoked") && text.contains("authorize the integration again"),
        "{text}"
    );
    assert!(!text.contains(tokens.refresh_token.expose()));
    let wrong = Integration::new("client-1", Secret::new("not-the-secret"), REDIRECT)
        .base_url(emu.base_url());
    let e = wrong.refresh(&tokens.refresh_token).unwrap_err();
    assert!(
        matches!(&e, OAuthError::Refused { status: 401, error, .. } if error == "invalid_client"),
        "{e:?}"
    );
}

// ANCHOR: refreshing
/// A client on an integration's tokens, counting the refreshes it hands back.
fn refreshing(
    emu: &Emulator,
    app: &Integration,
    tokens: Tokens,
) -> (Client, std::sync::Arc<std::sync::Mutex<Vec<Tokens>>>) {
    let kept = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let store = kept.clone();
    let client = Client::builder()
        .integration(app.clone(), tokens)
        .on_refresh(move |t| store.lock().unwrap().push(t.clone()))
        .base_url(emu.base_url())
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    (client, kept)
}
// ANCHOR_END: refreshing

fn authorized(emu: &Emulator, app: &Integration) -> Tokens {
    let auth = app.authorization(&["spark:all"]);
    let (code, state) = approve(emu, auth.url());
    app.exchange(&auth, &state, &code).unwrap()
}

#[test]
fn a_client_on_integration_tokens_refreshes_before_expiry_and_on_a_401() {
    let (emu, app) = setup();
    // Before expiry: the access token is already expired; the first call refreshes it.
    emu.set_token_lifetimes(Duration::ZERO, Duration::from_secs(3600));
    let expired = authorized(&emu, &app);
    emu.set_token_lifetimes(Duration::from_secs(3600), Duration::from_secs(3600));
    let (client, kept) = refreshing(&emu, &app, expired.clone());
    assert_eq!(
        client.people().me().unwrap().display_name.as_deref(),
        Some("Alice")
    );
    assert!(client.people().me().is_ok());
    let kept_now = kept.lock().unwrap().clone();
    assert_eq!(
        kept_now.len(),
        1,
        "refreshed once, handed to the application"
    );
    assert_ne!(kept_now[0].access_token, expired.access_token);
    // On a 401: tokens the client believes good, that Webex refuses.
    let good = authorized(&emu, &app);
    let believed = Tokens {
        access_token: Secret::new("refused-by-webex"),
        ..good
    };
    let (client, kept) = refreshing(&emu, &app, believed);
    assert!(client.people().me().is_ok());
    assert_eq!(kept.lock().unwrap().len(), 1);
}

#[test]
fn a_client_whose_refresh_token_was_revoked_fails_with_a_clear_error() {
    let (emu, app) = setup();
    emu.set_token_lifetimes(Duration::ZERO, Duration::from_secs(3600));
    let tokens = authorized(&emu, &app);
    emu.revoke_refresh_token(tokens.refresh_token.expose());
    let (client, kept) = refreshing(&emu, &app, tokens.clone());
    let e = client.people().me().unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains("revoked") && text.contains("authorize the integration again"),
        "{text}"
    );
    assert!(!text.contains(tokens.refresh_token.expose()));
    assert!(kept.lock().unwrap().is_empty());
}

/// The browser's part of the loopback flow: GET `url` with no redirects followed, as
/// `bearer` when given. Returns the status, the `Location` header and the body.
fn browse(url: &str, bearer: Option<&str>) -> (u16, Option<String>, String) {
    let agent = ureq::Agent::new_with_config(
        ureq::Agent::config_builder()
            .max_redirects(0)
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .build(),
    );
    let mut req = agent.get(url);
    if let Some(token) = bearer {
        req = req.header("Authorization", &format!("Bearer {token}"));
    }
    let mut resp = req.call().unwrap();
    let location = resp
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned());
    let body = resp.body_mut().read_to_string().unwrap_or_default();
    (resp.status().as_u16(), location, body)
}

/// A loopback authorization running on its own thread: the integration registered with
/// the listener's port, the URL it shows, and the thread's result.
struct Loopback {
    emu: Emulator,
    url: String,
    redirect: String,
    done: std::thread::JoinHandle<Result<Tokens, OAuthError>>,
}

fn loopback(wait: Duration) -> Loopback {
    let emu = Emulator::builder()
        .user("Alice", "alice@example.com")
        .start()
        .unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let redirect = format!("http://{}/callback", listener.local_addr().unwrap());
    emu.add_integration("cli-app", "cli-secret", &redirect);
    let app =
        Integration::new("cli-app", Secret::new("cli-secret"), &redirect).base_url(emu.base_url());
    let (shown, url) = crossbeam_channel::bounded(1);
    let done = std::thread::spawn(move || {
        app.authorize_with_listener(listener, &["spark:people_read"], wait, |url| {
            shown.send(url.to_owned()).unwrap()
        })
    });
    let url = url.recv_timeout(Duration::from_secs(30)).unwrap();
    Loopback {
        emu,
        url,
        redirect,
        done,
    }
}

// ANCHOR: loopback
#[test]
fn a_command_line_program_takes_the_redirect_on_a_loopback_listener() {
    let flow = loopback(Duration::from_secs(60));
    // The user opens the URL and approves; Webex sends the browser to the listener.
    let alice = flow.emu.users()[0].token.clone();
    let (status, location, _) = browse(&flow.url, Some(&alice));
    assert_eq!(status, 302);
    let location = location.unwrap();
    assert!(location.starts_with(&flow.redirect), "{location}");
    // A browser asks for a favicon too: answered 404, the listener goes on waiting.
    let favicon = flow.redirect.replace("/callback", "/favicon.ico");
    assert_eq!(browse(&favicon, None).0, 404);
    let (status, _, page) = browse(&location, None);
    assert_eq!(status, 200);
    assert!(page.contains("close this tab"), "{page}");
    let tokens = flow.done.join().unwrap().unwrap();
    let me = client(&flow.emu, &tokens).people().me().unwrap();
    assert_eq!(me.display_name.as_deref(), Some("Alice"));
}
// ANCHOR_END: loopback

#[test]
fn the_loopback_listener_refuses_a_wrong_state_a_refusal_and_silence() {
    // A redirect whose state is not the one sent: refused, in the browser too.
    let flow = loopback(Duration::from_secs(60));
    let (status, page) = {
        let (s, _, p) = browse(&format!("{}?code=abc&state=forged", flow.redirect), None);
        (s, p)
    };
    assert_eq!(status, 400);
    assert!(page.contains("state"), "{page}");
    let e = flow.done.join().unwrap().unwrap_err();
    assert!(matches!(e, OAuthError::StateMismatch), "{e:?}");

    // The user declined: Webex redirects with an error.
    let flow = loopback(Duration::from_secs(60));
    let state = flow.url.split("state=").nth(1).unwrap().to_owned();
    let declined = format!(
        "{}?error=access_denied&error_description=The+user+declined&state={state}",
        flow.redirect
    );
    assert_eq!(browse(&declined, None).0, 200);
    let e = flow.done.join().unwrap().unwrap_err();
    assert!(
        matches!(&e, OAuthError::Denied { error, .. } if error == "access_denied"),
        "{e:?}"
    );
    assert!(e.to_string().contains("The user declined"), "{e}");

    // Nobody comes back: the wait ends with a clear error.
    let flow = loopback(Duration::from_millis(300));
    let e = flow.done.join().unwrap().unwrap_err();
    assert!(matches!(e, OAuthError::Timeout), "{e:?}");
    assert!(e.to_string().contains("in time"), "{e}");
}

#[test]
fn a_redirect_uri_off_this_machine_cannot_take_the_redirect() {
    let app = Integration::new("c", Secret::new("s"), "https://app.example/callback");
    let e = app
        .authorize_on_loopback(&["spark:all"], Duration::from_secs(1), |_| {
            panic!("no URL is shown for a flow that cannot finish")
        })
        .unwrap_err();
    assert!(matches!(e, OAuthError::Redirect(_)), "{e:?}");
    assert!(
        e.to_string().contains("https://app.example/callback"),
        "{e}"
    );
}
