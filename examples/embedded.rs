//! A bot mounted on another web server's route: the application serves its own pages with
//! tiny_http and hands `POST /webex` to the bot's [`WebhookHandler`], which verifies the
//! signature, drops duplicates, queues the event and answers; the bot's workers fetch the
//! message, dispatch it and reply, as with the built-in listener.
//!
//! With `WEBEX_ACCESS_TOKEN` set it serves on `WEBEX_LISTEN` (default `0.0.0.0:8080`) and,
//! with `WEBEX_PUBLIC_URL` set to where Webex reaches `/webex`, registers its webhooks
//! there. Without a token it rehearses offline: an embedded emulator delivers one message
//! to the route and the reply is printed.
//!
//! `cargo run -p webex-bot-examples --bin embedded`

use std::io::Read;
use std::sync::Arc;
use std::thread::JoinHandle;

use webex_bot::{Bot, BotBuilder, WebhookHandler, command, commands};

// ANCHOR: bot
/// Repeat the text back.
#[command("echo <text...>")]
fn echo(text: String) -> String {
    text
}

/// The bot, without a listener of its own.
fn bot() -> BotBuilder {
    Bot::builder(commands![echo])
}
// ANCHOR_END: bot

// ANCHOR: mount
/// The application's server: its own route, and the bot's on `POST /webex`. Runs until
/// the server is unblocked.
fn serve(server: Arc<tiny_http::Server>, bot: WebhookHandler) -> JoinHandle<()> {
    std::thread::spawn(move || {
        for mut request in server.incoming_requests() {
            let response = match (request.method(), request.url()) {
                (tiny_http::Method::Post, "/webex") => {
                    let signature = request
                        .headers()
                        .iter()
                        .find(|h| h.field.equiv("X-Spark-Signature"))
                        .map(|h| h.value.as_str().to_owned());
                    let mut body = Vec::new();
                    if request
                        .as_reader()
                        .take(1 << 20)
                        .read_to_end(&mut body)
                        .is_err()
                    {
                        let _ = request.respond(tiny_http::Response::empty(400));
                        continue;
                    }
                    let answer = bot.handle(&body, signature.as_deref());
                    let kind = if answer.is_json() {
                        "application/json"
                    } else {
                        "text/plain"
                    };
                    tiny_http::Response::from_string(answer.body())
                        .with_status_code(answer.status())
                        .with_header(
                            tiny_http::Header::from_bytes("Content-Type", kind).expect("ascii"),
                        )
                }
                (tiny_http::Method::Get, "/") => {
                    tiny_http::Response::from_string("the application's own page")
                }
                _ => tiny_http::Response::from_string("not found").with_status_code(404),
            };
            let _ = request.respond(response);
        }
    })
}
// ANCHOR_END: mount

fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    webex_bot::logging::init();
    if std::env::var("WEBEX_ACCESS_TOKEN").is_ok_and(|t| !t.trim().is_empty()) {
        let listen = std::env::var("WEBEX_LISTEN").unwrap_or_else(|_| "0.0.0.0:8080".into());
        let handler = bot().env()?.build()?.start_handler()?;
        let server = Arc::new(tiny_http::Server::http(&listen)?);
        println!("serving on http://{listen}, the bot on POST /webex");
        serve(server, handler.clone()).join().ok();
        handler.shutdown();
        return Ok(());
    }
    let reply = rehearse("Hello from the other server")?;
    println!("bot> {reply}");
    Ok(())
}

/// Offline: an emulator, the application's server on a free port, the bot's webhook at
/// its `/webex` route, one message from a user; returns the bot's reply.
fn rehearse(text: &str) -> Result<String, Box<dyn std::error::Error + Send + Sync>> {
    use webex_bot::client::ListMessages;
    use webex_bot::emulator::Emulator;
    use webex_bot::models::NewMessage;
    use webex_bot::{BotIdentity, Client};

    let emulator = Emulator::builder()
        .bot("Echo Bot", "echo@webex.bot")
        .user("Alice", "alice@example.com")
        .start()?;
    let server = Arc::new(tiny_http::Server::http("127.0.0.1:0")?);
    let addr = server.server_addr().to_ip().ok_or("not an IP listener")?;
    let account = emulator.bot().clone();
    let handler = bot()
        .client(
            Client::builder()
                .token(&account.token)
                .base_url(emulator.base_url())
                .build()?,
        )
        .identity(BotIdentity::new(&account.id, &account.name))
        .public_url(format!("http://{addr}/webex"))
        .remove_webhooks_on_shutdown(true)
        .build()?
        .start_handler()?;
    let app = serve(server.clone(), handler.clone());

    let alice = emulator.users().into_iter().next().ok_or("no user")?;
    let alice = emulator.client_for(&alice);
    let sent = alice
        .messages()
        .create(&NewMessage::to_email(&account.email).text(format!("echo {text}")))?;
    let room = sent.room_id.clone().unwrap_or_default();
    // The reply is the bot's message after ours; wait for it, at most 10 s.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let reply = loop {
        let found = alice
            .messages()
            .list(&ListMessages::in_room(&room))
            .filter_map(Result::ok)
            .find(|m| m.person_id.as_deref() == Some(account.id.as_str()));
        if let Some(m) = found {
            break m.text.unwrap_or_default();
        }
        if std::time::Instant::now() > deadline {
            return Err("no reply within 10 s".into());
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    handler.shutdown();
    server.unblock();
    app.join().ok();
    Ok(reply)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_message_delivered_to_the_other_servers_route_is_answered() {
        assert_eq!(
            super::rehearse("through tiny_http").unwrap(),
            "through tiny_http"
        );
    }
}
