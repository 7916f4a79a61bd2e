//! The REST client against a scripted server on 127.0.0.1: what each operation sends, that
//! Webex's documented response examples parse, pagination, retries, errors, files.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use webex_bot::Client;
use webex_bot::client::{
    Error, ListDirectMessages, ListEvents, ListLicenses, ListMemberships, ListMessages, ListPeople,
    ListRooms, ListTeamMemberships, ListWebhooks, PersonOptions, RetryPolicy, Upload,
};
use webex_bot::models::*;
use webex_bot_tests::fake::{Answer, FakeServer, Recorded};

const EXAMPLES: &str = include_str!("../data/openapi-response-examples.json");

fn example(key: &str) -> Value {
    let all: Value = serde_json::from_str(EXAMPLES).unwrap();
    all.get(key)
        .cloned()
        .unwrap_or_else(|| panic!("no example {key}"))
}

fn client(origin: &str) -> Client {
    Client::builder()
        .token("T0KEN")
        .base_url(format!("{origin}/v1"))
        .retry(RetryPolicy::default().backoff_base(Duration::from_millis(10)))
        .build()
        .unwrap()
}

type Call = Box<dyn Fn(&Client) -> Result<(), Error>>;

struct Case {
    example: &'static str,
    method: &'static str,
    path: &'static str,
    query: &'static [(&'static str, &'static str)],
    body: Option<Value>,
    call: Call,
}

fn case(
    example: &'static str,
    path: &'static str,
    query: &'static [(&'static str, &'static str)],
    body: Option<Value>,
    call: Call,
) -> Case {
    let method = example.split(' ').next().unwrap();
    Case {
        example,
        method,
        path,
        query,
        body,
        call,
    }
}

fn first<T>(mut pages: webex_bot::client::Pages<'_, T>) -> Result<(), Error>
where
    T: serde::de::DeserializeOwned,
{
    pages.next().transpose().map(|_| ())
}

#[test]
fn every_operation_sends_the_right_request_and_parses_webex_examples() {
    let cases: Vec<Case> = vec![
        case(
            "GET /people#0",
            "/v1/people",
            &[("email", "a@example.com"), ("max", "5")],
            None,
            Box::new(|c| {
                first(
                    c.people()
                        .list(&ListPeople::default().email("a@example.com").max(5u32)),
                )
            }),
        ),
        case(
            "GET /people/me#0",
            "/v1/people/me",
            &[],
            None,
            Box::new(|c| c.people().me().map(drop)),
        ),
        case(
            "GET /people/{personId}#0",
            "/v1/people/p%2F1",
            &[],
            None,
            Box::new(|c| c.people().get("p/1").map(drop)),
        ),
        case(
            "POST /people#0",
            "/v1/people",
            &[],
            Some(json!({"emails": ["n@example.com"], "displayName": "N"})),
            Box::new(|c| {
                let mut p = Person::default();
                p.emails = vec!["n@example.com".into()];
                p.display_name = Some("N".into());
                c.people().create(&p).map(drop)
            }),
        ),
        case(
            "PUT /people/{personId}#0",
            "/v1/people/p1",
            &[],
            Some(json!({"id": "p1", "displayName": "New"})),
            Box::new(|c| {
                let mut p = Person::default();
                p.id = "p1".into();
                p.display_name = Some("New".into());
                c.people().update("p1", &p).map(drop)
            }),
        ),
        case(
            "GET /rooms#0",
            "/v1/rooms",
            &[("type", "group"), ("sortBy", "lastactivity")],
            None,
            Box::new(|c| {
                first(
                    c.rooms().list(
                        &ListRooms::default()
                            .room_type(RoomType::Group)
                            .sort_by("lastactivity"),
                    ),
                )
            }),
        ),
        case(
            "POST /rooms#0",
            "/v1/rooms",
            &[],
            Some(json!({"title": "Ops"})),
            Box::new(|c| c.rooms().create(&NewRoom::new("Ops")).map(drop)),
        ),
        case(
            "GET /rooms/{roomId}#0",
            "/v1/rooms/r1",
            &[],
            None,
            Box::new(|c| c.rooms().get("r1").map(drop)),
        ),
        case(
            "PUT /rooms/{roomId}#0",
            "/v1/rooms/r1",
            &[],
            Some(json!({"title": "Renamed"})),
            Box::new(|c| {
                c.rooms()
                    .update("r1", &UpdateRoom::new("Renamed"))
                    .map(drop)
            }),
        ),
        case(
            "GET /rooms/{roomId}/meetingInfo#0",
            "/v1/rooms/r1/meetingInfo",
            &[],
            None,
            Box::new(|c| c.rooms().meeting_info("r1").map(drop)),
        ),
        case(
            "GET /memberships#0",
            "/v1/memberships",
            &[("roomId", "r1"), ("personEmail", "a@b.c")],
            None,
            Box::new(|c| {
                first(
                    c.memberships().list(
                        &ListMemberships::default()
                            .room_id("r1")
                            .person_email("a@b.c"),
                    ),
                )
            }),
        ),
        case(
            "POST /memberships#0",
            "/v1/memberships",
            &[],
            Some(json!({"roomId": "r1", "personId": "p1", "isModerator": true})),
            Box::new(|c| {
                c.memberships()
                    .create(&NewMembership::by_id("r1", "p1").moderator(true))
                    .map(drop)
            }),
        ),
        case(
            "GET /memberships/{membershipId}#0",
            "/v1/memberships/m1",
            &[],
            None,
            Box::new(|c| c.memberships().get("m1").map(drop)),
        ),
        case(
            "PUT /memberships/{membershipId}#0",
            "/v1/memberships/m1",
            &[],
            Some(json!({"isModerator": false, "isRoomHidden": true})),
            Box::new(|c| {
                c.memberships()
                    .update(
                        "m1",
                        &UpdateMembership {
                            is_moderator: false,
                            is_room_hidden: true,
                        },
                    )
                    .map(drop)
            }),
        ),
        case(
            "GET /messages#0",
            "/v1/messages",
            &[
                ("roomId", "r1"),
                ("mentionedPeople", "me"),
                ("before", "2026-01-01T00:00:00.000Z"),
                ("beforeMessage", "m0"),
                ("parentId", "m9"),
                ("max", "20"),
            ],
            None,
            Box::new(|c| {
                first(
                    c.messages().list(
                        &ListMessages::in_room("r1")
                            .mentioned_people("me")
                            .before("2026-01-01T00:00:00.000Z")
                            .before_message("m0")
                            .parent_id("m9")
                            .max(20u32),
                    ),
                )
            }),
        ),
        case(
            "GET /messages/direct#0",
            "/v1/messages/direct",
            &[("personEmail", "a@b.c")],
            None,
            Box::new(|c| {
                first(
                    c.messages()
                        .list_direct(&ListDirectMessages::default().person_email("a@b.c")),
                )
            }),
        ),
        case(
            "POST /messages#0",
            "/v1/messages",
            &[],
            Some(json!({"toPersonEmail": "a@b.c", "markdown": "**hi**", "text": "hi"})),
            Box::new(|c| {
                c.messages()
                    .create(&NewMessage::to_email("a@b.c").markdown("**hi**").text("hi"))
                    .map(drop)
            }),
        ),
        case(
            "GET /messages/{messageId}#0",
            "/v1/messages/m1",
            &[],
            None,
            Box::new(|c| c.messages().get("m1").map(drop)),
        ),
        case(
            "PUT /messages/{messageId}#0",
            "/v1/messages/m1",
            &[],
            Some(json!({"roomId": "r1", "text": "fixed"})),
            Box::new(|c| {
                c.messages()
                    .update("m1", &UpdateMessage::text("r1", "fixed"))
                    .map(drop)
            }),
        ),
        case(
            "GET /teams#0",
            "/v1/teams",
            &[("max", "10")],
            None,
            Box::new(|c| {
                first(
                    c.teams()
                        .list(&webex_bot::client::ListTeams::default().max(10u32)),
                )
            }),
        ),
        case(
            "POST /teams#0",
            "/v1/teams",
            &[],
            Some(json!({"name": "Build", "description": "d"})),
            Box::new(|c| {
                c.teams()
                    .create(&NewTeam::new("Build").description("d"))
                    .map(drop)
            }),
        ),
        case(
            "GET /teams/{teamId}#0",
            "/v1/teams/t1",
            &[],
            None,
            Box::new(|c| c.teams().get("t1").map(drop)),
        ),
        case(
            "PUT /teams/{teamId}#0",
            "/v1/teams/t1",
            &[],
            Some(json!({"name": "Release"})),
            Box::new(|c| c.teams().update("t1", &NewTeam::new("Release")).map(drop)),
        ),
        case(
            "GET /team/memberships#0",
            "/v1/team/memberships",
            &[("teamId", "t1")],
            None,
            Box::new(|c| first(c.team_memberships().list(&ListTeamMemberships::new("t1")))),
        ),
        case(
            "POST /team/memberships#0",
            "/v1/team/memberships",
            &[],
            Some(json!({"teamId": "t1", "personEmail": "a@b.c", "isModerator": false})),
            Box::new(|c| {
                c.team_memberships()
                    .create("t1", None, Some("a@b.c"), false)
                    .map(drop)
            }),
        ),
        case(
            "GET /team/memberships/{membershipId}#0",
            "/v1/team/memberships/tm1",
            &[],
            None,
            Box::new(|c| c.team_memberships().get("tm1").map(drop)),
        ),
        case(
            "PUT /team/memberships/{membershipId}#0",
            "/v1/team/memberships/tm1",
            &[],
            Some(json!({"isModerator": true})),
            Box::new(|c| c.team_memberships().update("tm1", true).map(drop)),
        ),
        case(
            "GET /webhooks#0",
            "/v1/webhooks",
            &[("ownedBy", "org")],
            None,
            Box::new(|c| first(c.webhooks().list(&ListWebhooks::default().owned_by("org")))),
        ),
        case(
            "POST /webhooks#0",
            "/v1/webhooks",
            &[],
            Some(
                json!({"name": "n", "targetUrl": "https://x/", "resource": "messages", "event": "created", "filter": "roomType=direct", "secret": "s"}),
            ),
            Box::new(|c| {
                c.webhooks()
                    .create(
                        &NewWebhook::new("n", "https://x/", "messages", "created")
                            .filter("roomType=direct")
                            .secret("s"),
                    )
                    .map(drop)
            }),
        ),
        case(
            "GET /webhooks/{webhookId}#0",
            "/v1/webhooks/w1",
            &[],
            None,
            Box::new(|c| c.webhooks().get("w1").map(drop)),
        ),
        case(
            "PUT /webhooks/{webhookId}#0",
            "/v1/webhooks/w1",
            &[],
            Some(json!({"name": "n", "targetUrl": "https://y/", "status": "active"})),
            Box::new(|c| {
                let mut u = UpdateWebhook::new("n", "https://y/");
                u.status = Some(WebhookStatus::Active);
                c.webhooks().update("w1", &u).map(drop)
            }),
        ),
        case(
            "POST /attachment/actions#0",
            "/v1/attachment/actions",
            &[],
            Some(json!({"type": "submit", "messageId": "m1", "inputs": {"a": "1"}})),
            Box::new(|c| {
                c.attachment_actions()
                    .create(&NewAttachmentAction::submit("m1", json!({"a": "1"})))
                    .map(drop)
            }),
        ),
        case(
            "GET /attachment/actions/{id}#0",
            "/v1/attachment/actions/a1",
            &[],
            None,
            Box::new(|c| c.attachment_actions().get("a1").map(drop)),
        ),
        case(
            "GET /events#0",
            "/v1/events",
            &[("resource", "messages"), ("type", "created")],
            None,
            Box::new(|c| {
                first(
                    c.events().list(
                        &ListEvents::default()
                            .resource("messages")
                            .event_type("created"),
                    ),
                )
            }),
        ),
        case(
            "GET /events/{eventId}#0",
            "/v1/events/e1",
            &[],
            None,
            Box::new(|c| c.events().get("e1").map(drop)),
        ),
        case(
            "GET /organizations#0",
            "/v1/organizations",
            &[],
            None,
            Box::new(|c| first(c.organizations().list(&Default::default()))),
        ),
        case(
            "GET /organizations/{orgId}#0",
            "/v1/organizations/o1",
            &[],
            None,
            Box::new(|c| c.organizations().get("o1").map(drop)),
        ),
        case(
            "GET /licenses#0",
            "/v1/licenses",
            &[("orgId", "o1")],
            None,
            Box::new(|c| first(c.licenses().list(&ListLicenses::default().org_id("o1")))),
        ),
        case(
            "GET /licenses/{licenseId}#0",
            "/v1/licenses/l1",
            &[("includeAssignedTo", "user")],
            None,
            Box::new(|c| c.licenses().get("l1", true).map(drop)),
        ),
        case(
            "PATCH /licenses/users#0",
            "/v1/licenses/users",
            &[],
            Some(
                json!({"email": "a@b.c", "licenses": [{"id": "l1", "operation": "add"}, {"id": "l2", "operation": "remove"}]}),
            ),
            Box::new(|c| {
                c.licenses()
                    .assign(
                        &LicenseAssignment::for_email("a@b.c")
                            .add_license("l1")
                            .remove_license("l2"),
                    )
                    .map(drop)
            }),
        ),
        case(
            "GET /people/{personId}#0",
            "/v1/people/p1",
            &[("callingData", "true")],
            None,
            Box::new(|c| {
                c.people()
                    .get_with("p1", &PersonOptions::default().calling_data(true))
                    .map(drop)
            }),
        ),
        case(
            "GET /people/me#0",
            "/v1/people/me",
            &[("callingData", "true")],
            None,
            Box::new(|c| {
                c.people()
                    .me_with(&PersonOptions::default().calling_data(true))
                    .map(drop)
            }),
        ),
        case(
            "GET /teams/{teamId}#0",
            "/v1/teams/t1",
            &[("description", "Build")],
            None,
            Box::new(|c| c.teams().get_with_description("t1", "Build").map(drop)),
        ),
        case(
            "GET /licenses/{licenseId}#0",
            "/v1/licenses/l1",
            &[
                ("includeAssignedTo", "user"),
                ("next", "c2"),
                ("limit", "50"),
            ],
            None,
            Box::new(|c| {
                c.licenses()
                    .get_assignees("l1", Some("c2"), Some(50))
                    .map(drop)
            }),
        ),
        case(
            "GET /roles#0",
            "/v1/roles",
            &[],
            None,
            Box::new(|c| first(c.roles().list(&Default::default()))),
        ),
        case(
            "GET /roles/{roleId}#0",
            "/v1/roles/ro1",
            &[],
            None,
            Box::new(|c| c.roles().get("ro1").map(drop)),
        ),
    ];
    let all: Value = serde_json::from_str(EXAMPLES).unwrap();
    let covered: Vec<&str> = cases.iter().map(|c| c.example).collect();
    for key in all.as_object().unwrap().keys() {
        assert!(
            covered.contains(&key.as_str()),
            "the example {key} is not exercised"
        );
    }
    for c in cases {
        let server = FakeServer::start(vec![Answer::json(200, example(c.example))]);
        let client = client(&server.origin);
        (c.call)(&client).unwrap_or_else(|e| panic!("{}: {e}", c.example));
        let reqs = server.recorded();
        assert_eq!(reqs.len(), 1, "{}", c.example);
        check(&reqs[0], &c);
        // One `Host`, the server's address with its port (not the scheme's default).
        let hosts: Vec<&str> = reqs[0]
            .headers
            .iter()
            .filter(|(k, _)| k == "host")
            .map(|(_, v)| v.as_str())
            .collect();
        let authority = server.origin.trim_start_matches("http://");
        assert_eq!(hosts, [authority], "{}", c.example);
    }
}

fn check(r: &Recorded, c: &Case) {
    assert_eq!(r.method, c.method, "{}", c.example);
    assert_eq!(r.path(), c.path, "{}", c.example);
    let mut got = r.query();
    got.sort();
    let mut want: Vec<(String, String)> = c
        .query
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    want.sort();
    assert_eq!(got, want, "{}", c.example);
    assert_eq!(
        r.header("authorization"),
        Some("Bearer T0KEN"),
        "{}",
        c.example
    );
    assert!(
        r.header("user-agent")
            .is_some_and(|u| u.starts_with("webex-bot/")),
        "{}",
        c.example
    );
    match &c.body {
        Some(b) => {
            assert_eq!(
                r.header("content-type"),
                Some("application/json;charset=utf-8"),
                "{}",
                c.example
            );
            assert_eq!(&r.json(), b, "{}", c.example);
        }
        None => assert!(r.body.is_empty(), "{}: no body expected", c.example),
    }
}

#[test]
fn deletes_send_no_body_and_accept_204() {
    let server = FakeServer::start_with(|_, _| Answer {
        status: 204,
        headers: vec![],
        body: vec![],
    });
    let c = client(&server.origin);
    c.rooms().delete("r1").unwrap();
    c.memberships().delete("m1").unwrap();
    c.messages().delete("m1").unwrap();
    c.teams().delete("t1").unwrap();
    c.team_memberships().delete("tm1").unwrap();
    c.webhooks().delete("w1").unwrap();
    c.people().delete("p1").unwrap();
    c.organizations().delete("o1").unwrap();
    let paths: Vec<String> = server
        .recorded()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path()))
        .collect();
    assert_eq!(
        paths,
        [
            "DELETE /v1/rooms/r1",
            "DELETE /v1/memberships/m1",
            "DELETE /v1/messages/m1",
            "DELETE /v1/teams/t1",
            "DELETE /v1/team/memberships/tm1",
            "DELETE /v1/webhooks/w1",
            "DELETE /v1/people/p1",
            "DELETE /v1/organizations/o1"
        ]
    );
    assert!(server.recorded().iter().all(|r| r.body.is_empty()));
}

#[test]
fn replies_in_threads_go_to_the_first_message() {
    let server = FakeServer::start_with(|_, _| Answer::json(200, json!({"id": "new"})));
    let c = client(&server.origin);
    let mut reply_to_reply = Message::default();
    reply_to_reply.id = "m2".into();
    reply_to_reply.parent_id = Some("m1".into());
    reply_to_reply.room_id = Some("r1".into());
    c.messages()
        .reply(&reply_to_reply, NewMessage::default().text("ok"))
        .unwrap();
    assert_eq!(
        server.recorded()[0].json(),
        json!({"roomId": "r1", "parentId": "m1", "text": "ok"})
    );
}

#[test]
fn pagination_follows_links_lazily_and_keeps_dropped_filters() {
    let server = FakeServer::start_with(|i, r| {
        let origin = format!("http://{}", r.header("host").unwrap());
        let items: Vec<Value> = (0..2)
            .map(|k| json!({"id": format!("m{}", i * 2 + k), "roomId": "r1"}))
            .collect();
        let a = Answer::json(200, json!({ "items": items }));
        match i {
            // The next links drop `mentionedPeople` (a quirk Webex had) and carry max=null.
            0 => a.header(
                "Link",
                &format!("<{origin}/v1/messages?roomId=r1&max=null&cursor=p2>; rel=\"next\""),
            ),
            1 => a.header(
                "Link",
                &format!("<{origin}/v1/messages?roomId=r1&cursor=p3>; rel=\"next\""),
            ),
            _ => a,
        }
    });
    let c = client(&server.origin);
    let mut pages = c
        .messages()
        .list(&ListMessages::in_room("r1").mentioned_people("me").max(2u32));
    assert_eq!(
        pages.pages_fetched(),
        0,
        "nothing is fetched before the first item is asked for"
    );
    let first = pages.next().unwrap().unwrap();
    assert_eq!(first.id, "m0");
    assert_eq!(pages.pages_fetched(), 1);
    let rest: Vec<Message> = pages.collect::<Result<_, _>>().unwrap();
    assert_eq!(rest.len(), 5);
    let reqs = server.recorded();
    assert_eq!(reqs.len(), 3);
    for r in &reqs {
        let q = r.query();
        assert!(
            q.contains(&("mentionedPeople".into(), "me".into())),
            "{}",
            r.url
        );
        assert!(q.contains(&("max".into(), "2".into())), "{}", r.url);
        assert!(!q.iter().any(|(_, v)| v == "null"), "{}", r.url);
    }
    assert!(reqs[2].url.contains("cursor=p3"));

    // A cap on items stops fetching and shrinks the page size.
    let server2 = FakeServer::start_with(|_, _| {
        Answer::json(
            200,
            json!({"items": [{"id": "a"}, {"id": "b"}, {"id": "c"}]}),
        )
    });
    let c2 = client(&server2.origin);
    let got: Vec<Room> = c2
        .rooms()
        .list(&Default::default())
        .limit(3)
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(got.len(), 3);
    assert_eq!(server2.recorded().len(), 1);
    assert!(
        server2.recorded()[0]
            .query()
            .contains(&("max".into(), "3".into()))
    );
}

#[test]
fn next_links_to_another_host_are_refused() {
    let server = FakeServer::start(vec![
        Answer::json(200, json!({"items": [{"id": "a"}]})).header(
            "Link",
            "<https://evil.example/v1/rooms?cursor=x>; rel=\"next\"",
        ),
    ]);
    let c = client(&server.origin);
    let all: Vec<Result<Room, Error>> = c.rooms().list(&Default::default()).collect();
    assert!(all[0].is_ok());
    assert!(matches!(&all[1], Err(Error::Config(m)) if m.contains("another host")));
    assert_eq!(server.recorded().len(), 1);
}

#[test]
fn a_429_is_retried_after_retry_after_and_succeeds() {
    let server = FakeServer::start(vec![
        Answer::json(429, json!({"message": "slow down"})).header("Retry-After", "1"),
        Answer::json(200, json!({"id": "m1"})),
    ]);
    let c = client(&server.origin);
    let started = Instant::now();
    let m = c
        .messages()
        .create(&NewMessage::to_room("r1").text("hi"))
        .unwrap();
    assert_eq!(m.id, "m1");
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited {:?}",
        started.elapsed()
    );
    let reqs = server.recorded();
    assert_eq!(
        reqs.len(),
        2,
        "a 429 POST is sent again: Webex did not act on it"
    );
    assert_eq!(reqs[0].body, reqs[1].body);
}

#[test]
fn a_500_on_post_is_not_retried_but_on_get_it_is() {
    let server = FakeServer::start(vec![Answer::json(
        500,
        json!({"message": "oops", "trackingId": "T1"}),
    )]);
    let c = client(&server.origin);
    let e = c
        .messages()
        .create(&NewMessage::to_room("r1").text("hi"))
        .unwrap_err();
    assert_eq!(e.status(), Some(500));
    assert_eq!(server.recorded().len(), 1, "a POST is never sent twice");

    let server = FakeServer::start(vec![
        Answer::json(502, json!({})),
        Answer::json(503, json!({})),
        Answer::json(200, json!({"id": "r1"})),
    ]);
    let c = client(&server.origin);
    assert_eq!(c.rooms().get("r1").unwrap().id, "r1");
    assert_eq!(server.recorded().len(), 3);

    // Retries can be turned off.
    let server = FakeServer::start(vec![
        Answer::json(429, json!({})).header("Retry-After", "1"),
    ]);
    let c = Client::builder()
        .token("t")
        .base_url(format!("{}/v1", server.origin))
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    assert_eq!(c.rooms().get("r1").unwrap_err().status(), Some(429));
}

#[test]
fn error_bodies_are_surfaced_without_the_token() {
    let server = FakeServer::start(vec![Answer::json(
        404,
        json!({"message": "Room not found", "errors": [{"description": "The room does not exist"}, {"description": "Check the id"}], "trackingId": "ROUTER_42"}),
    )
    .header("TrackingID", "HEADER_1")]);
    let c = client(&server.origin);
    let e = c.rooms().get("nope").unwrap_err();
    let api = e.api().unwrap();
    assert_eq!(api.status(), 404);
    assert_eq!(api.message(), Some("Room not found"));
    assert_eq!(
        api.descriptions(),
        ["The room does not exist", "Check the id"]
    );
    assert_eq!(api.tracking_id(), Some("ROUTER_42"));
    let shown = format!("{e} {e:?} {c:?}");
    assert_eq!(
        e.to_string(),
        "webex answered 404: Room not found (The room does not exist; Check the id) [trackingId ROUTER_42]"
    );
    assert!(!shown.contains("T0KEN"), "{shown}");
}

#[test]
fn uploads_are_multipart_with_the_file_part_and_fields() {
    let server =
        FakeServer::start_with(|_, _| Answer::json(200, json!({"id": "m1", "files": ["x"]})));
    let c = client(&server.origin);
    let dir = std::env::temp_dir().join(format!("webex-bot-upload-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("report.pdf");
    std::fs::write(&path, b"%PDF-1.4 fake").unwrap();
    c.messages()
        .create_with_file(
            &NewMessage::to_room("r1").text("the report"),
            Upload::path(&path).unwrap(),
        )
        .unwrap();
    c.messages()
        .create_with_file(
            &NewMessage::to_email("a@b.c"),
            Upload::reader("notes.txt", &b"some notes"[..]),
        )
        .unwrap();
    let reqs = server.recorded();
    let ct = reqs[0].header("content-type").unwrap();
    assert!(ct.starts_with("multipart/form-data; boundary="), "{ct}");
    let body = String::from_utf8_lossy(&reqs[0].body);
    assert!(body.contains("name=\"roomId\"\r\n\r\nr1\r\n"), "{body}");
    assert!(
        body.contains("name=\"text\"\r\n\r\nthe report\r\n"),
        "{body}"
    );
    assert!(body.contains("name=\"files\"; filename=\"report.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4 fake\r\n"), "{body}");
    assert_eq!(
        reqs[0]
            .header("content-length")
            .unwrap()
            .parse::<usize>()
            .unwrap(),
        reqs[0].body.len()
    );
    let body2 = String::from_utf8_lossy(&reqs[1].body);
    assert!(body2.contains("name=\"toPersonEmail\"\r\n\r\na@b.c\r\n"));
    assert!(
        body2.contains("filename=\"notes.txt\"\r\nContent-Type: text/plain\r\n\r\nsome notes\r\n")
    );
    // A file and a card together are refused before anything is sent.
    let e = c
        .messages()
        .create_with_file(
            &NewMessage::to_room("r").card(json!({})),
            Upload::reader("a", std::io::empty()),
        )
        .unwrap_err();
    assert!(matches!(e, Error::Config(_)));
    assert_eq!(server.recorded().len(), 2);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn applications_api_operations() {
    let server = FakeServer::start_with(|_, r| {
        let token = if r.method == "POST" && r.path() == "/v1/applications"
            || r.path().ends_with("/botToken")
        {
            json!("NEW")
        } else {
            Value::Null
        };
        Answer::json(
            200,
            json!({"id": "app1", "type": "bot", "botEmail": "ops@webex.bot", "botToken": token}),
        )
    });
    let c = client(&server.origin);
    let bot = c
        .applications()
        .create_bot(&NewBotApplication::new(
            "Ops",
            "ops@webex.bot",
            "Runs ops",
            "https://x/logo.png",
        ))
        .unwrap();
    assert_eq!(
        bot.bot_token.as_ref().map(webex_bot::Secret::expose),
        Some("NEW")
    );
    c.applications()
        .create_bot_with_logo(
            &NewBotApplication::new("Ops", "ops@webex.bot", "Runs ops", ""),
            Upload::reader("logo.png", &b"PNG"[..]),
        )
        .unwrap();
    let mut u = UpdateApplication::default();
    u.description = Some("new".into());
    c.applications().update("app1", &u).unwrap();
    c.applications()
        .upload_logo("app1", Upload::reader("logo.png", &b"PNG"[..]))
        .unwrap();
    assert_eq!(
        c.applications()
            .regenerate_token("app1")
            .unwrap()
            .bot_token
            .as_ref()
            .map(webex_bot::Secret::expose),
        Some("NEW")
    );
    c.applications().delete("app1").unwrap();
    let r = server.recorded();
    let lines: Vec<String> = r
        .iter()
        .map(|r| format!("{} {}", r.method, r.path()))
        .collect();
    assert_eq!(
        lines,
        [
            "POST /v1/applications",
            "POST /v1/applications",
            "PATCH /v1/applications/app1",
            "POST /v1/applications/app1/logo",
            "DELETE /v1/applications/app1/botToken",
            "DELETE /v1/applications/app1"
        ]
    );
    assert_eq!(
        r[0].json(),
        json!({"type": "bot", "name": "Ops", "botEmail": "ops@webex.bot", "description": "Runs ops", "logo": "https://x/logo.png"})
    );
    assert!(
        String::from_utf8_lossy(&r[1].body)
            .contains("name=\"logo\"; filename=\"logo.png\"\r\nContent-Type: image/png")
    );
    assert_eq!(r[2].json(), json!({"description": "new"}));
    assert!(!format!("{bot:?}").contains("NEW"));
}

#[test]
fn fedramp_and_environment_configuration() {
    let c = Client::builder().token("t").fedramp().build().unwrap();
    assert_eq!(c.base_url(), "https://api-usgov.webex.com/v1");
    assert!(Client::builder().token("has space").build().is_err());
    assert!(
        Client::builder()
            .token("t")
            .base_url("not a url")
            .build()
            .is_err()
    );
}
