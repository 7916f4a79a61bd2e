//! Authorizes an integration from a terminal: prints the address to open, takes the
//! browser's redirect on 127.0.0.1, and says whose tokens it got.
//!
//! With `WEBEX_CLIENT_ID` and `WEBEX_CLIENT_SECRET` it uses Webex, with the redirect URI
//! `WEBEX_REDIRECT_URI` (default `http://127.0.0.1:8765/callback`, registered for the
//! integration on the developer portal) and the scopes `WEBEX_SCOPES` (default
//! `spark:people_read`); `OAUTH_TOKEN_FILE` saves the access token (mode 0600) for
//! `WEBEX_ACCESS_TOKEN_FILE`. Without them it runs against an embedded emulator, and a
//! thread plays the user's browser.

use std::net::TcpListener;
use std::process::ExitCode;
use std::time::Duration;

use webex_bot::emulator::Emulator;
use webex_bot::oauth::{Integration, Tokens};
use webex_bot::{Client, Secret};

type Error = Box<dyn std::error::Error>;

fn env(k: &str) -> Option<String> {
    std::env::var(k).ok().filter(|v| !v.trim().is_empty())
}

// ANCHOR: login
/// Runs the authorization on `listener` (bound to the redirect URI's address) and returns
/// the tokens; the URL to open goes to `show`.
fn login(
    app: &Integration,
    listener: TcpListener,
    scopes: &[&str],
    show: impl FnOnce(&str),
) -> Result<Tokens, Error> {
    let tokens = app.authorize_with_listener(listener, scopes, Duration::from_secs(300), show)?;
    Ok(tokens)
}
// ANCHOR_END: login

/// Says whose tokens they are, and saves the access token when asked.
fn report(base_url: &str, tokens: &Tokens) -> Result<(), Error> {
    let me = Client::builder()
        .token(tokens.access_token.expose())
        .base_url(base_url)
        .build()?
        .people()
        .me()?;
    let left = tokens
        .expires_at
        .duration_since(std::time::SystemTime::now())
        .unwrap_or_default();
    println!(
        "authorized as {} <{}>; the access token works for {} more days",
        me.display_name.unwrap_or_default(),
        me.emails.first().cloned().unwrap_or_default(),
        (left.as_secs() + 43_200) / 86_400
    );
    if let Some(path) = env("OAUTH_TOKEN_FILE") {
        let mut bytes = tokens.access_token.expose().as_bytes().to_vec();
        bytes.push(b'\n');
        webex_bot::tokens::write_token_file(path.as_ref(), &bytes)?;
        println!("the access token is in {path} (readable by you only)");
    }
    Ok(())
}

/// Against Webex: the integration from the environment, the URL printed for the user.
fn on_webex(client_id: String, secret: String) -> Result<(), Error> {
    let redirect =
        env("WEBEX_REDIRECT_URI").unwrap_or_else(|| "http://127.0.0.1:8765/callback".into());
    let base_url = env("WEBEX_BASE_URL").unwrap_or_else(|| "https://webexapis.com/v1".into());
    let scopes = env("WEBEX_SCOPES").unwrap_or_else(|| "spark:people_read".into());
    let scopes: Vec<&str> = scopes.split_whitespace().collect();
    let app = Integration::new(client_id, Secret::new(secret), &redirect).base_url(&base_url);
    let addr = redirect
        .strip_prefix("http://")
        .and_then(|r| r.split('/').next())
        .ok_or("WEBEX_REDIRECT_URI must be http://127.0.0.1:PORT/...")?
        .replace("localhost", "127.0.0.1");
    let listener = TcpListener::bind(&addr)?;
    let tokens = login(&app, listener, &scopes, |url| {
        eprintln!("Open this address in your browser, and accept:\n  {url}");
    })?;
    report(&base_url, &tokens)
}

/// Offline: an emulator, an integration registered in it, and a thread that opens the URL
/// as the user Alice (who accepts) and follows the redirect to the listener.
fn offline() -> Result<(), Error> {
    let emu = Emulator::builder()
        .user("Alice", "alice@example.com")
        .start()?;
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let redirect = format!("http://{}/callback", listener.local_addr()?);
    emu.add_integration("example-app", "example-secret", &redirect);
    let app = Integration::new("example-app", Secret::new("example-secret"), &redirect)
        .base_url(emu.base_url());
    let alice = emu.users()[0].token.clone();
    let browser = move |url: &str| {
        println!(
            "(offline: a browser opens {} as Alice)",
            url.split('?').next().unwrap_or(url)
        );
        let url = url.to_owned();
        std::thread::spawn(move || {
            let agent = ureq::Agent::new_with_config(
                ureq::Agent::config_builder()
                    .max_redirects(0)
                    .http_status_as_error(false)
                    .build(),
            );
            let back = agent
                .get(&url)
                .header("Authorization", &format!("Bearer {alice}"))
                .call()
                .ok()
                .and_then(|r| {
                    r.headers()
                        .get("location")?
                        .to_str()
                        .ok()
                        .map(str::to_owned)
                });
            if let Some(location) = back {
                let _ = agent.get(&location).call();
            }
        });
    };
    let tokens = login(&app, listener, &["spark:people_read"], browser)?;
    report(emu.base_url(), &tokens)
}

fn main() -> ExitCode {
    let result = match (env("WEBEX_CLIENT_ID"), env("WEBEX_CLIENT_SECRET")) {
        (Some(id), Some(secret)) => on_webex(id, secret),
        (None, None) => offline(),
        _ => Err("set both WEBEX_CLIENT_ID and WEBEX_CLIENT_SECRET, or neither".into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("oauth_login: {e}");
            ExitCode::FAILURE
        }
    }
}
