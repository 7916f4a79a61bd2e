//! The emulator's rules, over HTTP, as a Webex client sees them.

use std::time::Duration;

use serde_json::{Value, json};
use webex_bot::Client;
use webex_bot::client::{ListMessages, ListRooms, RetryPolicy, Upload};
use webex_bot::emulator::{Account, Emulator, Fault};
use webex_bot::models::*;
use webex_bot::webhook::{Secret, verify};
use webex_bot_tests::fake::{Answer, FakeServer};

fn emu() -> Emulator {
    Emulator::builder()
        .bot("Ticket Bot", "ticket@webex.bot")
        .user("Alice Smith", "alice@example.com")
        .user("Bob", "bob@example.com")
        .failure_threshold(3)
        .start()
        .unwrap()
}

fn users(e: &Emulator) -> (Account, Account, Account) {
    let u = e.users();
    (e.bot().clone(), u[0].clone(), u[1].clone())
}

fn raw(
    e: &Emulator,
    token: Option<&str>,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value, Option<String>) {
    let agent = ureq::Agent::new_with_config(
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build(),
    );
    let url = format!("{}{path}", e.base_url());
    let mut req = ureq::http::Request::builder().method(method).uri(&url);
    if let Some(t) = token {
        req = req.header("Authorization", format!("Bearer {t}"));
    }
    let mut resp = match body {
        Some(b) => agent.run(
            req.header("Content-Type", "application/json")
                .body(serde_json::to_vec(&b).unwrap())
                .unwrap(),
        ),
        None => agent.run(req.body(()).unwrap()),
    }
    .unwrap();
    let tracking = resp
        .headers()
        .get("trackingid")
        .map(|v| v.to_str().unwrap().to_owned());
    let text = resp.body_mut().read_to_string().unwrap_or_default();
    (
        resp.status().as_u16(),
        serde_json::from_str(&text).unwrap_or(Value::Null),
        tracking,
    )
}

#[test]
fn auth_errors_and_tracking_ids() {
    let e = emu();
    let (status, body, tracking) = raw(&e, None, "GET", "/people/me", None);
    assert_eq!(status, 401);
    assert!(body["message"].as_str().unwrap().contains("access token"));
    assert_eq!(body["trackingId"].as_str(), tracking.as_deref());
    assert!(tracking.unwrap().starts_with("ROUTER_"));
    let (status, _, _) = raw(&e, Some("wrong"), "GET", "/people/me", None);
    assert_eq!(status, 401);
    let (status, body, tracking) = raw(&e, Some(&e.bot().token), "GET", "/people/me", None);
    assert_eq!(status, 200);
    assert_eq!(body["type"], "bot");
    assert!(tracking.is_some(), "every response has a TrackingID");
    let (status, body, _) = raw(&e, Some(&e.bot().token), "GET", "/nothing", None);
    assert_eq!(status, 404);
    assert!(body["errors"][0]["description"].is_string());
    let (status, _, _) = raw(&e, Some(&e.bot().token), "PATCH", "/rooms", None);
    assert_eq!(status, 405);
    let (status, _, _) = raw(&e, Some(&e.bot().token), "POST", "/rooms", Some(json!({})));
    assert_eq!(status, 400);
}

#[test]
fn visibility_and_bot_rules() {
    let e = emu();
    let (bot, alice, bob) = users(&e);
    let (b, a, o) = (e.client_for(&bot), e.client_for(&alice), e.client_for(&bob));
    let room = a.rooms().create(&NewRoom::new("Ops")).unwrap();
    assert_eq!(
        o.rooms().get(&room.id).unwrap_err().status(),
        Some(404),
        "non-members do not see a room"
    );
    assert_eq!(
        o.messages()
            .create(&NewMessage::to_room(&room.id).text("x"))
            .unwrap_err()
            .status(),
        Some(404)
    );
    a.memberships()
        .create(&NewMembership::by_id(&room.id, &bot.id))
        .unwrap();
    assert_eq!(
        a.memberships()
            .create(&NewMembership::by_id(&room.id, &bot.id))
            .unwrap_err()
            .status(),
        Some(409)
    );
    let plain = a
        .messages()
        .create(&NewMessage::to_room(&room.id).text("hello all"))
        .unwrap();
    let mention = a
        .messages()
        .create(
            &NewMessage::to_room(&room.id)
                .markdown(format!("<@personEmail:{}|Ticket> find 1", bot.email)),
        )
        .unwrap();
    assert_eq!(mention.mentioned_people, vec![bot.id.clone()]);
    assert_eq!(mention.text.as_deref(), Some("Ticket find 1"));
    assert!(mention.html.as_deref().unwrap().contains(&format!(
        r#"<spark-mention data-object-type="person" data-object-id="{}">Ticket</spark-mention>"#,
        bot.id
    )));
    // A bot lists a group room only with mentionedPeople=me, and sees only its mentions.
    let err = b
        .messages()
        .list(&ListMessages::in_room(&room.id))
        .next()
        .unwrap()
        .unwrap_err();
    assert_eq!(err.status(), Some(403));
    let seen: Vec<Message> = b
        .messages()
        .list(&ListMessages::in_room(&room.id).mentioned_people("me"))
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].id, mention.id);
    assert_eq!(b.messages().get(&plain.id).unwrap_err().status(), Some(404));
    assert_eq!(b.messages().get(&mention.id).unwrap().id, mention.id);
    // People see everything, newest first.
    let all: Vec<Message> = a
        .messages()
        .list(&ListMessages::in_room(&room.id))
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(all[0].id, mention.id);
    assert_eq!(all[1].id, plain.id);
    // <@all> fills mentionedGroups.
    let everyone = a
        .messages()
        .create(&NewMessage::to_room(&room.id).markdown("<@all> standup"))
        .unwrap();
    assert_eq!(everyone.mentioned_groups, ["all"]);
}

#[test]
fn message_limits_threads_edits_and_direct_rooms() {
    let e = emu();
    let (bot, alice, _) = users(&e);
    let a = e.client_for(&alice);
    let big = "x".repeat(7440);
    assert_eq!(
        a.messages()
            .create(&NewMessage::to_email(&bot.email).text(big))
            .unwrap_err()
            .status(),
        Some(400)
    );
    let ok = a
        .messages()
        .create(&NewMessage::to_email(&bot.email).text("x".repeat(7439)))
        .unwrap();
    assert_eq!(ok.room_type, Some(RoomType::Direct));
    let mut two = NewMessage::to_email(&bot.email)
        .file_url("https://x/a.png")
        .card(json!({"type": "AdaptiveCard"}));
    assert_eq!(
        a.messages().create(&two).unwrap_err().status(),
        Some(400),
        "one file or one card per message"
    );
    two.files.clear();
    assert!(a.messages().create(&two.text("card")).is_ok());
    assert_eq!(
        a.messages()
            .create(&NewMessage::to_email(&bot.email))
            .unwrap_err()
            .status(),
        Some(400),
        "empty message"
    );
    // Threads are one level deep.
    let parent = a
        .messages()
        .create(&NewMessage::to_email(&bot.email).text("parent"))
        .unwrap();
    let reply = a
        .messages()
        .reply(&parent, NewMessage::default().text("r1"))
        .unwrap();
    let nested = a
        .messages()
        .create(
            &NewMessage::to_room(parent.room_id.clone().unwrap())
                .parent(&reply.id)
                .text("r2"),
        )
        .unwrap();
    assert_eq!(nested.parent_id.as_deref(), Some(parent.id.as_str()));
    // Edits: ten at most, own messages only.
    let room = parent.room_id.clone().unwrap();
    for i in 0..10 {
        let m = a
            .messages()
            .update(&parent.id, &UpdateMessage::text(&room, format!("edit {i}")))
            .unwrap();
        assert!(m.updated.is_some());
    }
    assert_eq!(
        a.messages()
            .update(&parent.id, &UpdateMessage::text(&room, "11"))
            .unwrap_err()
            .status(),
        Some(400)
    );
    let b = e.client_for(&bot);
    assert_eq!(
        b.messages()
            .update(&reply.id, &UpdateMessage::text(&room, "nope"))
            .unwrap_err()
            .status(),
        Some(403)
    );
    // The direct room is reused, and titled with the other person's name.
    let again = a
        .messages()
        .create(&NewMessage::to_person(&bot.id).text("again"))
        .unwrap();
    assert_eq!(again.room_id, parent.room_id);
    assert_eq!(
        a.rooms().get(&room).unwrap().title.as_deref(),
        Some("Ticket Bot")
    );
    assert_eq!(
        b.rooms().get(&room).unwrap().title.as_deref(),
        Some("Alice Smith")
    );
}

#[test]
fn pagination_keeps_filters_across_pages() {
    let e = emu();
    let (_, alice, _) = users(&e);
    let a = e.client_for(&alice);
    for i in 0..7 {
        a.rooms()
            .create(&NewRoom::new(format!("room {i}")))
            .unwrap();
    }
    let mut pages = a
        .rooms()
        .list(&ListRooms::default().room_type(RoomType::Group).max(3u32));
    let rooms: Vec<Room> = pages.by_ref().collect::<Result<_, _>>().unwrap();
    assert_eq!(rooms.len(), 7);
    assert_eq!(pages.pages_fetched(), 3);
    // The raw next link carries every filter.
    let agent = ureq::Agent::new_with_config(
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build(),
    );
    let resp = agent
        .get(format!("{}/rooms?type=group&max=3", e.base_url()))
        .header("Authorization", format!("Bearer {}", alice.token))
        .call()
        .unwrap();
    let link = resp
        .headers()
        .get("link")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        link.contains("type=group") && link.contains("max=3") && link.ends_with("rel=\"next\""),
        "{link}"
    );
}

#[test]
fn files_upload_download_and_head() {
    let e = emu();
    let (bot, alice, bob) = users(&e);
    let a = e.client_for(&alice);
    let sent = a
        .messages()
        .create_with_file(
            &NewMessage::to_email(&bot.email).text("the log"),
            Upload::reader("build.log", &b"line 1\nline 2\n"[..]),
        )
        .unwrap();
    let url = &sent.files[0];
    let b = e.client_for(&bot);
    let info = b.files().info(url).unwrap();
    assert_eq!(info.name.as_deref(), Some("build.log"));
    assert_eq!(info.size, Some(14));
    let mut out = Vec::new();
    b.files().download(url, &mut out).unwrap();
    assert_eq!(out, b"line 1\nline 2\n");
    assert_eq!(
        e.client_for(&bob).files().info(url).unwrap_err().status(),
        Some(404),
        "only members can read a room's files"
    );
}

/// Collects the deliveries a fake bot endpoint receives.
fn receiver(status: u16) -> (FakeServer, String) {
    let server = FakeServer::start_with(move |_, _| Answer::json(status, json!({})));
    let url = format!("{}/hook", server.origin);
    (server, url)
}

#[test]
fn webhooks_are_delivered_signed_slim_and_filtered() {
    let e = emu();
    let (bot, alice, _) = users(&e);
    let (a, b) = (e.client_for(&alice), e.client_for(&bot));
    let (hook_server, url) = receiver(200);
    b.webhooks()
        .create(&NewWebhook::new("msgs", &url, "messages", "created").secret("s3cret"))
        .unwrap();
    b.webhooks()
        .create(&NewWebhook::new("all", &url, "all", "all"))
        .unwrap();
    b.webhooks()
        .create(
            &NewWebhook::new("direct only", &url, "messages", "created").filter("roomType=direct"),
        )
        .unwrap();
    let room = a.rooms().create(&NewRoom::new("Group")).unwrap();
    a.memberships()
        .create(&NewMembership::by_id(&room.id, &bot.id))
        .unwrap();
    a.messages()
        .create(&NewMessage::to_room(&room.id).text("not for the bot"))
        .unwrap();
    let card_msg = b
        .messages()
        .create(
            &NewMessage::to_room(&room.id)
                .text("card")
                .card(json!({"type": "AdaptiveCard"})),
        )
        .unwrap();
    a.attachment_actions()
        .create(&NewAttachmentAction::submit(
            &card_msg.id,
            json!({"x": "1"}),
        ))
        .unwrap();
    a.messages()
        .create(
            &NewMessage::to_room(&room.id).markdown(format!("<@personId:{}|Ticket> hi", bot.id)),
        )
        .unwrap();
    assert!(e.wait_until(Duration::from_secs(10), |e| e.pending_deliveries() == 0));
    let log = e.deliveries();
    let bodies: Vec<Value> = log
        .iter()
        .map(|d| serde_json::from_str(&d.body).unwrap())
        .collect();
    // Signed deliveries verify against the exact bytes; the payload is compact JSON.
    for d in log.iter().filter(|d| d.signature.is_some()) {
        verify(
            &Secret::new("s3cret"),
            d.body.as_bytes(),
            d.signature.as_deref(),
        )
        .unwrap();
        assert!(!d.body.contains(": ") && !d.body.contains(", "));
    }
    let msgs: Vec<&Value> = bodies
        .iter()
        .filter(|b| b["resource"] == "messages")
        .collect();
    assert!(
        msgs.iter()
            .all(|m| m["data"].get("text").is_none() && m["data"].get("html").is_none()),
        "no message text in deliveries"
    );
    // The bot's messages hook fires for its own card message and for its mention, not for
    // the unmentioned group message.
    let from_msgs_hook: Vec<&&Value> = msgs.iter().filter(|m| m["name"] == "msgs").collect();
    assert_eq!(from_msgs_hook.len(), 2, "{from_msgs_hook:#?}");
    assert!(
        !bodies.iter().any(|b| b["name"] == "direct only"),
        "the filter excludes group rooms"
    );
    assert!(
        !bodies.iter().any(|b| b["resource"] == "attachmentActions"),
        "the firehose has no attachment actions"
    );
    assert!(
        bodies
            .iter()
            .any(|b| b["name"] == "all" && b["resource"] == "memberships")
    );
    assert_eq!(hook_server.recorded().len(), log.len());
}

#[test]
fn failing_webhooks_turn_inactive_and_can_be_reactivated() {
    let e = emu();
    let (bot, alice, _) = users(&e);
    let (a, b) = (e.client_for(&alice), e.client_for(&bot));
    let (_server, url) = receiver(500);
    let hook = b
        .webhooks()
        .create(&NewWebhook::new("failing", &url, "messages", "created"))
        .unwrap();
    for i in 0..3 {
        a.messages()
            .create(&NewMessage::to_email(&bot.email).text(format!("m{i}")))
            .unwrap();
        assert!(e.wait_until(Duration::from_secs(10), |e| e.pending_deliveries() == 0));
    }
    assert_eq!(
        b.webhooks().get(&hook.id).unwrap().status,
        Some(WebhookStatus::Inactive)
    );
    a.messages()
        .create(&NewMessage::to_email(&bot.email).text("lost"))
        .unwrap();
    assert!(e.wait_until(Duration::from_secs(10), |e| e.pending_deliveries() == 0));
    assert_eq!(e.deliveries().len(), 3, "an inactive webhook gets nothing");
    let mut u = UpdateWebhook::new("failing", &url);
    u.status = Some(WebhookStatus::Active);
    assert_eq!(
        b.webhooks().update(&hook.id, &u).unwrap().status,
        Some(WebhookStatus::Active)
    );
}

#[test]
fn injected_faults() {
    let e = emu();
    let (bot, _, _) = users(&e);
    e.inject(Fault::rate_limit(2, 1).on("GET", "/people"));
    let c = e.client_for(&bot);
    let err = c.people().me().unwrap_err();
    assert_eq!(err.status(), Some(429));
    assert_eq!(
        err.api().unwrap().retry_after(),
        Some(Duration::from_secs(1))
    );
    let patient = Client::builder()
        .token(&bot.token)
        .base_url(e.base_url())
        .retry(RetryPolicy::default())
        .build()
        .unwrap();
    assert_eq!(
        patient.people().me().unwrap().id,
        bot.id,
        "retried after the second 429"
    );
    e.set_latency(Duration::from_millis(30));
    let started = std::time::Instant::now();
    c.people().me().unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(30),
        "latency is added to every call"
    );
    e.set_latency(Duration::ZERO);
    e.inject(Fault::server_error(1, 503));
    assert_eq!(c.people().me().unwrap_err().status(), Some(503));
    assert!(c.people().me().is_ok());
}

#[test]
fn a_third_party_style_client_works_for_rooms_messages_and_webhooks() {
    // Only plain HTTP and JSON, as any Webex SDK would send.
    let e = emu();
    let (_, alice, _) = users(&e);
    let t = Some(alice.token.as_str());
    let (s, room, _) = raw(&e, t, "POST", "/rooms", Some(json!({"title": "SDK room"})));
    assert_eq!(s, 200);
    let rid = room["id"].as_str().unwrap();
    for i in 0..3 {
        let (s, _, _) = raw(
            &e,
            t,
            "POST",
            "/messages",
            Some(json!({"roomId": rid, "markdown": format!("**{i}**")})),
        );
        assert_eq!(s, 200);
    }
    let (s, page, _) = raw(&e, t, "GET", &format!("/messages?roomId={rid}&max=2"), None);
    assert_eq!(s, 200);
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    assert_eq!(page["items"][0]["html"], "<p><strong>2</strong></p>");
    let (s, m, _) = raw(&e, t, "GET", &format!("/memberships?roomId={rid}"), None);
    assert_eq!((s, m["items"].as_array().unwrap().len()), (200, 1));
    let (s, w, _) = raw(
        &e,
        t,
        "POST",
        "/webhooks",
        Some(
            json!({"name": "n", "targetUrl": "http://127.0.0.1:1/", "resource": "rooms", "event": "created"}),
        ),
    );
    assert_eq!(s, 200);
    let (s, _, _) = raw(
        &e,
        t,
        "DELETE",
        &format!("/webhooks/{}", w["id"].as_str().unwrap()),
        None,
    );
    assert_eq!(s, 204);
}
